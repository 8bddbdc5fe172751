/**
 * Seeded random KTS programs over the integer subset, with their expected
 * output computed by an independent BigInt model of docs/kts-language.md (not
 * by running them). Each program is a module of functions; each function
 * declares variables of random integer types, updates them with random
 * expressions (arithmetic converted back to the variable's type, bitwise
 * operators with JS's 32-bit semantics, shifts, division by a non-zero value,
 * conversions between types, comparisons and ?:, calls of tick(), which
 * changes a module variable, so that evaluation order shows, elements of an
 * array or of an array of arrays at computed indexes, fields of a module-level
 * class instance), loops,
 * branches, element and field stores, and
 * prints them. Expressions stay inside the rules a program must follow (every
 * result converted before use; the 2^53 bound), so every generated program is
 * valid KTS; the test fails if the compiler rejects one.
 */

export type IntType = "u8" | "u16" | "u32" | "i8" | "i16" | "i32" | "u64" | "i64";
const TYPES: IntType[] = ["u8", "u16", "u32", "i8", "i16", "i32", "u64", "i64"];
const BITS: Record<IntType, number> = { u8: 8, u16: 16, u32: 32, i8: 8, i16: 16, i32: 32, u64: 64, i64: 64 };
const signed = (t: IntType) => t.startsWith("i");
const big = (t: IntType) => BITS[t] === 64;

/** The value of type t that x converts to (the u32(...) family): wrap to t's width. */
export function wrap(t: IntType, x: bigint): bigint {
  return signed(t) ? BigInt.asIntN(BITS[t], x) : BigInt.asUintN(BITS[t], x);
}

/** mulberry32: small, seeded, the same sequence everywhere. */
export class Rng {
  constructor(private s: number) {}
  next(): number {
    this.s = (this.s + 0x6d2b79f5) >>> 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
}

/** An expression: its KTS text and a function computing its value in the model. */
interface Expr {
  text: string;
  t: IntType;
  eval(env: Map<string, bigint>): bigint;
}

const toInt32 = (x: bigint) => BigInt.asIntN(32, x);

function literal(t: IntType, v: bigint): string {
  if (big(t)) return v < 0n ? `(${v}n)` : `${v}n`;
  return v < 0n ? `(${v})` : `${v}`;
}

function randomValue(rng: Rng, t: IntType): bigint {
  const edge = [0n, 1n, -1n, 2n ** BigInt(BITS[t] - 1), 2n ** BigInt(BITS[t] - 1) - 1n, 2n ** BigInt(BITS[t]) - 1n];
  if (rng.chance(0.3)) return wrap(t, rng.pick(edge));
  let v = 0n;
  for (let i = 0; i < BITS[t]; i += 16) v = (v << 16n) | BigInt(rng.int(65536));
  return wrap(t, v);
}

/** The model's name for the module variable `g` that tick() updates. */
const TICK = "<g>";

/** The fields of the program's one class, instantiated at module level as `rec` (initial value REC_INIT). */
const REC_FIELDS: [string, IntType][] = [
  ["a", "u8"],
  ["b", "i32"],
  ["c", "u64"],
];
const REC_INIT = 3n;

export class ProgramGenerator {
  /** Model state across the program's functions: module variable g, then each function's locals. */
  private readonly state = new Map<string, bigint>([[TICK, 0n], ...REC_FIELDS.map(([f]): [string, bigint] => [`rec.${f}`, REC_INIT])]);

  constructor(private readonly rng: Rng) {}

  /** The current function's array (8 elements of one type, or 2 rows of 4 made by arrays()), if it has one. */
  private array: { name: string; t: IntType; rows: boolean } | undefined;

  /** An index below 2^bits: a u32 expression masked. */
  private index(vars: [string, IntType][], bits = 3): Expr {
    const e = this.expr("u32", vars, 1);
    const mask = (1 << bits) - 1;
    return { text: `u32(${e.text} & ${mask})`, t: "u32", eval: (env) => BigInt.asUintN(32, toInt32(e.eval(env)) & BigInt(mask)) };
  }

  /** An element of the array: `arr[i]`, or `arr[r][i]` (row first, as JS evaluates it); `key` names it in the model. */
  private element(vars: [string, IntType][]): { text: string; key(env: Map<string, bigint>): string } {
    const arr = this.array!;
    const r = arr.rows ? this.index(vars, 1) : undefined;
    const i = this.index(vars, arr.rows ? 2 : 3);
    if (!r) return { text: `${arr.name}[${i.text}]`, key: (env) => `${arr.name}[${i.eval(env)}]` };
    return {
      text: `${arr.name}[${r.text}][${i.text}]`,
      key: (env) => {
        const row = r.eval(env);
        return `${arr.name}[${row}][${i.eval(env)}]`;
      },
    };
  }

  private cells(): string[] {
    const arr = this.array;
    if (!arr) return [];
    if (!arr.rows) return Array.from({ length: 8 }, (_, i) => `${arr.name}[${i}]`);
    return Array.from({ length: 8 }, (_, k) => `${arr.name}[${k >> 2}][${k & 3}]`);
  }

  /** A leaf of type t: a variable of that type, a field of `rec`, an element of the array, or a constant. */
  private leaf(t: IntType, vars: [string, IntType][]): Expr {
    const field = REC_FIELDS.find(([, ft]) => ft === t);
    if (field && this.rng.chance(0.15)) return { text: `rec.${field[0]}`, t, eval: (env) => env.get(`rec.${field[0]}`)! };
    const arr = this.array;
    if (arr && arr.t === t && this.rng.chance(0.2)) {
      const el = this.element(vars);
      return { text: el.text, t, eval: (env) => env.get(el.key(env))! };
    }
    const mine = vars.filter(([, vt]) => vt === t);
    if (mine.length > 0 && this.rng.chance(0.75)) {
      const [name] = this.rng.pick(mine);
      return { text: name, t, eval: (env) => env.get(name)! };
    }
    const v = randomValue(this.rng, t);
    return { text: literal(t, v), t, eval: () => v };
  }

  /** A clean expression of type t, depth-limited. */
  expr(t: IntType, vars: [string, IntType][], depth: number): Expr {
    if (depth <= 0 || this.rng.chance(0.25)) return this.leaf(t, vars);
    const kind = this.rng.int(8);
    const sub = () => this.expr(t, vars, depth - 1);
    switch (kind) {
      case 0:
      case 1:
        return this.arith(t, sub(), sub());
      case 2:
        return this.bitwise(t, sub(), sub());
      case 3:
        return this.shift(t, sub());
      case 4:
        return this.division(t, sub(), sub());
      case 5: {
        // A conversion from another type.
        const from = this.rng.pick(TYPES);
        const e = this.expr(from, vars, depth - 1);
        return { text: `${t}(${e.text})`, t, eval: (env) => wrap(t, e.eval(env)) };
      }
      case 6: {
        // A call with a side effect on module state: evaluation order shows in the result.
        const e = this.expr(t, vars, depth - 1);
        const arg = t === "u32" ? e.text : `u32(${e.text})`;
        return {
          text: t === "u32" ? `tick(${arg})` : `${t}(tick(${arg}))`,
          t,
          eval: (env) => {
            const x = BigInt.asUintN(32, e.eval(env));
            const g = BigInt.asUintN(32, env.get(TICK)! * 31n + x + 1n);
            env.set(TICK, g);
            return wrap(t, x ^ g);
          },
        };
      }
      default: {
        // The left side is a variable: TypeScript rejects comparing two literals.
        const [lv, ct] = this.rng.pick(vars);
        const l: Expr = { text: lv, t: ct, eval: (env) => env.get(lv)! };
        // The right side a leaf: `v < (w > x ? ...` would read as a generic call to TypeScript.
        const r = this.leaf(ct, vars);
        // == against a literal would narrow the variable to that literal's type inside the branch (TypeScript then rejects comparing it again).
        const op = this.rng.pick(/^[(\d-]/.test(r.text) ? (["<", "<=", ">", ">="] as const) : (["<", "<=", ">", ">=", "==", "!="] as const));
        const a = sub();
        const b = sub();
        const test = (x: bigint, y: bigint) => (op === "<" ? x < y : op === "<=" ? x <= y : op === ">" ? x > y : op === ">=" ? x >= y : op === "==" ? x === y : x !== y);
        return { text: `(${l.text} ${op} ${r.text} ? ${a.text} : ${b.text})`, t, eval: (env) => (test(l.eval(env), r.eval(env)) ? a.eval(env) : b.eval(env)) };
      }
    }
  }

  private arith(t: IntType, a: Expr, b: Expr): Expr {
    // '*' of two 32-bit values could pass 2^53 (rejected by the compiler): those multiply by a small constant.
    const ops = ["+", "-", "*"] as const;
    const op = this.rng.pick(ops);
    if (op === "*" && BITS[t] === 32) {
      const c = BigInt(this.rng.int(1 << 20));
      return { text: `${t}(${a.text} * ${c})`, t, eval: (env) => wrap(t, a.eval(env) * c) };
    }
    const f = (x: bigint, y: bigint) => (op === "+" ? x + y : op === "-" ? x - y : x * y);
    return { text: `${t}(${a.text} ${op} ${b.text})`, t, eval: (env) => wrap(t, f(a.eval(env), b.eval(env))) };
  }

  private bitwise(t: IntType, a: Expr, b: Expr): Expr {
    const op = this.rng.pick(["&", "|", "^"] as const);
    const f = (x: bigint, y: bigint) => (op === "&" ? x & y : op === "|" ? x | y : x ^ y);
    // Numbers: JS works on int32 operands; bigints on exact two's complement.
    if (big(t)) return { text: `${t}(${a.text} ${op} ${b.text})`, t, eval: (env) => wrap(t, f(a.eval(env), b.eval(env))) };
    return { text: `${t}(${a.text} ${op} ${b.text})`, t, eval: (env) => wrap(t, f(toInt32(a.eval(env)), toInt32(b.eval(env)))) };
  }

  private shift(t: IntType, a: Expr): Expr {
    if (big(t)) {
      const c = BigInt(this.rng.int(70));
      if (this.rng.chance(0.5)) return { text: `${t}(${a.text} << ${c}n)`, t, eval: (env) => wrap(t, a.eval(env) << c) };
      // A right shift of a clean 64-bit value: arithmetic for i64, logical for u64; 64 or more shifts all out.
      return { text: `${t}(${a.text} >> ${c}n)`, t, eval: (env) => wrap(t, a.eval(env) >> c) };
    }
    const c = this.rng.int(40);
    const k = BigInt(c & 31);
    const ops = signed(t) ? (["<<", ">>>", ">>"] as const) : (["<<", ">>>"] as const);
    const op = this.rng.pick(ops);
    if (op === "<<") return { text: `${t}(${a.text} << ${c})`, t, eval: (env) => wrap(t, toInt32(toInt32(a.eval(env)) << k)) };
    if (op === ">>>") return { text: `${t}(${a.text} >>> ${c})`, t, eval: (env) => wrap(t, BigInt.asUintN(32, a.eval(env)) >> k) };
    return { text: `${t}(${a.text} >> ${c})`, t, eval: (env) => wrap(t, toInt32(a.eval(env)) >> k) };
  }

  private division(t: IntType, a: Expr, b: Expr): Expr {
    const op = this.rng.pick(["/", "%"] as const);
    // The divisor is made odd, so never zero.
    const one = big(t) ? "1n" : "1";
    const d = `${t}(${b.text} | ${one})`;
    const divisor = (env: Map<string, bigint>) => wrap(t, big(t) ? b.eval(env) | 1n : toInt32(b.eval(env)) | 1n);
    // Both worlds truncate toward zero; '%' takes the dividend's sign (bigint / and % do the same).
    const f = (x: bigint, y: bigint) => (op === "/" ? x / y : x % y);
    return { text: `${t}(${a.text} ${op} ${d})`, t, eval: (env) => wrap(t, f(a.eval(env), divisor(env))) };
  }

  /** One function: variables, statements, a print of every variable. Returns its source and expected output. */
  fn(name: string): { source: string; expected: string } {
    const rng = this.rng;
    const vars: [string, IntType][] = [];
    const env = this.state;
    const lines: string[] = [];
    const count = 2 + rng.int(4);
    for (let i = 0; i < count; i++) {
      const t = rng.pick(TYPES);
      const v = `v${i}`;
      const init = randomValue(rng, t);
      vars.push([v, t]);
      env.set(v, init);
      lines.push(`  let ${v}: ${t} = ${literal(t, init)};`);
    }
    // Half the functions have an array of 8 elements or 2 rows of 4; stores to it evaluate the row, the index, then the value.
    this.array = undefined;
    if (rng.chance(0.5)) {
      const t = rng.pick(TYPES);
      const fill = randomValue(rng, t);
      this.array = { name: "arr", t, rows: rng.chance(0.4) };
      for (const cell of this.cells()) env.set(cell, fill);
      lines.push(this.array.rows ? `  const arr: ${t}[][] = arrays(2, 4, ${literal(t, fill)});` : `  const arr: ${t}[] = array(8, ${literal(t, fill)});`);
    }
    const assign = (indent: string, extra: [string, IntType][] = []) => {
      const all = [...vars, ...extra];
      if (rng.chance(0.15)) {
        // A field store on the module's instance.
        const [f, ft] = rng.pick(REC_FIELDS);
        const e = this.expr(ft, all, 3);
        lines.push(`${indent}rec.${f} = ${e.text};`);
        return (en: Map<string, bigint>) => en.set(`rec.${f}`, e.eval(en));
      }
      const arr = this.array;
      if (arr && rng.chance(0.3)) {
        const el = this.element(all);
        const e = this.expr(arr.t, all, 3);
        lines.push(`${indent}${el.text} = ${e.text};`);
        return (en: Map<string, bigint>) => {
          const at = el.key(en);
          en.set(at, e.eval(en));
        };
      }
      const [v, t] = rng.pick(vars);
      const e = this.expr(t, all, 3);
      lines.push(`${indent}${v} = ${e.text};`);
      return (en: Map<string, bigint>) => en.set(v, e.eval(en));
    };
    const steps: ((en: Map<string, bigint>) => void)[] = [];
    const statements = 3 + rng.int(5);
    for (let s = 0; s < statements; s++) {
      const shape = rng.int(4);
      if (shape === 0) {
        // A counted loop: the counter is an extra variable of the body's expressions.
        const n = 1 + rng.int(6);
        const counter = `i${s}`;
        lines.push(`  for (let ${counter}: u32 = 0; ${counter} < ${n}; ${counter}++) {`);
        const body = [assign("    ", [[counter, "u32"]]), assign("    ", [[counter, "u32"]])];
        lines.push("  }");
        steps.push((en) => {
          for (let i = 0n; i < BigInt(n); i++) {
            en.set(counter, i);
            for (const b of body) b(en);
          }
          en.delete(counter);
        });
      } else if (shape === 1) {
        const [v, t] = rng.pick(vars);
        const c = this.leaf(t, vars);
        lines.push(`  if (${v} < ${c.text}) {`);
        const then = assign("    ");
        lines.push("  } else {");
        const otherwise = assign("    ");
        lines.push("  }");
        steps.push((en) => (en.get(v)! < c.eval(en) ? then(en) : otherwise(en)));
      } else steps.push(assign("  "));
    }
    for (const s of steps) s(env);
    const cells = [...this.cells(), ...REC_FIELDS.map(([f]) => `rec.${f}`)];
    lines.push(`  print(\`${name}${[...vars.map(([v]) => v), ...cells].map((v) => ` \${${v}}`).join("")} g \${g}\`);`);
    const expected = `${name}${[...vars.map(([v]) => v), ...cells].map((v) => ` ${env.get(v)}`).join("")} g ${env.get(TICK)}\n`;
    return { source: `function ${name}(): void {\n${lines.join("\n")}\n}\n`, expected };
  }

  /** A whole program of `functions` functions; its main calls each in turn. */
  program(functions: number): { source: string; expected: string } {
    const parts = Array.from({ length: functions }, (_, i) => this.fn(`f${i}`));
    const source = [
      `// Generated by test/compiler/differential/generator.ts.`,
      `import { u8, u16, u32, i8, i16, i32, u64, i64, print, array, arrays } from "kts";`,
      "",
      "let g: u32 = 0;",
      "",
      "class Rec {",
      ...REC_FIELDS.map(([f, ft]) => `  ${f}: ${ft} = ${literal(ft, REC_INIT)};`),
      "}",
      "",
      "const rec = new Rec();",
      "",
      "function tick(x: u32): u32 {",
      "  g = u32(g * 31 + x + 1);",
      "  return u32(x ^ g);",
      "}",
      "",
      ...parts.map((p) => p.source),
      "export function main(): u32 {",
      ...parts.map((_, i) => `  f${i}();`),
      "  return 0;",
      "}",
      "",
    ].join("\n");
    return { source, expected: parts.map((p) => p.expected).join("") + "--- exit 0\n" };
  }
}

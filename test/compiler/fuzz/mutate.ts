/**
 * The front-end fuzzer (`npm run fuzz:compiler`, and a bounded run in the test
 * suite): programs from the accept and reject suites and the differential
 * generator, mutated at random (tokens deleted, duplicated or swapped,
 * operators and keywords replaced, lines cut or repeated), then compiled
 * in-process. A crash (an exception out of the compiler), an internal error
 * (KT9001) or a program accepted without diagnostics whose C does not compile
 * is a failure; every other outcome is fine.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { generate } from "../../../compiler/driver.js";
import { hostFlags } from "../../../compiler/toolchain/clang.js";
import { ProgramGenerator, Rng } from "../differential/generator.js";

const HERE = import.meta.dirname;

/** Seed programs: every accept and reject program, and a few generated ones. */
export function seeds(): string[] {
  const out: string[] = [];
  for (const dir of ["accept", "reject"]) {
    for (const f of readdirSync(path.join(HERE, "..", dir)).filter((f) => f.endsWith(".ts")).sort()) out.push(readFileSync(path.join(HERE, "..", dir, f), "utf8"));
  }
  for (let s = 1; s <= 3; s++) out.push(new ProgramGenerator(new Rng(1000 + s)).program(3).source);
  return out;
}

const REPLACEMENTS = ["+", "-", "*", "/", "%", "<<", ">>", ">>>", "&", "|", "^", "==", "!=", "<", ">=", "&&", "||", "!", "~", "?", ":", "=", "+=", "++", "(", ")", "[", "]", "{", "}", ";", ",", ".", "0", "1", "-1", "0n", "255", "4294967296", "1n << 64n", "u8", "u32", "i64", "u64", "bool", "true", "null", "undefined", "this", "new", "return", "break", "continue", "let", "const", "var", "function", "class", "enum", "if", "else", "while", "for", "of", "switch", "case", "default", "typeof", "as", "any", "string", "\"s\"", "`t${1}`", "x", "main", "print", "array", "arrayOf", "slice", "u32(", "=>", "async", "yield", "export", "import", "declare", "static", "readonly", "!:", "?.", "??", "..."];

/** One random mutation of source. */
export function mutate(rng: Rng, source: string): string {
  const tokens = source.match(/\s+|[A-Za-z_$][\w$]*|0x[0-9a-fA-F_]+n?|\d[\d_]*n?|"(?:[^"\\\n]|\\.)*"|`[^`]*`|>>>=?|<<=?|>>=?|[=!]==?|&&|\|\||\?\?|\?\.|\+\+|--|=>|[-+*/%&|^<>]=?|[\s\S]/g) ?? [];
  const n = 1 + rng.int(3);
  for (let k = 0; k < n && tokens.length > 0; k++) {
    const i = rng.int(tokens.length);
    switch (rng.int(6)) {
      case 0:
        tokens.splice(i, 1);
        break;
      case 1:
        tokens.splice(i, 0, tokens[i]!);
        break;
      case 2:
        tokens[i] = rng.pick(REPLACEMENTS);
        break;
      case 3: {
        const j = rng.int(tokens.length);
        [tokens[i], tokens[j]] = [tokens[j]!, tokens[i]!];
        break;
      }
      case 4:
        tokens.splice(i, 0, " ", rng.pick(REPLACEMENTS), " ");
        break;
      default: {
        // A line repeated or cut.
        const lines = tokens.join("").split("\n");
        const l = rng.int(lines.length);
        if (rng.chance(0.5)) lines.splice(l, 0, lines[l]!);
        else lines.splice(l, 1);
        return lines.join("\n");
      }
    }
  }
  return tokens.join("");
}

export interface Finding {
  kind: "crash" | "internal error" | "accepted but C does not compile";
  detail: string;
  file: string;
}

/** Compiles one input (written to dir/name.ts) in-process; a finding, or undefined if the compiler behaved. */
export function tryInput(dir: string, name: string, source: string): Finding | undefined {
  const file = path.join(dir, `${name}.ts`);
  writeFileSync(file, source);
  const gen = path.join(dir, `${name}-gen`);
  let r;
  try {
    r = generate([file], { target: { kind: "host", arch: "x86_64" }, outDir: gen });
  } catch (e) {
    return { kind: "crash", detail: (e as Error).stack ?? String(e), file };
  }
  const internal = r.diagnostics.find((d) => d.code === "KT9001");
  if (internal) return { kind: "internal error", detail: internal.message, file };
  if (r.diagnostics.length > 0) return undefined;
  mkdirSync(gen, { recursive: true });
  for (const c of r.cFiles) {
    try {
      execFileSync("clang", [...hostFlags({ sanitize: false, optimize: "-O0" }), "-fsyntax-only", path.basename(c)], { cwd: path.dirname(c), stdio: ["ignore", "pipe", "pipe"] });
    } catch (e) {
      return { kind: "accepted but C does not compile", detail: (e as { stderr?: Buffer }).stderr?.toString() ?? String(e), file };
    }
  }
  return undefined;
}

/**
 * The KTS type model: what a TypeScript type means in KTS, and its C spelling.
 * Integer types carry width and signedness; 8/16/32-bit ones are JS numbers and
 * 64-bit ones bigints in the Node world. Imports no ts-morph: the lowering stage
 * resolves TypeScript syntax to these values.
 */

export type IntName = "u8" | "u16" | "u32" | "i8" | "i16" | "i32" | "u64" | "i64" | "usize" | "isize";

export interface IntInfo {
  name: IntName;
  bits: 8 | 16 | 32 | 64;
  signed: boolean;
  big: boolean; // bigint in the Node world
  c: string;
}

export const INTS: Record<IntName, IntInfo> = {
  u8: { name: "u8", bits: 8, signed: false, big: false, c: "uint8_t" },
  u16: { name: "u16", bits: 16, signed: false, big: false, c: "uint16_t" },
  u32: { name: "u32", bits: 32, signed: false, big: false, c: "uint32_t" },
  i8: { name: "i8", bits: 8, signed: true, big: false, c: "int8_t" },
  i16: { name: "i16", bits: 16, signed: true, big: false, c: "int16_t" },
  i32: { name: "i32", bits: 32, signed: true, big: false, c: "int32_t" },
  u64: { name: "u64", bits: 64, signed: false, big: true, c: "uint64_t" },
  i64: { name: "i64", bits: 64, signed: true, big: true, c: "int64_t" },
  usize: { name: "usize", bits: 64, signed: false, big: true, c: "uint64_t" },
  isize: { name: "isize", bits: 64, signed: true, big: true, c: "int64_t" },
};

export function isIntName(s: string): s is IntName {
  return Object.prototype.hasOwnProperty.call(INTS, s);
}

/** Identity of a class or enum: the C name is unique and stable across modules. */
export interface NamedDecl {
  cname: string;
  tsName: string;
  /** For classes: the lowering's ClassInfo (fields), opaque to this module. */
  kind?: string;
}

export type KType =
  | { k: "int"; int: IntInfo }
  | { k: "bool" }
  | { k: "void" }
  | { k: "never" }
  | { k: "untyped"; big: boolean } // an integer constant that takes the type of its context
  | { k: "array"; elem: KType }
  | { k: "class"; decl: NamedDecl }
  | { k: "enum"; decl: NamedDecl; signed: boolean }
  | { k: "fn"; params: KType[]; ret: KType }
  | { k: "string" } // literals only, for print/panic/assert
  | { k: "error" }; // already reported; suppresses follow-on diagnostics

export const T = {
  bool: { k: "bool" } as KType,
  void: { k: "void" } as KType,
  never: { k: "never" } as KType,
  error: { k: "error" } as KType,
  string: { k: "string" } as KType,
  int: (n: IntName): KType => ({ k: "int", int: INTS[n] }),
};

export function typeName(t: KType): string {
  switch (t.k) {
    case "int":
      return t.int.name;
    case "bool":
      return "bool";
    case "void":
      return "void";
    case "never":
      return "never";
    case "untyped":
      return t.big ? "bigint literal" : "integer literal";
    case "array":
      return `${typeName(t.elem)}[]`;
    case "class":
    case "enum":
      return t.decl.tsName;
    case "fn":
      return `(${t.params.map(typeName).join(", ")}) => ${typeName(t.ret)}`;
    case "string":
      return "string";
    case "error":
      return "<error>";
  }
}

export function sameType(a: KType, b: KType): boolean {
  if (a.k !== b.k) return false;
  switch (a.k) {
    case "int": {
      // usize/isize are u64/i64 on both LP64 arches: the same type under two names.
      const x = a.int;
      const y = (b as typeof a).int;
      return x.bits === y.bits && x.signed === y.signed;
    }
    case "array":
      return sameType(a.elem, (b as typeof a).elem);
    case "class":
    case "enum":
      return a.decl.cname === (b as typeof a).decl.cname;
    case "fn": {
      const f = b as typeof a;
      return f.params.length === a.params.length && sameType(a.ret, f.ret) && a.params.every((p, i) => sameType(p, f.params[i]!));
    }
    default:
      return true;
  }
}

/** The C type of a value of type t (class values are pointers, arrays slices). */
export function cType(t: KType): string {
  switch (t.k) {
    case "int":
      return t.int.c;
    case "bool":
      return "bool";
    case "void":
    case "never":
      return "void";
    case "enum":
      return t.signed ? "int32_t" : "uint32_t";
    case "class":
      return `${t.decl.cname} *`;
    case "array":
      return sliceTypeName(t.elem);
    case "fn":
      return fnTypeName(t);
    default:
      return "void";
  }
}

/** C element storage type (class elements are embedded structs). */
export function cElemType(t: KType): string {
  return t.k === "class" ? t.decl.cname : cType(t);
}

/** A short, C-identifier-safe spelling used to build typedef names. */
export function typeTag(t: KType): string {
  switch (t.k) {
    case "int":
      return t.int.name;
    case "bool":
      return "bool";
    case "void":
    case "never":
      return "void";
    case "enum":
      return t.signed ? "i32" : "u32";
    case "class":
      return t.decl.cname;
    case "array":
      return `slice_${typeTag(t.elem)}`;
    case "fn":
      return `fn_${typeTag(t.ret)}_${t.params.map(typeTag).join("_") || "void"}`;
    default:
      return "void";
  }
}

export function sliceTypeName(elem: KType): string {
  return `kts_slice_${typeTag(elem)}`;
}

/** Every function-pointer type named so far, by typedef name (names are a pure function of the type). */
export const FN_TYPES = new Map<string, Extract<KType, { k: "fn" }>>();

export function fnTypeName(t: Extract<KType, { k: "fn" }>): string {
  const name = `kts_${typeTag(t)}`;
  FN_TYPES.set(name, t);
  return name;
}

/** Range of an integer type as bigints. */
export function intRange(i: IntInfo): { min: bigint; max: bigint } {
  if (i.signed) return { min: -(1n << BigInt(i.bits - 1)), max: (1n << BigInt(i.bits - 1)) - 1n };
  return { min: 0n, max: (1n << BigInt(i.bits)) - 1n };
}

/** Magnitude bound in bits of a wrapped value (for the 2^53 exactness analysis). */
export function magnitudeBits(i: IntInfo): number {
  return i.signed ? i.bits - 1 : i.bits;
}

/** A C literal of value v in integer type i. */
export function cIntLiteral(v: bigint, i: IntInfo): string {
  const { min } = intRange(i);
  const body = (x: bigint) => (x >= 65536n ? "0x" + x.toString(16) : x.toString());
  if (i.bits === 64) {
    if (!i.signed) return `${body(v)}ull`;
    if (v === min) return "(-9223372036854775807ll - 1)";
    return v < 0n ? `(-${body(-v)}ll)` : `${body(v)}ll`;
  }
  if (i.bits === 32) {
    if (!i.signed) return `${body(v)}u`;
    if (v === min) return "(-2147483647 - 1)";
    return v < 0n ? `(-${body(-v)})` : body(v);
  }
  return v < 0n ? `((${i.c})(-${body(-v)}))` : `((${i.c})${body(v)})`;
}

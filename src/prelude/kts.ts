/**
 * The KTS prelude: the integer types, conversions and intrinsics that every
 * kernel-TypeScript module may import from "kts".
 *
 * This file is the Node world of the prelude: the same source that the compiler
 * lowers to C runs under Node against these implementations, and both worlds must
 * print the same thing (docs/kts-language.md states the rules that make that true).
 * The compiler never lowers this file; it recognises its exports by declaration
 * identity and emits the C given in compiler/intrinsics/table.ts.
 */

// ---- Integer types ---------------------------------------------------------
// 8/16/32-bit values are JS numbers; 64-bit values are bigints, because a double
// is exact only to 2^53 and kernel addresses live above that.
export type u8 = number;
export type u16 = number;
export type u32 = number;
export type i8 = number;
export type i16 = number;
export type i32 = number;
export type u64 = bigint;
export type i64 = bigint;
export type usize = bigint;
export type isize = bigint;
export type bool = boolean;

/** Raised by panic(), assert(), bounds and division checks in the Node world. */
export class KtsPanic extends Error {
  constructor(message: string) {
    super(message);
    this.name = "KtsPanic";
  }
}

function toNumberExact(x: number | bigint | boolean, what: string): number {
  if (typeof x === "boolean") return x ? 1 : 0;
  if (typeof x === "bigint") return Number(BigInt.asIntN(64, x));
  // Integer division by zero produces a non-finite value before the wrap sees it.
  if (!Number.isFinite(x)) throw new KtsPanic("division by zero");
  // The compiler's bound analysis allows magnitudes up to 2^53 inclusive (-2^31 * 2^22 is an
  // i32 product it accepts); every integer up to there is exact in a double.
  if (!(Math.abs(Math.trunc(x)) <= 2 ** 53)) throw new KtsPanic(`${what}: inexact value ${x}`);
  return x;
}

function toBigExact(x: number | bigint | boolean): bigint {
  if (typeof x === "boolean") return x ? 1n : 0n;
  if (typeof x === "bigint") return x;
  if (!Number.isFinite(x)) throw new KtsPanic("division by zero");
  return BigInt(Math.trunc(x));
}

// ---- Conversions: the only way a computed value reaches a typed slot (a bool converts to 1 or 0) ----
export function u8(x: number | bigint | boolean): u8 {
  return typeof x === "bigint" ? Number(BigInt.asUintN(8, x)) : toNumberExact(x, "u8") & 0xff;
}
export function u16(x: number | bigint | boolean): u16 {
  return typeof x === "bigint" ? Number(BigInt.asUintN(16, x)) : toNumberExact(x, "u16") & 0xffff;
}
export function u32(x: number | bigint | boolean): u32 {
  return typeof x === "bigint" ? Number(BigInt.asUintN(32, x)) : toNumberExact(x, "u32") >>> 0;
}
export function i8(x: number | bigint | boolean): i8 {
  return typeof x === "bigint" ? Number(BigInt.asIntN(8, x)) : (toNumberExact(x, "i8") << 24) >> 24;
}
export function i16(x: number | bigint | boolean): i16 {
  return typeof x === "bigint" ? Number(BigInt.asIntN(16, x)) : (toNumberExact(x, "i16") << 16) >> 16;
}
export function i32(x: number | bigint | boolean): i32 {
  return typeof x === "bigint" ? Number(BigInt.asIntN(32, x)) : toNumberExact(x, "i32") | 0;
}
export function u64(x: number | bigint | boolean): u64 {
  return BigInt.asUintN(64, toBigExact(x));
}
export function i64(x: number | bigint | boolean): i64 {
  return BigInt.asIntN(64, toBigExact(x));
}
export function usize(x: number | bigint | boolean): usize {
  return BigInt.asUintN(64, toBigExact(x));
}
export function isize(x: number | bigint | boolean): isize {
  return BigInt.asIntN(64, toBigExact(x));
}

// ---- Arithmetic helpers whose JS spelling would not be exact -------------------
/** 32-bit wrapping multiply (a JS product of two u32 can exceed 2^53). */
export function mul32(a: u32, b: u32): u32 {
  return Math.imul(a, b) >>> 0;
}
/** 32-bit signed wrapping multiply. */
export function imul32(a: i32, b: i32): i32 {
  return Math.imul(a, b);
}
/** Branch hints: `b` unchanged; the C build lays out (and inlines on) the path as usually taken or seldom taken. */
export function likely(b: bool): bool {
  return b;
}
export function unlikely(b: bool): bool {
  return b;
}
/** High 64 bits of the 128-bit product of two u64. */
export function mulHi64(a: u64, b: u64): u64 {
  return BigInt.asUintN(64, (a * b) >> 64n);
}
export function rotl32(x: u32, n: u32): u32 {
  const s = n & 31;
  return ((x << s) | (x >>> ((32 - s) & 31))) >>> 0;
}
export function rotr32(x: u32, n: u32): u32 {
  const s = n & 31;
  return ((x >>> s) | (x << ((32 - s) & 31))) >>> 0;
}
export function rotl64(x: u64, n: u32): u64 {
  const s = BigInt(n & 63);
  return BigInt.asUintN(64, (x << s) | (x >> ((64n - s) & 63n)));
}
export function rotr64(x: u64, n: u32): u64 {
  const s = BigInt(n & 63);
  return BigInt.asUintN(64, (x >> s) | (x << ((64n - s) & 63n)));
}
/** Count leading zeros; 32 for zero. */
export function clz32(x: u32): u32 {
  return Math.clz32(x);
}
/** Count trailing zeros; 32 for zero. */
export function ctz32(x: u32): u32 {
  return x === 0 ? 32 : 31 - Math.clz32((x & -x) >>> 0);
}
/** Count leading zeros; 64 for zero. */
export function clz64(x: u64): u32 {
  const hi = Number(x >> 32n);
  return hi !== 0 ? Math.clz32(hi) : 32 + Math.clz32(Number(x & 0xffffffffn));
}
/** Count trailing zeros; 64 for zero. */
export function ctz64(x: u64): u32 {
  const lo = Number(x & 0xffffffffn);
  return lo !== 0 ? ctz32(lo) : 32 + ctz32(Number(x >> 32n));
}
/** Number of set bits. */
export function popcount32(x: u32): u32 {
  let n = 0;
  for (let v = x >>> 0; v !== 0; v = (v & (v - 1)) >>> 0) n++;
  return n;
}
/** Byte order reversed (big-endian fields of devices and packets). */
export function bswap16(x: u16): u16 {
  return ((x & 0xff) << 8) | ((x >>> 8) & 0xff);
}
export function bswap32(x: u32): u32 {
  return (((x & 0xff) << 24) | ((x & 0xff00) << 8) | ((x >>> 8) & 0xff00) | ((x >>> 24) & 0xff)) >>> 0;
}
export function bswap64(x: u64): u64 {
  let r = 0n;
  for (let i = 0n; i < 64n; i += 8n) r = (r << 8n) | ((x >> i) & 0xffn);
  return r;
}
/** The smaller of two values of one integer type. */
export function min<T extends number | bigint>(a: T, b: T): T {
  return a < b ? a : b;
}
/** The larger of two values of one integer type. */
export function max<T extends number | bigint>(a: T, b: T): T {
  return a > b ? a : b;
}
/** Copies n bytes from src[from..] to dst[at..] (ranges may overlap); panics if either range is outside its array. */
export function copyBytes(dst: u8[], at: u32, src: u8[], from: u32, n: u32): void {
  checkRange(at, n, dst.length);
  checkRange(from, n, src.length);
  const bytes: number[] = [];
  for (let i = 0; i < n; i++) bytes.push(src[from + i]!);
  for (let i = 0; i < n; i++) dst[at + i] = bytes[i]!;
}
/** Sets dst[at..at+n) to v; panics if the range is outside the array. */
export function fillBytes(dst: u8[], at: u32, n: u32, v: u8): void {
  checkRange(at, n, dst.length);
  for (let i = 0; i < n; i++) dst[at + i] = v;
}
/**
 * Atomic operations on one element of a u32[]/u64[] (sequentially consistent in
 * C; Node runs one thread, so they are the plain operations). The index is
 * checked as any element access is.
 */
function loadAt<T>(a: T[], i: u32): T {
  return a[i]!;
}
function storeAt<T>(a: T[], i: u32, v: T): void {
  a[i] = v;
}
function swapAt<T>(a: T[], i: u32, v: T): T {
  const old = a[i]!;
  a[i] = v;
  return old;
}
function casAt<T>(a: T[], i: u32, expected: T, desired: T): bool {
  if (a[i] !== expected) return false;
  a[i] = desired;
  return true;
}
/**
 * Memory orders (C11's, numbered as C numbers them), the optional last argument of
 * every atomic: SEQ_CST when left out. The compiler checks that the order suits
 * the operation (a load cannot RELEASE, a store cannot ACQUIRE). Node runs one
 * thread, so here every order behaves alike.
 */
export const RELAXED: u32 = 0;
export const ACQUIRE: u32 = 2;
export const RELEASE: u32 = 3;
export const ACQ_REL: u32 = 4;
export const SEQ_CST: u32 = 5;
export type MemoryOrder = u32;

export const atomicLoadAt32: (a: u32[], i: u32, order?: MemoryOrder) => u32 = loadAt;
export const atomicStoreAt32: (a: u32[], i: u32, v: u32, order?: MemoryOrder) => void = storeAt;
export const atomicSwapAt32: (a: u32[], i: u32, v: u32, order?: MemoryOrder) => u32 = swapAt;
export const atomicCasAt32: (a: u32[], i: u32, expected: u32, desired: u32, order?: MemoryOrder) => bool = casAt;
export function atomicFetchAddAt32(a: u32[], i: u32, v: u32, _order?: MemoryOrder): u32 {
  return swapAt(a, i, (a[i]! + v) >>> 0);
}
export const atomicLoadAt64: (a: u64[], i: u32, order?: MemoryOrder) => u64 = loadAt;
export const atomicStoreAt64: (a: u64[], i: u32, v: u64, order?: MemoryOrder) => void = storeAt;
export const atomicSwapAt64: (a: u64[], i: u32, v: u64, order?: MemoryOrder) => u64 = swapAt;
export const atomicCasAt64: (a: u64[], i: u32, expected: u64, desired: u64, order?: MemoryOrder) => bool = casAt;
export function atomicFetchAddAt64(a: u64[], i: u32, v: u64, _order?: MemoryOrder): u64 {
  return swapAt(a, i, BigInt.asUintN(64, a[i]! + v));
}
/** A field of a device or packet layout at byte offset `at`, big- or little-endian; the whole field is range-checked. */
function readField(bytes: readonly u8[], at: u32, n: number, bigEndian: boolean): bigint {
  checkRange(at, n, bytes.length);
  let v = 0n;
  for (let i = 0; i < n; i++) v |= BigInt(bytes[at + i]!) << BigInt(8 * (bigEndian ? n - 1 - i : i));
  return v;
}
function writeField(bytes: u8[], at: u32, n: number, bigEndian: boolean, v: bigint): void {
  checkRange(at, n, bytes.length);
  for (let i = 0; i < n; i++) bytes[at + i] = Number((v >> BigInt(8 * (bigEndian ? n - 1 - i : i))) & 0xffn);
}
export const readU16Be = (b: readonly u8[], at: u32): u16 => Number(readField(b, at, 2, true));
export const readU16Le = (b: readonly u8[], at: u32): u16 => Number(readField(b, at, 2, false));
export const readU32Be = (b: readonly u8[], at: u32): u32 => Number(readField(b, at, 4, true));
export const readU32Le = (b: readonly u8[], at: u32): u32 => Number(readField(b, at, 4, false));
export const readU64Be = (b: readonly u8[], at: u32): u64 => readField(b, at, 8, true);
export const readU64Le = (b: readonly u8[], at: u32): u64 => readField(b, at, 8, false);
export const writeU16Be = (b: u8[], at: u32, v: u16): void => writeField(b, at, 2, true, BigInt(v));
export const writeU16Le = (b: u8[], at: u32, v: u16): void => writeField(b, at, 2, false, BigInt(v));
export const writeU32Be = (b: u8[], at: u32, v: u32): void => writeField(b, at, 4, true, BigInt(v));
export const writeU32Le = (b: u8[], at: u32, v: u32): void => writeField(b, at, 4, false, BigInt(v));
export const writeU64Be = (b: u8[], at: u32, v: u64): void => writeField(b, at, 8, true, v);
export const writeU64Le = (b: u8[], at: u32, v: u64): void => writeField(b, at, 8, false, v);
function checkRange(at: number, n: number, length: number): void {
  if (at + n > length) throw new KtsPanic(`range ${at}..${at + n} out of bounds (length ${length})`);
}
/** Number of set bits. */
export function popcount64(x: u64): u32 {
  let n = 0;
  for (let v = x; v !== 0n; v &= v - 1n) n++;
  return n;
}

/** One step of a spin loop: in C a CPU hint and a compiler barrier, so values other CPUs write are re-read. */
export function spinWait(): void {}

// ---- Panics, assertions, logging --------------------------------------------
/** Stops the program (kernel: the CPU) with a message and the .ts location. */
export function panic(message: string): never {
  throw new KtsPanic(message);
}
/** Panics with "assertion failed: <message>" when cond is false. */
export function assert(cond: bool, message?: string): void {
  if (!cond) throw new KtsPanic(message === undefined ? "assertion failed" : `assertion failed: ${message}`);
}
let checkFailureCount = 0;
/**
 * A test expectation: when cond is false, prints "check failed: <message> at
 * <file.ts>:<line>" and counts the failure, then carries on (unlike assert).
 */
export function check(cond: bool, message?: string): bool {
  if (!cond) {
    checkFailureCount++;
    printSink(`check failed${message === undefined ? "" : `: ${message}`} at ${callerSite()}\n`);
  }
  return cond;
}
/** How many check() calls have failed so far. */
export function checkFailures(): u32 {
  return checkFailureCount;
}
/** The first stack frame outside the prelude, as path.ts:line (source-mapped). */
function callerSite(): string {
  const g = globalThis as { __ktsSite?: (e: Error) => string };
  return g.__ktsSite ? g.__ktsSite(new Error()) : "<unknown>";
}

// ---- The log: print() with a level, filtered by a threshold ------------------
export const LOG_ERROR: u32 = 0;
export const LOG_WARN: u32 = 1;
export const LOG_INFO: u32 = 2;
export const LOG_DEBUG: u32 = 3;
const LOG_PREFIX = ["error: ", "warn: ", "info: ", "debug: "];
let logThreshold: u32 = LOG_INFO;
/** Prints "<level>: <message>" when level is at or below the threshold (default LOG_INFO). */
export function log(level: u32, message: string): void {
  if (level <= logThreshold) printSink(`${LOG_PREFIX[level] ?? "debug: "}${message}\n`);
}
/** Sets the log threshold: LOG_ERROR … LOG_DEBUG. */
export function setLogLevel(level: u32): void {
  logThreshold = level;
}

/** Prints one line: a string literal or a template literal of integers, bools, hex(). */
export function print(message: string): void {
  printSink(message + "\n");
}
/** Inside a print/panic template only: the value in lower-case hex with 0x. */
export function hex(x: number | bigint): string {
  if (typeof x === "bigint") return "0x" + BigInt.asUintN(64, x).toString(16);
  return "0x" + (x >>> 0).toString(16);
}

/** Inside a print/panic template only: bytes[0 .. length) up to the first NUL; non-printable bytes as '?'. */
export function text(bytes: ArrayLike<number>, length: number): string {
  let out = "";
  for (let i = 0; i < length && i < bytes.length && bytes[i] !== 0; i++) {
    const c = bytes[i]!;
    out += c >= 0x20 && c < 0x7f ? String.fromCharCode(c) : "?";
  }
  return out;
}

let printSink: (text: string) => void = (text) => {
  process.stdout.write(text);
};
/** Node world only (tests): redirect print() output. Not part of the KTS surface. */
export function setPrintSink(sink: (text: string) => void): void {
  printSink = sink;
}

// ---- Fixed-size arrays ------------------------------------------------------
// A KTS array has a length fixed when it is made. In the Node world it is a Proxy
// that panics on an out-of-range index exactly where the C build's bounds check does.
function checkedArray<T>(backing: T[], offset: number, length: number): T[] {
  const inRange = (p: string | symbol): number | undefined => {
    if (typeof p !== "string") return undefined;
    if (!/^(0|[1-9][0-9]*)$/.test(p)) return undefined;
    return Number(p);
  };
  return new Proxy(backing, {
    get(target, p, receiver) {
      if (p === "length") return length;
      if (p === KTS_VIEW) return { backing: target, offset, length };
      if (p === Symbol.iterator) {
        return function* () {
          for (let i = 0; i < length; i++) yield target[offset + i];
        };
      }
      const i = inRange(p);
      if (i !== undefined) {
        if (i >= length) throw new KtsPanic(`index ${i} out of bounds (length ${length})`);
        return target[offset + i];
      }
      if (typeof p === "string" && /^-/.test(p)) throw new KtsPanic(`index ${p} out of bounds (length ${length})`);
      return Reflect.get(target, p, receiver);
    },
    set(target, p, value) {
      const i = inRange(p);
      if (i === undefined || i >= length) {
        throw new KtsPanic(`index ${String(p)} out of bounds (length ${length})`);
      }
      target[offset + i] = value;
      return true;
    },
  });
}
const KTS_VIEW = Symbol("kts.view");
interface View<T> {
  backing: T[];
  offset: number;
  length: number;
}

/** A fixed-size array of `length` elements, each `fill`. `length` must be a constant. */
/** Elements: integers, bools, enums, or functions (dispatch tables). */
export function array<T extends number | bigint | boolean | ((...args: never[]) => unknown)>(length: u32, fill: T): T[] {
  return checkedArray(new Array<T>(length).fill(fill), 0, length);
}
/**
 * An array of arrays: `count` rows of `length` elements each, every element `fill`
 * (both lengths constant). Each row is its own array; rows cannot be re-pointed.
 */
export function arrays<T extends number | bigint | boolean | ((...args: never[]) => unknown)>(count: u32, length: u32, fill: T): T[][] {
  const rows: T[][] = [];
  for (let i = 0; i < count; i++) rows.push(array(length, fill));
  return checkedArray(rows, 0, count);
}
/** A fixed-size array of `length` class instances, each made by `new ctor()`. */
export function structs<T>(length: u32, ctor: new () => T): T[] {
  const items: T[] = [];
  for (let i = 0; i < length; i++) items.push(new ctor());
  return checkedArray(items, 0, length);
}
/** A view of a[from..to) sharing a's storage; panics if the range is outside a. */
export function slice<T>(a: T[], from: u32, to: u32): T[] {
  const v = (a as unknown as Record<symbol, View<T> | undefined>)[KTS_VIEW];
  const base: View<T> = v ?? { backing: a, offset: 0, length: a.length };
  if (from > to || to > base.length) {
    throw new KtsPanic(`slice ${from}..${to} out of bounds (length ${base.length})`);
  }
  return checkedArray(base.backing, base.offset + from, to - from);
}
/** A fixed-size array holding the listed values (a literal list of constants). */
export function arrayOf<T extends number | bigint | boolean | ((...args: never[]) => unknown)>(items: T[]): T[] {
  return checkedArray(items.slice(), 0, items.length);
}

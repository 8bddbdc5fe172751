// Functions: recursion, function references as C function pointers, early returns.
import { u32, u64, print, mul32 } from "kts";

function fact(n: u64): u64 {
  if (n == 0n) return 1n;
  return u64(n * fact(u64(n - 1n)));
}

function ackermann(m: u32, n: u32): u32 {
  if (m == 0) return u32(n + 1);
  if (n == 0) return ackermann(u32(m - 1), 1);
  return ackermann(u32(m - 1), ackermann(m, u32(n - 1)));
}

function double(x: u32): u32 {
  return u32(x * 2);
}

function square(x: u32): u32 {
  return mul32(x, x);
}

function applyTwice(f: (x: u32) => u32, x: u32): u32 {
  return f(f(x));
}

function isEven(n: u32): boolean {
  if (n == 0) return true;
  return isOdd(u32(n - 1));
}

function isOdd(n: u32): boolean {
  if (n == 0) return false;
  return isEven(u32(n - 1));
}

export function main(): u32 {
  print(`fact(20) = ${fact(20n)}, fact(25) wraps to ${fact(25n)}`);
  print(`ackermann(2, 3) = ${ackermann(2, 3)}`);
  print(`applyTwice: ${applyTwice(double, 5)} ${applyTwice(square, 3)}`);
  const f: (x: u32) => u32 = square;
  print(`via local: ${f(12)}`);
  print(`mutual recursion: ${isEven(10)} ${isOdd(7)}`);
  return 3;
}

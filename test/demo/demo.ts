// The compiler's demo: a small KTS program that exercises the language and
// hashes a message with the kernel's BLAKE3, printed by the native build.
import { u8, u32, u64, print, hex, array } from "kts";
import { blake3Hash } from "../../src/lib/crypto/blake3";

class Counter {
  hits: u32 = 0;
  total: u64 = 0n;
  add(v: u32): void {
    this.hits = u32(this.hits + 1);
    this.total = u64(this.total + u64(v));
  }
}

const counter = new Counter();

function fib(n: u32): u64 {
  if (n < 2) return u64(n);
  return u64(fib(u32(n - 1)) + fib(u32(n - 2)));
}

export function main(): u32 {
  print("CambiOS kernel TypeScript demo");
  for (let i: u32 = 0; i < 10; i++) counter.add(i);
  print(`counter: ${counter.hits} hits, total ${counter.total}`);
  print(`fib(40) = ${fib(40)}`);
  print(`kernel half starts at ${hex(0xffff_8000_0000_0000n)}`);
  const msg: u8[] = array(3, 0);
  msg[0] = 0x61;
  msg[1] = 0x62;
  msg[2] = 0x63;
  const out: u8[] = array(32, 0);
  blake3Hash(msg, out);
  print(`blake3("abc") starts ${hex(out[0])} ${hex(out[1])} ${hex(out[2])} ${hex(out[3])}`);
  return 0;
}

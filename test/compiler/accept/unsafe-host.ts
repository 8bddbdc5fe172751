"use unsafe";
// The unsafe API on the host: raw loads and stores, atomics, fences (C world only:
// addresses of arrays have no meaning in the Node world).
// world: host
import { u8, u32, usize, print, array } from "kts";
import { addressOf, load8, load32, store32, store64, load64, atomicFetchAdd32, atomicCas32, atomicSwap64, fence } from "kts/unsafe";

export function main(): u32 {
  const buf: u8[] = array(16, 0);
  const base = addressOf(buf);
  store32(base, 0x04030201);
  print(`bytes: ${buf[0]} ${buf[1]} ${buf[2]} ${buf[3]} load8 ${load8(usize(base + 2n))}`);
  store64(usize(base + 8n), 0x1122334455667788n);
  fence();
  print(`load64: ${load64(usize(base + 8n))} load32: ${load32(base)}`);
  const old: u32 = atomicFetchAdd32(base, 5);
  print(`fetchAdd: ${old} -> ${load32(base)}`);
  print(`cas: ${atomicCas32(base, 1, 2)} ${atomicCas32(base, load32(base), 7)} ${load32(base)}`);
  print(`swap: ${atomicSwap64(usize(base + 8n), 9n)} ${load64(usize(base + 8n))}`);
  return 0;
}

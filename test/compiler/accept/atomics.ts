// Issue 9: atomic operations on elements of u32[]/u64[] (a class field holding a
// one-element array is an atomic field), the index checked as any access is.
import { u32, u64, bool, print, array, atomicLoadAt32, atomicStoreAt32, atomicFetchAddAt32, atomicSwapAt32, atomicCasAt32, atomicFetchAddAt64, atomicCasAt64, atomicLoadAt64 } from "kts";

class Ring {
  head: u32[] = array(1, 0);
  tail: u32[] = array(1, 0);
  bytes: u64[] = array(1, 0n);
}

const ring = new Ring();

export function main(): u32 {
  const first: u32 = atomicFetchAddAt32(ring.head, 0, 5);
  const second: u32 = atomicFetchAddAt32(ring.head, 0, 0xffff_ffff);
  atomicStoreAt32(ring.tail, 0, 7);
  const swapped: u32 = atomicSwapAt32(ring.tail, 0, 9);
  const won: bool = atomicCasAt32(ring.tail, 0, 9, 10);
  const lost: bool = atomicCasAt32(ring.tail, 0, 9, 11);
  print(`head ${first} ${second} ${atomicLoadAt32(ring.head, 0)} tail ${swapped} ${won} ${lost} ${atomicLoadAt32(ring.tail, 0)}`);
  atomicFetchAddAt64(ring.bytes, 0, 0xffff_ffff_ffff_ffffn);
  const cas64: bool = atomicCasAt64(ring.bytes, 0, 0xffff_ffff_ffff_ffffn, 1n);
  print(`bytes ${atomicLoadAt64(ring.bytes, 0)} ${cas64}`);
  const slots: u32[] = array(4, 0);
  return atomicLoadAt32(slots, 4); // out of bounds: a panic in both worlds
}

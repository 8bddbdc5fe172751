"use unsafe";
// Memory orders: a prelude constant that suits the operation.
import { u32, bool, array, atomicLoadAt32, atomicStoreAt32, atomicCasAt32, RELAXED, ACQUIRE, RELEASE, ACQ_REL } from "kts";
import { fence, atomicLoad32 } from "kts/unsafe";

const flag: u32[] = array(1, 0);

export function orders(o: u32): u32 {
  const a: u32 = atomicLoadAt32(flag, 0, RELEASE); // expect: KT2024
  atomicStoreAt32(flag, 0, 1, ACQUIRE); // expect: KT2024
  atomicStoreAt32(flag, 0, 1, ACQ_REL); // expect: KT2024
  fence(RELAXED); // expect: KT2024
  const b: u32 = atomicLoadAt32(flag, 0, o); // expect: KT2024
  const c: u32 = atomicLoadAt32(flag, 0, 2); // expect: KT2024
  const d: u32 = atomicLoad32(0x1000n, RELEASE); // expect: KT2024
  const ok: bool = atomicCasAt32(flag, 0, 0, 1, RELEASE);
  return u32(a + b + c + d + u32(ok));
}

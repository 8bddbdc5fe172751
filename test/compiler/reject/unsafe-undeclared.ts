import { u32 } from "kts";
import { mmioRead32 } from "kts/unsafe"; // expect: KT4001

declare function arch_halt(): void; // expect: KT4006

export function read(): u32 {
  return mmioRead32(0x1000n);
}

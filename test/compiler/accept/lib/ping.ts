// Half of an import cycle: ping() calls pong() and uses Ball from the other module.
import { u32 } from "kts";
import { pong, Ball } from "./pong";

export class Paddle {
  hits: u32 = 0;
}

export function ping(b: Ball, n: u32): u32 {
  b.bounces = u32(b.bounces + 1);
  if (n == 0) return b.bounces;
  return pong(b, u32(n - 1));
}

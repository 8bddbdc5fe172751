// The other half of the cycle: pong() calls ping(); Ball embeds a Paddle from ping.ts.
import { u32 } from "kts";
import { ping, Paddle } from "./ping";

export class Ball {
  bounces: u32 = 0;
  paddle = new Paddle();
}

export function pong(b: Ball, n: u32): u32 {
  b.paddle.hits = u32(b.paddle.hits + 1);
  if (n == 0) return b.bounces;
  return ping(b, u32(n - 1));
}

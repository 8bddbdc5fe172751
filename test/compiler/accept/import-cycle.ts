// Modules that import each other: functions both ways and a struct embedding
// a struct from the other module.
import { u32, print } from "kts";
import { ping } from "./lib/ping";
import { Ball } from "./lib/pong";

const ball = new Ball();

export function main(): u32 {
  print(`rally ${ping(ball, 9)} bounces, ${ball.paddle.hits} paddle hits`);
  return 0;
}

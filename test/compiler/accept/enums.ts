// Enumerations and constants: switch on an enum, constants folded at their uses.
import { u32, i32, print } from "kts";

enum State {
  Ready,
  Running = 5,
  Blocked,
}

enum Delta {
  Down = -1,
  Up = 1,
}

const PAGE_SIZE = 4096;
const PAGE_SHIFT: u32 = 12;
const MASK: u32 = 0xfff;

function name(s: State): u32 {
  switch (s) {
    case State.Ready:
      return 1;
    case State.Running:
      return 2;
    default:
      return 3;
  }
}

export function main(): u32 {
  const s: State = State.Blocked;
  print(`enum values: ${u32(State.Ready)} ${u32(State.Running)} ${u32(s)} ${i32(Delta.Down)}`);
  print(`switch: ${name(State.Ready)} ${name(State.Running)} ${name(s)} ${s == State.Blocked}`);
  const addr: u32 = 0x12345;
  print(`consts: ${u32(addr >>> PAGE_SHIFT)} ${u32(addr & MASK)} ${u32(PAGE_SIZE * 2)}`);
  print(`decode: ${decode(5)} ${decode(6)} ${decode(7)}`);
  return 0;
}

/** An integer decoded from outside, switched on by enum members. */
export function decode(n: u32): u32 {
  switch (n) {
    case State.Running:
      return 1;
    case State.Blocked:
      return 2;
    default:
      return 0;
  }
}

// Issue 9, class 5: arguments are evaluated once and before the call, as in JS:
// a check's message is made even when the check passes, a log's even when its
// level is off, and array()'s fill once. Class 10: names C's headers own.
import { u8, u32, print, check, assert, log, array, LOG_DEBUG, setLogLevel, LOG_ERROR } from "kts";

let calls: u32 = 0;

function noted(v: u32): u32 {
  calls = u32(calls + 1);
  print(`noted ${v} (call ${calls})`);
  return v;
}

class Names {
  size_t: u32 = 1;
  uint8_t: u32 = 2;
  INT8_MAX: u32 = 3;
  linux: u32 = 4;
}

export function main(): u32 {
  check(true, `passing check, message made: ${noted(1)}`);
  assert(calls == 1, `assert message made: ${noted(2)}`);
  setLogLevel(LOG_ERROR);
  log(LOG_DEBUG, `debug line not printed, but made: ${noted(3)}`);
  const filled: u32[] = array(4, noted(4));
  print(`after: calls=${calls} filled=${filled[0]},${filled[3]}`);
  // Locals, parameters and fields named like C's macros and typedefs.
  const linux: u32 = 5;
  const unix: u32 = 6;
  const size_t: u8 = 7;
  const uint8_t: u32 = 8;
  const INT8_MAX: u32 = 9;
  const NULL: u32 = 10;
  const EOF: u32 = 11;
  const kts_index: u32 = 12;
  const x_: u32 = 13;
  const x: u32 = 14;
  const n = new Names();
  print(`${linux} ${unix} ${size_t} ${uint8_t} ${INT8_MAX} ${NULL} ${EOF} ${kts_index} ${x_} ${x} ${n.size_t} ${n.uint8_t} ${n.INT8_MAX} ${n.linux}`);
  return calls;
}

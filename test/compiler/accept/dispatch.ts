// Issue 9: dispatch tables. Arrays of function pointers (module-level and local,
// through a type alias), calls through an element or a field, the callee
// evaluated before the arguments as in JS.
import { u32, print, arrayOf, array } from "kts";

type Handler = (x: u32) => u32;

function inc(x: u32): u32 {
  return u32(x + 1);
}
function dbl(x: u32): u32 {
  return u32(x * 2);
}
function neg(x: u32): u32 {
  return u32(0 - x);
}

const table: Handler[] = arrayOf([inc, dbl, neg]);

class Device {
  onIrq: Handler = inc;
  count: u32 = 0;
}

const dev = new Device();

function pick(i: u32): u32 {
  print(`pick ${i}`);
  return i;
}

function run(handlers: Handler[], x: u32): u32 {
  let v: u32 = x;
  for (let i: u32 = 0; i < handlers.length; i++) v = handlers[i](v);
  return v;
}

export function main(): u32 {
  for (let i: u32 = 0; i < 3; i++) print(`table[${i}](10) = ${table[i](10)}`);
  const local: Handler[] = array(4, inc);
  local[3] = dbl;
  print(`run ${run(local, 1)} ${run(table, 5)}`);
  dev.onIrq = neg;
  print(`field ${dev.onIrq(1)}`);
  print(`order ${table[pick(1)](pick(7))}`);
  return table[2](0);
}

// Issue 9 (accepted code must compile): function types that appear only as
// class field types (never in a function's signature or a local), one whose
// parameter is itself a function type, and a field array of them: the types
// header must declare each, before the types that mention it.
import { u32, u64, print, array } from "kts";

type Read = (block: u64, count: u32) => u32;
type Apply = (f: Read, n: u32) => u32;

function readTwice(block: u64, count: u32): u32 {
  return u32(u32(block) + count * 2);
}

function applyTo(f: Read, n: u32): u32 {
  return f(u64(n), 1);
}

class Disk {
  read: Read = readTwice;
  apply: Apply = applyTo;
  spares: Read[] = array(2, readTwice);
}

const disk = new Disk();

export function main(): u32 {
  print(`read ${disk.read(5n, 3)}`);
  print(`apply ${disk.apply(disk.read, 7)}`);
  print(`spare ${disk.spares[1](1n, 1)}`);
  return 0;
}

// A kernel-like program with recursion no mark bounds (stack.test.ts): the kernel build refuses it.
import { u32 } from "kts";

export function ping(n: u32): u32 {
  if (n == 0) return 0;
  return pong(u32(n - 1));
}

function pong(n: u32): u32 {
  return ping(n);
}

class Tree {
  depth: u32 = 0;

  descend(n: u32): u32 {
    return n == 0 ? this.depth : this.descend(u32(n - 1));
  }
}

const tree = new Tree();

export function kernelMain(): u32 {
  return u32(ping(3) + tree.descend(2));
}

// Issue 9, class 4: JavaScript's left-to-right evaluation, in C too: operands,
// arguments, a method's receiver before its arguments, an element store's index
// and value before its bounds check, a field store's object before its value.
import { u32, bool, print, array } from "kts";

let counter: u32 = 0;
let trace: u32 = 0;

function step(tag: u32): u32 {
  counter = u32(counter + 1);
  trace = u32(trace * 10 + tag);
  print(`step ${tag} (counter ${counter})`);
  return tag;
}

function three(a: u32, b: u32, c: u32): u32 {
  return u32(a * 100 + b * 10 + c);
}

class Box {
  value: u32 = 0;
  add(a: u32, b: u32): u32 {
    return u32(this.value + a + b);
  }
}

const boxes = new Box();

function pick(tag: u32): Box {
  step(tag);
  return boxes;
}

export function main(): u32 {
  // Operands: the left call runs first; a module variable read before a call sees the old value.
  const sum: u32 = u32(step(1) + step(2));
  const before: u32 = u32(counter + step(3));
  print(`sum ${sum} before ${before} trace ${trace}`);
  // Arguments, left to right.
  print(`three ${three(step(4), step(5), step(6))} trace ${trace}`);
  // A method's receiver, then its arguments.
  print(`method ${pick(7).add(step(8), step(9))} trace ${trace}`);
  // An element store: index, then value, then the store.
  const a: u32[] = array(4, 0);
  a[step(1)] = step(2);
  print(`a[1] ${a[1]} trace ${trace}`);
  // A field store: the object, then the value.
  pick(3).value = step(4);
  print(`box ${boxes.value} trace ${trace}`);
  // Comparisons too.
  const less: bool = step(5) < step(6);
  print(`less ${less} trace ${trace}`);
  // The value's panic comes before the target's: index 9 of a 4-element array on both sides.
  a[u32(9 + step(0) * 0)] = a[u32(9 + step(7) * 0)];
  return 0;
}

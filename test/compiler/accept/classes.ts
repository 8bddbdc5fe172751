// Classes as structs: fields, methods, static methods, embedded instances,
// module-level static instances, stack instances, reference semantics.
import { u32, u64, print, array, mul32 } from "kts";

class Vec2 {
  x: u32 = 0;
  y: u32 = 0;
  constructor(x: u32, y: u32) {
    this.x = x;
    this.y = y;
  }
  dot(o: Vec2): u32 {
    return u32(mul32(this.x, o.x) + mul32(this.y, o.y));
  }
  static zero(): u32 {
    return 0;
  }
}

class Ring {
  items: u32[] = array(4, 0);
  head: u32 = 0;
  count: u32 = 0;
  pos = new Vec2(1, 2);
  push(v: u32): boolean {
    if (this.count == this.items.length) return false;
    this.items[u32(u32(this.head + this.count) % this.items.length)] = v;
    this.count = u32(this.count + 1);
    return true;
  }
  pop(): u32 {
    const v: u32 = this.items[this.head];
    this.head = u32(u32(this.head + 1) % this.items.length);
    this.count = u32(this.count - 1);
    return v;
  }
}

const ring = new Ring();
let total: u64 = 0n;

function bump(v: Vec2): void {
  v.x = u32(v.x + 100);
}

function fill(r: Ring, n: u32): u32 {
  let pushed: u32 = 0;
  for (let i: u32 = 0; i < n; i++) {
    if (r.push(u32(i * 10))) pushed = u32(pushed + 1);
  }
  return pushed;
}

export function main(): u32 {
  print(`pushed ${fill(ring, 6)}`);
  print(`pop ${ring.pop()} ${ring.pop()} count ${ring.count}`);
  const local = new Ring();
  print(`local pushed ${fill(local, 2)} head ${local.head}`);
  const v = new Vec2(3, 4);
  const alias = v;
  bump(alias);
  print(`reference: ${v.x} ${v.dot(ring.pos)} ${Vec2.zero()}`);
  bump(ring.pos);
  print(`embedded: ${ring.pos.x} ${ring.pos.y}`);
  total = u64(total + u64(ring.pos.x));
  print(`total ${total}`);
  return 0;
}

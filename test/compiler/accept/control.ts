// Control flow: if/else, while, do-while, for, for-of, switch, labelled break/continue.
import { u32, i32, bool, print, arrayOf } from "kts";

function classify(n: u32): u32 {
  switch (n) {
    case 0:
      return 100;
    case 1:
    case 2:
      return 200;
    case 7: {
      const t: u32 = u32(n * 3);
      return t;
    }
    default:
      return 999;
  }
}

export function main(): u32 {
  let sum: u32 = 0;
  let i: u32 = 0;
  while (i < 10) {
    if (i % 2 == 0) {
      i = u32(i + 1);
      continue;
    } else if (i == 7) {
      break;
    }
    sum = u32(sum + i);
    i = u32(i + 1);
  }
  print(`while: ${sum} ${i}`);
  let d: i32 = 3;
  do {
    d = i32(d - 1);
  } while (d > 0);
  print(`do: ${d}`);
  let count: u32 = 0;
  outer: for (let a: u32 = 0; a < 5; a++) {
    for (let b: u32 = 0; b < 5; b++) {
      if (b == 3) continue outer;
      if (a == 3) break outer;
      count = u32(count + 1);
    }
  }
  print(`labelled: ${count}`);
  const xs: u32[] = arrayOf([3, 1, 4, 1, 5, 9, 2, 6]);
  let best: u32 = 0;
  for (const x of xs) {
    if (x > best) best = x;
  }
  print(`for-of max: ${best}`);
  print(`switch: ${classify(0)} ${classify(2)} ${classify(7)} ${classify(42)}`);
  let down: u32 = 0;
  for (let k: i32 = 5; k > 0; k--) down = u32(down + u32(k));
  print(`countdown: ${down}`);
  block: {
    if (down > 1) break block;
    print("unreachable");
  }
  const flag: bool = !(sum > 100) && (count == 12 || false);
  const pick: u32 = sum > 3 ? 1 : 0;
  print(`logic: ${flag} ${pick}`);
  let w: u32 = 0;
  for (let p: u32 = 0, q: u32 = 10; p < q; p = u32(p + 2), q = u32(q - 1)) w = u32(w + 1);
  print(`two counters: ${w}`);
  return 0;
}

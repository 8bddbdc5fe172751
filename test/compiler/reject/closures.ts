import { u32 } from "kts";

export function counter(start: u32): u32 {
  let n: u32 = start;
  const inc = (): u32 => u32(n + 1); // expect: KT3001
  function helper(): u32 { // expect: KT3001
    return n;
  }
  const anon = function (x: u32): u32 { // expect: KT3001
    return x;
  };
  n = inc();
  return u32(n + helper() + anon(1));
}

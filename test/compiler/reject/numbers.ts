import { u8, u32, i32, u64 } from "kts";

export function nums(a: u32, b: u8, c: i32, d: u64): u32 {
  const f: number = 1.5; // expect: KT2000 KT2008
  const g: u32 = 1.5; // expect: KT2008
  const h: u32 = a + 1; // expect: KT2001
  const i: u32 = a + b; // expect: KT2002
  const j: u8 = 300; // expect: KT2007
  const k: u32 = a >> 1; // expect: KT2010
  let l: u32 = 0;
  l += 1; // expect: KT2023
  l++; // expect: KT2003
  const m: u32 = u32(a * a * a); // expect: KT2006
  if (a) { // expect: KT2009
  }
  const n: u64 = d >> 64; // expect: TS2365
  const o: u64 = u64(d * 2n) >> 3n;
  const p: u64 = (d * 2n) >> 3n; // expect: KT2015
  const q: u32 = u32(a / b); // expect: KT2002
  const r: i32 = c / 2; // expect: KT2014
  const s: u32 = -1; // expect: KT2007
  return u32(f + g + h + i + j + k + l + m + n + o + p + q + r + s); // expect: TS2365
}

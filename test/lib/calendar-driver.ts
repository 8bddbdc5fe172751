// Prints utcText for 4,000 instants spread over 2000-01-01 .. 2200-01-01 (a step
// that is no whole number of days or seconds) and for the edges; calendar.test.ts
// compares each line with JavaScript's Date.
import { u8, u32, u64, array, text, print } from "kts";
import { utcText } from "../../src/lib/calendar";

const FIRST: u64 = 946_684_800_000_000_000n;
const STEP: u64 = 1_577_846_399_987_654n;

export function main(): void {
  const buf: u8[] = array(32, 0);
  for (let k: u32 = 0; k < 4000; k++) {
    const t: u64 = u64(FIRST + u64(k) * STEP);
    print(`${t} ${text(buf, utcText(t, buf))}`);
  }
  // Leap days, the end of a century year that is not leap, year ends.
  const edges: u64[] = array(6, 0n);
  edges[0] = 951_782_400_000_000_000n; // 2000-02-29
  edges[1] = 4_107_542_399_999_999_999n; // 2100-02-28T23:59:59.999
  edges[2] = 4_107_542_400_000_000_000n; // 2100-03-01
  edges[3] = 1_704_067_199_999_000_000n; // 2023-12-31T23:59:59.999
  edges[4] = 0n; // 1970-01-01
  edges[5] = 7_258_118_400_000_000_000n; // 2200-01-01
  for (const t of edges) print(`${t} ${text(buf, utcText(t, buf))}`);
}

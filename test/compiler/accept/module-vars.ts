// Module variables initialized from other module variables. FIRST is computed at
// start-up (its initializer calls u64), so a variable whose initializer only
// names it (timeout, alias, and chained through alias) must be typed after it:
// typed before, it had no type, and it and every statement using it were left
// out of the C without a diagnostic.
import { u32, u64, print } from "kts";

const NS: u64 = 1_000_000_000n;
const FIRST: u64 = u64(2n * NS);
let timeout: u64 = FIRST;
const alias: u64 = FIRST;
let chained: u64 = alias;
const LIMIT = 3;
let count: u32 = LIMIT;

export function main(): u32 {
  timeout = timeout >= u64(64n * NS) ? timeout : u64(timeout * 2n);
  chained = u64(chained + 1n);
  count = u32(count + 1);
  print(`timeout ${timeout} alias ${alias} chained ${chained} count ${count}`);
  return 0;
}

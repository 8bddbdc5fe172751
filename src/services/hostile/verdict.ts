/**
 * The hostile service's verdicts: every attempt's system-call result becomes
 * "refused (<error>)" or "ALLOWED" in `verdict`, and is counted.
 */
import { u8, u32, u64, arrayOf } from "kts";
import { errorOf } from "../../lib/ipc/message";
import { errorText, errorName } from "../../lib/errors";
import { Line } from "../../lib/format";

const VERDICTS: u8[] = arrayOf([
  0x72, 0x65, 0x66, 0x75, 0x73, 0x65, 0x64, 0x20, 0x28, 0, // refused (
  0x41, 0x4c, 0x4c, 0x4f, 0x57, 0x45, 0x44, 0, // ALLOWED
]);
const REFUSED = 0;
const ALLOWED = 1;

export const verdict = new Line();
/** [0] attempts, [1] allowed. */
export const tally: u32[] = arrayOf([0, 0]);

/** Spells the verdict on a system call's result into `verdict`: "refused (<error>)" or "ALLOWED". */
export function judge(r: u64): void {
  tally[0] = u32(tally[0] + 1);
  verdict.clear();
  const e: u64 = errorOf(r);
  if (e == 0n) {
    verdict.name(VERDICTS, ALLOWED);
    tally[1] = u32(tally[1] + 1);
    return;
  }
  verdict.name(VERDICTS, REFUSED);
  verdict.append(errorText, 0, errorName(e));
  verdict.byte(0x29); // )
}


/** judge() for a service's answer: status 0 is ALLOWED, any other "refused (<its name in names>)". */
export function judgeStatus(s: u64, names: u8[]): void {
  tally[0] = u32(tally[0] + 1);
  verdict.clear();
  if (s == 0n) {
    verdict.name(VERDICTS, ALLOWED);
    tally[1] = u32(tally[1] + 1);
    return;
  }
  verdict.name(VERDICTS, REFUSED);
  verdict.name(names, u32(s));
  verdict.byte(0x29); // )
}

/**
 * The test kernel (`cambi test`): boots like the real one, then runs the
 * in-kernel suites and ends with one line "N passed, N failed" and a power-off.
 * Each suite prints its name and uses check(); a suite passes when none of its
 * checks failed.
 */
import { u32, usize, print, checkFailures } from "kts";
import { powerOff } from "arch";
import { bootKernel } from "../main";
import { framesSuite, heapSuite, sectionsSuite, writeExecSuite, frameOwnerSuite, recycledAsidSuite } from "./mem-suites";
import { ticksSuite, faultSuite, crossCallSuite, slowCpuSuite } from "./cpu-suites";

let passed: u32 = 0;
let failed: u32 = 0;

function run(suite: (online: u32) => void, online: u32): void {
  const before: u32 = checkFailures();
  suite(online);
  if (checkFailures() == before) {
    passed = u32(passed + 1);
    print("  ok");
  } else {
    failed = u32(failed + 1);
    print("  FAILED");
  }
}

export function kernelMain(bootArg: usize): void {
  const online: u32 = bootKernel(bootArg);
  run(framesSuite, online);
  run(writeExecSuite, online);
  run(frameOwnerSuite, online);
  run(recycledAsidSuite, online);
  run(sectionsSuite, online);
  run(heapSuite, online);
  run(ticksSuite, online);
  run(faultSuite, online);
  run(crossCallSuite, online);
  run(slowCpuSuite, online);
  print(`${passed} passed, ${failed} failed`);
  powerOff(failed == 0 ? 0 : 1);
}

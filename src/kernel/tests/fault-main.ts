"use unsafe";
/**
 * A kernel image that boots and then faults on purpose (an unmapped read), to
 * test the fault report: exception, registers, the .ts location and a backtrace.
 */
import { u64, usize, print } from "kts";
import { load64 } from "kts/unsafe";
import { bootKernel } from "../main";

const UNMAPPED: usize = 0xdead_0000n;

function readUnmapped(): u64 {
  return load64(UNMAPPED);
}

export function kernelMain(bootArg: usize): void {
  bootKernel(bootArg);
  print(`about to read ${UNMAPPED}`);
  print(`read ${readUnmapped()}`);
}

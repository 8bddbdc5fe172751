"use unsafe";
/**
 * The user-mode test image: boots, starts every program of the boot bundle as a
 * user task through the ELF gate, lets the scheduler run them on all CPUs, and
 * when every task has ended prints each one's exit status and powers off.
 */
import { u8, u32, usize, print, log, slice, array, LOG_WARN } from "kts";
import { bytesAt } from "kts/unsafe";
import { physToVirt, powerOff, waitForInterrupt } from "arch";
import { bootKernel, bootInfo } from "../main";
import { bundleCheck, bundleCount, bundleEntryOk, bundleEntryOffset, bundleEntrySize, BundleError } from "../loader/bundle";
import { spawnElf, ElfResult } from "../task/lifecycle";
import { resources } from "../task/table";
import { schedule } from "../task/schedule";
import { NO_TASK, MAX_TASKS } from "../sched/index";

const spawned: u32[] = array(MAX_TASKS, 0);
const why = new ElfResult();

export function kernelMain(bootArg: usize): void {
  bootKernel(bootArg);
  if (bootInfo.initrdSize == 0n) {
    print("no boot bundle");
    powerOff(1);
  }
  const blob: u8[] = bytesAt(physToVirt(bootInfo.initrdBase), u32(bootInfo.initrdSize));
  if (bundleCheck(blob) != BundleError.Ok) {
    print(`bad boot bundle: error ${u32(bundleCheck(blob))}`);
    powerOff(1);
  }
  let n: u32 = 0;
  for (let i: u32 = 0; i < bundleCount(blob); i++) {
    if (!bundleEntryOk(blob, i)) continue;
    const off: u32 = bundleEntryOffset(blob, i);
    const t: u32 = spawnElf(slice(blob, off, u32(off + bundleEntrySize(blob, i))), 2, why);
    if (t == NO_TASK) {
      log(LOG_WARN, `bundle entry ${i} refused: ELF error ${u32(why.error)}`);
      continue;
    }
    spawned[n] = t;
    n = u32(n + 1);
  }
  print(`started ${n} user tasks`);
  // The boot CPU is now an idle task too: run tasks until all have ended.
  for (;;) {
    let alive: u32 = 0;
    for (let k: u32 = 0; k < n; k++) if (resources[spawned[k]].live) alive = u32(alive + 1);
    if (alive == 0) break;
    schedule();
    waitForInterrupt();
  }
  for (let k: u32 = 0; k < n; k++) print(`task ${spawned[k]} exit ${resources[spawned[k]].exitCode} faults ${resources[spawned[k]].faults}`);
  print("user tasks done");
  powerOff(0);
}

/**
 * The kernel's entry from the arch layer's assembly. kernelMain(bootArg) runs on
 * the boot CPU after module initializers, with the boot page tables; apMain(cpu)
 * runs on every other CPU once the arch layer has set it up.
 *
 * Order: early arch init (console, BootInfo, CPU tables) -> memory (frames,
 * kernel page tables, heap) -> interrupts and this CPU's timer -> secondary
 * CPUs -> kernel page tables on every CPU -> the one "boot OK" line -> idle.
 */
import { u8, u32, u64, usize, bool, print, log, setLogLevel, array, arrayOf, spinWait, LOG_INFO } from "kts";
import { BootInfo, MAX_CPUS } from "./boot/bootinfo";
import { memInit, enterKernelSpace } from "./mem/index";
import { scheduler } from "./sched/index";
import { schedLock, schedUnlock } from "./task/lock";
import { schedule, pokeMask } from "./task/schedule";
import { resources } from "./task/table";
import { wakeSleepers } from "./task/sleep";
import { fireTimers } from "./time/timers";
import { idleAdd } from "./task/idle-time";
import { memoryCapabilityMoved } from "./task/user-memory";
import { capReapExpired } from "./cap/index";
import { bootServices } from "./task/services";
import { onSyscall } from "./syscall/dispatch";
import { onUserFault } from "./task/lifecycle";
import { ipc } from "./ipc/index";
import { holdsEndpointRight, mayTransfer, moveCarriedCapabilities } from "./syscall/ipc-calls";
import { wakeReleased, ipcSlowPathOnly } from "./syscall/ipc-waits";
import { irqInit } from "./irq/delivery";
import { randomInit } from "./random/pool";
import { cmdlineLogLevel, cmdlineKeep, cmdlineHas } from "./boot/cmdline";
import { ARCH_ID, earlyInit, interruptsInit, timerStart, startSecondaryCpus, cpuIndex, waitForInterrupt, monotonicNanos, consoleRxEnable } from "arch";

// The arch layer's assembly calls these by their C names. Named here as values,
// so that their modules belong to the program, and are initialized, in both
// worlds (an import used by nothing is erased under Node; C follows it).
const syscallEntry: (frame: usize) => void = onSyscall;
const userFaultEntry: (kind: u32, addr: usize, pc: usize) => void = onUserFault;

export const TICK_HZ: u32 = 100;
const IDLE_NAME: u8[] = arrayOf([0x69, 0x64, 0x6c, 0x65]);
/** "ipc=slow" */
const IPC_SLOW: u8[] = arrayOf([0x69, 0x70, 0x63, 0x3d, 0x73, 0x6c, 0x6f, 0x77]);
/** Load balancing runs every this many ticks of the boot CPU (100 ms). */
const BALANCE_TICKS: u32 = 10;

export const bootInfo = new BootInfo();
/** Timer ticks seen by each CPU (each CPU writes only its own slot). */
const ticks: u64[] = array(MAX_CPUS, 0n);
/** Set by each secondary CPU once it has announced itself (its own slot only). */
const cpuReady: bool[] = array(MAX_CPUS, false);

function onTick(): void {
  const cpu = cpuIndex();
  ticks[cpu] = u64(ticks[cpu] + 1n);
  schedLock();
  scheduler.tick(cpu);
  let woken: u32 = 0;
  if (cpu == 0) {
    woken = wakeSleepers(monotonicNanos());
    // Due timers post their messages; whoever that released runs next (wakeReleased, as after an interrupt).
    if (fireTimers(monotonicNanos())) wakeReleased();
    // Every BALANCE_TICKS, ready tasks move from busy CPUs to idle ones.
    if (u64(ticks[0] % u64(BALANCE_TICKS)) == 0n) woken = u32(woken | scheduler.balance());
    // Once a second, expired capabilities leave their slots (and regions only they named are freed at the next sweep).
    if (u64(ticks[0] % u64(TICK_HZ)) == 0n && capReapExpired(monotonicNanos()) != 0) memoryCapabilityMoved();
  }
  schedUnlock();
  pokeMask(woken);
}

/** This CPU joins the scheduler: what runs now becomes its idle task. */
function joinScheduler(cpu: u32): void {
  schedLock();
  const t: u32 = scheduler.addCpu(cpu);
  schedUnlock();
  // Named for ps: "idle" (each CPU's boot context, which runs when nothing else is ready).
  for (let i: u32 = 0; i < IDLE_NAME.length; i++) resources[t].name[i] = IDLE_NAME[i];
}

export function kernelMain(bootArg: usize): void {
  bootKernel(bootArg);
  // The boot bundle's services: verified, then init starts (and it starts the rest).
  bootServices(bootInfo.initrdBase, bootInfo.initrdSize, scheduler.current(cpuIndex()));
  idle();
}

/** Everything up to and including the "boot OK" line; returns the CPUs online. */
export function bootKernel(bootArg: usize): u32 {
  earlyInit(bootArg, bootInfo);
  setLogLevel(cmdlineLogLevel(bootInfo, LOG_INFO));
  cmdlineKeep(bootInfo);
  // "ipc=slow": no IPC fast path (the tests run the IPC paths both ways).
  if (cmdlineHas(bootInfo, IPC_SLOW)) ipcSlowPathOnly();
  memInit(bootInfo);
  joinScheduler(0);
  // Zero trust: every IPC operation is checked against the sender's capabilities.
  ipc.setCapabilityCheck(holdsEndpointRight, true);
  ipc.setTransferCheck(mayTransfer);
  ipc.setCapDelivery(moveCarriedCapabilities);
  interruptsInit(bootInfo);
  // Device interrupts become IPC messages for user-space drivers (each line masked until bound).
  irqInit(wakeReleased);
  consoleRxEnable();
  timerStart(TICK_HZ, onTick);
  randomInit();
  const online: u32 = startSecondaryCpus(bootInfo, apMain);
  // Secondary CPUs start on the boot tables; everyone then moves to the kernel space.
  enterKernelSpace();
  waitForSecondaries(online);
  const mib: u64 = bootInfo.usableBytes() >> 20n;
  if (ARCH_ID == 1) print(`CambiOS boot OK arch=x86_64 cpus=${online} mem=${mib}`);
  else print(`CambiOS boot OK arch=aarch64 cpus=${online} mem=${mib}`);
  return online;
}

export function apMain(cpu: u32): void {
  enterKernelSpace();
  joinScheduler(cpu);
  timerStart(TICK_HZ, onTick);
  log(LOG_INFO, `cpu ${cpu} online`);
  cpuReady[cpu] = true;
  idle();
}

/** Boot is complete when every started CPU has moved to the kernel space and said so. */
function waitForSecondaries(online: u32): void {
  for (let cpu: u32 = 1; cpu < online; cpu++) {
    let spins: u64 = 0n;
    while (!cpuReady[cpu] && spins < 100_000_000n) {
      spinWait();
      spins = u64(spins + 1n);
    }
  }
}

/** The idle task of a CPU: run whatever the scheduler picks, sleep when there is nothing. */
function idle(): void {
  const cpu: u32 = cpuIndex();
  for (;;) {
    schedule();
    const halted: u64 = monotonicNanos();
    waitForInterrupt();
    idleAdd(cpu, u64(monotonicNanos() - halted));
  }
}

/** Ticks seen so far by a CPU (for tests and the shell). */
export function ticksOf(cpu: u32): u64 {
  return ticks[cpu];
}

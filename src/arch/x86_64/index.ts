/**
 * The x86_64 arch layer's front door: the names portable kernel code may use
 * (src/arch/api.ts lists them; the build maps the module "arch" here).
 */
export { ARCH_ID, earlyInit } from "./boot";
export { haltForever, powerOff } from "./cpu";
// Owned by memory management (lead): keep these two lines.
export { ELF_MACHINE, physToVirt, virtToPhys, imagePhysStart } from "./memory";
export { pteTable, pteLeaf, ptePresent, pteIsLeaf, pteAddress, pteFlags, activateKernelSpace, currentKernelSpace, flushTlbPage, flushTlbAll, TLB_FLUSH_BROADCAST, syncInstructionCache } from "./paging";
export { interruptsInit, timerStart, monotonicNanos, waitForInterrupt, wakeCpu } from "./timer";
export { cpuIndex, startSecondaryCpus } from "./smp";
export { probeRead64 } from "./traps";
// User mode (issue #4).
export { userSpaceInit, activateUserSpace } from "./userspace";
export { contextInitUser, contextSwitch, contextSwitchToUser, setKernelStack } from "./context";
export { frameSyscallNumber, frameArg, frameSetResult, framePc, frameMessageRegister, frameSetMessageRegister, MESSAGE_REGISTERS } from "./frame";
// Device interrupts for user-space drivers, and console input.
export { CONSOLE_IRQ, deviceIrqSetHandler, deviceIrqValid, deviceIrqUnmask, deviceIrqMask } from "./device-irq";
export { consoleRxEnable, consoleReadByte, consoleReleaseLine } from "./console";
export { hardwareRandomSource, hardwareRandom64 } from "./random";

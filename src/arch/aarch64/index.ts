/**
 * The AArch64 arch layer's front door: the names portable kernel code may use
 * (src/arch/api.ts lists them; the build maps the module "arch" here).
 */
export { ARCH_ID, earlyInit } from "./boot";
export { haltForever, powerOff } from "./cpu";
// Owned by memory management (lead): keep these two lines.
export { ELF_MACHINE, physToVirt, virtToPhys, imagePhysStart } from "./memory";
export { pteTable, pteLeaf, ptePresent, pteIsLeaf, pteAddress, pteFlags, activateKernelSpace, currentKernelSpace, flushTlbPage, flushTlbAll, TLB_FLUSH_BROADCAST } from "./paging";
export { interruptsInit, timerStart, monotonicNanos, waitForInterrupt, wakeCpu } from "./timer";
export { cpuIndex, startSecondaryCpus } from "./smp";
export { probeRead64, frameSyscallNumber, frameArg, frameSetResult, framePc, frameMessageRegister, frameSetMessageRegister, MESSAGE_REGISTERS } from "./traps";
export { userSpaceInit, activateUserSpace, setKernelStack, contextInitUser, contextSwitch, contextSwitchToUser, syncInstructionCache } from "./userspace";
// Device interrupts for user-space drivers, and console input.
export { CONSOLE_IRQ, deviceIrqSetHandler, deviceIrqValid, deviceIrqUnmask, deviceIrqMask } from "./device-irq";
export { consoleRxEnable, consoleReadByte, consoleReleaseLine } from "./console";
export { hardwareRandomSource, hardwareRandom64 } from "./random";

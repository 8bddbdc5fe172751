/**
 * The arch interface: the only names portable kernel code (src/kernel/**) may
 * import from the module "arch", which the build maps to src/arch/<arch>/index.ts.
 * Each arch implements all of them; src/arch/api-check.ts makes tsc prove it.
 * Portable code never touches hardware: everything that does lives behind these.
 *
 *   ARCH_ID                 1 = x86_64, 2 = aarch64
 *   earlyInit(arg, info)    boot CPU: console, boot protocol -> BootInfo, CPU tables
 *                           (GDT/TSS/IDT or vectors); kernel image extent in info
 *   interruptsInit(info)    boot CPU: interrupt controller (IOAPIC+LAPIC / GICv3)
 *   timerStart(hz, onTick)  this CPU: periodic tick calling onTick(), then unmasked
 *   monotonicNanos()        time since boot, from the CPU counter (TSC / CNTVCT)
 *   wakeCpu(cpu)            an IPI that makes CPU `cpu` reschedule now (new work)
 *   cpuIndex()              this CPU's index (0 = boot CPU), from per-CPU data
 *   startSecondaryCpus(info, entry)   start every other CPU in info; each runs its
 *                           own CPU tables and then entry(index) on its own stack;
 *                           returns how many CPUs are online, boot CPU included
 *   haltForever(), powerOff(code)
 *   physToVirt(pa), virtToPhys(va)    the kernel's direct map of physical memory
 *   paging: PAGE_SIZE, LEVELS, pteTable, pteLeaf, pteAddress, ptePresent, pteIsLeaf,
 *           levelIndex, activateAddressSpace, flushTlbAll, flushTlbPage,
 *           TLB_FLUSH_BROADCAST (true if those flushes reach every CPU)
 *   hardwareRandomSource()       the CPU's generator: 0 none, 1 RDSEED, 2 RDRAND, 3 RNDR
 *   hardwareRandom64(out, i)     out[i] = a value from it; false if none (or it failed)
 *   traps:  probeRead64(va): reads a u64, or returns false if that faults (the
 *           fault is caught and logged) — kernel tests use it for a deliberate fault
 *
 * Device interrupts and console input (user-space drivers):
 *   CONSOLE_IRQ                  the console UART's interrupt line
 *   deviceIrqSetHandler(h)       h(line) runs in interrupt context for every device
 *                                interrupt; it must mask the line (level-triggered)
 *   deviceIrqValid(line)         whether the line can be handed out
 *   deviceIrqUnmask(line), deviceIrqMask(line)
 *   consoleRxEnable()            the UART interrupts on received bytes
 *   consoleReadByte()            the next received byte, or 0xffffffff
 *   consoleReleaseLine()         lets other CPUs print although this CPU's line
 *                                has no newline yet (a prompt)
 *
 * User mode (issue #4):
 *   userSpaceInit(root, asid)    prepare a new user root table (x86_64: share the
 *                                kernel half of the kernel space; AArch64: drop
 *                                TLB entries an earlier space tagged asid left)
 *   activateUserSpace(root, asid) this CPU now runs that user space (CR3 / TTBR0
 *                                with the ASID; x86_64 has no PCIDs: asid unused)
 *   contextInitUser(kstackTop, entry, userSp, arg): usize
 *                                build, at the top of a task's kernel stack, a
 *                                context that contextSwitch can switch to and that
 *                                enters user mode at `entry` with `userSp` and
 *                                `arg` in the first argument register; returns
 *                                the context's saved kernel SP
 *   contextSwitch(saveAt, to)    save this CPU's kernel context, store its SP at
 *                                address saveAt, switch to the context whose SP is
 *                                `to`; returns when switched back
 *   contextSwitchToUser(saveAt, nextSaved, frame, release)
 *                                save as contextSwitch does, store 0 at the u32
 *                                `release` (a lock held until the context is
 *                                saved), and return to user mode from `frame`,
 *                                the next task's syscall frame (its system call
 *                                finished; nextSaved its saved SP); returns when
 *                                switched back
 *   setKernelStack(cpu, top)     the stack this CPU (index cpu) enters on from user mode
 *   syncInstructionCache(va, len) after writing code through the direct map
 *   frame accessors              frameSyscallNumber(frame), frameArg(frame, i),
 *                                frameSetResult(frame, v), framePc(frame),
 *                                frameMessageRegister(frame, i) and
 *                                frameSetMessageRegister(frame, i, v) for the
 *                                MESSAGE_REGISTERS (11) a short IPC message uses
 *   The arch calls the kernel at: kernel_syscall_dispatch__onSyscall(frame) for a
 *   syscall from user mode, and kernel_task_lifecycle__onUserFault(kind, addr, pc)
 *   for a fault in user mode (which never returns to the faulting context).
 */
export type ArchIndex = typeof import("./x86_64/index");

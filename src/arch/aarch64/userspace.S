/*
 * User mode on AArch64: activating a user address space (TTBR0_EL1), the
 * kernel context switch, a new context's first entry into EL0, instruction
 * cache maintenance for code written through the direct map, and weak
 * defaults for the portable kernel's entry points (see below).
 *
 * Each user space has its own ASID (its task's id + 1) and user pages are
 * non-global (nG), so a switch to a user space just loads TTBR0 with its root
 * and ASID: entries of other spaces stay, tagged with theirs, and the kernel's
 * global (TTBR1) ones stay too. userSpaceInit drops a recycled ASID's old entries.
 */
#define TCR_EPD0 (1 << 7)

/*
 * A saved kernel context (contextSwitch), at its saved SP, 112 bytes:
 * x19..x30 at 0..88, DAIF at 96, TPIDR_EL0 (the user's thread pointer) at 104.
 */
#define CTX_SIZE 112
#define CTX_DAIF 96
#define DAIF_ALL_MASKED 0x3c0

/*
 * Saves this kernel context below SP and stores that SP at [x0], a release.
 * IRQs are masked from here (mask=0: they already are).
 */
.macro SAVE_CONTEXT mask=1
    mrs x9, daif
    .if \mask
    msr daifset, #2
    .endif
    mrs x10, tpidr_el0
    sub sp, sp, #CTX_SIZE
    stp x19, x20, [sp, #0]
    stp x21, x22, [sp, #16]
    stp x23, x24, [sp, #32]
    stp x25, x26, [sp, #48]
    stp x27, x28, [sp, #64]
    stp x29, x30, [sp, #80]
    stp x9, x10, [sp, #CTX_DAIF]
    mov x11, sp
    stlr x11, [x0]
.endm

/*
 * void arch_activate_user_space(usize ttbr0): TTBR0_EL1 = the root table's
 * address with the space's ASID in bits 55:48 (one write: root and ASID change
 * together, so no walk ever pairs one space's table with another's ASID), and
 * TTBR0 walks on if a kernel task had turned them off (EPD0).
 */
    .text
    .globl arch_activate_user_space
arch_activate_user_space:
    dsb ishst                       /* the new tables' stores reach the walker */
    msr ttbr0_el1, x0
    mrs x1, tcr_el1
    tbz x1, #7, 1f                  /* TCR_EPD0 */
    bic x1, x1, #TCR_EPD0
    msr tcr_el1, x1
1:  isb
    ret

/*
 * void arch_context_switch(usize saveAt, usize to): saves x19-x30, DAIF and
 * TPIDR_EL0 below SP, stores that SP at *saveAt (a release: the context is
 * complete before another CPU can see it), switches to the context whose SP
 * is `to` and returns into it with its own DAIF. IRQs are masked from the
 * save to the restore, so the switch itself is never interrupted.
 */
    .globl arch_context_switch
arch_context_switch:
    SAVE_CONTEXT
    mov sp, x1
    ldp x19, x20, [sp, #0]
    ldp x21, x22, [sp, #16]
    ldp x23, x24, [sp, #32]
    ldp x25, x26, [sp, #48]
    ldp x27, x28, [sp, #64]
    ldp x29, x30, [sp, #80]
    ldp x9, x10, [sp, #CTX_DAIF]
    add sp, sp, #CTX_SIZE
    msr tpidr_el0, x10
    msr daif, x9
    ret

/*
 * void arch_context_switch_to_user(usize saveAt, usize frame, usize release,
 * usize nextSaved): saves this context as arch_context_switch does (its SP at
 * *saveAt), then stores 0 at the u32 *release (the scheduler lock: held until
 * the context is saved, so no other CPU resumes it half saved), and returns to
 * EL0 from `frame`, the next task's exception frame at the top of its kernel
 * stack, whose system call is finished, with TPIDR_EL0 from the next task's
 * saved context at nextSaved: the IPC fast path's direct return, with no trip
 * through the next task's kernel stack. The tail of trap_common (vectors.S).
 */
    .globl arch_context_switch_to_user
arch_context_switch_to_user:
    SAVE_CONTEXT mask=0             /* from a system call: IRQs are masked */
    ldr x10, [x3, #CTX_DAIF + 8]
    msr tpidr_el0, x10
    mov sp, x1
    stlr wzr, [x2]
    b trap_return

/*
 * usize arch_context_init_user(usize kstackTop, usize entry, usize userSp, u64 arg):
 * a context at the top of a kernel stack (16-byte aligned down) whose first
 * switch-in "returns" to user_first_entry with x19 = entry, x20 = user SP,
 * x21 = arg; returns its SP.
 */
    .globl arch_context_init_user
arch_context_init_user:
    and x0, x0, #~15
    sub x0, x0, #CTX_SIZE
    stp x1, x2, [x0, #0]
    stp x3, xzr, [x0, #16]
    stp xzr, xzr, [x0, #32]
    stp xzr, xzr, [x0, #48]
    stp xzr, xzr, [x0, #64]
    adr x4, user_first_entry
    stp xzr, x4, [x0, #80]          /* x29 = 0 ends backtraces; x30 = the stub */
    mov x4, #DAIF_ALL_MASKED
    stp x4, xzr, [x0, #CTX_DAIF]    /* TPIDR_EL0 starts at 0 */
    ret

/*
 * A new context's first return from arch_context_switch, with IRQs masked and
 * SP the top of its kernel stack (SP_EL1 while it runs in EL0). Tells the
 * scheduler it has arrived (what a switched-back context does after its
 * contextSwitch returns), then enters EL0t at x19 with SP_EL0 = x20, x0 = x21,
 * every other register zero and interrupts enabled.
 */
user_first_entry:
    bl kernel_task_schedule__arrived
    msr daifset, #0xf
    msr sp_el0, x20
    msr elr_el1, x19
    msr spsr_el1, xzr               /* EL0t, AArch64, D A I F clear */
    mov x0, x21
    mov x1, xzr
    mov x2, xzr
    mov x3, xzr
    mov x4, xzr
    mov x5, xzr
    mov x6, xzr
    mov x7, xzr
    mov x8, xzr
    mov x9, xzr
    mov x10, xzr
    mov x11, xzr
    mov x12, xzr
    mov x13, xzr
    mov x14, xzr
    mov x15, xzr
    mov x16, xzr
    mov x17, xzr
    mov x18, xzr
    mov x19, xzr
    mov x20, xzr
    mov x21, xzr
    mov x22, xzr
    mov x23, xzr
    mov x24, xzr
    mov x25, xzr
    mov x26, xzr
    mov x27, xzr
    mov x28, xzr
    mov x29, xzr
    mov x30, xzr
    eret
    dsb nsh                         /* no straight-line speculation past eret */
    isb

/*
 * void arch_sync_icache(usize va, u64 len): code just written at [va, va+len)
 * (through any alias, e.g. the direct map) becomes visible to instruction
 * fetch on every CPU: clean the D-cache to the point of unification by line,
 * then invalidate all I-caches (by-VA invalidation through another alias
 * would miss lines of an aliasing VIPT I-cache).
 */
    .globl arch_sync_icache
arch_sync_icache:
    cbz x1, 2f
    mrs x3, ctr_el0
    ubfx x3, x3, #16, #4            /* DminLine: log2(words) */
    mov x4, #4
    lsl x4, x4, x3                  /* smallest D-cache line, bytes */
    add x1, x0, x1
    sub x3, x4, #1
    bic x0, x0, x3
1:  dc cvau, x0
    add x0, x0, x4
    cmp x0, x1
    b.lo 1b
    dsb ish
    ic ialluis
    dsb ish
    isb
2:  ret

/*
 * Weak defaults for the portable kernel's entry points, so that an image
 * without the task and syscall layers still links (the real definitions, in
 * src/kernel/syscall/dispatch.ts and src/kernel/task/, override them): no
 * rescheduling at IRQ exit, nothing to do on a new context's arrival; a
 * syscall or user fault without them panics.
 */
    .weak kernel_task_schedule__onIrqExit
kernel_task_schedule__onIrqExit:
    ret

    .weak kernel_task_schedule__arrived
kernel_task_schedule__arrived:
    ret

    .weak kernel_syscall_dispatch__onSyscall
kernel_syscall_dispatch__onSyscall:
    mov x0, #0
    b arch_aarch64_traps__missingKernelHook

    .weak kernel_task_lifecycle__onUserFault
kernel_task_lifecycle__onUserFault:
    mov x0, #1
    b arch_aarch64_traps__missingKernelHook

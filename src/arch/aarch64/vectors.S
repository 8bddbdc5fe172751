/*
 * AArch64 exception vectors (VBAR_EL1): each of the 16 entries saves x0/x1,
 * puts its index in x0 and joins trap_common, which saves the whole frame
 * (x0-x30, SP_EL0, ELR, SPSR, ESR, FAR: 288 bytes) and calls the KTS handler
 * arch_aarch64_traps__onTrap(kind, frame). An SVC from EL0 (AArch64) takes a
 * shorter way from its own entry (8): svc_entry saves the same frame (FAR 0)
 * and calls the kernel's kernel_syscall_dispatch__onSyscall(frame). The
 * handler may edit the frame, and may switch tasks before it returns: the
 * frame lives on the interrupted task's kernel stack (from EL0: SP_EL1, the
 * top of that task's kernel stack), and each task unwinds its own.
 */
#define FRAME 288
#define ESR_EC_SVC64 0x15

.macro VENTRY kind
    .balign 0x80
    sub sp, sp, #FRAME
    stp x0, x1, [sp, #0]
    mov x0, #\kind
    b trap_common
.endm

/* Synchronous from EL0 (AArch64): a system call goes to svc_entry, anything else to trap_common. */
.macro VENTRY_EL0_SYNC
    .balign 0x80
    sub sp, sp, #FRAME
    stp x0, x1, [sp, #0]
    mrs x0, esr_el1
    lsr x1, x0, #26
    cmp x1, #ESR_EC_SVC64
    b.eq svc_entry
    mov x0, #8
    b trap_common
.endm

/* The frame's x2-x30, SP_EL0, ELR and SPSR (x0/x1 are saved by the entry). */
.macro SAVE_FRAME_REST
    stp x2, x3, [sp, #16]
    stp x4, x5, [sp, #32]
    stp x6, x7, [sp, #48]
    stp x8, x9, [sp, #64]
    stp x10, x11, [sp, #80]
    stp x12, x13, [sp, #96]
    stp x14, x15, [sp, #112]
    stp x16, x17, [sp, #128]
    stp x18, x19, [sp, #144]
    stp x20, x21, [sp, #160]
    stp x22, x23, [sp, #176]
    stp x24, x25, [sp, #192]
    stp x26, x27, [sp, #208]
    stp x28, x29, [sp, #224]
    mrs x1, sp_el0
    stp x30, x1, [sp, #240]
    mrs x1, elr_el1
    mrs x2, spsr_el1
    stp x1, x2, [sp, #256]
.endm

    .text
    .balign 2048
    .globl vectors
vectors:
    VENTRY 0
    VENTRY 1
    VENTRY 2
    VENTRY 3
    VENTRY 4
    VENTRY 5
    VENTRY 6
    VENTRY 7
    VENTRY_EL0_SYNC
    VENTRY 9
    VENTRY 10
    VENTRY 11
    VENTRY 12
    VENTRY 13
    VENTRY 14
    VENTRY 15

/* x0 = ESR_EL1 (an SVC's). */
svc_entry:
    SAVE_FRAME_REST
    stp x0, xzr, [sp, #272]         /* ESR; FAR means nothing for an SVC */
    mov x29, xzr                    /* from EL0: kernel backtraces end here */
    mov x0, sp
    bl kernel_syscall_dispatch__onSyscall
    b trap_return

trap_common:
    SAVE_FRAME_REST
    mrs x1, esr_el1
    mrs x2, far_el1
    stp x1, x2, [sp, #272]
    cmp x0, #8
    b.lo 1f
    mov x29, xzr                    /* from EL0: kernel backtraces end here */
1:  mov x1, sp
    bl arch_aarch64_traps__onTrap
    /* arch_context_switch_to_user (userspace.S) joins here with SP = another task's frame. */
    .globl trap_return
trap_return:
    ldp x1, x2, [sp, #256]
    msr elr_el1, x1
    msr spsr_el1, x2
    ldp x30, x1, [sp, #240]
    msr sp_el0, x1
    ldp x28, x29, [sp, #224]
    ldp x26, x27, [sp, #208]
    ldp x24, x25, [sp, #192]
    ldp x22, x23, [sp, #176]
    ldp x20, x21, [sp, #160]
    ldp x18, x19, [sp, #144]
    ldp x16, x17, [sp, #128]
    ldp x14, x15, [sp, #112]
    ldp x12, x13, [sp, #96]
    ldp x10, x11, [sp, #80]
    ldp x8, x9, [sp, #64]
    ldp x6, x7, [sp, #48]
    ldp x4, x5, [sp, #32]
    ldp x2, x3, [sp, #16]
    ldp x0, x1, [sp, #0]
    add sp, sp, #FRAME
    eret

/*
 * Exception table: (faulting instruction, recovery address) pairs in section
 * __ex_table (the linker script brackets it with __ex_table_start/_end). On a
 * synchronous abort at EL1 whose ELR is a listed instruction, the trap handler
 * resumes at the recovery address instead of reporting a fault.
 */
.macro EXTABLE insn, fixup
    .pushsection __ex_table, "a"
    .balign 8
    .quad \insn, \fixup
    .popsection
.endm

/* u64 arch_probe_read64(va): 1 if the 8-byte load at va completed, 0 if it faulted. */
    .text
    .globl arch_probe_read64
arch_probe_read64:
probe_read64_insn:
    ldr x1, [x0]
    mov x0, #1
    ret
probe_read64_fixup:
    mov x0, #0
    ret
    EXTABLE probe_read64_insn, probe_read64_fixup

/* The table's bounds, for KTS. */
    .globl arch_extable_start
arch_extable_start:
    ldr x0, =__ex_table_start
    ret
    .globl arch_extable_end
arch_extable_end:
    ldr x0, =__ex_table_end
    ret
    .ltorg

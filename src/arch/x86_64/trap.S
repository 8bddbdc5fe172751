/*
 * x86_64 trap entry: one stub per IDT vector (0-255). Each pushes a zero error
 * code when the CPU does not push one, then its vector, and joins trap_common,
 * which saves every general register into a frame on the stack and calls the
 * KTS handler arch_x86_64_traps__onTrap(vector, frame). The handler may edit
 * the frame (e.g. RIP, to resume at an exception-table fixup); trap_common then
 * restores it and returns with iretq.
 *
 * Frame layout (byte offsets from the frame address; src/arch/x86_64/frame.ts
 * mirrors them):
 *   0 r15   8 r14  16 r13  24 r12  32 r11  40 r10  48 r9   56 r8
 *  64 rbp  72 rdi  80 rsi  88 rdx  96 rcx 104 rbx 112 rax
 * 120 vector  128 error code  136 rip  144 cs  152 rflags  160 rsp  168 ss
 * 176 bytes in all; the CPU aligns RSP to 16 before pushing its part, so the
 * frame address is 16-byte aligned.
 *
 * Entries from ring 3 swap GS (swapgs) so the kernel's GS base always points
 * at this CPU's per-CPU block while kernel code runs. An NMI, double fault or
 * machine check can also arrive in ring 0 inside the few instructions of a
 * user entry or exit (usermode.S) where GS is still or already the user's:
 * for those the GS base itself is checked (the kernel's is a kernel address,
 * the user's never is) and swapped if needed. %r12 remembers whether to swap
 * back: it is callee-saved, so it survives the handler, and its user value
 * is already in the frame.
 */
#include "frame.h"
#define IA32_GS_BASE 0xc0000101

    .text

.macro TRAP_STUB v
    .balign 16
trap_stub_\v:
    .set trap_has_error, 0
    .if \v == 8 || \v == 10 || \v == 11 || \v == 12 || \v == 13 || \v == 14 || \v == 17 || \v == 21 || \v == 29 || \v == 30
    .set trap_has_error, 1
    .endif
    .if trap_has_error == 0
    pushq $0
    .endif
    pushq $\v
    jmp trap_common
.endm

.macro TRAP_ADDR v
    .quad trap_stub_\v
.endm

    .altmacro
    .balign 16
    .globl trap_stubs
trap_stubs:
    .set vec, 0
    .rept 256
    TRAP_STUB %vec
    .set vec, vec + 1
    .endr

trap_common:
    cld
    PUSH_GPRS
    xorl %r12d, %r12d               /* 1: swap GS back on the way out */
    testb $3, F_CS(%rsp)
    jnz 3f
    movq F_VECTOR(%rsp), %rax
    cmpq $2, %rax                   /* NMI */
    je 4f
    cmpq $8, %rax                   /* #DF */
    je 4f
    cmpq $18, %rax                  /* #MC */
    jne 1f
4:  movl $IA32_GS_BASE, %ecx
    rdmsr
    testl %edx, %edx                /* bit 63 set: already the kernel's */
    js 1f
3:  swapgs
    movl $1, %r12d
1:  movq F_VECTOR(%rsp), %rdi
    movq %rsp, %rsi
    call arch_x86_64_traps__onTrap
    testl %r12d, %r12d
    jz 2f
    swapgs
2:  POP_GPRS
    addq $16, %rsp                  /* vector and error code */
    iretq

    .section .rodata
    .balign 8
trap_stub_table:
    .set vec, 0
    .rept 256
    TRAP_ADDR %vec
    .set vec, vec + 1
    .endr
    .noaltmacro

    .text
/* x86_trap_stub(vector): the address of that vector's entry stub (for the IDT). */
    .globl x86_trap_stub
x86_trap_stub:
    movl %edi, %edi
    andl $255, %edi
    leaq trap_stub_table(%rip), %rax
    movq (%rax, %rdi, 8), %rax
    ret

/*
 * Exception table: pairs (faulting instruction, fixup) of code that may fault
 * on purpose. When a kernel-mode page fault's RIP is a listed instruction, the
 * trap handler resumes at its fixup instead of reporting the fault.
 */
    .section .rodata.extable, "a"
    .balign 8
extable_start:
    .quad probe_read64_insn, probe_read64_fixup
extable_end:

    .text
/* x86_extable_start() / x86_extable_end(): the table's bounds, 16 bytes an entry. */
    .globl x86_extable_start
x86_extable_start:
    leaq extable_start(%rip), %rax
    ret
    .globl x86_extable_end
x86_extable_end:
    leaq extable_end(%rip), %rax
    ret

/* x86_probe_read64(va, out): *out = *(u64 *)va and returns 1; returns 0 if the
 * load faults (the fixup below runs instead, RSP unchanged). */
    .globl x86_probe_read64
x86_probe_read64:
probe_read64_insn:
    movq (%rdi), %rax
    movq %rax, (%rsi)
    movl $1, %eax
    ret
probe_read64_fixup:
    xorl %eax, %eax
    ret

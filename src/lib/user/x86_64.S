/* User-program entry and system-call stub for x86_64 (SYSCALL: rax = number,
 * rdi rsi rdx r10 r8 r9 = arguments, rax = result; rcx and r11 are clobbered). */
    .section .text.start, "ax"
    .globl _start
_start:
    xorl %ebp, %ebp
    andq $-16, %rsp
    call kts_init_modules
    call kts_user_main
    movq %rax, %rdi
    movl $0, %eax                   /* exit */
    syscall
1:  jmp 1b

    .text
    .globl kts_syscall
kts_syscall:                        /* (n, a0, a1, a2, a3, a4, a5) */
    movq %rdi, %rax
    movq %rsi, %rdi
    movq %rdx, %rsi
    movq %rcx, %rdx
    movq %r8, %r10
    movq %r9, %r8
    movq 8(%rsp), %r9
    syscall
    ret

/* kts_ipc(n, cap, msg): call (12), receive (11) or replyRecv (14) with the
 * message buffer at msg, a short message in registers both ways (docs/ipc.md,
 * "Short messages in registers"): to send, if msg has no capabilities, no flags
 * and at most 24 payload bytes, its tag (REGS_SEND | label | len << 32) and
 * payload words 0..2 go in rdx r10 r8 r9; REGS_RECEIVE always. A result of 1
 * means the message received is in the message registers rdi rsi rdx r10 r8 r9
 * rbx rbp r12 r13 r14: stored into msg here, and 0 returned. */
    .globl kts_ipc
kts_ipc:
    pushq %rbx
    pushq %rbp
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    movq %rdx, %r15                 /* msg: the kernel leaves r15 alone */
    movq %rdi, %rax                 /* number */
    movq %rsi, %rdi                 /* cap */
    movq %rdx, %rsi                 /* msg */
    movabsq $0x4000000000000000, %rdx   /* REGS_RECEIVE */
    cmpq $11, %rax                  /* receive sends nothing */
    je 2f
    movl 8(%r15), %ecx              /* capCount and flags both 0 */
    orl 12(%r15), %ecx
    jnz 2f
    cmpl $24, 4(%r15)               /* len at most 24 */
    ja 2f
    movq (%r15), %rdx               /* label | len << 32 */
    btsq $63, %rdx                  /* REGS_SEND */
    btsq $62, %rdx                  /* REGS_RECEIVE */
    movq 80(%r15), %r10
    movq 88(%r15), %r8
    movq 96(%r15), %r9
2:  syscall
    cmpq $1, %rax
    jne 3f
    movq %rdi, 0(%r15)
    movq %rsi, 8(%r15)
    movq %rdx, 16(%r15)
    movq %r10, 24(%r15)
    movq %r8, 32(%r15)
    movq %r9, 40(%r15)
    movq %rbx, 48(%r15)
    movq %rbp, 56(%r15)
    movq $0, 64(%r15)
    movq $0, 72(%r15)
    movq %r12, 80(%r15)
    movq %r13, 88(%r15)
    movq %r14, 96(%r15)
    xorl %eax, %eax
3:  popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %rbp
    popq %rbx
    ret

/* user_fpu_probe(): one x87 instruction; the kernel must end the task for it
 * (tasks have no FP/SIMD state). Used by test/user/fpu.ts. */
    .globl user_fpu_probe
user_fpu_probe:
    fld1
    fstp %st(0)
    ret

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

/* user_fpu_probe(): one x87 instruction; the kernel must end the task for it
 * (tasks have no FP/SIMD state). Used by test/user/fpu.ts. */
    .globl user_fpu_probe
user_fpu_probe:
    fld1
    fstp %st(0)
    ret

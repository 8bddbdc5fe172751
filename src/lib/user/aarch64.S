/* User-program entry and system-call stub for AArch64 (SVC #0: x8 = number,
 * x0-x5 = arguments, x0 = result). */
    .section .text.start, "ax"
    .globl _start
_start:
    mov x29, #0
    mov x30, #0
    bl kts_init_modules
    bl kts_user_main
    mov x8, #0                      /* exit */
    svc #0
1:  b 1b

    .text
    .globl kts_syscall
kts_syscall:                        /* (n, a0, a1, a2, a3, a4, a5) */
    mov x8, x0
    mov x0, x1
    mov x1, x2
    mov x2, x3
    mov x3, x4
    mov x4, x5
    mov x5, x6
    svc #0
    ret

/* user_fpu_probe(): one floating-point instruction; the kernel must end the
 * task for it (tasks have no FP/SIMD state). Used by test/user/fpu.ts. */
    .globl user_fpu_probe
user_fpu_probe:
    .inst 0x1e6e1000                /* fmov d0, #1.0 (encoded: the build has no FP registers) */
    ret

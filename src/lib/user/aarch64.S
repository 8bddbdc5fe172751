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

/* kts_ipc(n, cap, msg): call (12), receive (11) or replyRecv (14) with the
 * message buffer at msg, a short message in registers both ways (docs/ipc.md,
 * "Short messages in registers"): to send, if msg has no capabilities, no flags
 * and at most 24 payload bytes, its tag (REGS_SEND | label | len << 32) and
 * payload words 0..2 go in x2..x5; REGS_RECEIVE always. A result of 1 means the
 * message received is in the message registers x1..x11: stored into msg here,
 * and 0 returned. */
    .globl kts_ipc
kts_ipc:
    mov x8, x0                      /* number */
    mov x0, x1                      /* cap */
    mov x1, x2                      /* msg */
    mov x12, x2                     /* msg: the kernel leaves x12 alone */
    movz x2, #0x4000, lsl #48       /* REGS_RECEIVE */
    cmp x8, #11                     /* receive sends nothing */
    b.eq 2f
    ldp w9, w10, [x12, #8]          /* capCount and flags both 0 */
    orr w9, w9, w10
    cbnz w9, 2f
    ldr w9, [x12, #4]               /* len at most 24 */
    cmp w9, #24
    b.hi 2f
    ldr x2, [x12]                   /* label | len << 32 */
    orr x2, x2, #0xc000000000000000 /* REGS_SEND | REGS_RECEIVE */
    ldr x3, [x12, #80]
    ldr x4, [x12, #88]
    ldr x5, [x12, #96]
2:  svc #0
    cmp x0, #1
    b.ne 3f
    stp x1, x2, [x12]
    stp x3, x4, [x12, #16]
    stp x5, x6, [x12, #32]
    stp x7, x8, [x12, #48]
    stp xzr, xzr, [x12, #64]
    stp x9, x10, [x12, #80]
    str x11, [x12, #96]
    mov x0, #0
3:  ret

/* user_fpu_probe(): one floating-point instruction; the kernel must end the
 * task for it (tasks have no FP/SIMD state). Used by test/user/fpu.ts. */
    .globl user_fpu_probe
user_fpu_probe:
    .inst 0x1e6e1000                /* fmov d0, #1.0 (encoded: the build has no FP registers) */
    ret

/*
 * FEAT_RNG: RNDR gives a random u64 from the CPU's generator, or sets Z (and 0)
 * when it has none ready. Callers check ID_AA64ISAR0_EL1.RNDR first.
 */
    .text
/* arch_rndr64(out): 1 and *out = a value within 16 tries, else 0. */
    .globl arch_rndr64
arch_rndr64:
    mov w2, #16
1:  mrs x1, s3_3_c2_c4_0            /* RNDR */
    b.ne 2f
    subs w2, w2, #1
    b.ne 1b
    mov x0, #0
    ret
2:  str x1, [x0]
    mov x0, #1
    ret

/* arch_isar0(): ID_AA64ISAR0_EL1 (bits 63:60 = RNDR). */
    .globl arch_isar0
arch_isar0:
    mrs x0, id_aa64isar0_el1
    ret

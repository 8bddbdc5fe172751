/*
 * x86_64 instructions the KTS code cannot express: descriptor-table loads,
 * CPUID, GS-relative per-CPU reads, and the atomic "sti; hlt" pair. Each is a
 * leaf function with the SysV calling convention (args in rdi, rsi, rdx).
 */
    .text

/* x86_load_gdt(base, limit): lgdt, then reload every segment register.
 * CS = 0x08 (kernel code), DS/ES/SS = 0x10 (kernel data), FS/GS = null.
 * Loading GS clears the GS base: the caller sets IA32_GS_BASE afterwards. */
    .globl x86_load_gdt
x86_load_gdt:
    subq $16, %rsp
    movw %si, 6(%rsp)
    movq %rdi, 8(%rsp)
    lgdt 6(%rsp)
    addq $16, %rsp
    movl $0x10, %eax
    movl %eax, %ds
    movl %eax, %es
    movl %eax, %ss
    xorl %eax, %eax
    movl %eax, %fs
    movl %eax, %gs
    popq %rax                       /* return address */
    pushq $0x08
    pushq %rax
    lretq                           /* returns with CS = 0x08 */

/* x86_load_idt(base, limit) */
    .globl x86_load_idt
x86_load_idt:
    subq $16, %rsp
    movw %si, 6(%rsp)
    movq %rdi, 8(%rsp)
    lidt 6(%rsp)
    addq $16, %rsp
    ret

/* x86_load_tr(selector) */
    .globl x86_load_tr
x86_load_tr:
    ltr %di
    ret

/* x86_cpuid(leaf, subleaf, out): out[0..3] = eax, ebx, ecx, edx (u32 each). */
    .globl x86_cpuid
x86_cpuid:
    pushq %rbx
    movq %rdx, %r8
    movl %edi, %eax
    movl %esi, %ecx
    cpuid
    movl %eax, 0(%r8)
    movl %ebx, 4(%r8)
    movl %ecx, 8(%r8)
    movl %edx, 12(%r8)
    popq %rbx
    ret

/* x86_sti_hlt(): enables interrupts and halts in the sti shadow, so an
 * interrupt pending at the sti cannot slip in before the hlt and be missed. */
    .globl x86_sti_hlt
x86_sti_hlt:
    sti
    hlt
    ret

/* x86_rdseed64(out) / x86_rdrand64(out): 1 and *out = a random u64 if the
 * instruction gave one within 16 tries (a carry flag clear means "not yet"),
 * else 0. The caller checked CPUID for the instruction first. */
    .globl x86_rdseed64
x86_rdseed64:
    movl $16, %ecx
1:  rdseed %rax
    jc 2f
    pause
    decl %ecx
    jnz 1b
    xorl %eax, %eax
    ret
2:  movq %rax, (%rdi)
    movl $1, %eax
    ret

    .globl x86_rdrand64
x86_rdrand64:
    movl $16, %ecx
1:  rdrand %rax
    jc 2f
    pause
    decl %ecx
    jnz 1b
    xorl %eax, %eax
    ret
2:  movq %rax, (%rdi)
    movl $1, %eax
    ret

/*
 * Secondary-CPU start. The boot CPU copies ap_trampoline..ap_trampoline_end
 * to physical TRAMP_BASE (below 1 MiB, page-aligned) and sends INIT-SIPI-SIPI
 * with vector TRAMP_BASE >> 12: the CPU starts in real mode at CS:IP =
 * 0x0800:0000. The trampoline enters protected mode, then long mode on the
 * boot page tables (boot_pml4, entry.S: identity, direct map and kernel image
 * for the first GiBs), and jumps to ap_kernel_entry in the kernel's higher
 * half, which takes the kernel's CR3, this CPU's stack and index from the
 * trampoline's parameter block and calls arch_x86_64_smp__apStart(index).
 *
 * Parameter block (offsets from TRAMP_BASE; src/arch/x86_64/smp.ts writes it):
 *   8 kernel CR3   16 stack top   24 CPU index
 */
#define TRAMP_BASE 0x8000
#define T(x) ((x) - ap_trampoline + TRAMP_BASE)

    .section .rodata.ap_trampoline, "a"
    .balign 16
    .code16
    .globl ap_trampoline
ap_trampoline:
    jmp ap_real16
    .balign 8
tramp_cr3:      .quad 0             /* +8 */
tramp_stack:    .quad 0             /* +16 */
tramp_index:    .quad 0             /* +24 */
    .balign 8
tramp_gdt:
    .quad 0
    .quad 0x00cf9a000000ffff        /* 0x08: 32-bit code */
    .quad 0x00cf92000000ffff        /* 0x10: data */
    .quad 0x00af9a000000ffff        /* 0x18: 64-bit code */
tramp_gdt_end:
tramp_gdtr:
    .word tramp_gdt_end - tramp_gdt - 1
    .long T(tramp_gdt)

ap_real16:
    cli
    cld
    xorw %ax, %ax
    movw %ax, %ds
    movw %ax, %es
    movw %ax, %ss
    lgdtl T(tramp_gdtr)
    movl %cr0, %eax
    orl $1, %eax                    /* PE */
    movl %eax, %cr0
    ljmpl $0x08, $T(ap_prot32)

    .code32
ap_prot32:
    movl $0x10, %eax
    movl %eax, %ds
    movl %eax, %es
    movl %eax, %ss
    movl %cr4, %eax
    orl $0xa0, %eax                 /* PAE | PGE */
    movl %eax, %cr4
    movl $boot_pml4, %eax
    movl %eax, %cr3
    movl $0xc0000080, %ecx          /* EFER: LME | NXE */
    rdmsr
    orl $0x900, %eax
    wrmsr
    movl %cr0, %eax
    orl $0x80010001, %eax           /* PG | WP | PE */
    movl %eax, %cr0
    ljmpl $0x18, $T(ap_long64)

    .code64
ap_long64:
    movabsq $ap_kernel_entry, %rax
    jmpq *%rax
    .globl ap_trampoline_end
ap_trampoline_end:

    .text
ap_kernel_entry:
    /* Still on boot_pml4, where TRAMP_BASE is identity-mapped: read the block first. */
    movq (TRAMP_BASE + 8), %rax
    movq (TRAMP_BASE + 16), %rsp
    movl (TRAMP_BASE + 24), %edi
    movq %rax, %cr3
    xorl %ebp, %ebp
    call arch_x86_64_smp__apStart
1:  cli
    hlt
    jmp 1b

/* x86_ap_trampoline_start() / x86_ap_trampoline_end(): the code to copy. */
    .globl x86_ap_trampoline_start
x86_ap_trampoline_start:
    leaq ap_trampoline(%rip), %rax
    ret
    .globl x86_ap_trampoline_end
x86_ap_trampoline_end:
    leaq ap_trampoline_end(%rip), %rax
    ret

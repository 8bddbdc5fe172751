/*
 * x86_64 entry. QEMU's PVH boot enters pvh_start32 in 32-bit protected mode,
 * paging off, %ebx = physical address of hvm_start_info. A Multiboot2 loader
 * (GRUB, for `cambi image` disks) enters the same place in the same mode with
 * %eax = 0x36d76289 and %ebx = the Multiboot2 information; the kernel is then
 * called with bit 63 of its argument set (src/arch/x86_64/boot.ts). We build boot page
 * tables (identity and the direct map of the first 4 GiB with 2 MiB pages, and
 * the kernel image at KERNEL_VMA), enter long mode, jump to the higher half and
 * call kernelMain(start_info). The KTS kernel then builds its real page tables.
 * The identity map leaves out the page at 0, so a null pointer faults; its
 * first 2 MiB are 4 KiB pages (boot_pt_ident), the rest is shared with the
 * direct map.
 */
#define KERNEL_VMA    0xffffffff80000000
#define XEN_ELFNOTE_PHYS32_ENTRY 18
#define MB2_HEADER_MAGIC 0xe85250d6
#define MB2_LOADER_MAGIC 0x36d76289

    /* The Multiboot2 header (first in the image, inside its first 32 KiB, 8-aligned):
     * i386 (32-bit protected mode) entry at the ELF entry point; modules page-aligned. */
    .section .multiboot2, "a"
    .balign 8
mb2_header:
    .long MB2_HEADER_MAGIC
    .long 0
    .long mb2_header_end - mb2_header
    .long -(MB2_HEADER_MAGIC + (mb2_header_end - mb2_header))
    .short 6, 0                     /* module alignment tag */
    .long 8
    .short 0, 0                     /* end tag */
    .long 8
mb2_header_end:

    .section .note.Xen, "a", @note
    .balign 4
    .long 4                         /* name size */
    .long 4                         /* descriptor size */
    .long XEN_ELFNOTE_PHYS32_ENTRY
    .asciz "Xen"
    .long pvh_start32

    .section .boot.bss, "aw", @nobits
    .balign 4096
    .globl boot_pml4                /* also the APs' tables on their way to long mode (trampoline.S) */
boot_pml4:      .skip 4096
boot_pdpt_low:  .skip 4096
boot_pdpt_high: .skip 4096
boot_pd:        .skip 4096 * 4      /* 4 GiB in 2 MiB pages */
boot_pdpt_ident: .skip 4096         /* identity: like boot_pdpt_low but GiB 0 -> boot_pd_ident */
boot_pd_ident:  .skip 4096          /* identity GiB 0: [0] -> boot_pt_ident, then 2 MiB pages */
boot_pt_ident:  .skip 4096          /* identity 0..2 MiB in 4 KiB pages, page 0 absent */
BOOT_TABLE_PAGES = 10

    .section .boot.data, "aw"
    .balign 16
boot_gdt:
    .quad 0
    .quad 0x00af9a000000ffff        /* 0x08: 64-bit code */
    .quad 0x00cf92000000ffff        /* 0x10: data */
boot_gdt_end:
boot_gdtr:
    .word boot_gdt_end - boot_gdt - 1
    .quad boot_gdt

    .section .boot.text, "ax"
    .code32
    .globl pvh_start32
pvh_start32:
    cli
    cld
    xorl %esi, %esi                 /* protocol: 0 PVH, 1 Multiboot2 (kept in %esi) */
    cmpl $MB2_LOADER_MAGIC, %eax
    jne 0f
    movl $1, %esi
0:  movl %ebx, %edi                 /* keep start_info / the Multiboot2 information */

    /* Clear the boot tables. */
    movl $boot_pml4, %ebx
    xorl %eax, %eax
    movl $(4096 * BOOT_TABLE_PAGES / 4), %ecx
    movl %ebx, %edx
1:  movl %eax, (%edx)
    addl $4, %edx
    loop 1b

    /* PD entries: 2048 x 2 MiB pages covering 0..4 GiB, present|writable|huge. */
    movl $boot_pd, %edx
    xorl %ecx, %ecx
2:  movl %ecx, %eax
    shll $21, %eax
    orl $0x83, %eax
    movl %eax, (%edx, %ecx, 8)
    movl %ecx, %eax
    shrl $11, %eax                  /* high dword: (i * 2 MiB) >> 32 */
    movl %eax, 4(%edx, %ecx, 8)
    incl %ecx
    cmpl $2048, %ecx
    jne 2b

    /* PDPT (low): 4 entries -> the 4 PDs: the direct map. */
    movl $boot_pdpt_low, %edx
    movl $boot_pd, %eax
    orl $3, %eax
    movl %eax, 0(%edx)
    addl $4096, %eax
    movl %eax, 8(%edx)
    addl $4096, %eax
    movl %eax, 16(%edx)
    addl $4096, %eax
    movl %eax, 24(%edx)

    /* Identity PT: pages 1..511 (4 KiB) present|writable; page 0 stays absent. */
    movl $boot_pt_ident, %edx
    movl $1, %ecx
3:  movl %ecx, %eax
    shll $12, %eax
    orl $3, %eax
    movl %eax, (%edx, %ecx, 8)
    incl %ecx
    cmpl $512, %ecx
    jne 3b

    /* Identity PD for GiB 0: [0] -> the PT above, [1..511] as boot_pd. */
    movl $boot_pd_ident, %edx
    movl $boot_pt_ident, %eax
    orl $3, %eax
    movl %eax, 0(%edx)
    movl $1, %ecx
4:  movl $boot_pd, %eax
    movl (%eax, %ecx, 8), %eax
    movl %eax, (%edx, %ecx, 8)
    incl %ecx
    cmpl $512, %ecx
    jne 4b

    /* Identity PDPT: GiB 0 -> the PD above, GiBs 1..3 shared with the direct map. */
    movl $boot_pdpt_ident, %edx
    movl $boot_pd_ident, %eax
    orl $3, %eax
    movl %eax, 0(%edx)
    movl $boot_pdpt_low, %eax
    movl 8(%eax), %ecx
    movl %ecx, 8(%edx)
    movl 16(%eax), %ecx
    movl %ecx, 16(%edx)
    movl 24(%eax), %ecx
    movl %ecx, 24(%edx)

    /* PDPT (high): entry 510 -> PD 0, so KERNEL_VMA maps physical 0..1 GiB. */
    movl $boot_pdpt_high, %edx
    movl $boot_pd, %eax
    orl $3, %eax
    movl %eax, (510 * 8)(%edx)

    /* PML4: [0] identity, [256] direct map at 0xffff800000000000, [511] kernel. */
    movl $boot_pml4, %edx
    movl $boot_pdpt_ident, %eax
    orl $3, %eax
    movl %eax, 0(%edx)
    movl $boot_pdpt_low, %eax
    orl $3, %eax
    movl %eax, (256 * 8)(%edx)
    movl $boot_pdpt_high, %eax
    orl $3, %eax
    movl %eax, (511 * 8)(%edx)

    /* PAE + global pages, load CR3, EFER.LME | NXE, paging + write protect. */
    movl %cr4, %eax
    orl $0xa0, %eax
    movl %eax, %cr4
    movl $boot_pml4, %eax
    movl %eax, %cr3
    movl $0xc0000080, %ecx
    rdmsr
    orl $0x900, %eax
    wrmsr
    /* PG | WP | PE, and EM: x87/MMX fault (#NM/#UD) and, with CR4.OSFXSR clear,
     * so does SSE: no task has FP state, so using it ends the task. */
    movl %cr0, %eax
    orl $0x80010005, %eax
    movl %eax, %cr0

    lgdt boot_gdtr
    ljmp $0x08, $long_mode

    .code64
long_mode:
    movw $0x10, %ax
    movw %ax, %ds
    movw %ax, %es
    movw %ax, %ss
    xorw %ax, %ax
    movw %ax, %fs
    movw %ax, %gs
    movabsq $higher_half, %rax
    jmp *%rax

    .text
higher_half:
    movabsq $boot_stack_top, %rsp
    xorl %ebp, %ebp
    movl %edi, %r12d                /* start_info (physical), zero-extended */
    movl %esi, %eax
    shlq $63, %rax
    orq %rax, %r12                  /* bit 63: Multiboot2 */
    call kts_init_modules
    movq %r12, %rdi
    call kts_kernel_entry             /* kernelMain of the image's entry module (--defsym) */
3:  cli
    hlt
    jmp 3b

    .bss
    .balign 16
boot_stack:
    .skip 65536
boot_stack_top:

/* Runtime hooks of the freestanding KTS runtime, implemented in KTS. */
    .text
    .globl kts_putc
kts_putc:
    jmp arch_x86_64_console__putc
    .globl kts_halt
kts_halt:
    jmp arch_x86_64_cpu__haltForever

/* x86_boot_stack_top(): the boot CPU's stack (its TSS RSP0). */
    .globl x86_boot_stack_top
x86_boot_stack_top:
    movabsq $boot_stack_top, %rax
    ret

/* Addresses of the kernel's sections (linker-script symbols) for the KTS memory code. */
    .text
    .globl arch_kernel_text_start
arch_kernel_text_start:
    leaq __text_start(%rip), %rax
    ret
    .globl arch_kernel_text_end
arch_kernel_text_end:
    leaq __text_end(%rip), %rax
    ret
    .globl arch_kernel_rodata_end
arch_kernel_rodata_end:
    leaq __rodata_end(%rip), %rax
    ret
    .globl arch_kernel_end
arch_kernel_end:
    leaq __kernel_end(%rip), %rax
    ret

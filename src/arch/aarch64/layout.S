/* Addresses of the kernel's sections (linker-script symbols) for the KTS memory code. */
    .text
    .globl arch_kernel_text_start
arch_kernel_text_start:
    adrp x0, __text_start
    add x0, x0, :lo12:__text_start
    ret
    .globl arch_kernel_text_end
arch_kernel_text_end:
    adrp x0, __text_end
    add x0, x0, :lo12:__text_end
    ret
    .globl arch_kernel_rodata_end
arch_kernel_rodata_end:
    adrp x0, __rodata_end
    add x0, x0, :lo12:__rodata_end
    ret
    .globl arch_kernel_end
arch_kernel_end:
    adrp x0, __kernel_end
    add x0, x0, :lo12:__kernel_end
    ret

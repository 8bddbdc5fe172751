"use unsafe";
/**
 * The kernel image's sections as the linker placed them (virtual addresses,
 * page-aligned): text, then rodata, then data and bss. Both arches' link
 * scripts define the same symbols and src/arch/<arch>/layout.S returns them.
 */
import { usize } from "kts";

declare function arch_kernel_text_start(): usize;
declare function arch_kernel_text_end(): usize;
declare function arch_kernel_rodata_end(): usize;
declare function arch_kernel_end(): usize;

export function kernelTextStart(): usize {
  return arch_kernel_text_start();
}

export function kernelTextEnd(): usize {
  return arch_kernel_text_end();
}

export function kernelRodataEnd(): usize {
  return arch_kernel_rodata_end();
}

export function kernelEnd(): usize {
  return arch_kernel_end();
}

/*
 * AArch64 entry: the arm64 Linux Image header (with room for the PE/COFF header
 * that makes the Image a UEFI application: efi.S), then with the MMU off (running
 * at the load address, so only PC-relative addressing): drop from EL2 to EL1
 * if needed, clear BSS, build boot tables that map the first 4 GiB both at 0
 * (TTBR0, identity) and at PHYS_OFFSET (TTBR1, where the kernel is linked),
 * turn the MMU on, jump to the higher half and call kernelMain(dtb).
 *
 * Secondary CPUs enter at secondary_entry (PSCI CPU_ON, MMU off, x0 = the
 * context id = their CPU index), take the same EL2 -> EL1 path, turn the MMU on
 * with the boot tables the boot CPU built, and call the KTS
 * arch_aarch64_smp__secondaryMain(index) on their own stack.
 *
 * Every CPU has TPIDR_EL1 = its CPU index (0 = boot CPU) before any KTS code runs.
 */
#define PHYS_OFFSET 0xffff000000000000

/* Block descriptors: AF | inner shareable | AttrIndx (0 = device, 1 = normal). */
#define BLOCK_NORMAL ((1 << 10) | (3 << 8) | (1 << 2) | 1)
#define BLOCK_DEVICE ((1 << 10) | (0 << 2) | (1 << 54) | (1 << 53) | 1)

/* Secondary CPU stacks: AP_STACK_SIZE bytes per CPU index (slot 0, the boot CPU's, unused). */
#define MAX_CPUS 16
#define AP_STACK_SHIFT 14
#define AP_STACK_SIZE (1 << AP_STACK_SHIFT)

/*
 * If running at EL2: let EL1 be AArch64 and use the counters and the GIC
 * system registers, then continue at EL1h with DAIF masked. Clobbers x0.
 */
.macro DROP_TO_EL1
    mrs x0, CurrentEL
    lsr x0, x0, #2
    cmp x0, #2
    b.ne 9f
    mrs x0, cnthctl_el2
    orr x0, x0, #3
    msr cnthctl_el2, x0
    msr cntvoff_el2, xzr
    mov x0, #(1 << 31)
    msr hcr_el2, x0
    mrs x0, S3_4_C12_C9_5           /* ICC_SRE_EL2 */
    orr x0, x0, #0xf
    msr S3_4_C12_C9_5, x0
    isb
    mov x0, #0x3c5                  /* EL1h, interrupts masked */
    msr spsr_el2, x0
    adr x0, 9f
    msr elr_el2, x0
    eret
9:
.endm

    .section .head.text, "ax"
    .globl _head
_head:
    .long 0xfa405a4d                /* code0: "MZ" for UEFI, as an instruction ccmp x18, #0, #0xd, pl (no effect) */
    b primary_entry                 /* code1 */
    .quad 0                         /* text_offset: QEMU loads at RAM + 2 MiB */
    .quad __image_size              /* image_size */
    .quad 0xa                       /* flags: LE, 4 KiB pages, anywhere in RAM */
    .quad 0, 0, 0
    .ascii "ARM\x64"
    .long pe_header - _head         /* the PE/COFF header (UEFI; efi.S) */
pe_header:
    .skip 0x1c0                     /* written by `cambi image` (compiler/image/pe.ts) */

primary_entry:
    mov x19, x0                     /* DTB (physical) */
    DROP_TO_EL1

    /* Clear BSS (physical addresses: the MMU is off). */
    adrp x0, __bss_start
    add x0, x0, :lo12:__bss_start
    adrp x1, __bss_end
    add x1, x1, :lo12:__bss_end
1:  cmp x0, x1
    b.hs 2f
    str xzr, [x0], #8
    b 1b
2:
    /* L0[0] -> L1; L1[0] device, L1[1..3] normal: 4 GiB in 1 GiB blocks. */
    adrp x0, boot_l0
    adrp x1, boot_l1
    orr x2, x1, #3
    str x2, [x0]
    ldr x2, =BLOCK_DEVICE
    str x2, [x1]
    ldr x2, =BLOCK_NORMAL
    mov x3, #1
3:  lsl x4, x3, #30
    orr x4, x4, x2
    str x4, [x1, x3, lsl #3]
    add x3, x3, #1
    cmp x3, #4
    b.ne 3b
    dsb ish

    bl mmu_on
    ldr x0, =higher_half
    br x0

higher_half:
    ldr x0, =boot_stack_top
    mov sp, x0
    ldr x0, =vectors
    msr vbar_el1, x0
    msr tpidr_el1, xzr              /* CPU index 0 */
    isb
    mov x29, xzr                    /* the outermost frame record: backtraces stop here */
    mov x30, xzr
    bl kts_init_modules
    mov x0, x19
    bl kts_kernel_entry               /* kernelMain of the image's entry module (--defsym) */
4:  wfi
    b 4b

/*
 * Secondary CPU entry (physical address given to PSCI CPU_ON): MMU off,
 * x0 = CPU index. Indexes beyond the stack array park here.
 */
    .globl secondary_entry
secondary_entry:
    mov x19, x0
    DROP_TO_EL1
    cmp x19, #MAX_CPUS
    b.hs 6f
    bl mmu_on
    ldr x0, =secondary_higher_half
    br x0
6:  wfe
    b 6b

secondary_higher_half:
    ldr x0, =ap_stacks
    add x1, x19, #1
    lsl x1, x1, #AP_STACK_SHIFT
    add sp, x0, x1
    ldr x0, =vectors
    msr vbar_el1, x0
    msr tpidr_el1, x19              /* CPU index */
    isb
    mov x29, xzr
    mov x30, xzr
    mov x0, x19
    bl arch_aarch64_smp__secondaryMain
5:  wfi
    b 5b

/*
 * Turns the MMU on with the boot tables (boot_l0 for both TTBR0 and TTBR1) and
 * returns. Called with the MMU off from the physical (identity-mapped) image, so
 * the return address stays valid. Clobbers x0-x2.
 */
mmu_on:
    /* MAIR: attr0 device nGnRE, attr1 normal write-back. */
    mov x0, #0xff04
    msr mair_el1, x0
    /* TCR: 48-bit VAs in both halves, 4 KiB granules, WB WA inner shareable walks. */
    ldr x0, =0xb5103510
    mrs x1, id_aa64mmfr0_el1
    and x1, x1, #7
    cmp x1, #5
    mov x2, #5
    csel x1, x1, x2, ls             /* IPS = min(PARange, 48 bits) */
    orr x0, x0, x1, lsl #32
    msr tcr_el1, x0
    adrp x0, boot_l0
    msr ttbr0_el1, x0
    msr ttbr1_el1, x0
    isb
    tlbi vmalle1
    dsb nsh
    isb
    mrs x0, sctlr_el1
    ldr x1, =0x1005                 /* M, C, I */
    orr x0, x0, x1
    bic x0, x0, #2                  /* no alignment faults */
    bic x0, x0, #(1 << 9)           /* UMA: EL0 may not mask interrupts */
    bic x0, x0, #(1 << 24)          /* E0E: EL0 little-endian */
    msr sctlr_el1, x0
    /* FP/SIMD trapped at EL0 and EL1 (FPEN = 0): no task has FP state, so using it ends the task. */
    msr cpacr_el1, xzr
    isb
    ret
    .ltorg

/* Runtime hooks of the freestanding KTS runtime, implemented in KTS. */
    .text
    .globl kts_putc
kts_putc:
    b arch_aarch64_console__putc
    .globl kts_halt
kts_halt:
    b arch_aarch64_cpu__haltForever

/*
 * PSCI: x0 = function, x1..x3 args, result in x0. Through HVC (QEMU virt
 * without EL3 firmware), or SMC when the device tree's /psci says so.
 */
    .globl arch_psci_call
arch_psci_call:
    hvc #0
    ret
    .globl arch_psci_call_smc
arch_psci_call_smc:
    smc #0
    ret

/* secondary_entry's link-time (kernel virtual) address, for KTS. */
    .globl arch_secondary_entry_va
arch_secondary_entry_va:
    ldr x0, =secondary_entry
    ret
    .ltorg

    .section .bss
    .balign 4096
boot_l0:    .skip 4096
boot_l1:    .skip 4096
    .balign 16
boot_stack: .skip 65536
boot_stack_top:
    .balign 16
ap_stacks:  .skip MAX_CPUS * AP_STACK_SIZE

/*
 * The kernel Image as a UEFI application (`cambi image`, docs/image.md). The
 * Image header's code0 is "MZ" and its field at 0x3c points at a PE/COFF header
 * that `cambi image` writes into the space entry.S leaves for it. The firmware
 * loads the PE image wherever it likes (its base relocation table is empty: the
 * code here is position-independent) and calls efi_entry(ImageHandle,
 * SystemTable) with the MMU on (identity map) at EL1 or EL2. The kernel itself
 * is linked to run at physical 0x40200000, which firmware such as AAVMF keeps
 * for its runtime services: the kernel never calls those, so after
 * ExitBootServices the image is copied there.
 *
 * efi_entry: the device tree from the configuration table; \BOOT\CAMBIOS\BUNDLE.BIN
 * from the volume the image was loaded from (the signed boot bundle); the memory
 * map, then ExitBootServices (once more with a fresh map if the key went stale).
 * The bundle, the map, the device tree and the stack must lie outside the
 * kernel's place (checked). After ExitBootServices it copies the Image there,
 * records what it found in the copy's efi_handoff (.data, so the entry's BSS
 * clearing keeps it), cleans the caches over what the kernel reads with the MMU
 * off, turns the MMU off and enters the copy like a -kernel boot, x0 = the
 * device tree. Before
 * ExitBootServices a failure prints its reason on the firmware's console and
 * returns EFI_LOAD_ERROR.
 *
 * The layouts (UEFI 2.10): EFI_SYSTEM_TABLE BootServices at 96,
 * NumberOfTableEntries 104, ConfigurationTable 112 (entries: GUID, pointer; 24
 * bytes), ConOut 64; EFI_BOOT_SERVICES AllocatePages 40, GetMemoryMap 56,
 * HandleProtocol 152, ExitBootServices 232; EFI_LOADED_IMAGE_PROTOCOL
 * DeviceHandle 24; EFI_SIMPLE_FILE_SYSTEM_PROTOCOL OpenVolume 8;
 * EFI_FILE_PROTOCOL Open 8, Close 16, Read 32, GetPosition 48, SetPosition 56;
 * EFI_SIMPLE_TEXT_OUTPUT_PROTOCOL OutputString 8.
 */
#define EFI_HANDOFF_MAGIC 0x43464549424d4143    /* "CAMBIEFC" little-endian */
#define EFI_LOAD_ERROR 0x8000000000000001
#define MAP_PAGES 16                            /* 64 KiB for the memory map */

/* Frame: x29/x30 at 0, x19-x28 at 16..95, locals at 96.. */
#define L_LOADED   96
#define L_FS      104
#define L_ROOT    112
#define L_FILE    120
#define L_SIZE    128
#define L_ADDR    136
#define L_KEY     144
#define L_DSIZE   152
#define L_DVER    160
#define FRAME     432                           /* + 256 bytes of UTF-16 message buffer at 176 */
#define L_MSG     176

.macro EFI_CALL table, offset
    ldr x9, [\table, #\offset]
    blr x9
.endm

    .section .efi.text, "ax"
    .globl efi_entry
efi_entry:
    stp x29, x30, [sp, #-FRAME]!
    mov x29, sp
    stp x19, x20, [sp, #16]
    stp x21, x22, [sp, #32]
    stp x23, x24, [sp, #48]
    stp x25, x26, [sp, #64]
    stp x27, x28, [sp, #80]
    mov x19, x0                     /* ImageHandle */
    mov x20, x1                     /* SystemTable */
    ldr x21, [x20, #96]             /* BootServices */

    /* The device tree: the configuration table entry with the DTB GUID. */
    ldr x2, [x20, #104]
    ldr x3, [x20, #112]
    adr x4, dtb_guid
    ldp x5, x6, [x4]
1:  cbz x2, no_dtb
    ldp x7, x8, [x3]
    cmp x7, x5
    ccmp x8, x6, #0, eq
    b.eq 2f
    add x3, x3, #24
    sub x2, x2, #1
    b 1b
2:  ldr x23, [x3, #16]

    /* The volume this image came from, and the bundle file on it. */
    mov x0, x19
    adr x1, loaded_image_guid
    add x2, sp, #L_LOADED
    EFI_CALL x21, 152
    cbnz x0, no_volume
    ldr x0, [sp, #L_LOADED]
    ldr x0, [x0, #24]               /* DeviceHandle */
    adr x1, simple_fs_guid
    add x2, sp, #L_FS
    EFI_CALL x21, 152
    cbnz x0, no_volume
    ldr x0, [sp, #L_FS]
    add x1, sp, #L_ROOT
    EFI_CALL x0, 8                  /* OpenVolume */
    cbnz x0, no_volume
    ldr x0, [sp, #L_ROOT]
    add x1, sp, #L_FILE
    adr x2, bundle_path
    mov x3, #1                      /* EFI_FILE_MODE_READ */
    mov x4, #0
    ldr x9, [x0, #8]                /* Open */
    blr x9
    cbnz x0, no_bundle

    /* Its size: seek to the end, read the position, seek back. */
    ldr x0, [sp, #L_FILE]
    mov x1, #-1
    EFI_CALL x0, 56
    cbnz x0, bad_read
    ldr x0, [sp, #L_FILE]
    add x1, sp, #L_SIZE
    EFI_CALL x0, 48
    cbnz x0, bad_read
    ldr x25, [sp, #L_SIZE]
    ldr x0, [sp, #L_FILE]
    mov x1, #0
    EFI_CALL x0, 56
    cbnz x0, bad_read

    /* Pages below 4 GiB (the kernel's boot map) for it, and read it whole. */
    mov x9, #0xffffffff
    str x9, [sp, #L_ADDR]
    mov x0, #1                      /* AllocateMaxAddress */
    mov x1, #2                      /* EfiLoaderData */
    add x2, x25, #4095
    lsr x2, x2, #12
    add x3, sp, #L_ADDR
    EFI_CALL x21, 40
    cbnz x0, no_memory
    ldr x24, [sp, #L_ADDR]
    str x25, [sp, #L_SIZE]
    ldr x0, [sp, #L_FILE]
    add x1, sp, #L_SIZE
    mov x2, x24
    EFI_CALL x0, 32
    cbnz x0, bad_read
    ldr x9, [sp, #L_SIZE]
    cmp x9, x25
    b.ne bad_read
    ldr x0, [sp, #L_FILE]
    EFI_CALL x0, 16                 /* Close */

    /* A buffer for the memory map, then the map and ExitBootServices (twice at most). */
    mov x9, #0xffffffff
    str x9, [sp, #L_ADDR]
    mov x0, #1
    mov x1, #2
    mov x2, #MAP_PAGES
    add x3, sp, #L_ADDR
    EFI_CALL x21, 40
    cbnz x0, no_memory
    ldr x26, [sp, #L_ADDR]

    /* x27 = the kernel's place (physical), x22 = its size with BSS. Nothing we keep may lie there. */
    ldr x27, =_head
    and x27, x27, #0x0000ffffffffffff
    ldr x22, =__kernel_end
    and x22, x22, #0x0000ffffffffffff
    sub x22, x22, x27
    mov x0, x24
    mov x1, x25
    bl overlaps_kernel
    cbnz x0, in_the_way_bundle
    mov x0, x26
    mov x1, #(MAP_PAGES * 4096)
    bl overlaps_kernel
    cbnz x0, in_the_way_map
    mov x0, x23
    ldr w1, [x23, #4]
    rev w1, w1
    bl overlaps_kernel
    cbnz x0, in_the_way_dtb
    mov x0, sp
    sub x0, x0, #0x10, lsl #12      /* the stack, and what the firmware may still push: 64 KiB below */
    mov x1, #0x20000                /* ... to 64 KiB above */
    bl overlaps_kernel
    cbnz x0, in_the_way_stack
    /* A page for the trampoline, outside the kernel's place; BootServices (x21) is not needed after exit. */
    mov x9, #0xffffffff
    str x9, [sp, #L_ADDR]
    mov x0, #1
    mov x1, #2
    mov x2, #1
    add x3, sp, #L_ADDR
    EFI_CALL x21, 40
    cbnz x0, no_memory
    ldr x0, [sp, #L_ADDR]
    mov x1, #4096
    bl overlaps_kernel
    cbnz x0, in_the_way_image
    adr x0, tramp_start
    adr x1, tramp_end
    ldr x2, [sp, #L_ADDR]
15: ldr w3, [x0], #4
    str w3, [x2], #4
    cmp x0, x1
    b.lo 15b
    mov x28, #2
3:  mov x9, #(MAP_PAGES * 4096)
    str x9, [sp, #L_SIZE]
    add x0, sp, #L_SIZE
    mov x1, x26
    add x2, sp, #L_KEY
    add x3, sp, #L_DSIZE
    add x4, sp, #L_DVER
    EFI_CALL x21, 56
    cbnz x0, no_map
    mov x0, x19
    ldr x1, [sp, #L_KEY]
    ldr x9, [x21, #232]
    ldr x21, [sp, #L_ADDR]          /* the trampoline page, if this succeeds */
    blr x9
    cbz x0, 4f
    ldr x21, [x20, #96]             /* it did not: BootServices again */
    subs x28, x28, #1
    b.ne 3b
    b no_exit

    /* Boot services are gone: record what the kernel needs in this image's efi_handoff (the copy takes it along). */
4:  adrp x0, efi_handoff
    add x0, x0, :lo12:efi_handoff
    ldr x1, =EFI_HANDOFF_MAGIC
    str x1, [x0, #0]
    str x23, [x0, #8]               /* device tree */
    str x24, [x0, #16]              /* bundle */
    str x25, [x0, #24]
    str x26, [x0, #32]              /* memory map */
    ldr x1, [sp, #L_SIZE]
    str x1, [x0, #40]
    ldr x1, [sp, #L_DSIZE]
    str x1, [x0, #48]
    ldr x1, [sp, #L_DVER]
    str x1, [x0, #56]

    /* Clean and invalidate to the point of coherency all that is read with the MMU off. */
    adrp x0, _head
    add x0, x0, :lo12:_head
    mov x1, x22
    bl dcache_clean_inval
    mov x0, x21
    mov x1, #4096
    bl dcache_clean_inval
    mov x0, x26
    mov x1, #(MAP_PAGES * 4096)
    bl dcache_clean_inval
    mov x0, x24
    mov x1, x25
    bl dcache_clean_inval
    mov x0, x23
    ldr w1, [x23, #4]               /* totalsize, big-endian */
    rev w1, w1
    bl dcache_clean_inval

    /* MMU and caches off, SCTLR_EL1 to its architectural RES1 bits (no WXN or other firmware settings). */
    mrs x0, CurrentEL
    lsr x0, x0, #2
    cmp x0, #2
    b.ne 5f
    mrs x0, sctlr_el2
    bic x0, x0, #1                  /* M */
    bic x0, x0, #(1 << 2)           /* C */
    bic x0, x0, #(1 << 12)          /* I */
    msr sctlr_el2, x0
    isb
5:  ldr x0, =0x30d00800
    msr sctlr_el1, x0
    isb
    ic iallu
    dsb sy
    isb
    /* The trampoline (its own page) moves the Image, up to BSS, to its place and enters it. */
    adrp x0, _head
    add x0, x0, :lo12:_head
    mov x1, x27
    adrp x2, __bss_start
    add x2, x2, :lo12:__bss_start
    sub x2, x2, x0
    br x21

/*
 * Runs from a page of its own with the MMU off: x0 = source, x1 = destination,
 * x2 = length (a multiple of 16), x23 = the device tree. A memmove (the two may
 * overlap), then the Image's _head with x0 = the device tree.
 */
tramp_start:
    cmp x1, x0
    b.eq 3f
    b.hi 2f
    mov x4, x0
    mov x5, x1
    add x6, x0, x2
1:  ldp x7, x8, [x4], #16
    stp x7, x8, [x5], #16
    cmp x4, x6
    b.lo 1b
    b 3f
2:  add x4, x0, x2
    add x5, x1, x2
4:  ldp x7, x8, [x4, #-16]!
    stp x7, x8, [x5, #-16]!
    cmp x4, x0
    b.hi 4b
3:  ic iallu
    dsb sy
    isb
    mov x0, x23
    br x1                           /* _head: code0 (no effect), then code1: primary_entry */
tramp_end:

no_dtb:
    adr x0, msg_no_dtb
    b fail
no_volume:
    adr x0, msg_no_volume
    b fail
no_bundle:
    adr x0, msg_no_bundle
    b fail
bad_read:
    adr x0, msg_bad_read
    b fail
no_memory:
    adr x0, msg_no_memory
    b fail
no_map:
    adr x0, msg_no_map
    b fail
in_the_way_bundle:
    adr x0, msg_way_bundle
    b fail
in_the_way_map:
    adr x0, msg_way_map
    b fail
in_the_way_dtb:
    adr x0, msg_way_dtb
    b fail
in_the_way_stack:
    adr x0, msg_way_stack
    b fail
in_the_way_image:
    adr x0, msg_way_image
    b fail
no_exit:
    adr x0, msg_no_exit
    /* Boot services may be half gone: no console, just stop. */
6:  wfi
    b 6b

/* Prints the ASCII string at x0 (up to 127 characters) on ConOut and returns EFI_LOAD_ERROR. */
fail:
    add x1, sp, #L_MSG
    mov x2, #0
7:  ldrb w3, [x0, x2]
    cbz w3, 8f
    strh w3, [x1, x2, lsl #1]
    add x2, x2, #1
    cmp x2, #127
    b.lo 7b
8:  strh wzr, [x1, x2, lsl #1]
    ldr x0, [x20, #64]              /* ConOut */
    EFI_CALL x0, 8                  /* OutputString(ConOut, msg) */
    ldr x0, =EFI_LOAD_ERROR
    ldp x19, x20, [sp, #16]
    ldp x21, x22, [sp, #32]
    ldp x23, x24, [sp, #48]
    ldp x25, x26, [sp, #64]
    ldp x27, x28, [sp, #80]
    ldp x29, x30, [sp], #FRAME
    ret

/* x0 = 1 if [x0, x0 + x1) meets the kernel's place [x27, x27 + x22), else 0. */
overlaps_kernel:
    add x1, x0, x1
    add x2, x27, x22
    cmp x0, x2
    b.hs 14f
    cmp x1, x27
    b.ls 14f
    mov x0, #1
    ret
14: mov x0, #0
    ret

/* dc civac over [x0, x0 + x1). Clobbers x0-x4. */
dcache_clean_inval:
    mrs x3, ctr_el0
    ubfx x3, x3, #16, #4
    mov x2, #4
    lsl x2, x2, x3                  /* the smallest data cache line */
    add x1, x0, x1
    sub x4, x2, #1
    bic x0, x0, x4
9:  cmp x0, x1
    b.hs 10f
    dc civac, x0
    add x0, x0, x2
    b 9b
10: dsb sy
    ret
    .ltorg

    .balign 8
dtb_guid:               /* b1b621d5-f19c-41a5-830b-d9152c69aae0 */
    .long 0xb1b621d5
    .short 0xf19c, 0x41a5
    .byte 0x83, 0x0b, 0xd9, 0x15, 0x2c, 0x69, 0xaa, 0xe0
loaded_image_guid:      /* 5b1b31a1-9562-11d2-8e3f-00a0c969723b */
    .long 0x5b1b31a1
    .short 0x9562, 0x11d2
    .byte 0x8e, 0x3f, 0x00, 0xa0, 0xc9, 0x69, 0x72, 0x3b
simple_fs_guid:         /* 964e5b22-6459-11d2-8e39-00a0c969723b */
    .long 0x964e5b22
    .short 0x6459, 0x11d2
    .byte 0x8e, 0x39, 0x00, 0xa0, 0xc9, 0x69, 0x72, 0x3b
bundle_path:            /* L"\\BOOT\\CAMBIOS\\BUNDLE.BIN" */
    .short '\\', 'B', 'O', 'O', 'T', '\\', 'C', 'A', 'M', 'B', 'I', 'O', 'S', '\\'
    .short 'B', 'U', 'N', 'D', 'L', 'E', '.', 'B', 'I', 'N', 0
msg_no_dtb:     .asciz "CambiOS: no device tree in the configuration table (QEMU: -machine virt,acpi=off)\r\n"
msg_no_volume:  .asciz "CambiOS: cannot open the boot volume\r\n"
msg_no_bundle:  .asciz "CambiOS: no \\BOOT\\CAMBIOS\\BUNDLE.BIN\r\n"
msg_bad_read:   .asciz "CambiOS: cannot read the bundle\r\n"
msg_no_memory:  .asciz "CambiOS: AllocatePages failed\r\n"
msg_no_map:     .asciz "CambiOS: GetMemoryMap failed\r\n"
msg_way_bundle: .asciz "CambiOS: the bundle's pages lie where the kernel must go (0x40200000)\r\n"
msg_way_map:    .asciz "CambiOS: the memory map's pages lie where the kernel must go (0x40200000)\r\n"
msg_way_dtb:    .asciz "CambiOS: the device tree lies where the kernel must go (0x40200000)\r\n"
msg_way_stack:  .asciz "CambiOS: the firmware's stack lies where the kernel must go (0x40200000)\r\n"
msg_way_image:  .asciz "CambiOS: the trampoline page lies where the kernel must go (0x40200000)\r\n"
msg_no_exit:    .asciz "CambiOS: ExitBootServices failed\r\n"

/* What efi_entry found (magic 0 when the Image was not started by UEFI). */
    .section .data
    .balign 8
    .globl efi_handoff
efi_handoff:
    .skip 64

/* arch_efi_handoff(): efi_handoff's kernel virtual address, for KTS. */
    .text
    .globl arch_efi_handoff
arch_efi_handoff:
    ldr x0, =efi_handoff
    ret
    .ltorg

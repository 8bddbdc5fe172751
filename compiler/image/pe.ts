/**
 * The PE/COFF header that makes the AArch64 kernel Image a UEFI application
 * (PE format specification; UEFI 2.10 section 2.1.1), written into the room
 * src/arch/aarch64/entry.S leaves after the Image header (code0 is already "MZ",
 * the field at 0x3c already points at the header).
 *
 * The firmware may load it anywhere: its base relocation table is empty (the
 * UEFI entry is position-independent and copies the kernel to where it is
 * linked after ExitBootServices), and relocations are not marked stripped, as
 * Linux's arm64 Image does. The first
 * page is the "headers" (the Image header and the -kernel entry, never run by
 * the firmware); then .text (RX, holding efi_entry), .rdata (R) and .data (RW,
 * its virtual size covering BSS). Section and file alignment are 4 KiB, so the
 * file's layout is the memory layout.
 */
export interface KernelSymbols {
  /** Virtual addresses of _head, __text_end, __rodata_end, __kernel_end, efi_entry. */
  head: bigint;
  textEnd: bigint;
  rodataEnd: bigint;
  kernelEnd: bigint;
  efiEntry: bigint;
  /** Physical load address of _head (the PE ImageBase). */
  phys: bigint;
}

const PAGE = 0x1000;
const PE_AT = 0x40;
const ROOM_END = 0x200;
const align = (n: number) => Math.ceil(n / PAGE) * PAGE;

/** A copy of the raw Image with the PE header filled in and the file padded to whole pages. */
export function efiApplication(image: Buffer, s: KernelSymbols): Buffer {
  if (image.subarray(0, 2).toString("latin1") !== "MZ" || image.readUInt32LE(0x3c) !== PE_AT || image.subarray(0x38, 0x3c).toString("latin1") !== "ARM\x64") {
    throw new Error("the kernel Image has no room for a PE header (code0 must be MZ, 0x3c = 0x40)");
  }
  if (image.subarray(PE_AT, ROOM_END).some((b) => b !== 0)) throw new Error("the kernel Image's PE header room is not empty");
  const off = (v: bigint) => Number(v - s.head);
  const textEnd = off(s.textEnd);
  const rodataEnd = off(s.rodataEnd);
  const kernelEnd = off(s.kernelEnd);
  const entry = off(s.efiEntry);
  if (entry < PAGE || entry >= textEnd) throw new Error(`efi_entry at +0x${entry.toString(16)} is not in .text past the first page`);
  if (textEnd % PAGE || rodataEnd % PAGE || kernelEnd % PAGE) throw new Error("kernel sections are not page-aligned");
  const dataRaw = align(image.length - rodataEnd);
  const out = Buffer.alloc(rodataEnd + dataRaw);
  image.copy(out);

  const h = out.subarray(PE_AT, ROOM_END);
  h.write("PE\0\0", 0, "latin1");
  // COFF file header.
  h.writeUInt16LE(0xaa64, 4); // Machine: ARM64
  h.writeUInt16LE(3, 6); // NumberOfSections
  h.writeUInt16LE(240, 20); // SizeOfOptionalHeader: 112 + 16 data directories
  h.writeUInt16LE(0x0002 | 0x0004 | 0x0020 | 0x0200, 22); // executable, no line numbers, large addresses, no debug
  // Optional header (PE32+).
  const o = h.subarray(24);
  o.writeUInt16LE(0x20b, 0);
  o.writeUInt32LE(textEnd - PAGE, 4); // SizeOfCode
  o.writeUInt32LE(kernelEnd - textEnd, 8); // SizeOfInitializedData
  o.writeUInt32LE(entry, 16); // AddressOfEntryPoint
  o.writeUInt32LE(PAGE, 20); // BaseOfCode
  o.writeBigUInt64LE(s.phys, 24); // ImageBase
  o.writeUInt32LE(PAGE, 32); // SectionAlignment
  o.writeUInt32LE(PAGE, 36); // FileAlignment
  o.writeUInt32LE(kernelEnd, 56); // SizeOfImage
  o.writeUInt32LE(PAGE, 60); // SizeOfHeaders
  o.writeUInt16LE(10, 68); // Subsystem: EFI application
  o.writeUInt32LE(16, 108); // NumberOfRvaAndSizes (all empty)
  // Section table.
  const sections: [string, number, number, number, number][] = [
    [".text", PAGE, textEnd - PAGE, textEnd - PAGE, 0x60000020],
    [".rdata", textEnd, rodataEnd - textEnd, rodataEnd - textEnd, 0x40000040],
    [".data", rodataEnd, kernelEnd - rodataEnd, dataRaw, 0xc0000040],
  ];
  sections.forEach(([name, va, vsize, raw, flags], i) => {
    const e = o.subarray(240 + 40 * i);
    e.write(name, 0, "latin1");
    e.writeUInt32LE(vsize, 8);
    e.writeUInt32LE(va, 12);
    e.writeUInt32LE(raw, 16);
    e.writeUInt32LE(va, 20); // PointerToRawData: the file is the memory layout
    e.writeUInt32LE(flags, 36);
  });
  if (24 + 240 + 40 * sections.length > ROOM_END - PE_AT) throw new Error("PE header larger than its room");
  return out;
}

// libFuzzer target: the ELF gate (src/kernel/loader/elf.ts) on arbitrary bytes,
// for both machines. An accepted image must keep the gate's promises, which
// elf-map.ts relies on when it maps the image: at most 16 segments, each one's
// file bytes inside the image (read here through the bounds-checked array, as
// mapElf reads them), in the user half above page 0, never writable and
// executable, not overlapping another, within the budget, and the entry inside
// an executable segment. A broken promise is a panic, which the fuzzer reports.
import { u8, u16, u32, u64, panic } from "kts";
import { checkElf, ElfImage, ElfError, EM_X86_64, EM_AARCH64, PF_W, PF_X } from "../../src/kernel/loader/elf";

const BUDGET: u64 = 0x100_0000n;
const USER_TOP: u64 = 0x8000_0000_0000n;
const img = new ElfImage();

function pageStart(v: u64): u64 {
  return v & u64(~0xfffn);
}

function pageEnd(v: u64): u64 {
  return u64(v + 0xfffn) & u64(~0xfffn);
}

function promisesKept(b: u8[]): void {
  if (img.segments == 0 || img.segments > 16) panic(`accepted with ${img.segments} segments`);
  let entryOk = false;
  let bytes: u64 = 0n;
  let sink: u32 = 0;
  for (let k: u32 = 0; k < img.segments; k++) {
    const va: u64 = img.vaddr[k];
    const memsz: u64 = img.memsz[k];
    const filesz: u64 = img.filesz[k];
    const off: u64 = img.offset[k];
    if (memsz == 0n || filesz > memsz) panic(`segment ${k}: file size over memory size`);
    if (off > u64(b.length) || filesz > u64(u64(b.length) - off)) panic(`segment ${k}: file bytes outside the image`);
    if (va < 0x1000n || va >= USER_TOP || memsz > u64(USER_TOP - va)) panic(`segment ${k}: outside the user half`);
    if ((img.flags[k] & PF_W) != 0 && (img.flags[k] & PF_X) != 0) panic(`segment ${k}: writable and executable`);
    // The bytes mapElf copies: its first and last, through the bounds-checked array.
    if (filesz != 0n) sink = u32(sink + u32(b[u32(off)]) + u32(b[u32(u64(off + filesz) - 1n)]));
    for (let j: u32 = 0; j < k; j++) {
      const s: u64 = pageStart(img.vaddr[j]);
      const e: u64 = pageEnd(u64(img.vaddr[j] + img.memsz[j]));
      if (pageStart(va) < e && s < pageEnd(u64(va + memsz))) panic(`segments ${j} and ${k} overlap`);
    }
    bytes = u64(bytes + u64(pageEnd(u64(va + memsz)) - pageStart(va)));
    if ((img.flags[k] & PF_X) != 0 && img.entry >= va && img.entry < u64(va + memsz)) entryOk = true;
  }
  if (bytes > BUDGET || bytes != img.bytes) panic(`accepted ${bytes} bytes (budget ${BUDGET}, counted ${img.bytes})`);
  if (!entryOk) panic(`accepted an entry outside its executable segments`);
  if (sink == 0xffff_ffff) panic("unreachable");
}

export function fuzzOne(b: u8[]): u32 {
  let ok: u32 = 0;
  if (checkElf(b, EM_X86_64, BUDGET, img) == ElfError.Ok) {
    promisesKept(b);
    ok = u32(ok + 1);
  }
  if (checkElf(b, EM_AARCH64, BUDGET, img) == ElfError.Ok) {
    promisesKept(b);
    ok = u32(ok + 1);
  }
  return ok;
}

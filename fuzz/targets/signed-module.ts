// libFuzzer target: the signed-module verifier (src/kernel/loader/signed-module.ts).
// Input: the 32-byte public key the module must be signed by, then the module.
// As the kernel does (task/services.ts checkService), a verified module's
// payload goes on to the ELF gate. A verdict is always an answer, never a panic.
import { u8, u32, slice, panic } from "kts";
import { verifySignedModule, signedPayloadOffset, signedPayloadSize, ModuleVerdict, SIGNED_HEADER_BYTES } from "../../src/kernel/loader/signed-module";
import { checkElf, ElfImage, EM_X86_64 } from "../../src/kernel/loader/elf";

const img = new ElfImage();

export function fuzzOne(b: u8[]): u32 {
  if (b.length < 32) return 0;
  const key = slice(b, 0, 32);
  const m = slice(b, 32, b.length);
  const v: ModuleVerdict = verifySignedModule(m, key);
  if (u32(v) > u32(ModuleVerdict.BadSignature)) panic(`verdict ${u32(v)} out of range`);
  if (v != ModuleVerdict.Ok) return u32(v);
  const p: u32 = signedPayloadOffset();
  const n: u32 = signedPayloadSize(m);
  if (p != SIGNED_HEADER_BYTES || u32(p + n) != m.length) panic(`payload ${p}+${n} of a ${m.length}-byte module`);
  return u32(checkElf(slice(m, p, u32(p + n)), EM_X86_64, 0x100_0000n, img));
}

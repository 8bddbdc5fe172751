/**
 * The boot bundle (QEMU -initrd): the user programs the kernel starts.
 * Layout, little-endian (read by src/kernel/loader/bundle.ts):
 *   0   magic "CAMBIBND"           8 bytes
 *   8   version (1)                u32
 *   12  entry count                u32
 *   16  entries, 64 bytes each:    name (48 bytes, NUL-padded), offset u64, size u64
 *   ... data, each entry 8-byte aligned
 * Signatures per module arrive with the trust-chain issue (#5).
 */
import { readFileSync, writeFileSync } from "node:fs";

export const BUNDLE_MAGIC = "CAMBIBND";

export function packBundle(entries: { name: string; data: Buffer }[], out: string): void {
  const headerSize = 16 + 64 * entries.length;
  let offset = (headerSize + 7) & ~7;
  const header = Buffer.alloc(offset);
  header.write(BUNDLE_MAGIC, 0, "ascii");
  header.writeUInt32LE(1, 8);
  header.writeUInt32LE(entries.length, 12);
  const parts: Buffer[] = [header];
  entries.forEach((e, i) => {
    const at = 16 + 64 * i;
    if (Buffer.byteLength(e.name) > 47) throw new Error(`bundle entry name too long: ${e.name}`);
    header.write(e.name, at, "utf8");
    header.writeBigUInt64LE(BigInt(offset), at + 48);
    header.writeBigUInt64LE(BigInt(e.data.length), at + 56);
    const padded = Buffer.alloc((e.data.length + 7) & ~7);
    e.data.copy(padded);
    parts.push(padded);
    offset += padded.length;
  });
  writeFileSync(out, Buffer.concat(parts));
}

export function readFile(p: string): Buffer {
  return readFileSync(p);
}

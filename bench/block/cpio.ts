/**
 * A writer of the "newc" cpio format (magic 070701), the one Linux unpacks as
 * an initramfs: each entry is a 110-byte ASCII header of thirteen 8-digit hex
 * fields, the NUL-terminated name, then the data, both padded to 4 bytes; the
 * archive ends with the entry "TRAILER!!!". Uncompressed: Linux takes it as is.
 */

export type CpioEntry =
  | { kind: "dir"; name: string; mode?: number }
  | { kind: "file"; name: string; data: Uint8Array; mode?: number }
  | { kind: "chardev"; name: string; major: number; minor: number; mode?: number };

const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;
const S_IFCHR = 0o020000;

const hex8 = (n: number) => {
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new Error(`cpio: field out of range: ${n}`);
  return n.toString(16).padStart(8, "0");
};
const pad4 = (n: number) => (4 - (n % 4)) % 4;

function header(ino: number, mode: number, size: number, name: string, rdev: { major: number; minor: number }): Buffer {
  const fields = [
    ino, mode, 0 /* uid */, 0 /* gid */, mode & S_IFDIR ? 2 : 1 /* nlink */, 0 /* mtime: fixed, so archives are reproducible */,
    size, 0, 0 /* dev major, minor */, rdev.major, rdev.minor, Buffer.byteLength(name) + 1, 0 /* check: unused by newc */,
  ];
  return Buffer.from("070701" + fields.map(hex8).join(""), "ascii");
}

/** The archive of these entries, in order (a file's directories must come before it). */
export function newcArchive(entries: CpioEntry[]): Buffer {
  const parts: Buffer[] = [];
  let length = 0;
  const push = (b: Buffer) => {
    parts.push(b);
    length += b.length;
  };
  const entry = (ino: number, mode: number, name: string, data: Uint8Array, rdev = { major: 0, minor: 0 }) => {
    push(header(ino, mode, data.length, name, rdev));
    push(Buffer.from(name + "\0", "utf8"));
    push(Buffer.alloc(pad4(length)));
    push(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
    push(Buffer.alloc(pad4(length)));
  };
  let ino = 1;
  for (const e of entries) {
    const name = e.name.replace(/^\/+/, "");
    if (e.kind === "dir") entry(ino++, S_IFDIR | (e.mode ?? 0o755), name, new Uint8Array());
    else if (e.kind === "file") entry(ino++, S_IFREG | (e.mode ?? 0o644), name, e.data);
    else entry(ino++, S_IFCHR | (e.mode ?? 0o600), name, new Uint8Array(), { major: e.major, minor: e.minor });
  }
  entry(0, 0, "TRAILER!!!", new Uint8Array());
  return Buffer.concat(parts, length);
}

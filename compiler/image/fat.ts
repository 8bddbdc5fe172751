/**
 * A FAT32 file system written from a list of files, for the EFI system
 * partition of `cambi image` (Microsoft's FAT specification, "FAT: General
 * Overview of On-Disk Format", 1.03). Reproducible: the same files, volume id
 * and time give the same bytes (directories and files are laid out in sorted
 * order, every timestamp is the given one, nothing of the build machine is
 * written).
 *
 * Shape: 512-byte sectors, one sector per cluster, 32 reserved sectors (boot
 * sector 0, FSInfo 1, backup boot sector 6), two FATs, the root directory at
 * cluster 2; each directory and file is one contiguous run of clusters. Names
 * are 8.3 in upper case (no long names): every path component must already be
 * one ("EFI", "BOOTX64.EFI").
 */

export interface FatFile {
  /** Path inside the volume, components separated by "/", e.g. "EFI/BOOT/BOOTX64.EFI". */
  path: string;
  data: Uint8Array;
}

export interface FatOptions {
  /** Total size of the volume in bytes (a multiple of 512). */
  bytes: number;
  /** Sectors before the volume on its disk (the partition's first LBA): BPB_HiddSec. */
  hiddenSectors: number;
  /** BS_VolID. */
  volumeId: number;
  /** BS_VolLab: up to 11 upper-case characters. */
  label: string;
  /** Every file's and directory's time, seconds since 1970 (UTC), 1980..2107. */
  time: number;
}

const SECTOR = 512;
const RESERVED = 32;
const FATS = 2;
/** FAT32 needs at least this many clusters (fewer is FAT16 by definition). */
export const FAT32_MIN_CLUSTERS = 65525;
const EOC = 0x0fffffff;

interface Dir {
  name: string;
  dirs: Map<string, Dir>;
  files: Map<string, { data: Uint8Array; cluster: number }>;
  cluster: number;
  clusters: number;
}

function newDir(name: string): Dir {
  return { name, dirs: new Map(), files: new Map(), cluster: 0, clusters: 0 };
}

/** The 11 bytes of an 8.3 name ("BOOTX64.EFI" -> "BOOTX64 EFI"); throws if it is not one. */
export function shortName(name: string): Buffer {
  const m = /^([A-Z0-9_~!#$%&'()@^`{}-]{1,8})(?:\.([A-Z0-9_~!#$%&'()@^`{}-]{1,3}))?$/.exec(name);
  if (!m) throw new Error(`FAT: ${JSON.stringify(name)} is not an upper-case 8.3 name`);
  return Buffer.from(m[1]!.padEnd(8, " ") + (m[2] ?? "").padEnd(3, " "), "latin1");
}

/** DOS date and time of t (seconds since 1970, UTC; 2-second resolution). */
export function dosTime(t: number): { date: number; time: number } {
  const d = new Date(t * 1000);
  const year = d.getUTCFullYear();
  if (year < 1980 || year > 2107) throw new Error(`FAT: time ${t} is outside 1980..2107`);
  return {
    date: ((year - 1980) << 9) | ((d.getUTCMonth() + 1) << 5) | d.getUTCDate(),
    time: (d.getUTCHours() << 11) | (d.getUTCMinutes() << 5) | (d.getUTCSeconds() >> 1),
  };
}

/** Directory entries a directory holds (".", ".." for all but the root; then its children). */
function entryCount(d: Dir, root: boolean): number {
  return (root ? 0 : 2) + d.dirs.size + d.files.size;
}

function sorted<T>(m: Map<string, T>): [string, T][] {
  return [...m.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

/** Bytes of the smallest FAT32 volume (rounded up to whole MiB) that holds files. */
export function fatBytesNeeded(files: FatFile[]): number {
  let clusters = 1;
  const dirs = new Set<string>();
  for (const f of files) {
    clusters += Math.ceil(f.data.length / SECTOR);
    const parts = f.path.split("/");
    for (let i = 1; i < parts.length; i++) dirs.add(parts.slice(0, i).join("/"));
  }
  clusters += dirs.size * 2 + files.length; // generous for directories
  clusters = Math.max(clusters, FAT32_MIN_CLUSTERS + 16);
  const fatSectors = Math.ceil(((clusters + 2) * 4) / SECTOR);
  const bytes = (RESERVED + FATS * fatSectors + clusters) * SECTOR;
  return Math.ceil(bytes / (1 << 20)) * (1 << 20);
}

export function buildFat32(files: FatFile[], o: FatOptions): Buffer {
  if (o.bytes % SECTOR !== 0) throw new Error("FAT: size not a multiple of 512");
  const total = o.bytes / SECTOR;
  // FAT size: the smallest that maps every cluster of what is left.
  let fatSectors = 1;
  for (;;) {
    const clusters = total - RESERVED - FATS * fatSectors;
    const need = Math.ceil(((clusters + 2) * 4) / SECTOR);
    if (need <= fatSectors) break;
    fatSectors = need;
  }
  const clusterCount = total - RESERVED - FATS * fatSectors;
  if (clusterCount < FAT32_MIN_CLUSTERS) throw new Error(`FAT: ${o.bytes} bytes is too small for FAT32 (${clusterCount} clusters)`);
  const dataStart = RESERVED + FATS * fatSectors;

  // The tree.
  const root = newDir("");
  for (const f of files) {
    const parts = f.path.split("/");
    let d = root;
    for (const p of parts.slice(0, -1)) {
      shortName(p);
      let c = d.dirs.get(p);
      if (!c) {
        c = newDir(p);
        d.dirs.set(p, c);
      }
      d = c;
    }
    const leaf = parts[parts.length - 1]!;
    shortName(leaf);
    if (d.files.has(leaf) || d.dirs.has(leaf)) throw new Error(`FAT: ${f.path} given twice`);
    d.files.set(leaf, { data: f.data, cluster: 0 });
  }

  // Clusters: directories and files in sorted depth-first order, each contiguous.
  const fat = new Uint32Array(clusterCount + 2);
  fat[0] = 0x0ffffff8;
  fat[1] = EOC;
  let next = 2;
  const alloc = (bytes: number): { first: number; n: number } => {
    const n = Math.max(1, Math.ceil(bytes / SECTOR));
    if (next + n > clusterCount + 2) throw new Error(`FAT: the files do not fit in ${o.bytes} bytes`);
    const first = next;
    for (let i = 0; i < n; i++) fat[first + i] = i === n - 1 ? EOC : first + i + 1;
    next += n;
    return { first, n };
  };
  const place = (d: Dir, isRoot: boolean): void => {
    const a = alloc(entryCount(d, isRoot) * 32);
    d.cluster = a.first;
    d.clusters = a.n;
    for (const [, c] of sorted(d.dirs)) place(c, false);
    for (const [, f] of sorted(d.files)) if (f.data.length > 0) f.cluster = alloc(f.data.length).first;
  };
  place(root, true);

  const img = Buffer.alloc(o.bytes);
  const { date, time } = dosTime(o.time);
  const entry = (name: Buffer, attr: number, cluster: number, size: number): Buffer => {
    const e = Buffer.alloc(32);
    name.copy(e, 0);
    e[11] = attr;
    e.writeUInt16LE(time, 14);
    e.writeUInt16LE(date, 16);
    e.writeUInt16LE(date, 18);
    e.writeUInt16LE(cluster >>> 16, 20);
    e.writeUInt16LE(time, 22);
    e.writeUInt16LE(date, 24);
    e.writeUInt16LE(cluster & 0xffff, 26);
    e.writeUInt32LE(size, 28);
    return e;
  };
  const clusterOffset = (c: number): number => (dataStart + (c - 2)) * SECTOR;
  const write = (d: Dir, parent: number, isRoot: boolean): void => {
    const entries: Buffer[] = [];
    if (!isRoot) {
      entries.push(entry(Buffer.from(".          ", "latin1"), 0x10, d.cluster, 0));
      entries.push(entry(Buffer.from("..         ", "latin1"), 0x10, parent, 0));
    }
    for (const [name, c] of sorted(d.dirs)) entries.push(entry(shortName(name), 0x10, c.cluster, 0));
    for (const [name, f] of sorted(d.files)) entries.push(entry(shortName(name), 0x20, f.cluster, f.data.length));
    Buffer.concat(entries).copy(img, clusterOffset(d.cluster));
    for (const [, f] of d.files) if (f.data.length > 0) img.set(f.data, clusterOffset(f.cluster));
    for (const [, c] of sorted(d.dirs)) write(c, isRoot ? 0 : d.cluster, false);
  };
  write(root, 0, true);

  // Boot sector (and its backup at sector 6), FSInfo.
  const bs = Buffer.alloc(SECTOR);
  bs.set([0xeb, 0x58, 0x90], 0);
  bs.write("CAMBIOS ", 3, "latin1");
  bs.writeUInt16LE(SECTOR, 11);
  bs[13] = 1;
  bs.writeUInt16LE(RESERVED, 14);
  bs[16] = FATS;
  bs.writeUInt16LE(0, 17);
  bs.writeUInt16LE(0, 19);
  bs[21] = 0xf8;
  bs.writeUInt16LE(0, 22);
  bs.writeUInt16LE(32, 24);
  bs.writeUInt16LE(64, 26);
  bs.writeUInt32LE(o.hiddenSectors, 28);
  bs.writeUInt32LE(total, 32);
  bs.writeUInt32LE(fatSectors, 36);
  bs.writeUInt16LE(0, 40);
  bs.writeUInt16LE(0, 42);
  bs.writeUInt32LE(root.cluster, 44);
  bs.writeUInt16LE(1, 48);
  bs.writeUInt16LE(6, 50);
  bs[64] = 0x80;
  bs[66] = 0x29;
  bs.writeUInt32LE(o.volumeId >>> 0, 67);
  bs.write(o.label.padEnd(11, " ").slice(0, 11), 71, "latin1");
  bs.write("FAT32   ", 82, "latin1");
  bs[510] = 0x55;
  bs[511] = 0xaa;
  bs.copy(img, 0);
  bs.copy(img, 6 * SECTOR);
  const fsinfo = Buffer.alloc(SECTOR);
  fsinfo.writeUInt32LE(0x41615252, 0);
  fsinfo.writeUInt32LE(0x61417272, 484);
  fsinfo.writeUInt32LE(clusterCount + 2 - next, 488);
  fsinfo.writeUInt32LE(next, 492);
  fsinfo.writeUInt32LE(0xaa550000, 508);
  fsinfo.copy(img, SECTOR);
  fsinfo.copy(img, 7 * SECTOR);
  const fatBytes = Buffer.from(fat.buffer, fat.byteOffset, fat.byteLength);
  for (let i = 0; i < FATS; i++) fatBytes.copy(img, (RESERVED + i * fatSectors) * SECTOR);
  return img;
}

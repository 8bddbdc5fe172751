/**
 * The rows of an ELF's DWARF line table (.debug_line, versions 2 to 5), read
 * straight from the file: for each code address, the source file and line; and
 * the function symbols (.symtab) with their addresses.
 * Enough of ELF64 and DWARF for what clang and ld.lld emit (DWARF 5 by
 * default, 4 with -gdwarf-4), little-endian; anything else is an error that
 * names what was not understood.
 */
import { readFileSync } from "node:fs";
import path from "node:path";

export interface LineRow {
  address: bigint;
  /** The row's file, relative to the compilation directory unless absolute. */
  file: string;
  line: number;
  /** The first address after a sequence (no code of its own). */
  endSequence: boolean;
}

export class DwarfError extends Error {}

/** Little-endian reads at a moving offset. */
class Reader {
  constructor(
    readonly b: Buffer,
    public at = 0,
  ) {}
  u8 = () => this.b.readUInt8(this.at++);
  i8 = () => this.b.readInt8(this.at++);
  u16 = () => ((this.at += 2), this.b.readUInt16LE(this.at - 2));
  u32 = () => ((this.at += 4), this.b.readUInt32LE(this.at - 4));
  u64 = () => ((this.at += 8), this.b.readBigUInt64LE(this.at - 8));
  /** LEB128: seven bits a byte, low first; signed values extend the last byte's bit 6. */
  private leb(signed: boolean): number {
    let result = 0;
    let scale = 1;
    for (;;) {
      const byte = this.u8();
      result += (byte & 0x7f) * scale;
      scale *= 128;
      if ((byte & 0x80) === 0) return signed && byte & 0x40 ? result - scale : result;
    }
  }
  uleb = () => this.leb(false);
  sleb = () => this.leb(true);
  cstring(): string {
    const end = this.b.indexOf(0, this.at);
    if (end < 0) throw new DwarfError("unterminated string");
    const s = this.b.toString("utf8", this.at, end);
    this.at = end + 1;
    return s;
  }
}

/** The named sections of an ELF64 little-endian file. */
export function elfSections(elf: Buffer): Map<string, Buffer> {
  if (elf.toString("latin1", 0, 4) !== "\x7fELF" || elf[4] !== 2 || elf[5] !== 1) throw new DwarfError("not a little-endian ELF64 file");
  const shoff = Number(elf.readBigUInt64LE(0x28));
  const size = elf.readUInt16LE(0x3a);
  const count = elf.readUInt16LE(0x3c);
  const header = (i: number) => {
    const at = shoff + size * i;
    return { name: elf.readUInt32LE(at), offset: Number(elf.readBigUInt64LE(at + 24)), size: Number(elf.readBigUInt64LE(at + 32)) };
  };
  const names = header(elf.readUInt16LE(0x3e));
  const out = new Map<string, Buffer>();
  for (let i = 0; i < count; i++) {
    const h = header(i);
    const name = new Reader(elf, names.offset + h.name).cstring();
    out.set(name, elf.subarray(h.offset, h.offset + h.size));
  }
  return out;
}

const DW_FORM = { block: 0x09, data1: 0x0b, data2: 0x05, data4: 0x06, data8: 0x07, data16: 0x1e, string: 0x08, strp: 0x0e, line_strp: 0x1f, udata: 0x0f } as const;
const DW_LNCT_PATH = 1;
const DW_LNCT_DIRECTORY_INDEX = 2;

/** Reads one attribute value of a v5 directory or file entry: a string or a number. */
function formValue(r: Reader, form: number, offset64: boolean, strs: { line: Buffer; str: Buffer }): string | number {
  const strAt = (sec: Buffer) => new Reader(sec, offset64 ? Number(r.u64()) : r.u32()).cstring();
  switch (form) {
    case DW_FORM.string:
      return r.cstring();
    case DW_FORM.line_strp:
      return strAt(strs.line);
    case DW_FORM.strp:
      return strAt(strs.str);
    case DW_FORM.udata:
      return r.uleb();
    case DW_FORM.data1:
      return r.u8();
    case DW_FORM.data2:
      return r.u16();
    case DW_FORM.data4:
      return r.u32();
    case DW_FORM.data8:
      return Number(r.u64());
    case DW_FORM.data16:
      r.at += 16;
      return 0;
    case DW_FORM.block:
      r.at += r.uleb();
      return 0;
    default:
      throw new DwarfError(`unsupported form 0x${form.toString(16)} in a line table header`);
  }
}

/** A v5 entry list (directories or files): each entry's path and directory index. */
function entries(r: Reader, offset64: boolean, strs: { line: Buffer; str: Buffer }): { path: string; dir: number }[] {
  const format: [number, number][] = [];
  for (let n = r.u8(); n > 0; n--) format.push([r.uleb(), r.uleb()]);
  const out: { path: string; dir: number }[] = [];
  for (let n = r.uleb(); n > 0; n--) {
    const e = { path: "", dir: 0 };
    for (const [type, form] of format) {
      const v = formValue(r, form, offset64, strs);
      if (type === DW_LNCT_PATH) e.path = String(v);
      else if (type === DW_LNCT_DIRECTORY_INDEX) e.dir = Number(v);
    }
    out.push(e);
  }
  return out;
}

/** Every row of every line program in elf's .debug_line. */
export function readLineRows(elfPath: string): LineRow[] {
  const secs = elfSections(readFileSync(elfPath));
  const debugLine = secs.get(".debug_line");
  if (!debugLine) throw new DwarfError(`${elfPath} has no .debug_line section`);
  const strs = { line: secs.get(".debug_line_str") ?? Buffer.alloc(0), str: secs.get(".debug_str") ?? Buffer.alloc(0) };
  const rows: LineRow[] = [];
  const r = new Reader(debugLine);
  while (r.at < debugLine.length) {
    let length: number = r.u32();
    const offset64 = length === 0xffffffff;
    if (offset64) length = Number(r.u64());
    const end = r.at + length;
    const version = r.u16();
    if (version < 2 || version > 5) throw new DwarfError(`line table version ${version} is not supported`);
    let addressSize = 8;
    if (version >= 5) {
      addressSize = r.u8();
      r.u8(); // segment selector size
    }
    const headerLength = offset64 ? Number(r.u64()) : r.u32();
    const programStart = r.at + headerLength;
    const minInst = r.u8();
    if (version >= 4) r.u8(); // maximum operations per instruction (VLIW only)
    const defaultIsStmt = r.u8();
    void defaultIsStmt;
    const lineBase = r.i8();
    const lineRange = r.u8();
    const opcodeBase = r.u8();
    const argCounts = [0];
    for (let i = 1; i < opcodeBase; i++) argCounts.push(r.u8());
    const files: string[] = [];
    if (version >= 5) {
      const dirs = entries(r, offset64, strs).map((d) => d.path);
      for (const f of entries(r, offset64, strs)) files.push(f.path.startsWith("/") ? f.path : path.posix.join(dirs[f.dir] ?? "", f.path));
    } else {
      const dirs = [""];
      for (let d = r.cstring(); d !== ""; d = r.cstring()) dirs.push(d);
      files.push(""); // v2-4 file numbers start at 1
      for (let f = r.cstring(); f !== ""; f = r.cstring()) {
        const dir = r.uleb();
        r.uleb(); // modification time
        r.uleb(); // length
        files.push(f.startsWith("/") ? f : path.posix.join(dirs[dir] ?? "", f));
      }
    }
    r.at = programStart;
    let address = 0n;
    let file = 1;
    let line = 1;
    const emit = (endSequence: boolean) => rows.push({ address, file: files[file] ?? "", line, endSequence });
    const reset = () => {
      address = 0n;
      file = 1;
      line = 1;
    };
    while (r.at < end) {
      const op = r.u8();
      if (op >= opcodeBase) {
        const adjusted = op - opcodeBase;
        address += BigInt(Math.floor(adjusted / lineRange) * minInst);
        line += lineBase + (adjusted % lineRange);
        emit(false);
        continue;
      }
      switch (op) {
        case 0: {
          const len = r.uleb();
          const next = r.at + len;
          const sub = r.u8();
          if (sub === 1) {
            emit(true);
            reset();
          } else if (sub === 2) address = addressSize === 8 ? r.u64() : BigInt(r.u32());
          r.at = next; // define_file, set_discriminator and vendor opcodes: skipped
          break;
        }
        case 1:
          emit(false);
          break;
        case 2:
          address += BigInt(r.uleb() * minInst);
          break;
        case 3:
          line += r.sleb();
          break;
        case 4:
          file = r.uleb();
          break;
        case 8:
          address += BigInt(Math.floor((255 - opcodeBase) / lineRange) * minInst);
          break;
        case 9:
          address += BigInt(r.u16());
          break;
        default:
          // set_column, negate_stmt, basic_block, prologue/epilogue, isa and unknown opcodes: skip their operands.
          for (let n = argCounts[op] ?? 0; n > 0; n--) r.uleb();
      }
    }
    r.at = end;
  }
  return rows;
}

/**
 * Every function symbol of an ELF64 file with its address and size, one per
 * line in address order: what must not move between the two links of a kernel.
 */
export function codeSymbols(elfPath: string): string {
  const secs = elfSections(readFileSync(elfPath));
  const symtab = secs.get(".symtab");
  const strtab = secs.get(".strtab");
  if (!symtab || !strtab) throw new DwarfError(`${elfPath} has no symbol table`);
  const rows: [bigint, string][] = [];
  for (let at = 0; at + 24 <= symtab.length; at += 24) {
    const type = symtab.readUInt8(at + 4) & 0xf;
    const shndx = symtab.readUInt16LE(at + 6);
    if (type !== 2 || shndx === 0) continue; // STT_FUNC, defined
    const value = symtab.readBigUInt64LE(at + 8);
    const size = symtab.readBigUInt64LE(at + 16);
    rows.push([value, `${value.toString(16)} ${size.toString(16)} ${new Reader(strtab, symtab.readUInt32LE(at)).cstring()}`]);
  }
  rows.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : 1));
  return rows.map((r) => r[1]).join("\n");
}

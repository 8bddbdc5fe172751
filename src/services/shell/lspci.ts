/**
 * lspci: asks the PCI bus service for each function in turn (LIST) and prints
 * one line per function (address, vendor:device, class, interrupt line, the task
 * holding it) and one per memory or IO BAR.
 */
import { u8, u32, u64, array, arrayOf, print, text } from "kts";
import { call, msgStart, msgSetWord, msgWordAt, errorOf } from "../../lib/ipc/message";
import { errorText, errorName, ERR_INVALID } from "../../lib/errors";
import { Line } from "../../lib/format";
import { className, barKindName, appendPciId } from "../../lib/pci/names";
import { BarKind } from "../../lib/pci/bars";
import { LABEL_LIST, LIST_ADDRESS, LIST_ID, LIST_CLASS, LIST_LINE, LIST_HOLDER, LIST_BAR, LIST_BAR_SIZE, LIST_BAR_KIND, NO_VALUE } from "../../lib/pci/protocol";

const row = new Line();
const name: u8[] = array(32, 0);

export function lspci(pci: u64): void {
  for (let i: u32 = 0; i < 256; i++) {
    msgStart(LABEL_LIST);
    msgSetWord(u64(i));
    const e: u64 = errorOf(call(pci));
    const answer: u64 = e != 0n ? e : errorOf(msgWordAt(0));
    if (answer == ERR_INVALID && i > 0) return;
    if (answer != 0n) {
      print(`lspci: the pci service did not answer: ${text(errorText, errorName(answer))}`);
      return;
    }
    functionLine();
    for (let b: u32 = 0; b < 6; b++) barLine(b);
  }
}

/** "00:04.0 1af4:1042 SCSI storage  irq 36  held by task 6" */
function functionLine(): void {
  const address: u64 = msgWordAt(LIST_ADDRESS);
  const id: u64 = msgWordAt(LIST_ID);
  const cls: u64 = msgWordAt(LIST_CLASS);
  row.clear();
  row.hexDigits(u64(address >> 16n), 2);
  row.byte(0x3a);
  row.hexDigits(u64(address >> 8n), 2);
  row.byte(0x2e);
  row.hexDigits(address, 1);
  row.byte(0x20);
  appendPciId(row, id);
  row.byte(0x20);
  const n: u32 = className(u8(cls >> 16n), u8(cls >> 8n), name, 0);
  row.append(name, 0, n);
  const line: u64 = msgWordAt(LIST_LINE);
  const holder: u64 = msgWordAt(LIST_HOLDER);
  if (line != u64(NO_VALUE)) {
    row.padTo(40);
    row.append(IRQ_WORD, 0, 4);
    row.decimal(line);
  }
  if (holder != u64(NO_VALUE)) {
    row.padTo(50);
    row.append(HELD_BY, 0, HELD_BY.length);
    row.decimal(holder);
  }
  print(`${text(row.bytes, row.length)}`);
}

/** "    BAR4 mem64 0x10000000+0x4000" for a BAR in use. */
function barLine(b: u32): void {
  const code: u64 = msgWordAt(u32(LIST_BAR_KIND + b));
  let kind: BarKind = BarKind.Unused;
  if (code == u64(u32(BarKind.Io))) kind = BarKind.Io;
  else if (code == u64(u32(BarKind.Mem32))) kind = BarKind.Mem32;
  else if (code == u64(u32(BarKind.Mem64))) kind = BarKind.Mem64;
  else return;
  row.clear();
  row.append(BAR_WORD, 0, BAR_WORD.length);
  row.decimal(u64(b));
  row.byte(0x20);
  row.length = barKindName(kind, row.bytes, row.length);
  row.byte(0x20);
  row.hex(msgWordAt(u32(LIST_BAR + b)));
  row.byte(0x2b);
  row.hex(msgWordAt(u32(LIST_BAR_SIZE + b)));
  print(`${text(row.bytes, row.length)}`);
}

/** "irq " */
const IRQ_WORD: u8[] = arrayOf([0x69, 0x72, 0x71, 0x20]);
/** "held by task " */
const HELD_BY: u8[] = arrayOf([0x68, 0x65, 0x6c, 0x64, 0x20, 0x62, 0x79, 0x20, 0x74, 0x61, 0x73, 0x6b, 0x20]);
/** "    BAR" */
const BAR_WORD: u8[] = arrayOf([0x20, 0x20, 0x20, 0x20, 0x42, 0x41, 0x52]);

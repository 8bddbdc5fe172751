"use unsafe";
/**
 * pci: the PCI bus service. It alone maps configuration space (ECAM). At start
 * it scans the host's first bus, places every memory BAR inside the window the
 * kernel granted (keeping sound firmware assignments: SeaBIOS on x86_64; direct
 * boot on AArch64 leaves them unassigned) and turns bus mastering off. A driver
 * then asks for its device (ATTACH, src/lib/pci/protocol.ts); it must hold the
 * manifest's device capability for it, which pci checks in the caller's table
 * (the kernel stamps the caller). The driver gets exactly its function's
 * configuration space (read-only), its BARs and its interrupt line, each
 * through a capability pci keeps the parent of, so that the next ATTACH (the
 * driver restarted) revokes what the last holder had before bus mastering is
 * turned on again.
 *
 * Capabilities: [0] endpoint "pci" (receive), [1] ECAM (mmio), [2] the memory
 * window for BARs (mmio), [3] the PCI interrupt lines (irq), [4] system (receive).
 */
import { u8, u16, u32, u64, usize, bool, array, print, text } from "kts";
import { addressOf } from "kts/unsafe";
import {
  sysPciHost, sysPciRoute, sysCapDeriveRange, sysCapDerive, sysCapRevoke, sysMmioMap, sysTaskId,
  PCI_HOST_BYTES, PCI_HOST_ECAM_BASE, PCI_HOST_BUS_FIRST, PCI_HOST_MEM_BASE, PCI_HOST_MEM_SIZE, PCI_HOST_IRQ_FIRST,
} from "../../lib/sys/syscalls.generated";
import { capAt, replyReceive, msgLabel, msgWord, msgStart, msgSetWord, msgSetWordAt, msgZeroWords, msgIsCall, msgSender, errorOf } from "../../lib/ipc/message";
import { ERR_DENIED, ERR_INVALID, ERR_WOULD_BLOCK, errorText, errorName } from "../../lib/errors";
import { field32, field64 } from "../../lib/records";
import { taskHolds } from "../../lib/inspect";
import { Line } from "../../lib/format";
import { Ecam, CMD_BUS_MASTER, CMD_MEM, CMD_INTX_DISABLE, commandSet, commandClear, HEADER_NORMAL } from "../../lib/pci/config";
import { PciTable, MAX_FUNCTIONS, enumerate, assignBars, functionPlaced } from "../../lib/pci/enumerate";
import { Bar, BarWindow, BARS_PER_FUNCTION, slotSize } from "../../lib/pci/bars";
import { appendPciId } from "../../lib/pci/names";
import {
  LABEL_ATTACH, LABEL_LIST, ATTACH_CONFIG, ATTACH_IRQ, ATTACH_LINE, ATTACH_ADDRESS, ATTACH_BAR, ATTACH_BAR_SIZE, ATTACH_WORDS,
  LIST_ADDRESS, LIST_ID, LIST_CLASS, LIST_LINE, LIST_HOLDER, LIST_BAR, LIST_BAR_SIZE, LIST_BAR_KIND, LIST_WORDS, NO_VALUE,
} from "../../lib/pci/protocol";

/** Where the first bus's configuration space is mapped. */
const ECAM_VA: usize = 0x1_0000_0000n;
const BUS_BYTES: u64 = 0x10_0000n;
const CONFIG_BYTES: u64 = 0x1000n;
const RIGHT_RECEIVE = 2;
const RIGHT_MAP = 8;
const RIGHT_WRITE = 16;
/** CapInfo kinds (docs/SYSCALLS.md). */
const KIND_MMIO: u32 = 4;
const KIND_DEVICE: u32 = 10;
const MAP_WRITABLE: u64 = 1n;
/** Per function: what the last ATTACH gave (parents pci keeps): config, IRQ, six BARs. */
const GRANTS = 8;

const host: u8[] = array(PCI_HOST_BYTES, 0);
const ecam = new Ecam();
const table = new PciTable();
const window = new BarWindow();
const lines: u32[] = array(MAX_FUNCTIONS, NO_VALUE);
const holder: u32[] = array(MAX_FUNCTIONS, NO_VALUE);
const grants: u64[] = array(256, 0n); // MAX_FUNCTIONS * GRANTS
const idLine = new Line();

let ecamCap: u64 = 0n;
let windowCap: u64 = 0n;
let irqCap: u64 = 0n;
let system: u64 = 0n;
let memBase: u64 = 0n;
let irqFirst: u32 = 0;

export function main(): u32 {
  const endpoint: u64 = capAt(0n);
  ecamCap = capAt(1n);
  windowCap = capAt(2n);
  irqCap = capAt(3n);
  system = capAt(4n);
  if (scan()) print(`pci: ${table.count} functions on bus ${ecam.firstBus}`);
  // Each answer goes out with the next receive (replyReceive: one system call; nothing to answer the first time).
  for (;;) {
    const e: u64 = errorOf(replyReceive(endpoint));
    if (e != 0n) {
      print(`pci: receive failed (${text(errorText, errorName(e))})`);
      return 1;
    }
    if (!msgIsCall()) continue;
    const label: u32 = msgLabel();
    if (label == LABEL_ATTACH) attach(u32(msgWord() & 0xffff_ffffn), msgSender());
    else if (label == LABEL_LIST) list(msgWord());
    else {
      msgStart(label);
      msgSetWord(u64(0n - ERR_INVALID));
    }
  }
}

/** Maps the first bus, enumerates it and places the BARs; false (and says why) if there is no PCIe. */
function scan(): bool {
  const r: u64 = sysPciHost(ecamCap, addressOf(host));
  if (errorOf(r) != 0n) {
    print(`pci: no PCIe host bridge (${text(errorText, errorName(errorOf(r)))})`);
    return false;
  }
  memBase = field64(host, PCI_HOST_MEM_BASE);
  irqFirst = field32(host, PCI_HOST_IRQ_FIRST);
  const bus: u32 = field32(host, PCI_HOST_BUS_FIRST);
  // Only the first bus is mapped and scanned: devices sit on the root bus on both machines.
  const part: u64 = sysCapDeriveRange(ecamCap, sysTaskId(), u64(RIGHT_MAP | RIGHT_WRITE), 0n, BUS_BYTES);
  const m: u64 = errorOf(part) == 0n ? sysMmioMap(part, ECAM_VA, MAP_WRITABLE) : part;
  if (errorOf(m) != 0n) {
    print(`pci: cannot map configuration space at ${field64(host, PCI_HOST_ECAM_BASE)} (${text(errorText, errorName(errorOf(m)))})`);
    return false;
  }
  ecam.init(ECAM_VA, bus, bus);
  enumerate(ecam, bus, bus, table);
  if (!window.init(memBase, field64(host, PCI_HOST_MEM_SIZE))) print("pci: no memory window for BARs");
  const failed: u32 = assignBars(table, window, window);
  if (failed != 0) print(`pci: ${failed} BARs found no room in the window`);
  for (let i: u32 = 0; i < table.count; i++) {
    const f = table.functions[i];
    // Nothing may reach memory, or raise its (maybe shared) interrupt line, until its driver attaches.
    if (f.headerType == HEADER_NORMAL) {
      commandClear(f.fa, CMD_BUS_MASTER);
      commandSet(f.fa, CMD_INTX_DISABLE);
    }
    if (f.interruptPin != 0) {
      const line: u64 = sysPciRoute(ecamCap, u64(f.dev), u64(f.interruptPin));
      if (errorOf(line) == 0n) lines[i] = u32(line);
    }
  }
  return true;
}

/** Whether task holds a capability of kind naming objA (its table read through the system capability; the kernel stamped the caller). */
/** Whether function i's last holder still has its configuration space (it is alive and attached). */
function stillHeld(i: u32): bool {
  if (holder[i] == NO_VALUE) return false;
  return taskHolds(system, holder[i], KIND_MMIO, u64(field64(host, PCI_HOST_ECAM_BASE) + u64(table.functions[i].fa - ECAM_VA)));
}

function attach(id: u32, task: u32): void {
  msgStart(LABEL_ATTACH);
  msgZeroWords(ATTACH_WORDS);
  if (!taskHolds(system, task, KIND_DEVICE, u64(id))) {
    print(`pci: task ${task} asked for ${text(idLine.bytes, idText(id))} without a claim on it: refused`);
    msgSetWord(u64(0n - ERR_DENIED));
    return;
  }
  let i: u32 = 0;
  while (i < table.count && !(u32((u32(table.functions[i].vendor) << 16) | u32(table.functions[i].device)) == id && functionPlaced(table, i))) i = u32(i + 1);
  if (i == table.count) {
    msgSetWord(u64(0n - ERR_INVALID));
    return;
  }
  if (holder[i] != task && stillHeld(i)) {
    msgSetWord(u64(0n - ERR_WOULD_BLOCK));
    return;
  }
  const f = table.functions[i];
  // A previous holder's DMA and interrupts stop, and what it was given goes, before the new one starts.
  commandClear(f.fa, CMD_BUS_MASTER);
  commandSet(f.fa, CMD_INTX_DISABLE);
  revokeGrants(i);
  holder[i] = NO_VALUE;
  const g: u32 = u32(i * GRANTS);
  let ok: bool = give(g, ecamCap, u64(f.fa - ECAM_VA), CONFIG_BYTES, RIGHT_MAP, task, ATTACH_CONFIG);
  if (lines[i] != NO_VALUE) ok = ok && give(u32(g + 1), irqCap, u64(lines[i] - irqFirst), 1n, RIGHT_RECEIVE, task, ATTACH_IRQ);
  for (let s: u32 = 0; s < BARS_PER_FUNCTION; s++) {
    if (s >= f.barCount) break;
    const b: Bar = table.bar(i, s);
    if (!b.isMemory() || b.size == 0n) continue;
    ok = ok && give(u32(g + 2 + s), windowCap, u64(b.base - memBase), slotSize(b.size), u32(RIGHT_MAP | RIGHT_WRITE), task, u32(ATTACH_BAR + s));
    msgSetWordAt(u32(ATTACH_BAR_SIZE + s), b.size);
  }
  if (!ok) {
    revokeGrants(i);
    print(`pci: task ${task}: could not place its capabilities`);
    msgStart(LABEL_ATTACH);
    msgZeroWords(ATTACH_WORDS);
    msgSetWord(u64(0n - ERR_WOULD_BLOCK));
    return;
  }
  commandClear(f.fa, CMD_INTX_DISABLE);
  commandSet(f.fa, u16(CMD_MEM | CMD_BUS_MASTER));
  holder[i] = task;
  msgSetWordAt(ATTACH_LINE, u64(lines[i]));
  msgSetWordAt(ATTACH_ADDRESS, u64(address(i)));
  msgSetWordAt(0, 0n);
  print(`pci: ${text(idLine.bytes, idText(id))} at ${f.bus}:${f.dev}.${f.fn} attached to task ${task}`);
}

/**
 * Derives [offset, offset + size) of parent for pci itself (kept in grants[k], so a
 * later attach can revoke it) and from that a copy for task; its handle goes to word.
 */
function give(k: u32, parent: u64, offset: u64, size: u64, rights: u32, task: u32, word: u32): bool {
  const mine: u64 = sysCapDeriveRange(parent, sysTaskId(), u64(rights | 4), offset, size);
  if (errorOf(mine) != 0n) return false;
  grants[k] = mine;
  const theirs: u64 = sysCapDerive(mine, u64(task), u64(rights), 0n, 0n);
  if (errorOf(theirs) != 0n) return false;
  msgSetWordAt(word, theirs);
  return true;
}

function revokeGrants(i: u32): void {
  for (let k: u32 = 0; k < GRANTS; k++) {
    const at: u32 = u32(i * GRANTS + k);
    if (grants[at] != 0n) sysCapRevoke(grants[at]);
    grants[at] = 0n;
  }
}

function address(i: u32): u32 {
  const f = table.functions[i];
  return u32((f.bus << 16) | (f.dev << 8) | f.fn);
}

function list(index: u64): void {
  msgStart(LABEL_LIST);
  if (index >= u64(table.count)) {
    msgSetWord(u64(0n - ERR_INVALID));
    return;
  }
  const i: u32 = u32(index);
  const f = table.functions[i];
  msgZeroWords(LIST_WORDS);
  msgSetWordAt(LIST_ADDRESS, u64(address(i)));
  msgSetWordAt(LIST_ID, u64(u32((u32(f.vendor) << 16) | u32(f.device))));
  msgSetWordAt(LIST_CLASS, u64(u32((u32(f.classCode) << 16) | (u32(f.subclass) << 8) | u32(f.progIf))));
  msgSetWordAt(LIST_LINE, u64(lines[i]));
  msgSetWordAt(LIST_HOLDER, u64(stillHeld(i) ? holder[i] : NO_VALUE));
  for (let s: u32 = 0; s < BARS_PER_FUNCTION; s++) {
    if (s >= f.barCount) break;
    const b: Bar = table.bar(i, s);
    msgSetWordAt(u32(LIST_BAR + s), b.base);
    msgSetWordAt(u32(LIST_BAR_SIZE + s), b.size);
    msgSetWordAt(u32(LIST_BAR_KIND + s), u64(u32(b.kind)));
  }
}

/** "vvvv:dddd" of a device id, in idLine; returns its length. */
function idText(id: u32): u32 {
  idLine.clear();
  appendPciId(idLine, u64(id));
  return idLine.length;
}

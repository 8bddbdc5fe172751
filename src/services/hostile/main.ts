"use unsafe";
/**
 * hostile (test tier only): asks the kernel for everything a task must not
 * get and prints one line per attempt, "hostile: <attempt>: refused (<error>)"
 * or "hostile: <attempt>: ALLOWED"; then a summary; then it reads kernel
 * memory, which must end it (the summary comes first for that reason).
 *
 * Capabilities: [0] endpoint "log" (send only); [1] a 2-page memory region
 * (map, write, grant), which it may map read-write and nothing else; [2]
 * endpoint "pci" (send); [3] a claim on the virtio-rng device (device-attempts.ts);
 * in the test tier [4] endpoint "store" and [5] endpoint "keys" (store-attempts.ts);
 * in the net tier [4] and [5] placeholders and [6] endpoint "net" (send, as
 * any socket client holds it; net-attempts.ts).
 */
import { u8, u32, u64, usize, bool, array, arrayOf, print, text, hex } from "kts";
import { addressOf, load64 } from "kts/unsafe";
import {
  sysSend, sysReceive, sysCall, sysReply, sysWrite, sysAuditRead, sysTaskInfo, sysServiceStart, sysTaskKill,
  sysMemInfo, sysExitWatch, sysIrqBind, sysIrqAck, sysConsoleRead, sysCapDerive, sysCapRevoke, sysTaskId,
  sysMemMap, sysMemUnmap, sysTime, sysRandom, sysClockSet,
} from "../../lib/sys/syscalls.generated";
import { capAt, send, call, receive, msgStart, msgSetWord, msgSetText, errorOf } from "../../lib/ipc/message";
import { LABEL_LOG, LABEL_PING } from "../../lib/ipc/protocol";
import { errorText, errorName, ERR_THROTTLED, ERR_WOULD_BLOCK } from "../../lib/errors";
import { judge, verdict, tally } from "./verdict";
import { deviceAttempts } from "./device-attempts";
import { storeAttempts } from "./store-attempts";
import { netAttempts } from "./net-attempts";

declare function kts_syscall(n: u64, a0: u64, a1: u64, a2: u64, a3: u64, a4: u64, a5: u64): u64;

/** The first address of the kernel half. */
const KERNEL: usize = 0xffff_8000_0000_0000n;
/** User addresses nothing is mapped at, and the (read-only) code of this program. */
const UNMAPPED: usize = 0x7000_0000_0000n;
const OWN_CODE: usize = 0x40_0000n;
/** A system capability handle this task was never given (slot 1, generation 3). */
const FORGED_SYSTEM: u64 = 0x301n;
const FLOOD = 2000;
/** Where it may map its region; memMap flags; the rights "map" alone. */
const MAPPED: usize = 0x1000_0000n;
const MEM_WRITE: u64 = 1n;
const MEM_EXEC: u64 = 2n;
const RIGHT_MAP_ONLY: u64 = 8n;

/** A buffer the kernel may legitimately write, so that only the capability is wrong. */
const scratch: u8[] = array(64, 0);
/** "\x1b[2J" (clear screen) inside log text. */
const ESCAPE: u8[] = arrayOf([0x68, 0x69, 0x1b, 0x5b, 0x32, 0x4a]);
/** ESC "[2J" then "[log 5] forged by hostile" and a newline. */
const FORGED: u8[] = arrayOf([
  0x1b, 0x5b, 0x32, 0x4a, 0x5b, 0x6c, 0x6f, 0x67, 0x20, 0x35, 0x5d, 0x20, 0x66, 0x6f, 0x72, 0x67, 0x65, 0x64, 0x20,
  0x62, 0x79, 0x20, 0x68, 0x6f, 0x73, 0x74, 0x69, 0x6c, 0x65, 0x0a,
]);
export function main(): u32 {
  const log: u64 = capAt(0n);
  const buf: usize = addressOf(scratch);
  print(`hostile: task ${sysTaskId()} starting`);

  // Handles this task was never given: zero, its own handle one generation on, a random slot, huge ones.
  const forged: u64[] = arrayOf([0n, 0n, 0x2a05n, 0xffff_ffffn, 0x1_0000_0000n]);
  forged[1] = u64(log + 0x100n);
  for (const h of forged) {
    msgStart(LABEL_PING);
    judge(send(h));
    print(`hostile: send on forged handle ${hex(h)}: ${text(verdict.bytes, verdict.length)}`);
    msgStart(LABEL_PING);
    judge(call(h));
    print(`hostile: call on forged handle ${hex(h)}: ${text(verdict.bytes, verdict.length)}`);
  }
  judge(receive(log));
  print(`hostile: receive on a send-only endpoint: ${text(verdict.bytes, verdict.length)}`);

  // Pointers into the kernel half and to unmapped memory, with a capability that is otherwise fine.
  const pointers: u64[] = arrayOf([KERNEL, UNMAPPED]);
  for (const p of pointers) {
    judge(sysSend(log, p));
    print(`hostile: send from ${hex(p)}: ${text(verdict.bytes, verdict.length)}`);
    judge(sysReceive(log, p));
    print(`hostile: receive into ${hex(p)}: ${text(verdict.bytes, verdict.length)}`);
    judge(sysCall(log, p));
    print(`hostile: call from ${hex(p)}: ${text(verdict.bytes, verdict.length)}`);
    judge(sysReply(p));
    print(`hostile: reply from ${hex(p)}: ${text(verdict.bytes, verdict.length)}`);
    judge(sysWrite(p, 16n));
    print(`hostile: write from ${hex(p)}: ${text(verdict.bytes, verdict.length)}`);
    judge(sysAuditRead(log, 0n, p, 1n));
    print(`hostile: auditRead into ${hex(p)}: ${text(verdict.bytes, verdict.length)}`);
    judge(sysTaskInfo(log, 0n, p));
    print(`hostile: taskInfo into ${hex(p)}: ${text(verdict.bytes, verdict.length)}`);
  }
  judge(sysReceive(log, OWN_CODE));
  print(`hostile: receive into its own read-only code: ${text(verdict.bytes, verdict.length)}`);

  // The system capability's calls with a forged one, and with the endpoint capability in its place (wrong kind).
  const systems: u64[] = arrayOf([FORGED_SYSTEM, 0n]);
  systems[1] = log;
  for (const s of systems) {
    judge(sysServiceStart(s, 1n));
    print(`hostile: serviceStart with handle ${hex(s)}: ${text(verdict.bytes, verdict.length)}`);
    judge(sysTaskKill(s, 0n));
    print(`hostile: taskKill of init with handle ${hex(s)}: ${text(verdict.bytes, verdict.length)}`);
    judge(sysTaskInfo(s, 0n, buf));
    print(`hostile: taskInfo with handle ${hex(s)}: ${text(verdict.bytes, verdict.length)}`);
    judge(sysMemInfo(s, buf));
    print(`hostile: memInfo with handle ${hex(s)}: ${text(verdict.bytes, verdict.length)}`);
    judge(sysExitWatch(s, log));
    print(`hostile: exitWatch with handle ${hex(s)}: ${text(verdict.bytes, verdict.length)}`);
  }
  judge(sysAuditRead(FORGED_SYSTEM, 0n, buf, 1n));
  print(`hostile: auditRead with a forged audit handle: ${text(verdict.bytes, verdict.length)}`);

  // The console's IRQ calls with an endpoint capability.
  judge(sysIrqBind(log, log));
  print(`hostile: irqBind with an endpoint capability: ${text(verdict.bytes, verdict.length)}`);
  judge(sysConsoleRead(log, buf, 16n));
  print(`hostile: consoleRead with an endpoint capability: ${text(verdict.bytes, verdict.length)}`);
  judge(sysIrqAck(log));
  print(`hostile: irqAck with an endpoint capability: ${text(verdict.bytes, verdict.length)}`);

  // Delegation without the grant right, revocation of what it does not hold, calls that do not exist.
  judge(sysCapDerive(log, 0n, 1n, 0n, 0n));
  print(`hostile: capDerive of its log capability to task 0 (no grant right): ${text(verdict.bytes, verdict.length)}`);
  judge(sysCapRevoke(FORGED_SYSTEM));
  print(`hostile: capRevoke of a forged handle: ${text(verdict.bytes, verdict.length)}`);
  judge(kts_syscall(99n, 0n, 0n, 0n, 0n, 0n, 0n));
  print(`hostile: system call 99: ${text(verdict.bytes, verdict.length)}`);
  judge(kts_syscall(0xffff_ffff_ffffn, 0n, 0n, 0n, 0n, 0n, 0n));
  print(`hostile: system call 0xffffffffffff: ${text(verdict.bytes, verdict.length)}`);
  // Random bytes need a Random capability (keys and store have one).
  judge(sysRandom(log, addressOf(scratch), 16n));
  print(`hostile: random bytes through its log capability: ${text(verdict.bytes, verdict.length)}`);
  judge(sysRandom(0x2a05n, addressOf(scratch), 16n));
  print(`hostile: random bytes through a forged handle: ${text(verdict.bytes, verdict.length)}`);
  // Setting the wall clock needs a Clock capability (the network time client's).
  judge(sysClockSet(log, 1_796_587_440_000_000_000n));
  print(`hostile: setting the clock through its log capability: ${text(verdict.bytes, verdict.length)}`);
  judge(sysClockSet(0x2a06n, 1_796_587_440_000_000_000n));
  print(`hostile: setting the clock through a forged handle: ${text(verdict.bytes, verdict.length)}`);
  memoryAttempts(log, capAt(1n));
  deviceAttempts(capAt(2n), capAt(1n));
  storeAttempts(capAt(4n), capAt(5n));
  netAttempts(capAt(2n), capAt(6n), log);

  // Content the log endpoint's inspection refuses (images/*.json "inspect"): a label log does not take,
  // and LOG! text with a terminal escape sequence in it.
  msgStart(0x58585858); // "XXXX"
  judge(send(log));
  print(`hostile: send of an unlisted label to log: ${text(verdict.bytes, verdict.length)}`);
  msgStart(LABEL_LOG);
  msgSetText(ESCAPE, 0, ESCAPE.length);
  judge(send(log));
  print(`hostile: LOG! text with an escape sequence: ${text(verdict.bytes, verdict.length)}`);
  // The same straight to the console, with a forged log line: a task without the console
  // capability has each line attributed ("[task N] ") and its non-text bytes shown as '?'.
  sysWrite(addressOf(FORGED), u64(FORGED.length));

  flood(log);

  if (tally[1] == 0) print(`hostile: all attempts refused (${tally[0]} attempts)`);
  else print(`hostile: ${tally[1]} of ${tally[0]} attempts ALLOWED`);
  print("hostile: reading kernel memory");
  const v: u64 = load64(KERNEL);
  print(`hostile: read ${hex(v)} from kernel memory: the kernel did not stop me`);
  return 1;
}

/** W+X and other mappings a task must not get; then the one it may (read-write, zeroed). */
function memoryAttempts(log: u64, region: u64): void {
  judge(sysMemMap(region, MAPPED, u64(MEM_WRITE | MEM_EXEC)));
  print(`hostile: W+X mapping of its memory region: ${text(verdict.bytes, verdict.length)}`);
  judge(sysMemMap(region, MAPPED, MEM_EXEC));
  print(`hostile: executable mapping of its memory region: ${text(verdict.bytes, verdict.length)}`);
  judge(sysMemMap(region, KERNEL, MEM_WRITE));
  print(`hostile: mapping its memory region into the kernel half: ${text(verdict.bytes, verdict.length)}`);
  judge(sysMemMap(region, 0x7fff_ffff_f000n, MEM_WRITE));
  print(`hostile: mapping its memory region across the top of user space: ${text(verdict.bytes, verdict.length)}`);
  judge(sysMemMap(region, u64(MAPPED + 0x800n), MEM_WRITE));
  print(`hostile: mapping at an unaligned address: ${text(verdict.bytes, verdict.length)}`);
  judge(sysMemMap(region, OWN_CODE, MEM_WRITE));
  print(`hostile: mapping writable memory over its own code: ${text(verdict.bytes, verdict.length)}`);
  judge(sysMemMap(log, MAPPED, MEM_WRITE));
  print(`hostile: memMap with an endpoint capability: ${text(verdict.bytes, verdict.length)}`);
  judge(sysMemMap(0x2a05n, MAPPED, MEM_WRITE));
  print(`hostile: memMap with a forged handle: ${text(verdict.bytes, verdict.length)}`);
  judge(sysMemMap(region, MAPPED, 0x10n));
  print(`hostile: memMap with unknown flags: ${text(verdict.bytes, verdict.length)}`);
  const readOnly: u64 = sysCapDerive(region, sysTaskId(), RIGHT_MAP_ONLY, 0n, 0n);
  judge(sysMemMap(readOnly, MAPPED, MEM_WRITE));
  print(`hostile: writable mapping through a map-only capability: ${text(verdict.bytes, verdict.length)}`);
  const expiring: u64 = sysCapDerive(region, sysTaskId(), u64(RIGHT_MAP_ONLY | 16n), 0n, u64(sysTime() + 60_000_000_000n));
  judge(sysMemMap(expiring, MAPPED, MEM_WRITE));
  print(`hostile: mapping through a time-limited capability: ${text(verdict.bytes, verdict.length)}`);
  judge(sysMemUnmap(OWN_CODE));
  print(`hostile: memUnmap of its own code: ${text(verdict.bytes, verdict.length)}`);
  // What it may do: map the region read-write; it comes zeroed.
  const r: u64 = errorOf(sysMemMap(region, MAPPED, MEM_WRITE));
  let zero: bool = true;
  if (r == 0n) for (let off: u64 = 0n; off < 8192n; off = u64(off + 8n)) if (load64(usize(MAPPED + off)) != 0n) zero = false;
  print(`hostile: read-write mapping of its memory region: error ${r}, zeroed ${zero}`);
}

/** FLOOD async sends to log as fast as possible: the first must get through, the flood must be held back (not fatal). */
function flood(log: u64): void {
  let accepted: u32 = 0;
  let throttled: u32 = 0;
  let full: u32 = 0;
  let other: u32 = 0;
  let first: u64 = 0n;
  for (let i: u32 = 0; i < FLOOD; i++) {
    msgStart(LABEL_PING); // an async PING: log ignores it
    msgSetWord(u64(i));
    const e: u64 = errorOf(send(log));
    if (i == 0) first = e;
    if (e == 0n) accepted = u32(accepted + 1);
    else if (e == ERR_THROTTLED) throttled = u32(throttled + 1);
    else if (e == ERR_WOULD_BLOCK) full = u32(full + 1);
    else other = u32(other + 1);
  }
  if (first != 0n) print(`hostile: IPC flood: even the first send was refused (${text(errorText, errorName(first))})`);
  tally[0] = u32(tally[0] + 1);
  if (throttled == 0 && full == 0) {
    tally[1] = u32(tally[1] + 1);
    print(`hostile: IPC flood of ${FLOOD} sends to log: ALLOWED (accepted ${accepted}, other errors ${other})`);
  } else {
    print(`hostile: IPC flood of ${FLOOD} sends to log: refused (accepted ${accepted}, throttled ${throttled}, queue full ${full}, other ${other})`);
  }
}

// libFuzzer target: IPC messages and capability transfer, driven by what
// senders control. The input is a script of system calls by four tasks on
// three endpoints (the third inspected by the boot manifest's label policy,
// ipc/label-policy.ts), with the IPC core (src/kernel/ipc) wired to the
// capability subsystem (src/kernel/cap) as the kernel wires it in
// syscall/ipc-calls.ts: an operation needs an endpoint capability with the
// right, a carried handle needs GRANT, delivery moves each carried capability
// (capTransfer, within the receiver's quota: syscall/cap-quota.ts).
//
// Everything a task puts in a message is taken from the input: label, len
// (any u32), capCount (any u32), the user flags, four handles (forged, stale,
// or (below 0x100) the sender's k-th real capability) and the payload words
// len covers, decoded as syscall/message-copy.ts decodes the user layout. So
// are the handles naming endpoints, reply tokens (forged, or the one the task
// received), kernel posts, deaths, endpoint closes, derivations, revocations
// and the clock. After every operation the IPC state's invariants
// (ipcInvariantBroken), the capability tables' (capCheckConsistency) and the
// messages' (payload words past len are zero) must hold; a broken one panics.
import { u8, u32, u64, bool, array, panic } from "kts";
import {
  ipc, IpcResult, IpcOp, Message, NO_TASK, MAX_CAPS, PAYLOAD_BYTES, PAYLOAD_WORDS, PRINCIPAL_BYTES, USER_FLAGS, ipcInvariantBroken,
} from "../../src/kernel/ipc/index";
import { labelPolicyAdd, labelPolicyInspect } from "../../src/kernel/ipc/label-policy";
import {
  capReset, capInsertRoot, capLookup, capTransfer, capDerive, capRevoke, capReleaseTask, capAt, capInSlot, capCheckConsistency,
  CapKind, CapError, CapView, CAP_SLOTS, RIGHT_SEND, RIGHT_RECEIVE, RIGHT_GRANT, RIGHT_MAP, RIGHT_WRITE,
} from "../../src/kernel/cap/index";
import { mayPlace, placedBy } from "../../src/kernel/syscall/cap-quota";
import { Input } from "./input";

const TASKS: u32 = 4;
const ENDPOINTS: u32 = 3;
const MAX_OPS: u32 = 256;

const I = new Input();
const incoming = new Message();
const view = new CapView();
const scan = new CapView();
const principal: u8[] = array(PRINCIPAL_BYTES, 0);
const endpoint: u32[] = array(ENDPOINTS, 0);
let clock: u64 = 1_000_000n;
let wired: bool = false;

// ---- the kernel's wiring (syscall/ipc-calls.ts) ------------------------------

/** The interceptor's capability check: an endpoint capability with the right for op. */
function holdsEndpointRight(task: u32, ep: u32, op: u32): bool {
  if (op == u32(IpcOp.Reply)) return true;
  const need: u32 = op == u32(IpcOp.Receive) ? RIGHT_RECEIVE : RIGHT_SEND;
  for (let s: u32 = 0; s < CAP_SLOTS; s++) {
    if (capInSlot(task, s, scan) != CapError.Ok) continue;
    if (scan.kind == CapKind.Endpoint && scan.objA == u64(ep) && u32(scan.rights & need) == need) return true;
  }
  return false;
}

/** The transfer check: the sender holds the handle with GRANT. */
function mayTransfer(task: u32, handle: u32): bool {
  return capLookup(task, handle, CapKind.Any, RIGHT_GRANT, clock, false, scan) == CapError.Ok;
}

/** Delivery: each carried capability moves to the receiver (handle 0 if it cannot). */
function moveCarried(sender: u32, receiver: u32, msg: Message, now: u64): void {
  for (let i: u32 = 0; i < msg.capCount; i++) {
    const e: CapError = mayPlace(receiver, sender) ? capTransfer(sender, msg.caps[i], receiver, now, scan) : CapError.TableFull;
    msg.caps[i] = e == CapError.Ok ? scan.handle : 0;
    if (e == CapError.Ok && receiver != sender) placedBy(scan, sender);
  }
}

// ---- the script ------------------------------------------------------------------

function now(): u64 {
  return clock;
}

/** A handle as a task names it: below 0x100 (never a valid handle) the task's k-th capability, else as given. */
function handleOf(b: u8[], task: u32): u32 {
  const raw: u32 = I.u32(b);
  if (raw >= 0x100) return raw;
  return capAt(task, raw, scan) == CapError.Ok ? scan.handle : raw;
}

/** The sender's part of a message, as message-copy.ts reads it from user memory: header, handles, the payload words len covers. */
function readMessage(b: u8[], task: u32): Message {
  const m = incoming;
  m.clear();
  m.label = I.u32(b);
  m.len = I.u32(b);
  m.capCount = I.u32(b);
  m.flags = I.u32(b) & USER_FLAGS;
  for (let i: u32 = 0; i < MAX_CAPS; i++) m.caps[i] = handleOf(b, task);
  const n: u32 = m.len < PAYLOAD_BYTES ? m.len : PAYLOAD_BYTES;
  const words: u32 = u32(n + 7) >>> 3;
  for (let i: u32 = 0; i < words; i++) m.payload[i] = I.u64(b);
  return m;
}

/** Resolves a user handle to an endpoint with rights (consuming a use), or NO_TASK. */
function endpointOf(task: u32, handle: u32, rights: u32): u32 {
  if (capLookup(task, handle, CapKind.Endpoint, rights, now(), true, view) != CapError.Ok) return NO_TASK;
  return u32(view.objA);
}

function drainWakes(): void {
  for (let t: u32 = ipc.popWake(); t != NO_TASK; t = ipc.popWake()) {
    if (t >= TASKS) panic(`woke task ${t}`);
  }
}

function checkMessage(m: Message, what: u32): void {
  if (m.len > PAYLOAD_BYTES || m.capCount > MAX_CAPS) panic(`message ${what}: len ${m.len} caps ${m.capCount}`);
  const words: u32 = m.len >= PAYLOAD_BYTES ? PAYLOAD_WORDS : u32(m.len + 7) >>> 3;
  for (let i: u32 = words; i < PAYLOAD_WORDS; i++) if (m.payload[i] != 0n) panic(`message ${what}: payload word ${i} past len ${m.len}`);
  for (let i: u32 = m.capCount; i < MAX_CAPS; i++) if (m.caps[i] != 0) panic(`message ${what}: handle ${i} past capCount ${m.capCount}`);
}

function invariants(op: u32): void {
  const broken: u32 = ipcInvariantBroken(ipc.state);
  if (broken != 0) panic(`IPC invariant ${broken} broken after op ${op}`);
  const cap: u32 = capCheckConsistency();
  if (cap != 0) panic(`capability invariant ${cap} broken after op ${op}`);
  for (let t: u32 = 0; t < TASKS; t++) checkMessage(ipc.inbox(t), t);
}

function setUp(b: u8[]): void {
  if (!wired) {
    ipc.setCapabilityCheck(holdsEndpointRight, true);
    ipc.setTransferCheck(mayTransfer);
    ipc.setCapDelivery(moveCarried);
  }
  ipc.reset();
  capReset();
  clock = 1_000_000n;
  for (let t: u32 = 0; t < TASKS; t++) {
    for (let i: u32 = 0; i < PRINCIPAL_BYTES; i++) principal[i] = u8(t * 31 + i + 1);
    if (ipc.taskCreate(t, principal, now()) != IpcResult.Ok) panic("taskCreate");
  }
  for (let e: u32 = 0; e < ENDPOINTS; e++) endpoint[e] = ipc.endpointCreate(e, now());
  if (!wired) {
    // The manifest's inspection rules for endpoint 2: label 1 must be text, label 2 anything.
    labelPolicyAdd(endpoint[2], 1, true);
    labelPolicyAdd(endpoint[2], 2, false);
    wired = true;
  }
  ipc.setInspector(endpoint[2], labelPolicyInspect);
  // Each task's capabilities: endpoint rights from the input, a memory region and an interrupt it may grant.
  for (let t: u32 = 0; t < TASKS; t++) {
    for (let e: u32 = 0; e < ENDPOINTS; e++) {
      const rights: u32 = u32(I.u8(b)) & 7;
      if (rights != 0) capInsertRoot(t, CapKind.Endpoint, rights, u64(endpoint[e]), 0n, 0, 0n, view);
    }
    capInsertRoot(t, CapKind.MemoryRegion, RIGHT_MAP | RIGHT_WRITE | RIGHT_GRANT, u64(u64(t + 1) * 0x10000n), 0x1000n, 0, 0n, view);
    capInsertRoot(t, CapKind.Irq, u32(RIGHT_RECEIVE | RIGHT_GRANT), u64(32 + t), 1n, u32(I.u8(b)) & 3, 0n, view);
  }
}

function step(b: u8[], op: u32): void {
  const kind: u32 = u32(I.u8(b));
  const task: u32 = u32(u32(I.u8(b)) % TASKS);
  switch (u32(kind % 12)) {
    case 0:
    case 1: {
      // send / call through a handle
      const h: u32 = handleOf(b, task);
      const m = readMessage(b, task);
      const ep: u32 = endpointOf(task, h, RIGHT_SEND);
      if (ep == NO_TASK) return;
      if (u32(kind % 12) == 0) ipc.send(task, ep, m, now());
      else ipc.call(task, ep, m, now());
      break;
    }
    case 2: {
      const h: u32 = handleOf(b, task);
      const blocking: bool = (I.u8(b) & 1) != 0;
      const ep: u32 = endpointOf(task, h, RIGHT_RECEIVE);
      if (ep == NO_TASK) return;
      ipc.receive(task, ep, blocking, now());
      break;
    }
    case 3: {
      // reply: with the token the task received, or a forged one
      const forged: bool = (I.u8(b) & 1) != 0;
      const token: u64 = forged ? I.u64(b) : ipc.inbox(task).replyToken;
      const m = readMessage(b, task);
      ipc.reply(task, token, m, now());
      break;
    }
    case 4: {
      const ep: u32 = I.u32(b);
      const m = readMessage(b, task);
      ipc.postFromKernel(ep < 0x100 ? endpoint[u32(ep % ENDPOINTS)] : ep, m, now());
      break;
    }
    case 5: {
      // the task dies (its capabilities released), and a new one takes its id
      ipc.taskDied(task, now());
      capReleaseTask(task);
      if ((I.u8(b) & 1) != 0) {
        for (let i: u32 = 0; i < PRINCIPAL_BYTES; i++) principal[i] = u8(task * 17 + i);
        ipc.taskCreate(task, principal, now());
      }
      break;
    }
    case 6: {
      const ep: u32 = I.u32(b);
      ipc.endpointClose(task, ep < 0x100 ? endpoint[u32(ep % ENDPOINTS)] : ep, now());
      break;
    }
    case 7: {
      const h: u32 = handleOf(b, task);
      const to: u32 = u32(u32(I.u8(b)) % TASKS);
      const rights: u32 = u32(I.u8(b));
      const uses: u32 = u32(I.u8(b));
      const expiry: u64 = u64(I.u16(b));
      capDerive(task, h, to, rights, uses, expiry == 0n ? 0n : u64(clock + expiry), 0n, view);
      break;
    }
    case 8:
      capRevoke(task, handleOf(b, task));
      break;
    case 9:
      clock = u64(clock + u64(I.u32(b)));
      break;
    case 10: {
      // a capability moved directly (as a message would carry it)
      const h: u32 = handleOf(b, task);
      const to: u32 = u32(u32(I.u8(b)) % TASKS);
      if (mayTransfer(task, h)) {
        incoming.clear();
        incoming.capCount = 1;
        incoming.caps[0] = h;
        moveCarried(task, to, incoming, now());
      }
      break;
    }
    default: {
      // read what the task received, as a receiver would
      const m = ipc.inbox(task);
      for (let i: u32 = 0; i < m.capCount; i++) {
        if (m.caps[i] != 0 && capLookup(task, m.caps[i], CapKind.Any, 0, now(), false, scan) != CapError.Ok) {
          // A delivered handle names a capability the receiver holds (unless revoked since).
          if (capLookup(task, m.caps[i], CapKind.Any, 0, now(), false, scan) == CapError.BadHandle) panic(`delivered handle ${m.caps[i]} is malformed`);
        }
      }
      break;
    }
  }
  drainWakes();
  invariants(op);
}

export function fuzzOne(b: u8[]): u32 {
  I.start(b.length);
  setUp(b);
  invariants(0);
  for (let op: u32 = 1; op <= MAX_OPS; op = u32(op + 1)) {
    if (I.done()) break;
    step(b, op);
  }
  return 0;
}

// Shared set-up for the IPC host tests: the kernel's IPC instance reset to a
// clean state with the table policy wired in, tasks with recognisable principals,
// a simulated clock, and a scratch message.
import { u8, u32, u64, array, panic } from "kts";
import {
  ipc,
  IpcResult,
  Message,
  NO_ENDPOINT,
  PRINCIPAL_BYTES,
  RATE_UNLIMITED,
  capDeliveryNotWired,
  policyReset,
  policySet,
  tablePolicyCheck,
  tablePolicyTransfer,
  POLICY_ALL,
} from "../../src/kernel/ipc/index";

export const pbuf: u8[] = array(PRINCIPAL_BYTES, 0);
export const out = new Message();
let clock: u64 = 1_000_000n;

/** Simulated nanoseconds. */
export function now(): u64 {
  return clock;
}

export function advance(ns: u64): void {
  clock = u64(clock + ns);
}

/** Writes task t's principal into p: byte i is t * 31 + i + 1. */
export function principalOf(t: u32, p: u8[]): void {
  for (let i: u32 = 0; i < PRINCIPAL_BYTES; i++) p[i] = u8(t * 31 + i + 1);
}

/** Clean IPC, table policy (everything denied), no default rate limit. */
export function fresh(): void {
  ipc.reset();
  policyReset();
  ipc.setCapabilityCheck(tablePolicyCheck, false);
  ipc.setTransferCheck(tablePolicyTransfer);
  ipc.setCapDelivery(capDeliveryNotWired);
  ipc.setDefaultRateLimit(RATE_UNLIMITED, 0);
}

/** Creates tasks 0 .. n-1. */
export function tasks(n: u32): void {
  for (let t: u32 = 0; t < n; t++) {
    principalOf(t, pbuf);
    if (ipc.taskCreate(t, pbuf, now()) != IpcResult.Ok) panic("taskCreate failed");
  }
}

/** An endpoint owned by owner, every right granted to tasks 0 .. n-1. */
export function openEndpoint(owner: u32, n: u32): u32 {
  const ep: u32 = ipc.endpointCreate(owner, now());
  if (ep == NO_ENDPOINT) panic("endpointCreate failed");
  for (let t: u32 = 0; t < n; t++) policySet(t, ep, POLICY_ALL);
  return ep;
}

/** The scratch message with label and a len-byte payload of (seed + i). */
export function msg(label: u32, len: u32, seed: u32): Message {
  out.clear();
  out.label = label;
  out.len = len;
  for (let i: u32 = 0; i < len; i++) out.setByte(i, u8(seed + i));
  return out;
}

/** Pops the whole wake list; the count. */
export function drainWakes(): u32 {
  let n: u32 = 0;
  for (;;) {
    const t: u32 = ipc.popWake();
    if (t == 0xffff_ffff) return n;
    n = u32(n + 1);
  }
}

/**
 * A simple table policy for the interceptor's capability hooks, for tests and
 * bring-up until the capability subsystem (src/kernel/cap) is wired in: a bit per
 * (task, endpoint, IpcOp) and a mask of transferable handles (0..63) per task.
 * Everything starts denied. Install with
 *   ipc.setCapabilityCheck(tablePolicyCheck, false); ipc.setTransferCheck(tablePolicyTransfer);
 */
import { u8, u32, u64, bool, array } from "kts";
import { IpcOp, MAX_ENDPOINTS, MAX_TASKS } from "./types";

/** Rights bits: 1 << IpcOp. */
export const POLICY_SEND: u8 = 1;
export const POLICY_CALL: u8 = 2;
export const POLICY_RECEIVE: u8 = 4;
export const POLICY_REPLY: u8 = 8;
export const POLICY_ALL: u8 = 15;

const rights: u8[] = array(MAX_TASKS * MAX_ENDPOINTS, 0);
const transferable: u64[] = array(MAX_TASKS, 0n);

/** Denies everything again. */
export function policyReset(): void {
  for (let i: u32 = 0; i < u32(MAX_TASKS * MAX_ENDPOINTS); i++) rights[i] = 0;
  for (let i: u32 = 0; i < MAX_TASKS; i++) transferable[i] = 0n;
}

/** Sets task's rights on endpoint to exactly `bits` (RIGHT_* ored). */
export function policySet(task: u32, endpoint: u32, bits: u8): void {
  if (task >= MAX_TASKS || endpoint >= MAX_ENDPOINTS) return;
  rights[u32(task * MAX_ENDPOINTS + endpoint)] = bits;
}

export function policyRights(task: u32, endpoint: u32): u8 {
  if (task >= MAX_TASKS || endpoint >= MAX_ENDPOINTS) return 0;
  return rights[u32(task * MAX_ENDPOINTS + endpoint)];
}

/** Lets task transfer (or not) capability handle `handle` (< 64). */
export function policySetTransfer(task: u32, handle: u32, allowed: bool): void {
  if (task >= MAX_TASKS || handle >= 64) return;
  const bit: u64 = u64(1n << u64(handle));
  transferable[task] = allowed ? transferable[task] | bit : transferable[task] & u64(~bit);
}

/** The capability hook: may task perform op (an IpcOp) on endpoint? */
export function tablePolicyCheck(task: u32, endpoint: u32, op: u32): bool {
  if (op > u32(IpcOp.Reply)) return false;
  return (u32(policyRights(task, endpoint)) & u32(1 << op)) != 0;
}

/** The transfer hook: may task pass capability handle `handle` in a message? */
export function tablePolicyTransfer(task: u32, handle: u32): bool {
  if (task >= MAX_TASKS || handle >= 64) return false;
  return (transferable[task] & u64(1n << u64(handle))) != 0n;
}

/**
 * IPC results as system-call errors (docs/SYSCALLS.md): what the syscall layer
 * returns to user space for an IpcResult. Blocked is not an error: the task is
 * blocked, and the result it is woken with is mapped when it resumes.
 *
 *   Ok, Blocked          Ok
 *   WouldBlock, QueueFull WouldBlock   (empty queue on receive, full on send)
 *   Denied, Rejected,    Denied        (the capability check or the interceptor refused)
 *   NotOwner
 *   Throttled            Throttled
 *   PeerDied             PeerDied
 *   Closed, BadEndpoint, BadCapability (the handle names no live endpoint, or a
 *   BadToken                            used/forged reply capability)
 *   BadTask, BadMessage, Invalid
 *   BadState
 *   Exhausted            NoMemory
 */
import { SysError } from "../syscall/numbers.generated";
import { IpcResult } from "./types";

export function ipcSysError(r: IpcResult): SysError {
  switch (r) {
    case IpcResult.Ok:
    case IpcResult.Blocked:
      return SysError.Ok;
    case IpcResult.WouldBlock:
    case IpcResult.QueueFull:
      return SysError.WouldBlock;
    case IpcResult.Denied:
    case IpcResult.Rejected:
    case IpcResult.NotOwner:
      return SysError.Denied;
    case IpcResult.Throttled:
      return SysError.Throttled;
    case IpcResult.PeerDied:
      return SysError.PeerDied;
    case IpcResult.Closed:
    case IpcResult.BadEndpoint:
    case IpcResult.BadToken:
      return SysError.BadCapability;
    case IpcResult.Exhausted:
      return SysError.NoMemory;
    default:
      return SysError.Invalid;
  }
}

/**
 * Exit notifications: the holder of the system capability (init) names one
 * endpoint, and every task that ends is announced there by a kernel message
 * (label EXIT_LABEL; words: task, exit code, service index, 1 if it faulted or
 * was killed, 1 if the manifest says to restart it). That is how init learns a
 * service died and whether to restart it.
 * Runs under the scheduler lock, inside endTask.
 */
import { u32, u64, bool, log, LOG_WARN } from "kts";
import { monotonicNanos } from "arch";
import { ipc, IpcResult, Message, NO_ENDPOINT } from "../ipc/index";
import { resources } from "./table";
import { serviceRestarts } from "./services";

export const EXIT_LABEL: u32 = 0x4558_4954;

let watcher: u32 = NO_ENDPOINT;
const note = new Message();

export function setExitWatch(endpoint: u32): void {
  watcher = endpoint;
}

export function notifyExit(t: u32, code: u64, abnormal: bool): void {
  if (watcher == NO_ENDPOINT) return;
  note.clear();
  note.label = EXIT_LABEL;
  note.len = 40;
  note.payload[0] = u64(t);
  note.payload[1] = code;
  note.payload[2] = u64(resources[t].service);
  note.payload[3] = abnormal ? 1n : 0n;
  note.payload[4] = serviceRestarts(resources[t].service) ? 1n : 0n;
  const r = ipc.postFromKernel(watcher, note, monotonicNanos());
  if (r != IpcResult.Ok) log(LOG_WARN, `exit of task ${t} not announced: endpoint ${watcher} result ${u32(r)}`);
}

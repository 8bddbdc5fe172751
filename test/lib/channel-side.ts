"use unsafe";
// Calling the other side's operation is this side's own bug: it panics (both worlds).
import { u32, print } from "kts";
import { Channel, Entry, Side, Status } from "../../src/lib/channel/channel";
import { regionBase } from "./channel-world";

const owner = new Channel();
const e = new Entry();

export function main(): u32 {
  const base = regionBase();
  const s = owner.init(base, 4 * 4096, 4, 4, Side.Client);
  print(`init ${u32(s == Status.Ok)} push ${u32(owner.pushRequest(1, 0, 0, 0, 0n, 0n) == Status.Notify)}`);
  owner.popRequest(e);
  print("not reached");
  return 1;
}

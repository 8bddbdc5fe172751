// A large object streamed through the engine's buffer in 32 KiB chunks: put,
// read back, verified, kept across a remount, deleted. The size is content
// 32's (store.test.ts: 4 MiB in both worlds, 16 MiB natively).
import { u8, u32, u64, array, print, check, checkFailures } from "kts";
import { Store, Put, Status, MountResult, ObjectInfo } from "../../src/lib/store/engine";
import { Disk } from "../../src/lib/store/disk";
import { readInput, attach, wipe, contentSize, report } from "./store-world";
import { putContent, findContent, readBack } from "./store-common";

const store = new Store();
const disk = new Disk();
const put = new Put();
const info = new ObjectInfo();
const id: u8[] = array(16, 0);
const buf: u8[] = array(8192, 0);
const BLOCKS: u32 = 36864; // 18 MiB
const BIG: u32 = 32;

export function main(): u32 {
  readInput();
  wipe(BLOCKS);
  attach(disk, BLOCKS, false);
  check(store.mount(disk, id, 32) == MountResult.Formatted, "format");
  const total = store.totalBytes();
  print(`data area ${total} bytes, object ${contentSize(BIG)} bytes`);
  check(putContent(store, put, 1, BIG, 64, 0) == Status.Ok, "put");
  const h = findContent(store, 1, BIG);
  store.stat(h, info);
  print(`put: pages ${info.pages} free ${store.freeBytes()}`);
  check(readBack(store, h, BIG, buf), "read back");
  print(`verify ${u32(store.verify(h))}`);
  attach(disk, BLOCKS, false);
  check(store.mount(disk, id, 32) == MountResult.Mounted, "remount");
  const again = findContent(store, 1, BIG);
  print(`after remount: verify ${u32(store.verify(again))}`);
  check(store.remove(again) == Status.Ok && store.freeBytes() == total, "delete frees it all");
  report();
  print(`failures ${checkFailures()}`);
  return checkFailures();
}

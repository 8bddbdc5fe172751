// Makes the object store fuzz target's seed disks with the engine itself
// (fuzz/seeds.ts runs it natively): a store formatted on the target's disk
// (store-disk.ts), objects put (their hashes and signatures computed by
// seeds.ts and passed on stdin), grants, a vault entry, a delete, and, for
// image 1, a checkpoint and more changes after it. Prints each non-zero byte
// of each image as "image block offset value" lines; seeds.ts packs them.
//
// Stdin: the signer's 32-byte public key, then per object (4 of them) its
// 64-byte signature; object c's content is contentByte(c, j), size SIZES[c].
import { u8, u32, u64, array, arrayOf, slice, print, panic, min } from "kts";
import { readStdin } from "kts/host";
import { Store, Put, Status, MountResult, NONE } from "../../src/lib/store/engine";
import { Disk } from "../../src/lib/store/disk";
import { blake3Hash } from "../../src/lib/crypto/blake3";
import { attachDisk, diskBlocks, blockIsZero, diskBlock, BUF } from "../targets/store-disk";

const SIZES: readonly u32[] = arrayOf([100, 1000, 5000, 512]);
const input: u8[] = array(32 + 4 * 64, 0);
const store = new Store();
const disk = new Disk();
const put = new Put();
const id: u8[] = array(16, 0);
const key: u8[] = array(32, 0);
const sig: u8[] = array(64, 0);
const hash: u8[] = array(32, 0);
const owner: u8[] = array(32, 0);
const content: u8[] = array(8192, 0);
const blk: u8[] = array(512, 0);

export function contentByte(c: u32, j: u32): u8 {
  return u8(u32(j * 7 + c * 31 + (j >>> 8)));
}

function putObject(c: u32, o: u32): void {
  const size: u32 = SIZES[c];
  for (let j: u32 = 0; j < size; j++) content[j] = contentByte(c, j);
  for (let i: u32 = 0; i < 32; i++) owner[i] = u8(o * 13 + i);
  if (store.putBegin(put, owner, u64(size)) != Status.Ok) panic("putBegin");
  for (let j: u32 = 0; j < size; j++) BUF[j] = content[j];
  if (store.putData(put, 0n, 0, size) != Status.Ok) panic("putData");
  for (let i: u32 = 0; i < 64; i++) sig[i] = input[u32(32 + c * 64 + i)];
  blake3Hash(slice(content, 0, size), hash);
  const s = store.putCommit(put, hash, key, sig);
  if (s != Status.Ok) panic(`putCommit ${u32(s)}`);
}

function dump(image: u32): void {
  for (let n: u32 = 0; n < diskBlocks(); n++) {
    if (blockIsZero(n)) continue;
    diskBlock(n, blk);
    for (let i: u32 = 0; i < 512; i++) if (blk[i] != 0) print(`${image} ${n} ${i} ${blk[i]}`);
  }
}

export function main(): u32 {
  let got: u32 = 0;
  for (;;) {
    const chunk: u8[] = array(512, 0);
    const n = readStdin(chunk);
    if (n == 0) break;
    for (let i: u32 = 0; i < n; i++) {
      if (got == input.length) break;
      input[got] = chunk[i];
      got = u32(got + 1);
    }
  }
  if (got != input.length) panic("short input");
  for (let i: u32 = 0; i < 32; i++) key[i] = input[i];
  for (let i: u32 = 0; i < 16; i++) id[i] = u8(0xc0 + i);
  for (let image: u32 = 0; image < 2; image++) {
    attachDisk(disk, 40);
    if (store.mount(disk, id, 32) != MountResult.Formatted) panic("format");
    putObject(0, 1);
    putObject(1, 2);
    putObject(2, 1);
    for (let i: u32 = 0; i < 32; i++) owner[i] = u8(0x50 + i);
    const first: u32 = store.nextObject(0);
    if (store.grant(first, owner) != Status.Ok) panic("grant");
    const seed: u8[] = array(32, 7);
    if (store.vaultPut(owner, seed, key) != Status.Ok) panic("vaultPut");
    if (image == 1) {
      if (store.checkpoint() != Status.Ok) panic("checkpoint");
      putObject(3, 3);
    }
    const second: u32 = store.nextObject(u32(first + 1));
    if (second == NONE || store.remove(second) != Status.Ok) panic("remove");
    if (store.mount(disk, id, 32) != MountResult.Mounted) panic("remount");
    print(`image ${image} objects ${store.objectCount} vault ${store.vaultCount} min ${min(store.objectCount, 9)}`);
    dump(image);
  }
  return 0;
}

// Helpers of the store drivers: principals, whole puts of test contents.
import { u8, u32, u64, bool, array, min } from "kts";
import { Store, Put, Status, NONE } from "../../src/lib/store/engine";
import { BUF_BYTES, contentSize, contentHash, contentSig, contentByte, fillBuffer, publicKey } from "./store-world";

/** Principal n: 32 bytes, distinct for every n. */
export function principal(n: u32, out: u8[]): void {
  for (let i: u32 = 0; i < 32; i++) out[i] = u8(n * 37 + i * 11 + 5);
  out[0] = u8(n);
  out[1] = u8(n >>> 8);
}

const hash: u8[] = array(32, 0);
const sig: u8[] = array(64, 0);
const owner: u8[] = array(32, 0);

/**
 * Puts content c for owner o, in chunks of chunkBlocks blocks (0: as large as
 * the buffer allows); spoil 1 gives a wrong hash, 2 a wrong signature, 3
 * aborts halfway. The status of the step that ended it.
 */
export function putContent(s: Store, p: Put, o: u32, c: u32, chunkBlocks: u32, spoil: u32): Status {
  principal(o, owner);
  const size = contentSize(c);
  const b = s.putBegin(p, owner, u64(size));
  if (b != Status.Ok) return b;
  const chunk = chunkBlocks == 0 ? BUF_BYTES : min(u32(chunkBlocks * 512), BUF_BYTES);
  for (let off: u32 = 0; off < size; off = u32(off + chunk)) {
    if (spoil == 3 && off >= u32(size / 2)) {
      s.putAbort(p);
      return Status.BadState;
    }
    const n = min(chunk, u32(size - off));
    fillBuffer(0, c, off, n);
    const d = s.putData(p, u64(off), 0, n);
    if (d != Status.Ok) return d;
  }
  contentHash(c, hash);
  contentSig(c, sig);
  if (spoil == 1) hash[3] = u8(hash[3] ^ 1);
  if (spoil == 2) sig[5] = u8(sig[5] ^ 0x10);
  return s.putCommit(p, hash, publicKey, sig);
}

/** The handle of content c of owner o, or NONE. */
export function findContent(s: Store, o: u32, c: u32): u32 {
  principal(o, owner);
  contentHash(c, hash);
  return s.find(hash, owner);
}

/** True if obj's bytes read back (in chunks) equal content c. */
export function readBack(s: Store, obj: u32, c: u32, buf: u8[]): bool {
  const size = contentSize(c);
  for (let off: u32 = 0; off < size; off = u32(off + 8192)) {
    const n = min(8192, u32(size - off));
    if (s.readData(obj, u64(off), 512, n) != Status.Ok) return false;
    s.disk.load(512, buf, 0, n);
    for (let i: u32 = 0; i < n; i++) {
      if (buf[i] != contentByte(c, u32(off + i))) return false;
    }
  }
  return true;
}

"use unsafe";
// Holds a 2-page memory region (capability 0: map, write, grant; the user-main
// image makes it) and, when memkeeper runs, SEND on memkeeper's endpoint
// (capability 1). Maps the region, finds it zeroed, writes it; maps a derived
// capability elsewhere and sees the same memory; unmaps and maps again; passes
// a mapped capability to memkeeper, after which its mapping here is gone (the
// address is free again); revokes the derived capability, after which its
// mapping must be gone too: the last read of it must end this task with a fault.
import { u32, u64, usize, bool, print, hex } from "kts";
import { load64, store64 } from "kts/unsafe";
import { sysMemMap, sysMemUnmap, sysCapDerive, sysCapRevoke, sysTaskId } from "../../src/lib/sys/syscalls.generated";
import { capAt, call, msgStart, msgSetCaps, msgWord, errorOf } from "../../src/lib/ipc/message";

const A: usize = 0x1000_0000n;
const B: usize = 0x2000_0000n;
const C: usize = 0x3000_0000n;
const BYTES: u64 = 8192n;
const WRITABLE: u64 = 1n;
const MAP_WRITE_RIGHTS: u64 = 24n; // map | write
const MAP_WRITE_GRANT_RIGHTS: u64 = 28n; // map | write | grant

function zeroed(va: usize): bool {
  for (let off: u64 = 0n; off < BYTES; off = u64(off + 8n)) if (load64(usize(va + off)) != 0n) return false;
  return true;
}

function pattern(off: u64): u64 {
  return u64(u64(off * 0x9e37_79b9n) ^ 0x5a5a_0000n);
}

export function main(): u32 {
  const region: u64 = capAt(0n);
  print(`mapper: map A error ${errorOf(sysMemMap(region, A, WRITABLE))}`);
  print(`mapper: A zeroed ${zeroed(A)}`);
  for (let off: u64 = 0n; off < BYTES; off = u64(off + 8n)) store64(usize(A + off), pattern(off));

  const child: u64 = sysCapDerive(region, sysTaskId(), MAP_WRITE_RIGHTS, 0n, 0n);
  print(`mapper: derive error ${errorOf(child)}`);
  print(`mapper: map B error ${errorOf(sysMemMap(child, B, WRITABLE))}`);
  let same: bool = true;
  for (let off: u64 = 0n; off < BYTES; off = u64(off + 8n)) if (load64(usize(B + off)) != pattern(off)) same = false;
  print(`mapper: B shows A's memory ${same}`);
  print(`mapper: map B again error ${errorOf(sysMemMap(child, B, WRITABLE))}`);
  print(`mapper: unmap B error ${errorOf(sysMemUnmap(B))}, again ${errorOf(sysMemUnmap(B))}`);
  print(`mapper: remap B error ${errorOf(sysMemMap(child, B, WRITABLE))}`);
  store64(B, 0x1234n);
  print(`mapper: write through B seen at A ${load64(A) == 0x1234n}`);

  const mailbox: u64 = capAt(1n);
  if (errorOf(mailbox) == 0n) {
    const gift: u64 = sysCapDerive(region, sysTaskId(), MAP_WRITE_GRANT_RIGHTS, 0n, 0n);
    print(`mapper: map C error ${errorOf(sysMemMap(gift, C, WRITABLE))}`);
    msgStart(9);
    msgSetCaps(1, gift, 0n);
    const e: u64 = errorOf(call(mailbox));
    print(`mapper: passed C's capability, error ${e}, memkeeper read ${hex(msgWord())}`);
    // The capability moved: its mapping here is gone, so C is free again.
    print(`mapper: map at C after passing it, error ${errorOf(sysMemMap(region, C, WRITABLE))}`);
  }
  print(`mapper: revoke error ${errorOf(sysCapRevoke(child))}`);
  store64(usize(A + 8n), 0x77n);
  print(`mapper: A still works ${load64(usize(A + 8n)) == 0x77n}`);
  print("mapper: reading B after the revoke");
  const v: u64 = load64(B);
  print(`mapper: revoked mapping still readable (${v})`);
  return 1;
}

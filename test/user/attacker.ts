"use unsafe";
// An unprivileged attacker (attack image) exhausting every resource in turn
// while vclient/pingserver do their round trips beside it. Capability 0: send and
// grant on the victims' endpoint A; 1: a 1-page memory region (map, write, grant);
// 2: receive on its own endpoint E (sleeper sends there).
//  1. a denied send naming slot 63 (a misdeed, for the audit ring);
//  2. capability injection: derives into every task id (only running user
//     tasks take them, at most a quota each), then fills its own table;
//  3. the victims' queue: 200 asynchronous sends to A;
//  4. the audit ring: 2,000 alternately different denied sends;
//  5. shootdowns: 300 map/unmap cycles at one address (with the writers'
//     console pressure beside it, a cross-call once timed out: a panic);
//  6. mapping records: maps the region at ever new addresses, until refused;
//  7. page-table frames: 2,000 map/unmap cycles at addresses 1 GiB apart (each
//     needs two new tables; they once stayed until the task ended, so this held
//     4,000 frames; the test image reports the fewest free frames it saw).
//  8. a dead task's slot: sleeper tells it its id (a call) and exits; a capability
//     derived into that slot would go to the next task started there.
import { u32, u64, usize, print } from "kts";
import { sysMemMap, sysMemUnmap, sysCapDerive, sysTaskId, sysSleep } from "../../src/lib/sys/syscalls.generated";
import { capAt, send, receive, reply, msgStart, msgSender, errorOf } from "../../src/lib/ipc/message";

const BASE: usize = 0x1000_0000n;

export function main(): u32 {
  const v: u64 = capAt(0n);
  const region: u64 = capAt(1n);
  const me: u64 = sysTaskId();
  let e: u64 = 0n;
  msgStart(1);
  send(0x3f3fn);

  let pushed: u32 = 0;
  let most: u32 = 0;
  for (let t: u64 = 0n; t < 64n; t = u64(t + 1n)) {
    if (t == me) continue;
    let here: u32 = 0;
    for (let k: u32 = 0; k < 20; k++) {
      if (errorOf(sysCapDerive(v, t, 1n, 0n, 0n)) != 0n) break;
      here = u32(here + 1);
    }
    pushed = u32(pushed + here);
    if (here > most) most = here;
  }
  print(`attacker: into task 63 error ${errorOf(sysCapDerive(v, 63n, 1n, 0n, 0n))}, into task 0 error ${errorOf(sysCapDerive(v, 0n, 1n, 0n, 0n))}; ${pushed} placed in others, at most ${most} in one`);
  let own: u32 = 0;
  for (let k: u32 = 0; k < 70; k++) {
    e = errorOf(sysCapDerive(v, me, 1n, 0n, 0n));
    if (e != 0n) break;
    own = u32(own + 1);
  }
  print(`attacker: filled its own table with ${own} more, then error ${e}`);

  let queued: u32 = 0;
  for (let i: u32 = 0; i < 200; i++) {
    msgStart(3);
    if (errorOf(send(v)) == 0n) queued = u32(queued + 1);
  }
  print(`attacker: ${queued} of 200 sends to the victims' endpoint queued`);

  for (let i: u32 = 0; i < 2000; i++) {
    msgStart(1);
    // Slots 60 and 61 with generations no slot has reached: stale handles, never a real capability.
    send(u64(u64(0x3cn + u64(i % 2)) | u64(u64(0x10_0000n + u64(i)) << 8n)));
  }
  print("attacker: 2000 denied sends done");
  let cycles: u32 = 0;
  for (let i: u32 = 0; i < 300; i++) {
    if (errorOf(sysMemMap(region, BASE, 1n)) != 0n || errorOf(sysMemUnmap(BASE)) != 0n) break;
    cycles = u32(cycles + 1);
  }
  print(`attacker: ${cycles} map/unmap cycles`);

  let maps: u32 = 0;
  for (let i: u32 = 0; i < 200; i++) {
    e = errorOf(sysMemMap(region, usize(BASE + u64(i) * 0x10_0000n), 1n));
    if (e != 0n) break;
    maps = u32(maps + 1);
  }
  print(`attacker: ${maps} mappings, then error ${e}`);
  for (let i: u32 = 0; i < maps; i++) sysMemUnmap(usize(BASE + u64(i) * 0x10_0000n));

  let fresh: u32 = 0;
  for (let i: u32 = 0; i < 2000; i++) {
    const at: usize = usize(0x40_0000_0000n + u64(i) * 0x4000_0000n);
    e = errorOf(sysMemMap(region, at, 1n));
    if (e != 0n) break;
    sysMemUnmap(at);
    fresh = u32(fresh + 1);
  }
  print(`attacker: ${fresh} fresh-address cycles, then error ${e}`);

  if (errorOf(receive(capAt(2n))) == 0n) {
    const dead: u64 = u64(msgSender());
    reply();
    sysSleep(200_000_000n);
    print(`attacker: into the exited sleeper's slot error ${errorOf(sysCapDerive(v, dead, 1n, 0n, 0n))}`);
  }

  return 0;
}

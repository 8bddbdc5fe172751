/**
 * User mode and IPC on both arches, 4 CPUs. The user-main image starts the
 * bundle's programs (built from test/user/*.ts) through the ELF gate and grants
 * endpoint capabilities by name. Checked: call/reply ping-pong between two
 * address spaces; an async flood meets the queue bound and the rate limiter and
 * the kernel stays up; a task with no capabilities is refused (forged and
 * out-of-range handles) and audited; every pointer-taking syscall refuses kernel
 * and unmapped pointers with BadAddress; a task reading kernel memory is ended
 * while the others go on; preemption (a task that never yields still lets
 * others finish); tasks spread over the CPUs; a revoked capability stops
 * working in the task it was delegated to; memory regions map, share and
 * unmap, and a revoked one's mapping is gone; no run leaks a frame.
 */
import { describe, expect, it } from "vitest";
import path from "node:path";
import { runProcess } from "../harness/process.js";

const ROOT = path.resolve(import.meta.dirname, "../..");
const PROGRAMS = ["pingserver", "pingclient", "flooder", "nocap", "hello", "spin", "hostile"];

/** Boots the user-mode test image with test/user/<name>.ts programs on 4 CPUs until every task has ended. */
async function runUserImage(arch: string, programs: string[], append?: string): Promise<{ status: number; out: string }> {
  const r = await runProcess(
    path.join(ROOT, "bin/cambi"),
    [
      "run", "--arch", arch, "--smp", "4", "--entry", "src/kernel/tests/user-main.ts", "--programs", programs.map((p) => `test/user/${p}.ts`).join(","), "--expect", "user tasks done", "--timeout", "120",
      ...(append ? ["--append", append] : []),
    ],
    "",
    { ...process.env, NO_COLOR: "1" },
    ROOT,
  );
  const out = r.stdout + r.stderr;
  // Whatever the programs did, every frame their tasks used (pages, tables, stacks, memory regions) came back.
  const frames = /frames free: (\d+) before the tasks, (\d+) after, fewest (\d+) in between/.exec(out);
  if (r.status === 0) expect(frames?.[2], out).toBe(frames?.[1]);
  return { status: r.status, out };
}

describe.each(["x86_64", "aarch64"] as const)("user mode and IPC on %s", (arch) => {
  it("ping-pong, flood, denials, bad pointers, a hostile task, preemption", async () => {
    checkMainRun(await runUserImage(arch, PROGRAMS));
  });

  // A caller at its rate limit (1,000 a second, a burst of 8): plain calls are refused, callPaced's wait it out.
  it("a caller over its rate limit is refused, and callPaced waits the limit out", async () => {
    const r = await runUserImage(arch, ["pingserver", "pacedclient"]);
    expect(r.status, r.out).toBe(0);
    const paced = /paced: (\d+) of 50 plain calls throttled, (\d+) of 100 paced calls answered/.exec(r.out);
    expect(paced, r.out).not.toBeNull();
    expect(Number(paced![1])).toBeGreaterThan(30);
    expect(Number(paced![2])).toBe(100);
  });

  // The IPC fast path (replyRecv's and call's direct switch) off: the slow path gives the same results.
  it("the same with the IPC fast path off (ipc=slow)", async () => {
    checkMainRun(await runUserImage(arch, PROGRAMS, "ipc=slow"));
  });

  function checkMainRun(r: { status: number; out: string }): void {
    const out = r.out;
    expect(r.status, out).toBe(0);
    expect(out).toContain("started 7 user tasks");
    // Call/reply across address spaces, every answer checked by the client.
    expect(out).toMatch(/client: 200 call\/reply round trips ok, server task \d+/);
    expect(out).toContain("server: answered 200 calls");
    // Every payload length 0..40 and 256 echoed byte for byte: up to 24 bytes in registers, longer in memory
    // (the server checks what it received); malformed register tags refused (Invalid, 9).
    expect(out).toContain("client: 42 of 42 message shapes echoed ok");
    expect(out).not.toMatch(/echo (request )?of \d+ bytes/);
    expect(out).toContain("client: bad register tags refused: 9 9");
    // A flood: 4 queued (one sender's share of the queue, SENDER_SHARE), the rest refused as queue full or throttled.
    const flood = /flood: sent (\d+), queue full (\d+), throttled (\d+), other (\d+)/.exec(out);
    expect(flood, out).not.toBeNull();
    expect(Number(flood![1])).toBe(4);
    expect(Number(flood![3])).toBeGreaterThan(0);
    expect(Number(flood![4])).toBe(0);
    // No capabilities: refused (Invalid 9, BadCapability 3); kernel or unmapped pointers: BadAddress 2.
    expect(out).toContain("nocap: capAt(0) error 9");
    expect(out).toContain("nocap: forged handle 0x101 error 3");
    expect(out).toContain("nocap: out-of-range handle error 3");
    expect(out).toContain("nocap: huge handle error 3");
    expect(out).toContain("nocap: bad pointers: send 2 receive 2 call 2 reply 2 write 2");
    expect(out).toContain("nocap: unmapped pointer write 2");
    expect(out).toContain("write of a kernel pointer returned 18446744073709551614");
    expect(out).toMatch(/error: task \d+ faulted \(kind \d+, address 0xffff800000000000, pc 0x4[0-9a-f]+\): ended/);
    expect(out).not.toContain("the kernel did not stop me");
    expect(out).toMatch(/spinner \d+ done after \d+ polls/);
    for (const round of [0, 1, 2]) expect(out).toMatch(new RegExp(`hello from user task \\d+, round ${round}`));
    const exits = [...out.matchAll(/^task \d+ exit (\d+) faults (\d+) cpus \d+$/gm)].map((m) => `${m[1]}/${m[2]}`).sort();
    expect(exits).toEqual(["0/0", "0/0", "0/0", "0/0", "0/0", "18446744073709551615/1", "7/0"].sort());
    const audit = /audit: (\d+) denied, (\d+) throttled records; cpus used mask (\d+)/.exec(out);
    expect(Number(audit![1])).toBeGreaterThanOrEqual(3);
    expect(Number(audit![2])).toBeGreaterThan(0);
    const mask = Number(audit![3]);
    expect([0, 1, 2, 3].filter((c) => (mask >> c) & 1).length).toBeGreaterThanOrEqual(3);
  }

  it("a delegated capability works until the one it came from is revoked, then nowhere", async () => {
    const r = await runUserImage(arch, ["pingserver", "granter", "grantee"]);
    const out = r.out;
    expect(r.status, out).toBe(0);
    expect(out).toMatch(/granter: derived handle \d+ for task \d+, error 0/);
    expect(out).toContain("granter: revoke error 0");
    // The grantee's calls worked (at least 3, the granter waited for them), then
    // failed with BadCapability (3), and the capability is gone from its table (Invalid, 9).
    const g = /grantee: (\d+) calls succeeded, then error 3 after the revocation; capAt\(0\) error 9/.exec(out);
    expect(g, out).not.toBeNull();
    expect(Number(g![1])).toBeGreaterThanOrEqual(3);
    expect(out).toMatch(/server: answered \d+ calls/);
  });

  it("a capability passed in a message moves to the receiver and works there; one without GRANT cannot be passed", async () => {
    const r = await runUserImage(arch, ["pingserver", "capreceiver", "capsender"]);
    const out = r.out;
    expect(r.status, out).toBe(0);
    expect(out).toContain("capsender: sent the ping capability, error 0");
    // The handle it sent is gone from its own table: BadCapability (3).
    expect(out).toContain("capsender: a call with the moved handle, error 3");
    // A SEND-only capability cannot travel: Denied (4).
    expect(out).toContain("capsender: passing a capability without GRANT, error 4");
    expect(out).toMatch(/capreceiver: label 7 error 0, 1 capability, handle [1-9]\d*/);
    expect(out).toContain("capreceiver: call through the received capability: error 0, answer 42");
    expect(out).toMatch(/server: answered \d+ calls/);
  });

  it("a memory region maps zeroed and shared, never twice at one address; a moved or revoked capability's mapping is gone", async () => {
    const r = await runUserImage(arch, ["memkeeper", "mapper", "hello"]);
    const out = r.out;
    expect(r.status, out).toBe(0);
    expect(out).toContain("mapper: map A error 0");
    expect(out).toContain("mapper: A zeroed true");
    expect(out).toContain("mapper: map B error 0");
    expect(out).toContain("mapper: B shows A's memory true");
    // AddressInUse (12); the second unmap finds nothing (Invalid, 9).
    expect(out).toContain("mapper: map B again error 12");
    expect(out).toContain("mapper: unmap B error 0, again 9");
    expect(out).toContain("mapper: remap B error 0");
    expect(out).toContain("mapper: write through B seen at A true");
    // Passed in a call: memkeeper maps it and reads what mapper wrote; mapper's own mapping of it is gone.
    expect(out).toContain("mapper: map C error 0");
    expect(out).toContain("memkeeper: receive error 0, 1 capability, map error 0");
    expect(out).toContain("mapper: passed C's capability, error 0, memkeeper read 0x1234");
    expect(out).toContain("mapper: map at C after passing it, error 0");
    expect(out).toContain("mapper: revoke error 0");
    expect(out).toContain("mapper: A still works true");
    expect(out).toMatch(/task \d+ faulted \(kind \d+, address 0x20000000, /);
    expect(out).not.toContain("revoked mapping still readable");
    expect(out).toMatch(/hello from user task \d+, round 2/);
  });

  it("an unprivileged attacker exhausting each resource in turn hurts only itself (security review classes)", async () => {
    const r = await runUserImage(arch, ["pingserver", "vclient", "attacker", "writer", "lookup", "keeper", "revoker", "sleeper"]);
    const out = r.out;
    // No panic: three 4 KiB writers beside 300 map/unmap shootdowns (masked writes once timed a cross-call out).
    expect(r.status, out).toBe(0);
    expect(out.match(/writer: 4 writes of 4096 bytes, 0 short or failed/g)?.length, out).toBe(3);
    expect(out).toContain("attacker: 300 map/unmap cycles");
    // The victims' round trips and their own derivations went on throughout.
    expect(out).toContain("vclient: 300 round trips ok, 6 own derives ok");
    // Expired capabilities leave their slots (reaped every second).
    expect(out).toContain("vclient: derive with a 50 ms lifetime error 0; 2 s later its handle: error 3");
    expect(out).toContain("server: answered 300 calls");
    // Injection: never into a free or kernel slot (Invalid, 9); at most 8 into one running task; its own table fills (NoMemory, 8).
    const inject = /attacker: into task 63 error 9, into task 0 error 9; (\d+) placed in others, at most (\d+) in one/.exec(out);
    expect(inject, out).not.toBeNull();
    expect(Number(inject![2])).toBeLessThanOrEqual(8);
    expect(out).toMatch(/attacker: filled its own table with \d+ more, then error 8/);
    expect(out).toContain("attacker: into the exited sleeper's slot error 9");
    // Mapping records: a per-task quota, then NoMemory (8).
    expect(out).toContain("attacker: 16 mappings, then error 8");
    // Page tables a task's unmaps leave empty are freed (after the flush): 2,000 fresh-address cycles hold none of them.
    expect(out).toContain("attacker: 2000 fresh-address cycles, then error 0");
    const frames = /frames free: (\d+) before the tasks, \d+ after, fewest (\d+) in between/.exec(out);
    expect(Number(frames![1]) - Number(frames![2]), out).toBeLessThan(1500);
    // Concurrent lookups from three tasks never see another task's handle.
    expect(out.match(/lookup: 30000 lookups over \d+ capabilities, 0 wrong/g)?.length, out).toBe(3);
    // Revoked mid-write: the write ends (BadAddress, or short), and only the region's bytes ever reached the console.
    const writes = /\[task (\d+)\] keeper: (\d+) full writes, then one of (\d+) bytes, error (\d+)/.exec(out);
    expect(writes, out).not.toBeNull();
    // BadAddress (2) with nothing written, or a short write: the revoke ended it.
    expect(writes![4] === "2" ? writes![3] === "0" : Number(writes![3]) < 4096, writes![0]).toBe(true);
    const keeperLines = out.split("\n").filter((l) => l.startsWith(`[task ${writes![1]}] `) && !l.includes("keeper:"));
    expect(keeperLines.filter((l) => !/^\[task \d+\] K{63}\r?$/.test(l))).toEqual([]);
    // Revoked while blocked in receive: BadAddress, and the message (with its capability) comes with the next receive.
    expect(out).toContain("keeper: receive after the revoke error 2; again error 0, label 0x4b45, word 0x1234, 1 capability, handle nonzero true");
    expect(out).toContain("sleeper: asked 50 ms, slept at least that: true");
    const exits = [...out.matchAll(/^task \d+ exit (\d+) faults (\d+) cpus \d+$/gm)].map((m) => `${m[1]}/${m[2]}`);
    expect(exits).toEqual(Array(12).fill("0/0"));
  });

  it("a task that uses the FPU is ended (tasks have no FP/SIMD state) and the others go on; the wall clock; timers", async () => {
    const r = await runUserImage(arch, ["fpu", "hello", "clock", "timer"]);
    const out = r.out;
    expect(r.status, out).toBe(0);
    expect(out).toContain("fpu: using the FPU");
    // The wall clock (same boot): unset until a Clock capability's holder sets it, then advancing.
    expect(out).toMatch(/clock: before it is set it reads 0\r?$/m);
    expect(out).toMatch(/clock: a forged handle: error 3\r?$/m);
    expect(out).toMatch(/clock: 1999-12-31 refused: error 9\r?$/m);
    expect(out).toMatch(/clock: set: error 0\r?$/m);
    expect(out).toMatch(/clock: reads what was set: true; advanced at least 20 ms: true\r?$/m);
    // Timers as IPC (same boot).
    expect(out).toMatch(/timer: through a receive-only capability: error 4\r?$/m);
    expect(out).toMatch(/timer: through a send-only capability: error 4\r?$/m);
    expect(out).toMatch(/timer: armed: error 0\r?$/m);
    expect(out).toMatch(/timer: fired: error 0, from the kernel true, label ok true, not early true, not the replaced one true\r?$/m);
    expect(out).toMatch(/timer: a disarmed timer stayed quiet: true\r?$/m);
    expect(out).not.toContain("the FPU worked");
    // x86_64: #NM (vector 7, CR0.EM); AArch64: exception class 7 (CPACR_EL1.FPEN traps).
    expect(out).toMatch(/task \d+ faulted \(kind 7, /);
    expect(out).toMatch(/hello from user task \d+, round 2/);
  });
});

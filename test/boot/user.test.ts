/**
 * User mode on both arches, 4 CPUs: the user-main image starts the bundle's
 * programs (built from test/user/*.ts) through the ELF gate; tasks print through
 * the write syscall, yield, are preempted by the timer, exit with their status;
 * a task that passes a kernel pointer to a syscall gets BadAddress, and one that
 * reads kernel memory is ended while the others and the kernel go on.
 */
import { describe, expect, it } from "vitest";
import path from "node:path";
import { runProcess } from "../harness/process.js";

const ROOT = path.resolve(import.meta.dirname, "../..");
const PROGRAMS = ["hello", "spin", "hostile", "hello"].map((p) => `test/user/${p}.ts`).join(",");

describe.each(["x86_64", "aarch64"] as const)("user mode on %s", (arch) => {
  it("runs user tasks to completion; a hostile one is refused and ended", async () => {
    const r = await runProcess(
      path.join(ROOT, "bin/cambi"),
      ["run", "--arch", arch, "--smp", "4", "--entry", "src/kernel/tests/user-main.ts", "--programs", PROGRAMS, "--expect", "user tasks done", "--timeout", "90"],
      "",
      { ...process.env, NO_COLOR: "1" },
      ROOT,
    );
    const out = r.stdout + r.stderr;
    expect(r.status, out).toBe(0);
    expect(out).toContain("started 4 user tasks");
    for (const round of [0, 1, 2]) expect(out).toMatch(new RegExp(`hello from user task \\d+, round ${round}`));
    // BadAddress is error 2: -2 as a u64.
    expect(out).toContain("write of a kernel pointer returned 18446744073709551614");
    expect(out).toMatch(/error: task \d+ faulted \(kind \d+, address 0xffff800000000000, pc 0x4[0-9a-f]+\): ended/);
    expect(out).not.toContain("the kernel did not stop me");
    expect(out).toMatch(/spinner \d+ done after \d+ polls/);
    const exits = [...out.matchAll(/^task \d+ exit (\d+) faults (\d+)$/gm)].map((m) => `${m[1]}/${m[2]}`).sort();
    expect(exits).toEqual(["0/0", "0/0", "18446744073709551615/1", "7/0"].sort());
  });
});

/**
 * The real thing, on both arches: the kernel boots under QEMU (TCG) with 4 CPUs
 * to its one "boot OK" line, and the test kernel's in-kernel suites pass.
 */
import { describe, expect, it } from "vitest";
import net from "node:net";
import { runProcess } from "../harness/process.js";
import { readFileSync } from "node:fs";
import path from "node:path";

const ROOT = path.resolve(import.meta.dirname, "../..");
const CAMBI = path.join(ROOT, "bin/cambi");

/** Whether something accepts TCP connections on 127.0.0.1:port within timeoutMs (polled every 100 ms). */
async function portOpen(port: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, "127.0.0.1", () => {
        socket.destroy();
        resolve(true);
      });
      socket.on("error", () => resolve(false));
    });
    if (ok) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

/** Runs cambi without blocking the test worker (boots take many seconds). */
async function cambi(...args: string[]) {
  const r = await runProcess(CAMBI, args, "", { ...process.env, NO_COLOR: "1" }, ROOT);
  return { status: r.status, out: r.stdout + r.stderr };
}

describe.each(["x86_64", "aarch64"] as const)("%s", (arch) => {
  it("boots with 4 CPUs to the boot line", async () => {
    const r = await cambi("run", "--arch", arch, "--smp", "4", "--expect", `CambiOS boot OK arch=${arch} cpus=4 mem=\\d+\\r?\\n`, "--timeout", "60");
    expect(r.out).toMatch(new RegExp(`^CambiOS boot OK arch=${arch} cpus=4 mem=1[12][0-9]$`, "m"));
    expect(r.out.match(/CambiOS boot OK/g)?.length).toBe(1);
    expect(r.status, r.out).toBe(0);
  });

  it("logs at info by default and honours loglevel= on the command line", async () => {
    const quiet = await cambi("run", "--arch", arch, "--smp", "2", "--append", "console=x loglevel=0", "--expect", "boot OK arch=\\S+ cpus=2 mem=\\d+\\r?\\n", "--timeout", "60");
    expect(quiet.status, quiet.out).toBe(0);
    expect(quiet.out).not.toContain("info: ");
    const chatty = await cambi("run", "--arch", arch, "--smp", "2", "--expect", "boot OK arch=\\S+ cpus=2 mem=\\d+\\r?\\n", "--timeout", "60");
    expect(chatty.out).toContain("info: cpu 1 online");
  });

  it("passes the in-kernel suites (cambi test, 4 CPUs)", async () => {
    const r = await cambi("test", "--arch", arch, "--smp", "4", "--timeout", "120");
    expect(r.out).toMatch(/^(\d+) passed, 0 failed$/m);
    expect(Number(/^(\d+) passed/m.exec(r.out)?.[1])).toBeGreaterThanOrEqual(8);
    // A space with an ended space's ASID reads its own page (AArch64: only userSpaceInit's TLBI ASIDE1IS makes it so).
    expect(r.out).toContain("test asid: a new space with an ended space's tag (ASID) sees its own pages, never the old one's");
    // The TLB shootdown suite: after the unmap every CPU faults on the page.
    expect(r.out).toContain("test shootdown: a kernel page unmapped on one CPU is gone on all 4");
    // Each CPU reads the unmapped page exactly once: the caller runs no cross-call of its own.
    expect(r.out.match(/page fault caught: addr=0xffffc00000000000/g)?.length).toBe(4);
    // A CPU that answers a cross-call only after 2.5 s is waited for and reported, not a panic.
    expect(r.out).toContain("test slow-cpu: a cross-call waits for a CPU that answers after 2.5 s");
    expect(r.out).toMatch(/cross-call: cpu \d+ has not answered for 2 s; still waiting/);
    expect(r.status, r.out).toBe(0);
  });
});

describe.each(["x86_64", "aarch64"] as const)("faults on %s", (arch) => {
  it("a kernel fault prints the exception, the registers and the faulting .ts line", async () => {
    const entry = "src/kernel/tests/fault-main.ts";
    const line = readFileSync(path.join(ROOT, entry), "utf8").split("\n").findIndex((l) => l.includes("return load64(UNMAPPED);")) + 1;
    const r = await cambi("run", "--arch", arch, "--entry", entry, "--expect", "(^|\\n)panic: [^\\n]*\\nbacktrace:", "--timeout", "30");
    expect(line).toBeGreaterThan(0);
    expect(r.out).toMatch(arch === "x86_64" ? /#PF page fault \(vector 14\)[\s\S]*cr2=0xdead0000/ : /data abort[\s\S]*FAR=0xdead0000/);
    expect(r.out).toMatch(arch === "x86_64" ? /rax=0x[0-9a-f]+ rbx=/ : /x0=0x[0-9a-f]+ x1=/);
    expect(r.out).toContain(`at ${entry}:${line}`);
    expect(r.out).toMatch(/(^|\n)panic: /);
  });
});

it("cambi run --expect fails with the last lines when the pattern never appears", async () => {
  const r = await cambi("run", "--arch", "x86_64", "--expect", "this will not appear", "--timeout", "5");
  expect(r.status).not.toBe(0);
  expect(r.out).toContain("--- last 40 lines of serial output ---");
  expect(r.out).toContain("CambiOS boot OK");
});

describe.each(["x86_64", "aarch64"] as const)("gdb on %s", (arch) => {
  it("cambi run --gdb waits for gdb, which breaks and steps on .ts lines", async () => {
    const { spawn } = await import("node:child_process");
    // Its own process group: cambi and the QEMU it starts end together, and nothing else does.
    const qemu = spawn(CAMBI, ["run", "--arch", arch, "--gdb"], { cwd: ROOT, stdio: ["pipe", "pipe", "pipe"], detached: true });
    let log = "";
    qemu.stderr.on("data", (d: Buffer) => (log += d.toString()));
    try {
      // cambi prints the gdb hint after the build (minutes on a busy machine), then starts QEMU: wait for the port.
      const deadline = Date.now() + 300_000;
      while (!log.includes("waits for gdb") && qemu.exitCode === null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      expect(log).toContain("waits for gdb");
      expect(await portOpen(1234, 60_000)).toBe(true);
      // The kernel --gdb built (without link-time optimization), as cambi's hint names it.
      const elf = /gdb-multiarch (\S+) /.exec(log)?.[1] ?? "(no gdb hint)";
      // The line of `interruptsInit(bootInfo);` in bootKernel, and the next statement's.
      const lines = readFileSync(path.join(ROOT, "src/kernel/main.ts"), "utf8").split("\n");
      const at = lines.findIndex((l) => l.trim() === "interruptsInit(bootInfo);") + 1;
      const next = lines.findIndex((l, i) => i >= at && l.trim() !== "" && !l.trim().startsWith("//")) + 1;
      const g = await runProcess(
        "gdb-multiarch",
        ["-q", "-batch", "-ex", `file ${elf}`, "-ex", "target remote :1234", "-ex", `break src/kernel/main.ts:${at}`, "-ex", "continue", "-ex", "next", "-ex", "bt 2"],
        "",
        undefined,
        ROOT,
      );
      const out = g.stdout + g.stderr;
      expect(at).toBeGreaterThan(0);
      expect(out).toMatch(new RegExp(`Breakpoint 1, kernel_main__bootKernel .* at src/kernel/main\\.ts:${at}`));
      expect(out).toMatch(new RegExp(`^${next}\t`, "m"));
      expect(out).toMatch(new RegExp(`#0 .* at src/kernel/main\\.ts:${next}`));
    } finally {
      if (qemu.pid !== undefined) process.kill(-qemu.pid, "SIGKILL");
    }
  });
});

/**
 * `cambi bench --arch A`: a benchmark, not a test. Boots the user-mode image on
 * one CPU under QEMU `-icount shift=0` (one guest instruction per virtual
 * nanosecond, deterministic) with programs that time a null syscall, context
 * switches and IPC call/reply round trips with the kernel's monotonic clock, and
 * prints one JSON line per figure, in guest instructions. Then the bench tier
 * (images/bench.json) on a fresh disk: blkbench's 4 KiB block workloads, one
 * request at a time through the channel and virtio-blk (guest instructions per
 * request, and MiB/s of virtual time). Then the storebench tier
 * (images/storebench.json) on another fresh disk: puts and gets of 4 KiB and
 * 1 MiB objects through the object store (guest instructions per operation, and
 * operations per second of virtual time). Last the UDP figures of the netbench
 * tier against the test peer (bench/net/udp.ts).
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Arch } from "../intrinsics/table.js";
import { REPO_ROOT } from "../project/root.js";
import { PassThrough } from "node:stream";
import { bootstrapKeyOrExit, buildOrExit, bundleOrExit, DEFAULT_TIER, tierBundleOrExit } from "./build.js";
import { createDisk, qemuArgs } from "../build/qemu.js";
import { tail, watchQemu } from "../build/qemu-session.js";

const ENTRY = path.join(REPO_ROOT, "src/kernel/tests/user-main.ts");
/** Each group runs in its own boot, so no figure includes another benchmark's work. */
const PING = "test/user/pingclient.ts";
const GROUPS = [["bench/os/nullcall.ts"], ["bench/os/yielder.ts", "bench/os/yielder.ts"], ["test/user/pingserver.ts", PING]];
/** The ping client's round trips (its one-way sends after them end the probing). */
const PING_CALLS = 200;

export async function benchCommand(flags: { arch: Arch; timeout: string; ipc?: boolean }): Promise<void> {
  // The image `cambi run --entry src/kernel/tests/user-main.ts` builds: one build serves both.
  const b = await buildOrExit(flags.arch, { entry: ENTRY, variant: "user-main", quiet: true });
  const figures = new Map<string, number[]>();
  for (const group of GROUPS) {
    const initrd = (await bundleOrExit(flags.arch, group.map((p) => path.join(REPO_ROOT, p)), "user-main"))!;
    const { cmd, args } = qemuArgs(flags.arch, b.bootImage, { smp: 1, memMiB: 128, initrd, extra: ["-icount", "shift=0"], append: "loglevel=1" });
    process.stderr.write(`cambi bench: ${flags.arch}, 1 CPU, QEMU -icount shift=0: ${group.map((p) => path.basename(p, ".ts")).join(" + ")}…\n`);
    const r = await watchQemu(cmd, args, { until: /user tasks done/, timeoutMs: Number(flags.timeout) * 1000, echo: false });
    if (r.outcome !== "matched") {
      process.stderr.write(`cambi bench: the benchmark image did not finish (${r.outcome})\n${tail(r.output)}\n`);
      process.exit(1);
    }
    // User programs without the console capability print behind "[task N] ".
    for (const m of r.output.matchAll(/^(?:\[task \d+\] )?bench: (\w+?)(?:_task\d+)? (\d+)\r?$/gm)) {
      const list = figures.get(m[1]!) ?? [];
      list.push(Number(m[2]));
      figures.set(m[1]!, list);
    }
    if (group.includes(PING)) {
      await probeParts(flags, initrd, figures);
      await ltoPing(flags, b.bootImage, group, figures);
      await slowPing(flags, b.bootImage, initrd, figures);
    }
  }
  await bootFigure(flags, figures);
  if (!flags.ipc) {
    await tierFigures(flags, figures, "bench", "the block workloads", /bench: block done/, /^(?:\[task \d+\] )?bench: (blk_\w+) (\d+)\r?$/gm);
    await tierFigures(flags, figures, "storebench", "the object store", /bench: store done/, /^(?:\[task \d+\] )?bench: (store_\w+) (\d+)\r?$/gm);
  }
  for (const [name, values] of figures) {
    const v = Math.round(values.reduce((a, x) => a + x, 0) / values.length);
    // Block figures are per 4 KiB request: their virtual-time throughput too.
    const mib = name.startsWith("blk_") && !name.endsWith("_busy") ? { mib_per_s: Math.round((4096 / v) * 1e9 / 2 ** 20 * 10) / 10 } : {};
    // Store figures are per operation: operations per second of virtual time.
    const ops = name.startsWith("store_") && !name.endsWith("_busy") ? { per_s: Math.round(1e9 / v) } : {};
    process.stdout.write(JSON.stringify({ arch: flags.arch, figure: name, guest_instructions: v, unit: "instructions (icount shift=0 virtual ns)", ...mib, ...ops }) + "\n");
  }
  if (!flags.ipc && figures.size < 31) {
    process.stderr.write(`cambi bench: expected 31 figures, got ${figures.size}\n`);
    process.exit(1);
  }
  if (!flags.ipc) udpFigures(flags);
}

/**
 * The UDP figures: bench/net/udp.ts drives the test peer (test/harness, outside
 * this bundle), so it runs under cambi-node and prints its JSON lines itself.
 */
function udpFigures(flags: { arch: Arch; timeout: string }): void {
  const r = spawnSync(path.join(REPO_ROOT, "bin/cambi-node"), [path.join(REPO_ROOT, "bench/net/udp.ts"), "--arch", flags.arch, "--timeout", flags.timeout], { stdio: ["ignore", "inherit", "inherit"] });
  if (r.status !== 0) {
    process.stderr.write(`cambi bench: the UDP figures failed (status ${r.status ?? r.signal})\n`);
    process.exit(1);
  }
}

/**
 * The round trip's parts: the ping pair booted again, on the same kernel built
 * with its probes (variant user-main-probes), with `probe=ipc` (the kernel
 * times its parts of each IPC system call, src/kernel/syscall/probe.ts, and
 * prints the totals at the end). Per call: the copies between user memory and
 * the kernel, the capability lookup, the interceptor with the IPC core, and the
 * switch (wake, block, scheduler, context switch); the rest of the round trip
 * (`ipc_part_entry`: syscall entry and exit, dispatch, the loop's user code) is
 * the unprobed round trip less those.
 */
async function probeParts(flags: { arch: Arch; timeout: string }, initrd: string, figures: Map<string, number[]>): Promise<void> {
  // The measured image has no probe in it: the parts come from the same kernel built with them.
  const withProbes = await buildOrExit(flags.arch, { entry: ENTRY, variant: "user-main-probes", probes: true, quiet: true });
  const { cmd, args } = qemuArgs(flags.arch, withProbes.bootImage, { smp: 1, memMiB: 128, initrd, extra: ["-icount", "shift=0"], append: "loglevel=1 probe=ipc" });
  process.stderr.write(`cambi bench: ${flags.arch}, the round trip's parts (probe=ipc)…\n`);
  const r = await watchQemu(cmd, args, { until: /user tasks done/, timeoutMs: Number(flags.timeout) * 1000, echo: false });
  const m = /probe: copy (\d+) cap (\d+) intercept (\d+) switch (\d+)/.exec(r.output);
  const total = figures.get("ipc_roundtrip")?.[0];
  if (r.outcome !== "matched" || !m || total === undefined) {
    process.stderr.write(`cambi bench: the probed boot did not finish (${r.outcome})\n${tail(r.output)}\n`);
    process.exit(1);
  }
  const parts = { copy: Number(m[1]), cap: Number(m[2]), intercept: Number(m[3]), switch: Number(m[4]) };
  let probed = 0;
  for (const [name, v] of Object.entries(parts)) {
    const per = Math.round(v / PING_CALLS);
    probed += per;
    figures.set(`ipc_part_${name}`, [per]);
  }
  figures.set("ipc_part_entry", [Math.max(0, total - probed)]);
}

/** The ping pair again, its programs LTO-linked (ThinLTO, like the kernel): ipc_roundtrip_lto, ipc_send_oneway_lto. */
async function ltoPing(flags: { arch: Arch; timeout: string }, bootImage: string, group: string[], figures: Map<string, number[]>): Promise<void> {
  const initrd = (await bundleOrExit(flags.arch, group.map((p) => path.join(REPO_ROOT, p)), "user-main", { lto: true }))!;
  const { cmd, args } = qemuArgs(flags.arch, bootImage, { smp: 1, memMiB: 128, initrd, extra: ["-icount", "shift=0"], append: "loglevel=1" });
  process.stderr.write(`cambi bench: ${flags.arch}, the ping pair LTO-linked…\n`);
  const r = await watchQemu(cmd, args, { until: /user tasks done/, timeoutMs: Number(flags.timeout) * 1000, echo: false });
  if (r.outcome !== "matched") {
    process.stderr.write(`cambi bench: the LTO ping pair did not finish (${r.outcome})\n${tail(r.output)}\n`);
    process.exit(1);
  }
  for (const m of r.output.matchAll(/^(?:\[task \d+\] )?bench: (ipc_\w+) (\d+)\r?$/gm)) figures.set(`${m[1]}_lto`, [Number(m[2])]);
}

/** The ping pair with the IPC fast path off (`ipc=slow`): ipc_roundtrip_slow, ipc_send_oneway_slow. */
async function slowPing(flags: { arch: Arch; timeout: string }, bootImage: string, initrd: string, figures: Map<string, number[]>): Promise<void> {
  const { cmd, args } = qemuArgs(flags.arch, bootImage, { smp: 1, memMiB: 128, initrd, extra: ["-icount", "shift=0"], append: "loglevel=1 ipc=slow" });
  process.stderr.write(`cambi bench: ${flags.arch}, the ping pair on the slow path (ipc=slow)…\n`);
  const r = await watchQemu(cmd, args, { until: /user tasks done/, timeoutMs: Number(flags.timeout) * 1000, echo: false });
  if (r.outcome !== "matched") {
    process.stderr.write(`cambi bench: the slow-path ping pair did not finish (${r.outcome})\n${tail(r.output)}\n`);
    process.exit(1);
  }
  for (const m of r.output.matchAll(/^(?:\[task \d+\] )?bench: (ipc_\w+) (\d+)\r?$/gm)) figures.set(`${m[1]}_slow`, [Number(m[2])]);
}

/**
 * Boot to the shell prompt: the default tier (1 CPU, a fresh disk) until the
 * shell's first prompt, then `uptime`, which reports when that prompt came and
 * how much of the time until then the CPU was busy (not halted): under -icount
 * shift=0 those busy nanoseconds are guest instructions (halted time follows
 * the host clock). boot_to_prompt is the busy figure, boot_to_prompt_ns all of it.
 */
async function bootFigure(flags: { arch: Arch; timeout: string }, figures: Map<string, number[]>): Promise<void> {
  await bootTierOnFreshDisk(flags, DEFAULT_TIER, async (cmd, args) => {
    process.stderr.write(`cambi bench: ${flags.arch}, boot to the shell prompt…\n`);
    const stdin = new PassThrough();
    let typed = false;
    const onOutput = (out: string) => {
      if (typed || !out.includes("cambi> ")) return;
      typed = true;
      stdin.write("uptime\r");
    };
    const r = await watchQemu(cmd, args, { until: /first prompt at (\d+) ns, (\d+) ns of it busy/, timeoutMs: Number(flags.timeout) * 1000, echo: false, stdin, onOutput });
    if (r.outcome !== "matched" || !r.match) {
      process.stderr.write(`cambi bench: the boot to the shell prompt did not finish (${r.outcome})\n${tail(r.output)}\n`);
      process.exit(1);
    }
    figures.set("boot_to_prompt", [Number(r.match[2])]);
    figures.set("boot_to_prompt_ns", [Number(r.match[1])]);
  });
}

/** Calls run with the QEMU command that boots `tier` on 1 CPU under -icount shift=0 with a fresh 64 MiB disk (removed after). */
async function bootTierOnFreshDisk(flags: { arch: Arch }, tier: string, run: (cmd: string, args: string[]) => Promise<void>): Promise<void> {
  const key = bootstrapKeyOrExit(undefined);
  const initrd = await tierBundleOrExit(flags.arch, tier, key, { quiet: true });
  const b = await buildOrExit(flags.arch, { quiet: true, bootstrap: key });
  const dir = mkdtempSync(path.join(tmpdir(), "cambi-bench-disk-"));
  try {
    const disk = createDisk(path.join(dir, "disk.img"), 64 * 1024 * 1024);
    const { cmd, args } = qemuArgs(flags.arch, b.bootImage, { smp: 1, memMiB: 128, initrd, disk, extra: ["-icount", "shift=0"], append: "loglevel=1" });
    await run(cmd, args);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A tier's workloads (1 CPU, a fresh 64 MiB disk): the figures its "bench: <name> <ns>" lines give, once `done` is printed. */
async function tierFigures(flags: { arch: Arch; timeout: string }, figures: Map<string, number[]>, tier: string, what: string, done: RegExp, lines: RegExp): Promise<void> {
  await bootTierOnFreshDisk(flags, tier, async (cmd, args) => {
    process.stderr.write(`cambi bench: ${flags.arch}, 1 CPU, QEMU -icount shift=0: ${what}…\n`);
    const r = await watchQemu(cmd, args, { until: new RegExp(`${done.source}|(blk|store)bench: `), timeoutMs: Number(flags.timeout) * 1000, echo: false });
    if (r.outcome !== "matched" || !done.test(r.output)) {
      process.stderr.write(`cambi bench: ${what} did not finish (${r.outcome})\n${tail(r.output)}\n`);
      process.exit(1);
    }
    for (const m of r.output.matchAll(lines)) figures.set(m[1]!, [Number(m[2])]);
  });
}

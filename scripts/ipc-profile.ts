/**
 * An exact per-function profile of ONE steady-state IPC call/reply round trip,
 * the figure `cambi bench --ipc` reports as ipc_roundtrip:
 *
 *   ./bin/cambi-node scripts/ipc-profile.ts --arch x86_64|aarch64 [--trace FILE] [--top N (40; 0: all)]
 *       [--skip N (100)] [--trips N (2)] [--at sysCall|entry] [--timeout S (600)]
 *
 * It profiles the tree it runs in (REPO_ROOT is this file's repository): it builds
 * the bench's image with the bench's own functions (buildOrExit: the user-main
 * kernel, LTO; bundleOrExit: pingserver + pingclient, not LTO-linked) and
 * boots it with the bench's qemuArgs (1 CPU, 128 MiB, `-icount shift=0`,
 * "loglevel=1"), plus a gdbstub on a free 127.0.0.1 port, stopped (-S). Then
 * gdb-multiarch (batch, a generated Python script) drives it:
 *
 *  1. A breakpoint on the kernel's Call handler, kernel_syscall_ipc_calls__sysCall
 *     (its C symbol; it may survive LTO as its own function, found with
 *     llvm-nm), ignoring its first --skip hits (default 100 of the client's 200
 *     calls): the ping loop is in steady state. If LTO inlines sysCall
 *     away (or with --at entry), the delimiter is the syscall entry instead
 *     (x86_syscall_entry; on AArch64 vectors+0x400, the EL0 synchronous
 *     exception vector) with the condition number register == Call (rax / x8;
 *     the number from src/abi/syscalls.json). Both delimiters give the same
 *     total (the same cycle, cut at another point).
 *  2. The breakpoint is deleted and the CPU single-stepped, every PC recorded,
 *     until the PC is sysCall's first instruction again. Each step is a raw
 *     remote 's' packet (and the PC a raw 'p' read), not gdb's stepi: on AArch64
 *     gdb's stepi at a load of binutils' "ldstexcl" class (ldxr/ldaxr, but also
 *     the plain load-acquire ldar) looks up to 16 instructions ahead for a store
 *     of that class (stxr/stlxr, but also stlr) and, if it finds one, runs the
 *     "atomic sequence" with a breakpoint after that store and a continue. So a
 *     lock's ldaxr/cbnz/stlxr counted as one instruction, and an ldar followed
 *     (in the layout, not the path) by another function's stlxr let the guest
 *     run to its end (from 90f73b3 on, the ldar of userMemorySweep's check in
 *     onSyscall). QEMU itself steps exclusives fine: its single step does not
 *     clear the exclusive monitor.
 *
 * What delimits one round trip: only the client makes Call system calls, once
 * per iteration of its loop (test/user/pingclient.ts), and in steady state each
 * iteration is the same path: the client's call enters the kernel, the server
 * (blocked in replyRecv) is woken and switched to, returns to user mode, runs
 * its loop, enters the kernel with its next replyRecv (the reply wakes the
 * client, the receive blocks the server), the client is switched to, returns to
 * user mode, checks the answer, builds the next message and makes its next call.
 * So sysCall entry to sysCall entry is exactly one loop iteration: the same
 * instructions the bench's sysTime() difference divided by 200 counts, cut at a
 * different point of the same cycle. The instructions reported are those at
 * PC[0] (sysCall's first) .. PC[n-1] (the one before sysCall's next entry); the
 * trace is then rotated (the cycle is periodic) to begin at the kernel entry of
 * the client's call (the first kernel instruction after the client's last
 * user-mode instruction), so it reads: kernel (call) -> server user -> kernel
 * (replyRecv) -> client user, ending with the client's syscall/svc instruction.
 * A second trip is stepped the same way (--trips, default 2) and compared: the
 * same count and PC sequence confirm the steady state.
 *
 * Counting: one step = one guest instruction as -icount counts them (QEMU's
 * TCG single-step runs one instruction per translation block). An x86 `rep`
 * string instruction counts once per iteration, in both. Single-stepping runs
 * with QEMU's default sstep flags (set explicitly: ENABLE|NOIRQ|NOTIMER), so no
 * interrupt or timer enters the stepped trip: the profile is the pure path (the
 * bench's average includes the odd timer interrupt). It also steps across the
 * privilege boundaries (syscall/sysretq, svc/eret) and the context switch.
 *
 * Mapping: kernel PCs (top bit set) to the kernel ELF's symbols (llvm-nm -n);
 * user PCs to the user program ELFs (build/<arch>/user-main/user/<name>/<name>.elf:
 * both link at 4 MiB, so gdb reads the address space of each user-mode run on
 * entry, CR3 on x86_64 and TTBR0_EL1 on aarch64: the client's is the one live
 * at the sysCall breakpoint, the other is the server's; any third is
 * "user:<value>"). Each PC is also run through llvm-symbolizer (DWARF, with
 * inlining; the generated C's debug lines point at the .ts sources) for the
 * .ts file:line range per function, and for a second table by the innermost
 * inlined source function (LTO folds many functions into a few symbols).
 *
 * Output: the total, the phases (runs of kernel/user), the table by symbol
 * (function, instructions, percent, source lines), the table by innermost
 * inlined function. --trace FILE writes the raw sequence, one instruction per
 * line: index, PC, where (kernel/client/server), symbol+offset, innermost
 * source function and file:line.
 */
import { spawn, execFileSync } from "node:child_process";
import { createServer } from "node:net";
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { REPO_ROOT } from "../compiler/project/root.js";
import { buildOrExit, bundleOrExit } from "../compiler/cli/build.js";
import { qemuArgs } from "../compiler/build/qemu.js";
import { buildDir } from "../compiler/build/kernel.js";
import { programName } from "../compiler/build/user.js";
import type { Arch } from "../compiler/intrinsics/table.js";

// --- The bench's image (compiler/cli/bench.ts) -------------------------------
const ENTRY = path.join(REPO_ROOT, "src/kernel/tests/user-main.ts");
const VARIANT = "user-main";
const SERVER = "test/user/pingserver.ts";
const CLIENT = "test/user/pingclient.ts";
/** The Call handler's C symbol (src/kernel/syscall/ipc-calls.ts sysCall). */
const BREAK_SYMBOL = "kernel_syscall_ipc_calls__sysCall";

interface Flags {
  arch: Arch;
  at: "sysCall" | "entry";
  trace?: string;
  top: number;
  skip: number;
  trips: number;
  timeoutS: number;
}

function usage(msg?: string): never {
  if (msg) process.stderr.write(`ipc-profile: ${msg}\n`);
  process.stderr.write("usage: ./bin/cambi-node scripts/ipc-profile.ts --arch x86_64|aarch64 [--trace FILE] [--at sysCall|entry] [--top N (40)] [--skip N (100)] [--trips N (2)] [--timeout S (600)]\n");
  process.exit(2);
}

function parseFlags(argv: string[]): Flags {
  const f: Partial<Flags> = { at: "sysCall", top: 40, skip: 100, trips: 2, timeoutS: 600 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const val = (): string => argv[++i] ?? usage(`${a} needs a value`);
    const num = (): number => {
      const n = Number(val());
      if (!Number.isInteger(n) || n < 0) usage(`${a}: not a count`);
      return n;
    };
    if (a === "--arch") {
      const v = val();
      if (v !== "x86_64" && v !== "aarch64") usage(`unknown arch ${v}`);
      f.arch = v;
    } else if (a === "--at") {
      const v = val();
      if (v !== "sysCall" && v !== "entry") usage(`--at sysCall|entry, not ${v}`);
      f.at = v;
    } else if (a === "--trace") f.trace = path.resolve(val());
    else if (a === "--top") f.top = num();
    else if (a === "--skip") f.skip = num();
    else if (a === "--trips") f.trips = Math.max(1, num());
    else if (a === "--timeout") f.timeoutS = num();
    else if (a === "-h" || a === "--help") usage();
    else usage(`unknown argument ${a}`);
  }
  if (!f.arch) usage("--arch is required");
  // The client makes 200 calls; the breakpoint must still come `trips` more times.
  if (f.skip! + f.trips! >= 200) usage("--skip + --trips must stay below the client's 200 calls");
  return f as Flags;
}

// --- Symbols -----------------------------------------------------------------
interface Sym {
  addr: bigint;
  name: string;
}

/** Text symbols of elf, sorted by address. */
function textSymbols(elf: string): Sym[] {
  const out = execFileSync("llvm-nm", ["-n", "--defined-only", elf], { encoding: "utf8", maxBuffer: 64 << 20 });
  const syms: Sym[] = [];
  for (const line of out.split("\n")) {
    const m = /^([0-9a-f]+) ([tTwWiI]) (\S+)$/.exec(line);
    if (m) syms.push({ addr: BigInt("0x" + m[1]), name: m[3]! });
  }
  return syms;
}

function symbolAt(syms: Sym[], pc: bigint): { name: string; off: bigint } {
  let lo = 0;
  let hi = syms.length - 1;
  let best = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (syms[mid]!.addr <= pc) {
      best = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  if (best < 0) return { name: "??", off: pc };
  return { name: clean(syms[best]!.name), off: pc - syms[best]!.addr };
}

/** ThinLTO's promoted locals: name.llvm.<hash>. */
function clean(name: string): string {
  return name.replace(/\.llvm\.\d+$/, "");
}

interface Frame {
  fn: string;
  file: string;
  line: number;
}

/** DWARF frames per PC (innermost first) from llvm-symbolizer, for the PCs of one ELF. */
function symbolize(elf: string, pcs: bigint[]): Map<bigint, Frame[]> {
  const result = new Map<bigint, Frame[]>();
  if (pcs.length === 0) return result;
  let out: string;
  try {
    out = execFileSync("llvm-symbolizer", ["--output-style=JSON", "--inlining", "--relativenames", `--obj=${elf}`], {
      input: pcs.map((p) => "0x" + p.toString(16)).join("\n") + "\n",
      encoding: "utf8",
      maxBuffer: 256 << 20,
    });
  } catch {
    return result; // Source lines are optional.
  }
  for (const line of out.split("\n")) {
    if (!line.trim()) continue;
    try {
      const entries = JSON.parse(line) as { Address: string; Symbol?: { FunctionName: string; FileName: string; Line: number }[] }[] | { Address: string; Symbol?: { FunctionName: string; FileName: string; Line: number }[] };
      for (const e of Array.isArray(entries) ? entries : [entries]) {
        const frames = (e.Symbol ?? []).filter((s) => s.FunctionName && s.FunctionName !== "??").map((s) => ({ fn: clean(s.FunctionName), file: s.FileName.replace(/^\.\//, ""), line: s.Line }));
        result.set(BigInt(e.Address), frames);
      }
    } catch {
      /* not JSON: skip */
    }
  }
  return result;
}

/** Where a user task's system call enters the kernel: x86_syscall_entry (IA32_LSTAR); the AArch64 vector for a synchronous exception from EL0 (VBAR_EL1 + 0x400). */
function entrySymbol(arch: Arch, syms: Sym[]): Sym {
  const name = arch === "x86_64" ? "x86_syscall_entry" : "vectors";
  const s = syms.find((x) => x.name === name);
  if (!s) {
    process.stderr.write(`ipc-profile: no ${name} in the kernel ELF\n`);
    process.exit(1);
  }
  return arch === "x86_64" ? s : { name: "vectors+0x400", addr: s.addr + 0x400n };
}

/** The Call system call's number (src/abi/syscalls.json, the ABI's source). */
function callNumber(): number {
  const abi = JSON.parse(readFileSync(path.join(REPO_ROOT, "src/abi/syscalls.json"), "utf8")) as { syscalls: { name: string; number: number }[] };
  const n = abi.syscalls.find((s) => s.name === "call")?.number;
  if (n === undefined) throw new Error("no call in src/abi/syscalls.json");
  return n;
}

// --- QEMU and gdb ------------------------------------------------------------
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** The gdb side: connect, skip to the steady state, step `trips` round trips. Writes one line per executed instruction. */
function gdbScript(p: { port: number; bp: bigint; cond: string; skip: number; trips: number; space: string; pcReg: number; out: string; maxSteps: number }): string {
  return `
import gdb, json, time
P = json.loads(${JSON.stringify(JSON.stringify({ ...p, bp: "0x" + p.bp.toString(16) }))})
BP = int(P["bp"], 16)
MASK = (1 << 64) - 1
def status(s):
    with open(P["out"] + ".status", "w") as f: f.write(s)
gdb.execute("set pagination off")
gdb.execute("set confirm off")
for i in range(100):
    try:
        gdb.execute("target remote 127.0.0.1:%d" % P["port"], to_string=True)
        break
    except gdb.error:
        time.sleep(0.1)
else:
    status("no gdbstub"); raise SystemExit
# Single-step with interrupts and timers masked (QEMU's default, made explicit).
try: gdb.execute("maintenance packet Qqemu.sstep=0x7", to_string=True)
except gdb.error: pass
def pc(): return int(gdb.parse_and_eval("$pc")) & MASK
def space():
    try: return int(gdb.parse_and_eval(P["space"])) & MASK
    except Exception: return -1
def at_bp(cur):
    return cur == BP and (not P["cond"] or bool(gdb.parse_and_eval(P["cond"])))
# One raw 's' packet per instruction, not gdb's stepi (on AArch64 it runs "atomic
# sequences" from an ldxr/ldaxr/ldar with a breakpoint and a continue: see the
# header). gdb's register cache is flushed after each step for its own reads
# (the address space register, the condition).
CONN = gdb.selected_inferior().connection
def packet(s):
    r = CONN.send_packet(s)
    return r.decode() if isinstance(r, bytes) else r
def step():
    r = packet("s")
    gdb.execute("maintenance flush register-cache", to_string=True)
    if not r.startswith("T") and not r.startswith("S"):
        status("the target stopped stepping: %s" % r); raise SystemExit
    return raw_pc()
gdb.execute("break *0x%x" % BP, to_string=True)
if P["cond"]:
    # gdb skips an ignore count without checking the condition: count matching stops here.
    gdb.execute("condition 1 %s" % P["cond"], to_string=True)
    for k in range(P["skip"] + 1):
        gdb.execute("continue", to_string=True)
        if pc() != BP: break
else:
    if P["skip"] > 0: gdb.execute("ignore 1 %d" % P["skip"], to_string=True)
    gdb.execute("continue", to_string=True)
if pc() != BP:
    status("breakpoint not reached (pc 0x%x)" % pc()); raise SystemExit
client = space()
gdb.execute("delete", to_string=True)
def raw_pc(): return int.from_bytes(bytes.fromhex(packet("p%x" % P["pcReg"])), "little") & MASK
if raw_pc() != BP:
    status("register %d is not the pc (0x%x, not 0x%x)" % (P["pcReg"], raw_pc(), BP)); raise SystemExit
lines = ["client %x" % client]
steps = 0
for trip in range(P["trips"]):
    lines.append("trip %d" % trip)
    cur = BP
    kernel = True
    while True:
        if cur >> 63:
            lines.append("%x" % cur); kernel = True
        else:
            # A user-mode run: read its address space on entry.
            if kernel: tag = space()
            lines.append("%x %x" % (cur, tag)); kernel = False
        cur = step()
        steps += 1
        if at_bp(cur): break
        if steps > P["maxSteps"]:
            status("no return to the breakpoint within %d steps" % P["maxSteps"])
            with open(P["out"], "w") as f: f.write("\\n".join(lines) + "\\n")
            raise SystemExit
with open(P["out"], "w") as f: f.write("\\n".join(lines) + "\\n")
status("ok")
`;
}

function run(cmd: string, args: string[], timeoutMs: number, onOut?: (s: string) => void): { promise: Promise<number | null>; kill: () => void; pid: number | undefined } {
  const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"] });
  child.stdout.on("data", (d: Buffer) => onOut?.(d.toString()));
  child.stderr.on("data", (d: Buffer) => onOut?.(d.toString()));
  let timer: NodeJS.Timeout | undefined;
  const promise = new Promise<number | null>((resolve) => {
    timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve(code);
    });
    child.on("error", () => resolve(-1));
  });
  return { promise, kill: () => (child.exitCode === null && child.signalCode === null ? void child.kill("SIGKILL") : undefined), pid: child.pid };
}

// --- Main --------------------------------------------------------------------
interface Insn {
  pc: bigint;
  /** "kernel", "client", "server" or "user:<space>". */
  where: string;
}

async function main(): Promise<void> {
  const flags = parseFlags(process.argv.slice(2));
  const arch = flags.arch;
  const b = await buildOrExit(arch, { entry: ENTRY, variant: VARIANT, quiet: true });
  const initrd = (await bundleOrExit(arch, [SERVER, CLIENT].map((p) => path.join(REPO_ROOT, p)), VARIANT))!;
  const userElf = (p: string): string => {
    const name = programName(path.join(REPO_ROOT, p));
    return path.join(buildDir(arch, VARIANT), "user", name, `${name}.elf`);
  };
  const elfs = { kernel: b.elf, client: userElf(CLIENT), server: userElf(SERVER) };
  for (const [k, e] of Object.entries(elfs)) if (!existsSync(e)) usage(`the ${k} ELF is not at ${e}`);

  const kernelSyms = textSymbols(b.elf);
  // The delimiter: sysCall's first instruction or, if LTO inlined it away
  // (or --at entry), the syscall entry filtered on the Call number.
  let bp = kernelSyms.find((s) => s.name === BREAK_SYMBOL);
  let cond = "";
  if (!bp || flags.at === "entry") {
    if (!bp) process.stderr.write(`ipc-profile: ${BREAK_SYMBOL} is not in the kernel ELF (inlined?): delimiting at the syscall entry instead\n`);
    bp = entrySymbol(arch, kernelSyms);
    cond = `${arch === "x86_64" ? "$rax" : "$x8"} == ${callNumber()}`;
  }

  const port = await freePort();
  const { cmd, args } = qemuArgs(arch, b.bootImage, { smp: 1, memMiB: 128, initrd, extra: ["-icount", "shift=0", "-gdb", `tcp:127.0.0.1:${port}`, "-S"], append: "loglevel=1" });
  const tmp = mkdtempSync(path.join(tmpdir(), "ipc-profile-"));
  const traceRaw = path.join(tmp, "trace.txt");
  const script = path.join(tmp, "profile.py");
  writeFileSync(script, gdbScript({ port, bp: bp.addr, cond, skip: flags.skip, trips: flags.trips, space: arch === "x86_64" ? "$cr3" : "$TTBR0_EL1", pcReg: arch === "x86_64" ? 16 : 32, out: traceRaw, maxSteps: 200_000 * flags.trips }));

  process.stderr.write(`ipc-profile: ${arch}: QEMU -icount shift=0, gdbstub on 127.0.0.1:${port}; breaking at ${bp.name} (0x${bp.addr.toString(16)})${cond ? ` if ${cond}` : ""} after ${flags.skip} calls, stepping ${flags.trips} round trip(s)…\n`);
  let serial = "";
  const qemu = run(cmd, args, flags.timeoutS * 1000, (s) => (serial += s));
  let gdbLog = "";
  const gdb = run("gdb-multiarch", ["-nx", "-batch", "-x", script], flags.timeoutS * 1000, (s) => (gdbLog += s));
  await gdb.promise;
  qemu.kill(); // only the QEMU this script started
  await qemu.promise;
  const status = existsSync(traceRaw + ".status") ? readFileSync(traceRaw + ".status", "utf8") : "gdb failed";
  if (status !== "ok") {
    process.stderr.write(`ipc-profile: ${status}\n--- gdb ---\n${gdbLog.slice(-3000)}\n--- serial ---\n${serial.slice(-3000)}\n`);
    rmSync(tmp, { recursive: true, force: true });
    process.exit(1);
  }

  // Parse: "client <space>", then per trip "trip N" and one line per instruction.
  const trips: { pc: bigint; space?: bigint }[][] = [];
  let clientSpace = -1n;
  for (const line of readFileSync(traceRaw, "utf8").split("\n")) {
    if (!line) continue;
    const w = line.split(" ");
    if (w[0] === "client") clientSpace = BigInt("0x" + w[1]);
    else if (w[0] === "trip") trips.push([]);
    else trips[trips.length - 1]!.push({ pc: BigInt("0x" + w[0]), ...(w[1] !== undefined ? { space: BigInt("0x" + w[1]) } : {}) });
  }
  rmSync(tmp, { recursive: true, force: true });

  const userSpaces = [...new Set(trips.flat().filter((i) => i.space !== undefined).map((i) => i.space!))];
  const others = userSpaces.filter((s) => s !== clientSpace);
  const whereOf = (i: { pc: bigint; space?: bigint }): string => {
    if (i.space === undefined) return "kernel";
    if (i.space === clientSpace) return "client";
    if (others.length === 1) return "server";
    return `user:${i.space.toString(16)}`;
  };
  const elfOf = (where: string): string | undefined => (where === "kernel" ? elfs.kernel : where === "client" ? elfs.client : where === "server" ? elfs.server : undefined);

  // Rotate the first trip to begin at the kernel entry of the client's call.
  const first: Insn[] = trips[0]!.map((i) => ({ pc: i.pc, where: whereOf(i) }));
  let lastUser = -1;
  for (let k = first.length - 1; k >= 0; k--) if (first[k]!.where !== "kernel") {
    lastUser = k;
    break;
  }
  const trip = lastUser >= 0 ? [...first.slice(lastUser + 1), ...first.slice(0, lastUser + 1)] : first;

  // Symbols and source lines.
  const userSyms = new Map<string, Sym[]>();
  const symsFor = (where: string): Sym[] | undefined => {
    const elf = elfOf(where);
    if (!elf) return undefined;
    if (where === "kernel") return kernelSyms;
    if (!userSyms.has(where)) userSyms.set(where, textSymbols(elf));
    return userSyms.get(where);
  };
  const dwarf = new Map<string, Map<bigint, Frame[]>>();
  for (const where of new Set(trip.map((i) => i.where))) {
    const elf = elfOf(where);
    if (elf) dwarf.set(where, symbolize(elf, [...new Set(trip.filter((i) => i.where === where).map((i) => i.pc))]));
  }
  const prefix = (where: string): string => (where === "kernel" ? "" : `${where}:`);

  interface Row {
    count: number;
    file?: string;
    lo: number;
    hi: number;
  }
  const bySym = new Map<string, Row>();
  const byInner = new Map<string, Row>();
  const add = (m: Map<string, Row>, key: string, f?: Frame): void => {
    const r = m.get(key) ?? { count: 0, lo: Infinity, hi: -Infinity };
    r.count++;
    if (f && f.line > 0) {
      r.file ??= f.file;
      if (f.file === r.file) {
        r.lo = Math.min(r.lo, f.line);
        r.hi = Math.max(r.hi, f.line);
      }
    }
    m.set(key, r);
  };
  const traceLines: string[] = ["# index\tpc\twhere\tsymbol+offset\tinnermost source function\tfile:line"];
  trip.forEach((insn, idx) => {
    const syms = symsFor(insn.where);
    const s = syms ? symbolAt(syms, insn.pc) : { name: "??", off: 0n };
    const frames = dwarf.get(insn.where)?.get(insn.pc) ?? [];
    const inner = frames[0];
    const outer = frames[frames.length - 1];
    const symKey = prefix(insn.where) + s.name;
    // The symbol's own lines: the outermost frame (its function; for inlined code, the call site).
    add(bySym, symKey, outer && outer.fn === s.name ? outer : undefined);
    add(byInner, prefix(insn.where) + (inner?.fn ?? s.name), inner);
    traceLines.push(`${idx}\t0x${insn.pc.toString(16)}\t${insn.where}\t${s.name}+0x${s.off.toString(16)}\t${inner?.fn ?? ""}\t${inner ? `${inner.file}:${inner.line}` : ""}`);
  });

  const total = trip.length;
  const out: string[] = [];
  out.push(`ipc-profile: ${arch}, one steady-state call/reply round trip (after ${flags.skip} calls; kernel ${path.relative(REPO_ROOT, b.elf)})`);
  out.push(`total: ${total} instructions`);
  for (let t = 1; t < trips.length; t++) {
    const same = trips[t]!.length === trips[0]!.length && trips[t]!.every((i, k) => i.pc === trips[0]![k]!.pc);
    out.push(`trip ${t + 1}: ${trips[t]!.length} instructions (${same ? "the same path: steady state" : "a DIFFERENT path"})`);
  }
  // Phases: runs of kernel / user code.
  const phases: string[] = [];
  for (let k = 0; k < trip.length; ) {
    let e = k;
    while (e < trip.length && trip[e]!.where === trip[k]!.where) e++;
    phases.push(`${trip[k]!.where} ${e - k}`);
    k = e;
  }
  out.push(`phases (from the client's call entry): ${phases.join(" -> ")}`);
  const table = (title: string, m: Map<string, Row>): void => {
    const rows = [...m.entries()].sort((a, b) => b[1].count - a[1].count);
    const shown = rows.slice(0, flags.top || rows.length);
    const w = Math.max(8, ...shown.map(([k]) => k.length));
    out.push("", `${title} (${rows.length} functions${shown.length < rows.length ? `, top ${shown.length}` : ""}):`);
    out.push(`${"function".padEnd(w)}  ${"instrs".padStart(6)}  ${"%".padStart(5)}  source`);
    for (const [k, r] of shown) {
      const src = r.file ? `${r.file}:${r.lo}${r.hi !== r.lo ? `-${r.hi}` : ""}` : "";
      out.push(`${k.padEnd(w)}  ${String(r.count).padStart(6)}  ${((100 * r.count) / total).toFixed(1).padStart(5)}  ${src}`);
    }
    if (shown.length < rows.length) out.push(`… ${rows.length - shown.length} more, ${rows.slice(shown.length).reduce((a, [, r]) => a + r.count, 0)} instructions`);
  };
  table("by symbol (ELF function; LTO-inlined code counts in its caller)", bySym);
  table("by innermost source function (DWARF inlining)", byInner);
  process.stdout.write(out.join("\n") + "\n");
  if (flags.trace) {
    writeFileSync(flags.trace, traceLines.join("\n") + "\n");
    process.stderr.write(`ipc-profile: the trace (${total} instructions) is in ${flags.trace}\n`);
  }
}

await main();

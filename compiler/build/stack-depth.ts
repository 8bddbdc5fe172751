/**
 * The kernel's deepest call path, from the linked image: each function's frame
 * size (the `.stack_sizes` section clang and ThinLTO emit with
 * -stack-size-section) and its direct calls (the disassembly's call/bl, and
 * tail-call jumps to another function). A kernel whose deepest known path does
 * not fit a kernel stack is refused at build time. Recursion must be bounded
 * and marked in the source (`@recursion N — why`, compiler/lower/recursion.ts):
 * each cycle of the image is matched to the source cycle its functions come
 * from (ThinLTO inlines and renames, so the image's cycle may be named by other
 * functions of the cycle than the marked one) and counted at the mark's bound,
 * its frames N times; a cycle no mark bounds refuses the kernel. Calls through
 * pointers cannot be followed from the image: they are counted and named in the
 * report.
 */
import { readFileSync } from "node:fs";
import { runTool } from "../toolchain/jobs.js";
import { elfSections } from "./dwarf-lines.js";
import { stronglyConnected, type RecursionMark, type SourceCycle } from "../lower/recursion.js";

export interface FunctionInfo {
  frame: number;
  calls: Set<string>;
  indirect: boolean;
}

/** A cycle of calls in the image (a strongly connected component of its call graph). */
export interface ImageCycle {
  /** Its functions, sorted. */
  members: string[];
  /** Their frames, added. */
  frames: number;
  /** Per member, where it comes from: its source function and source cycle, or that it is in none. */
  sources: string[];
  /** The source cycle's mark, when every member belongs to one marked cycle: the cycle counts frames × bound. */
  mark?: RecursionMark;
}

export interface StackReport {
  /** Bytes of the deepest path and the path itself, outermost first (a cycle's members one after another). */
  deepest: number;
  path: string[];
  /** Cycles of calls (recursion): a marked one is counted at its bound; an unmarked one refuses the kernel. */
  cycles: ImageCycle[];
  /** The source's marked cycles, whether or not they are still cycles in the image (inlining may have flattened them). */
  marked: SourceCycle[];
  /** Functions that call through a pointer. */
  indirect: string[];
}

/** Frame sizes by function address from `.stack_sizes`: (address u64, size ULEB128) pairs. */
function frameSizes(elf: Buffer): Map<bigint, number> {
  const sec = elfSections(elf).get(".stack_sizes");
  const out = new Map<bigint, number>();
  if (!sec) return out;
  let at = 0;
  while (at + 8 < sec.length) {
    const addr = sec.readBigUInt64LE(at);
    at += 8;
    let size = 0;
    let scale = 1;
    for (;;) {
      const b = sec.readUInt8(at++);
      size += (b & 0x7f) * scale;
      scale *= 128;
      if ((b & 0x80) === 0) break;
    }
    out.set(addr, size);
  }
  return out;
}

/** Each function's frame and direct callees, read from the image. */
export async function callGraph(elfPath: string): Promise<Map<string, FunctionInfo>> {
  const sizes = frameSizes(readFileSync(elfPath));
  const text = await runTool("llvm-objdump", ["-d", "--no-show-raw-insn", elfPath]);
  const fns = new Map<string, FunctionInfo>();
  let current: FunctionInfo | undefined;
  let currentName = "";
  for (const line of text.split("\n")) {
    const head = /^([0-9a-f]+) <([^>]+)>:$/.exec(line);
    if (head) {
      currentName = head[2]!;
      current = { frame: sizes.get(BigInt(`0x${head[1]}`)) ?? 0, calls: new Set(), indirect: false };
      fns.set(currentName, current);
      continue;
    }
    if (!current) continue;
    const m = /\s(callq?|bl|jmpq?|b)\s+(?:0x)?[0-9a-f]+ <([^>+]+)>\s*$/.exec(line);
    if (m) {
      // A jump to the start of another function is a tail call; jumps inside a function are not calls.
      if ((m[1] === "callq" || m[1] === "call" || m[1] === "bl") || m[2] !== currentName) current.calls.add(m[2]!);
      continue;
    }
    if (/\s(callq?\s+\*|blr\s)/.test(line)) current.indirect = true;
  }
  return fns;
}

/** The C function a symbol of the image is: ThinLTO renames a local function it exports `name.llvm.<hash>`. */
export function sourceName(symbol: string): string {
  return symbol.replace(/\..*$/, "");
}

/**
 * The deepest path through the graph, each cycle of calls taken as one step
 * that costs its frames times its mark's bound (once, if no mark bounds it:
 * checkStack then refuses the kernel). `source` is the program's cycles of
 * direct calls and their marks, as the compiler found them.
 */
export function deepestPath(fns: Map<string, FunctionInfo>, source: SourceCycle[] = []): StackReport {
  const cycleOf = new Map<string, SourceCycle>();
  const siteOf = new Map<string, string>();
  for (const c of source) {
    for (const m of c.members) {
      cycleOf.set(m.cname, c);
      siteOf.set(m.cname, m.site);
    }
  }
  const sccs = stronglyConnected(fns.keys(), (n) => fns.get(n)!.calls);
  const sccOf = new Map<string, number>();
  sccs.forEach((scc, i) => scc.forEach((n) => sccOf.set(n, i)));
  const cycles: ImageCycle[] = [];
  const weight: number[] = [];
  for (const scc of sccs) {
    const members = [...scc].sort();
    const frames = members.reduce((sum, n) => sum + fns.get(n)!.frame, 0);
    if (members.length === 1 && !fns.get(members[0]!)!.calls.has(members[0]!)) {
      weight.push(frames);
      continue;
    }
    const from = members.map((n) => cycleOf.get(sourceName(n)));
    const mark = from[0]?.mark && from.every((c) => c === from[0]) ? from[0].mark : undefined;
    const sources = members.map((n, k) => {
      const c = from[k];
      if (!c) return "in no cycle of the KTS source (C or assembly, or a call through a pointer that the optimizer made direct)";
      const names = c.members.map((m) => m.site.replace(/^\S* /, "")).join(", ");
      return `${siteOf.get(sourceName(n))}, in the source cycle ${names}${c.mark ? ` (marked at ${c.mark.site})` : " (unmarked)"}`;
    });
    cycles.push(mark ? { members, frames, sources, mark } : { members, frames, sources });
    weight.push(frames * (mark?.bound ?? 1));
  }
  // Components come callees first: each one's depth is known before its callers need it.
  const depth: number[] = [];
  const next: (number | undefined)[] = [];
  sccs.forEach((scc, i) => {
    let best = 0;
    let to: number | undefined;
    for (const m of [...scc].sort()) {
      for (const c of [...fns.get(m)!.calls].sort()) {
        const j = sccOf.get(c);
        if (j === undefined || j === i || depth[j]! <= best) continue;
        best = depth[j]!;
        to = j;
      }
    }
    depth.push(weight[i]! + best);
    next.push(to);
  });
  let top: number | undefined;
  let topName = "";
  sccs.forEach((scc, i) => {
    const name = [...scc].sort()[0]!;
    if (top === undefined || depth[i]! > depth[top]! || (depth[i] === depth[top] && name < topName)) {
      top = i;
      topName = name;
    }
  });
  const path: string[] = [];
  for (let i = top; i !== undefined && path.length < 64; i = next[i]) path.push(...[...sccs[i]!].sort());
  const indirect = [...fns].filter(([, f]) => f.indirect).map(([n]) => n).sort();
  const marked = source.filter((c) => c.mark);
  return { deepest: top === undefined ? 0 : depth[top]!, path, cycles: cycles.sort((a, b) => a.members[0]!.localeCompare(b.members[0]!)), marked, indirect };
}

/**
 * What a call path may use of a kernel stack: task kernel stacks and secondary
 * CPUs' stacks are 16 KiB (KSTACK_SIZE in src/kernel/task/table.ts, the arch
 * entry code's AP stacks), less 2 KiB for the trap frames and handler entry
 * that an interrupt adds on top of the deepest path.
 */
export const KERNEL_STACK_BYTES = 16384;
export const TRAP_RESERVE_BYTES = 2048;

/** The kernel's stack use is refused: too deep, or not known. */
export class StackCheckFailed extends Error {}
/** The deepest path does not fit a kernel stack. */
export class StackTooDeep extends StackCheckFailed {}
/** A cycle of calls that no `@recursion` mark bounds. */
export class UnmarkedRecursion extends StackCheckFailed {}

/** How to mark a cycle, for the messages. */
export const HOW_TO_MARK =
  "add /** @recursion N — why */ to one function of the cycle in its KTS source, N the most times any function of the cycle is on a stack at once " +
  "(the stack check counts the cycle's frames N times), or remove the recursion (docs/kts-language.md, Recursion)";

/** Throws UnmarkedRecursion for a cycle no mark bounds, StackTooDeep if the deepest path does not fit `limit` bytes. */
export function checkStack(r: StackReport, limit = KERNEL_STACK_BYTES - TRAP_RESERVE_BYTES): void {
  const unmarked = r.cycles.filter((c) => !c.mark);
  if (unmarked.length > 0) {
    const lines = [`the kernel has recursion that no @recursion mark bounds, so its stack use is not known (${unmarked.length} ${unmarked.length === 1 ? "cycle" : "cycles"}):`];
    for (const c of unmarked) {
      lines.push(`  a cycle of calls through ${c.members.join(", ")}:`);
      c.members.forEach((m, k) => lines.push(`    ${m}: ${c.sources[k]}`));
    }
    lines.push(`to bound it, ${HOW_TO_MARK}`);
    throw new UnmarkedRecursion(lines.join("\n"));
  }
  if (r.deepest <= limit) return;
  throw new StackTooDeep(`the kernel's deepest call path needs ${r.deepest} bytes of stack, more than the ${limit} a kernel stack leaves for calls:\n  ${r.path.join("\n  -> ")}`);
}

/** The report as the build writes it next to the image (stack.txt). */
export function stackReportText(r: StackReport, fns: Map<string, FunctionInfo>): string {
  const lines = [`deepest call path: ${r.deepest} bytes of ${KERNEL_STACK_BYTES - TRAP_RESERVE_BYTES}`];
  const cycleOf = new Map(r.cycles.flatMap((c) => c.members.map((m) => [m, c] as const)));
  for (const n of r.path) {
    const c = cycleOf.get(n);
    const note = c ? `  (cycle, x ${c.mark?.bound ?? 1}${c.mark ? "" : ": unmarked"})` : "";
    lines.push(`  ${String(fns.get(n)?.frame ?? 0).padStart(6)}  ${n}${note}`);
  }
  lines.push("", `recursion: ${r.cycles.length} ${r.cycles.length === 1 ? "cycle" : "cycles"} of calls in the image, each counted at its mark's bound (frames x N)`);
  for (const c of r.cycles) {
    const m = c.mark;
    lines.push(`  ${c.members.join(", ")}: ${c.frames} bytes x ${m?.bound ?? 1} = ${c.frames * (m?.bound ?? 1)}${m ? `, @recursion ${m.bound} at ${m.site}` : ": NOT MARKED (the kernel is refused)"}`);
    c.members.forEach((n, k) => lines.push(`    ${n}: ${c.sources[k]}`));
  }
  lines.push("", `marked in the source: ${r.marked.length}`);
  const inImage = new Set(r.cycles.filter((c) => c.mark).map((c) => c.mark!));
  for (const c of r.marked) {
    const m = c.mark!;
    lines.push(`  ${m.site}: @recursion ${m.bound} — ${m.reason}`);
    lines.push(`    ${inImage.has(m) ? "a cycle in the image (above)" : "no cycle in the image (its calls were inlined or made a loop)"}`);
  }
  lines.push("", `calls through pointers (not followed): ${r.indirect.length} functions: ${r.indirect.join(", ")}`);
  lines.push("", "frame bytes by function:");
  for (const [n, f] of [...fns].sort((a, b) => b[1].frame - a[1].frame || a[0].localeCompare(b[0]))) if (f.frame > 0) lines.push(`  ${String(f.frame).padStart(6)}  ${n}`);
  return lines.join("\n") + "\n";
}

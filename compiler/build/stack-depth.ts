/**
 * The kernel's deepest call path, from the linked image: each function's frame
 * size (the `.stack_sizes` section clang and ThinLTO emit with
 * -stack-size-section) and its direct calls (the disassembly's call/bl, and
 * tail-call jumps to another function). A kernel whose deepest known path does
 * not fit a kernel stack is refused at build time. Calls through pointers and
 * recursion cannot be bounded from the image: they are counted and named in the
 * report, not followed.
 */
import { readFileSync } from "node:fs";
import { runTool } from "../toolchain/jobs.js";
import { elfSections } from "./dwarf-lines.js";

export interface FunctionInfo {
  frame: number;
  calls: Set<string>;
  indirect: boolean;
}

export interface StackReport {
  /** Bytes of the deepest path and the path itself, outermost first. */
  deepest: number;
  path: string[];
  /** Functions in a cycle of calls (recursion): their depth is not bounded here. */
  recursive: string[];
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

/** The deepest path through the graph, with recursion found and cut. */
export function deepestPath(fns: Map<string, FunctionInfo>): StackReport {
  const depth = new Map<string, { bytes: number; next?: string }>();
  const onStack = new Set<string>();
  const recursive = new Set<string>();
  const visit = (name: string): number => {
    const known = depth.get(name);
    if (known) return known.bytes;
    const f = fns.get(name);
    if (!f) return 0;
    if (onStack.has(name)) {
      recursive.add(name);
      return 0;
    }
    onStack.add(name);
    let best = 0;
    let next: string | undefined;
    for (const c of f.calls) {
      const d = visit(c);
      if (d > best) {
        best = d;
        next = c;
      }
    }
    onStack.delete(name);
    const bytes = f.frame + best;
    depth.set(name, next ? { bytes, next } : { bytes });
    return bytes;
  };
  let top = "";
  let deepest = -1;
  for (const name of [...fns.keys()].sort()) {
    const d = visit(name);
    if (d > deepest) {
      deepest = d;
      top = name;
    }
  }
  const path: string[] = [];
  for (let n: string | undefined = top; n !== undefined && path.length < 64; n = depth.get(n)?.next) path.push(n);
  const indirect = [...fns].filter(([, f]) => f.indirect).map(([n]) => n).sort();
  return { deepest: Math.max(0, deepest), path, recursive: [...recursive].sort(), indirect };
}

/**
 * What a call path may use of a kernel stack: task kernel stacks and secondary
 * CPUs' stacks are 16 KiB (KSTACK_SIZE in src/kernel/task/table.ts, the arch
 * entry code's AP stacks), less 2 KiB for the trap frames and handler entry
 * that an interrupt adds on top of the deepest path.
 */
export const KERNEL_STACK_BYTES = 16384;
export const TRAP_RESERVE_BYTES = 2048;

export class StackTooDeep extends Error {}

/** Throws StackTooDeep if the deepest known path does not fit `limit` bytes. */
export function checkStack(r: StackReport, limit = KERNEL_STACK_BYTES - TRAP_RESERVE_BYTES): void {
  if (r.deepest <= limit) return;
  throw new StackTooDeep(`the kernel's deepest call path needs ${r.deepest} bytes of stack, more than the ${limit} a kernel stack leaves for calls:\n  ${r.path.join("\n  -> ")}`);
}

/** The report as the build writes it next to the image (stack.txt). */
export function stackReportText(r: StackReport, fns: Map<string, FunctionInfo>): string {
  const lines = [`deepest call path: ${r.deepest} bytes of ${KERNEL_STACK_BYTES - TRAP_RESERVE_BYTES}`];
  for (const n of r.path) lines.push(`  ${String(fns.get(n)?.frame ?? 0).padStart(6)}  ${n}`);
  lines.push(`recursive (not bounded here): ${r.recursive.join(", ") || "none"}`);
  lines.push(`calls through pointers (not followed): ${r.indirect.length} functions: ${r.indirect.join(", ")}`);
  lines.push("", "frame bytes by function:");
  for (const [n, f] of [...fns].sort((a, b) => b[1].frame - a[1].frame || a[0].localeCompare(b[0]))) if (f.frame > 0) lines.push(`  ${String(f.frame).padStart(6)}  ${n}`);
  return lines.join("\n") + "\n";
}

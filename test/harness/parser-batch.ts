/**
 * A boot-information parser's driver (dtb, multiboot2, uefi-memmap) run on one
 * batch of inputs in both worlds: natively (ASan+UBSan) and under Node.
 */
import { expect } from "vitest";
import { runExe } from "./host-world.js";
import { runBundle, type RunResult } from "./node-world.js";

/**
 * Each world must exit 0 with no stderr and print exactly `expected` (one
 * result per input, each starting with `<prefix> <index> err `), and the two
 * outputs agree. One comparison when all agree (thousands of expect calls would
 * block the worker); result by result, named by `labels`, to show a difference.
 */
export async function expectParserBatch(hostExe: string, nodeBundle: string, stdin: Buffer, expected: string[], labels: string[], prefix: string): Promise<void> {
  const [host, node]: RunResult[] = await Promise.all([runExe(hostExe, stdin), runBundle(nodeBundle, stdin)]);
  const whole = expected.join("");
  for (const [world, r] of [["host", host!], ["node", node!]] as const) {
    expect(r.stderr, world).toBe("");
    expect(r.status, world).toBe(0);
    if (r.stdout === whole) continue;
    const got = r.stdout.split(new RegExp(`(?=^${prefix} \\d+ err )`, "m")).filter((s) => s.length > 0);
    expect(got.length, world).toBe(expected.length);
    for (let i = 0; i < got.length; i++) expect(got[i], `${world}: ${labels[i]}`).toBe(expected[i]);
  }
  expect(node!.stdout).toBe(host!.stdout);
}

/**
 * Runs a KTS program in the Node world from tests (compiler/exec/node-world.ts
 * bundles it): a KtsPanic prints the same line the C runtime prints and exits
 * 101, so outputs of both worlds compare byte for byte.
 */
import { runProcess } from "./process.js";
import { bundleForNode, NODE_ARGS } from "../../compiler/exec/node-world.js";

export { bundleForNode };

export type { RunResult } from "./process.js";
import type { RunResult } from "./process.js";

/** Runs a bundled program with optional stdin. */
export function runBundle(bundle: string, stdin?: string | Buffer): Promise<RunResult> {
  return runProcess(process.execPath, [...NODE_ARGS, bundle], stdin);
}

export async function runInNode(entry: string, stdin?: string | Buffer): Promise<RunResult> {
  return await runBundle(await bundleForNode(entry), stdin);
}


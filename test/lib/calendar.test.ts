/**
 * src/lib/calendar.ts (the shell's `date`, the NTP client's log) against
 * JavaScript's Date, natively (ASan+UBSan) and under Node: every line the
 * driver prints is the instant and its ISO 8601 text.
 */
import { expect, it } from "vitest";
import path from "node:path";
import { buildHost, runExe, runText } from "../harness/host-world.js";
import { runInNode } from "../harness/node-world.js";

it("UTC calendar text matches Date for 4,000 instants and the edges, in both worlds", async () => {
  const entry = path.join(import.meta.dirname, "calendar-driver.ts");
  const [native, node] = await Promise.all([runExe(buildHost(entry)), runInNode(entry)]);
  expect(runText(node)).toBe(runText(native));
  const lines = native.stdout.trim().split("\n");
  expect(lines.length).toBe(4006);
  for (const line of lines) {
    const [ns, iso] = line.split(" ");
    expect(iso, line).toBe(new Date(Number(BigInt(ns!) / 1_000_000n)).toISOString());
  }
});

/**
 * `cambi bench` works on both arches: it prints one JSON line for each of its
 * figures (system calls, IPC, the block workloads, the object store's and UDP echo with the test peer), measured in the guest. This checks the command, not the
 * numbers (benchmarks have no thresholds; STATUS.md records the figures).
 */
import { describe, expect, it } from "vitest";
import path from "node:path";
import { runProcess } from "../harness/process.js";

const ROOT = path.resolve(import.meta.dirname, "../..");

describe.each(["x86_64", "aarch64"] as const)("cambi bench on %s", (arch) => {
  it("prints the null syscall, context switch, IPC round-trip, block, store and UDP figures as JSON lines", async () => {
    const r = await runProcess(path.join(ROOT, "bin/cambi"), ["bench", "--arch", arch], "", { ...process.env, NO_COLOR: "1" }, ROOT);
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.trim().split("\n").map((l) => JSON.parse(l) as { arch: string; figure: string; guest_instructions?: number; round_trips_per_s?: number });
    const parts = ["copy", "cap", "intercept", "switch", "entry"].map((p) => `ipc_part_${p}`);
    const block = ["seq_read", "rand_read", "seq_write", "rand_write"].flatMap((w) => [`blk_${w}`, `blk_${w}_busy`]);
    const store = ["put_4k", "get_4k", "put_1m", "get_1m"].flatMap((w) => [`store_${w}`, `store_${w}_busy`]);
    const udp = ["udp_echo", "udp_echo_window8"].flatMap((w) => [`${w}_busy`, `${w}_per_s`]);
    const ipc = ["ipc_roundtrip", "ipc_roundtrip_lto", "ipc_roundtrip_slow", "ipc_send_oneway", "ipc_send_oneway_lto", "ipc_send_oneway_slow", ...parts];
    expect(lines.map((l) => l.figure).sort()).toEqual(["boot_to_prompt", "boot_to_prompt_ns", "context_switch", ...ipc, "null_syscall", ...block, ...store, ...udp].sort());
    for (const l of lines) {
      expect(l.arch).toBe(arch);
      // Guest instructions, except the UDP round trips a second the peer sees (host time).
      const value = l.figure.endsWith("_per_s") ? l.round_trips_per_s : l.guest_instructions;
      expect(Number.isInteger(value) && value! > 0, l.figure).toBe(true);
    }
  });
});

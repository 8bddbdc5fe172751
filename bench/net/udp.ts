/**
 * The UDP figures of `cambi bench` (run by it as `cambi-node bench/net/udp.ts
 * --arch A --timeout S`; one JSON line per figure on stdout). A benchmark, not
 * a test.
 *
 * The netbench tier boots on one CPU under QEMU `-icount shift=0`, cabled
 * through `-netdev dgram` on 127.0.0.1 to the test peer
 * (test/harness/net-peer.ts), which takes the guest's DHCP and then drives
 * udpecho (UDP port 7) with datagrams of 64 bytes: first one at a time (round
 * trips per second of host time, which is what a client on this machine sees
 * of TCG), then with 8 in flight. Around each run it asks netbench (port 9000)
 * for the guest's clock and halted time: under icount a virtual nanosecond is
 * one guest instruction, so the busy time between the two answers over the
 * datagrams echoed is the guest instructions per datagram received and sent
 * back (driver, net, udpecho, kernel and the timer ticks in between).
 */
import { spawn } from "node:child_process";
import { parseArgs } from "node:util";
import type { Arch } from "../../compiler/intrinsics/table.js";
import { bootstrapKeyOrExit, buildOrExit, tierBundleOrExit } from "../../compiler/cli/build.js";
import { qemuArgs } from "../../compiler/build/qemu.js";
import { NetPeer } from "../../test/harness/net-peer.js";

const ECHO_PORT = 7;
const CLOCKS_PORT = 9000;
const PEER_PORT = 50_900;
const SIZE = 64;
const RUNS = [
  { name: "udp_echo", window: 1, count: 2000 },
  { name: "udp_echo_window8", window: 8, count: 4000 },
] as const;

const { values } = parseArgs({ options: { arch: { type: "string", default: "x86_64" }, timeout: { type: "string", default: "600" } } });
const arch = values.arch as Arch;
const timeoutMs = Number(values.timeout) * 1000;

const key = bootstrapKeyOrExit(undefined);
const initrd = await tierBundleOrExit(arch, "netbench", key, { quiet: true });
const kernel = await buildOrExit(arch, { quiet: true, bootstrap: key });
const peer = await NetPeer.start({ dhcp: { leaseSeconds: 3600 } });
const { cmd, args } = qemuArgs(arch, kernel.bootImage, { smp: 1, memMiB: 128, initrd, net: peer.qemuNet, extra: ["-icount", "shift=0"], append: "loglevel=1" });
process.stderr.write(`cambi bench: ${arch}, 1 CPU, QEMU -icount shift=0: UDP echo with the test peer…\n`);
const qemu = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"] });
let output = "";
qemu.stdout.on("data", (d: Buffer) => (output += d.toString("latin1")));
qemu.stderr.on("data", (d: Buffer) => (output += d.toString("latin1")));

/** The guest's (monotonic ns, halted ns), asked of netbench. */
async function guestClocks(ip: string): Promise<[bigint, bigint]> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const answer = new Promise<Buffer | undefined>((resolve) => {
      const off = peer.onUdp(PEER_PORT, (u) => {
        off();
        clearTimeout(timer);
        resolve(u.payload);
      });
      const timer = setTimeout(() => {
        off();
        resolve(undefined);
      }, 2000);
    });
    await peer.sendUdp({ dstIp: ip, dstPort: CLOCKS_PORT, srcPort: PEER_PORT, payload: new Uint8Array(8) });
    const p = await answer;
    if (p && p.length >= 16) return [p.readBigUInt64LE(0), p.readBigUInt64LE(8)];
  }
  throw new Error("netbench did not answer on port 9000");
}

async function waitForOutput(re: RegExp): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!re.test(output)) {
    if (qemu.exitCode !== null) throw new Error(`QEMU ended (status ${qemu.exitCode}) before ${re}`);
    if (Date.now() > until) throw new Error(`timed out waiting for ${re}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Rejects once the whole measurement has had timeoutMs: a guest that stops answering fails the bench, not each datagram's loss timeout in turn (2,000 of them). */
function deadline(): { promise: Promise<never>; cancel: () => void } {
  let timer: NodeJS.Timeout | undefined;
  const promise = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${values.timeout} s`)), timeoutMs);
  });
  return { promise, cancel: () => clearTimeout(timer) };
}

async function measure(): Promise<void> {
  const lease = await peer.waitForLease(undefined, timeoutMs);
  await waitForOutput(/udpecho: echoing UDP port 7/);
  await waitForOutput(/netbench: answering UDP port 9000/);
  // Warm up: ARP both ways, every buffer once around.
  await peer.udpEcho({ ip: lease.ip, port: ECHO_PORT, count: 64, window: 8, minSize: SIZE, maxSize: SIZE });
  for (const run of RUNS) {
    const [t0, idle0] = await guestClocks(lease.ip);
    const r = await peer.udpEcho({ ip: lease.ip, port: ECHO_PORT, count: run.count, window: run.window, minSize: SIZE, maxSize: SIZE });
    const [t1, idle1] = await guestClocks(lease.ip);
    if (r.received !== run.count || r.corrupted !== 0) throw new Error(`${run.name}: ${r.received} of ${run.count} echoed, ${r.corrupted} corrupted`);
    const busy = Number(t1 - t0 - (idle1 - idle0)) / run.count;
    const perSecond = Math.round(run.count / (r.elapsedMs / 1000));
    process.stdout.write(JSON.stringify({ arch, figure: `${run.name}_busy`, guest_instructions: Math.round(busy), unit: "instructions per datagram received and echoed (icount shift=0 virtual ns)", in_flight: run.window, bytes: SIZE }) + "\n");
    process.stdout.write(JSON.stringify({ arch, figure: `${run.name}_per_s`, round_trips_per_s: perSecond, unit: "round trips per second of host time (QEMU TCG on this machine)", in_flight: run.window, bytes: SIZE, rtt_median_ms: Number(r.rttMs.median.toFixed(3)) }) + "\n");
  }
}

const limit = deadline();
let failure: Error | undefined;
try {
  await Promise.race([measure(), limit.promise]);
} catch (e) {
  failure = e as Error;
} finally {
  limit.cancel();
  qemu.kill();
  await peer.close();
}
if (failure) {
  // The measurement may still be waiting on the peer: end here, once the message is out.
  process.stderr.write(`cambi bench: UDP: ${failure.message}\n${output.split("\n").slice(-30).join("\n")}\n`, () => process.exit(1));
}

/**
 * The first user space on both arches, booted from the signed boot bundle and
 * driven through the serial console like a person would:
 *  - standard tier: the kernel verifies every module and starts init, init
 *    starts log and shell, and the shell prompt `cambi> ` appears; `ps`, `caps`,
 *    `mem`, `audit`, `echo`, `ipc-ping` answer (the shell's input arrives as
 *    console interrupts delivered over IPC); killing the log service makes init
 *    restart it, and the restarted log answers on the same endpoint; the boot
 *    has a network card on QEMU's dgram netdev, cabled to a test peer on
 *    127.0.0.1 (test/harness/net-peer.ts), and lspci lists it (virtio-net,
 *    1af4:1041, slot 6, its own interrupt line), the net service gets an
 *    address from the peer's DHCP server and ntp sets the clock from its SNTP
 *    server;
 *  - test tier: the hostile service tries every forbidden thing, each attempt is
 *    refused, its read of kernel memory ends it, it is not restarted (its
 *    manifest says never), and the kernel and shell stay up; the log endpoint's
 *    content inspection (the manifest's `inspect`) rejects a label log does not
 *    take and LOG! text with an escape sequence.
 */
import { afterEach, describe, expect, it } from "vitest";
import { ConsoleSession, linesFrom, taskOf } from "../harness/console-session.js";
import { NetPeer } from "../harness/net-peer.js";

let session: ConsoleSession | undefined;
let peer: NetPeer | undefined;
afterEach(async () => {
  session?.close();
  await peer?.close();
  peer = undefined;
});

const PEER_TIME = Date.UTC(2030, 0, 1, 0, 0, 0);

describe.each(["x86_64", "aarch64"] as const)("services on %s", (arch) => {
  it("boots to the shell prompt; the shell's commands answer; a killed service is restarted by init", async () => {
    const p = (peer = await NetPeer.start({ ntp: { timeMs: PEER_TIME } }));
    const s = (session = new ConsoleSession(["--arch", arch, "--smp", "4", "--net", p.netArg]));
    await s.waitFor(/boot bundle: 10 of 10 modules verified/);
    await s.waitFor(/init: 9 services started, 0 refused/);

    const ps = await s.command("ps");
    for (const name of ["init", "log", "shell", "pci", "virtio-blk", "keys", "store", "virtio-net", "net", "ntp"]) expect(ps).toMatch(new RegExp(`\\b(blocked|running|ready)\\s+\\d+\\s+\\d+\\s+\\d+\\s+${name}\\b`));
    const shell = taskOf(ps, "shell");
    const log = taskOf(ps, "log");

    // The network card on the dgram cable: PCI lists it at its slot, on its own line (q35: PIRQ G; virt: SPI 5).
    expect(await s.command("lspci")).toMatch(new RegExp(`00:06\\.0 1af4:1041 Ethernet\\s+irq ${arch === "x86_64" ? 22 : 37}\\b`));
    expect(p.malformed).toEqual([]);
    // The standard tier's network: an address from the peer's DHCP server, the clock from its SNTP server.
    const lease = await p.waitForLease(undefined, 120_000);
    await s.waitFor(/ntp: clock set to 2030-01-01T00:00:\d\d\.\d{3}Z from 10\.0\.2\.2/);
    expect(await s.command("net")).toContain(`net: address ${lease.ip}/24`);
    expect(await s.command("date")).toMatch(/date: 2030-01-01T00:0\d:\d\d\.\d{3}Z/);

    // The shell holds what the standard manifest gives it, in order.
    const caps = await s.command(`caps ${shell}`);
    expect(caps.match(/^\s+0x[0-9a-f]+\s+(IRQ|endpoint|system|audit|console)\b/gm)?.length, caps).toBe(13);
    expect(caps).toMatch(/IRQ\s+-r---/);
    expect(caps).toMatch(/system\s+sr---/);

    expect(await s.command("mem")).toMatch(/memory: \d+ frames \(\d+ MiB\), \d+ free/);
    expect(await s.command("echo hello from the console")).toContain("hello from the console");
    expect(await s.command("uptime")).toMatch(/uptime: \d+\.\d{3} s/);
    // Every keystroke so far came in as a console interrupt: the audit ring saw the kernel's messages.
    expect(await s.command("audit 5")).toMatch(/send\s+-\s+\d+\s+0x49525100/);
    expect(await s.command("ipc-ping 10")).toMatch(/ipc-ping: 10 round trips, avg \d+ ns/);
    expect(await s.command("frobnicate")).toContain("shell: unknown command 'frobnicate'");

    // Killing the log service: init hears of it from the kernel and starts it again.
    expect(await s.command(`kill ${log}`)).toMatch(new RegExp(`kill: task ${log} ended`));
    await s.waitFor(/init: service log \(task \d+\) exited with code 57005[^\n]*restarting in \d+ ms/);
    await s.waitFor(/init: restarted log \(service 1\) as task \d+/);
    // The clients' log capability still works: the endpoint outlived the task.
    expect(await s.command("ipc-ping 5")).toMatch(/ipc-ping: 5 round trips/);
    const ps2 = await s.command("ps");
    expect(taskOf(ps2, "log")).toBeGreaterThanOrEqual(0);
    expect(taskOf(ps2, "shell")).toBe(shell);

    // restart by name goes through init; names are the running services' (any tier's), not a fixed list.
    expect(await s.command("restart log")).toMatch(/restart/);
    await s.waitFor(/init: restarted log \(service 1\) as task \d+/);
    expect(await s.command("restart virtio-blk")).toMatch(/restart: service 4 is restarting/);
    await s.waitFor(/init: restarted virtio-blk \(service 4\) as task \d+/);
    expect(await s.command("restart hostile")).toMatch(/restart: no running service 'hostile'/);
  });

  it("the hostile service's every attempt is refused and the kernel stays up", async () => {
    const s = (session = new ConsoleSession(["--arch", arch, "--smp", "4", "--tier", "test"]));
    await s.waitFor(/boot bundle: 9 of 9 modules verified/);
    const summary = await s.waitFor(/hostile: (all attempts refused \((\d+) attempts\)|(\d+) of (\d+) attempts ALLOWED)/);
    const lines = linesFrom(s.output, "hostile: ");
    expect(lines.filter((l) => /ALLOWED/.test(l)), lines.join("\n")).toEqual([]);
    expect(Number(summary[2])).toBeGreaterThanOrEqual(30);
    // Forged capabilities, bad pointers and a flood are among the attempts.
    expect(lines.join("\n")).toMatch(/forged/);
    expect(lines.join("\n")).toMatch(/kernel/);
    expect(lines.join("\n")).toMatch(/IPC flood of 2000 sends to log: refused \(accepted \d+, throttled [1-9]\d*/);
    // The log endpoint is inspected (images/test.json "inspect"): other labels and non-text LOG! are rejected.
    expect(lines.join("\n")).toContain("hostile: send of an unlisted label to log: refused (Denied)");
    expect(lines.join("\n")).toContain("hostile: LOG! text with an escape sequence: refused (Denied)");
    // Straight to the console, without the console capability: attributed, and the escape byte shown as '?'.
    expect(s.output).toMatch(/\[task \d+\] \?\[2J\[log 5\] forged by hostile/);
    expect(s.output).not.toContain("\x1b[2J");
    expect(s.output.split("\n").some((l) => l.startsWith("[log 5] forged"))).toBe(false);
    // Memory: no W+X or executable mapping, none outside user space or over its code, none without the rights.
    const all = lines.join("\n");
    expect(all).toContain("hostile: W+X mapping of its memory region: refused (WriteExec)");
    expect(all).toContain("hostile: random bytes through its log capability: refused (Denied)");
    expect(all).toContain("hostile: random bytes through a forged handle: refused (BadCapability)");
    expect(all).toContain("hostile: setting the clock through its log capability: refused (Denied)");
    expect(all).toContain("hostile: setting the clock through a forged handle: refused (BadCapability)");
    expect(all).toContain("hostile: executable mapping of its memory region: refused (WriteExec)");
    expect(all).toContain("hostile: mapping its memory region into the kernel half: refused (BadAddress)");
    expect(all).toContain("hostile: mapping its memory region across the top of user space: refused (BadAddress)");
    expect(all).toContain("hostile: mapping writable memory over its own code: refused (AddressInUse)");
    expect(all).toContain("hostile: writable mapping through a map-only capability: refused (Denied)");
    expect(all).toContain("hostile: mapping through a time-limited capability: refused (Denied)");
    expect(all).toContain("hostile: read-write mapping of its memory region: error 0, zeroed true");
    // Its last act, reading kernel memory, ends it; init leaves it ended.
    await s.waitFor(/hostile: reading kernel memory/);
    await s.waitFor(/task \d+ faulted \(kind \d+, address 0xffff/);
    await s.waitFor(/init: service hostile \(task \d+\) exited[^\n]*not restarted/);
    // The kernel and the shell are fine.
    const ps = await s.command("ps");
    expect(ps).not.toMatch(/\bhostile\b.*\n/);
    expect(ps).toMatch(/\bshell\b/);
    // The audit ring recorded its end, and the log service (the audit sink) reported it: log drains
    // the ring after each message it handles, so a ping makes a quiet system report it.
    await s.command("ipc-ping 1");
    await s.waitForAnywhere(/audit: \d+ task died \(last: task \d+\)/);
  });
});

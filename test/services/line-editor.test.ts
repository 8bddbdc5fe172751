/**
 * The shell's line editor and word parsing, and the services' name tables, on
 * the host: test/services/line-editor-driver.ts natively (ASan+UBSan) and under
 * Node with the same input must print the same transcript; the transcript is
 * checked line by line, and the error, state and kind names against the ABI
 * table (src/abi/syscalls.json).
 */
import { beforeAll, describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import path from "node:path";
import { buildHost, runExe, runText } from "../harness/host-world.js";
import { runInNode } from "../harness/node-world.js";
import type { RunResult } from "../harness/process.js";

const ROOT = path.resolve(import.meta.dirname, "../..");
const DRIVER = path.join(import.meta.dirname, "line-editor-driver.ts");

const INPUT = Buffer.concat([
  Buffer.from("help\r\n"), // CR LF is one Enter
  Buffer.from("ab\x7fc\r"), // DEL erases
  Buffer.from("\x08\x08x\n"), // backspace on an empty line does nothing
  Buffer.from("caps 12\r\r"), // CR CR: two Enters
  Buffer.from("hello\x15bye\n"), // Ctrl-U clears the line
  Buffer.from("kill 3\x03"), // Ctrl-C abandons it
  Buffer.from("restart log\n"),
  Buffer.from("restart 0x1F\n"),
  Buffer.from("echo  two   spaces \n"),
  Buffer.from("\x1b[Aup\x1b[1;5D\n"), // CSI sequences (arrows) are skipped
  Buffer.from("\x1bOBx\n"), // SS3 too
  Buffer.from("ipc-ping 99999999999999999999 18446744073709551614\n"), // over 64 bits; the largest number
  Buffer.from("a\tb\xc3\xa9\n"), // other control bytes and non-ASCII are ignored
  Buffer.from("y".repeat(210) + "\n"), // the line holds 200 (a grant: two 64-digit names)
  Buffer.from("\r\n\n"), // an empty line, then another
  Buffer.from("tail"),
]);

let native: RunResult;
let node: RunResult;

beforeAll(async () => {
  [native, node] = await Promise.all([runExe(buildHost(DRIVER), INPUT), runInNode(DRIVER, INPUT)]);
});

describe("shell line editor (both worlds)", () => {
  it("runs cleanly and identically natively and under Node", () => {
    expect(native.stderr).toBe("");
    expect(native.status).toBe(0);
    expect(runText(node)).toBe(runText(native));
  });

  it("edits lines: echo, backspace, Ctrl-U, Ctrl-C, CR LF, escapes, overlong lines", () => {
    const out = native.stdout;
    const transcript = out.slice(0, out.indexOf("lines: "));
    expect(transcript).toContain("echo: help\\n\nline (4): help\n  word 0 'help' at 0: command 0 service 99 number 0 false\n");
    expect(transcript).toContain("echo: ab\\b \\bc\\n\nline (2): ac\n");
    expect(transcript).toContain("echo: x\\n\nline (1): x\n");
    expect(transcript).toContain("echo: caps 12\\n\nline (7): caps 12\n  word 0 'caps' at 0: command 2 service 99 number 0 false\n  word 1 '12' at 5: command 99 service 99 number 12 true\necho: \\n\nline (0): \n");
    expect(transcript).toContain(`echo: hello${"\\b \\b".repeat(5)}bye\\n\nline (3): bye\n`);
    expect(transcript).toContain("echo: kill 3^C\\n\ncancelled (line now 0)\n");
    expect(transcript).toContain("line (11): restart log\n  word 0 'restart' at 0: command 9 service 99 number 0 false\n  word 1 'log' at 8: command 99 service 1 number 0 false\n");
    expect(transcript).toContain("  word 1 '0x1F' at 8: command 99 service 99 number 31 true\n");
    expect(transcript).toContain("line (19): echo  two   spaces \n  word 0 'echo' at 0: command 6 service 99 number 0 false\n  word 1 'two' at 6: command 99 service 99 number 0 false\n  word 2 'spaces' at 12: command 99 service 99 number 0 false\n");
    expect(transcript).toContain("echo: up\\n\nline (2): up\n");
    expect(transcript).toContain("echo: x\\n\nline (1): x\n  word 0 'x'");
    expect(transcript).toContain("  word 0 'ipc-ping' at 0: command 7 service 99 number 0 false\n  word 1 '99999999999999999999' at 9: command 99 service 99 number 0 false\n  word 2 '18446744073709551614' at 30: command 99 service 99 number 18446744073709551614 true\n");
    expect(transcript).toContain("echo: ab\\n\nline (2): ab\n");
    expect(transcript).toContain(`line (200): ${"y".repeat(200)}\n`);
    expect(transcript).toContain("echo: \\n\nline (0): \necho: \\n\nline (0): \nunfinished (4): tail; echo: tail\n");
    expect(out).toContain("lines: 16\n");
  });

  it("names errors, task states and kinds as the ABI table does", () => {
    const abi = JSON.parse(readFileSync(path.join(ROOT, "src/abi/syscalls.json"), "utf8")) as {
      errors: { name: string; number: number }[];
      records: { name: string; fields: [string, string, number, string][] }[];
    };
    const out = native.stdout;
    for (const e of abi.errors) expect(out).toContain(`error ${e.number}: ${e.name}\n`);
    expect(out).toContain("error 13: 13\n"); // unknown codes print as numbers
    /** "0 free, 1 ready, ..." from a record field's description. */
    const enumerated = (record: string, field: string): [number, string][] => {
      const doc = abi.records.find((r) => r.name === record)!.fields.find((f) => f[0] === field)![3];
      return doc.split(", ").map((part) => {
        const m = /^(\d+) (.+)$/.exec(part)!;
        return [Number(m[1]), m[2]!];
      });
    };
    for (const [v, name] of enumerated("TaskInfo", "state")) expect(out).toContain(`state ${v}: ${name}\n`);
    for (const [v, name] of enumerated("CapInfo", "kind")) expect(out).toContain(`cap kind ${v}: ${name}\n`);
    for (const [v, name] of enumerated("AuditRecord", "kind")) expect(out).toContain(`audit kind ${v}: ${name}\n`);
    for (const past of ["state 5: ?", "cap kind 0: ?", "cap kind 13: ?", "audit kind 14: ?"]) expect(out).toContain(`${past}\n`);
    const commands = ["help", "ps", "caps", "audit", "mem", "uptime", "echo", "ipc-ping", "kill", "restart", "lspci", "id", "put", "cat", "ls", "rm", "grant", "df", "fuzz", "date", "net", "ping", "ntp", "?"];
    commands.forEach((c, i) => expect(out).toContain(`command ${i}: ${c}\n`));
  });

  it("formats columns, hex, decimals and rights", () => {
    expect(native.stdout).toContain("format: [  0 0x0 0xdeadbeef 0xffffffffffffffff 18446744073709551615 007 1234 sr---- srgmw- --gmwd 1af4:0042]\n");
  });
});

/**
 * shell: the console's command line. Console input arrives as IRQ messages on
 * the shell's endpoint (irqBind); each one is drained with consoleRead, fed to
 * the line editor (echo, backspace, Ctrl-U, Ctrl-C, Enter), and complete lines
 * run as commands (commands.ts). If irqBind is refused it polls the console.
 *
 * Capabilities: [0] IRQ of the console UART, [1] endpoint "shell" (send + receive),
 * [2] endpoint "init" (send), [3] endpoint "log" (send), [4] system (send + receive), [5] audit,
 * [6] console, [7] endpoint "pci" (send), [8] endpoint "store" (send), [9] endpoint "keys" (send),
 * [10] endpoint "fuzz" (send; the fuzz tier only: the system-call fuzzer's controller),
 * [11] endpoint "net" (send), [12] endpoint "ntp" (send) (the net tier only).
 */
import { u8, u32, u64, bool, array, arrayOf, print, text, slice } from "kts";
import { sysIrqBind, sysIrqAck } from "../../lib/sys/syscalls.generated";
import { capAt, receive, reply, msgLabel, msgWord, msgSetWord, msgIsCall, msgSender, errorOf } from "../../lib/ipc/message";
import { LABEL_IRQ, LABEL_PING, KERNEL_SENDER } from "../../lib/ipc/protocol";
import { errorText, errorName, ERR_INVALID } from "../../lib/errors";
import { putBytes, readConsole } from "../../lib/console";
import { sleepNanos, NANOS_PER_MILLI } from "../../lib/time";
import { LineEditor, Edit } from "./line-editor";
import { Words } from "./words";
import { Command, COMMAND_NAMES } from "./vocabulary";
import { lspci } from "./lspci";
import { objectsInit, id, put, cat, ls, rm, grant, df } from "./objects";
import { netCommand, ping } from "./network";
import { ntp } from "./ntp";
import { caps, help, ps, capsOf, auditTail, mem, uptime, notePrompt, date, echo, ipcPing, kill, restart, fuzz } from "./commands";

/** "cambi> " */
const PROMPT: u8[] = arrayOf([0x63, 0x61, 0x6d, 0x62, 0x69, 0x3e, 0x20]);
/** How often the console is polled when IRQ delivery is not available. */
const POLL_NANOS: u64 = 20_000_000n;

const editor = new LineEditor();
const words = new Words();
const input: u8[] = array(64, 0);
/** A failing consoleRead is reported once. */
let readBroken: bool = false;

export function main(): u32 {
  caps.irq = capAt(0n);
  caps.endpoint = capAt(1n);
  caps.init = capAt(2n);
  caps.log = capAt(3n);
  caps.system = capAt(4n);
  caps.audit = capAt(5n);
  caps.pci = capAt(7n);
  caps.fuzz = capAt(10n);
  caps.net = capAt(11n);
  caps.ntp = capAt(12n);
  objectsInit(capAt(8n), capAt(9n));
  const bind: u64 = errorOf(sysIrqBind(caps.irq, caps.endpoint));
  if (bind != 0n) print(`shell: irqBind failed (${text(errorText, errorName(bind))}); polling the console`);
  print("shell: ready (type help)");
  notePrompt();
  putBytes(PROMPT, PROMPT.length);
  drainConsole(); // what was typed before the binding raised no interrupt for us
  if (bind != 0n) {
    for (;;) {
      if (drainConsole() == 0) sleepNanos(POLL_NANOS);
    }
  }
  for (;;) {
    const e: u64 = errorOf(receive(caps.endpoint));
    if (e != 0n) {
      print(`shell: receive failed (${text(errorText, errorName(e))})`);
      sleepNanos(u64(100n * NANOS_PER_MILLI));
      continue;
    }
    if (msgIsCall()) {
      answerCall();
      continue;
    }
    if (msgLabel() != LABEL_IRQ || msgSender() != KERNEL_SENDER) continue;
    drainConsole();
    sysIrqAck(caps.irq);
    drainConsole(); // bytes that arrived between the last read and the ack
  }
}

/** Nobody needs to call the shell; PING is answered so it can be checked, anything else is refused. */
function answerCall(): void {
  if (msgLabel() == LABEL_PING) msgSetWord(u64(msgWord() + 1n));
  else msgSetWord(u64(0n - ERR_INVALID));
  reply();
}

/** Reads the console until it has nothing more, feeding every byte to the editor; returns the bytes read. */
function drainConsole(): u32 {
  let total: u32 = 0;
  for (;;) {
    const r: u64 = readConsole(caps.irq, input);
    const e: u64 = errorOf(r);
    if (e != 0n) {
      if (!readBroken) print(`shell: consoleRead failed (${text(errorText, errorName(e))})`);
      readBroken = true;
      return total;
    }
    const n: u32 = u32(r);
    if (n == 0) return total;
    for (let i: u32 = 0; i < n; i++) typed(input[i]);
    total = u32(total + n);
  }
}

function typed(b: u8): void {
  const edit: Edit = editor.feed(b);
  putBytes(editor.echo, editor.echoLength);
  if (edit == Edit.More) return;
  if (edit == Edit.Line) run(editor.line, editor.length);
  putBytes(PROMPT, PROMPT.length);
}

/** Runs one command line. */
function run(line: u8[], length: u32): void {
  words.split(line, length);
  if (words.count == 0) return;
  const command: u32 = words.lookup(line, 0, COMMAND_NAMES);
  switch (command) {
    case Command.Help:
      help();
      break;
    case Command.Ps:
      ps();
      break;
    case Command.Caps:
      capsOf(line, words);
      break;
    case Command.Audit:
      auditTail(line, words);
      break;
    case Command.Mem:
      mem();
      break;
    case Command.Uptime:
      uptime();
      break;
    case Command.Date:
      date();
      break;
    case Command.Net:
      netCommand(caps.net, line, words);
      break;
    case Command.Ntp:
      ntp(caps.ntp, line, words);
      break;
    case Command.Ping:
      ping(caps.net, line, words);
      break;
    case Command.Echo:
      echo(line, length, words);
      break;
    case Command.IpcPing:
      ipcPing(line, words);
      break;
    case Command.Kill:
      kill(line, words);
      break;
    case Command.Restart:
      restart(line, words);
      break;
    case Command.Lspci:
      lspci(caps.pci);
      break;
    case Command.Id:
      id();
      break;
    case Command.Put:
      put(line, length, words);
      break;
    case Command.Cat:
      cat(line, words);
      break;
    case Command.Ls:
      ls(line, words);
      break;
    case Command.Rm:
      rm(line, words);
      break;
    case Command.Grant:
      grant(line, words);
      break;
    case Command.Df:
      df();
      break;
    case Command.Fuzz:
      fuzz(line, words);
      break;
    default: // NO_NAME
      print(`shell: unknown command '${text(slice(line, words.start[0], length), words.length[0])}' (try help)`);
      break;
  }
}

// Host driver for the shell's pure parts: feeds standard input byte by byte to
// the line editor and prints, for every completed or abandoned line, the echo
// it produced (control bytes spelled \b \n), the line, its words and what they
// mean to the shell (command, service, number). Then prints the name tables
// and some formatted fields, for the test to compare with src/abi/syscalls.json.
import { u8, u32, u64, print, text, slice } from "kts";
import { StdinReader } from "../harness/stdin-reader";
import { LineEditor, Edit } from "../../src/services/shell/line-editor";
import { Words, NOT_A_NUMBER } from "../../src/services/shell/words";
import { COMMAND_NAMES } from "../../src/services/shell/vocabulary";
import { SERVICE_NAMES } from "../../src/lib/ipc/protocol";
import { NO_NAME } from "../../src/lib/names";
import { Line } from "../../src/lib/format";
import { errorText, errorName } from "../../src/lib/errors";
import { TASK_STATE_NAMES, CAP_KIND_NAMES, AUDIT_KIND_NAMES, appendRights } from "../../src/lib/records";

const input = new StdinReader();
const editor = new LineEditor();
const words = new Words();
const shown = new Line();

/** Appends the editor's echo to `shown`, control bytes spelled out. */
function showEcho(): void {
  for (let i: u32 = 0; i < editor.echoLength; i++) {
    const b: u8 = editor.echo[i];
    if (b == 0x08) {
      shown.byte(0x5c);
      shown.byte(0x62);
    } else if (b == 0x0a) {
      shown.byte(0x5c);
      shown.byte(0x6e);
    } else {
      shown.byte(b);
    }
  }
}

function showLine(): void {
  print(`echo: ${text(shown.bytes, shown.length)}`);
  shown.clear();
  print(`line (${editor.length}): ${text(editor.line, editor.length)}`);
  words.split(editor.line, editor.length);
  for (let i: u32 = 0; i < words.count; i++) {
    const command: u32 = words.lookup(editor.line, i, COMMAND_NAMES);
    const service: u32 = words.lookup(editor.line, i, SERVICE_NAMES);
    const n: u64 = words.number(editor.line, i);
    const word: u8[] = slice(editor.line, words.start[i], u32(words.start[i] + words.length[i]));
    print(`  word ${i} '${text(word, word.length)}' at ${words.start[i]}: command ${command == NO_NAME ? 99 : command} service ${service == NO_NAME ? 99 : service} number ${n == NOT_A_NUMBER ? 0n : n} ${n != NOT_A_NUMBER}`);
  }
}

function editing(): void {
  let lines: u32 = 0;
  while (input.fill()) {
    const edit: Edit = editor.feed(input.byte());
    showEcho();
    if (edit == Edit.Line) {
      showLine();
      lines = u32(lines + 1);
    } else if (edit == Edit.Cancel) {
      print(`echo: ${text(shown.bytes, shown.length)}`);
      shown.clear();
      print(`cancelled (line now ${editor.length})`);
    }
  }
  print(`unfinished (${editor.length}): ${text(editor.line, editor.length)}; echo: ${text(shown.bytes, shown.length)}`);
  print(`lines: ${lines}`);
}

function tables(): void {
  for (let e: u64 = 0n; e < 14n; e = u64(e + 1n)) print(`error ${e}: ${text(errorText, errorName(e))}`);
  for (let i: u32 = 0; i < 6; i++) {
    shown.clear();
    shown.name(TASK_STATE_NAMES, i);
    print(`state ${i}: ${text(shown.bytes, shown.length)}`);
  }
  for (let i: u32 = 0; i < 14; i++) {
    shown.clear();
    shown.name(CAP_KIND_NAMES, i);
    print(`cap kind ${i}: ${text(shown.bytes, shown.length)}`);
  }
  for (let i: u32 = 0; i < 15; i++) {
    shown.clear();
    shown.name(AUDIT_KIND_NAMES, i);
    print(`audit kind ${i}: ${text(shown.bytes, shown.length)}`);
  }
  for (let i: u32 = 0; i < 24; i++) {
    shown.clear();
    shown.name(COMMAND_NAMES, i);
    print(`command ${i}: ${text(shown.bytes, shown.length)}`);
  }
  shown.clear();
  shown.padTo(2);
  shown.decimal(0n);
  shown.padTo(4);
  shown.hex(0n);
  shown.padTo(8);
  shown.hex(0xdead_beefn);
  shown.padTo(12); // already past: one space
  shown.hex(0xffff_ffff_ffff_ffffn);
  shown.byte(0x20);
  shown.decimal(18446744073709551615n);
  shown.byte(0x20);
  shown.decimalZeros(7n, 3);
  shown.byte(0x20);
  shown.decimalZeros(1234n, 3);
  shown.byte(0x20);
  appendRights(shown, 3);
  shown.byte(0x20);
  appendRights(shown, 31);
  shown.byte(0x20);
  appendRights(shown, 60);
  shown.byte(0x20);
  shown.hexDigits(0x1af4n, 4);
  shown.byte(0x3a);
  shown.hexDigits(0x1_0042n, 4);
  print(`format: [${text(shown.bytes, shown.length)}]`);
}

export function main(): u32 {
  editing();
  tables();
  return 0;
}

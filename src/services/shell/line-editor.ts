/**
 * The shell's line editor as pure logic: feed() takes one input byte and says
 * whether a line is complete; `echo` holds what the terminal should show for
 * that byte. No I/O, so it is tested on the host (test/services).
 */
import { u8, u32, bool, array } from "kts";

/** Characters a line holds; more are ignored (not echoed). */
export const LINE_MAX = 200;
/** Enough echo for erasing a whole line: "\b \b" per character. */
const ECHO_MAX = 3 * LINE_MAX + 4;

const BACKSPACE = 0x08;
const DELETE = 0x7f;
const CTRL_C = 0x03;
const CTRL_U = 0x15;
const ESCAPE = 0x1b;
const CR = 0x0d;
const LF = 0x0a;

export enum Edit {
  /** Keep feeding. */
  More = 0,
  /** line[0 .. length) is complete; it stays readable until the next feed(). */
  Line = 1,
  /** Ctrl-C abandoned the line. */
  Cancel = 2,
}

/** Where an escape sequence (arrow keys send ESC [ A ...) stands: skipped, never inserted. */
enum Escape {
  None = 0,
  Started = 1,
  Csi = 2,
}

export class LineEditor {
  line: u8[] = array(LINE_MAX, 0);
  length: u32 = 0;
  echo: u8[] = array(ECHO_MAX, 0);
  echoLength: u32 = 0;
  /** The last byte was CR: a LF right after it ends nothing more (CR LF is one Enter). */
  afterCr: bool = false;
  /** The last feed() completed a line: the next one starts a new line. */
  complete: bool = false;
  escape: Escape = Escape.None;

  feed(b: u8): Edit {
    this.echoLength = 0;
    if (this.complete) {
      this.complete = false;
      this.length = 0;
    }
    const afterCr: bool = this.afterCr;
    this.afterCr = b == CR;
    if (this.escape != Escape.None) {
      this.skipEscape(b);
      return Edit.More;
    }
    if (b == LF && afterCr) return Edit.More;
    if (b == CR || b == LF) {
      this.say(LF); // the console turns it into CR LF
      this.complete = true;
      return Edit.Line;
    }
    if (b == BACKSPACE || b == DELETE) {
      if (this.length > 0) {
        this.length = u32(this.length - 1);
        this.eraseOne();
      }
      return Edit.More;
    }
    if (b == CTRL_U) {
      while (this.length > 0) {
        this.length = u32(this.length - 1);
        this.eraseOne();
      }
      return Edit.More;
    }
    if (b == CTRL_C) {
      this.say(0x5e); // ^C
      this.say(0x43);
      this.say(LF);
      this.length = 0;
      return Edit.Cancel;
    }
    if (b == ESCAPE) {
      this.escape = Escape.Started;
      return Edit.More;
    }
    if (b >= 0x20 && b < 0x7f && this.length < LINE_MAX) {
      this.line[this.length] = b;
      this.length = u32(this.length + 1);
      this.say(b);
    }
    return Edit.More; // other control characters and overlong lines are ignored
  }

  /** Empties the line (a new prompt). */
  reset(): void {
    this.length = 0;
    this.complete = false;
    this.escape = Escape.None;
  }

  /** ESC '[' (CSI) and ESC 'O' (SS3) sequences end at a byte 0x40..0x7e; ESC and any other byte is a whole sequence. */
  skipEscape(b: u8): void {
    if (this.escape == Escape.Started) {
      this.escape = b == 0x5b || b == 0x4f ? Escape.Csi : Escape.None;
      return;
    }
    if (b >= 0x40 && b <= 0x7e) this.escape = Escape.None;
  }

  eraseOne(): void {
    this.say(BACKSPACE);
    this.say(0x20);
    this.say(BACKSPACE);
  }

  say(b: u8): void {
    if (this.echoLength < this.echo.length) {
      this.echo[this.echoLength] = b;
      this.echoLength = u32(this.echoLength + 1);
    }
  }
}

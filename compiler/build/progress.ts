/**
 * How build steps report what they do: a count for long steps ("compiling 12
 * of 94") and a line per finished step. The CLI shows counts on a terminal
 * only; tests and pipes get the finished lines, or nothing.
 */
export interface Progress {
  /** A long step advanced: done of total units (files, services). */
  count(step: string, done: number, total: number): void;
  /** A step finished; msg says what it made. */
  note(msg: string): void;
}

export const SILENT: Progress = { count() {}, note() {} };

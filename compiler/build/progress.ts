/**
 * How build steps report a long step as it goes ("compiling 12 of 94"). The
 * CLI shows it on a terminal only; finished steps are the CLI's own lines.
 */
export interface Progress {
  /** A long step advanced: done of total units (files, links). */
  count(step: string, done: number, total: number): void;
}

export const SILENT: Progress = { count() {} };

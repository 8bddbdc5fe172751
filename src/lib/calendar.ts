/**
 * UTC time as people read it: nanoseconds since 1970-01-01 to a calendar date
 * and time (proleptic Gregorian, leap seconds not counted, as POSIX time), and
 * to ISO 8601 text. The date comes from the day count with Howard Hinnant's
 * civil_from_days, in unsigned arithmetic (times before 1970 do not occur here).
 */
import { u8, u32, u64 } from "kts";

const NANOS_PER_SECOND: u64 = 1_000_000_000n;
const SECONDS_PER_DAY: u64 = 86_400n;

export class UtcTime {
  year: u32 = 1970;
  /** 1..12 */
  month: u32 = 1;
  /** 1..31 */
  day: u32 = 1;
  hour: u32 = 0;
  minute: u32 = 0;
  second: u32 = 0;
  nanos: u32 = 0;
}

/** Fills `out` with the calendar time of `utcNanos`. */
export function utcFromNanos(utcNanos: u64, out: UtcTime): void {
  const secs: u64 = u64(utcNanos / NANOS_PER_SECOND);
  out.nanos = u32(utcNanos % NANOS_PER_SECOND);
  const days: u64 = u64(secs / SECONDS_PER_DAY);
  const inDay: u32 = u32(secs % SECONDS_PER_DAY);
  out.hour = u32(inDay / 3600);
  out.minute = u32(u32(inDay % 3600) / 60);
  out.second = u32(inDay % 60);
  // Days since 0000-03-01: years then start in March, so a leap day is a year's last.
  const z: u64 = u64(days + 719_468n);
  const era: u64 = u64(z / 146_097n);
  const doe: u64 = u64(z - era * 146_097n);
  const yoe: u64 = u64(u64(doe - u64(doe / 1460n) + u64(doe / 36_524n) - u64(doe / 146_096n)) / 365n);
  const doy: u64 = u64(doe - u64(365n * yoe + u64(yoe / 4n) - u64(yoe / 100n)));
  const mp: u64 = u64(u64(5n * doy + 2n) / 153n);
  out.day = u32(u64(doy - u64(u64(153n * mp + 2n) / 5n) + 1n));
  out.month = mp < 10n ? u32(mp + 3n) : u32(mp - 9n);
  out.year = u32(u64(yoe + era * 400n) + u64(out.month <= 2 ? 1n : 0n));
}

/** Writes `value` as exactly `width` decimal digits at `at`; returns the position after them. */
function digits(out: u8[], at: u32, value: u32, width: u32): u32 {
  let v: u32 = value;
  for (let i: u32 = 0; i < width; i++) {
    out[u32(at + width - 1 - i)] = u8(0x30 + u32(v % 10));
    v = u32(v / 10);
  }
  return u32(at + width);
}

/** ISO 8601 text of `utcNanos` with milliseconds, "2026-12-06T20:04:00.000Z": 24 bytes written at the start of `out` (at least 24 long). */
export function utcText(utcNanos: u64, out: u8[]): u32 {
  const t = new UtcTime();
  utcFromNanos(utcNanos, t);
  let at: u32 = digits(out, 0, t.year, 4);
  out[at] = 0x2d; // -
  at = digits(out, u32(at + 1), t.month, 2);
  out[at] = 0x2d;
  at = digits(out, u32(at + 1), t.day, 2);
  out[at] = 0x54; // T
  at = digits(out, u32(at + 1), t.hour, 2);
  out[at] = 0x3a; // :
  at = digits(out, u32(at + 1), t.minute, 2);
  out[at] = 0x3a;
  at = digits(out, u32(at + 1), t.second, 2);
  out[at] = 0x2e; // .
  at = digits(out, u32(at + 1), u32(t.nanos / 1_000_000), 3);
  out[at] = 0x5a; // Z
  return u32(at + 1);
}

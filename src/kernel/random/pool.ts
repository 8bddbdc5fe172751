/**
 * The kernel's random generator: one CSPRNG (src/lib/crypto/csprng.ts) seeded at
 * boot from the CPU's generator (RDSEED/RDRAND, RNDR) and given a fresh
 * hardware value before every request, so a state captured once does not
 * predict later output. Without a hardware generator it is seeded from timer
 * jitter and boot timing, which in a virtual machine may be guessable: the
 * boot log says so loudly, and every task can tell (randomStrength).
 *
 * Callers hold the scheduler lock (one generator for all CPUs).
 */
import { u8, u32, u64, array, slice, print } from "kts";
import { ARCH_ID, hardwareRandomSource, hardwareRandom64, monotonicNanos } from "arch";
import { Csprng } from "../../lib/crypto/csprng";

/** Hardware values drawn at boot: 8 x 64 = 512 bits, twice the generator's security level. */
const BOOT_WORDS: u32 = 8;
/** Jitter samples taken without a hardware generator. */
const JITTER_SAMPLES: u32 = 4096;

const generator = new Csprng();
const words: u64[] = array(BOOT_WORDS, 0n);
const wordBytes: u8[] = array(64, 0);
let hardware: u32 = 0;

function packWords(n: u32): void {
  for (let i: u32 = 0; i < n; i++) {
    const w: u64 = words[i];
    for (let b: u32 = 0; b < 8; b++) wordBytes[u32(i * 8 + b)] = u8(w >> u64(b * 8));
    words[i] = 0n;
  }
}

/** Boot: seeds the generator and says from what. */
export function randomInit(): void {
  hardware = hardwareRandomSource();
  let got: u32 = 0;
  if (hardware != 0) {
    for (let i: u32 = 0; i < BOOT_WORDS; i++) if (hardwareRandom64(words, got)) got = u32(got + 1);
  }
  packWords(got);
  // Each hardware word is credited 32 bits (half its width), so 8 words give 256.
  generator.mix(slice(wordBytes, 0, u32(got * 8)), u32(got * 32));
  mixJitter();
  if (generator.seeded()) {
    if (hardware == 1) print(`random: seeded from RDSEED (${got} words)`);
    else if (hardware == 2) print(`random: seeded from RDRAND (${got} words)`);
    else print(`random: seeded from RNDR (${got} words)`);
    return;
  }
  hardware = 0;
  if (ARCH_ID == 1) print(`random: WARNING: no hardware random generator (the CPU has neither RDSEED nor RDRAND, or they failed); seeded from timer jitter only: keys made on this boot may be guessable`);
  else print(`random: WARNING: no hardware random generator (the CPU has no FEAT_RNG RNDR, or it failed); seeded from timer jitter only: keys made on this boot may be guessable`);
}

/** Timer jitter: the low bits of the clock between samples, uncredited (a VM's clock may be predictable). */
function mixJitter(): void {
  let at: u32 = 0;
  let last: u64 = monotonicNanos();
  for (let i: u32 = 0; i < JITTER_SAMPLES; i++) {
    const now: u64 = monotonicNanos();
    wordBytes[at] = u8(u8(now - last) ^ u8(now >> 8n));
    last = now;
    at = u32(at + 1);
    if (at == 64) {
      generator.mix(wordBytes, 0);
      at = 0;
    }
  }
}

/** 1 if the generator was seeded from hardware, 0 if from jitter alone. */
export function randomStrength(): u32 {
  return hardware != 0 ? 1 : 0;
}

/** Fills out with random bytes; a fresh hardware value is mixed in first when there is a generator. */
export function randomFill(out: u8[]): void {
  if (hardware != 0 && hardwareRandom64(words, 0)) {
    packWords(1);
    generator.mix(slice(wordBytes, 0, 8), 0);
  } else {
    words[0] = monotonicNanos();
    packWords(1);
    generator.mix(slice(wordBytes, 0, 8), 0);
  }
  generator.generate(out, out.length);
}

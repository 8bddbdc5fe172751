/**
 * The fuzzers' random numbers: SplitMix64, seeded with the run's seed mixed
 * with the task's index, so a run is repeated by giving the same seed (what a
 * task does next also depends on what the others did: the tasks interleave
 * differently on every boot, so a repetition is close, not exact).
 */
import { u32, u64, bool } from "kts";

export class Rng {
  state: u64 = 0n;

  seed(s: u64): void {
    this.state = s;
  }

  next(): u64 {
    this.state = u64(this.state + 0x9e37_79b9_7f4a_7c15n);
    let z: u64 = this.state;
    z = u64((z ^ (z >> 30n)) * 0xbf58_476d_1ce4_e5b9n);
    z = u64((z ^ (z >> 27n)) * 0x94d0_49bb_1331_11ebn);
    return z ^ (z >> 31n);
  }

  /** Uniform in [0, n) (n > 0; the bias of a 64-bit modulo is negligible here). */
  below(n: u32): u32 {
    return u32(this.next() % u64(n));
  }

  /** Uniform in [0, n) for a 64-bit n > 0. */
  below64(n: u64): u64 {
    return u64(this.next() % n);
  }

  /** True with probability 1 / n. */
  oneIn(n: u32): bool {
    return this.below(n) == 0;
  }
}

/** The seed of fuzzing task `index` in the run seeded `run` (a SplitMix64 step of both: neighbours differ everywhere). */
export function taskSeed(run: u64, index: u32): u64 {
  const r = new Rng();
  r.seed(u64(run ^ u64(u64(index + 1) * 0xd1b5_4a32_d192_ed03n)));
  return r.next();
}

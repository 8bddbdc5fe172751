/**
 * The system-call fuzzer's protocol and the fuzz tier's layout (images/fuzz.json):
 * service indices, the capability order of each of its services, and the
 * labels the controller (sysfuzz) and the fuzzing tasks (sysfuzz-a/b/c)
 * exchange. The fuzzers' random messages never use these labels; the
 * controller trusts them only from the tasks it started (by task id).
 */
import { u32, u64, arrayOf } from "kts";

/** Fuzzing tasks per run: sysfuzz-a, sysfuzz-b, sysfuzz-c. */
export const FUZZERS = 3;

/** Service indices in images/fuzz.json. */
export const SERVICE_SYSFUZZ: u32 = 3;
/** sysfuzz-a; b and c follow. */
export const SERVICE_FIRST_FUZZER: u32 = 4;
/** sysfuzz-v, the victim the fuzzers start and kill. */
export const SERVICE_VICTIM: u32 = 7;

/**
 * The fuzzers' capabilities, in manifest order. [0] own endpoint (send + receive,
 * no grant: only it ever receives there), [1] the controller's endpoint (send),
 * [2] system (send + receive), [3..5] the three fuzzers' endpoints (send + grant;
 * its own among them), [6] log (send), [7] memory 4 pages (map, write, grant),
 * [8] memory 1 page (map, grant: read-only), [9] the PCI interrupt lines
 * (receive + grant), [10] random, [11] audit, [12] the victims' endpoint (send +
 * grant; nobody receives there), [13] the PCI configuration space (map + grant).
 */
export const CAP_OWN = 0n;
export const CAP_CONTROL = 1n;
export const CAP_SYSTEM = 2n;
export const CAP_PEER_FIRST = 3n;
export const CAP_LOG = 6n;
export const CAP_MEMORY = 7n;
export const CAP_MEMORY_RO = 8n;
export const CAP_IRQ = 9n;
export const CAP_RANDOM = 10n;
export const CAP_AUDIT = 11n;
export const CAP_VICTIMS = 12n;
export const CAP_ECAM = 13n;
/** Pages of [7] and [8]. */
export const MEMORY_PAGES: u64 = 4n;
export const MEMORY_RO_PAGES: u64 = 1n;

/** Fuzzer -> controller (call): word 0 = its index. Answer: word 0 = 0 and the run (RUN_*), or -Invalid: no run for it (it exits). */
export const LABEL_HELLO = 0x465a4849; // "FZHI"
/** Fuzzer -> controller (call) when its calls are made: word 0 = index, word 1 = calls made. Answer word 0 = 0. */
export const LABEL_FINISHED = 0x465a464e; // "FZFN"
/** FINISHED's word 2: this xor the run's seed (a random message cannot pass for it). */
export const FINISHED_MAGIC: u64 = 0x5ca1_ab1e_f1e1_d000n;
/** Controller -> fuzzer (send), once every fuzzer has finished: nobody calls anybody any more, so it may exit. */
export const LABEL_EXIT = 0x465a4558; // "FZEX"

/** The answer to HELLO: payload words. */
export const RUN_SEED = 1;
export const RUN_CALLS = 2;
/** Words RUN_TASKS .. RUN_TASKS + FUZZERS - 1: the fuzzers' task ids, by index. */
export const RUN_TASKS = 3;
export const RUN_WORDS = 3 + FUZZERS;

/** "sysfuzz-a", "sysfuzz-b", "sysfuzz-c", "sysfuzz-v": the prefix and the letters. */
export const NAME_PREFIX: readonly u32[] = arrayOf([0x73, 0x79, 0x73, 0x66, 0x75, 0x7a, 0x7a, 0x2d]);
export const NAME_LETTERS: readonly u32[] = arrayOf([0x61, 0x62, 0x63, 0x76]);

/**
 * `npm run fuzz:compiler -- [--seconds N] [--seed S]`: mutates the seed
 * programs for N seconds (default 60) and reports every crash, internal error
 * and accepted-but-not-compiling input, keeping each in a folder it names.
 * Exit status 1 if anything was found.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Rng } from "../differential/generator.js";
import { mutate, seeds, tryInput } from "./mutate.js";

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const seconds = arg("--seconds", 60);
const rng = new Rng(arg("--seed", Date.now() % 1_000_000));
const dir = mkdtempSync(path.join(tmpdir(), "kts-fuzz-"));
const inputs = seeds();
const deadline = Date.now() + seconds * 1000;
let runs = 0;
let found = 0;
while (Date.now() < deadline) {
  const source = mutate(rng, rng.pick(inputs));
  const f = tryInput(dir, `in${runs}`, source);
  runs++;
  if (f) {
    found++;
    process.stdout.write(`${f.kind}: ${f.file}\n${f.detail.split("\n").slice(0, 6).join("\n")}\n\n`);
  }
}
process.stdout.write(`fuzz:compiler: ${runs} inputs in ${seconds} s, ${found} findings (inputs in ${dir})\n`);
process.exit(found > 0 ? 1 : 0);

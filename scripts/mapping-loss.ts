/**
 * `npm run mapping-loss -- [--boots N] [--arch x86_64|aarch64|both]`: the long
 * mode of test/boot/mapping-loss.test.ts. Prints a line per failing boot and the
 * totals; exits 1 if any boot failed.
 */
import { mappingLossBoot } from "../test/harness/mapping-loss.js";

const args = process.argv.slice(2);
const option = (name: string, fallback: string): string => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1]! : fallback;
};
const boots = Number(option("boots", "200"));
const which = option("arch", "both");
const arches = which === "both" ? (["x86_64", "aarch64"] as const) : ([which] as ("x86_64" | "aarch64")[]);
let failed = 0;
for (const arch of arches) {
  const started = Date.now();
  let bad = 0;
  for (let boot = 1; boot <= boots; boot++) {
    const v = await mappingLossBoot(arch, boot);
    if (!v.ok) {
      bad++;
      console.log(`${arch} boot ${boot}: ${v.why}`);
    }
    if (boot % 20 === 0) console.log(`${arch}: ${boot} boots so far, ${bad} failed`);
  }
  console.log(`${arch}: ${boots} boots, ${bad} failed (${((Date.now() - started) / 1000).toFixed(0)} s)`);
  failed += bad;
}
process.exit(failed === 0 ? 0 : 1);

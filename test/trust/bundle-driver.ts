// Host driver for the kernel's v2 boot-bundle reader: reads requests
// (u32 LE flags, u32 LE length, the bundle, the 32-byte key) from stdin until EOF.
// Prints one line per bundle with the header verdict and every accessor's answer
// for services 0 .. count+1 and capabilities 0 .. 16 (past the ends on purpose:
// they must answer 0, not panic). Flag 1: also verify each valid service's module.
import { u8, u32, print, array, slice } from "kts";
import { StdinReader } from "../harness/stdin-reader";
import {
  bundleVersion, bundleCheckV2, bundleServiceCheck, bundleTierOffset, bundleTierLength, bundleEndpointCount,
  bundleEndpointNameOffset, bundleEndpointNameLength, bundleServiceCount, bundleServiceNameOffset, bundleServiceNameLength,
  bundleServiceRestart, bundleServiceCapCount, bundleServiceCapKind, bundleServiceCapRights, bundleServiceCapArg,
  bundleServiceModuleOffset, bundleServiceModuleSize, bundleRuleCount, bundleRuleEndpoint, bundleRuleLabel, bundleRuleKind, BundleError,
} from "../../src/kernel/loader/bundle";
import { verifySignedModule } from "../../src/kernel/loader/signed-module";

const BUNDLE: u8[] = array(2097152, 0);
const KEY: u8[] = array(32, 0);
const R = new StdinReader();

export function main(): u32 {
  let n: u32 = 0;
  while (R.fill()) {
    const flags: u32 = R.u32le();
    const len: u32 = R.u32le();
    const b: u8[] = slice(BUNDLE, 0, len);
    R.bytes(b);
    R.bytes(KEY);
    const eps: u32 = bundleEndpointCount(b);
    const svcs: u32 = bundleServiceCount(b);
    print(`bundle ${n} version ${bundleVersion(b)} check ${u32(bundleCheckV2(b))} tier ${bundleTierOffset()} ${bundleTierLength(b)} endpoints ${eps} services ${svcs}`);
    for (let e: u32 = 0; e < u32(eps + 1); e++) print(`  endpoint ${e} ${bundleEndpointNameOffset(e)} ${bundleEndpointNameLength(b, e)}`);
    let last: u32 = u32(svcs + 1);
    if (last < 3) last = 3;
    for (let i: u32 = 0; i < u32(last + 1); i++) {
      const check: BundleError = bundleServiceCheck(b, i);
      const off: u32 = bundleServiceModuleOffset(b, i);
      const size: u32 = bundleServiceModuleSize(b, i);
      let verdict: u32 = 99;
      if ((flags & 1) != 0 && check == BundleError.Ok) verdict = u32(verifySignedModule(slice(b, off, u32(off + size)), KEY));
      print(`  service ${i} check ${u32(check)} name ${bundleServiceNameOffset(b, i)} ${bundleServiceNameLength(b, i)} restart ${u32(bundleServiceRestart(b, i))} module ${off} ${size} verdict ${verdict} caps ${bundleServiceCapCount(b, i)}`);
      for (let c: u32 = 0; c < 17; c++) {
        const kind: u32 = bundleServiceCapKind(b, i, c);
        if (kind != 0) print(`    cap ${c} kind ${kind} rights ${bundleServiceCapRights(b, i, c)} arg ${bundleServiceCapArg(b, i, c)}`);
      }
    }
    const rules: u32 = bundleRuleCount(b);
    for (let r: u32 = 0; r < u32(rules + 1); r++) print(`  rule ${r} endpoint ${bundleRuleEndpoint(b, r)} label ${bundleRuleLabel(b, r)} kind ${bundleRuleKind(b, r)}`);
    n = u32(n + 1);
  }
  return 0;
}

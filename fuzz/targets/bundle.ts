// libFuzzer target: the boot-bundle reader (src/kernel/loader/bundle.ts).
// Input: the 32-byte bootstrap key, then the bundle. Read as the kernel reads
// it: a version-2 bundle as task/services.ts does at boot (header and tables,
// endpoint names, inspection rules indexing the endpoint table, each service's
// record, name, restart policy and capabilities, its module sliced out,
// verified against the key and, if signed, given to the ELF gate), and a
// version-1 bundle as the kernel's test images do (kernel/tests/user-main.ts).
// Every accessor is also asked past the ends (services, capabilities, rules,
// endpoints): the reader promises 0 there, never a panic. Arrays sized like the
// kernel's (MAX_ENDPOINTS endpoints) are indexed with what the reader returns,
// so an index it lets through out of range is a bounds panic here as it would
// be in the kernel.
import { u8, u32, u64, array, slice, panic } from "kts";
import {
  bundleVersion, bundleCheck, bundleCount, bundleEntryOk, bundleEntryOffset, bundleEntrySize, bundleNameOffset, bundleNameLength,
  bundleCheckV2, bundleServiceCheck, bundleTierOffset, bundleTierLength, bundleEndpointCount, bundleEndpointNameOffset,
  bundleEndpointNameLength, bundleServiceCount, bundleServiceNameOffset, bundleServiceNameLength, bundleServiceRestart,
  bundleServiceCapCount, bundleServiceCapKind, bundleServiceCapRights, bundleServiceCapArg, bundleServiceModuleOffset,
  bundleServiceModuleSize, bundleRuleCount, bundleRuleEndpoint, bundleRuleLabel, bundleRuleKind, BundleError,
  MAX_SERVICES, MAX_ENDPOINTS, MAX_SERVICE_CAPS, MAX_RULES, BUNDLE_CAP_ENDPOINT,
} from "../../src/kernel/loader/bundle";
import { verifySignedModule, signedPayloadOffset, signedPayloadSize, ModuleVerdict } from "../../src/kernel/loader/signed-module";
import { checkElf, ElfImage, EM_X86_64 } from "../../src/kernel/loader/elf";

const endpoints: u32[] = array(MAX_ENDPOINTS, 0);
const img = new ElfImage();
let sink: u32 = 0;

function use(v: u32): void {
  sink = u32(sink ^ v);
}

/** Bytes [at, at + n) of b, read through the bounds-checked array (a name the kernel prints or copies). */
function readRange(b: u8[], at: u32, n: u32): void {
  if (n == 0) return;
  const s = slice(b, at, u32(at + n));
  for (let i: u32 = 0; i < n; i++) use(u32(s[i]));
}

function version1(b: u8[]): void {
  const e: BundleError = bundleCheck(b);
  const n: u32 = bundleCount(b);
  if (e != BundleError.Ok) {
    if (n != 0) panic(`bad v1 bundle (error ${u32(e)}) with ${n} entries`);
    return;
  }
  if (n > 64) panic(`v1 bundle with ${n} entries`);
  for (let i: u32 = 0; i < n; i++) {
    readRange(b, bundleNameOffset(i), bundleNameLength(b, i));
    if (!bundleEntryOk(b, i)) continue;
    const off: u32 = bundleEntryOffset(b, i);
    const size: u32 = bundleEntrySize(b, i);
    const image = slice(b, off, u32(off + size));
    use(u32(checkElf(image, EM_X86_64, 0x100_0000n, img)));
  }
}

function service(b: u8[], i: u32, key: u8[], services: u32, eps: u32): void {
  const e: BundleError = bundleServiceCheck(b, i);
  const at: u32 = bundleServiceNameOffset(b, i);
  const n: u32 = bundleServiceNameLength(b, i);
  readRange(b, at, n);
  use(u32(bundleServiceRestart(b, i)));
  const caps: u32 = bundleServiceCapCount(b, i);
  const off: u32 = bundleServiceModuleOffset(b, i);
  const size: u32 = bundleServiceModuleSize(b, i);
  if (e != BundleError.Ok || i >= services) {
    if (e == BundleError.Ok) panic(`service ${i} of ${services} checks Ok`);
    if (at != 0 || n != 0 || caps != 0 || off != 0 || size != 0) panic(`refused service ${i} answers ${at} ${n} ${caps} ${off} ${size}`);
  }
  if (caps > MAX_SERVICE_CAPS) panic(`service ${i}: ${caps} capabilities`);
  for (let c: u32 = 0; c < u32(MAX_SERVICE_CAPS + 1); c++) {
    const kind: u32 = bundleServiceCapKind(b, i, c);
    const rights: u32 = bundleServiceCapRights(b, i, c);
    const arg: u32 = bundleServiceCapArg(b, i, c);
    if (c >= caps && (kind != 0 || rights != 0 || arg != 0)) panic(`service ${i} capability ${c} past ${caps}: ${kind} ${rights} ${arg}`);
    // As services.ts grant(): an endpoint capability indexes the kernel's endpoint table.
    if (kind == BUNDLE_CAP_ENDPOINT) {
      if (arg >= eps) panic(`service ${i} capability ${c}: endpoint ${arg} of ${eps}`);
      use(endpoints[arg]);
    }
  }
  if (e != BundleError.Ok) return;
  const module = slice(b, off, u32(off + size));
  const v: ModuleVerdict = verifySignedModule(module, key);
  use(u32(v));
  if (v != ModuleVerdict.Ok) return;
  const p: u32 = signedPayloadOffset();
  use(u32(checkElf(slice(module, p, u32(p + signedPayloadSize(module))), EM_X86_64, 0x100_0000n, img)));
}

function version2(b: u8[], key: u8[]): void {
  const e: BundleError = bundleCheckV2(b);
  const eps: u32 = bundleEndpointCount(b);
  const services: u32 = bundleServiceCount(b);
  const rules: u32 = bundleRuleCount(b);
  readRange(b, bundleTierOffset(), bundleTierLength(b));
  if (e != BundleError.Ok && (eps != 0 || services != 0 || rules != 0 || bundleTierLength(b) != 0)) panic(`bad v2 bundle (error ${u32(e)}) with tables`);
  if (eps > MAX_ENDPOINTS || services > MAX_SERVICES || rules > MAX_RULES) panic(`v2 tables ${eps} ${services} ${rules}`);
  if (e == BundleError.Ok && services == 0) panic("v2 bundle without services");
  for (let i: u32 = 0; i < MAX_ENDPOINTS; i++) endpoints[i] = u32(100 + i);
  for (let i: u32 = 0; i < u32(eps + 1); i++) {
    const n: u32 = bundleEndpointNameLength(b, i);
    if (i == eps && n != 0) panic(`endpoint ${i} of ${eps} has a name`);
    if (n >= 32) panic(`endpoint ${i}: a ${n}-byte name`);
    readRange(b, bundleEndpointNameOffset(i), n);
  }
  for (let r: u32 = 0; r < u32(rules + 1); r++) {
    const ep: u32 = bundleRuleEndpoint(b, r);
    use(u32(bundleRuleLabel(b, r) + bundleRuleKind(b, r)));
    // As bootServices: the rule's endpoint indexes the endpoint table.
    if (r < rules) {
      if (ep >= eps) panic(`rule ${r}: endpoint ${ep} of ${eps}`);
      use(endpoints[ep]);
    }
  }
  let last: u32 = u32(services + 1);
  if (last < 3) last = 3;
  for (let i: u32 = 0; i < u32(last + 1); i++) service(b, i, key, services, eps);
}

export function fuzzOne(input: u8[]): u32 {
  if (input.length < 32) return 0;
  const key = slice(input, 0, 32);
  const b = slice(input, 32, input.length);
  const v: u32 = bundleVersion(b);
  if (v == 1) version1(b);
  else version2(b, key);
  return sink;
}

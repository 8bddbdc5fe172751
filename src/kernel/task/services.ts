"use unsafe";
/**
 * Boot services, from a version-2 boot bundle (compiler/build/bundle.ts): every
 * service's signed module is checked once, before anything runs — signature by
 * the bootstrap key (BLAKE3 + Ed25519), then the ELF gate — and a refused one
 * is logged `module <name> refused: <reason>`, audited, and never started,
 * while the rest boot. The manifest's named endpoints are created here, owned
 * by the kernel, so they outlive the services that use them (a restarted log
 * service receives on the same endpoint its clients hold), and those the
 * manifest designates get the interceptor's content inspection (ipc/label-policy.ts).
 *
 * startService(i) makes service i a task holding exactly the manifest's
 * capabilities, in manifest order. The kernel starts service 0 (init); init
 * starts the others with serviceStart and restarts them when they die.
 */
import { u8, u32, u64, usize, bool, array, slice, text, log, LOG_ERROR, LOG_INFO, LOG_WARN } from "kts";
import { bytesAt, addressOf, atomicStore32 } from "kts/unsafe";
import { physToVirt, monotonicNanos, ELF_MACHINE, CONSOLE_IRQ } from "arch";
import {
  bundleVersion, bundleCheckV2, bundleServiceCheck, bundleServiceCount, bundleEndpointCount,
  bundleServiceNameOffset, bundleServiceNameLength, bundleServiceCapCount, bundleServiceCapKind,
  bundleServiceCapRights, bundleServiceCapArg, bundleServiceModuleOffset, bundleServiceModuleSize,
  bundleServiceRestart, bundleRuleCount, bundleRuleEndpoint, bundleRuleLabel, bundleRuleKind, RULE_TEXT,
  RestartPolicy, BundleError, MAX_SERVICES, MAX_ENDPOINTS, MAX_SERVICE_CAPS, BUNDLE_CAP_ENDPOINT, BUNDLE_CAP_MEMORY, BUNDLE_CAP_IRQ, BUNDLE_CAP_AUDIT,
  BUNDLE_CAP_CONSOLE, BUNDLE_CAP_MMIO, BUNDLE_CAP_DEVICE, BUNDLE_CAP_RANDOM, BUNDLE_CAP_CLOCK, BUNDLE_IRQ_PCI, BUNDLE_MMIO_PCI_ECAM,
} from "../loader/bundle";
import { verifySignedModule, signedPayloadOffset, signedPayloadSize, ModuleVerdict } from "../loader/signed-module";
import { bootstrapKey, BOOTSTRAP_KEY_BYTES } from "../loader/bootstrap-key";
import { checkElf, ElfError, ElfImage } from "../loader/elf";
import { capInsertRoot, CapKind, CapView, CapError, RIGHT_DMA } from "../cap/index";
import { pciHost } from "../boot/pci-host";
import { ipc, AuditKind, IpcResult, NO_ENDPOINT } from "../ipc/index";
import { labelPolicyAdd, labelPolicyInspect } from "../ipc/label-policy";
import { NO_TASK } from "../sched/index";
import { resources, TASK_NAME_BYTES } from "./table";
import { schedLock, schedUnlock } from "./lock";
import { spawnElf, startTask, ElfResult, IMAGE_BUDGET } from "./lifecycle";
import { regionCreate, regionCreatePinned } from "./user-memory";
import { lockAnswering } from "./crosscall";

/** Why a service cannot run: Ok, or a bundle-record, signature or ELF-gate refusal. */
export enum Refusal {
  Ok = 0,
  BadRecord = 1,
  Signature = 2,
  Elf = 3,
}

/** The priority band services run in. */
const SERVICE_BAND: u32 = 2;

let bundleBase: usize = 0n;
let bundleSize: u32 = 0;
let serviceCount: u32 = 0;
const refusal: Refusal[] = array(MAX_SERVICES, Refusal.Ok);
/** Refusal detail: the BundleError, ModuleVerdict or ElfError. */
const refusalCode: u32[] = array(MAX_SERVICES, 0);
const endpoints: u32[] = array(MAX_ENDPOINTS, NO_ENDPOINT);
const key: u8[] = array(BOOTSTRAP_KEY_BYTES, 0);
const zeroPrincipal: u8[] = array(32, 0);
/** DMA memory belongs to the service, not to one run of it: created at its first start, kept (pinned) across restarts. */
const dmaRegion: u64[] = array(MAX_SERVICES * MAX_SERVICE_CAPS, 0n);
const elf = new ElfImage();
const why = new ElfResult();
const view = new CapView();

/**
 * Checks every service of the bundle at [base, base + size) and starts init.
 * kernelTask (the boot CPU's kernel context) owns the manifest's endpoints.
 * Returns false if the bundle is not a usable version-2 bundle.
 */
export function bootServices(base: u64, size: u64, kernelTask: u32): bool {
  if (size == 0n || size > 0xffff_ffffn) {
    log(LOG_ERROR, `no boot bundle: no services to start`);
    return false;
  }
  bundleBase = base;
  bundleSize = u32(size);
  // SAFETY: the initrd's pages are in the direct map and never reused (the frame allocator skips them).
  const b: u8[] = bytesAt(physToVirt(bundleBase), bundleSize);
  const e: BundleError = bundleVersion(b) == 2 ? bundleCheckV2(b) : BundleError.BadVersion;
  if (e != BundleError.Ok) {
    log(LOG_ERROR, `boot bundle refused: bundle error ${u32(e)}`);
    return false;
  }
  const now: u64 = monotonicNanos();
  schedLock();
  ipc.taskCreate(kernelTask, zeroPrincipal, now);
  for (let i: u32 = 0; i < bundleEndpointCount(b); i++) endpoints[i] = ipc.endpointCreate(kernelTask, now);
  // Endpoints the manifest designates for inspection: only the listed labels (and text where asked) get through.
  for (let r: u32 = 0; r < bundleRuleCount(b); r++) {
    const ep: u32 = endpoints[bundleRuleEndpoint(b, r)];
    labelPolicyAdd(ep, bundleRuleLabel(b, r), bundleRuleKind(b, r) == RULE_TEXT);
    ipc.setInspector(ep, labelPolicyInspect);
  }
  schedUnlock();
  bootstrapKey(key);
  serviceCount = bundleServiceCount(b);
  let accepted: u32 = 0;
  for (let i: u32 = 0; i < serviceCount; i++) {
    checkService(b, i);
    if (refusal[i] == Refusal.Ok) accepted = u32(accepted + 1);
    else refused(b, i, kernelTask);
  }
  log(LOG_INFO, `boot bundle: ${accepted} of ${serviceCount} modules verified`);
  if (refusal[0] != Refusal.Ok) {
    log(LOG_ERROR, `init was refused: no services run`);
    return true;
  }
  const t: u32 = startService(0);
  if (t >= 0xffff_0000) log(LOG_ERROR, `init could not start`);
  return true;
}

function checkService(b: u8[], i: u32): void {
  const e: BundleError = bundleServiceCheck(b, i);
  if (e != BundleError.Ok) {
    refusal[i] = Refusal.BadRecord;
    refusalCode[i] = u32(e);
    return;
  }
  const off: u32 = bundleServiceModuleOffset(b, i);
  const module = slice(b, off, u32(off + bundleServiceModuleSize(b, i)));
  const v: ModuleVerdict = verifySignedModule(module, key);
  if (v != ModuleVerdict.Ok) {
    refusal[i] = Refusal.Signature;
    refusalCode[i] = u32(v);
    return;
  }
  const p: u32 = signedPayloadOffset();
  const ee: ElfError = checkElf(slice(module, p, u32(p + signedPayloadSize(module))), ELF_MACHINE, IMAGE_BUDGET, elf);
  if (ee != ElfError.Ok) {
    refusal[i] = Refusal.Elf;
    refusalCode[i] = u32(ee);
  }
}

/** Logs and audits why service i will not run (audit: object = service index, detail = reason code). */
function refused(b: u8[], i: u32, kernelTask: u32): void {
  const at: u32 = bundleServiceNameOffset(b, i);
  const n: u32 = bundleServiceNameLength(b, i);
  const name = slice(b, at, u32(at + n));
  const code: u32 = refusalCode[i];
  if (refusal[i] == Refusal.BadRecord) log(LOG_WARN, `module ${text(name, n)} refused: bad bundle record (error ${code})`);
  else if (refusal[i] == Refusal.Signature) {
    if (code == u32(ModuleVerdict.Truncated)) log(LOG_WARN, `module ${text(name, n)} refused: truncated module`);
    else if (code == u32(ModuleVerdict.BadMagic)) log(LOG_WARN, `module ${text(name, n)} refused: not a signed module`);
    else if (code == u32(ModuleVerdict.BadVersion)) log(LOG_WARN, `module ${text(name, n)} refused: unsupported signed-module version`);
    else if (code == u32(ModuleVerdict.WrongKey)) log(LOG_WARN, `module ${text(name, n)} refused: signer is not the bootstrap key`);
    else log(LOG_WARN, `module ${text(name, n)} refused: bad signature`);
  } else logElfRefusal(name, n, code);
  schedLock();
  ipc.audit(AuditKind.ModuleRefused, kernelTask, i, u32(u32(refusal[i]) * 256 + code), IpcResult.Denied, monotonicNanos());
  schedUnlock();
}

function logElfRefusal(name: u8[], n: u32, code: u32): void {
  switch (code) {
    case ElfError.TooSmall:
      log(LOG_WARN, `module ${text(name, n)} refused: truncated ELF`);
      break;
    case ElfError.BadMagic:
    case ElfError.NotElf64:
    case ElfError.NotExecutable:
      log(LOG_WARN, `module ${text(name, n)} refused: not a 64-bit ELF executable`);
      break;
    case ElfError.WrongMachine:
      log(LOG_WARN, `module ${text(name, n)} refused: built for another machine`);
      break;
    case ElfError.SegmentOutsideFile:
      log(LOG_WARN, `module ${text(name, n)} refused: truncated ELF (a segment lies outside the file)`);
      break;
    case ElfError.SegmentInKernelHalf:
      log(LOG_WARN, `module ${text(name, n)} refused: a segment in the kernel half`);
      break;
    case ElfError.WriteExec:
      log(LOG_WARN, `module ${text(name, n)} refused: a writable and executable segment (W^X)`);
      break;
    case ElfError.Overlap:
      log(LOG_WARN, `module ${text(name, n)} refused: overlapping segments`);
      break;
    case ElfError.OverBudget:
      log(LOG_WARN, `module ${text(name, n)} refused: over the memory budget`);
      break;
    case ElfError.EntryInKernelHalf:
      log(LOG_WARN, `module ${text(name, n)} refused: entry point in the kernel half`);
      break;
    case ElfError.EntryNotExecutable:
      log(LOG_WARN, `module ${text(name, n)} refused: entry point outside its executable code`);
      break;
    default:
      log(LOG_WARN, `module ${text(name, n)} refused: malformed ELF (error ${code})`);
      break;
  }
}

/** Service count of the boot bundle (0 without one). */
export function servicesKnown(): u32 {
  return serviceCount;
}

/** Whether the manifest asks for service i to be restarted when it ends. */
export function serviceRestarts(i: u32): bool {
  if (i >= serviceCount) return false;
  // SAFETY: as in bootServices.
  const b: u8[] = bytesAt(physToVirt(bundleBase), bundleSize);
  return bundleServiceRestart(b, i) == RestartPolicy.Always;
}

export function serviceRefused(i: u32): bool {
  return i < serviceCount && refusal[i] != Refusal.Ok;
}

/** Taken by startService: its scratch (and spawnElf's) serve one start at a time. */
const starting: u32[] = array(1, 0);

/** Starts service i (verified at boot) with its manifest capabilities; its task, or NO_TASK. */
export function startService(i: u32): u32 {
  if (i >= serviceCount || refusal[i] != Refusal.Ok) return NO_TASK;
  // Two CPUs may start services at once (init's and the shell's requests).
  lockAnswering(addressOf(starting), 1);
  const t: u32 = startLocked(i);
  atomicStore32(addressOf(starting), 0);
  return t;
}

function startLocked(i: u32): u32 {
  // SAFETY: as in bootServices.
  const b: u8[] = bytesAt(physToVirt(bundleBase), bundleSize);
  const off: u32 = bundleServiceModuleOffset(b, i);
  const module = slice(b, off, u32(off + bundleServiceModuleSize(b, i)));
  const p: u32 = signedPayloadOffset();
  const t: u32 = spawnElf(slice(module, p, u32(p + signedPayloadSize(module))), SERVICE_BAND, why);
  if (t == NO_TASK) {
    log(LOG_WARN, `service ${i} could not start: ELF error ${u32(why.error)}`);
    return NO_TASK;
  }
  const r = resources[t];
  r.service = i;
  const at: u32 = bundleServiceNameOffset(b, i);
  const n: u32 = bundleServiceNameLength(b, i);
  for (let k: u32 = 0; k < TASK_NAME_BYTES; k++) r.name[k] = k < n ? b[u32(at + k)] : 0;
  schedLock();
  let ok: bool = true;
  for (let c: u32 = 0; c < bundleServiceCapCount(b, i); c++) {
    if (grant(b, i, c, t) != CapError.Ok) ok = false;
  }
  schedUnlock();
  if (!ok) log(LOG_WARN, `service ${i}: a manifest capability could not be granted`);
  startTask(t);
  log(LOG_INFO, `service ${text(slice(b, at, u32(at + n)), n)} started as task ${t}`);
  return t;
}

/** Under the lock: service i's capability c, for task t. */
function grant(b: u8[], i: u32, c: u32, t: u32): CapError {
  const kind: u32 = bundleServiceCapKind(b, i, c);
  const rights: u32 = bundleServiceCapRights(b, i, c);
  const arg: u32 = bundleServiceCapArg(b, i, c);
  if (kind == BUNDLE_CAP_ENDPOINT) return capInsertRoot(t, CapKind.Endpoint, rights, u64(endpoints[arg]), 0n, 0, 0n, view);
  if (kind == BUNDLE_CAP_MEMORY) return (rights & RIGHT_DMA) != 0 ? grantDma(i, c, t, arg, rights) : regionCreate(t, arg, rights, view);
  if (kind == BUNDLE_CAP_IRQ) {
    if (arg == BUNDLE_IRQ_PCI) return capInsertRoot(t, CapKind.Irq, rights, u64(pciHost.irqFirst), u64(pciHost.irqCount), 0, 0n, view);
    return capInsertRoot(t, CapKind.Irq, rights, u64(CONSOLE_IRQ), 1n, 0, 0n, view);
  }
  if (kind == BUNDLE_CAP_MMIO) {
    // A platform without the window gets no capability (BadRange; the kernel logs the grant that failed).
    if (arg == BUNDLE_MMIO_PCI_ECAM) return capInsertRoot(t, CapKind.DeviceMmio, rights, pciHost.ecamBase, pciHost.ecamSize, 0, 0n, view);
    return capInsertRoot(t, CapKind.DeviceMmio, rights, pciHost.memBase, pciHost.memSize, 0, 0n, view);
  }
  if (kind == BUNDLE_CAP_DEVICE) return capInsertRoot(t, CapKind.Device, 0, u64(arg), 0n, 0, 0n, view);
  if (kind == BUNDLE_CAP_AUDIT) return capInsertRoot(t, CapKind.Audit, rights, 0n, 0n, 0, 0n, view);
  if (kind == BUNDLE_CAP_CONSOLE) return capInsertRoot(t, CapKind.Console, rights, 0n, 0n, 0, 0n, view);
  if (kind == BUNDLE_CAP_RANDOM) return capInsertRoot(t, CapKind.Random, rights, 0n, 0n, 0, 0n, view);
  if (kind == BUNDLE_CAP_CLOCK) return capInsertRoot(t, CapKind.Clock, rights, 0n, 0n, 0, 0n, view);
  return capInsertRoot(t, CapKind.System, rights, 0n, 0n, 0, 0n, view);
}

/** Under the lock: service i's DMA region c (created on its first start), for task t. */
function grantDma(i: u32, c: u32, t: u32, pages: u32, rights: u32): CapError {
  const k: u32 = u32(i * MAX_SERVICE_CAPS + c);
  if (dmaRegion[k] == 0n) dmaRegion[k] = regionCreatePinned(pages);
  if (dmaRegion[k] == 0n) return CapError.PoolFull;
  return capInsertRoot(t, CapKind.MemoryRegion, rights, dmaRegion[k], u64(u64(pages) * 4096n), 0, 0n, view);
}

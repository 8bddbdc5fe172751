"use unsafe";
/**
 * GICv3 interrupt controller: the distributor (shared, set up once by the boot
 * CPU), one redistributor per CPU (found by matching GICR_TYPER's affinity with
 * MPIDR_EL1), and the CPU interface through the ICC_* system registers. Every
 * interrupt is non-secure group 1, priority 0xa0, and is taken as an
 * IRQ at EL1. QEMU virt places the distributor at 0x0800_0000 and the
 * redistributors at 0x080A_0000; the device tree's "arm,gic-v3" node overrides
 * both (gicSetBases).
 */
import { u32, u64, usize, bool, panic, hex, array } from "kts";
import { mmioRead32, mmioWrite32, mmioRead64, mmioWrite64, readSysreg, writeSysreg, isb, cpuRelax } from "kts/unsafe";
import { MAX_CPUS } from "../../kernel/boot/bootinfo";
import { physToVirt } from "./memory";

const GICD_QEMU_VIRT: usize = 0x0800_0000n;
const GICR_QEMU_VIRT: usize = 0x080a_0000n;

// Distributor registers.
const GICD_CTLR: usize = 0x0000n;
const GICD_TYPER: usize = 0x0004n;
const GICD_IGROUPR: usize = 0x0080n;
const GICD_ISENABLER: usize = 0x0100n;
const GICD_ICENABLER: usize = 0x0180n;
const GICD_IROUTER: usize = 0x6000n;
const GICD_ICPENDR: usize = 0x0280n;
const GICD_IPRIORITYR: usize = 0x0400n;
const GICD_IGRPMODR: usize = 0x0d00n;
const GICD_CTLR_RWP: u32 = 0x8000_0000;
/** ARE (affinity routing) | EnableGrp1 (NS view: Grp1A) | EnableGrp0 (single security state view: Grp1). */
const GICD_CTLR_ARE: u32 = 0x10;
const GICD_CTLR_ENABLE: u32 = 0x13;

// Redistributor: RD_base frame, then SGI_base frame 64 KiB above it.
const GICR_CTLR: usize = 0x0000n;
const GICR_TYPER: usize = 0x0008n;
const GICR_WAKER: usize = 0x0014n;
const GICR_SGI: usize = 0x1_0000n;
const GICR_IGROUPR0: usize = 0x0080n;
const GICR_ISENABLER0: usize = 0x0100n;
const GICR_ICENABLER0: usize = 0x0180n;
const GICR_ICPENDR0: usize = 0x0280n;
const GICR_IPRIORITYR: usize = 0x0400n;
const GICR_IGRPMODR0: usize = 0x0d00n;
const GICR_CTLR_RWP: u32 = 0x8;
const GICR_WAKER_PROCESSOR_SLEEP: u32 = 0x2;
const GICR_WAKER_CHILDREN_ASLEEP: u32 = 0x4;
const GICR_TYPER_VLPIS: u64 = 0x2n;
const GICR_TYPER_LAST: u64 = 0x10n;
const GICR_MAX_FRAMES: u32 = 512;

/** The one priority every interrupt gets (0xa0, below the open mask 0xff), in all four bytes of an IPRIORITYR word. */
const PRIORITY_WORD: u32 = 0xa0a0_a0a0;
/** Spin limit for register write-pending and wake-up waits. */
const SPIN_LIMIT: u32 = 10_000_000;

/** INTIDs 1020..1023 are special (1023: spurious, nothing pending). */
export const INTID_SPURIOUS_FIRST: u32 = 1020;

let gicdPhys: usize = GICD_QEMU_VIRT;
let gicrPhys: usize = GICR_QEMU_VIRT;
let gicd: usize = 0n;
/** Each CPU's redistributor RD_base (virtual), by CPU index. */
const rdBase: u64[] = array(MAX_CPUS, 0n);

/** Overrides the QEMU virt addresses (from the device tree). Before gicDistInit. */
export function gicSetBases(distributor: usize, redistributors: usize): void {
  gicdPhys = distributor;
  gicrPhys = redistributors;
}

export function gicDistributorPhys(): usize {
  return gicdPhys;
}

export function gicRedistributorPhys(): usize {
  return gicrPhys;
}

function waitDistributor(): void {
  for (let i: u32 = 0; i < SPIN_LIMIT; i++) {
    if ((mmioRead32(usize(gicd + GICD_CTLR)) & GICD_CTLR_RWP) == 0) return;
    cpuRelax();
  }
  panic(`GICv3 distributor at ${hex(gicdPhys)}: register write never completed`);
}

function waitRedistributor(rd: usize): void {
  for (let i: u32 = 0; i < SPIN_LIMIT; i++) {
    if ((mmioRead32(usize(rd + GICR_CTLR)) & GICR_CTLR_RWP) == 0) return;
    cpuRelax();
  }
  panic(`GICv3 redistributor at ${hex(rd)}: register write never completed`);
}

/** SPIs the distributor implements (INTID 32 .. 32 + spiLines - 1). */
let spiLines: u32 = 0;

export function gicSpiCount(): u32 {
  return spiLines;
}

/** Enables SPI intid, routed to affinity 0.0.0.0 (the boot CPU). */
export function gicSpiEnable(intid: u32): void {
  // SAFETY: IROUTER<n> and ISENABLER<n/32> of an SPI the distributor implements (caller checked).
  mmioWrite64(usize(gicd + GICD_IROUTER + u64(intid) * 8n), 0n);
  mmioWrite32(usize(gicd + GICD_ISENABLER + u64(intid >>> 5) * 4n), u32(1 << (intid & 31)));
}

/** Disables SPI intid; returns once the distributor has applied it. */
export function gicSpiDisable(intid: u32): void {
  // SAFETY: ICENABLER<n/32> of an SPI the distributor implements (caller checked).
  mmioWrite32(usize(gicd + GICD_ICENABLER + u64(intid >>> 5) * 4n), u32(1 << (intid & 31)));
  waitDistributor();
}

/** Boot CPU, once: every SPI disabled, group 1, priority 0xa0; affinity routing on. */
export function gicDistInit(): void {
  gicd = physToVirt(gicdPhys);
  mmioWrite32(usize(gicd + GICD_CTLR), 0);
  waitDistributor();
  const typer: u32 = mmioRead32(usize(gicd + GICD_TYPER));
  const lines: u32 = u32(((typer & 0x1f) + 1) * 32);
  spiLines = u32(lines - 32);
  // SPIs (INTID 32..): one bit per interrupt in IGROUPR/ICENABLER/ICPENDR.
  for (let n: u32 = 1; n < u32(lines / 32); n++) {
    const off: usize = usize(u64(n) * 4n);
    mmioWrite32(usize(gicd + GICD_ICENABLER + off), 0xffff_ffff);
    mmioWrite32(usize(gicd + GICD_ICPENDR + off), 0xffff_ffff);
    mmioWrite32(usize(gicd + GICD_IGROUPR + off), 0xffff_ffff);
    mmioWrite32(usize(gicd + GICD_IGRPMODR + off), 0);
  }
  for (let n: u32 = 8; n < u32(lines / 4); n++) {
    mmioWrite32(usize(gicd + GICD_IPRIORITYR + u64(n) * 4n), PRIORITY_WORD);
  }
  waitDistributor();
  mmioWrite32(usize(gicd + GICD_CTLR), GICD_CTLR_ARE);
  waitDistributor();
  mmioWrite32(usize(gicd + GICD_CTLR), GICD_CTLR_ENABLE);
  waitDistributor();
}

/** MPIDR_EL1's affinity in GICR_TYPER's layout: Aff3.Aff2.Aff1.Aff0. */
function affinityOf(mpidr: u64): u64 {
  return u64((mpidr & 0xff_ffffn) | (((mpidr >> 32n) & 0xffn) << 24n));
}

/** The RD_base (virtual) of the redistributor whose affinity matches mpidr; 0 if none. */
function findRedistributor(mpidr: u64): usize {
  const want: u64 = affinityOf(mpidr);
  let rd: usize = physToVirt(gicrPhys);
  for (let i: u32 = 0; i < GICR_MAX_FRAMES; i++) {
    const typer: u64 = mmioRead64(usize(rd + GICR_TYPER));
    if ((typer >> 32n) == want) return rd;
    if ((typer & GICR_TYPER_LAST) != 0n) return 0n;
    // Two 64 KiB frames per redistributor (RD, SGI); four with virtual LPIs (GICv4).
    if ((typer & GICR_TYPER_VLPIS) != 0n) rd = usize(rd + 0x4_0000n);
    else rd = usize(rd + 0x2_0000n);
  }
  return 0n;
}

/**
 * This CPU (index cpu): wake its redistributor, all SGIs/PPIs disabled, group 1,
 * priority 0xa0; CPU interface on (system registers, priority mask open,
 * group 1 enabled). Interrupts stay masked in PSTATE.
 */
export function gicCpuInit(cpu: u32): void {
  const mpidr: u64 = readSysreg("MPIDR_EL1") | 0n; // "| 0n": a bare readSysreg() initializer loses its ({ }) in the C (cambi bug)
  const rd: usize = findRedistributor(mpidr);
  if (rd == 0n) panic(`GICv3: no redistributor for cpu ${cpu} (MPIDR ${hex(mpidr)}) at ${hex(gicrPhys)}`);
  rdBase[cpu] = rd;
  const waker: u32 = mmioRead32(usize(rd + GICR_WAKER));
  mmioWrite32(usize(rd + GICR_WAKER), u32(waker & ~GICR_WAKER_PROCESSOR_SLEEP));
  let awake: bool = false;
  for (let i: u32 = 0; i < SPIN_LIMIT; i++) {
    if ((mmioRead32(usize(rd + GICR_WAKER)) & GICR_WAKER_CHILDREN_ASLEEP) == 0) {
      awake = true;
      break;
    }
    cpuRelax();
  }
  if (!awake) panic(`GICv3: redistributor of cpu ${cpu} does not wake up`);
  const sgi: usize = usize(rd + GICR_SGI);
  mmioWrite32(usize(sgi + GICR_ICENABLER0), 0xffff_ffff);
  waitRedistributor(rd);
  mmioWrite32(usize(sgi + GICR_ICPENDR0), 0xffff_ffff);
  mmioWrite32(usize(sgi + GICR_IGROUPR0), 0xffff_ffff);
  mmioWrite32(usize(sgi + GICR_IGRPMODR0), 0);
  for (let n: u32 = 0; n < 8; n++) {
    mmioWrite32(usize(sgi + GICR_IPRIORITYR + u64(n) * 4n), PRIORITY_WORD);
  }
  // CPU interface: system register access (SRE | DFB | DIB), accept every
  // priority, one preemption group, EOI both drops priority and deactivates.
  writeSysreg("ICC_SRE_EL1", u64(readSysreg("ICC_SRE_EL1") | 0x7n));
  isb();
  writeSysreg("ICC_PMR_EL1", 0xffn);
  writeSysreg("ICC_BPR1_EL1", 0n);
  writeSysreg("ICC_CTLR_EL1", 0n);
  writeSysreg("ICC_IGRPEN1_EL1", 1n);
  isb();
}

/** Enables SGI/PPI intid (< 32) at this CPU's redistributor. */
export function gicEnablePrivate(cpu: u32, intid: u32): void {
  const rd: usize = rdBase[cpu];
  if (rd == 0n) panic(`GICv3: cpu ${cpu} has no redistributor set up`);
  mmioWrite32(usize(rd + GICR_SGI + GICR_ISENABLER0), u32(1 << (intid & 31)));
  waitRedistributor(rd);
}

/** Acknowledges the highest-priority pending interrupt: its INTID (>= 1020 if none). */
export function gicAcknowledge(): u32 {
  return u32(readSysreg("ICC_IAR1_EL1") & 0xff_ffffn);
}

/** Ends the interrupt gicAcknowledge returned (priority drop and deactivation). */
export function gicEndOfInterrupt(intid: u32): void {
  writeSysreg("ICC_EOIR1_EL1", u64(intid));
  isb();
}

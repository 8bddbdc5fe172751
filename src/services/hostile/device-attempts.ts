"use unsafe";
/**
 * The hostile service against the driver model: a device it has no claim on,
 * its own device's registers beyond what it was given, DMA addresses, the
 * configuration-space window. It holds a claim on the virtio-rng function (so
 * pci hands it that device's registers, as a driver gets its own) and none on
 * the disk.
 */
import { u32, u64, usize, print, text } from "kts";
import { sysWrite, sysMmioMap, sysMemPhys, sysCapDeriveRange, sysPciHost, sysPciRoute, sysIrqBind, sysTaskId } from "../../lib/sys/syscalls.generated";
import { call, msgStart, msgSetWord, msgWordAt, errorOf } from "../../lib/ipc/message";
import { LABEL_ATTACH, ATTACH_CONFIG, ATTACH_IRQ, ATTACH_BAR, ATTACH_BAR_SIZE } from "../../lib/pci/protocol";
import { judge, verdict } from "./verdict";

const DISK: u64 = 0x1af4_1042n;
const RNG: u64 = 0x1af4_1044n;
const DEVICE_VA: usize = 0x2000_0000n;
const MAP_WRITE: u64 = 1n;
const MAP_EXEC: u64 = 2n;
const RIGHT_MAP: u64 = 8n;

export function deviceAttempts(pci: u64, region: u64): void {
  judge(attach(pci, DISK));
  print(`hostile: attaching the disk without a claim on it: ${text(verdict.bytes, verdict.length)}`);
  judge(sysMemPhys(region));
  print(`hostile: the physical address of its memory without the DMA right: ${text(verdict.bytes, verdict.length)}`);
  judge(sysMmioMap(region, DEVICE_VA, 0n));
  print(`hostile: mapping its memory region as device registers: ${text(verdict.bytes, verdict.length)}`);
  judge(sysMmioMap(0x2a05n, DEVICE_VA, 0n));
  print(`hostile: mmioMap with a forged handle: ${text(verdict.bytes, verdict.length)}`);
  judge(sysPciHost(region, DEVICE_VA));
  print(`hostile: the PCI host's description without configuration space: ${text(verdict.bytes, verdict.length)}`);
  const own: u64 = errorOf(attach(pci, RNG));
  if (own != 0n) {
    print(`hostile: could not attach its own device (error ${own}): device attempts skipped`);
    return;
  }
  const config: u64 = msgWordAt(ATTACH_CONFIG);
  const irq: u64 = msgWordAt(ATTACH_IRQ);
  let bar: u64 = 0n;
  let size: u64 = 0n;
  for (let i: u32 = 0; i < 6; i++) {
    if (bar == 0n && msgWordAt(u32(ATTACH_BAR + i)) != 0n) {
      bar = msgWordAt(u32(ATTACH_BAR + i));
      size = msgWordAt(u32(ATTACH_BAR_SIZE + i));
    }
  }
  judge(sysMmioMap(config, DEVICE_VA, MAP_WRITE));
  print(`hostile: writable mapping of its device's configuration space: ${text(verdict.bytes, verdict.length)}`);
  judge(sysMmioMap(bar, DEVICE_VA, u64(MAP_WRITE | MAP_EXEC)));
  print(`hostile: executable mapping of its device's registers: ${text(verdict.bytes, verdict.length)}`);
  judge(sysCapDeriveRange(bar, u64(sysTaskId()), RIGHT_MAP, size < 4096n ? 4096n : size, 4096n));
  print(`hostile: registers past the end of its BAR: ${text(verdict.bytes, verdict.length)}`);
  judge(sysCapDeriveRange(config, u64(sysTaskId()), RIGHT_MAP, 0n, 8192n));
  print(`hostile: configuration space beyond its own function: ${text(verdict.bytes, verdict.length)}`);
  judge(sysCapDeriveRange(region, u64(sysTaskId()), RIGHT_MAP, 4096n, 8192n));
  print(`hostile: a part of its memory region reaching past its end: ${text(verdict.bytes, verdict.length)}`);
  judge(sysMemPhys(bar));
  print(`hostile: a DMA address through device registers: ${text(verdict.bytes, verdict.length)}`);
  judge(sysIrqBind(irq, region));
  print(`hostile: binding its interrupt to a memory capability: ${text(verdict.bytes, verdict.length)}`);
  judge(sysPciRoute(irq, 4n, 1n));
  print(`hostile: PCI interrupt routing through an IRQ capability: ${text(verdict.bytes, verdict.length)}`);
  // What it may do: map its own device's registers read-write.
  print(`hostile: mapping its own device's registers: error ${errorOf(sysMmioMap(bar, DEVICE_VA, MAP_WRITE))}`);
  // But not make the kernel touch them: a system call's buffer in device registers.
  judge(sysWrite(DEVICE_VA, 64n));
  print(`hostile: write from its device's registers: ${text(verdict.bytes, verdict.length)}`);

}

/** ATTACH (the PCI service's) for device `id`: the kernel's error, else pci's answer word. */
export function attach(pci: u64, id: u64): u64 {
  msgStart(LABEL_ATTACH);
  msgSetWord(id);
  const e: u64 = call(pci);
  return errorOf(e) != 0n ? e : msgWordAt(0);
}

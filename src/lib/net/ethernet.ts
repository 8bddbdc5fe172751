/**
 * Ethernet II framing: destination MAC (6), source MAC (6), EtherType (2),
 * payload. Frames are handled without the FCS (virtio-net and most NICs strip
 * and add it). VLAN tags (802.1Q 0x8100, 802.1ad 0x88a8, the older 0x9100)
 * are not supported: such frames are counted and dropped (Drop.Vlan).
 */
import { u8, u16, u32, bool, readU16Be, writeU16Be, fillBytes } from "kts";
import { Drop } from "./counters";
import { macCopy, macEqual, macIsBroadcast, macIsMulticast, macIsZero } from "./addr";

export const ETH_DST: u32 = 0;
export const ETH_SRC: u32 = 6;
export const ETH_TYPE: u32 = 12;
export const ETH_HEADER: u32 = 14;
/** The payload limit (IPv4 MTU). */
export const ETH_MTU: u32 = 1500;
/** Largest frame accepted or built: header and MTU, no FCS. */
export const ETH_MAX_FRAME: u32 = 1514;
/** Smallest frame on the wire without FCS; shorter frames are padded with zeros when built. */
export const ETH_MIN_FRAME: u32 = 60;

export const ETHERTYPE_IPV4: u16 = 0x0800;
export const ETHERTYPE_ARP: u16 = 0x0806;
export const ETHERTYPE_VLAN: u16 = 0x8100;
export const ETHERTYPE_QINQ: u16 = 0x88a8;
export const ETHERTYPE_VLAN_OLD: u16 = 0x9100;
/** Values below this are 802.3 lengths, not EtherTypes. */
export const ETHERTYPE_MIN: u16 = 0x0600;

/** The EtherType of a frame at least ETH_HEADER long. */
export function ethType(frame: readonly u8[]): u16 {
  return readU16Be(frame, ETH_TYPE);
}

export function isVlanType(t: u16): bool {
  return t == ETHERTYPE_VLAN || t == ETHERTYPE_QINQ || t == ETHERTYPE_VLAN_OLD;
}

/**
 * Checks a received frame's Ethernet header for the station whose MAC is
 * mine[0..6): the length (at most ETH_MAX_FRAME and frame.length, at least a
 * header), a source that is a station's (not a group address, not all zeros,
 * not mine: our own frames looped back would look like address conflicts), a
 * destination that is mine or broadcast (we join no multicast group), and no
 * VLAN tag. Drop.None if the frame is for us; the stack then dispatches on
 * ethType().
 */
export function checkEthernet(frame: readonly u8[], len: u32, mine: readonly u8[]): Drop {
  if (len > frame.length || len > ETH_MAX_FRAME) return Drop.GiantFrame;
  if (len < ETH_HEADER) return Drop.ShortFrame;
  if (macIsMulticast(frame, ETH_SRC) || macIsZero(frame, ETH_SRC) || macEqual(frame, ETH_SRC, mine, 0)) return Drop.BadSourceMac;
  if (!macEqual(frame, ETH_DST, mine, 0) && !macIsBroadcast(frame, ETH_DST)) return Drop.NotForUs;
  if (isVlanType(ethType(frame))) return Drop.Vlan;
  return Drop.None;
}

/** Writes an Ethernet header at the start of frame. */
export function writeEthernet(frame: u8[], dst: readonly u8[], dstAt: u32, src: readonly u8[], type: u16): void {
  macCopy(frame, ETH_DST, dst, dstAt);
  macCopy(frame, ETH_SRC, src, 0);
  writeU16Be(frame, ETH_TYPE, type);
}

/** The length a frame of len bytes has on the wire: padded with zeros up to ETH_MIN_FRAME (frame must be that long). */
export function padFrame(frame: u8[], len: u32): u32 {
  if (len >= ETH_MIN_FRAME) return len;
  fillBytes(frame, len, u32(ETH_MIN_FRAME - len), 0);
  return ETH_MIN_FRAME;
}


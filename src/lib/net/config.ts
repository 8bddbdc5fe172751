/**
 * An interface's IPv4 configuration: what DHCP produces (dhcp.ts) or, as the
 * fallback, what the caller fills in itself (static configuration), and what
 * NetStack.configure() takes.
 */
import { u32, bool, array } from "kts";

export const MAX_DNS: u32 = 2;

export class NetConfig {
  /** Our address; 0 is unconfigured. */
  ip: u32 = 0;
  netmask: u32 = 0;
  /** The default router; 0 if none (only the local subnet is reachable). */
  gateway: u32 = 0;
  /** DNS servers, dnsCount of them. */
  dns: u32[] = array(MAX_DNS, 0);
  dnsCount: u32 = 0;
  /** The lease in seconds (0xffffffff: infinite); 0 for a static configuration. */
  leaseSecs: u32 = 0;
  /** The DHCP server that granted the lease; 0 for a static configuration. */
  server: u32 = 0;

  clear(): void {
    this.ip = 0;
    this.netmask = 0;
    this.gateway = 0;
    this.dns[0] = 0;
    this.dns[1] = 0;
    this.dnsCount = 0;
    this.leaseSecs = 0;
    this.server = 0;
  }

  copyFrom(c: NetConfig): void {
    this.ip = c.ip;
    this.netmask = c.netmask;
    this.gateway = c.gateway;
    this.dns[0] = c.dns[0];
    this.dns[1] = c.dns[1];
    this.dnsCount = c.dnsCount;
    this.leaseSecs = c.leaseSecs;
    this.server = c.server;
  }
}

/** True if mask is a contiguous run of ones from the top (0 and 255.255.255.255 included). */
export function maskValid(mask: u32): bool {
  const inv = u32(~mask);
  return (inv & u32(inv + 1)) == 0;
}

/** The classful mask of an address (RFC 1122's default when a server gives none): /8, /16 or /24. */
export function classfulMask(ip: u32): u32 {
  if (ip >>> 31 == 0) return 0xff00_0000;
  if (ip >>> 30 == 2) return 0xffff_0000;
  return 0xffff_ff00;
}

/**
 * The ntp service's IPC protocol (src/services/ntp): the shell asks it to set
 * the wall clock now. The service answers at once and prints the outcome when
 * the server's reply comes (`ntp: clock set to ...`).
 *
 * SYNC (call): word 0 = the server's IPv4 address, or 0 for the one in use (the
 *   last one given, else the DHCP server, else the gateway). Answer: word 0 = 0,
 *   word 1 = the server that will be asked (0: none known yet; the request goes
 *   out once the network has an address and a server is known).
 */
import { u32 } from "kts";

export const LABEL_NTP_SYNC = 0x4e54_5053; // "NTPS"

export const SYNC_SERVER: u32 = 1;

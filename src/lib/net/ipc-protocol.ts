/**
 * The net service's IPC protocol (src/services/net): what other services and
 * the shell ask of the network stack. Every request is a call, answered at
 * once (the service never holds a caller: it also serves its NIC and timers).
 *
 * INFO: word 0 = 0, 1 = our address, 2 = netmask, 3 = gateway, 4 = lease
 *   seconds (0 static, 0xffffffff infinite), 5 = how it was configured
 *   (CONFIG_*), 6 = frames received, 7 = accepted, 8 = dropped, 9 = frames
 *   sent, 10 = sends failed, 11 = the link (1 up), 12 = the MAC (first byte
 *   lowest), 13 = the DHCP server (0 if none).
 * PING: word 0 = the address, 1 = a sequence number: an echo request goes out
 *   (word 0 of the answer: 0, or -SEND_* as the stack's Send code + 1 (the
 *   negative of it)).
 * DROPS: word 0 = the first drop reason asked for (src/lib/net/counters.ts Drop):
 *   the answer's word 0 = 0, 1 = how many reasons there are, 2.. = the frames
 *   dropped for reasons first, first + 1, … (DROPS_PER_CALL of them).
 * PING_RESULT: the oldest completed echo: word 0 = 0 and 1 = from, 2 = seq,
 *   3 = round trip ns, 4 = TTL; or word 0 = -1 when none has completed yet.
 */
import { u32 } from "kts";

export const LABEL_NET_INFO = 0x4e49_4e46; // "NINF"
export const LABEL_NET_PING = 0x4e50_4e47; // "NPNG"
export const LABEL_NET_PING_RESULT = 0x4e50_5253; // "NPRS"
export const LABEL_NET_DROPS = 0x4e44_5250; // "NDRP"
export const DROPS_COUNT: u32 = 1;
export const DROPS_FIRST: u32 = 2;
export const DROPS_PER_CALL: u32 = 28;

export const INFO_IP: u32 = 1;
export const INFO_NETMASK: u32 = 2;
export const INFO_GATEWAY: u32 = 3;
export const INFO_LEASE: u32 = 4;
export const INFO_CONFIG: u32 = 5;
export const INFO_RECEIVED: u32 = 6;
export const INFO_ACCEPTED: u32 = 7;
export const INFO_DROPPED: u32 = 8;
export const INFO_SENT: u32 = 9;
export const INFO_SEND_FAILED: u32 = 10;
export const INFO_LINK: u32 = 11;
export const INFO_MAC: u32 = 12;
export const INFO_SERVER: u32 = 13;

export const CONFIG_NONE: u32 = 0;
export const CONFIG_DHCP: u32 = 1;
export const CONFIG_STATIC: u32 = 2;
/** No network card: the driver found none, and the network stays down. */
export const CONFIG_NO_CARD: u32 = 3;

export const PING_FROM: u32 = 1;
export const PING_SEQ: u32 = 2;
export const PING_RTT: u32 = 3;
export const PING_TTL: u32 = 4;

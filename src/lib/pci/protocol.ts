/**
 * The PCI bus service's IPC protocol (label, then payload words; word 0 of an
 * answer is 0 or -error, like a system-call result).
 *
 * ATTACH (call, from a driver): word 0 = the device (vendor << 16 | device id)
 *   the caller holds a device capability for. The answer places capabilities in
 *   the caller's table and names them: the function's 4 KiB configuration space
 *   (read-only), each memory BAR (read-write) and its interrupt line; bus
 *   mastering is turned on. -Denied without the claim, -Invalid if there is no
 *   such device, -WouldBlock while another live task holds it.
 * LIST (call): word 0 = index; the index-th function, or -Invalid past the last.
 */
import { u32 } from "kts";

export const LABEL_ATTACH = 0x4154_4348; // "ATCH"
export const LABEL_LIST = 0x4c53_5043; // "LSPC"

/** ATTACH answer words. */
export const ATTACH_CONFIG: u32 = 1;
export const ATTACH_IRQ: u32 = 2;
export const ATTACH_LINE: u32 = 3;
export const ATTACH_ADDRESS: u32 = 4;
/** Word ATTACH_BAR + i: BAR i's capability (0: none); ATTACH_BAR_SIZE + i: its size. */
export const ATTACH_BAR: u32 = 5;
export const ATTACH_BAR_SIZE: u32 = 11;
export const ATTACH_WORDS: u32 = 17;

/** LIST answer words. */
export const LIST_ADDRESS: u32 = 1; // bus << 16 | device << 8 | function
export const LIST_ID: u32 = 2; // vendor << 16 | device
export const LIST_CLASS: u32 = 3; // class << 16 | subclass << 8 | prog-if
export const LIST_LINE: u32 = 4; // interrupt line, or NO_VALUE
export const LIST_HOLDER: u32 = 5; // the task holding it, or NO_VALUE
export const LIST_BAR: u32 = 6; // + i: BAR i's base (0: none)
export const LIST_BAR_SIZE: u32 = 12; // + i: its size
export const LIST_BAR_KIND: u32 = 18; // + i: its BarKind
export const LIST_WORDS: u32 = 24;

export const NO_VALUE = 0xffff_ffff;

/**
 * Portable page permissions. The arch layer turns them into PTE bits; a
 * mapping that is both writable and executable is refused before it reaches it.
 */
import { u32 } from "kts";

export const MAP_READ: u32 = 0; // every mapping is readable
export const MAP_WRITE: u32 = 1;
export const MAP_EXEC: u32 = 2;
export const MAP_USER: u32 = 4;
export const MAP_DEVICE: u32 = 8;

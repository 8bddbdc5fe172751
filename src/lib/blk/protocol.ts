/**
 * The block-device protocol between a block driver (virtio-blk) and its one
 * client, over IPC plus a channel (src/lib/channel, docs/channels.md) in the
 * driver's DMA memory, so the device reads and writes the client's data in
 * place: no copy per request.
 *
 * OPEN (call): the driver places a capability to the channel region in the
 *   caller's table (any earlier client's is revoked, and requests of the earlier
 *   channel are dropped), sets the channel up and answers: word 1 = the handle,
 *   2 = the region's bytes, 3 = capacity in blocks, 4 = block size, 5 = FLAG_*.
 * WAIT (call, from the client that opened): the driver takes the requests on the
 *   ring to the device, and answers once at least one completion is on the
 *   completion ring (at once if one already is). If the driver dies, the call
 *   ends with PeerDied: the client's outstanding requests have failed, and an
 *   OPEN (which waits until init has restarted the driver) starts over.
 *
 * Requests: id, opcode (OP_*), data offset and length (bytes, a multiple of the
 * block size; not for FLUSH), arg = first block. Completions: id, status (ST_*),
 * offset and length as requested.
 */
import { u32 } from "kts";

export const LABEL_OPEN = 0x424f_504e; // "BOPN"
export const LABEL_WAIT = 0x4257_4149; // "BWAI"

export const OPEN_REGION: u32 = 1;
export const OPEN_BYTES: u32 = 2;
export const OPEN_BLOCKS: u32 = 3;
export const OPEN_BLOCK_SIZE: u32 = 4;
export const OPEN_FLAGS: u32 = 5;
/** The device has a write cache that FLUSH empties (without it writes are durable when complete, and FLUSH is a no-op). */
export const FLAG_FLUSH: u32 = 1;

export const OP_READ: u32 = 1;
export const OP_WRITE: u32 = 2;
export const OP_FLUSH: u32 = 3;

export const ST_OK: u32 = 0;
/** A block outside the device. */
export const ST_RANGE: u32 = 1;
/** A malformed request: unknown opcode, length 0 or not whole blocks, data outside the channel. */
export const ST_INVALID: u32 = 2;
/** The device reported an error, or the device broke down with the request in flight. */
export const ST_IO: u32 = 3;

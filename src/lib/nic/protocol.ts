/**
 * The network-device protocol between a NIC driver (virtio-net) and its one
 * client (the net service), over IPC plus a channel (src/lib/channel,
 * docs/channels.md) in the driver's DMA memory: the device reads frames to send
 * and writes received frames in place in the client's buffers, so no frame is
 * copied between driver and client.
 *
 * OPEN (call): the driver places a capability to the channel region in the
 *   caller's table (an earlier client's is revoked and its requests dropped),
 *   sets the channel up and answers: word 1 = the handle, 2 = the region's
 *   bytes, 3 = the MAC address (its 6 bytes, first byte lowest), 4 = the MTU,
 *   5 = the link state (LINK_UP or 0), 6 = how many receive buffers the device
 *   holds at once (more wait on the ring, in front of later sends). A client that must also serve others (so
 *   cannot block in WAIT) passes a capability to one of its endpoints (send,
 *   grant) with OPEN: the driver then also sends it LABEL_NOTIFY (asynchronous,
 *   no words) whenever it posts completions while no WAIT is pending; such a
 *   client hands over what it queued with WAIT as a send instead of a call.
 * WAIT (call, from the client that opened): the driver takes the requests on the
 *   ring to the device and answers once at least one completion is on the
 *   completion ring (at once if one already is). If the driver dies the call
 *   ends with PeerDied: the client opens again (OPEN waits until init has
 *   restarted the driver); what was in flight is lost, never half-delivered.
 * STATS (call): word 1 = frames received, 2 = frames sent, 3 = bytes received,
 *   4 = bytes sent, 5 = frames the device reported with errors or malformed,
 *   6 = the link state, 7 = 1 if the caller holds the open channel (0 after
 *   the driver was restarted: a notified client checks this to reopen).
 *
 * Requests (channel entries): OP_SEND: data offset and length of one Ethernet
 * frame (FRAME_MIN..FRAME_MAX bytes, without FCS); OP_RECEIVE: a buffer of at
 * least RECEIVE_BUFFER bytes the device may fill. Completions carry the
 * request's id and a status; a receive completion's offset and length are the
 * received frame's (inside the buffer, after the device's header).
 */
import { u32 } from "kts";

export const LABEL_OPEN = 0x4e4f_504e; // "NOPN"
export const LABEL_WAIT = 0x4e57_4149; // "NWAI"
export const LABEL_STATS = 0x4e53_5441; // "NSTA"
export const LABEL_NOTIFY = 0x4e4e_4f54; // "NNOT"

export const OPEN_REGION: u32 = 1;
export const OPEN_BYTES: u32 = 2;
export const OPEN_MAC: u32 = 3;
export const OPEN_MTU: u32 = 4;
export const OPEN_LINK: u32 = 5;
export const OPEN_RECEIVE_BUFFERS: u32 = 6;

export const STATS_RX_FRAMES: u32 = 1;
export const STATS_TX_FRAMES: u32 = 2;
export const STATS_RX_BYTES: u32 = 3;
export const STATS_TX_BYTES: u32 = 4;
export const STATS_ERRORS: u32 = 5;
export const STATS_LINK: u32 = 6;
export const STATS_CLIENT: u32 = 7;

export const LINK_UP: u32 = 1;

export const OP_SEND: u32 = 1;
export const OP_RECEIVE: u32 = 2;

export const ST_OK: u32 = 0;
/** A malformed request: unknown opcode, a length out of range, data outside the channel. */
export const ST_INVALID: u32 = 2;
/** The device reported an error or broke down with the request in flight. */
export const ST_IO: u32 = 3;

/** An Ethernet frame without its FCS: header (14) and 46..1500 bytes of payload; shorter ones are padded by the device. */
export const FRAME_MIN: u32 = 14;
export const FRAME_MAX: u32 = 1514;
/** The device's header before each received frame (virtio_net_hdr with VERSION_1: 12 bytes), and a whole frame. */
export const RECEIVE_HEADER: u32 = 12;
export const RECEIVE_BUFFER: u32 = 1526;

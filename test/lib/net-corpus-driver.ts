// A malformed-frame corpus (read from stdin: ours from test/lib/net-corpus.ts,
// or the test peer's from test/harness/net-corpus.ts) fed to the network stack,
// natively and under Node with the same output: every frame must be counted
// under its expected reason (valid ones used, with the expected number of
// answers queued), then thousands of random damages of the valid frames must
// leave the stack up with its counters adding up, and a valid ping must still
// be answered, byte for byte. The stack is configured statically, or (input
// flag 1) by a DHCP exchange, so that DHCP's port is open.
import { u8, u16, u32, u64, bool, array, slice, print, check, checkFailures, copyBytes, readU16Le, readU32Le, writeU32Be } from "kts";
import { readStdin } from "kts/host";
import { NetStack } from "../../src/lib/net/stack";
import { NetConfig } from "../../src/lib/net/config";
import { Drop, DROP_REASONS } from "../../src/lib/net/counters";
import { checksumValid } from "../../src/lib/net/checksum";
import { ipv4 } from "../../src/lib/net/addr";
import { NO_SOCKET } from "../../src/lib/net/udp";
import { US_MAC, dhcpDump, dhcpFrame, wire, drainAll } from "./net-sim";

const INPUT_BYTES: u32 = 1048576;
const input: u8[] = array(INPUT_BYTES, 0);
let inputLen: u32 = 0;
const frame: u8[] = array(65536, 0);
const txBuf: u8[] = array(1514, 0);
const reply: u8[] = array(1514, 0);
const expected: u32[] = array(DROP_REASONS, 0);
const stack = new NetStack();
const OUR_MAC: u8[] = array(6, 0);
/** Offsets (in input) of the valid frames, the bases of the random damage. */
const validAt: u32[] = array(64, 0);
let validCount: u32 = 0;
const ANY: u8 = 255;

function readInput(): void {
  const chunk: u8[] = array(4096, 0);
  for (;;) {
    const n = readStdin(chunk);
    if (n == 0) break;
    check(u32(inputLen + n) <= INPUT_BYTES, "input fits");
    if (u32(inputLen + n) > INPUT_BYTES) break;
    copyBytes(input, inputLen, chunk, 0, n);
    inputLen = u32(inputLen + n);
  }
}

function drain(): u32 {
  let n: u32 = 0;
  while (stack.txTake(txBuf) != 0) n = u32(n + 1);
  return n;
}

let rng: u32 = 0x1234_5678;
function rand(): u32 {
  let x = rng;
  x = u32(x ^ (x << 13));
  x = u32(x ^ (x >>> 17));
  x = u32(x ^ (x << 5));
  rng = x;
  return x;
}

const msg: u8[] = array(300, 0);

/** Binds the stack by a DHCP exchange (the lease: 10.0.2.15/24 via 10.0.2.2, as the static setup). */
function setupDhcp(): void {
  stack.init(OUR_MAC, 0, 1);
  stack.startDhcp(1_000_000_000n, 5);
  for (let k: u32 = 0; k < 2; k++) {
    drainAll(stack);
    dhcpDump(msg, k == 1);
    writeU32Be(msg, 4, stack.dhcp.xid);
    const n = dhcpFrame(msg, 300, true, 0);
    check(stack.receive(slice(wire, 0, n), n, 1_000_000_000n) == Drop.None, "dhcp");
  }
  drainAll(stack);
  check(stack.dhcp.hasLease() && stack.config.ip == ipv4(10, 0, 2, 15), "bound by DHCP");
  check(stack.udpOpen(7777) != NO_SOCKET && stack.udpOpen(7778) != NO_SOCKET && stack.udpOpen(7779) != NO_SOCKET, "sockets");
  stack.counters.reset();
}

function setup(): void {
  OUR_MAC[0] = 0x52;
  OUR_MAC[1] = 0x54;
  OUR_MAC[2] = 0x00;
  OUR_MAC[3] = 0x12;
  OUR_MAC[4] = 0x34;
  OUR_MAC[5] = 0x56;
  stack.init(OUR_MAC, 0, 1);
  const cfg = new NetConfig();
  cfg.ip = ipv4(10, 0, 2, 15);
  cfg.netmask = ipv4(255, 255, 255, 0);
  cfg.gateway = ipv4(10, 0, 2, 2);
  stack.configure(cfg);
  check(stack.udpOpen(7777) != NO_SOCKET && stack.udpOpen(7778) != NO_SOCKET && stack.udpOpen(7779) != NO_SOCKET, "sockets");
}

export function main(): u32 {
  readInput();
  const flags = readU32Le(input, 0);
  setup();
  if ((flags & 1) != 0) setupDhcp();
  print(`setup: ${flags & 1} dhcp state ${u32(stack.dhcp.state)}`);
  let now: u64 = 1_000_000_000n;
  const count = readU32Le(input, 4);
  let at: u32 = 8;
  let mismatches: u32 = 0;
  let answered: u32 = 0;
  for (let i: u32 = 0; i < count; i++) {
    const expect = input[at];
    const replies = input[u32(at + 1)];
    const n = u32(readU16Le(input, u32(at + 2)));
    copyBytes(frame, 0, input, u32(at + 4), n);
    now = u64(now + 1_000_000n);
    // The stack sees exactly the frame's bytes: a read past len would panic.
    const r = stack.receive(slice(frame, 0, n), n, now);
    const sent = drain();
    answered = u32(answered + sent);
    if (expect != ANY) {
      expected[expect] = u32(expected[expect] + 1);
      if (u32(r) != u32(expect)) {
        print(`mismatch ${i}: expected ${expect} got ${u32(r)}`);
        mismatches = u32(mismatches + 1);
      }
    }
    if (replies != ANY && sent != u32(replies)) {
      print(`replies ${i}: expected ${replies} got ${sent}`);
      mismatches = u32(mismatches + 1);
    }
    if (expect == 0 && validCount < validAt.length) {
      validAt[validCount] = at;
      validCount = u32(validCount + 1);
    }
    at = u32(at + 4 + n);
  }
  const c = stack.counters;
  print(`corpus: frames ${count} accepted ${c.accepted} dropped ${c.dropped} answers ${answered} mismatches ${mismatches}`);
  check(mismatches == 0, "every frame as expected");
  for (let d: u32 = 1; d < DROP_REASONS; d++) {
    if (c.drops[d] != 0n || expected[d] != 0) print(`drop ${d} ${c.drops[d]}`);
    check(c.drops[d] == u64(expected[d]), "counted under its reason");
  }
  check(c.received == u64(count) && c.received == u64(c.accepted + c.dropped), "corpus counters add up");

  // Random damage to the valid frames: flips, overwrites, truncations, extensions.
  const rounds: u32 = validCount > 0 ? 3000 : 0;
  for (let k: u32 = 0; k < rounds; k++) {
    const base = validAt[u32(rand() % validCount)];
    let n = u32(readU16Le(input, u32(base + 2)));
    copyBytes(frame, 0, input, u32(base + 4), n);
    const edits = u32(1 + u32(rand() % 3));
    for (let e: u32 = 0; e < edits; e++) {
      const how = u32(rand() % 5);
      if (how == 0 && n > 0) {
        const p = u32(rand() % n);
        frame[p] = u8(frame[p] ^ u8(1 << (u32(rand() % 8))));
      } else if (how == 1 && n > 0) {
        frame[u32(rand() % n)] = u8(rand());
      } else if (how == 2 && n > 0) {
        n = u32(rand() % n);
      } else if (how == 3) {
        const extra = u32(rand() % 64);
        for (let j: u32 = 0; j < extra; j++) {
          if (n >= frame.length) break;
          frame[n] = u8(rand());
          n = u32(n + 1);
        }
      } else if (n > 34) {
        // Damage the IPv4 or ARP header region more often than the rest.
        const p = u32(14 + u32(rand() % 20));
        frame[p] = u8(rand());
      }
    }
    now = u64(now + 1_000_000n);
    stack.receive(slice(frame, 0, n), n, now);
    drain();
    if (k % 500 == 0) stack.tick(now);
  }
  print(`damaged: frames ${rounds}; totals received ${c.received} accepted ${c.accepted} dropped ${c.dropped}`);
  check(c.received == u64(u64(count) + u64(rounds)), "all received");
  let sum: u64 = 0n;
  for (let d: u32 = 1; d < DROP_REASONS; d++) sum = u64(sum + c.drops[d]);
  check(c.drops[0] == 0n && sum == c.dropped && c.received == u64(c.accepted + c.dropped), "counters add up after damage");

  // The final valid ping is still answered, byte for byte (but the IPv4 identification and header checksum).
  const reqLen = u32(readU16Le(input, at));
  copyBytes(frame, 0, input, u32(at + 2), reqLen);
  at = u32(at + 2 + reqLen);
  const repLen = u32(readU16Le(input, at));
  copyBytes(reply, 0, input, u32(at + 2), repLen);
  now = u64(now + 1_000_000n);
  const r = stack.receive(slice(frame, 0, reqLen), reqLen, now);
  check(stack.txPending() == 1, "one answer");
  const got = stack.txTake(txBuf);
  let same = got == repLen;
  for (let i: u32 = 0; i < repLen; i++) {
    if (i == 18 || i == 19 || i == 24 || i == 25) continue;
    if (txBuf[i] != reply[i]) same = false;
  }
  const sound = checksumValid(txBuf, 14, 20);
  print(`final ping: ${u32(r) == u32(Drop.None)} reply ${got} bytes, as expected ${same}, header checksum ${sound}`);
  check(u32(r) == u32(Drop.None) && same && sound, "final ping answered");
  print(`failures ${checkFailures()}`);
  return checkFailures();
}

// The boot command line's static network configuration (src/lib/net/static-config.ts),
// both worlds: each line of stdin is a command line; prints what staticConfig makes of it.
import { u8, u32, array, print, hex, copyBytes } from "kts";
import { readStdin } from "kts/host";
import { NetConfig } from "../../src/lib/net/config";
import { StaticConfig, staticConfig } from "../../src/lib/net/static-config";

const INPUT_BYTES: u32 = 65536;
const input: u8[] = array(INPUT_BYTES, 0);
const line: u8[] = array(1024, 0);
const cfg = new NetConfig();

export function main(): u32 {
  let length: u32 = 0;
  const chunk: u8[] = array(4096, 0);
  for (;;) {
    const n = readStdin(chunk);
    if (n == 0 || u32(length + n) > INPUT_BYTES) break;
    copyBytes(input, length, chunk, 0, n);
    length = u32(length + n);
  }
  let start: u32 = 0;
  let number: u32 = 0;
  for (let i: u32 = 0; i < length; i++) {
    if (input[i] != 0x0a) continue;
    const n: u32 = u32(i - start) < line.length ? u32(i - start) : line.length;
    copyBytes(line, 0, input, start, n);
    const r: StaticConfig = staticConfig(line, n, cfg);
    if (r == StaticConfig.Ok) print(`${number}: ok ${hex(cfg.ip)} ${hex(cfg.netmask)} ${hex(cfg.gateway)}`);
    else if (r == StaticConfig.Absent) print(`${number}: absent`);
    else print(`${number}: malformed`);
    number = u32(number + 1);
    start = u32(i + 1);
  }
  return 0;
}

// The virtqueue tests in the Node world, on its simulated memory (addressOf has
// no meaning there): the same driver and output as virtqueue-native.ts.
import { u32 } from "kts";
import { runVirtqueueTests } from "./virtqueue-driver";

export function main(): u32 {
  return runVirtqueueTests(0x10_0000n, 0x20_0000n, 0x30_0000n, 150_000);
}

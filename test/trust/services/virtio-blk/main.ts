// A stand-in for the virtio-blk service in trust-chain build tests (the real one is src/services/virtio-blk): says its name and exits.
import { u32, print } from "kts";

export function main(): u32 {
  print("virtio-blk stand-in");
  return 0;
}

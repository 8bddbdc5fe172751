// A stand-in for the blktest service in trust-chain build tests (the real one is src/services/blktest): says its name and exits.
import { u32, print } from "kts";

export function main(): u32 {
  print("blktest stand-in");
  return 0;
}

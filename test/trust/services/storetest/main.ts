// A stand-in for the storetest service in trust-chain build tests (the real one is src/services/storetest): says its name and exits.
import { u32, print } from "kts";

export function main(): u32 {
  print("storetest stand-in");
  return 0;
}

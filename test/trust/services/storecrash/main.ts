// A stand-in for the storecrash service in trust-chain build tests (the real one is src/services/storecrash): says its name and exits.
import { u32, print } from "kts";

export function main(): u32 {
  print("storecrash stand-in");
  return 0;
}

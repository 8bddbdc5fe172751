// A stand-in for the store service in trust-chain build tests (the real one is src/services/store): says its name and exits.
import { u32, print } from "kts";

export function main(): u32 {
  print("store stand-in");
  return 0;
}

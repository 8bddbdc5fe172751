// A stand-in for the storebench service in trust-chain build tests (the real one is src/services/storebench): says its name and exits.
import { u32, print } from "kts";

export function main(): u32 {
  print("storebench stand-in");
  return 0;
}

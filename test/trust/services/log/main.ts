// A stand-in for the log service in trust-chain build tests (the real one is src/services/log): says its name and exits.
import { u32, print } from "kts";

export function main(): u32 {
  print("log stand-in");
  return 0;
}

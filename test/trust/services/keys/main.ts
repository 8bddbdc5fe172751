// A stand-in for the keys service in trust-chain build tests (the real one is src/services/keys): says its name and exits.
import { u32, print } from "kts";

export function main(): u32 {
  print("keys stand-in");
  return 0;
}

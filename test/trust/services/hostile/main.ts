// A stand-in for the hostile service in trust-chain build tests (the real one is src/services/hostile): says its name and exits.
import { u32, print } from "kts";

export function main(): u32 {
  print("hostile stand-in");
  return 0;
}

// A stand-in for the init service in trust-chain build tests (the real one is src/services/init): says its name and exits.
import { u32, print } from "kts";

export function main(): u32 {
  print("init stand-in");
  return 0;
}

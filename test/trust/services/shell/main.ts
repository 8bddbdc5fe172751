// A stand-in for the shell service in trust-chain build tests (the real one is src/services/shell): says its name and exits.
import { u32, print } from "kts";

export function main(): u32 {
  print("shell stand-in");
  return 0;
}

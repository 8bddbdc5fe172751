// A stand-in for the pci service in trust-chain build tests (the real one is src/services/pci): says its name and exits.
import { u32, print } from "kts";

export function main(): u32 {
  print("pci stand-in");
  return 0;
}

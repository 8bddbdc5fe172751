// Issue 9, class 8: main's exit status is its integer; a bool would exit differently in the two worlds.
import { bool } from "kts";

export function main(): bool { // expect: KT1024
  return true;
}

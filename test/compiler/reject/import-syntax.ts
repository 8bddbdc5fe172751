// Issue 9, class 12: an import without a module name is TypeScript's syntax error, not a crash.
import { u32 } from "kts";
import { x } from ; // expect: TS1109

export function f(): u32 {
  return 0;
}

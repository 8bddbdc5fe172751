// Broken TypeScript: reported with TS codes, no crash.
import { u32 } from "kts";

export function f(: u32 {
  return 1 +;
}
class {

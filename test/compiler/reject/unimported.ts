import { u32 } from "kts";

// Prelude names used without importing them: TypeScript cannot find them, and
// the KTS diagnostic says the import is all that is missing.
export function wide(a: u32): u64 { // expect: TS2304 KT2021
  const ok: bool = a > 0; // expect: TS2304 KT2021
  if (!ok) print("zero"); // expect: TS2304 KT2021
  return 1n;
}

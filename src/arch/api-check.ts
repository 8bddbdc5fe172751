/**
 * Type-level proof that both arch layers export the same interface (tsc checks
 * this file; the KTS compiler never sees it).
 */
import type * as X86 from "./x86_64/index";
import type * as A64 from "./aarch64/index";

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Keys<T> = keyof T;

export const archLayersMatch: Same<Keys<typeof X86>, Keys<typeof A64>> = true;

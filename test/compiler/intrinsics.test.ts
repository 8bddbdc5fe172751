/**
 * The intrinsics table and the prelude agree: every intrinsic the compiler lowers
 * has a Node implementation under the same name in its module, and every
 * function the prelude exports is either an intrinsic or a Node-world-only helper.
 */
import { expect, it } from "vitest";
import { INTRINSICS } from "../../compiler/intrinsics/table.js";
import * as kts from "../../src/prelude/kts.js";
import * as unsafe from "../../src/prelude/unsafe.js";
import * as host from "../../src/prelude/host.js";

const modules: Record<string, Record<string, unknown>> = { kts, "kts/unsafe": unsafe, "kts/host": host };
const NODE_ONLY = new Set(["KtsPanic", "setPrintSink", "mapDevice", "mapPort", "cpuEvents"]);

it("every intrinsic has a Node implementation in its module", () => {
  for (const [name, row] of Object.entries(INTRINSICS)) {
    expect(typeof modules[row.module]![name], `${row.module}.${name}`).toBe("function");
  }
});

it("every prelude function is an intrinsic (or a Node-only helper)", () => {
  for (const [mod, exports] of Object.entries(modules)) {
    for (const [name, value] of Object.entries(exports)) {
      if (typeof value !== "function" || NODE_ONLY.has(name)) continue;
      expect(INTRINSICS[name]?.module, `${mod}.${name}`).toBe(mod);
    }
  }
});

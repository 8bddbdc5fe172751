/**
 * Issue #16 item 1: the move-and-back scenario with busy tasks beside it, 10
 * boots per arch (`npm run mapping-loss -- --boots 200` for the long mode).
 */
import { describe, expect, it } from "vitest";
import { mappingLossBoot } from "../harness/mapping-loss.js";

describe.each(["x86_64", "aarch64"] as const)("the move-and-back mapping scenario on %s", (arch) => {
  it("10 boots: a capability moved away and back, another revoked, 300 rounds each: no mapping lost, no frame misused", async () => {
    for (let boot = 1; boot <= 10; boot++) {
      const v = await mappingLossBoot(arch, boot);
      expect(v.ok, `boot ${boot}: ${v.why}`).toBe(true);
    }
  }, 1_200_000);
});

import { defineConfig } from "vitest/config";

// Tests build and run real programs (clang, sanitizers, later QEMU): generous timeouts,
// one worker per core.
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts", "src/**/*.test.ts"],
    testTimeout: 600_000,
    hookTimeout: 600_000,
    pool: "forks",
  },
});

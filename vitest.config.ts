import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";

// Tests build and run real programs (clang, sanitizers, QEMU): generous timeouts.
// One test file per core at a time: most of a file's time is spent in the
// processes it starts, and builds they share are made once (build locks and
// stamps; `cambi selftest` builds the boot images before the files start).
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts", "src/**/*.test.ts"],
    testTimeout: 600_000,
    hookTimeout: 600_000,
    pool: "forks",
    maxWorkers: availableParallelism(),
    minWorkers: 1,
  },
});

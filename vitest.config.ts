import { defineConfig } from "vitest/config";
import { LeastPrivilegeLastSequencer } from "./test/setup/sequencer.ts";

export default defineConfig({
  test: {
    sequence: { sequencer: LeastPrivilegeLastSequencer },
    projects: [
      {
        test: { name: "unit", include: ["test/unit/**/*.test.ts"], setupFiles: ["test/setup/unit-env.ts"] },
      },
      {
        test: {
          name: "integration",
          include: ["test/integration/**/*.test.ts"],
          globalSetup: ["test/setup/integration-services.ts"],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: "e2e",
          include: ["test/e2e/**/*.test.ts"],
          globalSetup: ["test/setup/e2e-stack.ts"],
          testTimeout: 120_000,
          hookTimeout: 240_000,
          fileParallelism: false,
        },
      },
    ],
  },
});

import { defineConfig } from "vitest/config";

// Two projects: `unit` needs nothing running; `integration` talks to real Postgres, Redis and the
// simulator over HTTP. test/global-setup.ts finds (or starts) the services once per run and says
// plainly which suites it had to skip.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "unit",
          include: ["{apps,packages}/*/src/**/*.test.ts"],
          exclude: ["**/*.int.test.ts", "**/node_modules/**"],
          // The fuzz properties take 1–2 s each on an idle machine and past 5 s on a loaded one.
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: "integration",
          include: ["{apps,packages}/*/src/**/*.int.test.ts", "test/**/*.int.test.ts"],
          globalSetup: ["test/global-setup.ts"],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});

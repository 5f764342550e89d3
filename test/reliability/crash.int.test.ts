import { describe, expect, inject, it } from "vitest";
import { createTestDatabase } from "../support/postgres.js";
import { runCrashHarness } from "./crash-harness.js";

// The crash harness of docs/reliability.md, 5 runs instead of 100: what CI runs on every change.
// `npm run reliability:crash -- --runs 100` is the full one.
describe("a worker killed with SIGKILL at random points of a mixed workload", () => {
  it(
    "leaves the database equal to the ground truth, with no command lost or doubled",
    { timeout: 600_000 },
    async () => {
      const db = await createTestDatabase();
      try {
        const report = await runCrashHarness({
          runs: 5,
          seed: 5,
          orders: 200,
          databaseUrl: db.url,
          redisUrl: inject("redisUrl"),
        });
        console.log(`crash harness: ${JSON.stringify(report)}`);
        expect(report.losses).toEqual([]);
        expect(report.kills).toBe(5);
        const commands = Object.values(report.commands).reduce((a, b) => a + b, 0);
        expect(commands).toBeGreaterThan(0);
        expect(report.commands.succeeded ?? 0).toBeGreaterThan(0);
        expect(report.writes.applied).toBeGreaterThan(0);
        expect(report.rows.shipment_box?.db).toBe(report.rows.shipment_box?.truth);
      } finally {
        await db.drop();
      }
    },
  );
});

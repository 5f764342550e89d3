import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSimulator, type Simulator } from "@cos/coupang-sim";
import {
  createQueueFactory,
  JOBS,
  upsertReconcileScheduler,
  type JobData,
  type QueueHandle,
} from "@cos/queue";
import { queueBackend, startWorker } from "./app.js";
import { loadConfig } from "./config.js";
import { createLogger } from "./logger.js";
import { createTestDatabase, type TestDatabase } from "../../../test/support/postgres.js";

const VENDOR = { vendorId: "A00066666", accessKey: "ak-r", secretKey: "sk-r" };

let sim: Simulator;
let db: TestDatabase;
beforeAll(async () => {
  sim = await startSimulator({ seed: 5, orders: 50, days: 5, vendors: [VENDOR] });
  db = await createTestDatabase();
});
afterAll(async () => {
  await sim?.close();
  await db?.drop();
});

describe("the worker's reconcile schedulers", () => {
  it("keeps one daily reconcile scheduler per (vendor, reconciled stream) across boots, and prunes the rest", async () => {
    const config = loadConfig({
      DATABASE_URL: db.url,
      QUEUE_PREFIX: `t${randomBytes(4).toString("hex")}`,
      COUPANG_BASE_URL: sim.url,
      COUPANG_VENDOR_ID: VENDOR.vendorId,
      COUPANG_ACCESS_KEY: VENDOR.accessKey,
      COUPANG_SECRET_KEY: VENDOR.secretKey,
      SYNC_POLL_INTERVAL_SECONDS: "3600",
      SYNC_RECONCILE_DAYS: "7",
      SYNC_RECONCILE_HOUR_KST: "3",
      LOG_LEVEL: "silent",
    });
    expect(config.reconcile).toEqual({ days: 7, hourKst: 3 });
    const queues = createQueueFactory(queueBackend(config));
    const queue: QueueHandle<JobData<"reconcile">> = queues.queue(JOBS.reconcile.queue);
    try {
      // A vendor no longer configured.
      await upsertReconcileScheduler(queue, "A00000404", "ordersheets", 5);
      for (let boot = 0; boot < 2; boot++) {
        const app = await startWorker(config, createLogger("silent"));
        await app.close();
      }
      const schedulers = await queue.getJobSchedulers();
      expect(schedulers.map((s) => s.key).sort()).toEqual([
        `reconcile:${VENDOR.vendorId}:exchangeRequests`,
        `reconcile:${VENDOR.vendorId}:ordersheets`,
        `reconcile:${VENDOR.vendorId}:returnRequests`,
      ]);
      // Daily at 03:00 KST, never at boot: no reconcile job ran or waits to run now.
      expect(schedulers.map((s) => [s.pattern, s.tz])).toEqual(Array(3).fill(["0 3 * * *", "Asia/Seoul"]));
      const kstHour = (ms: number) => new Date(ms + 9 * 3_600_000).getUTCHours();
      expect(schedulers.map((s) => kstHour(s.next!))).toEqual([3, 3, 3]);
      expect(await queue.getJobCounts("active", "completed", "failed", "wait")).toEqual({
        active: 0,
        completed: 0,
        failed: 0,
        wait: 0,
      });
    } finally {
      await queue.close();
      await queues.close();
    }
  });
});

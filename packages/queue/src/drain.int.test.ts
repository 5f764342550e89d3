import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createQueueFactory, type QueueBackendConfig, type QueueHandle } from "./backend.js";
import { drainJobOptions, JOBS, parseJobData, type JobData } from "./catalog.js";
import { pruneSchedulers, upsertDrainScheduler } from "./schedulers.js";
import { createTestDatabase, type TestDatabase } from "../../../test/support/postgres.js";

const redisUrl = inject("redisUrl");
let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase(false);
});
afterAll(async () => {
  await db.drop();
});

const backends: Array<{ name: string; skip: boolean; config: () => QueueBackendConfig }> = [
  {
    name: "postgres",
    skip: false,
    config: () => ({ kind: "postgres", url: db.url, schema: `bullmq_${randomBytes(4).toString("hex")}` }),
  },
  {
    name: "redis",
    skip: redisUrl === null,
    config: () => ({ kind: "redis", url: redisUrl!, prefix: `cos-test-${randomBytes(4).toString("hex")}` }),
  },
];

/** Resolves when `check()` holds, polling every 20 ms; rejects after 10 s. */
async function until(check: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe.each(backends)("drain jobs on $name", ({ skip, config }) => {
  it.skipIf(skip)(
    "keep one waiting drain per vendor, and one follow-up of a running one that starts when it ends",
    async () => {
      const factory = createQueueFactory(config());
      const queue: QueueHandle<JobData<"drain">> = factory.queue(JOBS.drain.queue);
      const drain = (vendorId: string) =>
        queue.add(JOBS.drain.name, parseJobData("drain", { vendorId }), drainJobOptions(vendorId));
      const ran: string[] = [];
      let release = () => {};
      for (let i = 0; i < 3; i++) await drain("A00000001");
      expect(await queue.getJobCounts("waiting")).toEqual({ waiting: 1 });
      const worker = factory.worker<JobData<"drain">>(
        JOBS.drain.queue,
        async (job) => {
          ran.push(job.data.vendorId);
          if (ran.length === 1) await new Promise<void>((r) => (release = r));
        },
        { concurrency: 4 },
      );
      try {
        await until(() => ran.length === 1);
        // Asked for while it runs: kept as one follow-up, not run beside it.
        for (let i = 0; i < 3; i++) await drain("A00000001");
        await drain("A00000002");
        await until(() => ran.length === 2);
        await new Promise((r) => setTimeout(r, 300));
        expect(ran).toEqual(["A00000001", "A00000002"]);

        release();
        await until(() => ran.length === 3);
        await until(async () => (await queue.getJobCounts("completed")).completed === 3);
        await new Promise((r) => setTimeout(r, 300));
        expect(ran).toEqual(["A00000001", "A00000002", "A00000001"]);
        expect(await queue.getJobCounts("waiting", "active", "delayed")).toEqual({
          waiting: 0,
          active: 0,
          delayed: 0,
        });
      } finally {
        release();
        await worker.close();
        await queue.close();
        await factory.close();
      }
    },
  );

  it.skipIf(skip)("keep one drain scheduler per vendor, which the boot prune keeps", async () => {
    const factory = createQueueFactory(config());
    const queue: QueueHandle<JobData<"drain">> = factory.queue(JOBS.drain.queue);
    try {
      for (let boot = 0; boot < 3; boot++) {
        await upsertDrainScheduler(queue, "A00000001", 5_000);
        await upsertDrainScheduler(queue, "A00000002", 5_000);
      }
      const removed = await pruneSchedulers(queue, new Set(["drain:A00000001"]));
      expect(removed).toEqual(["drain:A00000002"]);
      const schedulers = await queue.getJobSchedulers();
      expect(schedulers.map((s) => [s.key, s.every])).toEqual([["drain:A00000001", 5_000]]);
      await expect(upsertDrainScheduler(queue, "bad vendor!", 5_000)).rejects.toThrow(
        /invalid drain job data: vendorId/,
      );
    } finally {
      await queue.close();
      await factory.close();
    }
  });
});

import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createQueueFactory, type QueueBackendConfig, type QueueHandle } from "./backend.js";
import { bootPollJobOptions, JOBS, parseJobData, pollSchedulerId, type JobData } from "./catalog.js";
import { pruneSchedulers, upsertPollScheduler } from "./schedulers.js";
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

type PollQueue = QueueHandle<JobData<"poll">>;

/** Runs `fn` with the inbound queue on a backend, and closes both afterwards. */
async function withInbound(
  config: QueueBackendConfig,
  fn: (queue: PollQueue) => Promise<void>,
): Promise<void> {
  const factory = createQueueFactory(config);
  const queue: PollQueue = factory.queue("inbound");
  try {
    await fn(queue);
  } finally {
    await queue.close();
    await factory.close();
  }
}

describe.each(backends)("job schedulers on $name", ({ skip, config }) => {
  it.skipIf(skip)("leaves exactly one scheduler per (vendor, stream) however often the worker boots", () =>
    withInbound(config(), async (queue) => {
      for (let boot = 0; boot < 5; boot++) {
        await upsertPollScheduler(queue, "A00000001", "ordersheets", 60_000);
        await upsertPollScheduler(queue, "A00000002", "ordersheets", 60_000);
      }
      const schedulers = await queue.getJobSchedulers();
      expect(schedulers.map((s) => s.key).sort()).toEqual([
        "poll:A00000001:ordersheets",
        "poll:A00000002:ordersheets",
      ]);
      expect(schedulers.every((s) => s.every === 60_000)).toBe(true);

      const removed = await pruneSchedulers(queue, new Set([pollSchedulerId("A00000001", "ordersheets")]));
      expect(removed).toEqual(["poll:A00000002:ordersheets"]);
      expect((await queue.getJobSchedulers()).map((s) => s.key)).toEqual(["poll:A00000001:ordersheets"]);
    }),
  );

  it.skipIf(skip)("queues one boot poll per (vendor, stream) however many workers boot together", () =>
    withInbound(config(), async (queue) => {
      const bootPoll = (vendorId: string, stream: "ordersheets" | "returnRequests") =>
        queue.add(
          JOBS.poll.name,
          parseJobData("poll", { vendorId, stream, trigger: "manual" }),
          bootPollJobOptions(vendorId, stream),
        );
      for (let worker = 0; worker < 4; worker++) {
        await bootPoll("A00000001", "ordersheets");
        await bootPoll("A00000001", "returnRequests");
        await bootPoll("A00000002", "ordersheets");
      }
      expect(await queue.getJobCounts("waiting", "delayed")).toEqual({ waiting: 3, delayed: 0 });
    }),
  );

  it.skipIf(skip)("refuses job data that does not match the catalog before it reaches the queue", () =>
    withInbound(config(), async (queue) => {
      await expect(upsertPollScheduler(queue, "not a vendor!", "ordersheets", 60_000)).rejects.toThrow(
        /invalid poll job data: vendorId/,
      );
    }),
  );
});

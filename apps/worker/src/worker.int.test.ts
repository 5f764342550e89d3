import { randomBytes } from "node:crypto";
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startSimulator, type Simulator } from "@cos/coupang-sim";
import { getCheckpoint } from "@cos/db";
import { createWorkerEvents, startWorker, type PollOutcome, type WorkerEvents } from "./app.js";
import { loadConfig } from "./config.js";
import { compareWithSimulator, resetVendor } from "./demo-summary.js";
import { createLogger } from "./logger.js";
import { createTestDatabase, type TestDatabase } from "../../../test/support/postgres.js";

const VENDOR = { vendorId: "A00077777", accessKey: "ak-w", secretKey: "sk-w-secret-value" };
const redisUrl = inject("redisUrl");

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({
    seed: 11,
    orders: 300,
    days: 10,
    anchor: new Date(Date.now() - 3_600_000),
    vendors: [VENDOR],
  });
});
afterAll(async () => {
  await sim?.close();
});

/** Collects every log line, to prove what never appears in them. */
function captureLog(): { lines: string[]; stream: Writable } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { lines, stream };
}

/** The next poll of `stream` (default: any) that did work or failed for good (skipped polls and
 * retried attempts pass). */
function nextPoll(events: WorkerEvents, stream?: string): Promise<PollOutcome> {
  return new Promise((resolve) => {
    const on = (o: PollOutcome) => {
      if (stream !== undefined && o.stream !== stream) return;
      if ((o.ok && o.report.outcome !== "skipped") || (!o.ok && o.final)) {
        events.off("poll", on);
        resolve(o);
      }
    };
    events.on("poll", on);
  });
}

const backends = [
  { name: "postgres", skip: false, redis: undefined as string | undefined },
  { name: "redis", skip: redisUrl === null, redis: redisUrl ?? undefined },
];

describe.each(backends)("the worker on BullMQ's $name backend", ({ skip, redis }) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db?.drop();
  });

  const config = (secretKey = VENDOR.secretKey) =>
    loadConfig({
      DATABASE_URL: db.url,
      REDIS_URL: redis,
      QUEUE_PREFIX: `t${randomBytes(4).toString("hex")}`,
      COUPANG_BASE_URL: sim.url,
      COUPANG_VENDOR_ID: VENDOR.vendorId,
      COUPANG_ACCESS_KEY: VENDOR.accessKey,
      COUPANG_SECRET_KEY: secretKey,
      SYNC_POLL_INTERVAL_SECONDS: "3600",
      SYNC_BACKFILL_DAYS: "12",
      LOG_LEVEL: "debug",
    });

  it.skipIf(skip)(
    "syncs on its schedule until the database equals the simulator, and a manual poll writes nothing",
    async () => {
      const log = captureLog();
      const events = createWorkerEvents();
      const firstPoll = nextPoll(events, "ordersheets");
      const app = await startWorker(config(), createLogger("debug", log.stream), { events });
      try {
        const first = await firstPoll;
        expect(first.ok).toBe(true);
        const comparison = await compareWithSimulator(app.prisma, sim, VENDOR.vendorId);
        expect(comparison.kinds.filter((k) => !k.equal)).toEqual([]);
        expect(comparison.equal).toBe(true);
        expect(comparison.rows.reduce((n, r) => n + r.dbBoxes, 0)).toBe(300);
        // The returnRequests stream has its own scheduler and is polled beside ordersheets.
        for (let i = 0; i < 100; i++) {
          const returns = await getCheckpoint(app.prisma, VENDOR.vendorId, "returnRequests");
          if (returns?.syncedThrough && returns.cursor === null) break;
          await new Promise((r) => setTimeout(r, 100));
        }
        const returns = await getCheckpoint(app.prisma, VENDOR.vendorId, "returnRequests");
        expect(returns?.syncedThrough).toBeInstanceOf(Date);
        expect(returns?.cursor).toBeNull();

        const second = nextPoll(app.events, "ordersheets");
        await app.pollNow(VENDOR.vendorId);
        const outcome = await second;
        expect(
          outcome.ok && [
            outcome.report.boxesInserted,
            outcome.report.boxesUpdated,
            outcome.report.itemsInserted,
          ],
        ).toEqual([0, 0, 0]);
      } finally {
        await app.close();
      }
      expect(log.lines.join("")).not.toContain(VENDOR.secretKey);
    },
  );

  it.skipIf(skip)(
    "stops on a wrong secret key with an error naming the vendor, and opens the vendor's circuit",
    async () => {
      await resetVendor(db.url, VENDOR.vendorId);
      // Each stream's poll at boot makes one call and one re-signed call, unless another
      // stream's failure has opened the circuit before it starts; then none.
      const streamCalls = () =>
        ["ordersheets", "returnRequests", "exchangeRequests", "returnWithdrawRequests"].map(
          (s) => sim.calls()[`GET ${s}`] ?? 0,
        );
      const before = streamCalls();
      const events = createWorkerEvents();
      const firstPoll = nextPoll(events);
      const app = await startWorker(config("a-wrong-secret"), createLogger("silent"), { events });
      try {
        const outcome = await firstPoll;
        expect(outcome.ok).toBe(false);
        expect(!outcome.ok && outcome.final).toBe(true);
        expect(!outcome.ok && outcome.error.message).toMatch(new RegExp(`vendor ${VENDOR.vendorId}.*401`));
        // Give BullMQ time to retry, should it wrongly do so; then ask for another poll: the
        // vendor's circuit is open, so it makes no call either.
        await new Promise((r) => setTimeout(r, 1_500));
        await app.pollNow(VENDOR.vendorId);
        await new Promise((r) => setTimeout(r, 1_000));
        const made = streamCalls().map((n, i) => n - before[i]!);
        for (const n of made) expect([0, 2]).toContain(n);
        expect(made.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(2);
        expect(await getCheckpoint(app.prisma, VENDOR.vendorId, "ordersheets")).toBeNull();
        const [{ n }] = await app.prisma.$queryRawUnsafe<[{ n: bigint }]>(
          `SELECT count(*) AS n FROM shipment_boxes`,
        );
        expect(n).toBe(0n);
      } finally {
        await app.close();
      }
    },
  );
});

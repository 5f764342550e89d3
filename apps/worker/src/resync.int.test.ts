import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Simulator } from "@cos/coupang-sim";
import { getCheckpoint, type ResyncRecord } from "@cos/db";
import { JOBS, resyncJobId } from "@cos/queue";
import { ResyncRequestError, STREAM_NAMES } from "@cos/sync";
import { startWorker, type WorkerApp } from "./app.js";
import { loadConfig } from "./config.js";
import { resetVendor } from "./demo-summary.js";
import { createLogger } from "./logger.js";
import { createTestDatabase, type TestDatabase } from "../../../test/support/postgres.js";
import { compareStreams } from "../../../test/support/ground-truth.js";
import { bootPolls, claimOldDeliveries, simulatorFor, workerEnv } from "../../../test/support/worker-env.js";

const VENDOR = { vendorId: "A00090909", accessKey: "ak-r", secretKey: "sk-resync" };
const DAY = 86_400_000;

let sim: Simulator;
let db: TestDatabase;
let app: WorkerApp;

beforeAll(async () => {
  // 95 days of history, all of it listed (anchored an hour ago, past the list lag).
  sim = await simulatorFor(VENDOR, { seed: 9, orders: 600, days: 95 });
  db = await createTestDatabase();
  app = await startWorker(
    loadConfig(
      workerEnv(
        { db, sim, vendor: VENDOR, queuePrefix: `r${randomBytes(3).toString("hex")}` },
        { COUPANG_REQUESTS_PER_SECOND: "10", SYNC_POLL_INTERVAL_SECONDS: "3600", SYNC_BACKFILL_DAYS: "3" },
      ),
    ),
    createLogger("silent"),
  );
  // The live polls at boot read only the last three days, so the resync has older days to bring
  // in. All must be done before the test reads the live checkpoints, and so that the simulator's
  // call counts during the resync are the resync's own.
  await bootPolls(app);
}, 120_000);
afterAll(async () => {
  await app?.close();
  await sim?.close();
  await db?.drop();
});

/** The worker's `resync` queue. */
const resyncQueue = () => app.queues.find((q) => q.queue.name === JOBS.resyncWindow.queue)!.queue;

async function settled(id: bigint): Promise<ResyncRecord> {
  for (;;) {
    const r = await app.resyncProgress(id);
    if (r && r.status !== "running") return r;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

describe("an operator's resync", () => {
  it("reads 90 days of every stream into the database as the simulator has them, and leaves the live checkpoints alone", async () => {
    // Claims after the boot's polls, so only the resync can bring them in: two returns (one
    // withdrawn) and an exchange of delivered boxes older than the live polls' three days.
    await claimOldDeliveries(sim, VENDOR.vendorId);

    const before = await Promise.all(STREAM_NAMES.map((s) => getCheckpoint(app.prisma, VENDOR.vendorId, s)));
    const to = new Date();
    const from = new Date(to.getTime() - 90 * DAY);
    const streams = [...STREAM_NAMES];
    const callsBefore = sim.calls();
    const { resync, created } = await app.startResync({ vendorId: VENDOR.vendorId, streams, from, to });
    expect(created).toBe(true);
    // 91 KST days in windows of 7 (the default, within every stream's limit): 13 per stream.
    expect(resync.windowsTotal).toBe(13 * streams.length);
    // Asked again while it runs: the same resync, nothing queued twice.
    const again = await app.startResync({ vendorId: VENDOR.vendorId, streams, from, to });
    expect(again).toMatchObject({ created: false, resync: { id: resync.id } });

    const done = await settled(resync.id);
    expect(done).toMatchObject({ status: "completed", windowsDone: 13 * streams.length, rejected: 0 });
    // Per stream: its windows, and the API calls the simulator counted on its endpoint (the
    // resync's clients are counted apart from the live polls').
    const callsAfter = sim.calls();
    for (const s of streams) {
      const calls = (callsAfter[`GET ${s}`] ?? 0) - (callsBefore[`GET ${s}`] ?? 0);
      expect(done.byStream[s]).toMatchObject({ windows: 13, windowsDone: 13, apiCalls: calls, pages: calls });
    }
    // Exchanges: one list per window, every status at once (§8.1), one page each.
    expect(done.byStream.exchangeRequests!.apiCalls).toBe(13);
    expect(done.report).toMatchObject({
      windows: 13 * streams.length,
      pages: done.pages,
      apiCalls: done.apiCalls,
      rowsWritten: done.rowsWritten,
      streams: done.byStream,
    });

    // The claims, every one as the simulator has it.
    const claims = await compareStreams(app.prisma, sim.groundTruth(VENDOR.vendorId), [
      "returnRequests",
      "exchangeRequests",
      "returnWithdrawRequests",
    ]);
    for (const c of Object.values(claims)) {
      expect(c).toMatchObject({
        missing: [],
        extra: [],
        rawMismatches: [],
        columnMismatches: [],
        equal: true,
      });
      expect(c.dbRows).toBeGreaterThan(0);
    }

    // Every box created in the 90 days is there, equal to the simulator's, field for field.
    // The range covers the KST days it touches: from 00:00 KST of the day of `from`.
    const kstMs = from.getTime() + 9 * 3_600_000;
    const firstDay = kstMs - (kstMs % DAY) - 9 * 3_600_000;
    const inRange = sim
      .groundTruth(VENDOR.vendorId)
      .orders.filter((o) => Date.parse(`${o.orderedAt}+09:00`) >= firstDay).length;
    const { shipment_box: boxes } = await compareStreams(app.prisma, sim.groundTruth(VENDOR.vendorId), [
      "ordersheets",
    ]);
    expect([boxes!.rawMismatches, boxes!.columnMismatches, boxes!.extra, boxes!.gone]).toEqual([
      [],
      [],
      [],
      [],
    ]);
    expect(boxes!.missing.length).toBe(sim.groundTruth(VENDOR.vendorId).boxes - inRange);

    const after = await Promise.all(STREAM_NAMES.map((s) => getCheckpoint(app.prisma, VENDOR.vendorId, s)));
    expect(after).toEqual(before);
  });

  it("can be cancelled: its queued windows then end without a call", async () => {
    await resetVendor(db.url, VENDOR.vendorId);
    const to = new Date();
    const { resync } = await app.startResync({
      vendorId: VENDOR.vendorId,
      streams: ["ordersheets"],
      from: new Date(to.getTime() - 60 * DAY),
      to,
      daysPerWindow: 1,
    });
    const cancelled = await app.cancelResync(resync.id);
    expect(cancelled?.status).toBe("cancelled");
    // Its 61 window jobs left the queue (one a worker holds ends by itself): none waits in front
    // of the next resync.
    expect(await resyncQueue().getJobCounts("waiting", "prioritized", "delayed")).toEqual({
      waiting: 0,
      prioritized: 0,
      delayed: 0,
    });
    const callsAfterCancel = sim.calls().total ?? 0;
    await new Promise((r) => setTimeout(r, 1_500));
    const final = await app.resyncProgress(resync.id);
    expect(final?.status).toBe("cancelled");
    expect(final!.windowsDone).toBeLessThan(final!.windowsTotal);
    // At most the page in flight when it was cancelled.
    expect((sim.calls().total ?? 0) - callsAfterCancel).toBeLessThanOrEqual(1);
  });

  it("ends as failed, with the window and the error in its report, when a window cannot be read", async () => {
    const rule = sim.faults.add({ endpoint: "exchangeRequests", kind: "malformedJson" });
    try {
      const to = new Date();
      // Two windows of 7 days: the second's job leaves the queue when the first fails.
      const { resync } = await app.startResync({
        vendorId: VENDOR.vendorId,
        streams: ["exchangeRequests"],
        from: new Date(to.getTime() - 10 * DAY),
        to,
      });
      expect(resync.windowsTotal).toBe(2);
      const final = await settled(resync.id);
      expect(final.status).toBe("failed");
      const second = () =>
        (resyncQueue() as unknown as { getJob(id: string): Promise<unknown> }).getJob(
          resyncJobId(resync.id.toString(), 1),
        );
      await expect.poll(second, { timeout: 5_000 }).toBeUndefined();
      expect(final.report).toMatchObject({
        failedWindow: 0,
        failedStream: "exchangeRequests",
        windowsDone: 0,
      });
      expect(String((final.report as { error: string }).error)).toMatch(/unexpected response/);
    } finally {
      sim.faults.remove(rule.id);
    }
  });

  it("refuses a bad request, naming the field", async () => {
    const now = new Date();
    await expect(
      app.startResync({
        vendorId: VENDOR.vendorId,
        streams: ["ordersheets", "refunds"],
        from: new Date(now.getTime() - DAY),
        to: now,
      }),
    ).rejects.toThrow(`streams: expected some of ${STREAM_NAMES.join(", ")}, got ["ordersheets","refunds"]`);
    await expect(
      app.startResync({ vendorId: VENDOR.vendorId, streams: ["ordersheets"], from: now, to: now }),
    ).rejects.toThrow(/from\/to: expected valid instants with from < to/);
    await expect(
      app.startResync({
        vendorId: "A00000404",
        streams: ["ordersheets"],
        from: new Date(now.getTime() - DAY),
        to: now,
      }),
    ).rejects.toThrow(ResyncRequestError);
  });
});

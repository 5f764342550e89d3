import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSimulator, type Simulator } from "@cos/coupang-sim";
import { getCheckpoint, type ResyncRecord } from "@cos/db";
import { ResyncRequestError } from "@cos/sync";
import { startWorker, type PollOutcome, type WorkerApp } from "./app.js";
import { loadConfig } from "./config.js";
import { compareWithSimulator, resetVendor } from "./demo-summary.js";
import { createLogger } from "./logger.js";
import { createTestDatabase, type TestDatabase } from "../../../test/support/postgres.js";

const VENDOR = { vendorId: "A00090909", accessKey: "ak-r", secretKey: "sk-resync" };
const DAY = 86_400_000;

let sim: Simulator;
let db: TestDatabase;
let app: WorkerApp;

beforeAll(async () => {
  // 95 days of history, all of it listed (anchored an hour ago, past the list lag).
  sim = await startSimulator({
    seed: 9,
    orders: 600,
    days: 95,
    anchor: new Date(Date.now() - 3_600_000),
    vendors: [VENDOR],
  });
  db = await createTestDatabase();
  app = await startWorker(
    loadConfig({
      DATABASE_URL: db.url,
      QUEUE_PREFIX: `r${randomBytes(3).toString("hex")}`,
      COUPANG_BASE_URL: sim.url,
      COUPANG_VENDOR_ID: VENDOR.vendorId,
      COUPANG_ACCESS_KEY: VENDOR.accessKey,
      COUPANG_SECRET_KEY: VENDOR.secretKey,
      COUPANG_REQUESTS_PER_SECOND: "10",
      SYNC_POLL_INTERVAL_SECONDS: "3600",
      SYNC_BACKFILL_DAYS: "3",
    }),
    createLogger("silent"),
  );
  // The live ordersheets polls at boot (the scheduler's first job and the boot's own, one of them
  // possibly skipped under the other's lease; with three streams on two slots they may also run
  // one after the other): only the last three days, so the resync has older days to bring in.
  // Both must be done before the test reads the live checkpoint.
  await new Promise<void>((resolve) => {
    let polls = 0;
    let completed = false;
    app.events.on("poll", (o: PollOutcome) => {
      if (o.stream !== "ordersheets") return;
      polls++;
      completed ||= o.ok && o.report.outcome === "completed";
      if (polls >= 2 && completed) resolve();
    });
  });
}, 120_000);
afterAll(async () => {
  await app?.close();
  await sim?.close();
  await db?.drop();
});

async function settled(id: bigint): Promise<ResyncRecord> {
  for (;;) {
    const r = await app.resyncProgress(id);
    if (r && r.status !== "running") return r;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

describe("an operator's resync", () => {
  it("reads 90 days into the database as the simulator has them, and leaves the live checkpoint alone", async () => {
    const before = await getCheckpoint(app.prisma, VENDOR.vendorId, "ordersheets");
    const to = new Date();
    const from = new Date(to.getTime() - 90 * DAY);
    const { resync, created } = await app.startResync({
      vendorId: VENDOR.vendorId,
      streams: ["ordersheets"],
      from,
      to,
    });
    expect(created).toBe(true);
    // 91 KST days in windows of 7: 13 windows.
    expect(resync.windowsTotal).toBe(13);
    // Asked again while it runs: the same resync, nothing queued twice.
    const again = await app.startResync({ vendorId: VENDOR.vendorId, streams: ["ordersheets"], from, to });
    expect(again).toMatchObject({ created: false, resync: { id: resync.id } });

    const done = await settled(resync.id);
    expect(done).toMatchObject({ status: "completed", windowsDone: 13 });
    expect(done.apiCalls).toBeGreaterThanOrEqual(13 * 6);
    expect(done.report).toMatchObject({ windows: 13, pages: done.pages, apiCalls: done.apiCalls });

    // Every box created in the 90 days is there, equal to the simulator's, field for field.
    // The range covers the KST days it touches: from 00:00 KST of the day of `from`.
    const kstMs = from.getTime() + 9 * 3_600_000;
    const firstDay = kstMs - (kstMs % DAY) - 9 * 3_600_000;
    const inRange = sim
      .groundTruth(VENDOR.vendorId)
      .orders.filter((o) => Date.parse(`${o.orderedAt}+09:00`) >= firstDay).length;
    const comparison = await compareWithSimulator(app.prisma, sim, VENDOR.vendorId);
    expect(comparison.payloadMismatches).toBe(0);
    expect(comparison.extraBoxes).toBe(0);
    expect(comparison.missingBoxes).toBe(sim.groundTruth(VENDOR.vendorId).boxes - inRange);

    const after = await getCheckpoint(app.prisma, VENDOR.vendorId, "ordersheets");
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
    const callsAfterCancel = sim.calls().total ?? 0;
    await new Promise((r) => setTimeout(r, 1_500));
    const final = await app.resyncProgress(resync.id);
    expect(final?.status).toBe("cancelled");
    expect(final!.windowsDone).toBeLessThan(final!.windowsTotal);
    // At most the page in flight when it was cancelled.
    expect((sim.calls().total ?? 0) - callsAfterCancel).toBeLessThanOrEqual(1);
  });

  it("refuses a bad request, naming the field", async () => {
    const now = new Date();
    await expect(
      app.startResync({ vendorId: VENDOR.vendorId, streams: ["ordersheets"], from: now, to: now }),
    ).rejects.toThrow(/from\/to: expected from < to/);
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

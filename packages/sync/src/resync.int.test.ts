import { beforeAll, describe, expect, it } from "vitest";
import { formatKstDate, formatKstSecond, type CoupangClient } from "@cos/coupang";
import type { Simulator } from "@cos/coupang-sim";
import { getCheckpoint, type PrismaClient, type ResyncRecord } from "@cos/db";
import {
  cancelResyncRun,
  MAX_RESYNC_DAYS,
  resyncProgress,
  ResyncRequestError,
  runResyncWindow,
  startResync,
  type ResyncJob,
  type ResyncRequest,
} from "./resync.js";
import { runStream } from "./stream.js";
import { STREAM_NAMES, streamAdapter } from "./streams.js";
import { testPlan, useSimulatedVendor } from "../../../test/support/simulated-vendor.js";
import { compareStreams } from "../../../test/support/ground-truth.js";

const VENDOR = { vendorId: "A00000091", accessKey: "ak-91", secretKey: "sk-91" };
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** 2025-05-01 12:00 KST: 40 days of history before it, 40 simulated days of claims after it. */
const ANCHOR = new Date("2025-05-01T03:00:00Z");
/** Live polls reach 3 days back: the resync has the older days to bring in. */
const config = testPlan({
  backfillMs: 3 * DAY,
  warmDays: 3,
  coldDays: 3,
});

let sim: Simulator;
let prisma: PrismaClient;
let client: CoupangClient;
/** HTTP attempts of `client` (what the worker's per-vendor count measures). */
let attempts = 0;
// Buyers order, receive, return, exchange and withdraw on their own.
const fixture = useSimulatedVendor(
  VENDOR,
  {
    seed: 31,
    orders: 240,
    days: 40,
    anchor: ANCHOR,
    clock: "simulated",
    activity: { returnShare: 0.1, exchangeShare: 0.06, withdrawShare: 0.3 },
  },
  { onResponse: () => void attempts++ },
);

/** A buyer's event in the simulator (see `Simulator.event`); its answer with IDs as bigint. */
const event = fixture.event;

beforeAll(async () => {
  ({ sim, client, prisma } = fixture);
  // Every 5 days two more returns (one withdrawn an hour later) and an exchange make sure each
  // stream has claims to read.
  const used = new Set<bigint>();
  for (let day = 5; day <= 40; day += 5) {
    sim.clock.advance(5 * DAY - HOUR);
    const [kept, withdrawn, exchanged] = sim
      .groundTruth(VENDOR.vendorId)
      .orders.filter((o) => o.status === "FINAL_DELIVERY" && !used.has(o.shipmentBoxId))
      .map((o) => o.shipmentBoxId);
    for (const box of [kept!, withdrawn!, exchanged!]) used.add(box);
    await event({ type: "returnRequest", shipmentBoxId: kept });
    const receiptId = (await event({ type: "returnRequest", shipmentBoxId: withdrawn })).receiptId;
    await event({ type: "exchangeRequest", shipmentBoxId: exchanged });
    sim.clock.advance(HOUR);
    await event({ type: "withdrawReturn", receiptId });
  }
  // The live polls of every stream, as the worker's schedule runs them: 3 days back.
  for (const stream of STREAM_NAMES) {
    const report = await runStream(
      { prisma, vendorId: VENDOR.vendorId, config, trigger: "manual", now: () => sim.clock.now() },
      streamAdapter(stream, { source: client, prisma }),
    );
    expect(report.outcome).toBe("completed");
  }
}, 120_000);

/** Starts a resync, collecting its child jobs as the caller's queue would take them. */
async function start(
  request: ResyncRequest,
): Promise<{ resync: ResyncRecord; created: boolean; jobs: ResyncJob[] }> {
  const jobs: ResyncJob[] = [];
  const enqueue = (j: ResyncJob[]) => {
    jobs.push(...j);
    return Promise.resolve();
  };
  const result = await startResync({ source: client, prisma }, enqueue, request);
  return { ...result, jobs };
}

/** Runs child jobs one after the other, as the worker's resync queue does (concurrency 1). */
async function runAll(jobs: ResyncJob[]): Promise<ResyncRecord | null> {
  let last: ResyncRecord | null = null;
  for (const job of jobs)
    last = await runResyncWindow({ prisma, source: client, job, callCount: () => attempts });
  return last;
}

/** The simulator's call counts per list endpoint (`GET <stream>`) since `before`. */
function callsSince(before: Record<string, number>): Record<string, number> {
  const now = sim.calls();
  return Object.fromEntries(STREAM_NAMES.map((s) => [s, (now[`GET ${s}`] ?? 0) - (before[`GET ${s}`] ?? 0)]));
}

/** Rows of every synced table and events of the feed: what a repeated read must not change. */
async function counts(): Promise<Record<string, number>> {
  const [row] = await prisma.$queryRawUnsafe<Array<Record<string, bigint>>>(
    `SELECT (SELECT count(*) FROM shipment_boxes) AS boxes, (SELECT count(*) FROM order_items) AS items,
            (SELECT count(*) FROM return_requests) AS returns, (SELECT count(*) FROM return_items) AS return_items,
            (SELECT count(*) FROM return_withdrawals) AS withdrawals,
            (SELECT count(*) FROM exchange_requests) AS exchanges, (SELECT count(*) FROM exchange_items) AS exchange_items,
            (SELECT count(*) FROM change_events) AS events`,
  );
  return Object.fromEntries(Object.entries(row!).map(([k, v]) => [k, Number(v)]));
}

const now = () => sim.clock.now();
/** The windows of a 90-day range (91 KST days, as `now` is midday KST) in windows of ≤ `days`. */
const windowsOf = (stream: string, days: number) =>
  Math.ceil(91 / Math.min(days, streamAdapter(stream, { source: client, prisma }).maxWindowDays ?? 31));

describe("a resync of every stream", () => {
  it("reads 90 days of every stream into the database as the simulator has them, leaving the live checkpoints alone", async () => {
    const truth = sim.groundTruth(VENDOR.vendorId);
    expect(truth.returnRequests.length).toBeGreaterThan(8);
    expect(truth.exchanges.length).toBeGreaterThanOrEqual(8);
    expect(truth.returnWithdrawals.length).toBeGreaterThanOrEqual(7);
    const checkpoints = await Promise.all(STREAM_NAMES.map((s) => getCheckpoint(prisma, VENDOR.vendorId, s)));
    expect(checkpoints.every((c) => c?.syncedThrough)).toBe(true);
    const before = await compareStreams(prisma, truth, STREAM_NAMES);
    expect(Object.values(before).some((c) => c.missing.length > 0)).toBe(true);

    const request = {
      vendorId: VENDOR.vendorId,
      streams: [...STREAM_NAMES],
      from: new Date(now().getTime() - 90 * DAY),
      to: now(),
      daysPerWindow: 31,
    };
    const { resync, created, jobs } = await start(request);
    expect(created).toBe(true);
    // 31 days for ordersheets and returnRequests; exchanges and withdrawals capped at 7.
    const expectedWindows = Object.fromEntries(STREAM_NAMES.map((s) => [s, windowsOf(s, 31)]));
    expect(expectedWindows).toMatchObject({ ordersheets: 3, returnRequests: 3, exchangeRequests: 13 });
    const total = Object.values(expectedWindows).reduce((a, b) => a + b, 0);
    expect(resync.windowsTotal).toBe(total);
    expect(jobs.map((j) => j.index)).toEqual([...Array(total).keys()]);
    for (const s of STREAM_NAMES)
      expect(resync.byStream[s]).toEqual({
        windows: expectedWindows[s],
        windowsDone: 0,
        pages: 0,
        apiCalls: 0,
        rowsWritten: 0,
        rejected: 0,
      });

    // Asked again while it runs: the same resync, and the same jobs (the queue's job ids dedupe).
    const again = await start(request);
    expect(again.created).toBe(false);
    expect(again.resync.id).toBe(resync.id);
    expect(again.jobs).toEqual(jobs);

    const callsBefore = sim.calls();
    // Halfway, the progress shows what is done, per stream.
    await runAll(jobs.slice(0, 3));
    const half = await resyncProgress(prisma, resync.id);
    expect(half).toMatchObject({ status: "running", windowsDone: 3 });
    expect(half!.byStream.ordersheets!.windowsDone).toBe(3);
    expect(half!.byStream.ordersheets!.apiCalls).toBe(callsSince(callsBefore).ordersheets);

    const done = await runAll(jobs.slice(3));
    expect(done).toMatchObject({ status: "completed", windowsDone: total, rejected: 0 });
    // Per stream: every window done, API calls as the simulator counted them, one page per call.
    const calls = callsSince(callsBefore);
    // Exchanges: one list per window, every status at once (§8.1), one page each.
    expect(calls.exchangeRequests).toBe(expectedWindows.exchangeRequests);
    for (const s of STREAM_NAMES) {
      const figures = done!.byStream[s]!;
      expect(figures).toMatchObject({
        windows: expectedWindows[s],
        windowsDone: expectedWindows[s],
        apiCalls: calls[s],
        pages: calls[s],
        rejected: 0,
      });
      expect(figures.rowsWritten).toBeGreaterThan(0);
    }
    expect(done!.apiCalls).toBe(Object.values(calls).reduce((a, b) => a + b, 0));
    expect(done!.report).toMatchObject({
      windows: total,
      pages: done!.pages,
      apiCalls: done!.apiCalls,
      rowsWritten: done!.rowsWritten,
      rejected: 0,
      streams: done!.byStream,
    });

    const after = await compareStreams(prisma, sim.groundTruth(VENDOR.vendorId), STREAM_NAMES);
    for (const c of Object.values(after)) {
      expect(c).toMatchObject({
        missing: [],
        extra: [],
        rawMismatches: [],
        columnMismatches: [],
        equal: true,
      });
      expect(c.dbRows).toBeGreaterThan(0);
    }
    expect(Object.keys(after).sort()).toEqual([
      "exchange_item",
      "exchange_request",
      "order_item",
      "return_item",
      "return_request",
      "return_withdrawal",
      "shipment_box",
    ]);
    expect(await Promise.all(STREAM_NAMES.map((s) => getCheckpoint(prisma, VENDOR.vendorId, s)))).toEqual(
      checkpoints,
    );
  });

  it("is idempotent: a redelivered window changes nothing, and a second resync of the range writes nothing", async () => {
    const rowsBefore = await counts();
    const calls = sim.calls().total ?? 0;
    const [first] = await prisma.$queryRawUnsafe<Array<{ id: bigint }>>(`SELECT max(id) AS id FROM resyncs`);
    const redelivered = await runResyncWindow({
      prisma,
      source: client,
      job: { resyncId: String(first!.id), index: 0, vendorId: VENDOR.vendorId },
    });
    expect(redelivered?.status).toBe("completed");
    expect(sim.calls().total ?? 0).toBe(calls);

    const { resync, created, jobs } = await start({
      vendorId: VENDOR.vendorId,
      streams: [...STREAM_NAMES],
      from: new Date(now().getTime() - 90 * DAY),
      to: now(),
    });
    expect(created).toBe(true);
    expect(resync.id).not.toBe(first!.id);
    // By default 7 days per window: 13 per stream.
    expect(resync.windowsTotal).toBe(13 * STREAM_NAMES.length);
    const done = await runAll(jobs);
    expect(done).toMatchObject({ status: "completed", rowsWritten: 0, rejected: 0 });
    for (const s of STREAM_NAMES)
      expect(done!.byStream[s]).toMatchObject({ windowsDone: 13, rowsWritten: 0 });
    expect(await counts()).toEqual(rowsBefore);
  });

  it("stops when cancelled: its remaining windows end without a call, and a shutdown stops a window after its page", async () => {
    const { resync, jobs } = await start({
      vendorId: VENDOR.vendorId,
      streams: ["exchangeRequests", "ordersheets"],
      from: new Date(now().getTime() - 10 * DAY),
      to: now(),
      daysPerWindow: 1,
    });
    expect(resync.windowsTotal).toBe(22);
    expect(resync.streams).toEqual(["exchangeRequests", "ordersheets"]);

    // A shutdown mid-window: the window stops after its first page and stays pending.
    const shutdown = new AbortController();
    shutdown.abort();
    const calls = sim.calls().total ?? 0;
    const stopped = await runResyncWindow({
      prisma,
      source: client,
      job: jobs[0]!,
      signal: shutdown.signal,
      callCount: () => attempts,
    });
    expect(sim.calls().total).toBe(calls + 1);
    expect(stopped).toMatchObject({ status: "running", windowsDone: 0 });

    await runAll(jobs.slice(0, 2));
    // The jobs of the windows not done go to the caller's queue to be removed.
    const dequeued: ResyncJob[][] = [];
    const dequeue = (batch: ResyncJob[]) => Promise.resolve(void dequeued.push(batch));
    const cancelled = await cancelResyncRun(prisma, resync.id, dequeue);
    expect(cancelled).toMatchObject({ status: "cancelled", windowsDone: 2 });
    expect(dequeued).toEqual([jobs.slice(2)]);
    // A window job the queue still hands out ends without a call.
    const callsAtCancel = sim.calls().total ?? 0;
    const final = await runAll(jobs.slice(2));
    expect(sim.calls().total ?? 0).toBe(callsAtCancel);
    expect(final).toMatchObject({ status: "cancelled", windowsDone: 2, windowsTotal: 22, report: null });
    expect(final!.byStream).toMatchObject({
      exchangeRequests: { windows: 11, windowsDone: 2 },
      ordersheets: { windows: 11, windowsDone: 0 },
    });
    // Cancelling again, or an unknown resync, changes nothing.
    expect((await cancelResyncRun(prisma, resync.id, dequeue))?.status).toBe("cancelled");
    expect(await cancelResyncRun(prisma, 999_999n, dequeue)).toBeNull();
    expect(dequeued).toEqual([jobs.slice(2), jobs.slice(2)]);
  });

  it("refuses an unknown stream or a bad range, naming the field", async () => {
    const to = now();
    const from = new Date(to.getTime() - DAY);
    const refused = (request: Partial<ResyncRequest>) =>
      start({ vendorId: VENDOR.vendorId, streams: ["ordersheets"], from, to, ...request });
    await expect(refused({ streams: ["orders"] })).rejects.toThrow(
      new ResyncRequestError(`streams: expected some of ${STREAM_NAMES.join(", ")}, got ["orders"]`),
    );
    await expect(refused({ streams: [] })).rejects.toThrow(/^streams: expected some of .*, got \[\]$/);
    await expect(refused({ from: to, to: from })).rejects.toThrow(
      new ResyncRequestError(
        `from/to: expected valid instants with from < to, got ${formatKstSecond(to)} … ${formatKstSecond(from)} (KST)`,
      ),
    );
    // KST days (the CLI's `--from 2026-11-29 --to 2026-11-20`: `to` is the start of the day after).
    await expect(
      refused({ from: new Date("2026-11-28T15:00:00Z"), to: new Date("2026-11-20T15:00:00Z") }),
    ).rejects.toThrow(
      new ResyncRequestError(
        "from/to: expected valid instants with from < to, got 2026-11-29 … 2026-11-20 (KST days, both included)",
      ),
    );
    await expect(refused({ from: to })).rejects.toThrow(/^from\/to: expected valid instants with from < to/);
    await expect(refused({ to: new Date("not a date") })).rejects.toThrow(/^from\/to: .*Invalid Date$/);
    await expect(refused({ daysPerWindow: 32 })).rejects.toThrow(
      new ResyncRequestError("daysPerWindow: expected 1–31, got 32"),
    );
    await expect(refused({ daysPerWindow: 0 })).rejects.toThrow(ResyncRequestError);
    await expect(refused({ daysPerWindow: 1.5 })).rejects.toThrow("daysPerWindow: expected 1–31, got 1.5");
    // At most 366 KST days (MAX_RESYNC_DAYS): one more, and `from` is named with the first day allowed.
    const yearAgo = new Date(to.getTime() - 366 * DAY);
    await expect(refused({ from: yearAgo })).rejects.toThrow(
      new ResyncRequestError(
        `from: a resync covers at most ${MAX_RESYNC_DAYS} KST days; expected ${formatKstDate(new Date(to.getTime() - 365 * DAY))} or later for a range ending ${formatKstDate(to)}, got ${formatKstDate(yearAgo)} (KST)`,
      ),
    );
    await expect(refused({ from: new Date("1900-01-01T00:00:00+09:00") })).rejects.toThrow(
      /^from: a resync covers at most 366 KST days; .* got 1900-01-01 \(KST\)$/,
    );
    const tomorrow = new Date(Date.now() + DAY);
    await expect(refused({ from: tomorrow, to: new Date(tomorrow.getTime() + DAY) })).rejects.toThrow(
      new ResyncRequestError(`from: expected an instant before now, got ${tomorrow.toISOString()}`),
    );
    const [row] = await prisma.$queryRawUnsafe<Array<{ n: bigint }>>(
      `SELECT count(*) AS n FROM resyncs WHERE range_to = $1::timestamptz AND range_from = $2::timestamptz`,
      to.toISOString(),
      from.toISOString(),
    );
    expect(row!.n).toBe(0n);
  });
});

import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { CoupangAuthError, CoupangClient } from "@cos/coupang";
import { startSimulator, type Simulator } from "@cos/coupang-sim";
import {
  ensureVendorAccount,
  getCheckpoint,
  listFailedSlices,
  type FailedSlice,
  type PrismaClient,
} from "@cos/db";
import { readCursor } from "./cursor.js";
import { syncOrderSheets, type OrderSheetSource } from "./ordersheets.js";
import { useTestDatabase } from "../../../test/support/database.js";
import { testPlan } from "../../../test/support/simulated-vendor.js";

const VENDORS = [
  { vendorId: "A00000091", accessKey: "ak-91", secretKey: "sk-91" },
  { vendorId: "A00000092", accessKey: "ak-92", secretKey: "sk-92" },
  { vendorId: "A00000093", accessKey: "ak-93", secretKey: "sk-93" },
] as const;
const [SPLIT, CRASH, OTHER] = VENDORS;
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
/** 2025-03-10 12:00 KST. The backfill reads 2025-02-28…2025-03-10 in one window per status. */
const ANCHOR = new Date("2025-03-10T03:00:00Z");
/** The bad day: every vendor has more than 50 FINAL_DELIVERY boxes ordered on it (two pages). */
const BAD_DAY = "2025-03-05";
const config = testPlan({
  backfillMs: 10 * 24 * HOUR,
  // Neither warm nor cold comes due in this file, so each plan is exactly hot plus retry.
  warmIntervalMs: 24 * HOUR,
  coldIntervalMs: 48 * HOUR,
});

let sim: Simulator;
let prisma: PrismaClient;
const fixture = useTestDatabase();

beforeAll(async () => {
  sim = await startSimulator({
    seed: 21,
    orders: 600,
    days: 10,
    anchor: ANCHOR,
    activity: "none",
    clock: "simulated",
    vendors: [...VENDORS],
  });
  prisma = fixture.prisma;
  for (const v of VENDORS) await ensureVendorAccount(prisma, { vendorId: v.vendorId, name: null });
});
afterAll(async () => {
  await sim?.close();
});

type Vendor = (typeof VENDORS)[number];
const clientOf = (v: Vendor, secretKey: string = v.secretKey) =>
  new CoupangClient({ baseUrl: sim.url, ...v, secretKey, requestsPerSecond: 1000 });

/** Adds a fault rule through the simulator's admin API. */
async function addFault(rule: Record<string, unknown>): Promise<void> {
  const res = await fetch(`${sim.url}/__sim/faults`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(rule),
  });
  expect(res.status, await res.text()).toBe(200);
}
const clearFaults = async () =>
  expect((await fetch(`${sim.url}/__sim/faults`, { method: "DELETE" })).status).toBe(200);

/** The FINAL_DELIVERY list of `vendor` answers page 2 of any window over the bad day with page 1 again, forever. */
const loopOnBadDay = (vendor: Vendor) =>
  addFault({
    endpoint: "ordersheets",
    vendorId: vendor.vendorId,
    query: { status: "FINAL_DELIVERY" },
    coversDay: BAD_DAY,
    kind: "duplicatePage",
  });

function poll(vendor: Vendor, source: OrderSheetSource, signal?: AbortSignal) {
  return syncOrderSheets({
    prisma,
    source,
    vendorId: vendor.vendorId,
    config,
    trigger: "manual",
    now: () => sim.clock.now(),
    ...(signal ? { signal } : {}),
  });
}

/** The vendor's boxes as `shipmentBoxId → status`. */
async function dbBoxes(vendor: Vendor): Promise<Map<string, string>> {
  const rows = await prisma.$queryRawUnsafe<Array<{ id: string; status: string }>>(
    `SELECT shipment_box_id::text AS id, status FROM shipment_boxes WHERE vendor_id = $1`,
    vendor.vendorId,
  );
  return new Map(rows.map((r) => [r.id, r.status]));
}

function truthBoxes(vendor: Vendor): Map<string, string> {
  return new Map(sim.groundTruth(vendor.vendorId).orders.map((o) => [String(o.shipmentBoxId), o.status]));
}

/**
 * What a poll stuck on the bad day leaves out: its FINAL_DELIVERY boxes after the first page of
 * 50 (the list pages ascending by shipmentBoxId).
 */
function beyondFirstPage(vendor: Vendor): string[] {
  const onBadDay = sim
    .groundTruth(vendor.vendorId)
    .orders.filter((o) => o.status === "FINAL_DELIVERY" && o.orderedAt.startsWith(BAD_DAY))
    .map((o) => o.shipmentBoxId)
    .sort((a, b) => (a < b ? -1 : 1));
  expect(onBadDay.length).toBeGreaterThan(50);
  return onBadDay.slice(50).map(String);
}

/** Truth boxes the database lacks, and boxes whose status differs (there must be none). */
async function gaps(vendor: Vendor): Promise<{ missing: string[]; wrong: string[] }> {
  const db = await dbBoxes(vendor);
  const missing: string[] = [];
  const wrong: string[] = [];
  for (const [id, status] of truthBoxes(vendor)) {
    if (!db.has(id)) missing.push(id);
    else if (db.get(id) !== status) wrong.push(id);
  }
  return { missing: missing.sort(), wrong };
}

async function runRow(runId: bigint | null) {
  const rows = await prisma.$queryRawUnsafe<
    Array<{ status: string; error: string | null; failed: number; resolved: number }>
  >(
    `SELECT status, error, slices_failed AS failed, slices_resolved AS resolved FROM sync_runs WHERE id = $1::bigint`,
    String(runId),
  );
  return rows[0]!;
}

const slicesOf = (vendor: Vendor, openOnly = false): Promise<FailedSlice[]> =>
  listFailedSlices(prisma, { vendorId: vendor.vendorId, openOnly });

const at = (ms: number) => new Date(ms);

describe("failed slices: a window that keeps failing is split, recorded and retried", () => {
  it("splits a window whose next token repeats down to the bad day, records it, and stores everything else", async () => {
    await loopOnBadDay(SPLIT);
    const client = clientOf(SPLIT);
    const start = sim.clock.now().getTime();
    try {
      const report = await poll(SPLIT, client);
      expect(report.outcome).toBe("completed");
      expect(report.plan).toEqual({ queries: 6, reason: "6 hot", resumed: false });
      // 02-28…03-10 → 02-28…03-05 (fails) + 03-06…03-10; → 02-28…03-02 + 03-03…03-05 (fails);
      // → 03-03…03-04 + 03-05 (fails: recorded).
      expect([report.splits, report.slicesFailed, report.slicesResolved]).toEqual([3, 1, 0]);
      // Five statuses, and FINAL_DELIVERY's 02-28…03-02, 03-03…03-04 and 03-06…03-10.
      expect(report.queries).toBe(8);
      const hotTo = at(start - config.lagMs).toISOString();
      expect(report.syncedThrough).toBe(hotTo);

      expect(await gaps(SPLIT)).toEqual({ missing: beyondFirstPage(SPLIT).sort(), wrong: [] });
      const checkpoint = await getCheckpoint(prisma, SPLIT.vendorId, "ordersheets");
      expect(checkpoint?.cursor).toBeNull();
      expect(checkpoint?.syncedThrough?.toISOString()).toBe(hotTo);

      const [slice, ...others] = await slicesOf(SPLIT);
      expect(others).toEqual([]);
      expect(slice).toMatchObject({
        vendorId: SPLIT.vendorId,
        stream: "ordersheets",
        status: "FINAL_DELIVERY",
        createdAtFrom: BAD_DAY,
        createdAtTo: BAD_DAY,
        errorKind: "invalid_payload",
        attempts: 1,
        firstFailedAt: at(start),
        lastFailedAt: at(start),
        nextRetryAt: at(start + 5 * MINUTE),
        resolvedAt: null,
      });
      expect(slice!.errorMessage).toMatch(/nextToken: expected a nextToken not seen before in this listing/);
      const run = await runRow(report.runId);
      expect(run).toMatchObject({ status: "partial", failed: 1, resolved: 0 });
      expect(run.error).toBe(
        `1 failed slice recorded: FINAL_DELIVERY ${BAD_DAY}…${BAD_DAY} (invalid_payload: ${slice!.errorMessage})`,
      );

      // Before next_retry_at the slice is not retried; once due it is, and fails again (the fault
      // is still there): one more attempt, and the wait doubles.
      sim.clock.advance(4 * MINUTE);
      const early = await poll(SPLIT, client);
      expect(early.plan?.reason).toBe("6 hot");
      expect([early.splits, early.slicesFailed, early.slicesResolved]).toEqual([0, 0, 0]);

      sim.clock.advance(2 * MINUTE);
      const due = await poll(SPLIT, client);
      const retriedAt = start + 6 * MINUTE;
      expect(due.plan?.reason).toBe("6 hot, 1 retry");
      expect([due.splits, due.slicesFailed, due.slicesResolved]).toEqual([0, 1, 0]);
      const dueRun = await prisma.syncRun.findUniqueOrThrow({ where: { id: due.runId! } });
      expect((dueRun.plan as { queries: Array<{ tier: string; reason: string }> }).queries[6]).toMatchObject({
        tier: "retry",
        reason: `retry: failed slice ${slice!.id} (FINAL_DELIVERY ${BAD_DAY}…${BAD_DAY}) after 1 failed attempt`,
      });
      expect(await slicesOf(SPLIT)).toEqual([
        {
          ...slice,
          attempts: 2,
          lastFailedAt: at(retriedAt),
          nextRetryAt: at(retriedAt + 10 * MINUTE),
        },
      ]);

      // The fault is gone: the next due retry reads the day, resolves the slice, and the copy
      // equals the simulator.
      await clearFaults();
      sim.clock.advance(9 * MINUTE);
      expect((await poll(SPLIT, client)).plan?.reason).toBe("6 hot");
      sim.clock.advance(MINUTE);
      const resolvedAt = start + 16 * MINUTE;
      const healed = await poll(SPLIT, client);
      expect(healed.plan?.reason).toBe("6 hot, 1 retry");
      expect(healed.outcome).toBe("completed");
      expect([healed.splits, healed.slicesFailed, healed.slicesResolved]).toEqual([0, 0, 1]);
      expect(healed.boxesInserted).toBe(beyondFirstPage(SPLIT).length);
      expect(await gaps(SPLIT)).toEqual({ missing: [], wrong: [] });
      expect(await dbBoxes(SPLIT)).toEqual(truthBoxes(SPLIT));
      expect(await runRow(healed.runId)).toEqual({
        status: "succeeded",
        error: null,
        failed: 0,
        resolved: 1,
      });
      expect(await slicesOf(SPLIT, true)).toEqual([]);
      expect(await slicesOf(SPLIT)).toEqual([
        {
          ...slice,
          attempts: 2,
          lastFailedAt: at(retriedAt),
          nextRetryAt: at(retriedAt + 10 * MINUTE),
          resolvedAt: at(resolvedAt),
        },
      ]);
    } finally {
      await clearFaults();
      client.close();
    }
  });

  it("resumes the split plan from the cursor after a poll stopped right after the split", async () => {
    await loopOnBadDay(CRASH);
    const client = clientOf(CRASH);
    const shutdown = new AbortController();
    // A shutdown that arrives while the first failing window is being read: as the runner takes
    // up its failure, once the page before it (in hand while the failing one was read ahead) has
    // committed its cursor.
    const committedAt = async () => (await getCheckpoint(prisma, CRASH.vendorId, "ordersheets"))?.updatedAt;
    const source: OrderSheetSource = {
      orderSheetPages: (query, options) =>
        (async function* () {
          try {
            yield* client.orderSheetPages(query, options);
          } catch (err) {
            const before = await committedAt();
            await vi.waitFor(async () => expect(await committedAt()).not.toEqual(before), {
              timeout: 10_000,
            });
            shutdown.abort();
            throw err;
          }
        })(),
    };
    try {
      const stopped = await poll(CRASH, source, shutdown.signal);
      expect(stopped.outcome).toBe("interrupted");
      expect([stopped.splits, stopped.slicesFailed, stopped.queries]).toEqual([1, 0, 4]);
      expect((await runRow(stopped.runId)).status).toBe("interrupted");
      const cursor = readCursor((await getCheckpoint(prisma, CRASH.vendorId, "ordersheets"))?.cursor);
      expect(cursor).toMatchObject({ query: 4, nextToken: null });
      expect(
        cursor!.plan.queries.map((q) => `${q.tier} ${q.status} ${q.createdAtFrom}…${q.createdAtTo}`),
      ).toEqual([
        "hot ACCEPT 2025-02-28…2025-03-10",
        "hot INSTRUCT 2025-02-28…2025-03-10",
        "hot DEPARTURE 2025-02-28…2025-03-10",
        "hot DELIVERING 2025-02-28…2025-03-10",
        "hot FINAL_DELIVERY 2025-02-28…2025-03-05",
        "hot FINAL_DELIVERY 2025-03-06…2025-03-10",
        "hot NONE_TRACKING 2025-02-28…2025-03-10",
      ]);
      expect(cursor!.plan.queries[4]!.reason).toMatch(/; split of 2025-02-28…2025-03-10: invalid_payload$/);
      expect(await slicesOf(CRASH)).toEqual([]);

      const resumed = await poll(CRASH, client);
      expect(resumed.outcome).toBe("completed");
      expect(resumed.plan).toMatchObject({ queries: 7, resumed: true });
      // 4 queries of the resumed plan, then the 6 hot queries of the fresh plan that follows it.
      expect([resumed.splits, resumed.slicesFailed, resumed.queries]).toEqual([2, 1, 10]);
      expect(await gaps(CRASH)).toEqual({ missing: beyondFirstPage(CRASH).sort(), wrong: [] });
      expect(
        (await slicesOf(CRASH)).map((s) => [s.status, s.createdAtFrom, s.createdAtTo, s.attempts]),
      ).toEqual([["FINAL_DELIVERY", BAD_DAY, BAD_DAY, 1]]);
      expect((await getCheckpoint(prisma, CRASH.vendorId, "ordersheets"))?.cursor).toBeNull();
    } finally {
      await clearFaults();
      client.close();
    }
  });

  it("records a 5xx that outlasts the transport's retries like any failing day", async () => {
    await addFault({
      endpoint: "ordersheets",
      vendorId: OTHER.vendorId,
      query: { status: "ACCEPT" },
      coversDay: "2025-03-09",
      kind: "status",
      status: 502,
    });
    const client = clientOf(OTHER);
    const calls = () => sim.calls()["GET ordersheets"] ?? 0;
    try {
      const before = calls();
      const report = await poll(OTHER, client);
      expect(report.outcome).toBe("completed");
      // 02-28…03-10 → 02-28…03-05 + 03-06…03-10 (fails) → 03-06…03-08 + 03-09…03-10 (fails)
      // → 03-09 (fails: recorded) + 03-10.
      expect([report.splits, report.slicesFailed]).toEqual([3, 1]);
      const failedCalls = 4 * 3; // four failing queries, each sent three times by the transport
      expect(calls() - before).toBe(report.pages + failedCalls);
      expect((await slicesOf(OTHER)).map((s) => [s.status, s.createdAtFrom, s.errorKind])).toEqual([
        ["ACCEPT", "2025-03-09", "retryable"],
      ]);
    } finally {
      await clearFaults();
      client.close();
    }
  });

  it("ends the poll on an authentication error, recording no slice", async () => {
    const client = clientOf(OTHER, "wrong-secret");
    const before = await slicesOf(OTHER);
    try {
      sim.clock.advance(MINUTE);
      await expect(poll(OTHER, client)).rejects.toBeInstanceOf(CoupangAuthError);
      expect(await slicesOf(OTHER)).toEqual(before);
      const run = await prisma.syncRun.findFirstOrThrow({
        where: { vendorId: OTHER.vendorId },
        orderBy: { id: "desc" },
      });
      expect([run.status, run.slicesFailed, run.slicesResolved, run.pages]).toEqual(["failed", 0, 0, 0]);
      expect(run.error).toMatch(/rejected the credentials of vendor A00000093/);
    } finally {
      client.close();
    }
  });
});

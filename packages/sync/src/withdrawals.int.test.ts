import { beforeAll, describe, expect, it } from "vitest";
import {
  type CoupangClient,
  parseJson,
  parseKstSecond,
  returnWithdrawalSchema,
  validateRecords,
} from "@cos/coupang";
import { serializeCoupangJson, type Simulator } from "@cos/coupang-sim";
import { getCheckpoint, type PrismaClient } from "@cos/db";
import { readCursor } from "./cursor.js";
import { hashRaw } from "./normalize.js";
import type { StreamPlan } from "./planner.js";
import { syncReturnRequests } from "./returns.js";
import {
  returnWithdrawalsAdapter,
  RETURN_WITHDRAWALS_STREAM,
  syncReturnWithdrawals,
  type ReturnWithdrawalSource,
  type ReturnWithdrawalStreamPage,
} from "./withdrawals.js";
import { testPlan, useSimulatedVendor } from "../../../test/support/simulated-vendor.js";

const VENDOR = { vendorId: "A00000079", accessKey: "ak-79", secretKey: "sk-79" };
const MIN = 60_000;
const HOUR = 60 * MIN;
/** 2025-03-10 12:00 KST. */
const ANCHOR = new Date("2025-03-10T03:00:00Z");
const config = testPlan({
  // Cold is kept out of this file (its plan is unit-tested), so each poll's plan is hot and warm only.
  coldIntervalMs: 30 * 24 * HOUR,
});

let sim: Simulator;
let prisma: PrismaClient;
let client: CoupangClient;
const fixture = useSimulatedVendor(VENDOR, {
  seed: 19,
  orders: 300,
  days: 10,
  anchor: ANCHOR,
  activity: "none",
  clock: "simulated",
});

beforeAll(() => {
  ({ sim, client, prisma } = fixture);
});

/** A buyer's event in the simulator (see `Simulator.event`); its answer with IDs as bigint. */
const event = fixture.event;
const newReturn = async (shipmentBoxId: bigint) =>
  BigInt(String((await event({ type: "returnRequest", shipmentBoxId })).receiptId));
const withdraw = (receiptId: bigint) => event({ type: "withdrawReturn", receiptId });

const input = { vendorId: VENDOR.vendorId, config, trigger: "manual" as const, now: () => sim.clock.now() };
const storeReturns = () => syncReturnRequests({ ...input, prisma, source: client });
const poll = (source: ReturnWithdrawalSource = client, signal?: AbortSignal) =>
  syncReturnWithdrawals({ ...input, prisma, source, ...(signal ? { signal } : {}) });

const calls = () => {
  const c = sim.calls();
  return { period: c["GET returnWithdrawRequests"] ?? 0, byIds: c["POST returnWithdrawList"] ?? 0 };
};
/** The calls `run` made to each withdrawal endpoint. */
async function counting<T>(run: () => Promise<T>): Promise<{ result: T; period: number; byIds: number }> {
  const before = calls();
  const result = await run();
  const after = calls();
  return { result, period: after.period - before.period, byIds: after.byIds - before.byIds };
}

/** Stored withdrawals, by cancelId: every column the simulator's payload fills, and the raw hash. */
async function dbWithdrawals(): Promise<Map<string, string>> {
  const rows = await prisma.$queryRawUnsafe<Array<{ id: string; v: string }>>(
    `SELECT cancel_id::text AS id,
            concat_ws('|', order_id::text, refund_delivery_duty, to_char(withdrawn_at AT TIME ZONE 'UTC',
              'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), vendor_item_ids::text, raw_hash) AS v
       FROM return_withdrawals`,
  );
  return new Map(rows.map((r) => [r.id, r.v]));
}

/** The simulator's withdrawals in the same form: what a complete sync must hold. */
function truthWithdrawals(): Map<string, string> {
  return new Map(
    sim
      .groundTruth(VENDOR.vendorId)
      .returnWithdrawals.map((w) => [
        String(w.cancelId),
        [
          String(w.orderId),
          w.refundDeliveryDuty,
          parseKstSecond(w.createdAt).toISOString(),
          `{${w.vendorItemIds.join(",")}}`,
          hashRaw(serializeCoupangJson(w)),
        ].join("|"),
      ]),
  );
}

/** Stored receipts marked withdrawn: receiptId → withdrawn_at (ISO). */
async function withdrawnReceipts(): Promise<Map<string, string>> {
  const rows = await prisma.$queryRawUnsafe<Array<{ id: string; at: Date }>>(
    `SELECT receipt_id::text AS id, withdrawn_at AS at FROM return_requests WHERE withdrawn_at IS NOT NULL`,
  );
  return new Map(rows.map((r) => [r.id, r.at.toISOString()]));
}

/** Every change event so far: `entity entityId kind`, in order. */
async function events(): Promise<string[]> {
  const rows = await prisma.$queryRawUnsafe<Array<{ e: string }>>(
    `SELECT entity || ' ' || entity_id || ' ' || kind AS e FROM change_events ORDER BY id`,
  );
  return rows.map((r) => r.e);
}

/** The open receipts of 2025-03-10 as the database holds them, ascending. */
async function openReceipts(): Promise<bigint[]> {
  const rows = await prisma.$queryRawUnsafe<Array<{ id: string }>>(
    `SELECT receipt_id::text AS id FROM return_requests
      WHERE withdrawn_at IS NULL AND receipt_status <> 'RETURNS_COMPLETED' ORDER BY receipt_id`,
  );
  return rows.map((r) => BigInt(r.id));
}

/** The plan the stream's last poll recorded, as `tier status from..to` lines. */
async function lastPlan(): Promise<string[]> {
  const [run] = await prisma.$queryRawUnsafe<Array<{ plan: StreamPlan }>>(
    `SELECT plan FROM sync_runs WHERE stream = $1 ORDER BY id DESC LIMIT 1`,
    RETURN_WITHDRAWALS_STREAM,
  );
  return run!.plan.queries.map((q) => `${q.tier} ${q.status} ${q.createdAtFrom}..${q.createdAtTo}`);
}

let delivered: bigint[] = [];
const returns: bigint[] = [];

describe("syncReturnWithdrawals against the simulator", () => {
  it("catches a withdrawal of a stored return in the hot period read, marks the receipt, and a re-poll writes nothing", async () => {
    delivered = sim
      .groundTruth(VENDOR.vendorId)
      .orders.filter((o) => o.status === "FINAL_DELIVERY")
      .map((o) => o.shipmentBoxId);
    expect(delivered.length).toBeGreaterThanOrEqual(60);
    for (const box of delivered.slice(0, 3)) returns.push(await newReturn(box));
    sim.clock.advance(5 * MIN);
    expect((await storeReturns()).boxesInserted).toBe(3);

    // A new stream backfills the period list, 20 days in windows of 7; there is nothing yet.
    const backfill = await counting(() => poll());
    expect(backfill.result.outcome).toBe("completed");
    expect(backfill.result.stream).toBe(RETURN_WITHDRAWALS_STREAM);
    expect([backfill.period, backfill.byIds, backfill.result.boxesInserted]).toEqual([3, 0, 0]);
    expect(await lastPlan()).toEqual([
      "hot WITHDRAWN 2025-02-18..2025-02-24",
      "hot WITHDRAWN 2025-02-25..2025-03-03",
      "hot WITHDRAWN 2025-03-04..2025-03-10",
    ]);

    // The buyer withdraws the first return: it leaves returnRequests, and both withdrawal
    // endpoints list it (§7).
    await withdraw(returns[0]!);
    const truth = sim.groundTruth(VENDOR.vendorId);
    expect(truth.returnRequests.map((r) => r.receiptId).sort()).toEqual(returns.slice(1).sort());
    expect(truth.returnWithdrawals.map((w) => w.cancelId)).toEqual([returns[0]]);
    const byIds = await client.getReturnWithdrawals(returns);
    expect(byIds.withdrawals.map((w) => w.value.cancelId)).toEqual([returns[0]]);
    sim.clock.advance(MIN);

    const eventsBefore = (await events()).length;
    const caught = await counting(() => poll());
    expect(caught.result.plan?.reason).toBe("1 hot");
    expect([caught.period, caught.byIds]).toEqual([1, 0]);
    expect([caught.result.boxesInserted, caught.result.boxesUpdated, caught.result.rejected]).toEqual([
      1, 0, 0,
    ]);
    expect(await dbWithdrawals()).toEqual(truthWithdrawals());
    expect(await withdrawnReceipts()).toEqual(
      new Map([[String(returns[0]), parseKstSecond(truth.returnWithdrawals[0]!.createdAt).toISOString()]]),
    );
    // One event per entity: the withdrawal is created, and its receipt is withdrawn.
    expect((await events()).slice(eventsBefore)).toEqual([
      `return_withdrawal ${returns[0]} created`,
      `return_request ${returns[0]} withdrawn`,
    ]);
    expect([caught.result.events, caught.result.statusChanges]).toEqual([2, 0]);

    sim.clock.advance(MIN);
    const again = await poll();
    expect(again.outcome).toBe("completed");
    expect([again.boxesInserted, again.boxesUpdated, again.itemsInserted, again.events]).toEqual([
      0, 0, 0, 0,
    ]);
  });

  it("catches withdrawals the period list misses with the warm check of open receipts, 50 per call, and checks no day without any", async () => {
    for (const box of delivered.slice(3, 61)) returns.push(await newReturn(box));
    sim.clock.advance(5 * MIN);
    expect((await storeReturns()).boxesInserted).toBe(58);
    expect(await openReceipts()).toHaveLength(60);

    // From now on the period list sends every withdrawal without its cancelId: the two new ones
    // (and the one already stored) are quarantined, not stored.
    sim.faults.add({
      endpoint: "returnWithdrawRequests",
      kind: "drift",
      drift: "missing",
      fields: ["cancelId"],
    });
    const missed = [returns[1]!, returns[40]!];
    for (const id of missed) await withdraw(id);
    sim.clock.advance(MIN);
    const faulted = await poll();
    expect([faulted.outcome, faulted.boxesInserted, faulted.rejected]).toEqual(["completed", 0, 3]);
    const quarantined = await prisma.$queryRawUnsafe<Array<{ stream: string; key: string | null }>>(
      `SELECT stream, entity_key AS key FROM quarantined_records`,
    );
    expect(quarantined).toEqual(Array(3).fill({ stream: RETURN_WITHDRAWALS_STREAM, key: null }));

    // The next day: hot still reads yesterday (the lookback crosses midnight), warm is due but
    // no day before yesterday has an open receipt, so nothing is checked. The three bad records
    // read again are kept already: none is quarantined twice.
    sim.clock.advance(24 * HOUR);
    const nextDay = await counting(() => poll());
    expect([nextDay.period, nextDay.byIds, nextDay.result.boxesInserted, nextDay.result.rejected]).toEqual([
      1, 0, 0, 0,
    ]);
    expect(await prisma.quarantinedRecord.count()).toBe(3);
    expect(nextDay.result.plan?.reason).toBe("1 hot, 0 warm");
    expect(await lastPlan()).toEqual(["hot WITHDRAWN 2025-03-10..2025-03-11"]);

    // Twenty minutes on, hot reads today only, and warm checks yesterday's 60 open receipts by ID.
    sim.clock.advance(20 * MIN);
    const checked = await counting(() => poll());
    expect(await lastPlan()).toEqual([
      "hot WITHDRAWN 2025-03-11..2025-03-11",
      "warm CHECK 2025-03-10..2025-03-10",
    ]);
    expect([checked.period, checked.byIds]).toEqual([1, Math.ceil(60 / 50)]);
    expect([checked.result.pages, checked.result.boxesInserted, checked.result.rejected]).toEqual([3, 2, 0]);
    expect(checked.result.events).toBe(4);
    expect(await dbWithdrawals()).toEqual(truthWithdrawals());
    expect([...(await withdrawnReceipts()).keys()].sort()).toEqual(
      [returns[0]!, ...missed].map(String).sort(),
    );
    expect(await openReceipts()).toHaveLength(58);
    sim.faults.clear();
  });

  it("resumes a check interrupted between chunks after the last receiptId it sent", async () => {
    const open = await openReceipts();
    expect(open).toHaveLength(58);
    sim.clock.advance(20 * MIN);
    const stop = new AbortController();
    const interrupting: ReturnWithdrawalSource = {
      vendorId: client.vendorId,
      returnWithdrawalPages: (query, options) => client.returnWithdrawalPages(query, options),
      getReturnWithdrawals: async (ids) => {
        const answer = await client.getReturnWithdrawals(ids);
        stop.abort();
        return answer;
      },
    };
    const first = await counting(() => poll(interrupting, stop.signal));
    expect([first.result.outcome, first.result.pages, first.period, first.byIds]).toEqual([
      "interrupted",
      2,
      1,
      1,
    ]);
    const cursor = readCursor(
      (await getCheckpoint(prisma, VENDOR.vendorId, RETURN_WITHDRAWALS_STREAM))?.cursor,
    );
    expect(cursor?.plan.queries[cursor.query]?.status).toBe("CHECK");
    expect(cursor?.nextToken).toBe(String(open[49]));

    // Meanwhile the buyers withdraw one receipt of each chunk.
    await withdraw(open[0]!);
    await withdraw(open[57]!);
    const resumed = await counting(() => poll());
    expect(resumed.result.plan?.resumed).toBe(true);
    // Only the second chunk (the 8 receipts after the token) is sent; the first chunk's
    // withdrawal is found by the period read of the fresh plan that follows the resume.
    expect([resumed.period, resumed.byIds, resumed.result.boxesInserted]).toEqual([1, 1, 2]);
    expect((await withdrawnReceipts()).has(String(open[57]))).toBe(true);
    expect((await withdrawnReceipts()).has(String(open[0]))).toBe(true);

    sim.clock.advance(MIN);
    const hot = await counting(() => poll());
    expect(hot.result.plan?.reason).toBe("1 hot");
    expect([hot.period, hot.byIds, hot.result.boxesInserted, hot.result.boxesUpdated]).toEqual([1, 0, 0, 0]);
    expect(await dbWithdrawals()).toEqual(truthWithdrawals());
    expect(truthWithdrawals().size).toBe(5);
    expect([...(await withdrawnReceipts()).keys()].sort()).toEqual([...truthWithdrawals().keys()].sort());
    const checkpoint = await getCheckpoint(prisma, VENDOR.vendorId, RETURN_WITHDRAWALS_STREAM);
    expect(checkpoint?.cursor).toBeNull();
  });

  it("yields one empty page without a call when a check has nothing left to check", async () => {
    const adapter = returnWithdrawalsAdapter(client, prisma);
    const check = (day: string, token: string | null) =>
      counting(async () => {
        const pages: ReturnWithdrawalStreamPage[] = [];
        const query = {
          tier: "cold" as const,
          status: "CHECK",
          createdAtFrom: day,
          createdAtTo: day,
          cost: 1,
          reason: "test",
        };
        for await (const page of adapter.pages(query, token)) pages.push(page);
        return pages;
      });
    const empty = { withdrawals: [], rejected: [], nextToken: undefined };
    // A day without receipts, and a resume after the last open receipt of a day with some.
    const noReceipts = await check("2025-03-09", null);
    const afterLast = await check("2025-03-10", String((await openReceipts()).at(-1)));
    for (const c of [noReceipts, afterLast]) expect([c.result, c.period, c.byIds]).toEqual([[empty], 0, 0]);
  });

  it("quarantines a check answer about a receipt it did not ask about, rather than storing it", async () => {
    const stray = validateRecords(returnWithdrawalSchema, [
      parseJson(
        '{"cancelId":999000001,"vendorId":"A00000079","createdAt":"2025-03-10T09:00:00","vendorItemIds":[]}',
      ),
    ]).valid;
    const source: ReturnWithdrawalSource = {
      vendorId: client.vendorId,
      returnWithdrawalPages: (q) => client.returnWithdrawalPages(q),
      getReturnWithdrawals: async (ids) => {
        const answer = await client.getReturnWithdrawals(ids);
        return { ...answer, withdrawals: [...answer.withdrawals, ...stray] };
      },
    };
    const open = await openReceipts();
    expect(open.length).toBeGreaterThan(0);
    const query = {
      tier: "cold" as const,
      status: "CHECK",
      createdAtFrom: "2025-03-10",
      createdAtTo: "2025-03-10",
      cost: 1,
      reason: "test",
    };
    const pages: ReturnWithdrawalStreamPage[] = [];
    for await (const page of returnWithdrawalsAdapter(source, prisma).pages(query, null)) pages.push(page);
    expect(pages.flatMap((p) => p.withdrawals.map((w) => w.value.cancelId))).not.toContain(999000001n);
    // The stray record comes with every chunk's answer, and is refused in each.
    expect(pages.flatMap((p) => p.rejected.map((r) => r.error))).toEqual(
      pages.map(() => "cancelId: 999000001 was not among the receiptIds asked about"),
    );
  });
});

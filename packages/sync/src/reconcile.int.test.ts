import { beforeAll, describe, expect, it } from "vitest";
import type { CoupangClient } from "@cos/coupang";
import type { Simulator } from "@cos/coupang-sim";
import { acquireLease, reconcileGaps, releaseLease, type PrismaClient } from "@cos/db";
import { syncExchangeRequests } from "./exchanges.js";
import { orderSheetsAdapter, syncOrderSheets } from "./ordersheets.js";
import { reconcileStream, type ReconcileReport } from "./reconcile.js";
import { returnQueryStatusOf, returnRequestsAdapter, syncReturnRequests } from "./returns.js";
import { streamAdapter, type AnyStreamAdapter } from "./streams.js";
import { testPlan, useSimulatedVendor } from "../../../test/support/simulated-vendor.js";

const VENDOR = { vendorId: "A00000088", accessKey: "ak-88", secretKey: "sk-88" };
const HOUR = 3_600_000;
/** 2025-03-10 12:00 KST. The claims are made that day; the clock then moves a day on, so the
 * anchor's day is the newest complete day a reconciliation compares. */
const ANCHOR = new Date("2025-03-10T03:00:00Z");
const ANCHOR_DAY = "2025-03-10";
const config = testPlan();
const ORDER_STATUSES = ["ACCEPT", "INSTRUCT", "DEPARTURE", "DELIVERING", "FINAL_DELIVERY", "NONE_TRACKING"];

let sim: Simulator;
let prisma: PrismaClient;
let client: CoupangClient;
/** A box the test made on the anchor's day, still ACCEPT (the buyer cancels it later). */
let accepted: bigint;
const fixture = useSimulatedVendor(VENDOR, {
  seed: 21,
  orders: 200,
  days: 10,
  anchor: ANCHOR,
  activity: "none",
  clock: "simulated",
});

/** A buyer's event in the simulator (see `Simulator.event`); its answer with IDs as bigint. */
const event = fixture.event;
const newBox = async () => BigInt(String(((await event({ type: "order" })).shipmentBoxIds as unknown[])[0]));

beforeAll(async () => {
  ({ sim, client, prisma } = fixture);

  const delivered = sim
    .groundTruth(VENDOR.vendorId)
    .orders.filter((o) => o.status === "FINAL_DELIVERY")
    .map((o) => o.shipmentBoxId);
  await event({ type: "returnRequest", shipmentBoxId: delivered[0] });
  await event({ type: "returnRequest", shipmentBoxId: delivered[1] });
  const stopped = await newBox();
  expect((await client.acknowledgeOrders([stopped])).outcome).toBe("success");
  await event({ type: "stopShipmentRequest", shipmentBoxId: stopped });
  accepted = await newBox();
  sim.clock.advance(24 * HOUR);

  const input = { prisma, source: client, vendorId: VENDOR.vendorId, config, trigger: "manual" as const };
  expect((await syncOrderSheets({ ...input, now: () => sim.clock.now() })).outcome).toBe("completed");
  expect((await syncReturnRequests({ ...input, now: () => sim.clock.now() })).outcome).toBe("completed");
});

const reconcile = (adapter: AnyStreamAdapter) =>
  reconcileStream({ prisma, vendorId: VENDOR.vendorId, adapter, days: 14, now: () => sim.clock.now() });
const adapterOf = (name: string) => streamAdapter(name, { source: client, prisma });
const simCalls = () => sim.calls().total ?? 0;

/** The compared days: the 14 complete KST days before the clock's (2025-02-25 … 2025-03-10). */
const inRange = (kstTime: string) =>
  kstTime.slice(0, 10) >= "2025-02-25" && kstTime.slice(0, 10) <= ANCHOR_DAY;

/** The simulator's listed boxes in the compared days, per status. */
function truthBoxesByStatus(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const o of sim.groundTruth(VENDOR.vendorId).orders) {
    if (inRange(o.orderedAt)) counts.set(o.status, (counts.get(o.status) ?? 0) + 1);
  }
  return counts;
}

/** Listed boxes of one KST day in one status, by the simulator. */
const truthBoxes = (day: string, status: string) =>
  sim.groundTruth(VENDOR.vendorId).orders.filter((o) => o.orderedAt.startsWith(day) && o.status === status);

/** Every box the database holds, id → status, beside what the simulator serves (listed or not). */
async function boxesDbAndTruth(): Promise<[Map<string, string>, Map<string, string>]> {
  const rows = await prisma.$queryRawUnsafe<Array<{ id: string; status: string }>>(
    `SELECT shipment_box_id::text AS id, status FROM shipment_boxes`,
  );
  const truth = sim.groundTruth(VENDOR.vendorId);
  return [
    new Map(rows.map((r) => [r.id, r.status])),
    new Map([...truth.orders, ...truth.delisted].map((o) => [String(o.shipmentBoxId), o.status])),
  ];
}

/** Every receipt the database holds, id → query status, beside the simulator's. */
async function receiptsDbAndTruth(): Promise<[Map<string, string>, Map<string, string>]> {
  const rows = await prisma.$queryRawUnsafe<Array<{ id: string; type: string | null; status: string }>>(
    `SELECT receipt_id::text AS id, receipt_type AS type, receipt_status AS status FROM return_requests`,
  );
  return [
    new Map(rows.map((r) => [r.id, returnQueryStatusOf(r.type, r.status)])),
    new Map(
      sim
        .groundTruth(VENDOR.vendorId)
        .returnRequests.map((r) => [
          String(r.receiptId),
          returnQueryStatusOf(r.receiptType, r.receiptStatus),
        ]),
    ),
  ];
}

/** The fewest list calls that read every status over 14 days in one window: a page per 50 boxes, at least one. */
const minimumOrderSheetCalls = () =>
  ORDER_STATUSES.reduce((n, s) => n + Math.max(1, Math.ceil((truthBoxesByStatus().get(s) ?? 0) / 50)), 0);

const gapSummary = (r: ReconcileReport) =>
  r.gaps.map((g) => ({
    day: g.day,
    status: g.status,
    remoteCount: g.remoteCount,
    localCount: g.localCount,
    after: g.after,
    resolved: g.resolved,
  }));

describe("reconcileStream against the simulator", () => {
  it("after a full sync finds no gap in any stream, with the fewest listing calls", async () => {
    const before = simCalls();
    const boxes = await reconcile(adapterOf("ordersheets"));
    expect(boxes).toMatchObject({
      outcome: "completed",
      stream: "ordersheets",
      from: "2025-02-25",
      to: ANCHOR_DAY,
      days: 14,
      statuses: ORDER_STATUSES,
      compared: 14 * 6,
      fetches: 0,
      gapsFound: 0,
      gapsResolved: 0,
      gapsOpen: 0,
      earlierGapsResolved: 0,
      gaps: [],
    });
    // A re-read of an unchanged copy writes nothing.
    expect(boxes.written.boxesInserted + boxes.written.boxesUpdated + boxes.written.events).toBe(0);
    expect(boxes.apiCalls).toBe(minimumOrderSheetCalls());
    expect(simCalls() - before).toBe(boxes.apiCalls);

    // A stop-shipment request is listed under RU and UC, and still counts once (as RU).
    const receipts = await reconcile(adapterOf("returnRequests"));
    expect(receipts).toMatchObject({ outcome: "completed", compared: 14 * 5, gapsFound: 0, apiCalls: 5 });
    // Exchanges list 7 days at most, every status at once: two windows, one list each, and the
    // counts still compared per exchange status.
    const exchanges = await reconcile(adapterOf("exchangeRequests"));
    expect(exchanges).toMatchObject({
      outcome: "completed",
      statuses: ["RECEIPT", "PROGRESS", "SUCCESS", "REJECT", "CANCEL"],
      compared: 14 * 5,
      gapsFound: 0,
      apiCalls: 2,
    });
    expect(simCalls() - before).toBe(boxes.apiCalls + 7);
    expect(await reconcileGaps(prisma, VENDOR.vendorId, { includeResolved: true })).toEqual([]);
  });

  it("records the gaps of a tampered copy, re-fetches their days, and resolves them", async () => {
    const days = [...new Set(truthBoxes("2025-03-0", "FINAL_DELIVERY").map((o) => o.orderedAt.slice(0, 10)))];
    const [deletedDay, revertedDay] = [days[0]!, days[1]!];
    const deleted = truthBoxes(deletedDay, "FINAL_DELIVERY")[0]!.shipmentBoxId;
    const reverted = truthBoxes(revertedDay, "FINAL_DELIVERY")[0]!.shipmentBoxId;
    await prisma.$executeRawUnsafe(`DELETE FROM shipment_boxes WHERE shipment_box_id = $1`, deleted);
    // Status set back, and the payload hash changed so a read is not skipped as unchanged.
    await prisma.$executeRawUnsafe(
      `UPDATE shipment_boxes SET status = 'INSTRUCT', raw_hash = repeat('0', 64) WHERE shipment_box_id = $1`,
      reverted,
    );
    const n = (day: string, status: string) => truthBoxes(day, status).length;

    const before = simCalls();
    const report = await reconcile(adapterOf("ordersheets"));
    // By day, then in the stream's status order.
    expect(gapSummary(report)).toEqual([
      {
        day: deletedDay,
        status: "FINAL_DELIVERY",
        remoteCount: n(deletedDay, "FINAL_DELIVERY"),
        localCount: n(deletedDay, "FINAL_DELIVERY") - 1,
        after: { remoteCount: n(deletedDay, "FINAL_DELIVERY"), localCount: n(deletedDay, "FINAL_DELIVERY") },
        resolved: true,
      },
      {
        day: revertedDay,
        status: "INSTRUCT",
        remoteCount: n(revertedDay, "INSTRUCT"),
        localCount: n(revertedDay, "INSTRUCT") + 1,
        after: { remoteCount: n(revertedDay, "INSTRUCT"), localCount: n(revertedDay, "INSTRUCT") },
        resolved: true,
      },
      {
        day: revertedDay,
        status: "FINAL_DELIVERY",
        remoteCount: n(revertedDay, "FINAL_DELIVERY"),
        localCount: n(revertedDay, "FINAL_DELIVERY") - 1,
        after: {
          remoteCount: n(revertedDay, "FINAL_DELIVERY"),
          localCount: n(revertedDay, "FINAL_DELIVERY"),
        },
        resolved: true,
      },
    ]);
    expect(report).toMatchObject({ gapsFound: 3, gapsResolved: 3, gapsOpen: 0, fetches: 0 });
    // The listing, then each gap day again in every status.
    expect(report.apiCalls).toBe(minimumOrderSheetCalls() + 2 * 6);
    expect(simCalls() - before).toBe(report.apiCalls);
    const [db, truth] = await boxesDbAndTruth();
    expect(db).toEqual(truth);

    const stored = await reconcileGaps(prisma, VENDOR.vendorId, { includeResolved: true });
    expect(stored.map((g) => [g.stream, g.day, g.status, g.remoteCount, g.localCount])).toEqual([
      [
        "ordersheets",
        deletedDay,
        "FINAL_DELIVERY",
        n(deletedDay, "FINAL_DELIVERY"),
        n(deletedDay, "FINAL_DELIVERY") - 1,
      ],
      [
        "ordersheets",
        revertedDay,
        "FINAL_DELIVERY",
        n(revertedDay, "FINAL_DELIVERY"),
        n(revertedDay, "FINAL_DELIVERY") - 1,
      ],
      ["ordersheets", revertedDay, "INSTRUCT", n(revertedDay, "INSTRUCT"), n(revertedDay, "INSTRUCT") + 1],
    ]);
    for (const g of stored) {
      expect(g.detectedAt).toEqual(sim.clock.now());
      expect(g.refetchedAt).toEqual(sim.clock.now());
      expect(g.resolvedAt).toEqual(sim.clock.now());
    }
    expect(await reconcileGaps(prisma, VENDOR.vendorId)).toEqual([]);
  });

  it("resolves a deleted return receipt, and a box Coupang delisted after a cancel by reading it by key", async () => {
    const [, truthReceipts] = await receiptsDbAndTruth();
    const returned = [...truthReceipts].find(([, status]) => status === "UC")![0];
    await prisma.$executeRawUnsafe(`DELETE FROM return_requests WHERE receipt_id = $1::bigint`, returned);
    const receipts = await reconcile(adapterOf("returnRequests"));
    expect(gapSummary(receipts)).toEqual([
      {
        day: ANCHOR_DAY,
        status: "UC",
        remoteCount: 2,
        localCount: 1,
        after: { remoteCount: 2, localCount: 2 },
        resolved: true,
      },
    ]);
    expect(receipts.apiCalls).toBe(5 + 5);
    const [dbReceipts, truthNow] = await receiptsDbAndTruth();
    expect(dbReceipts).toEqual(truthNow);
    // The stop-shipment request of the stopped box, counted as RU only.
    expect([...dbReceipts.values()].sort()).toEqual(["RU", "UC", "UC"]);

    // The buyer cancels the ACCEPT box: Coupang drops it from the list, which the polls then
    // never see again; only the single read shows its items cancelled.
    await event({ type: "buyerCancel", shipmentBoxId: accepted });
    const accepts = truthBoxes(ANCHOR_DAY, "ACCEPT").length;
    const boxes = await reconcile(adapterOf("ordersheets"));
    expect(gapSummary(boxes)).toEqual([
      {
        day: ANCHOR_DAY,
        status: "ACCEPT",
        remoteCount: accepts,
        localCount: accepts + 1,
        after: { remoteCount: accepts, localCount: accepts },
        resolved: true,
      },
    ]);
    expect(boxes).toMatchObject({ fetches: 1, gapsResolved: 1, gapsOpen: 0 });
    expect(boxes.apiCalls).toBe(minimumOrderSheetCalls() + 6 + 1);
    const [db, truth] = await boxesDbAndTruth();
    expect(db).toEqual(truth);
    const canceled = await prisma.$queryRawUnsafe<Array<{ all: boolean }>>(
      `SELECT bool_and(canceled) AS all FROM order_items WHERE shipment_box_id = $1::bigint`,
      String(accepted),
    );
    expect(canceled).toEqual([{ all: true }]);
  });

  it("leaves a gap the re-fetch cannot heal open and visible, and resolves it once the counts agree", async () => {
    const shipped = sim
      .groundTruth(VENDOR.vendorId)
      .orders.find((o) => inRange(o.orderedAt) && o.status === "DELIVERING")!;
    const day = shipped.orderedAt.slice(0, 10);
    const delivering = truthBoxes(day, "DELIVERING").length;
    const final = truthBoxes(day, "FINAL_DELIVERY").length;
    // Ahead of Coupang: every read of it is stale and never moves it back.
    await prisma.$executeRawUnsafe(
      `UPDATE shipment_boxes SET status = 'FINAL_DELIVERY', raw_hash = repeat('0', 64) WHERE shipment_box_id = $1`,
      shipped.shipmentBoxId,
    );
    const first = await reconcile(adapterOf("ordersheets"));
    const open = [
      {
        day,
        status: "DELIVERING",
        remoteCount: delivering,
        localCount: delivering - 1,
        after: { remoteCount: delivering, localCount: delivering - 1 },
        resolved: false,
      },
      {
        day,
        status: "FINAL_DELIVERY",
        remoteCount: final,
        localCount: final + 1,
        after: { remoteCount: final, localCount: final + 1 },
        resolved: false,
      },
    ];
    expect(gapSummary(first)).toEqual(open);
    expect(first).toMatchObject({ gapsFound: 2, gapsResolved: 0, gapsOpen: 2, fetches: 1 });
    expect(first.written.staleReads).toBe(3);

    const id = String(shipped.shipmentBoxId);
    const visible = await reconcileGaps(prisma, VENDOR.vendorId, { stream: "ordersheets" });
    expect(visible.map((g) => [g.day, g.status, g.remoteCount, g.localCount, g.resolvedAt])).toEqual([
      [day, "DELIVERING", delivering, delivering - 1, null],
      [day, "FINAL_DELIVERY", final, final + 1, null],
    ]);
    expect(visible.map((g) => g.detail)).toEqual([
      {
        after: { remoteCount: delivering, localCount: delivering - 1 },
        listedNotStored: [id],
        storedNotListed: [],
        fetched: 1,
        notServed: [],
        fetchesLeft: 0,
      },
      {
        after: { remoteCount: final, localCount: final + 1 },
        listedNotStored: [],
        storedNotListed: [id],
        fetched: 1,
        notServed: [],
        fetchesLeft: 0,
      },
    ]);

    // Found again the next day: the same open gaps, not new ones.
    sim.clock.advance(HOUR);
    await reconcile(adapterOf("ordersheets"));
    const again = await reconcileGaps(prisma, VENDOR.vendorId, { stream: "ordersheets" });
    expect(again.map((g) => g.id)).toEqual(visible.map((g) => g.id));

    // Repaired: the next reconciliation finds the counts in agreement and closes both.
    await prisma.$executeRawUnsafe(
      `UPDATE shipment_boxes SET status = 'DELIVERING' WHERE shipment_box_id = $1`,
      shipped.shipmentBoxId,
    );
    const repaired = await reconcile(adapterOf("ordersheets"));
    expect(repaired).toMatchObject({ gapsFound: 0, earlierGapsResolved: 2 });
    expect(await reconcileGaps(prisma, VENDOR.vendorId)).toEqual([]);
    const [db, truth] = await boxesDbAndTruth();
    expect(db).toEqual(truth);
  });

  it("skips a stream whose reconciliation is running, and one without a census", async () => {
    const lease = { vendorId: VENDOR.vendorId, stream: "returnRequests:reconcile", owner: "other" };
    expect(await acquireLease(prisma, lease, 60_000)).toBe(true);
    const before = simCalls();
    expect(await reconcile(returnRequestsAdapter(client))).toMatchObject({ outcome: "skipped", apiCalls: 0 });
    await releaseLease(prisma, lease);

    const { reconcile: census, ...bare } = orderSheetsAdapter(client);
    expect(census).toBeDefined();
    expect(await reconcile(bare)).toMatchObject({
      outcome: "unsupported",
      reason: "ordersheets has no census to count its listing by",
    });
    expect(simCalls() - before).toBe(0);
  });

  it("lists exchanges once per window, compares them per exchange status and heals a missing one", async () => {
    const delivered = sim
      .groundTruth(VENDOR.vendorId)
      .orders.filter((o) => o.status === "FINAL_DELIVERY")
      .map((o) => o.shipmentBoxId);
    const exchangeOf = async (box: bigint) =>
      BigInt(String((await event({ type: "exchangeRequest", shipmentBoxId: box })).exchangeId));
    const [open, rejected, cancelled] = [
      await exchangeOf(delivered.at(-1)!),
      await exchangeOf(delivered.at(-2)!),
      await exchangeOf(delivered.at(-3)!),
    ];
    expect(await client.rejectExchange(rejected, "SOLDOUT")).toMatchObject({ succeeded: true });
    await event({ type: "cancelExchange", exchangeId: cancelled });
    const day = sim.groundTruth(VENDOR.vendorId).exchanges[0]!.createdAt.slice(0, 10);
    sim.clock.advance(24 * HOUR);
    const input = { prisma, source: client, vendorId: VENDOR.vendorId, config, trigger: "manual" as const };
    expect((await syncExchangeRequests({ ...input, now: () => sim.clock.now() })).outcome).toBe("completed");
    const stored = () =>
      prisma.$queryRawUnsafe<Array<{ id: string; status: string }>>(
        `SELECT exchange_id::text AS id, exchange_status AS status FROM exchange_requests ORDER BY exchange_id`,
      );
    const truth = [
      { id: String(open), status: "RECEIPT" },
      { id: String(rejected), status: "REJECT" },
      { id: String(cancelled), status: "CANCEL" },
    ];
    expect(await stored()).toEqual(truth);
    await prisma.$executeRawUnsafe(
      `DELETE FROM exchange_requests WHERE exchange_id = $1::bigint`,
      String(rejected),
    );

    const before = simCalls();
    const report = await reconcile(adapterOf("exchangeRequests"));
    expect(gapSummary(report)).toEqual([
      {
        day,
        status: "REJECT",
        remoteCount: 1,
        localCount: 0,
        after: { remoteCount: 1, localCount: 1 },
        resolved: true,
      },
    ]);
    expect(report).toMatchObject({ compared: 14 * 5, gapsFound: 1, gapsResolved: 1, fetches: 0 });
    // Two windows listed once each, then the gap day listed once again.
    expect(report.apiCalls).toBe(2 + 1);
    expect(simCalls() - before).toBe(3);
    expect(await stored()).toEqual(truth);
  });

  it("splits around a day it cannot read, reports that day unreadable, and compares the others", async () => {
    const bad = "2025-03-05";
    const rule = sim.faults.add({ endpoint: "ordersheets", coversDay: bad, kind: "malformedJson" });
    try {
      const report = await reconcile(adapterOf("ordersheets"));
      expect(report.outcome).toBe("completed");
      expect(report.unreadable.map((u) => [u.day, u.status])).toEqual(ORDER_STATUSES.map((s) => [bad, s]));
      expect(report.unreadable[0]!.error).toMatch(/unexpected response/);
      // Every other day agrees: no gap, and none invented for the day whose count is unknown.
      expect(report.gaps).toEqual([]);
      expect(await reconcileGaps(prisma, VENDOR.vendorId, { stream: "ordersheets" })).toEqual([]);
    } finally {
      sim.faults.remove(rule.id);
    }
  });
});

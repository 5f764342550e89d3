import { beforeAll, describe, expect, it } from "vitest";
import type { CoupangClient } from "@cos/coupang";
import type { Simulator } from "@cos/coupang-sim";
import { getCheckpoint, type PrismaClient } from "@cos/db";
import { hashRaw } from "./normalize.js";
import {
  exchangeCountsByDay,
  planExchangeRequests,
  EXCHANGE_REQUESTS_STREAM,
  syncExchangeRequests,
} from "./exchanges.js";
import { testPlan, useSimulatedVendor } from "../../../test/support/simulated-vendor.js";

const VENDOR = { vendorId: "A00000078", accessKey: "ak-78", secretKey: "sk-78" };
const HOUR = 3_600_000;
/** 2025-03-10 12:00 KST: every poll of this file stays inside one KST day. */
const ANCHOR = new Date("2025-03-10T03:00:00Z");
const config = testPlan();

let sim: Simulator;
let prisma: PrismaClient;
let client: CoupangClient;
const fixture = useSimulatedVendor(VENDOR, {
  seed: 17,
  orders: 200,
  days: 10,
  anchor: ANCHOR,
  activity: "none",
  clock: "simulated",
});

beforeAll(() => {
  ({ sim, client, prisma } = fixture);
});

/** A buyer's exchange request of a delivered box in the simulator (see `Simulator.event`). */
async function newExchange(shipmentBoxId: bigint): Promise<bigint> {
  const made = await sim.event({ vendorId: VENDOR.vendorId, type: "exchangeRequest", shipmentBoxId });
  return BigInt(String(made.exchangeId));
}

const simCalls = () => sim.calls().total ?? 0;

const poll = () =>
  syncExchangeRequests({
    prisma,
    source: client,
    vendorId: VENDOR.vendorId,
    config,
    trigger: "manual",
    now: () => sim.clock.now(),
  });

type State = { requests: Map<string, string>; items: Map<string, string> };

async function dbState(): Promise<State> {
  const requests = await prisma.$queryRawUnsafe<Array<{ id: string; v: string }>>(
    `SELECT exchange_id::text AS id, exchange_status || ':' || order_id::text || ':' || raw_hash AS v
       FROM exchange_requests`,
  );
  const items = await prisma.$queryRawUnsafe<Array<{ id: string; v: string }>>(
    `SELECT exchange_item_id::text AS id,
            exchange_id::text || ':' || order_item_id::text || ':' || original_shipment_box_id::text AS v
       FROM exchange_items`,
  );
  return {
    requests: new Map(requests.map((r) => [r.id, r.v])),
    items: new Map(items.map((i) => [i.id, i.v])),
  };
}

/** What the simulator serves now, read through the client: every exchange of today, its raw hash. */
async function servedState(): Promise<State> {
  const requests = new Map<string, string>();
  const items = new Map<string, string>();
  for await (const page of client.exchangeRequestPages({
    createdAtFrom: "2025-03-10T00:00:00",
    createdAtTo: "2025-03-10T23:59:59",
  })) {
    expect(page.rejected).toEqual([]);
    for (const x of page.exchanges) {
      const v = x.value;
      requests.set(String(v.exchangeId), `${v.exchangeStatus}:${v.orderId}:${hashRaw(x.rawJson)}`);
      for (const i of x.value.exchangeItemDtoV1s)
        items.set(
          String(i.exchangeItemId),
          `${x.value.exchangeId}:${i.orderItemId}:${i.originalShipmentBoxId}`,
        );
    }
  }
  return { requests, items };
}

/** Per exchange, its `exchange_request` events in order: `kind old→new`. */
async function requestEvents(): Promise<Map<string, string[]>> {
  const rows = await prisma.$queryRawUnsafe<
    Array<{ id: string; kind: string; old: string | null; new: string | null }>
  >(
    `SELECT entity_id AS id, kind, old_status AS old, new_status AS new FROM change_events
      WHERE entity = 'exchange_request' ORDER BY id`,
  );
  const out = new Map<string, string[]>();
  for (const r of rows) out.set(r.id, [...(out.get(r.id) ?? []), `${r.kind} ${r.old ?? ""}→${r.new ?? ""}`]);
  return out;
}

describe("syncExchangeRequests against the simulator", () => {
  it("copies exchanges as served, follows a status move with one status_changed event, and a re-poll writes nothing", async () => {
    const delivered = sim
      .groundTruth(VENDOR.vendorId)
      .orders.filter((o) => o.status === "FINAL_DELIVERY")
      .map((o) => o.shipmentBoxId);
    expect(delivered.length).toBeGreaterThanOrEqual(3);
    const exchanges = [
      await newExchange(delivered[0]!),
      await newExchange(delivered[1]!),
      await newExchange(delivered[2]!),
    ];
    sim.clock.advance(5 * 60_000);

    const callsBefore = simCalls();
    const first = await poll();
    expect(first.outcome).toBe("completed");
    // The 20-day backfill to today: 21 KST days in three windows of ≤ 7, one list each (no status).
    expect([first.plan?.reason, first.queries, first.apiCalls]).toEqual(["3 hot", 3, 3]);
    expect(simCalls() - callsBefore).toBe(3);
    expect(first.stream).toBe(EXCHANGE_REQUESTS_STREAM);
    const served = await servedState();
    expect([...served.requests.keys()].sort()).toEqual(exchanges.map(String).sort());
    for (const v of served.requests.values()) expect(v).toMatch(/^RECEIPT:/);
    expect(served.items.size).toBeGreaterThanOrEqual(3);
    expect(await dbState()).toEqual(served);
    expect([first.boxesInserted, first.boxesUpdated, first.itemsInserted, first.rejected]).toEqual([
      3,
      0,
      served.items.size,
      0,
    ]);
    const checkpoint = await getCheckpoint(prisma, VENDOR.vendorId, EXCHANGE_REQUESTS_STREAM);
    expect(checkpoint?.cursor).toBeNull();
    expect(checkpoint?.syncedThrough?.toISOString()).toBe(first.syncedThrough);

    // The seller rejects one exchange: RECEIPT → REJECT.
    const rejected = await client.rejectExchange(exchanges[0]!, "SOLDOUT");
    expect(rejected).toMatchObject({ succeeded: true });
    sim.clock.advance(60_000);

    const second = await poll();
    expect(second.outcome).toBe("completed");
    // Today once, every status in one list: the REJECT is read without asking for it.
    expect([second.plan?.reason, second.queries, second.apiCalls]).toEqual(["1 hot", 1, 1]);
    expect(await dbState()).toEqual(await servedState());
    expect([second.boxesInserted, second.boxesUpdated, second.statusChanges]).toEqual([0, 1, 1]);
    const events = await requestEvents();
    expect(events.get(String(exchanges[0]))).toEqual(["created →RECEIPT", "status_changed RECEIPT→REJECT"]);
    for (const id of exchanges.slice(1)) expect(events.get(String(id))).toEqual(["created →RECEIPT"]);

    sim.clock.advance(60_000);
    const third = await poll();
    expect(third.outcome).toBe("completed");
    expect([
      third.boxesInserted,
      third.boxesUpdated,
      third.itemsInserted,
      third.itemsUpdated,
      third.events,
    ]).toEqual([0, 0, 0, 0, 0]);
  });

  it("counts stored exchanges per day and status, and their total, which is the one query's cost", async () => {
    const counts = await exchangeCountsByDay(prisma, VENDOR.vendorId, new Date("2025-03-01T00:00:00Z"));
    expect(counts).toEqual(
      new Map([
        [
          "2025-03-10",
          new Map([
            ["RECEIPT", 2],
            ["REJECT", 1],
            ["ALL", 3],
          ]),
        ],
      ]),
    );
    // A day later, with warm due: the day of the two open exchanges is read again, once.
    const plan = planExchangeRequests({
      now: new Date(sim.clock.nowMs() + 24 * HOUR),
      syncedThrough: new Date(sim.clock.nowMs() + 24 * HOUR - 10 * 60_000),
      tierRuns: { cold: new Date(sim.clock.nowMs() + 23 * HOUR).toISOString() },
      local: counts,
      config,
    });
    expect(
      plan.queries.map((q) => `${q.tier} ${q.status} ${q.createdAtFrom}..${q.createdAtTo} ${q.cost}`),
    ).toEqual(["hot ALL 2025-03-11..2025-03-11 1", "warm ALL 2025-03-10..2025-03-10 1"]);
  });
});

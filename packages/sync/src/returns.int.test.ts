import { beforeAll, describe, expect, it } from "vitest";
import type { CoupangClient } from "@cos/coupang";
import type { Simulator } from "@cos/coupang-sim";
import { getCheckpoint, type PrismaClient } from "@cos/db";
import { RETURN_REQUESTS_STREAM, syncReturnRequests } from "./returns.js";
import { testPlan, useSimulatedVendor } from "../../../test/support/simulated-vendor.js";

const VENDOR = { vendorId: "A00000077", accessKey: "ak-77", secretKey: "sk-77" };
/** 2025-03-10 12:00 KST: every poll of this file stays inside one KST day. */
const ANCHOR = new Date("2025-03-10T03:00:00Z");
const config = testPlan();

let sim: Simulator;
let prisma: PrismaClient;
let client: CoupangClient;
const fixture = useSimulatedVendor(VENDOR, {
  seed: 13,
  orders: 200,
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
const receiptOf = async (body: Record<string, unknown>) => BigInt(String((await event(body)).receiptId));
const newBox = async () => BigInt(String(((await event({ type: "order" })).shipmentBoxIds as unknown[])[0]));

const poll = () =>
  syncReturnRequests({
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
    `SELECT receipt_id::text AS id, receipt_type || ':' || receipt_status AS v FROM return_requests`,
  );
  const items = await prisma.$queryRawUnsafe<Array<{ k: string; box: string }>>(
    `SELECT receipt_id::text || ':' || vendor_item_id::text AS k, shipment_box_id::text AS box FROM return_items`,
  );
  return {
    requests: new Map(requests.map((r) => [r.id, r.v])),
    items: new Map(items.map((i) => [i.k, i.box])),
  };
}

function truthState(): State {
  const truth = sim.groundTruth(VENDOR.vendorId).returnRequests;
  return {
    requests: new Map(truth.map((r) => [String(r.receiptId), `${r.receiptType}:${r.receiptStatus}`])),
    items: new Map(
      truth.flatMap((r) =>
        r.returnItems.map((i) => [`${r.receiptId}:${i.vendorItemId}`, String(i.shipmentBoxId)] as const),
      ),
    ),
  };
}

/** Per receipt, its `return_request` events in order: `kind old→new`. */
async function requestEvents(): Promise<Map<string, string[]>> {
  const rows = await prisma.$queryRawUnsafe<
    Array<{ receipt: string; kind: string; old: string | null; new: string | null }>
  >(
    `SELECT entity_id AS receipt, kind, old_status AS old, new_status AS new FROM change_events
      WHERE entity = 'return_request' ORDER BY id`,
  );
  const out = new Map<string, string[]>();
  for (const r of rows)
    out.set(r.receipt, [...(out.get(r.receipt) ?? []), `${r.kind} ${r.old ?? ""}→${r.new ?? ""}`]);
  return out;
}

describe("syncReturnRequests against the simulator", () => {
  it("copies returns, stop-shipment requests and instant cancels, follows their transitions, and a re-poll writes nothing", async () => {
    const delivered = sim
      .groundTruth(VENDOR.vendorId)
      .orders.filter((o) => o.status === "FINAL_DELIVERY")
      .map((o) => o.shipmentBoxId);
    expect(delivered.length).toBeGreaterThanOrEqual(3);
    const returns = [
      await receiptOf({ type: "returnRequest", shipmentBoxId: delivered[0] }),
      await receiptOf({ type: "returnRequest", shipmentBoxId: delivered[1] }),
      await receiptOf({ type: "returnRequest", shipmentBoxId: delivered[2] }),
    ];
    const instruct = await newBox();
    expect((await client.acknowledgeOrders([instruct])).outcome).toBe("success");
    const stop = await receiptOf({ type: "stopShipmentRequest", shipmentBoxId: instruct });
    const cancel = await receiptOf({ type: "buyerCancel", shipmentBoxId: await newBox() });
    sim.clock.advance(5 * 60_000);

    const first = await poll();
    expect(first.outcome).toBe("completed");
    expect(first.stream).toBe(RETURN_REQUESTS_STREAM);
    const truth = truthState();
    expect(truth.requests.size).toBe(5);
    expect(truth.requests.get(String(stop))).toBe("RETURN:RELEASE_STOP_UNCHECKED");
    expect(truth.requests.get(String(cancel))).toBe("CANCEL:RETURNS_COMPLETED");
    for (const id of returns) expect(truth.requests.get(String(id))).toBe("RETURN:RETURNS_UNCHECKED");
    expect(await dbState()).toEqual(truth);
    // Lossless 18-digit shipmentBoxIds.
    for (const box of (await dbState()).items.values()) expect(box).toMatch(/^\d{18}$/);
    expect([first.boxesInserted, first.itemsInserted, first.rejected]).toEqual([5, truth.items.size, 0]);
    // The stop request is listed under RU and UC: its second read writes nothing.
    expect(first.boxesUpdated).toBe(0);
    const checkpoint = await getCheckpoint(prisma, VENDOR.vendorId, RETURN_REQUESTS_STREAM);
    expect(checkpoint?.cursor).toBeNull();
    expect(checkpoint?.syncedThrough?.toISOString()).toBe(first.syncedThrough);

    // Transitions: the seller stops the shipment (RU → CC), a return goes to Coupang's check (UC → PR).
    const total = (await client.getReturnRequest(stop)).value.cancelCountSum!;
    await client.stopShipment({ receiptId: stop, cancelCount: total });
    await event({ type: "coupangCheck", receiptId: returns[0] });
    sim.clock.advance(60_000);

    const second = await poll();
    expect(second.outcome).toBe("completed");
    expect(second.plan?.reason).toBe("5 hot");
    expect(await dbState()).toEqual(truthState());
    expect(second.statusChanges).toBe(2);
    const events = await requestEvents();
    expect(events.get(String(stop))).toEqual([
      "created →RELEASE_STOP_UNCHECKED",
      "status_changed RELEASE_STOP_UNCHECKED→RETURNS_COMPLETED",
    ]);
    expect(events.get(String(returns[0]))).toEqual([
      "created →RETURNS_UNCHECKED",
      "status_changed RETURNS_UNCHECKED→REQUEST_COUPANG_CHECK",
    ]);
    for (const id of [returns[1], returns[2]])
      expect(events.get(String(id))).toEqual(["created →RETURNS_UNCHECKED"]);
    expect(events.get(String(cancel))).toEqual(["created →RETURNS_COMPLETED"]);

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
});

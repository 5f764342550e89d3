import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { serializeCoupangJson, startSimulator, type GroundTruth, type Simulator } from "../../index.js";
import { DEFAULT_VENDOR } from "../../world/world.js";
import { TestClient, type Envelope } from "../testkit.js";
import type { WriteRecord } from "../writes.js";

const anchor = new Date("2025-03-10T03:00:00Z");
let sim: Simulator;
let api: TestClient;

beforeAll(async () => {
  sim = await startSimulator({
    seed: 21,
    orders: 200,
    anchor,
    clock: "simulated",
    ackVisibilityLagMinutes: 5,
  });
  api = new TestClient(sim, DEFAULT_VENDOR);
});
afterAll(async () => {
  await sim.close();
});

describe("/__sim/ admin API", () => {
  it("reads, advances and sets the clock, never backwards", async () => {
    expect((await api.admin("GET", "clock")).body).toEqual({ now: anchor.toISOString(), mode: "simulated" });
    expect((await api.admin("POST", "clock", { advanceMinutes: 90 })).body).toMatchObject({
      now: new Date(anchor.getTime() + 90 * 60_000).toISOString(),
    });
    expect((await api.admin("POST", "clock", { to: "2025-03-11T00:00:00Z" })).body).toMatchObject({
      now: "2025-03-11T00:00:00.000Z",
    });
    const back = await api.admin<{ message: string }>("POST", "clock", { to: "2025-03-10T00:00:00Z" });
    expect(back.status).toBe(400);
    expect(back.body.message).toMatch(/only moves forward/);
    expect((await api.admin("POST", "clock", {})).status).toBe(400);
    expect((await api.admin("POST", "clock", { advanceMs: -1 })).status).toBe(400);
    expect(sim.clock.now().toISOString()).toBe("2025-03-11T00:00:00.000Z");
    // Signatures are judged by the wall clock clients sign with, not by simulated time.
    const query = "createdAtFrom=2025-03-01&createdAtTo=2025-03-10&status=ACCEPT";
    expect((await api.get("ordersheets", query)).status).toBe(200);
    const stale = await api.call<{ message: string }>("GET", "ordersheets", {
      query,
      sign: { date: sim.clock.now() },
    });
    expect([stale.status, stale.body.message]).toEqual([401, "Specified signature is expired."]);
    const health = await api.admin<Record<string, unknown>>("GET", "health");
    expect(health.body).toMatchObject({
      status: "ok",
      now: "2025-03-11T00:00:00.000Z",
      clock: "simulated",
      anchor: anchor.toISOString(),
      ackVisibilityLagMinutes: 5,
      rateLimit: null,
      pendingEvents: 0,
    });
  });

  it("triggers buyer, carrier and Coupang events, refusing those that do not apply", async () => {
    const placed = await api.admin<{ orderId: bigint; shipmentBoxIds: bigint[] }>("POST", "events", {
      type: "order",
    });
    expect(placed.status).toBe(200);
    const id = placed.body.shipmentBoxIds[0]!;
    expect(String(id)).toMatch(/^\d{18}$/);
    expect((await api.admin("POST", "events", { type: "teleport" })).status).toBe(400);
    expect((await api.admin("POST", "events", { type: "buyerCancel", shipmentBoxId: 1 })).status).toBe(404);
    expect(
      (await api.admin("POST", "events", { type: "buyerCancel", vendorId: "NOPE", shipmentBoxId: id }))
        .status,
    ).toBe(404);
    const scan = await api.admin<{ message: string }>("POST", "events", {
      type: "carrierScan",
      shipmentBoxId: id,
    });
    expect(scan.status).toBe(409);
    expect(scan.body.message).toMatch(/not in transit/);
    expect((await api.admin("POST", "events", { type: "returnRequest", shipmentBoxId: id })).status).toBe(
      409,
    );
    expect((await api.admin("POST", "events", { type: "withdrawReturn", receiptId: 5 })).status).toBe(404);
  });

  it("logs writes with targets and body, filters them, and reports repeats", async () => {
    const placed = await api.admin<{ shipmentBoxIds: bigint[] }>("POST", "events", { type: "order" });
    const id = placed.body.shipmentBoxIds[0]!;
    const body = { vendorId: DEFAULT_VENDOR.vendorId, shipmentBoxIds: [id] };
    for (let k = 0; k < 2; k++) await api.call("PUT", "ordersheets/acknowledgement", { body });
    const log = await api.admin<{
      total: number;
      writes: WriteRecord[];
      repeated: { target: string; count: number }[];
    }>("GET", `writes?target=${id}`);
    expect(log.body.total).toBe(2);
    expect(log.body.writes[0]).toMatchObject({
      seq: 1,
      at: sim.clock.now().toISOString(),
      vendorId: DEFAULT_VENDOR.vendorId,
      endpoint: "PUT ordersheets/acknowledgement",
      targets: [`shipmentBoxId:${id}`],
      status: 200,
      body: serializeCoupangJson(body),
      delivered: true,
    });
    expect(log.body.repeated).toEqual([
      { endpoint: "PUT ordersheets/acknowledgement", target: `shipmentBoxId:${id}`, count: 2, seqs: [1, 2] },
    ]);
    expect((await api.admin<{ total: number }>("GET", "writes?endpoint=orders/invoices")).body.total).toBe(0);
    expect((await api.admin<{ total: number }>("GET", "writes?since=1")).body.total).toBe(1);
    expect(sim.writes({ endpoint: "ordersheets/acknowledgement" })).toHaveLength(2);
  });

  it("dumps the ground truth of every entity, streamed, equal to the in-process one", async () => {
    const placed = await api.admin<{ shipmentBoxIds: bigint[] }>("POST", "events", { type: "order" });
    await api.admin("POST", "events", { type: "buyerCancel", shipmentBoxId: placed.body.shipmentBoxIds[0] });
    const full = await api.admin<GroundTruth>("GET", "ground-truth?full=1");
    const truth = sim.groundTruth();
    expect(full.text).toBe(serializeCoupangJson(truth));
    expect(Object.keys(full.body)).toEqual([
      "vendorId",
      "boxes",
      "items",
      "boxesByStatus",
      "itemsByStatus",
      "orders",
      "delisted",
      "returnRequests",
      "returnWithdrawals",
      "exchanges",
    ]);
    expect(truth.delisted.map((o) => o.shipmentBoxId)).toContain(placed.body.shipmentBoxIds[0]);
    expect(truth.returnRequests).toHaveLength(1);
    const counts = await api.admin<Record<string, unknown>>("GET", "ground-truth");
    expect(counts.body).toMatchObject({
      boxes: truth.boxes,
      delisted: truth.delisted.length,
      returnRequests: 1,
      exchanges: 0,
    });
  });

  it("resets the world, calls, writes and faults; the clock keeps its time", async () => {
    await api.admin("POST", "faults", { kind: "latency", latencyMs: 1 });
    const before = sim.clock.now().toISOString();
    expect((await api.admin("POST", "reset")).body).toEqual({ status: "reset", now: before });
    expect(sim.calls()).toEqual({ total: 0 });
    expect((await api.admin<{ total: number }>("GET", "writes")).body.total).toBe(0);
    expect((await api.admin<{ rules: unknown[] }>("GET", "faults")).body.rules).toEqual([]);
    expect(sim.groundTruth().returnRequests).toEqual([]);
    expect(sim.groundTruth().delisted).toEqual([]);
    expect(sim.clock.now().toISOString()).toBe(before);
    const res = await api.get<Envelope<unknown[]>>(
      "ordersheets",
      "createdAtFrom=2025-03-01&createdAtTo=2025-03-10&status=ACCEPT",
    );
    expect(res.status).toBe(200);
    expect((await api.admin("DELETE", "calls")).body).toEqual({ total: 0 });
  });
});

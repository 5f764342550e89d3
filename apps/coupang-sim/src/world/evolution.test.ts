import { describe, expect, it } from "vitest";
import { serializeCoupangJson } from "../http/json.js";
import { resolveActivity } from "./activity.js";
import { World, DEFAULT_VENDOR, type WorldOptions } from "./world.js";

const anchor = new Date("2025-03-10T03:00:00Z");
const HOUR = 3_600_000;
const base: WorldOptions = {
  seed: 4,
  orders: 1500,
  days: 14,
  listLagMinutes: 10,
  vendors: [DEFAULT_VENDOR],
  anchor,
};
const id = DEFAULT_VENDOR.vendorId;
const at = (hours: number): Date => new Date(anchor.getTime() + hours * HOUR);
const dump = (world: World, hours: number): string => serializeCoupangJson(world.groundTruth(id, at(hours)));

describe("a world in simulated time", () => {
  it("is frozen by default: nothing is scheduled and a week later every box reads the same", () => {
    const world = World.generate(base);
    expect(world.pendingEvents).toBe(0);
    // An hour in, so boxes paid just before the anchor are past the list lag.
    const before = world.groundTruth(id, at(1));
    const after = world.groundTruth(id, at(24 * 7));
    expect(after.boxesByStatus).toEqual(before.boxesByStatus);
    expect(serializeCoupangJson(after.orders.map((o) => [o.shipmentBoxId, o.status, o.invoiceNumber]))).toBe(
      serializeCoupangJson(before.orders.map((o) => [o.shipmentBoxId, o.status, o.invoiceNumber])),
    );
  });

  it("when lively, takes orders, delivers them, and lets buyers cancel, move, stop, return, withdraw and exchange", () => {
    const world = World.generate({
      ...base,
      activity: {
        buyerCancelShare: 0.2,
        addressChangeShare: 0.2,
        stopShipmentShare: 0.2,
        returnShare: 0.2,
        exchangeShare: 0.2,
      },
    });
    expect(world.pendingEvents).toBeGreaterThan(100);
    const start = world.groundTruthCounts(id, anchor);
    const truth = world.groundTruth(id, at(72));
    const book = world.book(id)!;
    // New orders at the history's rate (1500 boxes over 14 days ≈ 4.5 an hour, 8% of orders with two boxes).
    const arrived = book.arrivals;
    expect(arrived).toBeGreaterThan((72 * 4.46 * 0.75) / 1.08);
    expect(arrived).toBeLessThan(72 * 4.46 * 1.25);
    // Carriers moved boxes along: fewer in transit than at the start, more delivered.
    expect(truth.boxesByStatus.DEPARTURE).toBeLessThan(start.boxesByStatus.DEPARTURE);
    expect(truth.boxesByStatus.FINAL_DELIVERY).toBeGreaterThan(start.boxesByStatus.FINAL_DELIVERY);
    const origins = new Set(book.receipts.map((r) => r.origin));
    expect([...origins].sort()).toEqual(["buyerCancel", "return", "stopRequest"]);
    const statuses = new Set(truth.returnRequests.map((r) => r.receiptStatus));
    expect(statuses).toContain("RELEASE_STOP_UNCHECKED");
    expect(statuses).toContain("RETURNS_UNCHECKED");
    expect(truth.returnRequests.some((r) => r.receiptType === "CANCEL")).toBe(true);
    expect(truth.returnWithdrawals.length).toBeGreaterThan(0);
    expect(truth.exchanges.length).toBeGreaterThan(0);
    expect(truth.exchanges.some((x) => x.collectStatus !== "BeforeDirection")).toBe(true);
    expect(truth.delisted.length).toBeGreaterThan(0);
    expect([...book.store.overlays.values()].some((o) => o.receiver !== undefined)).toBe(true);
    // Every arrival is ACCEPT at payment and listed once the list lag has passed.
    const newest = truth.orders[truth.orders.length - 1]!;
    expect(Date.parse(`${newest.paidAt}+09:00`)).toBeGreaterThan(anchor.getTime());
  });

  it("reaches the same state however time is stepped, and another seed reaches another", () => {
    const lively = { ...base, orders: 600, activity: "normal" as const };
    const once = World.generate(lively);
    const stepped = World.generate(lively);
    for (let h = 1; h <= 60; h += 7) stepped.advanceTo(at(h).getTime());
    expect(dump(stepped, 60)).toBe(dump(once, 60));
    expect(dump(World.generate({ ...lively, seed: 5 }), 60)).not.toBe(dump(once, 60));
  });

  it("resolves activity presets and refuses shares outside [0, 1]", () => {
    expect(resolveActivity("none", 5)).toMatchObject({
      newOrdersPerHour: 0,
      deliveryProgress: false,
      returnShare: 0,
    });
    expect(resolveActivity("normal", 5)).toMatchObject({ newOrdersPerHour: 5, deliveryProgress: true });
    expect(resolveActivity({ returnShare: 1 }, 5)).toMatchObject({ returnShare: 1, exchangeShare: 0.01 });
    expect(() => resolveActivity({ returnShare: 2 }, 5)).toThrow(RangeError);
    expect(() => resolveActivity({ newOrdersPerHour: -1 }, 5)).toThrow(RangeError);
  });
});

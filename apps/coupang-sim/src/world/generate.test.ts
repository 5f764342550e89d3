import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { serializeCoupangJson } from "../http/json.js";
import { carrierByCode, invoiceNumberFits } from "./carriers.js";
import { formatKstDate } from "./kst.js";
import { ORDER_STATUSES, type OrderSheet } from "./types.js";
import { DEFAULT_VENDOR, World, derivedVendors } from "./world.js";

const anchor = new Date("2025-03-10T03:00:00Z"); // 12:00 KST
const generate = (seed: number, orders = 1000): World =>
  World.generate({ seed, orders, days: 14, listLagMinutes: 10, vendors: [DEFAULT_VENDOR], anchor });
const all = (world: World): OrderSheet[] =>
  world.groundTruth(DEFAULT_VENDOR.vendorId, new Date(8.64e15)).orders;
const CARRIER_CODES = ["CJGLS", "HYUNDAI", "HANJIN", "KGB", "EPOST", "KDEXP", "DIRECT"];
const kstMs = (text: string): number => Date.parse(`${text.replace(" ", "T")}+09:00`);

// A copy of the shared example payload (coupang-api.md §13.1), kept beside the test so a fresh clone has it.
const fixture = JSON.parse(
  readFileSync(new URL("./fixtures/ordersheets-v4-list.json", import.meta.url), "utf8"),
) as {
  data: Record<string, unknown>[];
};

describe("generateVendorOrders via World.generate", () => {
  const world = generate(42);
  const orders = all(world);

  it("is deterministic: same seed and anchor give byte-identical orders, another seed differs", () => {
    expect(serializeCoupangJson(all(generate(42)))).toBe(serializeCoupangJson(orders));
    expect(serializeCoupangJson(all(generate(43)))).not.toBe(serializeCoupangJson(orders));
  });

  it("gives each vendor its own world and disjoint IDs; adding a vendor leaves the first unchanged", () => {
    const other = { vendorId: "A00099999", accessKey: "ak-2", secretKey: "sk-2" };
    const two = World.generate({
      seed: 42,
      orders: 1000,
      days: 14,
      listLagMinutes: 10,
      vendors: [DEFAULT_VENDOR, other],
      anchor,
    });
    const first = two.groundTruth(DEFAULT_VENDOR.vendorId, new Date(8.64e15)).orders;
    const second = two.groundTruth(other.vendorId, new Date(8.64e15)).orders;
    expect(serializeCoupangJson(first)).toBe(serializeCoupangJson(orders));
    const ids = new Set(first.map((o) => o.shipmentBoxId));
    expect(second.some((o) => ids.has(o.shipmentBoxId))).toBe(false);
    expect(second[0]!.orderId).not.toBe(first[0]!.orderId);
  });

  it("holds 1,000 derived vendors with disjoint ID ranges of unchanged widths, and no more", () => {
    const vendors = derivedVendors(1000);
    const many = World.generate({ seed: 42, orders: 3, days: 14, listLagMinutes: 10, vendors, anchor });
    const ranges = vendors.map((v) => {
      const boxes = many.groundTruth(v.vendorId, new Date(8.64e15)).orders;
      const items = boxes.flatMap((o) => o.orderItems);
      return {
        box: boxes.map((o) => o.shipmentBoxId),
        order: boxes.map((o) => o.orderId),
        vendorItem: items.map((i) => i.vendorItemId),
        product: items.map((i) => i.productId),
      };
    });
    const digits = { box: 18, order: 13, vendorItem: 11, product: 10 };
    for (const [key, width] of Object.entries(digits) as [keyof typeof digits, number][]) {
      const ids = ranges.flatMap((r) => r[key].map(BigInt));
      expect(
        ids.every((id) => id.toString().length === width),
        key,
      ).toBe(true);
      // Ranges rise with the vendor's index: each vendor's largest ID is below the next one's smallest.
      for (let i = 1; i < ranges.length; i++) {
        const below = ranges[i - 1]![key].map(BigInt);
        const above = ranges[i]![key].map(BigInt);
        expect(
          below.every((a) => above.every((b) => a < b)),
          `${key} of vendor ${i}`,
        ).toBe(true);
      }
    }
    expect(vendors[999]).toEqual({
      vendorId: "A00001000",
      accessKey: "sim-access-key-1000",
      secretKey: "sim-secret-key-1000",
    });
    expect(() => derivedVendors(1001)).toThrow(RangeError);
  });

  it("generates exactly the requested number of boxes, all six statuses among 1000", () => {
    expect(orders).toHaveLength(1000);
    for (const status of ORDER_STATUSES)
      expect(
        orders.some((o) => o.status === status),
        status,
      ).toBe(true);
  });

  it("has every field of the §13.1 example, in its order (plus isCod and extraProperties)", () => {
    const example = fixture.data[0]!;
    const exampleItem = (example.orderItems as Record<string, unknown>[])[0]!;
    for (const order of orders) {
      expect(Object.keys(order)).toEqual([...Object.keys(example), "isCod", "extraProperties"]);
      expect(Object.keys(order.orderer)).toEqual(Object.keys(example.orderer as object));
      expect(Object.keys(order.receiver)).toEqual(Object.keys(example.receiver as object));
      for (const item of order.orderItems) expect(Object.keys(item)).toEqual(Object.keys(exampleItem));
    }
  });

  it("gives unique 18-digit shipmentBoxIds and 13-digit orderIds, both rising with orderedAt", () => {
    const ids = orders.map((o) => o.shipmentBoxId);
    expect(new Set(ids).size).toBe(ids.length);
    for (let i = 0; i < orders.length; i++) {
      const o = orders[i]!;
      expect(o.shipmentBoxId.toString()).toMatch(/^[1-9]\d{17}$/);
      expect(o.orderId.toString()).toMatch(/^[1-9]\d{12}$/);
      if (i > 0) {
        expect(o.shipmentBoxId > orders[i - 1]!.shipmentBoxId).toBe(true);
        expect(o.orderId >= orders[i - 1]!.orderId).toBe(true);
        expect(o.orderedAt >= orders[i - 1]!.orderedAt).toBe(true);
      }
    }
    // Beyond 2^53, so a client that parses with JSON.parse would corrupt them.
    expect(orders.every((o) => o.shipmentBoxId > BigInt(Number.MAX_SAFE_INTEGER))).toBe(true);
  });

  it("puts one or two boxes in an order, sharing buyer, address and times", () => {
    const byOrder = new Map<bigint, OrderSheet[]>();
    for (const o of orders) byOrder.set(o.orderId, [...(byOrder.get(o.orderId) ?? []), o]);
    const sizes = [...byOrder.values()].map((boxes) => boxes.length);
    expect(Math.max(...sizes)).toBe(2);
    expect(sizes.filter((n) => n === 2).length).toBeGreaterThan(10);
    for (const boxes of byOrder.values()) {
      const [first, ...rest] = boxes;
      for (const box of rest) {
        expect(box.orderer).toEqual(first!.orderer);
        expect(box.receiver).toEqual(first!.receiver);
        expect(box.orderedAt).toBe(first!.orderedAt);
        expect(box.paidAt).toBe(first!.paidAt);
      }
    }
  });

  it("formats KST times without offset and keeps every event ordered and no later than the anchor", () => {
    const dt = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/;
    const spaced = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;
    const from = anchor.getTime() - 14 * 24 * 3600 * 1000;
    for (const o of orders) {
      expect(o.orderedAt).toMatch(dt);
      expect(o.paidAt).toMatch(dt);
      const ordered = kstMs(o.orderedAt);
      const paid = kstMs(o.paidAt);
      expect(ordered).toBeGreaterThanOrEqual(from - 1000);
      expect(paid - ordered).toBeGreaterThanOrEqual(3000);
      expect(paid - ordered).toBeLessThanOrEqual(30 * 60 * 1000);
      expect(paid).toBeLessThanOrEqual(anchor.getTime());
      let last = paid;
      for (const [text, pattern] of [
        [o.orderItems[0]!.invoiceNumberUploadDate, dt],
        [o.inTrasitDateTime, spaced],
        [o.deliveredDate, spaced],
        [o.orderItems[0]!.confirmDate, spaced],
      ] as const) {
        if (text === "") continue;
        expect(text).toMatch(pattern);
        expect(kstMs(text)).toBeGreaterThanOrEqual(last);
        expect(kstMs(text)).toBeLessThanOrEqual(anchor.getTime());
        last = kstMs(text);
      }
    }
  });

  it("fills shipping fields exactly for the statuses that have them", () => {
    for (const o of orders) {
      const upload = o.orderItems[0]!.invoiceNumberUploadDate;
      switch (o.status) {
        case "ACCEPT":
        case "INSTRUCT":
          expect([
            o.deliveryCompanyName,
            o.invoiceNumber,
            o.inTrasitDateTime,
            o.deliveredDate,
            upload,
          ]).toEqual(["", "", "", "", ""]);
          break;
        case "DEPARTURE":
          expect(o.deliveryCompanyName).not.toBe("");
          expect(upload).not.toBe("");
          expect([o.inTrasitDateTime, o.deliveredDate]).toEqual(["", ""]);
          break;
        case "DELIVERING":
          expect(o.inTrasitDateTime).not.toBe("");
          expect(o.deliveredDate).toBe("");
          break;
        case "FINAL_DELIVERY":
          expect(o.deliveredDate).not.toBe("");
          break;
        case "NONE_TRACKING":
          expect(o.deliveryCompanyName).toBe("업체직송");
          expect([o.inTrasitDateTime, o.deliveredDate]).toEqual(["", ""]);
          break;
      }
      if (o.status !== "ACCEPT" && o.status !== "INSTRUCT") {
        expect(o.invoiceNumber).toMatch(/^[1-9]\d{7,15}$/);
        const carrier = [...CARRIER_CODES].map(carrierByCode).find((c) => c?.name === o.deliveryCompanyName);
        expect(carrier, o.deliveryCompanyName).toBeDefined();
        expect(invoiceNumberFits(carrier!, o.invoiceNumber), o.invoiceNumber).toBe(true);
      }
      for (const item of o.orderItems) expect(item.invoiceNumberUploadDate).toBe(upload);
    }
  });

  it("makes old boxes mostly FINAL_DELIVERY and new ones ACCEPT or INSTRUCT", () => {
    const age = (o: OrderSheet): number => (anchor.getTime() - kstMs(o.paidAt)) / 3_600_000;
    const old = orders.filter((o) => age(o) > 96);
    expect(old.filter((o) => o.status === "FINAL_DELIVERY").length / old.length).toBeGreaterThan(0.9);
    const fresh = orders.filter((o) => age(o) < 2);
    expect(fresh.every((o) => o.status === "ACCEPT" || o.status === "INSTRUCT")).toBe(true);
  });

  it("writes consistent KRW prices, distinct vendorItemIds per box and plausible Korean parties", () => {
    for (const o of orders) {
      expect(o.orderItems.length).toBeGreaterThanOrEqual(1);
      expect(o.orderItems.length).toBeLessThanOrEqual(4);
      const vendorItemIds = o.orderItems.map((i) => i.vendorItemId);
      expect(new Set(vendorItemIds).size).toBe(vendorItemIds.length);
      for (const item of o.orderItems) {
        expect(item.vendorItemId.toString()).toMatch(/^\d{11}$/);
        expect(Number.isInteger(item.salesPrice) && item.salesPrice % 10 === 0).toBe(true);
        expect(item.orderPrice).toBe(item.salesPrice * item.shippingCount);
        expect(item.discountPrice === null ? 0 : item.discountPrice).toBe(item.instantCouponDiscount);
        expect(item.estimatedShippingDate >= formatKstDate(kstMs(o.paidAt))).toBe(true);
      }
      expect(o.orderer.name).toMatch(/^[가-힣]+\*+[가-힣]?$/);
      expect(o.orderer.email).toBe("");
      expect(o.orderer.safeNumber).toMatch(/^0503-\d{4}-\d{4}$/);
      expect(o.receiver.safeNumber).toMatch(/^0503-\d{4}-\d{4}$/);
      expect(o.receiver.postCode).toMatch(/^\d{5}$/);
      expect(o.receiver.addr1).toMatch(/^[가-힣]+ .* \d+(-\d+)?$/);
      expect(o.remoteArea).toBe(o.remotePrice !== null);
      if (o.status === "NONE_TRACKING") expect(o.deliveryCompanyName).toBe("업체직송");
    }
    expect(orders.some((o) => o.orderItems.length > 1)).toBe(true);
  });

  it("rejects invalid options", () => {
    const base = { seed: 1, orders: 1, days: 1, listLagMinutes: 10, vendors: [DEFAULT_VENDOR], anchor };
    expect(() => World.generate({ ...base, orders: -1 })).toThrow(RangeError);
    expect(() => World.generate({ ...base, days: 0 })).toThrow(RangeError);
    expect(() => World.generate({ ...base, vendors: [] })).toThrow(RangeError);
    expect(() =>
      World.generate({ ...base, vendors: [DEFAULT_VENDOR, { ...DEFAULT_VENDOR, vendorId: "A2" }] }),
    ).toThrow(/accessKey/);
  });
});

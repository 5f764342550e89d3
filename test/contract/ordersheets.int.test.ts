// Contract: the PO read endpoints (coupang-api.md §2) through @cos/coupang against @cos/coupang-sim.
import { CoupangDataError, ORDER_STATUSES, splitDailyWindows, splitMinuteWindows } from "@cos/coupang";
import type { OrderSheetPage } from "@cos/coupang";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ANCHOR,
  DAY_MS,
  MINUTE_MS,
  callsOf,
  kstDay,
  kstMinute,
  startContract,
  truthBoxes,
  wireJson,
} from "./support.js";
import type { Contract } from "./support.js";

let c: Contract;

beforeAll(async () => {
  c = await startContract();
});
afterAll(async () => {
  await c?.close();
});

describe("PO list, daily mode (§2.1)", () => {
  it("pages with nextToken to the end and equals the ground truth of a status and window, byte for byte", async () => {
    const from = kstDay(ANCHOR.getTime() - 15 * DAY_MS);
    const to = kstDay(ANCHOR);
    const truth = truthBoxes(
      c.sim,
      (o) =>
        o.status === "FINAL_DELIVERY" && o.orderedAt.slice(0, 10) >= from && o.orderedAt.slice(0, 10) <= to,
    );
    expect(truth.length).toBeGreaterThan(100);
    const before = callsOf(c.sim, "GET ordersheets");
    const pages: OrderSheetPage[] = [];
    for await (const page of c.client.orderSheetPages({
      status: "FINAL_DELIVERY",
      createdAtFrom: from,
      createdAtTo: to,
    })) {
      pages.push(page);
    }
    const expectedPages = Math.ceil(truth.length / 50);
    expect(pages).toHaveLength(expectedPages);
    expect(callsOf(c.sim, "GET ordersheets") - before).toBe(expectedPages);
    // Every page but the last is full and carries the last box's ID as its token; the last has none.
    for (const [k, page] of pages.entries()) {
      expect(page.rejected).toEqual([]);
      if (k < pages.length - 1) {
        expect(page.orders).toHaveLength(50);
        expect(page.nextToken).toBe(String(page.orders[49]!.value.shipmentBoxId));
      } else {
        expect(page.nextToken).toBeUndefined();
      }
    }
    const orders = pages.flatMap((p) => p.orders);
    expect(orders.map((o) => o.value.shipmentBoxId)).toEqual(truth.map((o) => o.shipmentBoxId));
    expect(orders.map((o) => o.rawJson)).toEqual(truth.map(wireJson));
    // 18-digit IDs survive as bigint; v4 KST wall-clock times become the right instants.
    const first = orders[0]!.value;
    expect(String(first.shipmentBoxId)).toMatch(/^\d{18}$/);
    expect(first.shipmentBoxId > BigInt(Number.MAX_SAFE_INTEGER)).toBe(true);
    expect(first.orderedAt?.toISOString()).toBe(new Date(`${truth[0]!.orderedAt}+09:00`).toISOString());
    expect(first.status).toBe("FINAL_DELIVERY");
  });

  it("for every status, the listing of the whole history is the ground truth and no record is rejected", async () => {
    const from = kstDay(ANCHOR.getTime() - 20 * DAY_MS);
    const to = kstDay(ANCHOR);
    const counts: Record<string, number> = {};
    for (const status of ORDER_STATUSES) {
      const json: string[] = [];
      for await (const page of c.client.orderSheetPages({ status, createdAtFrom: from, createdAtTo: to })) {
        expect(page.rejected, status).toEqual([]);
        json.push(...page.orders.map((o) => o.rawJson));
      }
      expect(json, status).toEqual(truthBoxes(c.sim, (o) => o.status === status).map(wireJson));
      counts[status] = json.length;
    }
    const truth = c.sim.groundTruth();
    expect(counts).toEqual(truth.boxesByStatus);
    expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBe(truth.boxes);
  });

  it("covers a 45-day range with splitDailyWindows: every listed box of the status exactly once", async () => {
    const windows = splitDailyWindows(
      new Date(ANCHOR.getTime() - 45 * DAY_MS),
      new Date(ANCHOR.getTime() + 1),
    );
    expect(windows.map((w) => [w.createdAtFrom, w.createdAtTo])).toEqual([
      ["2025-01-24", "2025-02-23"],
      ["2025-02-24", "2025-03-10"],
    ]);
    const ids: bigint[] = [];
    for (const w of windows) {
      for await (const page of c.client.orderSheetPages({
        status: "DELIVERING",
        createdAtFrom: w.createdAtFrom,
        createdAtTo: w.createdAtTo,
        maxPerPage: 7,
      })) {
        expect(page.rejected).toEqual([]);
        ids.push(...page.orders.map((o) => o.value.shipmentBoxId));
      }
    }
    const truth = truthBoxes(c.sim, (o) => o.status === "DELIVERING").map((o) => o.shipmentBoxId);
    expect(truth.length).toBeGreaterThan(7);
    expect(ids).toEqual(truth);
  });

  it("answers an empty data array, with no token, for a window without orders", async () => {
    const page = await c.client.listOrderSheets({
      status: "ACCEPT",
      createdAtFrom: "2024-01-01",
      createdAtTo: "2024-01-31",
    });
    expect(page).toEqual({
      orders: [],
      rejected: [],
      nextToken: undefined,
      receiveTimings: { parseCpuMs: expect.any(Number), validateCpuMs: expect.any(Number) },
    });
  });

  it("refuses a 32-day window before calling; the simulator refuses the same window with a 400", async () => {
    const before = c.sim.calls().total;
    await expect(
      c.client.listOrderSheets({ status: "ACCEPT", createdAtFrom: "2025-01-01", createdAtTo: "2025-02-01" }),
    ).rejects.toMatchObject({ name: "CoupangInputError", field: "createdAtTo" });
    expect(c.sim.calls().total).toBe(before);
    // 31 days inclusive is the limit on both sides.
    await expect(
      c.client.listOrderSheets({ status: "ACCEPT", createdAtFrom: "2025-01-01", createdAtTo: "2025-01-31" }),
    ).resolves.toMatchObject({ rejected: [] });
  });
});

describe("PO list, minute mode (§2.1, searchType=timeFrame)", () => {
  it("returns every box of the window (createdAtTo's minute included) without paging, equal to the ground truth", async () => {
    const fromMs = ANCHOR.getTime() - 24 * 60 * MINUTE_MS;
    const from = kstMinute(fromMs);
    const to = kstMinute(ANCHOR);
    const truth = truthBoxes(c.sim, (o) => {
      const minute = o.orderedAt.slice(0, 16);
      return o.status === "DEPARTURE" && minute >= from && minute <= to;
    });
    expect(truth.length).toBeGreaterThan(0);
    const before = callsOf(c.sim, "GET ordersheets");
    const list = await c.client.listOrderSheetsByTimeFrame({
      status: "DEPARTURE",
      createdAtFrom: from,
      createdAtTo: to,
    });
    expect(callsOf(c.sim, "GET ordersheets") - before).toBe(1);
    expect(list.rejected).toEqual([]);
    expect(list.orders.map((o) => o.rawJson)).toEqual(truth.map(wireJson));
  });

  it("overlapping 10-minute slices find each box of the last 3 hours at least once and nothing else", async () => {
    const start = new Date(ANCHOR.getTime() - 3 * 60 * MINUTE_MS);
    const windows = splitMinuteWindows(start, ANCHOR, { maxMinutes: 10, overlapMinutes: 2 });
    expect(windows[0]).toMatchObject({ createdAtFrom: "2025-03-10T09:00", createdAtTo: "2025-03-10T09:10" });
    const seen = new Set<bigint>();
    for (const w of windows) {
      for (const status of ["ACCEPT", "INSTRUCT"] as const) {
        const list = await c.client.listOrderSheetsByTimeFrame({
          status,
          createdAtFrom: w.createdAtFrom,
          createdAtTo: w.createdAtTo,
        });
        expect(list.rejected).toEqual([]);
        for (const o of list.orders) seen.add(o.value.shipmentBoxId);
      }
    }
    const from = kstMinute(start);
    const truth = truthBoxes(
      c.sim,
      (o) => (o.status === "ACCEPT" || o.status === "INSTRUCT") && o.orderedAt.slice(0, 16) >= from,
    ).map((o) => o.shipmentBoxId);
    expect(truth.length).toBeGreaterThan(0);
    expect([...seen].sort((a, b) => (a < b ? -1 : 1))).toEqual(truth);
  });

  it("refuses a window over 24 h before calling", async () => {
    const before = c.sim.calls().total;
    await expect(
      c.client.listOrderSheetsByTimeFrame({
        status: "ACCEPT",
        createdAtFrom: "2025-03-09T11:59",
        createdAtTo: "2025-03-10T12:00",
      }),
    ).rejects.toMatchObject({ name: "CoupangInputError", field: "createdAtTo" });
    expect(c.sim.calls().total).toBe(before);
    // Exactly 24 h is the limit on both sides.
    await expect(
      c.client.listOrderSheetsByTimeFrame({
        status: "ACCEPT",
        createdAtFrom: "2025-03-09T12:00",
        createdAtTo: "2025-03-10T12:00",
      }),
    ).resolves.toMatchObject({ rejected: [] });
    expect(callsOf(c.sim, "total")).toBe((before ?? 0) + 1);
  });
});

describe("single PO, by orderId, history (§2.2–§2.4)", () => {
  it("the single lookup sees a new order at once, the list only after the 10-minute list lag (§0.6)", async () => {
    const placed = await c.newOrder();
    const id = placed.shipmentBoxIds[0]!;
    const box = await c.client.getOrderSheet(id);
    expect(box.value).toMatchObject({ shipmentBoxId: id, orderId: placed.orderId, status: "ACCEPT" });
    expect(box.value.paidAt?.getTime()).toBe(c.sim.clock.nowMs() - (c.sim.clock.nowMs() % 1000));
    const day = kstDay(c.sim.clock.now());
    const listed = async (): Promise<bigint[]> => {
      const ids: bigint[] = [];
      for await (const page of c.client.orderSheetPages({
        status: "ACCEPT",
        createdAtFrom: day,
        createdAtTo: day,
      }))
        ids.push(...page.orders.map((o) => o.value.shipmentBoxId));
      return ids;
    };
    expect(await listed()).not.toContain(id);
    c.advance(9 * MINUTE_MS);
    expect(await listed()).not.toContain(id);
    c.advance(MINUTE_MS);
    expect(await listed()).toContain(id);
  });

  it("an address change while ACCEPT shows in the single lookup; re-read after acknowledging (B-14)", async () => {
    const id = (await c.newOrder()).shipmentBoxIds[0]!;
    const before = (await c.client.getOrderSheet(id)).value.receiver!;
    await c.event({ type: "addressChange", shipmentBoxId: id });
    const after = (await c.client.getOrderSheet(id)).value.receiver!;
    expect(after.name).toBe(before.name);
    expect([after.addr1, after.postCode]).not.toEqual([before.addr1, before.postCode]);
    expect((await c.client.acknowledgeOrders([id])).outcome).toBe("success");
    const acked = (await c.client.getOrderSheet(id)).value;
    expect(acked).toMatchObject({
      status: "INSTRUCT",
      receiver: { addr1: after.addr1, postCode: after.postCode },
    });
    // No more changes once INSTRUCT.
    expect((await c.admin("POST", "events", { type: "addressChange", shipmentBoxId: id })).status).toBe(409);
  });

  it("returns one box exactly as the ground truth serializes it", async () => {
    const truth = truthBoxes(c.sim, (o) => o.status === "DELIVERING")[0]!;
    const box = await c.client.getOrderSheet(truth.shipmentBoxId);
    expect(box.rawJson).toBe(wireJson(truth));
    expect(box.value).toMatchObject({
      shipmentBoxId: truth.shipmentBoxId,
      orderId: truth.orderId,
      status: "DELIVERING",
      invoiceNumber: truth.invoiceNumber,
      deliveryCompanyName: truth.deliveryCompanyName,
    });
    // inTrasitDateTime (sic) "yyyy-MM-dd HH:mm:ss" KST → inTransitAt; "" deliveredDate → absent.
    expect(box.value.inTransitAt?.toISOString()).toBe(
      new Date(`${truth.inTrasitDateTime.replace(" ", "T")}+09:00`).toISOString(),
    );
    expect(box.value.deliveredDate).toBeUndefined();
    // A string-ID lookup gives the same box.
    expect((await c.client.getOrderSheet(String(truth.shipmentBoxId))).rawJson).toBe(box.rawJson);
  });

  it("an unknown box is a 400 from the simulator, a CoupangDataError from the client", async () => {
    const error = await c.client.getOrderSheet(123456789012345678n).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CoupangDataError);
    expect(error).toMatchObject({ statusCode: 400, retryable: false });
    expect((error as CoupangDataError).body).toContain("123456789012345678");
  });

  it("by orderId: every box of a two-box order, in the order's array form", async () => {
    const truth = c.sim.groundTruth().orders;
    const byOrder = new Map<bigint, typeof truth>();
    for (const o of truth) byOrder.set(o.orderId, [...(byOrder.get(o.orderId) ?? []), o]);
    const [orderId, boxes] = [...byOrder].find(([, b]) => b.length === 2)!;
    const list = await c.client.getOrderSheetsByOrderId(orderId);
    expect(list.rejected).toEqual([]);
    expect(list.orders.map((o) => o.rawJson)).toEqual(boxes.map(wireJson));
    expect(list.orders.map((o) => o.value.orderId)).toEqual([orderId, orderId]);
    await expect(c.client.getOrderSheetsByOrderId(String(orderId))).resolves.toMatchObject({
      orders: [
        { value: { shipmentBoxId: boxes[0]!.shipmentBoxId } },
        { value: { shipmentBoxId: boxes[1]!.shipmentBoxId } },
      ],
    });
  });

  it("history: newest first, PO statuses, KST updatedAt as instants", async () => {
    const truth = truthBoxes(c.sim, (o) => o.status === "FINAL_DELIVERY")[0]!;
    const history = await c.client.getDeliveryHistory(truth.shipmentBoxId);
    expect(history.shipmentBoxId).toBe(truth.shipmentBoxId);
    expect(history.rejected).toEqual([]);
    expect(history.details.map((d) => d.deliveryStatus)).toEqual([
      "FINAL_DELIVERY",
      "DELIVERING",
      "DEPARTURE",
      "INSTRUCT",
      "ACCEPT",
    ]);
    const times = history.details.map((d) => d.updatedAt!.getTime());
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    expect(history.details.at(-1)!.updatedAt!.toISOString()).toBe(
      new Date(`${truth.paidAt}+09:00`).toISOString(),
    );
  });
});

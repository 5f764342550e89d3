import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestClient, type Envelope } from "./http/testkit.js";
import type { WriteRecord } from "./http/writes.js";
import { startSimulator, type Simulator } from "./index.js";
import type {
  ExchangeRequest,
  HistoryDetail,
  OrderSheet,
  ReturnRequest,
  ReturnWithdrawal,
} from "./world/types.js";
import { DEFAULT_VENDOR } from "./world/world.js";

// The acceptance scenario of issue 4: one order after another taken through every life-cycle
// path with nothing but HTTP — Coupang's endpoints for the seller, /__sim/ for the buyer, the
// carrier and the clock. The world is otherwise frozen except for carriers, so every step is
// caused by the test; the clock is simulated, so nothing waits.

const anchor = new Date("2025-03-10T03:00:00Z"); // 12:00 KST
const vendor = DEFAULT_VENDOR;
let sim: Simulator;
let api: TestClient;
/** The box the split-shipment test ships in two calls: the one target legitimately written twice. */
let splitBox: bigint | undefined;

beforeAll(async () => {
  sim = await startSimulator({
    seed: 11,
    orders: 300,
    anchor,
    clock: "simulated",
    activity: {
      newOrdersPerHour: 0,
      buyerCancelShare: 0,
      addressChangeShare: 0,
      stopShipmentShare: 0,
      returnShare: 0,
      exchangeShare: 0,
      withdrawShare: 0,
      exchangeCancelShare: 0,
      coupangCheckShare: 0,
    },
    exchangeBoxLagMinutes: 10,
  });
  api = new TestClient(sim, vendor);
});
afterAll(async () => {
  await sim.close();
});

const kst = (d: Date): string => new Date(d.getTime() + 9 * 3600_000).toISOString().slice(0, 10);
const kstMinute = (d: Date): string => new Date(d.getTime() + 9 * 3600_000).toISOString().slice(0, 16);
const advance = async (body: Record<string, number>): Promise<void> => {
  expect((await api.admin("POST", "clock", body)).status).toBe(200);
};
const event = async <T = Record<string, bigint>>(body: Record<string, unknown>): Promise<T> => {
  const res = await api.admin<T>("POST", "events", body);
  expect(res.status, res.text).toBe(200);
  return res.body;
};
const box = async (id: bigint): Promise<OrderSheet> => {
  const res = await api.get<Envelope<OrderSheet>>(`ordersheets/${id}`);
  expect(res.status, res.text).toBe(200);
  return res.body.data;
};
const listIds = async (status: string): Promise<bigint[]> => {
  const day = kst(sim.clock.now());
  const res = await api.get<Envelope<OrderSheet[]>>(
    "ordersheets",
    `createdAtFrom=${kst(new Date(sim.clock.now().getTime() - 20 * 86_400_000))}&createdAtTo=${day}&status=${status}&maxPerPage=50`,
  );
  expect(res.status).toBe(200);
  const ids = res.body.data.map((o) => o.shipmentBoxId);
  let token = res.body.nextToken;
  while (token !== undefined && token !== "") {
    const next = await api.get<Envelope<OrderSheet[]>>(
      "ordersheets",
      `createdAtFrom=${kst(new Date(sim.clock.now().getTime() - 20 * 86_400_000))}&createdAtTo=${day}&status=${status}&maxPerPage=50&nextToken=${token}`,
    );
    ids.push(...next.body.data.map((o) => o.shipmentBoxId));
    token = next.body.nextToken;
  }
  return ids;
};
const ack = (ids: bigint[]) =>
  api.call<Envelope<{ responseCode: number; responseList: { succeed: boolean; resultCode: string }[] }>>(
    "PUT",
    "ordersheets/acknowledgement",
    { body: { vendorId: vendor.vendorId, shipmentBoxIds: ids } },
  );
const invoice = (o: OrderSheet, code: string, number: string, mode = "invoices") =>
  api.call<Envelope<{ responseCode: number; responseList: { shipmentBoxId: bigint; resultCode: string }[] }>>(
    "POST",
    `orders/${mode}`,
    {
      body: {
        vendorId: vendor.vendorId,
        orderSheetInvoiceApplyDtos: o.orderItems.map((item) => ({
          shipmentBoxId: o.shipmentBoxId,
          orderId: o.orderId,
          vendorItemId: item.vendorItemId,
          deliveryCompanyCode: code,
          invoiceNumber: number,
          splitShipping: false,
          preSplitShipped: false,
          estimatedShippingDate: "",
        })),
      },
    },
  );
const newOrder = async (): Promise<OrderSheet> => {
  const placed = await event<{ orderId: bigint; shipmentBoxIds: bigint[] }>({ type: "order" });
  return box(placed.shipmentBoxIds[0]!);
};
const receipt = async (id: bigint): Promise<ReturnRequest> => {
  const res = await api.get<Envelope<ReturnRequest[]>>(`returnRequests/${id}`, undefined, "v6");
  expect(res.status, res.text).toBe(200);
  return res.body.data[0]!;
};
const writesOf = async (target: bigint): Promise<WriteRecord[]> =>
  (await api.admin<{ writes: WriteRecord[] }>("GET", `writes?target=${target}`)).body.writes;
const uniqueInvoice = (() => {
  let n = 100_000_000_000;
  return (): string => String(++n);
})();
/** Moves the clock an hour at a time until box `id` reaches `status` (carriers take 2–30 h a step). */
const untilStatus = async (id: bigint, status: string): Promise<OrderSheet> => {
  for (let hour = 0; hour < 80; hour++) {
    const o = await box(id);
    if (o.status === status) return o;
    await advance({ advanceHours: 1 });
  }
  throw new Error(`Box ${id} never reached ${status}`);
};
/** Delivers box `o` (already ACCEPT) by acknowledging, uploading an invoice and letting the carrier work. */
const deliver = async (o: OrderSheet): Promise<OrderSheet> => {
  expect((await ack([o.shipmentBoxId])).body.data.responseCode).toBe(0);
  expect((await invoice(await box(o.shipmentBoxId), "CJGLS", uniqueInvoice())).body.data.responseCode).toBe(
    0,
  );
  return untilStatus(o.shipmentBoxId, "FINAL_DELIVERY");
};

describe("an order's life cycle through the API alone", () => {
  it("payment → ACCEPT → acknowledge → INSTRUCT → invoice → DEPARTURE → DELIVERING → FINAL_DELIVERY", async () => {
    const placed = await event<{ orderId: bigint; shipmentBoxIds: bigint[] }>({ type: "order" });
    const id = placed.shipmentBoxIds[0]!;
    // The single lookup sees the order at once; the list only after the list lag (§0.6).
    expect((await box(id)).status).toBe("ACCEPT");
    expect(await listIds("ACCEPT")).not.toContain(id);
    await advance({ advanceMinutes: 10 });
    expect(await listIds("ACCEPT")).toContain(id);

    const acked = await ack([id]);
    expect(acked.body.data.responseList[0]).toMatchObject({ succeed: true, resultCode: "OK" });
    expect((await box(id)).status).toBe("INSTRUCT");
    expect(await listIds("INSTRUCT")).toContain(id);

    const o = await box(id);
    const number = uniqueInvoice();
    expect((await invoice(o, "CJGLS", number)).body.data.responseCode).toBe(0);
    const shipped = await box(id);
    expect(shipped).toMatchObject({
      status: "DEPARTURE",
      deliveryCompanyName: "CJ 대한통운",
      invoiceNumber: number,
    });
    expect(shipped.orderItems[0]!.invoiceNumberUploadDate).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/);

    const moving = await untilStatus(id, "DELIVERING");
    expect(moving.inTrasitDateTime).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    const done = await untilStatus(id, "FINAL_DELIVERY");
    expect(done.deliveredDate).not.toBe("");
    expect(await listIds("FINAL_DELIVERY")).toContain(id);

    const history = await api.get<Envelope<{ shipmentBoxId: bigint; details: HistoryDetail[] }>>(
      `ordersheets/${id}/history`,
    );
    expect(history.body.data.details.map((d) => d.deliveryStatus)).toEqual([
      "FINAL_DELIVERY",
      "DELIVERING",
      "DEPARTURE",
      "INSTRUCT",
      "ACCEPT",
    ]);
    // Each write happened exactly once.
    expect((await writesOf(id)).map((w) => w.endpoint)).toEqual([
      "PUT ordersheets/acknowledgement",
      "POST orders/invoices",
    ]);
  });

  it("DIRECT delivery ends as NONE_TRACKING and never moves on", async () => {
    const o = await newOrder();
    await ack([o.shipmentBoxId]);
    expect((await invoice(await box(o.shipmentBoxId), "DIRECT", "D-20250310-1")).body.data.responseCode).toBe(
      0,
    );
    await advance({ advanceHours: 72 });
    expect(await box(o.shipmentBoxId)).toMatchObject({
      status: "NONE_TRACKING",
      deliveryCompanyName: "업체직송",
    });
  });

  it("the buyer changes the address while ACCEPT; the single lookup shows it (B-14)", async () => {
    const o = await newOrder();
    await event({ type: "addressChange", shipmentBoxId: o.shipmentBoxId });
    const moved = await box(o.shipmentBoxId);
    expect(moved.receiver.name).toBe(o.receiver.name);
    expect([moved.receiver.addr1, moved.receiver.postCode]).not.toEqual([
      o.receiver.addr1,
      o.receiver.postCode,
    ]);
    await ack([o.shipmentBoxId]);
    const refused = await api.admin("POST", "events", {
      type: "addressChange",
      shipmentBoxId: o.shipmentBoxId,
    });
    expect(refused.status).toBe(409);
  });

  it("cancel at ACCEPT: full only, an instant CANCEL receipt, the box leaves the list", async () => {
    const o = await newOrder();
    await advance({ advanceMinutes: 10 });
    const cancel = (ids: bigint[], counts: number[]) =>
      api.call<
        Envelope<{
          receiptMap: Record<string, { receiptId: bigint; receiptType: string }>;
          failedVendorItemIds: bigint[];
        }>
      >("POST", `orders/${o.orderId}/cancel`, {
        version: "v5",
        body: {
          orderId: o.orderId,
          vendorItemIds: ids,
          receiptCounts: counts,
          bigCancelCode: "CANERR",
          middleCancelCode: "CCTTER",
          vendorId: vendor.vendorId,
          userId: "wing-user",
        },
      });
    const item = o.orderItems[0]!;
    if (item.shippingCount > 1) {
      const partial = await cancel([item.vendorItemId], [1]);
      expect(partial.status).toBe(400);
      expect(partial.body.message).toContain("부분 취소는 불가능합니다");
    }
    const full = await cancel(
      o.orderItems.map((i) => i.vendorItemId),
      o.orderItems.map((i) => i.shippingCount),
    );
    expect(full.status, full.text).toBe(200);
    expect(full.body.code).toBe("200");
    const [entry] = Object.values(full.body.data.receiptMap);
    expect(entry?.receiptType).toBe("CANCEL");
    expect(await listIds("ACCEPT")).not.toContain(o.shipmentBoxId);
    const cancelled = await box(o.shipmentBoxId);
    expect(cancelled.orderItems.every((i) => i.canceled && i.cancelCount === i.shippingCount)).toBe(true);
    const day = kst(sim.clock.now());
    const cancels = await api.get<Envelope<ReturnRequest[]>>(
      "returnRequests",
      `createdAtFrom=${day}&createdAtTo=${day}&cancelType=CANCEL`,
      "v6",
    );
    expect(cancels.body.data.map((r) => r.receiptId)).toContain(entry!.receiptId);
    expect(cancels.body.data.find((r) => r.receiptId === entry!.receiptId)?.receiptType).toBe("CANCEL");
    // The buyer's own cancel goes the same way.
    const other = await newOrder();
    const bought = await event({ type: "buyerCancel", shipmentBoxId: other.shipmentBoxId });
    expect((await box(other.shipmentBoxId)).orderItems[0]!.canceled).toBe(true);
    expect(bought.receiptId).toBeDefined();
  });

  it("stop-shipment at INSTRUCT: a seller's partial cancel, and a buyer's RU request the seller stops", async () => {
    // The seller stops part of an INSTRUCT box: a completed STOP_SHIPMENT receipt.
    const o = await newOrder();
    await ack([o.shipmentBoxId]);
    const item = o.orderItems[0]!;
    const stop = await api.call<
      Envelope<{ receiptMap: Record<string, { receiptType: string; totalCount: number }> }>
    >("POST", `orders/${o.orderId}/cancel`, {
      version: "v5",
      body: {
        orderId: o.orderId,
        vendorItemIds: [item.vendorItemId],
        receiptCounts: [1],
        bigCancelCode: "CANERR",
        middleCancelCode: "CCPNER",
        vendorId: vendor.vendorId,
        userId: "wing-user",
      },
    });
    expect(stop.status, stop.text).toBe(200);
    expect(Object.values(stop.body.data.receiptMap)[0]).toMatchObject({
      receiptType: "STOP_SHIPMENT",
      totalCount: 1,
    });
    expect((await box(o.shipmentBoxId)).orderItems[0]!.cancelCount).toBe(1);

    // The buyer asks to stop another INSTRUCT box (RU): it shows under RU and UC, blocks the invoice.
    const b = await newOrder();
    await ack([b.shipmentBoxId]);
    const { receiptId } = await event({ type: "stopShipmentRequest", shipmentBoxId: b.shipmentBoxId });
    const r = await receipt(receiptId!);
    expect(r).toMatchObject({ receiptStatus: "RELEASE_STOP_UNCHECKED", releaseStopStatus: "미처리" });
    const day = kst(sim.clock.now());
    for (const status of ["RU", "UC"]) {
      const listed = await api.get<Envelope<ReturnRequest[]>>(
        "returnRequests",
        `createdAtFrom=${day}&createdAtTo=${day}&status=${status}`,
        "v6",
      );
      expect(
        listed.body.data.map((x) => x.receiptId),
        status,
      ).toContain(receiptId);
    }
    const blocked = await invoice(await box(b.shipmentBoxId), "CJGLS", uniqueInvoice());
    expect(blocked.body.data.responseList[0]!.resultCode).toBe("ORDER_DELIVERY_CANCELED");
    const total = r.cancelCountSum;
    const wrong = await api.call("PUT", `returnRequests/${receiptId}/stoppedShipment`, {
      body: { vendorId: vendor.vendorId, receiptId, cancelCount: total + 1 },
    });
    expect(wrong.status).toBe(500);
    expect(wrong.text).toContain("cancelCount가 일치하지 않습니다");
    const stopped = await api.call("PUT", `returnRequests/${receiptId}/stoppedShipment`, {
      body: { vendorId: vendor.vendorId, receiptId, cancelCount: total },
    });
    expect(stopped.status, stopped.text).toBe(200);
    expect(await receipt(receiptId!)).toMatchObject({
      receiptStatus: "RETURNS_COMPLETED",
      releaseStopStatus: "처리(출고중지)",
    });
    expect(await listIds("INSTRUCT")).not.toContain(b.shipmentBoxId);
    const again = await api.call("PUT", `returnRequests/${receiptId}/stoppedShipment`, {
      body: { vendorId: vendor.vendorId, receiptId, cancelCount: total },
    });
    expect(again.body).toMatchObject({ code: 400, message: "Product is already returned." });
  });

  it("return RU → already shipped → UC → received → approved → CC; the box leaves the list", async () => {
    const o = await newOrder();
    await ack([o.shipmentBoxId]);
    const { receiptId } = await event({ type: "stopShipmentRequest", shipmentBoxId: o.shipmentBoxId });
    const shipped = await api.call("PATCH", `returnRequests/${receiptId}/completedShipment`, {
      body: {
        vendorId: vendor.vendorId,
        receiptId,
        deliveryCompanyCode: "HANJIN",
        invoiceNumber: uniqueInvoice(),
      },
    });
    expect(shipped.status, shipped.text).toBe(200);
    expect(await receipt(receiptId!)).toMatchObject({
      receiptStatus: "RETURNS_UNCHECKED",
      releaseStopStatus: "처리(이미출고)",
    });
    expect((await box(o.shipmentBoxId)).status).toBe("DEPARTURE");

    await event({ type: "returnPickup", receiptId });
    expect((await receipt(receiptId!)).returnDeliveryDtos[0]!.deliveryInvoiceNo).toMatch(/^\d{12}$/);
    const received = await api.call("PUT", `returnRequests/${receiptId}/receiveConfirmation`, {
      body: { vendorId: vendor.vendorId, receiptId },
    });
    expect(received.body).toEqual({ code: "200", message: "OK" });
    const r = await receipt(receiptId!);
    if (r.preRefund) {
      // A quick-refund return completes on receipt (§6.3).
      expect(r.receiptStatus).toBe("RETURNS_COMPLETED");
    } else {
      expect(r.receiptStatus).toBe("VENDOR_WAREHOUSE_CONFIRM");
      const approved = await api.call("PUT", `returnRequests/${receiptId}/approval`, {
        body: { vendorId: vendor.vendorId, receiptId, cancelCount: r.cancelCountSum },
      });
      expect(approved.status, approved.text).toBe(200);
    }
    expect(await receipt(receiptId!)).toMatchObject({
      receiptStatus: "RETURNS_COMPLETED",
      completeConfirmType: "VENDOR_CONFIRM",
    });
    const day = kst(sim.clock.now());
    const completed = await api.get<Envelope<ReturnRequest[]>>(
      "returnRequests",
      `createdAtFrom=${day}&createdAtTo=${day}&status=CC`,
      "v6",
    );
    expect(completed.body.data.map((x) => x.receiptId)).toContain(receiptId);
    for (const status of ["DEPARTURE", "DELIVERING", "FINAL_DELIVERY"]) {
      expect(await listIds(status), status).not.toContain(o.shipmentBoxId);
    }
    expect(sim.groundTruth().delisted.map((d) => d.shipmentBoxId)).toContain(o.shipmentBoxId);
  });

  it("a delivered box's return is escalated to Coupang (PR) and settled (CC)", async () => {
    const o = await deliver(await newOrder());
    const { receiptId } = await event({ type: "returnRequest", shipmentBoxId: o.shipmentBoxId });
    await event({ type: "coupangCheck", receiptId });
    const day = kst(sim.clock.now());
    const pr = await api.get<Envelope<ReturnRequest[]>>(
      "returnRequests",
      `createdAtFrom=${day}&createdAtTo=${day}&status=PR`,
      "v6",
    );
    expect(pr.body.data.map((x) => x.receiptId)).toContain(receiptId);
    await event({ type: "resolveCoupangCheck", receiptId });
    expect(await receipt(receiptId!)).toMatchObject({
      receiptStatus: "RETURNS_COMPLETED",
      completeConfirmType: "CS_CONFIRM",
    });
  });

  it("withdrawal: the receipt leaves returnRequests and appears in both withdrawal endpoints", async () => {
    const o = await deliver(await newOrder());
    const { receiptId } = await event({ type: "returnRequest", shipmentBoxId: o.shipmentBoxId });
    const day = kst(sim.clock.now());
    const uc = `createdAtFrom=${day}&createdAtTo=${day}&status=UC`;
    expect(
      (await api.get<Envelope<ReturnRequest[]>>("returnRequests", uc, "v6")).body.data.map(
        (r) => r.receiptId,
      ),
    ).toContain(receiptId);
    await advance({ advanceMinutes: 30 });
    await event({ type: "withdrawReturn", receiptId });
    expect(
      (await api.get<Envelope<ReturnRequest[]>>("returnRequests", uc, "v6")).body.data.map(
        (r) => r.receiptId,
      ),
    ).not.toContain(receiptId);
    expect((await api.get(`returnRequests/${receiptId}`, undefined, "v6")).status).toBe(400);

    const today = kst(sim.clock.now());
    const byPeriod = await api.get<Envelope<ReturnWithdrawal[]>>(
      "returnWithdrawRequests",
      `dateFrom=${today}&dateTo=${today}&pageIndex=1&sizePerPage=10`,
    );
    const withdrawal = byPeriod.body.data.find((w) => w.cancelId === receiptId);
    expect(withdrawal).toMatchObject({
      orderId: o.orderId,
      vendorId: vendor.vendorId,
      vendorItemIds: o.orderItems.map((i) => i.vendorItemId),
    });
    expect(byPeriod.body.nextPageIndex).toBe("");
    const byIds = await api.call<Envelope<ReturnWithdrawal[]>>("POST", "returnWithdrawList", {
      body: { cancelIds: [receiptId, 1n] },
    });
    expect(byIds.body.data).toEqual([withdrawal]);
    // Once picked up, the buyer can no longer withdraw.
    const p = await deliver(await newOrder());
    const second = await event({ type: "returnRequest", shipmentBoxId: p.shipmentBoxId });
    await event({ type: "returnPickup", receiptId: second.receiptId });
    expect(
      (await api.admin("POST", "events", { type: "withdrawReturn", receiptId: second.receiptId })).status,
    ).toBe(409);
  });

  it("exchange RECEIPT → PROGRESS → SUCCESS: the new shipmentBoxId appears after receive confirmation (B-17)", async () => {
    const o = await deliver(await newOrder());
    const { exchangeId } = await event({ type: "exchangeRequest", shipmentBoxId: o.shipmentBoxId });
    const exchange = async (): Promise<ExchangeRequest> => {
      const now = sim.clock.now();
      const from = `${kstMinute(new Date(now.getTime() - 6 * 86_400_000))}:00`;
      const res = await api.get<Envelope<ExchangeRequest[]>>(
        "exchangeRequests",
        `createdAtFrom=${from}&createdAtTo=${kstMinute(now)}:59`,
      );
      expect(res.status, res.text).toBe(200);
      const found = res.body.data.find((x) => x.exchangeId === exchangeId);
      expect(found).toBeDefined();
      return found!;
    };
    expect(await exchange()).toMatchObject({
      exchangeStatus: "RECEIPT",
      collectStatus: "BeforeDirection",
      deliveryInvoiceGroupDtos: [],
    });
    for (const step of ["CompleteDirection", "Delivering", "CompleteCollect"]) {
      expect(
        (await event<{ collectStatus: string }>({ type: "exchangeCollect", exchangeId })).collectStatus,
      ).toBe(step);
    }
    expect((await exchange()).collectCompleteDate).not.toBeNull();

    const confirmed = await api.call("PUT", `exchangeRequests/${exchangeId}/receiveConfirmation`, {
      body: { exchangeId, vendorId: vendor.vendorId },
    });
    expect(confirmed.body).toEqual({ code: "200", message: "SUCCESS" });
    const progress = await exchange();
    expect(progress.exchangeStatus).toBe("PROGRESS");
    // The new box is not served for 10 minutes; the original box is refused with the documented error.
    expect(progress.deliveryInvoiceGroupDtos).toEqual([]);
    const onOriginal = await api.call<Envelope<{ resultCode: string; resultMessage: string }>>(
      "POST",
      `exchangeRequests/${exchangeId}/invoices`,
      {
        body: [
          {
            exchangeId,
            vendorId: vendor.vendorId,
            shipmentBoxId: o.shipmentBoxId,
            goodsDeliveryCode: "CJGLS",
            invoiceNumber: uniqueInvoice(),
          },
        ],
      },
    );
    expect(onOriginal.body.data.resultCode).toBe("FAIL");
    expect(onOriginal.body.data.resultMessage).toMatch(
      /status \[FINAL_DELIVERY\] is not suitable for applyInvoice\. Only INSTRUCT status shipment/,
    );

    await advance({ advanceMinutes: 10 });
    const ready = await exchange();
    const newBoxId = ready.deliveryInvoiceGroupDtos[0]!.shipmentBoxId;
    expect(newBoxId).not.toBe(o.shipmentBoxId);
    expect(newBoxId > o.shipmentBoxId).toBe(true);
    expect((await box(newBoxId)).status).toBe("INSTRUCT");
    const shipped = await api.call<Envelope<{ resultCode: string }>>(
      "POST",
      `exchangeRequests/${exchangeId}/invoices`,
      {
        body: [
          {
            exchangeId: String(exchangeId),
            vendorId: vendor.vendorId,
            shipmentBoxId: String(newBoxId),
            goodsDeliveryCode: "coupangls",
            invoiceNumber: uniqueInvoice(),
          },
        ],
      },
    );
    expect(shipped.body.data.resultCode, shipped.text).toBe("SUCCESS");
    expect((await exchange()).deliveryStatus).toBe("CompleteDirection");
    await untilStatus(newBoxId, "FINAL_DELIVERY");
    expect(await exchange()).toMatchObject({ exchangeStatus: "SUCCESS", deliveryStatus: "CompleteDelivery" });
    expect((await writesOf(exchangeId!)).map((w) => w.endpoint)).toEqual([
      "PUT exchangeRequests/{exchangeId}/receiveConfirmation",
      "POST exchangeRequests/{exchangeId}/invoices",
    ]);
  });

  it("exchange REJECT by the seller and CANCEL by the buyer", async () => {
    const a = await deliver(await newOrder());
    const rejected = await event({ type: "exchangeRequest", shipmentBoxId: a.shipmentBoxId });
    const bad = await api.call("PUT", `exchangeRequests/${rejected.exchangeId}/rejection`, {
      body: { exchangeId: rejected.exchangeId, vendorId: vendor.vendorId, exchangeRejectCode: "NOPE" },
    });
    expect(bad.status).toBe(400);
    const ok = await api.call<Envelope<{ resultCode: string }>>(
      "PUT",
      `exchangeRequests/${rejected.exchangeId}/rejection`,
      {
        body: { exchangeId: rejected.exchangeId, vendorId: vendor.vendorId, exchangeRejectCode: "SOLDOUT" },
      },
    );
    expect(ok.body.data.resultCode).toBe("SUCCESS");
    const twice = await api.call<Envelope<{ resultCode: string }>>(
      "PUT",
      `exchangeRequests/${rejected.exchangeId}/rejection`,
      {
        body: { exchangeId: rejected.exchangeId, vendorId: vendor.vendorId, exchangeRejectCode: "SOLDOUT" },
      },
    );
    expect(twice.body.data.resultCode).toBe("FAIL");

    const b = await deliver(await newOrder());
    const cancelled = await event({ type: "exchangeRequest", shipmentBoxId: b.shipmentBoxId });
    await event({ type: "cancelExchange", exchangeId: cancelled.exchangeId });
    const now = sim.clock.now();
    const from = `${kstMinute(new Date(now.getTime() - 6 * 86_400_000))}:00`;
    const list = async (status: string) =>
      (
        await api.get<Envelope<ExchangeRequest[]>>(
          "exchangeRequests",
          `createdAtFrom=${from}&createdAtTo=${kstMinute(now)}:59&status=${status}`,
        )
      ).body.data.map((x) => x.exchangeId);
    expect(await list("REJECT")).toContain(rejected.exchangeId);
    expect(await list("CANCEL")).toContain(cancelled.exchangeId);
  });

  it("split shipment: the shipped items get a new shipmentBoxId, the rest ship later from the original", async () => {
    const o = sim.groundTruth().orders.find((x) => x.status === "INSTRUCT" && x.orderItems.length >= 2)!;
    expect(o, "a multi-item INSTRUCT box").toBeDefined();
    const [first, ...rest] = o.orderItems;
    const row = (
      vendorItemId: bigint,
      invoiceNumber: string,
      estimatedShippingDate: string,
      splitShipping = true,
    ) => ({
      shipmentBoxId: o.shipmentBoxId,
      orderId: o.orderId,
      vendorItemId,
      deliveryCompanyCode: "CJGLS",
      invoiceNumber,
      splitShipping,
      preSplitShipped: estimatedShippingDate === "" && invoiceNumber !== "" && !splitShipping,
      estimatedShippingDate,
    });
    const upload = (rows: ReturnType<typeof row>[]) =>
      api.call<Envelope<{ responseCode: number; responseList: { resultCode: string }[] }>>(
        "POST",
        "orders/invoices",
        {
          body: { vendorId: vendor.vendorId, orderSheetInvoiceApplyDtos: rows },
        },
      );
    splitBox = o.shipmentBoxId;
    const shippedNow = uniqueInvoice();
    const res = await upload([
      row(first!.vendorItemId, shippedNow, ""),
      ...rest.map((i) => row(i.vendorItemId, "", "2025-03-20")),
    ]);
    expect(res.body.data.responseCode, res.text).toBe(0);

    const original = await box(o.shipmentBoxId);
    expect(original).toMatchObject({ status: "INSTRUCT", splitShipping: true });
    // In-process IDs are bigint; IDs under 16 digits parse from JSON as numbers.
    expect(original.orderItems.map((i) => String(i.vendorItemId))).toEqual(
      rest.map((i) => String(i.vendorItemId)),
    );
    expect(original.orderItems[0]!.plannedShippingDate).toBe("2025-03-20");
    const byOrder = await api.get<Envelope<OrderSheet[]>>(`${o.orderId}/ordersheets`);
    const split = byOrder.body.data.find((b) =>
      b.orderItems.some((i) => String(i.vendorItemId) === String(first!.vendorItemId)),
    )!;
    expect(split).toMatchObject({ status: "DEPARTURE", invoiceNumber: shippedNow, splitShipping: true });
    expect(split.shipmentBoxId > o.shipmentBoxId).toBe(true);
    expect(split.orderItems).toHaveLength(1);
    const history = await api.get<Envelope<{ details: HistoryDetail[] }>>(
      `ordersheets/${split.shipmentBoxId}/history`,
    );
    expect(history.body.data.details.map((d) => d.deliveryStatus)).toEqual([
      "DEPARTURE",
      "INSTRUCT",
      "ACCEPT",
    ]);
    await advance({ advanceMinutes: 1 });
    expect(await listIds("DEPARTURE")).toContain(split.shipmentBoxId);

    // The rest must keep splitShipping:true and carry a number now that a date is set.
    const rows = (invoiceNumber: string, splitShipping: boolean) =>
      rest.map((i) => row(i.vendorItemId, invoiceNumber, "", splitShipping));
    expect((await upload(rows(uniqueInvoice(), false))).body.data.responseList[0]!.resultCode).toBe(
      "IS_SEPARATE_MUST_BE_TRUE_WHEN_SEPARATE_DELIVERY",
    );
    expect((await upload(rows("", true))).body.data.responseList[0]!.resultCode).toBe(
      "NOT_FOUND_INVOICE_NUMBER",
    );
    const later = uniqueInvoice();
    expect((await upload(rows(later, true))).body.data.responseCode).toBe(0);
    expect(await box(o.shipmentBoxId)).toMatchObject({ status: "DEPARTURE", invoiceNumber: later });

    // A one-item box cannot be split, nor can a DIRECT delivery.
    const single = sim
      .groundTruth()
      .orders.find((x) => x.status === "INSTRUCT" && x.orderItems.length === 1)!;
    const splitOne = await api.call<Envelope<{ responseList: { resultCode: string }[] }>>(
      "POST",
      "orders/invoices",
      {
        body: {
          vendorId: vendor.vendorId,
          orderSheetInvoiceApplyDtos: [
            {
              ...row(single.orderItems[0]!.vendorItemId, uniqueInvoice(), ""),
              shipmentBoxId: single.shipmentBoxId,
              orderId: single.orderId,
            },
          ],
        },
      },
    );
    expect(splitOne.body.data.responseList[0]!.resultCode).toBe("NOT_ALLOW_SEPARATE_WHEN_ONE_VENDOR_ITEM");
  });

  it("the write log holds each applied write once; only the split box was written twice, with two invoices", async () => {
    const log = await api.admin<{
      total: number;
      writes: WriteRecord[];
      repeated: { target: string; seqs: number[] }[];
    }>("GET", "writes");
    expect(log.body.total).toBeGreaterThan(20);
    expect(log.body.repeated.map((r) => r.target)).toEqual([`shipmentBoxId:${splitBox}`]);
    const [a, b] = log.body.repeated[0]!.seqs.map((seq) => log.body.writes[seq - 1]!.body);
    expect(a).not.toBe(b);
    expect(log.body.writes.every((w) => w.delivered && w.vendorId === vendor.vendorId)).toBe(true);
    expect(log.body.writes.map((w) => w.seq)).toEqual(log.body.writes.map((_, k) => k + 1));
  });
});

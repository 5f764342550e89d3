import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSimulator, type OrderSheet, type Simulator } from "../../index.js";
import { DEFAULT_VENDOR } from "../../world/world.js";
import { serializeCoupangJson } from "../json.js";
import { TestClient, type Envelope } from "../testkit.js";

const anchor = new Date("2025-03-10T03:00:00Z");
const vendor = { ...DEFAULT_VENDOR, userId: "wing-seller" };
let sim: Simulator;
let api: TestClient;

interface Batch {
  responseCode: number;
  responseMessage: string;
  responseList: {
    shipmentBoxId: bigint;
    succeed: boolean;
    resultCode: string;
    retryRequired: boolean;
    resultMessage: string | null;
  }[];
}

beforeAll(async () => {
  sim = await startSimulator({
    seed: 5,
    orders: 400,
    anchor,
    clock: "simulated",
    vendors: [vendor],
    ackVisibilityLagMinutes: 20,
  });
  api = new TestClient(sim, vendor);
});
afterAll(async () => {
  await sim.close();
});

/** Boxes of the ground truth with `status`, not yet touched by an earlier test. */
const used = new Set<bigint>();
function take(status: string, pred: (o: OrderSheet) => boolean = () => true): OrderSheet {
  const o = sim
    .groundTruth()
    .orders.find((x) => x.status === status && !used.has(x.shipmentBoxId) && pred(x));
  if (o === undefined) throw new Error(`No ${status} box left`);
  used.add(o.shipmentBoxId);
  return o;
}
const ack = (ids: unknown[], extra: Record<string, unknown> = {}, method = "PUT") =>
  api.call<Envelope<Batch>>(method, "ordersheets/acknowledgement", {
    body: { vendorId: vendor.vendorId, shipmentBoxIds: ids, ...extra },
  });
const rows = (o: OrderSheet, code: string, invoiceNumber: string) =>
  o.orderItems.map((i) => ({
    shipmentBoxId: o.shipmentBoxId,
    orderId: o.orderId,
    vendorItemId: i.vendorItemId,
    deliveryCompanyCode: code,
    invoiceNumber,
    splitShipping: false,
    preSplitShipped: false,
    estimatedShippingDate: "",
  }));
const upload = (dtos: unknown[], mode = "invoices") =>
  api.call<Envelope<Batch>>("POST", `orders/${mode}`, {
    body: { vendorId: vendor.vendorId, orderSheetInvoiceApplyDtos: dtos },
  });
const single = async (id: bigint): Promise<OrderSheet> =>
  (await api.get<Envelope<OrderSheet>>(`ordersheets/${id}`)).body.data;
/** IDs as strings: in-process IDs are bigint, IDs under 16 digits parse from JSON as numbers. */
const strings = (ids: readonly unknown[]): string[] => ids.map(String);
let serial = 300_000_000_000;
const number = (): string => String(++serial);

describe("PUT …/ordersheets/acknowledgement (§3)", () => {
  it("answers per box, partial errors as responseCode 1, and accepts PATCH and the v5 path", async () => {
    const a = take("ACCEPT");
    const done = take("INSTRUCT");
    const res = await ack([a.shipmentBoxId, done.shipmentBoxId, 300000000000000001n]);
    expect(res.status).toBe(200);
    expect(res.body.code).toBe("200");
    expect(res.body.data).toMatchObject({
      responseCode: 1,
      responseMessage: "apply instructStatus result - Partial errors.",
    });
    expect(res.body.data.responseList).toEqual([
      {
        shipmentBoxId: a.shipmentBoxId,
        succeed: true,
        resultCode: "OK",
        retryRequired: false,
        resultMessage: "request succeeded.",
      },
      {
        shipmentBoxId: done.shipmentBoxId,
        succeed: false,
        resultCode: "INVALID_STATUS",
        retryRequired: false,
        resultMessage: "배송상태를 변경할 수 없습니다. 주문내역을 확인해주세요.",
      },
      {
        shipmentBoxId: 300000000000000001n,
        succeed: false,
        resultCode: "NOT_FOUND_SHIPMENT_BOX",
        retryRequired: true,
        resultMessage: "shipmentBoxId (300000000000000001) is not found.",
      },
    ]);
    // 18-digit IDs come back with every digit.
    expect(res.text).toContain(`"shipmentBoxId":${a.shipmentBoxId},`);
    expect((await ack([take("ACCEPT").shipmentBoxId], {}, "PATCH")).body.data.responseCode).toBe(0);
    const v5 = await api.call<Envelope<Batch>>("PUT", "ordersheets/acknowledgement", {
      version: "v5",
      body: { vendorId: vendor.vendorId, shipmentBoxIds: [take("ACCEPT").shipmentBoxId] },
    });
    expect(v5.body.data.responseCode).toBe(0);
    expect((await ack([done.shipmentBoxId])).body.data.responseCode).toBe(99);
  });

  it("keeps the box ACCEPT for the visibility lag, then INSTRUCT (B-7); an invoice meanwhile is INVALID_STATUS", async () => {
    const o = take("ACCEPT");
    expect((await ack([o.shipmentBoxId])).body.data.responseCode).toBe(0);
    expect((await single(o.shipmentBoxId)).status).toBe("ACCEPT");
    const early = await upload(rows(o, "CJGLS", number()));
    expect(early.body.data.responseList[0]).toMatchObject({
      resultCode: "INVALID_STATUS",
      retryRequired: false,
    });
    expect(early.body.data.responseList[0]!.resultMessage).toBe(
      `배송진행상태가 유효하지 않습니다. [합포장번호 : ${o.shipmentBoxId}] [주문번호 : ${o.orderId}]`,
    );
    // Acknowledging again meanwhile succeeds again; the write log shows both submissions.
    expect((await ack([o.shipmentBoxId])).body.data.responseCode).toBe(0);
    expect(sim.writes({ target: String(o.shipmentBoxId) })).toHaveLength(2);
    sim.clock.advance(19 * 60_000);
    expect((await single(o.shipmentBoxId)).status).toBe("ACCEPT");
    sim.clock.advance(60_000);
    expect((await single(o.shipmentBoxId)).status).toBe("INSTRUCT");
    expect(
      (await upload(rows(await single(o.shipmentBoxId), "CJGLS", number()))).body.data.responseCode,
    ).toBe(0);
  });

  it("refuses an empty list, more than 50 IDs, another vendorId and a malformed body with 400", async () => {
    const ids = Array.from({ length: 51 }, (_, k) => 300000000000000000n + BigInt(k));
    for (const [body, pattern] of [
      [{ vendorId: vendor.vendorId, shipmentBoxIds: [] }, /1개 이상 50개 이하/],
      [{ vendorId: vendor.vendorId, shipmentBoxIds: ids }, /\(51개\)/],
      [{ vendorId: "A99999999", shipmentBoxIds: [1] }, /invalid vendorId/],
      [{ vendorId: vendor.vendorId }, /'shipmentBoxIds' must be an array/],
      [{ vendorId: vendor.vendorId, shipmentBoxIds: ["x"] }, /shipmentBoxIds\[0\]/],
      ["{not json", /Malformed JSON/],
    ] as const) {
      const res = await api.call<{ code: number; message: string }>("PUT", "ordersheets/acknowledgement", {
        body,
      });
      expect(res.status, serializeCoupangJson(body)).toBe(400);
      expect(res.body.message).toMatch(pattern);
    }
    expect((await ack(ids.slice(0, 50))).body.data.responseCode).toBe(99);
  });
});

describe("POST …/orders/invoices and …/orders/updateInvoices (§4)", () => {
  it("uploads: INSTRUCT → DEPARTURE with the carrier's display name; one row per item, all of them", async () => {
    const o = take("INSTRUCT", (x) => x.orderItems.length >= 2);
    const missing = await upload(rows(o, "HYUNDAI", number()).slice(1));
    expect(missing.body.data.responseList[0]).toMatchObject({
      resultCode: "NOT_FOUND_VENDOR_ITEM",
      retryRequired: false,
    });
    const n = number();
    const ok = await upload(rows(o, "HYUNDAI", n));
    expect(ok.body).toEqual({
      code: 200,
      message: "OK",
      data: {
        responseCode: 0,
        responseMessage: "SUCCESS",
        responseList: [
          {
            shipmentBoxId: o.shipmentBoxId,
            succeed: true,
            resultCode: "OK",
            retryRequired: false,
            resultMessage: null,
          },
        ],
      },
    });
    expect(await single(o.shipmentBoxId)).toMatchObject({
      status: "DEPARTURE",
      deliveryCompanyName: "롯데택배",
      invoiceNumber: n,
    });
    const again = await upload(rows(o, "HYUNDAI", number()));
    expect(again.body.data).toMatchObject({ responseCode: 99, responseMessage: "FAILED" });
    expect(again.body.data.responseList[0]!.resultCode).toBe("INVALID_STATUS");
  });

  it("answers 500 internal exception for an unknown carrier code or a number the carrier cannot issue", async () => {
    const o = take("INSTRUCT");
    for (const [code, invoice] of [
      ["LOTTE", "123456789012"],
      ["LOGEN", "12345678901"],
      ["CVSNET", "123456789012"],
      ["CJGLS", "12345"],
      ["EPOST", "123456789012"],
      ["CJGLS", "12345678901A"],
    ] as const) {
      const res = await upload(rows(o, code, invoice));
      expect(res.status, `${code} ${invoice}`).toBe(500);
      expect(res.body).toEqual({ code: 500, message: "internal exception" });
    }
    expect(sim.writes({ target: String(o.shipmentBoxId) })).toEqual([]);
    expect((await single(o.shipmentBoxId)).status).toBe("INSTRUCT");
  });

  it("refuses an invoice number reused within 6 months for another recipient, not for the same one (B-10)", async () => {
    const n = number();
    const first = take("INSTRUCT");
    expect((await upload(rows(first, "CJGLS", n))).body.data.responseCode).toBe(0);
    const other = take("INSTRUCT", (x) => x.receiver.addr1 !== first.receiver.addr1);
    const reused = await upload(rows(other, "CJGLS", n));
    expect(reused.body.data.responseList[0]).toMatchObject({
      resultCode: "NOT_ALLOW_INVOICE_NUMBER_RE_UPLOAD",
      retryRequired: false,
    });
    // The same number at another carrier is another parcel; DIRECT numbers are never checked.
    expect((await upload(rows(other, "HANJIN", n))).body.data.responseCode).toBe(0);
    const third = take("INSTRUCT", (x) => x.receiver.addr1 !== first.receiver.addr1);
    expect((await upload(rows(third, "DIRECT", n))).body.data.responseCode).toBe(0);

    // Two boxes of one order (same recipient) may share a number, in one request.
    const pair = sim
      .groundTruth()
      .orders.filter((x) => x.status === "INSTRUCT" && !used.has(x.shipmentBoxId))
      .find((x, _k, all) => all.some((y) => y.orderId === x.orderId && y.shipmentBoxId !== x.shipmentBoxId));
    if (pair !== undefined) {
      const twin = sim
        .groundTruth()
        .orders.find((y) => y.orderId === pair.orderId && y.shipmentBoxId !== pair.shipmentBoxId)!;
      used.add(pair.shipmentBoxId).add(twin.shipmentBoxId);
      const shared = number();
      const both = await upload([...rows(pair, "CJGLS", shared), ...rows(twin, "CJGLS", shared)]);
      expect(both.body.data.responseList.map((r) => r.resultCode)).toEqual(["OK", "OK"]);
    }

    // After six months the number is free again.
    const n2 = number();
    expect((await upload(rows(take("INSTRUCT"), "EPOST", `${n2}9`))).body.data.responseCode).toBe(0);
    const later = take("INSTRUCT");
    sim.clock.advance(184 * 24 * 3600_000);
    expect((await upload(rows(later, "EPOST", `${n2}9`))).body.data.responseCode).toBe(0);
  });

  it("updates only after shipping, restarting tracking; the same invoice again is DUPLICATE_INVOICE_NUMBER", async () => {
    const instruct = take("INSTRUCT");
    const early = await upload(rows(instruct, "CJGLS", number()), "updateInvoices");
    expect(early.body.data.responseList[0]!.resultCode).toBe("INVALID_STATUS");
    const delivered = take("FINAL_DELIVERY");
    const n = number();
    expect((await upload(rows(delivered, "KGB", n.slice(1)), "updateInvoices")).body.data.responseCode).toBe(
      0,
    );
    const updated = await single(delivered.shipmentBoxId);
    expect(updated).toMatchObject({
      status: "DEPARTURE",
      deliveryCompanyName: "로젠택배",
      invoiceNumber: n.slice(1),
      deliveredDate: "",
      inTrasitDateTime: "",
    });
    const dup = await upload(rows(updated, "KGB", n.slice(1)), "updateInvoices");
    expect(dup.body.data.responseList[0]).toMatchObject({
      resultCode: "DUPLICATE_INVOICE_NUMBER",
      retryRequired: true,
    });
    const direct = take("NONE_TRACKING");
    expect((await upload(rows(direct, "CJGLS", number()), "updateInvoices")).body.data.responseCode).toBe(0);
  });

  it("a rowFailure fault fails an update's box row as UNDEFINED_ERROR_OCCUR, unapplied, beside an applied one", async () => {
    const [a, b] = [take("DEPARTURE"), take("DEPARTURE")];
    sim.faults.add({ kind: "rowFailure", endpoint: "POST orders/updateInvoices", count: 1 });
    try {
      const res = await upload(
        [...rows(a, "CJGLS", number()), ...rows(b, "CJGLS", number())],
        "updateInvoices",
      );
      expect(res.status).toBe(200);
      expect(res.body.data).toMatchObject({ responseCode: 1, responseMessage: "PARTIAL_ERROR" });
      expect(res.body.data.responseList.map((r) => [r.resultCode, r.retryRequired])).toEqual([
        ["UNDEFINED_ERROR_OCCUR", true],
        ["OK", false],
      ]);
      expect((await single(a.shipmentBoxId)).invoiceNumber).toBe(a.invoiceNumber);
      expect(sim.writes({ endpoint: "orders/updateInvoices" }).at(-1)!.targets).toEqual([
        `shipmentBoxId:${b.shipmentBoxId}`,
      ]);
    } finally {
      sim.faults.clear();
    }
  });

  it("answers ORDER_DELIVERY_CANCELED for a cancelled box and NOT_FOUND_SHIPMENT_BOX for another order's ID", async () => {
    const o = take("INSTRUCT");
    await api.admin("POST", "events", { type: "stopShipmentRequest", shipmentBoxId: o.shipmentBoxId });
    const stopped = await upload(rows(o, "CJGLS", number()));
    expect(stopped.body.data.responseList[0]).toMatchObject({
      resultCode: "ORDER_DELIVERY_CANCELED",
      retryRequired: false,
    });
    const p = take("INSTRUCT", (x) => x.orderItems.length >= 2);
    await api.admin("POST", "events", {
      type: "stopShipmentRequest",
      shipmentBoxId: p.shipmentBoxId,
      vendorItemIds: [p.orderItems[0]!.vendorItemId],
    });
    const partial = await upload(rows(p, "CJGLS", number()));
    expect(partial.body.data.responseList[0]).toMatchObject({
      resultCode: "ORDER_DELIVERY_PARTIAL_STOP_REQUESTED",
      retryRequired: true,
    });
    const q = take("INSTRUCT");
    const wrongOrder = await upload(rows({ ...q, orderId: q.orderId + 1n }, "CJGLS", number()));
    expect(wrongOrder.body.data.responseList[0]!.resultCode).toBe("NOT_FOUND_SHIPMENT_BOX");
    const bad = await upload([]);
    expect(bad.status).toBe(400);
  });
});

describe("POST …/v5/vendors/{vendorId}/orders/{orderId}/cancel (§5.1)", () => {
  const body = (o: OrderSheet, over: Record<string, unknown> = {}) => ({
    orderId: o.orderId,
    vendorItemIds: o.orderItems.map((i) => i.vendorItemId),
    receiptCounts: o.orderItems.map((i) => i.shippingCount),
    bigCancelCode: "CANERR",
    middleCancelCode: "CCTTER",
    vendorId: vendor.vendorId,
    userId: vendor.userId,
    ...over,
  });
  const cancel = (orderId: bigint, b: unknown) =>
    api.call<
      Envelope<{ receiptMap: Record<string, unknown>; orderId: bigint; failedVendorItemIds: bigint[] }>
    >("POST", `orders/${orderId}/cancel`, { version: "v5", body: b });

  it("answers each documented mistake with a Korean 400", async () => {
    const o = take("ACCEPT");
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ orderId: undefined }, /orderId.*필수/],
      [{ orderId: o.orderId + 1n }, /주문번호\(orderId\)가 다릅니다/],
      [{ vendorItemIds: [], receiptCounts: [] }, /vendorItemIds.*receiptCounts/],
      [{ receiptCounts: [...o.orderItems.map(() => 1), 1] }, /개수가 다릅니다/],
      [{ receiptCounts: o.orderItems.map(() => 0) }, /0보다 커야/],
      [{ bigCancelCode: "CANCEL" }, /CANERR/],
      [{ middleCancelCode: "OOS" }, /CCTTER, CCPNER, CCPRER/],
      [{ vendorId: "A00000001" }, /vendorId/],
      [{ userId: "someone-else" }, /WING 계정이 아닙니다/],
    ];
    for (const [over, pattern] of cases) {
      const res = await cancel(o.orderId, body(o, over));
      expect(res.status, serializeCoupangJson(over)).toBe(400);
      expect(res.body.message).toMatch(pattern);
    }
    const unknown = await cancel(1234567n, body({ ...o, orderId: 1234567n }));
    expect(unknown.body.message).toMatch(/결제 정보를 찾을 수 없습니다/);
    expect(sim.writes({ target: String(o.shipmentBoxId) })).toEqual([]);
  });

  it("fails items in other statuses or over the cancellable count, with code 400 when all fail", async () => {
    const shipped = take("DEPARTURE");
    const res = await cancel(shipped.orderId, body(shipped));
    expect(res.status).toBe(400);
    expect(res.body.code).toBe("400");
    expect(res.body.data.receiptMap).toEqual({});
    expect(strings(res.body.data.failedVendorItemIds)).toEqual(
      strings(shipped.orderItems.map((i) => i.vendorItemId)),
    );
    expect(res.body.message).toMatch(/^\[요청번호\] [0-9a-f-]{36}\r\n\[\d+\]<= 결제완료 또는 상품준비중/);

    const o = take("INSTRUCT", (x) => x.orderItems.length >= 2);
    const [first, second] = o.orderItems;
    const mixed = await cancel(
      o.orderId,
      body(o, {
        vendorItemIds: [first!.vendorItemId, second!.vendorItemId],
        receiptCounts: [1, second!.shippingCount + 1],
      }),
    );
    expect(mixed.status).toBe(200);
    expect(mixed.body.code).toBe("200");
    expect(strings(mixed.body.data.failedVendorItemIds)).toEqual([String(second!.vendorItemId)]);
    expect(mixed.body.message).toContain(`[${second!.vendorItemId}]<= 취소 가능 수량`);
    expect(Object.values(mixed.body.data.receiptMap)).toMatchObject([
      { receiptType: "STOP_SHIPMENT", totalCount: 1 },
    ]);
  });
});

describe("POST …/completeLongTermUndelivery (§9)", () => {
  it("completes a box stuck in transit 30 days after its invoice, and refuses otherwise", async () => {
    const o = take("INSTRUCT");
    const post = (b: unknown) =>
      api.call<Envelope<boolean>>("POST", "completeLongTermUndelivery", { body: b });
    expect((await post({ shipmentBoxId: o.shipmentBoxId, invoiceNumber: "1" })).body.message).toBe(
      "배송완료 처리 실패. 배송상태: INSTRUCT",
    );
    const n = number();
    await upload(rows(o, "CJGLS", n));
    expect((await post({ shipmentBoxId: o.shipmentBoxId, invoiceNumber: n })).body.message).toMatch(
      /30일이 지나지 않았습니다/,
    );
    sim.clock.advance(30 * 24 * 3600_000);
    expect((await post({ shipmentBoxId: o.shipmentBoxId, invoiceNumber: "999" })).body.message).toMatch(
      /송장번호가 일치하지 않습니다/,
    );
    const ok = await post({ shipmentBoxId: o.shipmentBoxId, invoiceNumber: n });
    expect(ok.body).toEqual({ code: "200", message: "SUCCESS", data: true });
    expect((await single(o.shipmentBoxId)).status).toBe("FINAL_DELIVERY");
  });
});

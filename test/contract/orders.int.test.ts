// Contract: writes on boxes and orders (coupang-api.md §3 acknowledge, §4 invoices, §5.1 cancel,
// §9 completeLongTermUndelivery) through @cos/coupang against @cos/coupang-sim.
import { CoupangDataError, CoupangInputError, DELIVERY_COMPANIES, checkInvoiceNumber } from "@cos/coupang";
import type { DeliveryCompanyCode, InvoiceRow, OrderSheet } from "@cos/coupang";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DAY_MS, MINUTE_MS, callsOf, kstDay, startContract, uniqueInvoice } from "./support.js";
import type { Contract } from "./support.js";

let c: Contract;

beforeAll(async () => {
  c = await startContract();
});
afterAll(async () => {
  await c?.close();
});

/** One invoice row per open item of `box` (§4.1), all with the same carrier and number. */
function rowsFor(
  box: OrderSheet,
  deliveryCompanyCode: DeliveryCompanyCode,
  invoiceNumber: string,
): InvoiceRow[] {
  return box.orderItems
    .filter((item) => item.canceled !== true)
    .map((item) => ({
      shipmentBoxId: box.shipmentBoxId,
      orderId: box.orderId,
      vendorItemId: item.vendorItemId,
      deliveryCompanyCode,
      invoiceNumber,
    }));
}

/** A new order's first box, acknowledged: INSTRUCT. */
async function instructBox(contract: Contract = c): Promise<OrderSheet> {
  const { shipmentBoxIds } = await contract.newOrder();
  const id = shipmentBoxIds[0]!;
  const ack = await contract.client.acknowledgeOrders([id]);
  expect(ack.rows).toEqual([
    {
      shipmentBoxId: id,
      succeed: true,
      resultCode: "OK",
      resultMessage: "request succeeded.",
      retryRequired: false,
    },
  ]);
  return (await contract.client.getOrderSheet(id)).value;
}

/** The KST-day PO list of `status` today, all pages. */
async function listedToday(contract: Contract, status: OrderSheet["status"]): Promise<bigint[]> {
  const day = kstDay(contract.sim.clock.now());
  const ids: bigint[] = [];
  for await (const page of contract.client.orderSheetPages({ status, createdAtFrom: day, createdAtTo: day }))
    ids.push(...page.orders.map((o) => o.value.shipmentBoxId));
  return ids;
}

describe("acknowledge (§3)", () => {
  it("answers per box: OK, INVALID_STATUS, NOT_FOUND_SHIPMENT_BOX; the OK boxes read INSTRUCT at once", async () => {
    const a = (await c.newOrder()).shipmentBoxIds[0]!;
    const b = (await c.newOrder()).shipmentBoxIds[0]!;
    const done = (await instructBox()).shipmentBoxId;
    const unknown = 999999999999999999n;
    const before = c.sim.writes().length;
    const result = await c.client.acknowledgeOrders([a, done, unknown, b]);
    expect(result).toMatchObject({
      outcome: "partial",
      responseCode: 1,
      responseMessage: "apply instructStatus result - Partial errors.",
      rejected: [],
      unanswered: [],
    });
    expect(result.responseKey).toMatch(/^-?\d+$/);
    expect(result.rows).toEqual([
      {
        shipmentBoxId: a,
        succeed: true,
        resultCode: "OK",
        resultMessage: "request succeeded.",
        retryRequired: false,
      },
      {
        shipmentBoxId: done,
        succeed: false,
        resultCode: "INVALID_STATUS",
        resultMessage: "배송상태를 변경할 수 없습니다. 주문내역을 확인해주세요.",
        retryRequired: false,
      },
      {
        shipmentBoxId: unknown,
        succeed: false,
        resultCode: "NOT_FOUND_SHIPMENT_BOX",
        resultMessage: `shipmentBoxId (${unknown}) is not found.`,
        retryRequired: true,
      },
      {
        shipmentBoxId: b,
        succeed: true,
        resultCode: "OK",
        resultMessage: "request succeeded.",
        retryRequired: false,
      },
    ]);
    expect((await c.client.getOrderSheet(a)).value.status).toBe("INSTRUCT");
    expect((await c.client.getOrderSheet(b)).value.status).toBe("INSTRUCT");
    const writes = c.sim.writes().slice(before);
    expect(writes.map((w) => [w.endpoint, w.targets])).toEqual([
      ["PUT ordersheets/acknowledgement", [`shipmentBoxId:${a}`, `shipmentBoxId:${b}`]],
    ]);
    // All failing: responseCode 99, outcome "failed" (still HTTP 200, not an exception).
    await expect(c.client.acknowledgeOrders([a])).resolves.toMatchObject({
      outcome: "failed",
      responseCode: 99,
      responseMessage: "apply instructStatus result - All Failed.",
    });
  });

  it("refuses 51 boxes, a repeated box and an empty list before calling", async () => {
    const before = c.sim.calls().total;
    const ids = Array.from({ length: 51 }, (_, k) => 100000000000000000n + BigInt(k));
    await expect(c.client.acknowledgeOrders(ids)).rejects.toMatchObject({
      name: "CoupangInputError",
      field: "shipmentBoxIds",
    });
    await expect(c.client.acknowledgeOrders([ids[0]!, ids[0]!])).rejects.toBeInstanceOf(CoupangInputError);
    await expect(c.client.acknowledgeOrders([])).rejects.toBeInstanceOf(CoupangInputError);
    expect(c.sim.calls().total).toBe(before);
    // 50 is allowed: every unknown box gets its own row.
    const fifty = await c.client.acknowledgeOrders(ids.slice(0, 50));
    expect(fifty.rows.map((r) => r.resultCode)).toEqual(Array(50).fill("NOT_FOUND_SHIPMENT_BOX"));
    expect(fifty).toMatchObject({ outcome: "failed", responseCode: 99, unanswered: [] });
  });
});

describe("acknowledge with a visibility lag (pitfall B-7)", () => {
  let lag: Contract;
  beforeAll(async () => {
    lag = await startContract({ ackVisibilityLagMinutes: 30 });
  });
  afterAll(async () => {
    await lag?.close();
  });

  it("says OK, yet the list (and the lookup) still show ACCEPT and an upload gets INVALID_STATUS until the lag passes", async () => {
    const { shipmentBoxIds } = await lag.newOrder();
    const id = shipmentBoxIds[0]!;
    lag.advance(10 * MINUTE_MS);
    expect(await listedToday(lag, "ACCEPT")).toContain(id);
    const ack = await lag.client.acknowledgeOrders([id]);
    expect(ack).toMatchObject({
      outcome: "success",
      responseCode: 0,
      rows: [{ shipmentBoxId: id, resultCode: "OK" }],
    });
    lag.advance(5 * MINUTE_MS);
    expect(await listedToday(lag, "ACCEPT")).toContain(id);
    expect(await listedToday(lag, "INSTRUCT")).not.toContain(id);
    const box = (await lag.client.getOrderSheet(id)).value;
    expect(box.status).toBe("ACCEPT");
    const early = await lag.client.uploadInvoices(rowsFor(box, "CJGLS", uniqueInvoice()));
    expect(early.rows).toMatchObject([
      { shipmentBoxId: id, succeed: false, resultCode: "INVALID_STATUS", retryRequired: false },
    ]);
    lag.advance(25 * MINUTE_MS);
    expect(await listedToday(lag, "ACCEPT")).not.toContain(id);
    expect(await listedToday(lag, "INSTRUCT")).toContain(id);
    expect((await lag.client.getOrderSheet(id)).value.status).toBe("INSTRUCT");
    const later = await lag.client.uploadInvoices(rowsFor(box, "CJGLS", uniqueInvoice()));
    expect(later).toMatchObject({
      outcome: "success",
      responseCode: 0,
      rows: [{ shipmentBoxId: id, resultCode: "OK" }],
    });
  });
});

describe("invoice upload and update (§4)", () => {
  it("moves INSTRUCT → DEPARTURE with one row per item; an ACCEPT box in the same call gets INVALID_STATUS", async () => {
    const ready = await instructBox();
    const { orderId, shipmentBoxIds } = await c.newOrder();
    const accept = (await c.client.getOrderSheet(shipmentBoxIds[0]!)).value;
    const number = uniqueInvoice();
    const before = c.sim.writes().length;
    const result = await c.client.uploadInvoices([
      ...rowsFor(ready, "HYUNDAI", number),
      ...rowsFor(accept, "CJGLS", uniqueInvoice()),
    ]);
    expect(result).toMatchObject({
      outcome: "partial",
      responseCode: 1,
      responseMessage: "PARTIAL_ERROR",
      rejected: [],
      unanswered: [],
    });
    expect(result.rows).toEqual([
      { shipmentBoxId: ready.shipmentBoxId, succeed: true, resultCode: "OK", retryRequired: false },
      {
        shipmentBoxId: accept.shipmentBoxId,
        succeed: false,
        resultCode: "INVALID_STATUS",
        retryRequired: false,
        resultMessage: `배송진행상태가 유효하지 않습니다. [합포장번호 : ${accept.shipmentBoxId}] [주문번호 : ${orderId}]`,
      },
    ]);
    const shipped = (await c.client.getOrderSheet(ready.shipmentBoxId)).value;
    expect(shipped).toMatchObject({
      status: "DEPARTURE",
      invoiceNumber: number,
      deliveryCompanyName: "롯데택배",
    });
    expect(
      shipped.orderItems.every(
        (i) => i.invoiceNumberUploadDate?.getTime() === c.sim.clock.nowMs() - (c.sim.clock.nowMs() % 1000),
      ),
    ).toBe(true);
    expect((await c.client.getOrderSheet(accept.shipmentBoxId)).value.status).toBe("ACCEPT");
    const writes = c.sim.writes().slice(before);
    expect(writes.map((w) => [w.endpoint, w.targets, w.delivered])).toEqual([
      ["POST orders/invoices", [`shipmentBoxId:${ready.shipmentBoxId}`], true],
    ]);
  });

  it("NOT_ALLOW_INVOICE_NUMBER_RE_UPLOAD for another recipient's number; DUPLICATE_INVOICE_NUMBER on an update with the same number", async () => {
    const first = await instructBox();
    const second = await instructBox();
    const number = uniqueInvoice();
    expect((await c.client.uploadInvoices(rowsFor(first, "CJGLS", number))).outcome).toBe("success");
    const reused = await c.client.uploadInvoices(rowsFor(second, "CJGLS", number));
    expect(reused).toMatchObject({ outcome: "failed", responseCode: 99, responseMessage: "FAILED" });
    expect(reused.rows).toMatchObject([
      {
        shipmentBoxId: second.shipmentBoxId,
        succeed: false,
        resultCode: "NOT_ALLOW_INVOICE_NUMBER_RE_UPLOAD",
        retryRequired: false,
      },
    ]);
    expect((await c.client.getOrderSheet(second.shipmentBoxId)).value.status).toBe("INSTRUCT");

    // Update (§4.2) of the shipped box: the same number is a duplicate, a new one replaces it.
    const same = await c.client.updateInvoices(rowsFor(first, "CJGLS", number));
    expect(same.rows).toMatchObject([
      {
        shipmentBoxId: first.shipmentBoxId,
        succeed: false,
        resultCode: "DUPLICATE_INVOICE_NUMBER",
        retryRequired: true,
      },
    ]);
    const replacement = uniqueInvoice(10);
    const updated = await c.client.updateInvoices(rowsFor(first, "KGB", replacement));
    expect(updated).toMatchObject({ outcome: "success", responseCode: 0, responseMessage: "SUCCESS" });
    expect((await c.client.getOrderSheet(first.shipmentBoxId)).value).toMatchObject({
      status: "DEPARTURE",
      invoiceNumber: replacement,
      deliveryCompanyName: "로젠택배",
    });
    // Update of a box not yet shipped: INVALID_STATUS.
    const notShipped = await c.client.updateInvoices(rowsFor(second, "CJGLS", uniqueInvoice()));
    expect(notShipped.rows).toMatchObject([
      { shipmentBoxId: second.shipmentBoxId, resultCode: "INVALID_STATUS" },
    ]);
    expect(c.sim.writes({ target: String(first.shipmentBoxId) }).map((w) => w.endpoint)).toEqual([
      "PUT ordersheets/acknowledgement",
      "POST orders/invoices",
      "POST orders/updateInvoices",
    ]);
  });

  it("refuses an unknown carrier, a LOGEN/LOTTE code and a badly sized number locally; the simulator would answer 500", async () => {
    const box = await instructBox();
    const before = c.sim.calls();
    for (const [code, number] of [
      ["NOPE", "123412341234"],
      ["LOGEN", "1234123412"],
      ["LOTTE", "123412341234"],
      ["CJGLS", "12345"],
    ] as const) {
      const error = await c.client
        .uploadInvoices(rowsFor(box, code as DeliveryCompanyCode, number))
        .catch((e: unknown) => e);
      expect(error, code).toBeInstanceOf(CoupangInputError);
      expect(error).toMatchObject({ retryable: false });
      expect((error as CoupangInputError).field).toMatch(
        /^orderSheetInvoiceApplyDtos\[0\]\.(deliveryCompanyCode|invoiceNumber)$/,
      );
    }
    expect(c.sim.calls()).toEqual(before);
    // What Coupang (and the simulator) answer when it is sent anyway: 500 "internal exception", nothing applied.
    const raw = await c.raw("POST", "orders/invoices", {
      vendorId: c.clientOptions.vendorId,
      orderSheetInvoiceApplyDtos: rowsFor(box, "LOGEN" as DeliveryCompanyCode, "1234123412").map((r) => ({
        ...r,
        splitShipping: false,
        preSplitShipped: false,
        estimatedShippingDate: "",
      })),
    });
    expect(raw).toEqual({ status: 500, body: { code: 500, message: "internal exception" } });
    expect((await c.client.getOrderSheet(box.shipmentBoxId)).value.status).toBe("INSTRUCT");
  });

  it("every carrier code the client accepts is one the simulator knows (no 500 for a number the client passes)", async () => {
    const accept = (await c.client.getOrderSheet((await c.newOrder()).shipmentBoxIds[0]!)).value;
    const unknownToSim: string[] = [];
    for (const code of Object.keys(DELIVERY_COMPANIES) as DeliveryCompanyCode[]) {
      const rule = DELIVERY_COMPANIES[code].rule;
      const number =
        rule.kind === "lengths"
          ? uniqueInvoice(rule.lengths[0])
          : rule.kind === "range"
            ? uniqueInvoice(rule.min)
            : rule.kind === "any"
              ? "D-20250310-1"
              : uniqueInvoice(12);
      expect(checkInvoiceNumber(code, number), code).toEqual({ ok: true });
      // An ACCEPT box: a known carrier gets HTTP 200 with INVALID_STATUS, an unknown one a 500.
      try {
        const result = await c.client.uploadInvoices(rowsFor(accept, code, number));
        expect(
          result.rows.map((r) => r.resultCode),
          code,
        ).toEqual(["INVALID_STATUS"]);
      } catch (error) {
        unknownToSim.push(`${code}: ${(error as Error).message}`);
      }
    }
    expect(unknownToSim).toEqual([]);
  });
});

describe("split shipment (§4.1)", () => {
  it("ships part of a box under a new shipmentBoxId, the rest later from the original box", async () => {
    let box = await instructBox();
    for (let k = 0; box.orderItems.length < 2 && k < 40; k++) box = await instructBox();
    expect(box.orderItems.length, "a multi-item INSTRUCT box").toBeGreaterThanOrEqual(2);
    const [now, ...later] = box.orderItems;
    const row = (
      vendorItemId: bigint,
      invoiceNumber: string,
      extra: Partial<InvoiceRow> = {},
    ): InvoiceRow => ({
      shipmentBoxId: box.shipmentBoxId,
      orderId: box.orderId,
      vendorItemId,
      deliveryCompanyCode: "CJGLS",
      invoiceNumber,
      splitShipping: true,
      ...extra,
    });
    const first = uniqueInvoice();
    const split = await c.client.uploadInvoices([
      row(now!.vendorItemId, first),
      ...later.map((i) => row(i.vendorItemId, "", { estimatedShippingDate: "2025-03-20" })),
    ]);
    expect(split).toMatchObject({
      outcome: "success",
      rows: [{ shipmentBoxId: box.shipmentBoxId, resultCode: "OK" }],
    });
    const original = (await c.client.getOrderSheet(box.shipmentBoxId)).value;
    expect(original).toMatchObject({ status: "INSTRUCT", splitShipping: true });
    expect(original.orderItems.map((i) => i.vendorItemId)).toEqual(later.map((i) => i.vendorItemId));
    expect(original.orderItems[0]!.plannedShippingDate?.toISOString()).toBe("2025-03-20T00:00:00.000Z");
    // The shipped part has a new box, found through the orderId lookup (§4.1).
    const byOrder = await c.client.getOrderSheetsByOrderId(box.orderId);
    expect(byOrder.rejected).toEqual([]);
    const shipped = byOrder.orders.map((o) => o.value).filter((o) => o.shipmentBoxId !== box.shipmentBoxId);
    expect(shipped).toHaveLength(1);
    expect(shipped[0]!).toMatchObject({ status: "DEPARTURE", invoiceNumber: first, splitShipping: true });
    expect(shipped[0]!.shipmentBoxId > box.shipmentBoxId).toBe(true);
    expect(shipped[0]!.orderItems.map((i) => i.vendorItemId)).toEqual([now!.vendorItemId]);

    // The later call for the rest: splitShipping and preSplitShipped, same original box.
    const second = uniqueInvoice();
    const rest = await c.client.uploadInvoices(
      later.map((i) => row(i.vendorItemId, second, { preSplitShipped: true })),
    );
    expect(rest).toMatchObject({
      outcome: "success",
      rows: [{ shipmentBoxId: box.shipmentBoxId, resultCode: "OK" }],
    });
    expect((await c.client.getOrderSheet(box.shipmentBoxId)).value).toMatchObject({
      status: "DEPARTURE",
      invoiceNumber: second,
    });
  });

  it("refuses a DIRECT split and a later item without a date before calling; the simulator's codes for the rest", async () => {
    const box = await instructBox();
    const calls = c.sim.calls().total;
    const item = box.orderItems[0]!;
    const base = {
      shipmentBoxId: box.shipmentBoxId,
      orderId: box.orderId,
      vendorItemId: item.vendorItemId,
      splitShipping: true,
    };
    await expect(
      c.client.uploadInvoices([{ ...base, deliveryCompanyCode: "DIRECT", invoiceNumber: "D-1" }]),
    ).rejects.toMatchObject({
      name: "CoupangInputError",
      field: "orderSheetInvoiceApplyDtos[0].deliveryCompanyCode",
    });
    await expect(
      c.client.uploadInvoices([{ ...base, deliveryCompanyCode: "CJGLS", invoiceNumber: "" }]),
    ).rejects.toMatchObject({
      name: "CoupangInputError",
      field: "orderSheetInvoiceApplyDtos[0].estimatedShippingDate",
    });
    expect(c.sim.calls().total).toBe(calls);
    if (box.orderItems.length === 1) {
      const one = await c.client.uploadInvoices([
        { ...base, deliveryCompanyCode: "CJGLS", invoiceNumber: uniqueInvoice() },
      ]);
      expect(one.rows).toMatchObject([
        {
          shipmentBoxId: box.shipmentBoxId,
          resultCode: "NOT_ALLOW_SEPARATE_WHEN_ONE_VENDOR_ITEM",
          retryRequired: false,
        },
      ]);
    } else {
      const missing = await c.client.uploadInvoices([
        { ...base, splitShipping: false, deliveryCompanyCode: "CJGLS", invoiceNumber: uniqueInvoice() },
      ]);
      expect(missing.rows).toMatchObject([
        { shipmentBoxId: box.shipmentBoxId, resultCode: "NOT_FOUND_VENDOR_ITEM" },
      ]);
    }
  });
});

describe("cancel (§5.1)", () => {
  it("a full cancel at ACCEPT is an instant CANCEL receipt; the box leaves the list; cancelType=CANCEL lists it", async () => {
    const { orderId, shipmentBoxIds } = await c.newOrder();
    const box = (await c.client.getOrderSheet(shipmentBoxIds[0]!)).value;
    c.advance(10 * MINUTE_MS);
    expect(await listedToday(c, "ACCEPT")).toContain(box.shipmentBoxId);
    const items = box.orderItems.map((i) => ({
      vendorItemId: i.vendorItemId,
      receiptCount: i.shippingCount!,
    }));
    const result = await c.client.cancelOrder({
      orderId,
      items,
      middleCancelCode: "CCTTER",
      userId: "wing-user",
    });
    expect(result).toMatchObject({ outcome: "success", code: "200", orderId, failedVendorItemIds: [] });
    expect(result.message).toMatch(/^\[요청번호\] [0-9a-f-]{36}$/);
    expect(result.receipts).toHaveLength(1);
    const receipt = result.receipts[0]!;
    expect(receipt).toMatchObject({
      receiptType: "CANCEL",
      vendorItemIds: items.map((i) => i.vendorItemId),
      totalCount: items.reduce((n, i) => n + i.receiptCount, 0),
    });
    expect(result.items.map((i) => [i.vendorItemId, i.status, i.receipt?.receiptId])).toEqual(
      items.map((i) => [i.vendorItemId, "cancelled", receipt.receiptId]),
    );
    expect(await listedToday(c, "ACCEPT")).not.toContain(box.shipmentBoxId);
    const after = (await c.client.getOrderSheet(box.shipmentBoxId)).value;
    expect(after.orderItems.map((i) => [i.canceled, i.cancelCount])).toEqual(
      box.orderItems.map((i) => [true, i.shippingCount]),
    );
    const day = kstDay(c.sim.clock.now());
    const cancels = await c.client.listReturnRequests({
      createdAtFrom: day,
      createdAtTo: day,
      cancelType: "CANCEL",
    });
    expect(cancels.rejected).toEqual([]);
    expect(cancels.returns.find((r) => r.value.receiptId === receipt.receiptId)?.value).toMatchObject({
      receiptType: "CANCEL",
      receiptStatus: "RETURNS_COMPLETED",
      orderId,
    });
    expect(c.sim.writes({ target: String(receipt.receiptId) }).map((w) => w.endpoint)).toEqual([
      "POST orders/{orderId}/cancel",
    ]);
  });

  it('a partial cancel at ACCEPT fails item by item (HTTP 400 code "400" is a result, not an exception)', async () => {
    let box = (await c.client.getOrderSheet((await c.newOrder()).shipmentBoxIds[0]!)).value;
    const divisible = (o: OrderSheet): boolean =>
      o.orderItems.length > 1 || o.orderItems[0]!.shippingCount! > 1;
    for (let k = 0; !divisible(box) && k < 40; k++)
      box = (await c.client.getOrderSheet((await c.newOrder()).shipmentBoxIds[0]!)).value;
    expect(divisible(box), "an ACCEPT box with more than one unit").toBe(true);
    const item = box.orderItems[0]!;
    const before = c.sim.writes().length;
    const result = await c.client.cancelOrder({
      orderId: box.orderId,
      items: [{ vendorItemId: item.vendorItemId, receiptCount: 1 }],
      middleCancelCode: "CCPRER",
      userId: "wing-user",
    });
    expect(result).toMatchObject({
      outcome: "failed",
      code: "400",
      receipts: [],
      failedVendorItemIds: [item.vendorItemId],
    });
    expect(result.items).toMatchObject([
      {
        vendorItemId: item.vendorItemId,
        status: "failed",
        reason: "결제완료 상태에서는 부분 취소는 불가능합니다.",
      },
    ]);
    expect(c.sim.writes().length).toBe(before);
    const after = (await c.client.getOrderSheet(box.shipmentBoxId)).value;
    expect(after.status).toBe("ACCEPT");
    expect(after.orderItems[0]!.cancelCount).toBe(0);
  });

  it("a partial cancel at INSTRUCT is a STOP_SHIPMENT receipt; an item over its quantity fails alone (code 200, partial)", async () => {
    let box = await instructBox();
    for (let k = 0; box.orderItems.length < 2 && k < 40; k++) box = await instructBox();
    expect(box.orderItems.length, "a two-item INSTRUCT box").toBeGreaterThanOrEqual(2);
    const [one, two] = box.orderItems as [OrderSheet["orderItems"][number], OrderSheet["orderItems"][number]];
    const result = await c.client.cancelOrder({
      orderId: box.orderId,
      items: [
        { vendorItemId: one.vendorItemId, receiptCount: 1 },
        { vendorItemId: two.vendorItemId, receiptCount: two.shippingCount! + 1 },
      ],
      middleCancelCode: "CCPNER",
      userId: "wing-user",
    });
    expect(result).toMatchObject({
      outcome: "partial",
      code: "200",
      failedVendorItemIds: [two.vendorItemId],
    });
    expect(result.receipts).toMatchObject([
      { receiptType: "STOP_SHIPMENT", vendorItemIds: [one.vendorItemId], totalCount: 1 },
    ]);
    expect(result.items.map((i) => i.status)).toEqual(["cancelled", "failed"]);
    expect(result.items[1]!.reason).toBe(`취소 가능 수량(${two.shippingCount})을 초과했습니다.`);
    const after = (await c.client.getOrderSheet(box.shipmentBoxId)).value;
    expect(after.status).toBe("INSTRUCT");
    expect(after.orderItems.find((i) => i.vendorItemId === one.vendorItemId)?.cancelCount).toBe(1);
    expect(after.orderItems.find((i) => i.vendorItemId === two.vendorItemId)?.cancelCount).toBe(0);
  });

  it("a cancel in any other status is an error with failedVendorItemIds", async () => {
    const delivered = c.sim.groundTruth().orders.find((o) => o.status === "FINAL_DELIVERY")!;
    const item = delivered.orderItems[0]!;
    const before = c.sim.writes().length;
    const result = await c.client.cancelOrder({
      orderId: delivered.orderId,
      items: [{ vendorItemId: item.vendorItemId, receiptCount: 1 }],
      middleCancelCode: "CCTTER",
      userId: "wing-user",
    });
    expect(result).toMatchObject({
      outcome: "failed",
      code: "400",
      orderId: delivered.orderId,
      receipts: [],
      failedVendorItemIds: [item.vendorItemId],
    });
    expect(result.items).toMatchObject([
      {
        vendorItemId: item.vendorItemId,
        status: "failed",
        reason: "결제완료 또는 상품준비중 상태의 상품만 취소할 수 있습니다. (현재: FINAL_DELIVERY)",
      },
    ]);
    expect(c.sim.writes().length).toBe(before);
    // A refusal of the request itself (an unknown order) stays a CoupangDataError.
    const unknown = await c.client
      .cancelOrder({
        orderId: 1234567890123n,
        items: [{ vendorItemId: item.vendorItemId, receiptCount: 1 }],
        middleCancelCode: "CCTTER",
        userId: "wing-user",
      })
      .catch((e: unknown) => e);
    expect(unknown).toBeInstanceOf(CoupangDataError);
    expect((unknown as CoupangDataError).body).toContain("결제 정보를 찾을 수 없습니다");
  });
});

describe("completeLongTermUndelivery (§9)", () => {
  let lt: Contract;
  beforeAll(async () => {
    lt = await startContract();
  });
  afterAll(async () => {
    await lt?.close();
  });

  it("is refused before 30 days and for an INSTRUCT box, then sets FINAL_DELIVERY", async () => {
    const box = await instructBox(lt);
    const refusedInstruct = await lt.client
      .completeLongTermUndelivery({ shipmentBoxId: box.shipmentBoxId, invoiceNumber: "123412341234" })
      .catch((e: unknown) => e);
    expect(refusedInstruct).toBeInstanceOf(CoupangDataError);
    expect(refusedInstruct).toMatchObject({ statusCode: 400 });
    expect((refusedInstruct as CoupangDataError).message).toContain("배송완료 처리 실패. 배송상태: INSTRUCT");

    const number = uniqueInvoice();
    expect((await lt.client.uploadInvoices(rowsFor(box, "CJGLS", number))).outcome).toBe("success");
    const early = await lt.client
      .completeLongTermUndelivery({ shipmentBoxId: box.shipmentBoxId, invoiceNumber: number })
      .catch((e: unknown) => e);
    expect(early).toBeInstanceOf(CoupangDataError);
    lt.advance(30 * DAY_MS);
    const done = await lt.client.completeLongTermUndelivery({
      shipmentBoxId: box.shipmentBoxId,
      invoiceNumber: number,
    });
    expect(done).toMatchObject({ succeeded: true, code: "200", message: "SUCCESS" });
    expect(JSON.parse(done.rawJson)).toEqual({ code: "200", message: "SUCCESS", data: true });
    expect((await lt.client.getOrderSheet(box.shipmentBoxId)).value).toMatchObject({
      status: "FINAL_DELIVERY",
      invoiceNumber: number,
    });
    expect(lt.sim.writes({ endpoint: "completeLongTermUndelivery" }).map((w) => w.targets)).toEqual([
      [`shipmentBoxId:${box.shipmentBoxId}`],
    ]);
    expect(callsOf(lt.sim, "POST completeLongTermUndelivery")).toBe(3);
  });
});

// Contract: return and cancel receipts (coupang-api.md §5.3, §6) and withdrawn returns (§7)
// through @cos/coupang against @cos/coupang-sim. Receipts are created with the simulator's
// buyer events (/__sim/events); the seller's side goes through the client only.
import { CoupangDataError, CoupangRetryableError } from "@cos/coupang";
import type { ReturnRequest, ReturnRequestPage, ReturnWithdrawalPage, ValidRecord } from "@cos/coupang";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  MINUTE_MS,
  callsOf,
  kstDay,
  kstMinute,
  startContract,
  toBigInt,
  uniqueInvoice,
  wireJson,
} from "./support.js";
import type { Contract } from "./support.js";

let c: Contract;
/** Delivered boxes of the generated history, each used for at most one claim. */
let delivered: bigint[];

beforeAll(async () => {
  c = await startContract({ seed: 21 });
  delivered = c.sim
    .groundTruth()
    .orders.filter((o) => o.status === "FINAL_DELIVERY")
    .map((o) => o.shipmentBoxId);
});
afterAll(async () => {
  await c?.close();
});

const nextDelivered = (): bigint => {
  const id = delivered.shift();
  if (id === undefined) throw new Error("out of delivered boxes");
  return id;
};

/** A return (UC) of a delivered box, by the buyer, now. */
async function newReturn(): Promise<bigint> {
  return (await c.event({ type: "returnRequest", shipmentBoxId: nextDelivered() })).receiptId as bigint;
}

/** An INSTRUCT box (a new order, acknowledged through the client). */
async function instructBox(): Promise<bigint> {
  const id = (await c.newOrder()).shipmentBoxIds[0]!;
  expect((await c.client.acknowledgeOrders([id])).outcome).toBe("success");
  return id;
}

const today = (): string => kstDay(c.sim.clock.now());

/** The receipt IDs of a daily returnRequests listing for today, every page. */
async function listedIds(query: {
  status?: "RU" | "UC" | "CC" | "PR";
  cancelType?: "CANCEL";
}): Promise<bigint[]> {
  const ids: bigint[] = [];
  for await (const page of c.client.returnRequestPages({
    createdAtFrom: today(),
    createdAtTo: today(),
    ...query,
  })) {
    expect(page.rejected).toEqual([]);
    ids.push(...page.returns.map((r) => r.value.receiptId));
  }
  return ids;
}

/** The ground truth's serialization of receipt `id`. */
function truthJson(id: bigint): string {
  const r = c.sim.groundTruth().returnRequests.find((x) => x.receiptId === id);
  expect(r, `receipt ${id} in the ground truth`).toBeDefined();
  return wireJson(r);
}

describe("returnRequests lists (§6.1)", () => {
  it("daily mode pages with nextToken to the end and equals the ground truth, byte for byte", async () => {
    const created: bigint[] = [];
    for (let k = 0; k < 5; k++) created.push(await newReturn());
    const pages: ReturnRequestPage[] = [];
    for await (const page of c.client.returnRequestPages({
      createdAtFrom: today(),
      createdAtTo: today(),
      status: "UC",
      maxPerPage: 2,
    })) {
      pages.push(page);
    }
    expect(pages.map((p) => p.returns.length)).toEqual([2, 2, 1]);
    expect(pages.map((p) => p.nextToken)).toEqual([String(created[1]), String(created[3]), undefined]);
    const returns = pages.flatMap((p) => p.returns);
    expect(returns.map((r) => r.value.receiptId)).toEqual(created);
    expect(returns.map((r) => r.rawJson)).toEqual(created.map(truthJson));
    const first = returns[0]!.value;
    expect(first).toMatchObject({
      receiptType: "RETURN",
      receiptStatus: "RETURNS_UNCHECKED",
      releaseStopStatus: "비대상",
    });
    expect(first.createdAt?.getTime()).toBe(c.sim.clock.nowMs() - (c.sim.clock.nowMs() % 1000));
    expect(first.returnItems.length).toBeGreaterThan(0);
    expect(first.cancelCountSum).toBe(first.returnItems.reduce((n, i) => n + (i.cancelCount ?? 0), 0));
    // The pickup invoice without a number is dropped from the value; the raw record keeps it (§6.1).
    expect(first.returnDeliveryDtos).toEqual([]);
    expect(returns[0]!.rawJson).toContain(
      '"returnDeliveryDtos":[{"deliveryCompanyCode":"CJGLS","deliveryInvoiceNo":""}]',
    );
    // returnShippingCharge, a plain KRW number on the KR shape, becomes a Money value.
    const charge = c.sim
      .groundTruth()
      .returnRequests.find((r) => r.receiptId === first.receiptId)!.returnShippingCharge;
    expect(first.returnShippingCharge).toEqual({ currencyCode: "KRW", units: BigInt(charge), nanos: 0 });
  });

  it("timeFrame mode (minute window, no paging) and the orderId filter find the same receipt", async () => {
    const receiptId = await newReturn();
    const now = c.sim.clock.nowMs();
    const before = callsOf(c.sim, "GET returnRequests");
    const list = await c.client.listReturnRequestsByTimeFrame({
      createdAtFrom: kstMinute(now - 30 * MINUTE_MS),
      createdAtTo: kstMinute(now),
      status: "UC",
    });
    expect(callsOf(c.sim, "GET returnRequests") - before).toBe(1);
    expect(list.rejected).toEqual([]);
    expect(list.returns.map((r) => r.value.receiptId)).toContain(receiptId);
    const orderId = list.returns.find((r) => r.value.receiptId === receiptId)!.value.orderId!;
    const byOrder = await c.client.listReturnRequests({
      createdAtFrom: today(),
      createdAtTo: today(),
      orderId,
    });
    expect(byOrder.returns.map((r) => r.value.receiptId)).toEqual([receiptId]);
    expect(byOrder.returns[0]!.rawJson).toBe(truthJson(receiptId));
    // A minute window that ends before the receipt does not find it.
    const earlier = await c.client.listReturnRequestsByTimeFrame({
      createdAtFrom: kstMinute(now - 60 * MINUTE_MS),
      createdAtTo: kstMinute(now - MINUTE_MS),
      status: "UC",
    });
    expect(earlier.returns.map((r) => r.value.receiptId)).not.toContain(receiptId);
  });

  it("cancelType=CANCEL lists instant cancels (no status, no orderId), daily and timeFrame; the single lookup refuses them", async () => {
    const box = (await c.newOrder()).shipmentBoxIds[0]!;
    const receiptId = (await c.event({ type: "buyerCancel", shipmentBoxId: box })).receiptId as bigint;
    expect(await listedIds({ cancelType: "CANCEL" })).toContain(receiptId);
    expect(await listedIds({ status: "UC" })).not.toContain(receiptId);
    const now = c.sim.clock.nowMs();
    const minute = await c.client.listReturnRequestsByTimeFrame({
      createdAtFrom: kstMinute(now - 10 * MINUTE_MS),
      createdAtTo: kstMinute(now),
      cancelType: "CANCEL",
    });
    const found = minute.returns.find((r) => r.value.receiptId === receiptId);
    expect(found?.value).toMatchObject({ receiptType: "CANCEL", receiptStatus: "RETURNS_COMPLETED" });
    expect(found?.rawJson).toBe(truthJson(receiptId));
    // Coupang's single lookup takes return receipts only (§6.2): a 400 → CoupangDataError.
    await expect(c.client.getReturnRequest(receiptId)).rejects.toBeInstanceOf(CoupangDataError);
    // status with cancelType=CANCEL is refused before calling.
    const calls = c.sim.calls().total;
    await expect(
      c.client.listReturnRequests({
        createdAtFrom: today(),
        createdAtTo: today(),
        cancelType: "CANCEL",
        status: "UC",
      }),
    ).rejects.toMatchObject({ name: "CoupangInputError", field: "status" });
    expect(c.sim.calls().total).toBe(calls);
  });
});

describe("return receipt actions (§5.3, §6.2, §6.3)", () => {
  it("RU: stoppedShipment with the receipt's total completes it; again is 400 'Product is already returned.'", async () => {
    const box = await instructBox();
    const receiptId = (await c.event({ type: "stopShipmentRequest", shipmentBoxId: box }))
      .receiptId as bigint;
    // A stop request shows under both RU and UC (§6.1).
    expect(await listedIds({ status: "RU" })).toContain(receiptId);
    expect(await listedIds({ status: "UC" })).toContain(receiptId);
    const receipt = await c.client.getReturnRequest(receiptId);
    expect(receipt.rawJson).toBe(truthJson(receiptId));
    expect(receipt.value).toMatchObject({
      receiptId,
      receiptStatus: "RELEASE_STOP_UNCHECKED",
      releaseStopStatus: "미처리",
    });
    expect(receipt.value.returnItems.map((i) => [i.shipmentBoxId, i.releaseStatus])).toEqual(
      receipt.value.returnItems.map(() => [box, "N"]),
    );
    const total = receipt.value.cancelCountSum!;
    // A wrong count: Coupang's 500 [INTERNAL_SERVER_ERROR] → a retryable error; a PUT is sent once, never retried.
    const before = callsOf(c.sim, "PUT returnRequests/{receiptId}/stoppedShipment");
    const wrong = await c.client.stopShipment({ receiptId, cancelCount: total + 1 }).catch((e: unknown) => e);
    expect(wrong).toBeInstanceOf(CoupangRetryableError);
    expect(wrong).toMatchObject({ statusCode: 500 });
    expect((wrong as CoupangRetryableError).body).toContain(
      "취소반품접수수량과 cancelCount가 일치하지 않습니다.",
    );
    expect(callsOf(c.sim, "PUT returnRequests/{receiptId}/stoppedShipment") - before).toBe(1);

    const stopped = await c.client.stopShipment({ receiptId, cancelCount: total });
    expect(stopped).toMatchObject({ succeeded: true, code: "200", resultCode: "SUCCESS" });
    expect((await c.client.getReturnRequest(receiptId)).value).toMatchObject({
      receiptStatus: "RETURNS_COMPLETED",
      releaseStopStatus: "처리(출고중지)",
    });
    expect(await listedIds({ status: "CC" })).toContain(receiptId);
    const again = await c.client.stopShipment({ receiptId, cancelCount: total }).catch((e: unknown) => e);
    expect(again).toBeInstanceOf(CoupangDataError);
    expect(again).toMatchObject({ statusCode: 400 });
    expect((again as CoupangDataError).body).toContain("Product is already returned.");
    expect(c.sim.writes({ target: String(receiptId) }).map((w) => w.endpoint)).toEqual([
      "PUT returnRequests/{receiptId}/stoppedShipment",
    ]);
  });

  it("RU: completedShipment ships the box with the invoice and turns the receipt into a return (UC)", async () => {
    const box = await instructBox();
    const receiptId = (await c.event({ type: "stopShipmentRequest", shipmentBoxId: box }))
      .receiptId as bigint;
    const number = uniqueInvoice();
    const shipped = await c.client.markAlreadyShipped({
      receiptId,
      deliveryCompanyCode: "HANJIN",
      invoiceNumber: number,
    });
    // The example answer nests code/message in data (§5.3): read as a success.
    expect(shipped).toMatchObject({ succeeded: true, code: "200", message: "OK" });
    expect(JSON.parse(shipped.rawJson)).toEqual({
      code: "200",
      message: "OK",
      data: { code: "200", message: "OK" },
    });
    expect((await c.client.getOrderSheet(box)).value).toMatchObject({
      status: "DEPARTURE",
      invoiceNumber: number,
    });
    expect((await c.client.getReturnRequest(receiptId)).value).toMatchObject({
      receiptStatus: "RETURNS_UNCHECKED",
      releaseStopStatus: "처리(이미출고)",
    });
    expect(await listedIds({ status: "RU" })).not.toContain(receiptId);
    expect(await listedIds({ status: "UC" })).toContain(receiptId);
  });

  it("UC → receiveConfirmation → VENDOR_WAREHOUSE_CONFIRM → approval → CC; a quick refund completes on receipt", async () => {
    let slow: ValidRecord<ReturnRequest> | undefined;
    let quick: ValidRecord<ReturnRequest> | undefined;
    for (let k = 0; k < 30 && (slow === undefined || quick === undefined); k++) {
      const r = await c.client.getReturnRequest(await newReturn());
      if (r.value.preRefund === true) quick ??= r;
      else slow ??= r;
    }
    expect(slow, "a return without quick refund").toBeDefined();
    expect(quick, "a quick-refund return").toBeDefined();

    const received = await c.client.confirmReturnReceived(slow!.value.receiptId);
    expect(received).toMatchObject({ succeeded: true, code: "200", message: "OK", resultCode: undefined });
    expect((await c.client.getReturnRequest(slow!.value.receiptId)).value.receiptStatus).toBe(
      "VENDOR_WAREHOUSE_CONFIRM",
    );
    expect(await listedIds({ status: "UC" })).toContain(slow!.value.receiptId);
    const approved = await c.client.approveReturn({
      receiptId: slow!.value.receiptId,
      cancelCount: slow!.value.cancelCountSum!,
    });
    expect(approved).toMatchObject({
      succeeded: true,
      resultCode: "SUCCESS",
      resultMessage: "반품 승인 처리되었습니다.",
    });
    expect((await c.client.getReturnRequest(slow!.value.receiptId)).value).toMatchObject({
      receiptStatus: "RETURNS_COMPLETED",
      completeConfirmType: "VENDOR_CONFIRM",
    });
    expect(await listedIds({ status: "CC" })).toContain(slow!.value.receiptId);
    // Receiving it again: a 400, not a success.
    await expect(c.client.confirmReturnReceived(slow!.value.receiptId)).rejects.toBeInstanceOf(
      CoupangDataError,
    );

    await c.client.confirmReturnReceived(quick!.value.receiptId);
    const done = (await c.client.getReturnRequest(quick!.value.receiptId)).value;
    expect(done.receiptStatus).toBe("RETURNS_COMPLETED");
    expect(done.completeConfirmDate?.getTime()).toBe(c.sim.clock.nowMs() - (c.sim.clock.nowMs() % 1000));
  });

  it("PR: a return escalated to Coupang is listed under PR", async () => {
    const receiptId = await newReturn();
    await c.event({ type: "coupangCheck", receiptId });
    expect(await listedIds({ status: "PR" })).toContain(receiptId);
    expect((await c.client.getReturnRequest(receiptId)).value.receiptStatus).toBe("REQUEST_COUPANG_CHECK");
  });
});

describe("withdrawn returns (§7)", () => {
  it("a withdrawn return leaves returnRequests and is paged by pageIndex and found by IDs", async () => {
    c.advance(60 * MINUTE_MS);
    const withdrawn: bigint[] = [];
    for (let k = 0; k < 5; k++) {
      const receiptId = await newReturn();
      c.advance(MINUTE_MS);
      await c.event({ type: "withdrawReturn", receiptId });
      withdrawn.push(receiptId);
    }
    const kept = await newReturn();
    expect(await listedIds({ status: "UC" })).not.toContain(withdrawn[0]);
    await expect(c.client.getReturnRequest(withdrawn[0]!)).rejects.toBeInstanceOf(CoupangDataError);

    const before = callsOf(c.sim, "GET returnWithdrawRequests");
    const pages: ReturnWithdrawalPage[] = [];
    for await (const page of c.client.returnWithdrawalPages({
      dateFrom: today(),
      dateTo: today(),
      sizePerPage: 2,
    }))
      pages.push(page);
    expect(callsOf(c.sim, "GET returnWithdrawRequests") - before).toBe(3);
    expect(pages.map((p) => [p.pageIndex, p.withdrawals.length, p.nextPageIndex])).toEqual([
      [1, 2, 2],
      [2, 2, 3],
      [3, 1, undefined],
    ]);
    const all = pages.flatMap((p) => p.withdrawals);
    expect(all.map((w) => w.value.cancelId)).toEqual(withdrawn);
    const truth = c.sim.groundTruth().returnWithdrawals;
    expect(all.map((w) => w.rawJson)).toEqual(truth.map(wireJson));
    expect(all[0]!.value).toMatchObject({ vendorId: c.clientOptions.vendorId, cancelId: withdrawn[0] });
    expect(all[0]!.value.vendorItemIds.length).toBeGreaterThan(0);
    expect(all.map((w) => w.value.createdAt!.getTime())).toEqual(
      truth.map((w) => new Date(`${w.createdAt}+09:00`).getTime()),
    );

    const byIds = await c.client.getReturnWithdrawals([withdrawn[3]!, kept, withdrawn[1]!]);
    expect(byIds.rejected).toEqual([]);
    expect(byIds.withdrawals.map((w) => w.value.cancelId)).toEqual([withdrawn[3], withdrawn[1]]);
    expect(byIds.withdrawals.map((w) => toBigInt(w.value.orderId))).toEqual(
      [withdrawn[3], withdrawn[1]].map((id) => toBigInt(truth.find((w) => w.cancelId === id)!.orderId)),
    );
  });

  it("refuses an 8-day period and 51 IDs before calling", async () => {
    const before = c.sim.calls().total;
    await expect(
      c.client.listReturnWithdrawals({ dateFrom: "2025-03-01", dateTo: "2025-03-08" }),
    ).rejects.toMatchObject({ name: "CoupangInputError", field: "dateTo" });
    await expect(
      c.client.getReturnWithdrawals(Array.from({ length: 51 }, (_, k) => BigInt(500000000 + k))),
    ).rejects.toMatchObject({ name: "CoupangInputError", field: "cancelIds" });
    expect(c.sim.calls().total).toBe(before);
    // 7 days inclusive is accepted by both.
    await expect(
      c.client.listReturnWithdrawals({ dateFrom: "2025-03-01", dateTo: "2025-03-07" }),
    ).resolves.toMatchObject({
      rejected: [],
      nextPageIndex: undefined,
    });
  });
});

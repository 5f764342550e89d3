// Contract: exchange requests (coupang-api.md §8) through @cos/coupang against @cos/coupang-sim.
import {
  CoupangDataError,
  CoupangInputError,
  replacementShipmentBoxIds,
  splitExchangeWindows,
} from "@cos/coupang";
import type { ExchangeRequest, ExchangeRequestPage } from "@cos/coupang";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DAY_MS, MINUTE_MS, callsOf, kstSecond, startContract, uniqueInvoice, wireJson } from "./support.js";
import type { Contract } from "./support.js";

let c: Contract;
let delivered: bigint[];

beforeAll(async () => {
  c = await startContract({ seed: 33, exchangeBoxLagMinutes: 10 });
  delivered = c.sim
    .groundTruth()
    .orders.filter((o) => o.status === "FINAL_DELIVERY")
    .map((o) => o.shipmentBoxId);
});
afterAll(async () => {
  await c?.close();
});

/** An exchange of a delivered box, requested by the buyer now. */
async function newExchange(): Promise<{ exchangeId: bigint; box: bigint }> {
  const box = delivered.shift()!;
  const { exchangeId } = await c.event({ type: "exchangeRequest", shipmentBoxId: box });
  return { exchangeId: exchangeId as bigint, box };
}

/** Every exchange of the last 6 days (one window), every page. */
async function exchanges(status?: ExchangeRequest["exchangeStatus"]): Promise<ExchangeRequest[]> {
  const now = c.sim.clock.nowMs();
  const [window] = splitExchangeWindows(new Date(now - 6 * DAY_MS), new Date(now + 1000));
  const out: ExchangeRequest[] = [];
  for await (const page of c.client.exchangeRequestPages({
    createdAtFrom: window!.createdAtFrom,
    createdAtTo: window!.createdAtTo,
    ...(status === undefined ? {} : { status: status as "RECEIPT" }),
  })) {
    expect(page.rejected).toEqual([]);
    out.push(...page.exchanges.map((x) => x.value));
  }
  return out;
}

async function exchange(exchangeId: bigint): Promise<ExchangeRequest> {
  const found = (await exchanges()).find((x) => x.exchangeId === exchangeId);
  expect(found, `exchange ${exchangeId}`).toBeDefined();
  return found!;
}

describe("exchangeRequests list (§8.1)", () => {
  it("pages with nextToken (maxPerPage) and equals the ground truth, byte for byte", async () => {
    const created: bigint[] = [];
    for (let k = 0; k < 5; k++) created.push((await newExchange()).exchangeId);
    const now = c.sim.clock.nowMs();
    const pages: ExchangeRequestPage[] = [];
    const before = callsOf(c.sim, "GET exchangeRequests");
    for await (const page of c.client.exchangeRequestPages({
      createdAtFrom: kstSecond(now - DAY_MS),
      createdAtTo: kstSecond(now),
      maxPerPage: 2,
    })) {
      pages.push(page);
    }
    expect(callsOf(c.sim, "GET exchangeRequests") - before).toBe(3);
    expect(pages.map((p) => [p.exchanges.length, p.nextToken])).toEqual([
      [2, String(created[1])],
      [2, String(created[3])],
      [1, undefined],
    ]);
    const all = pages.flatMap((p) => p.exchanges);
    expect(all.map((x) => x.value.exchangeId)).toEqual(created);
    const truth = c.sim.groundTruth().exchanges.filter((x) => created.includes(x.exchangeId));
    expect(all.map((x) => x.rawJson)).toEqual(truth.map(wireJson));
    const first = all[0]!.value;
    expect(first).toMatchObject({
      exchangeStatus: "RECEIPT",
      collectStatus: "BeforeDirection",
      vendorId: c.clientOptions.vendorId,
      deliveryInvoiceGroupDtos: [],
    });
    expect(first.exchangeItemDtoV1s.length).toBeGreaterThan(0);
    expect(first.createdAt?.getTime()).toBe(now - (now % 1000));
    expect(first.collectCompleteDate).toBeUndefined();
    expect(replacementShipmentBoxIds(first)).toEqual([]);
  });

  it("createdAtTo's second is included; a window over 7 days is refused before calling", async () => {
    const { exchangeId } = await newExchange();
    const now = c.sim.clock.nowMs();
    const exact = await c.client.listExchangeRequests({
      createdAtFrom: kstSecond(now),
      createdAtTo: kstSecond(now),
    });
    expect(exact.exchanges.map((x) => x.value.exchangeId)).toContain(exchangeId);
    const calls = c.sim.calls().total;
    await expect(
      c.client.listExchangeRequests({
        createdAtFrom: kstSecond(now - 7 * DAY_MS - 1000),
        createdAtTo: kstSecond(now),
      }),
    ).rejects.toMatchObject({ name: "CoupangInputError", field: "createdAtTo" });
    expect(c.sim.calls().total).toBe(calls);
  });
});

describe("exchange actions (§8.2)", () => {
  it("receiveConfirmation → PROGRESS and, after the box lag, a new shipmentBoxId; the replacement invoice goes on the new box only", async () => {
    const { exchangeId, box } = await newExchange();
    const original = await exchange(exchangeId);
    expect(original.exchangeItemDtoV1s.map((i) => i.originalShipmentBoxId)).toEqual(
      original.exchangeItemDtoV1s.map(() => box),
    );
    for (const step of ["CompleteDirection", "Delivering", "CompleteCollect"])
      expect(await c.event({ type: "exchangeCollect", exchangeId })).toEqual({ collectStatus: step });
    const collected = await exchange(exchangeId);
    expect(collected.collectStatus).toBe("CompleteCollect");
    expect(collected.collectCompleteDate?.getTime()).toBe(c.sim.clock.nowMs() - (c.sim.clock.nowMs() % 1000));

    const confirmed = await c.client.confirmExchangeReceived(exchangeId);
    expect(confirmed).toMatchObject({ succeeded: true, code: "200", message: "SUCCESS" });
    const progress = await exchange(exchangeId);
    expect(progress.exchangeStatus).toBe("PROGRESS");
    // The new box is not served yet (pitfall B-17).
    expect(replacementShipmentBoxIds(progress)).toEqual([]);

    // The original box: the client refuses it when given the exchange …
    const calls = callsOf(c.sim, "POST exchangeRequests/{exchangeId}/invoices");
    const refused = await c.client
      .uploadExchangeInvoices(
        exchangeId,
        [{ shipmentBoxId: box, goodsDeliveryCode: "CJGLS", invoiceNumber: uniqueInvoice() }],
        {
          exchange: progress,
        },
      )
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(CoupangInputError);
    expect(refused).toMatchObject({ field: "invoices[0].shipmentBoxId", value: box });
    expect(callsOf(c.sim, "POST exchangeRequests/{exchangeId}/invoices")).toBe(calls);
    // … and Coupang (the simulator) answers it with FAIL and the documented message when sent anyway.
    const onOriginal = await c.client.uploadExchangeInvoices(exchangeId, [
      { shipmentBoxId: box, goodsDeliveryCode: "CJGLS", invoiceNumber: uniqueInvoice() },
    ]);
    expect(onOriginal).toMatchObject({ succeeded: false, resultCode: "FAIL" });
    expect(onOriginal.resultMessage).toBe(
      `shipmentBoxId [${box}] status [FINAL_DELIVERY] is not suitable for applyInvoice. Only INSTRUCT status shipment can be applied.`,
    );

    c.advance(10 * MINUTE_MS);
    const ready = await exchange(exchangeId);
    const [newBox, ...more] = replacementShipmentBoxIds(ready);
    expect(more).toEqual([]);
    expect(newBox).toBeDefined();
    expect(newBox! > box).toBe(true);
    expect(String(newBox)).toMatch(/^\d{18}$/);
    expect(ready.deliveryInvoiceGroupDtos.map((g) => g.shipmentBoxId)).toEqual([newBox]);
    const replacement = (await c.client.getOrderSheet(newBox!)).value;
    expect(replacement).toMatchObject({ status: "INSTRUCT", orderId: ready.orderId });

    const number = uniqueInvoice();
    const shipped = await c.client.uploadExchangeInvoices(
      exchangeId,
      [{ shipmentBoxId: newBox!, goodsDeliveryCode: "CJGLS", invoiceNumber: number }],
      { exchange: ready },
    );
    expect(shipped).toMatchObject({ succeeded: true, resultCode: "SUCCESS" });
    expect((await c.client.getOrderSheet(newBox!)).value).toMatchObject({
      status: "DEPARTURE",
      invoiceNumber: number,
    });
    expect((await exchange(exchangeId)).deliveryStatus).toBe("CompleteDirection");
    expect(c.sim.writes({ target: String(exchangeId) }).map((w) => w.endpoint)).toEqual([
      "PUT exchangeRequests/{exchangeId}/receiveConfirmation",
      "POST exchangeRequests/{exchangeId}/invoices",
    ]);
    // The carrier delivers the replacement: the exchange is SUCCESS.
    expect(await c.event({ type: "carrierScan", shipmentBoxId: newBox })).toEqual({ status: "DELIVERING" });
    expect(await c.event({ type: "carrierScan", shipmentBoxId: newBox })).toEqual({
      status: "FINAL_DELIVERY",
    });
    expect(await exchange(exchangeId)).toMatchObject({
      exchangeStatus: "SUCCESS",
      deliveryStatus: "CompleteDelivery",
    });
    expect((await exchanges("SUCCESS")).map((x) => x.exchangeId)).toContain(exchangeId);
  });

  it("rejection: SOLDOUT → REJECT; a second rejection is FAIL; an unknown code is refused before calling", async () => {
    const { exchangeId } = await newExchange();
    const calls = c.sim.calls().total;
    await expect(c.client.rejectExchange(exchangeId, "NOPE" as "SOLDOUT")).rejects.toMatchObject({
      name: "CoupangInputError",
      field: "exchangeRejectCode",
    });
    expect(c.sim.calls().total).toBe(calls);
    const rejected = await c.client.rejectExchange(exchangeId, "SOLDOUT");
    expect(rejected).toMatchObject({ succeeded: true, code: "200", resultCode: "SUCCESS" });
    expect((await exchanges("REJECT")).map((x) => x.exchangeId)).toContain(exchangeId);
    expect((await exchanges("RECEIPT")).map((x) => x.exchangeId)).not.toContain(exchangeId);
    const again = await c.client.rejectExchange(exchangeId, "WITHDRAW");
    expect(again).toMatchObject({ succeeded: false, resultCode: "FAIL" });
    // Receive confirmation of a rejected exchange is a 400.
    await expect(c.client.confirmExchangeReceived(exchangeId)).rejects.toBeInstanceOf(CoupangDataError);
  });

  it("a buyer's withdrawal shows as CANCEL", async () => {
    const { exchangeId } = await newExchange();
    await c.event({ type: "cancelExchange", exchangeId });
    expect((await exchanges("CANCEL")).map((x) => x.exchangeId)).toContain(exchangeId);
    expect((await exchange(exchangeId)).exchangeStatus).toBe("CANCEL");
  });
});

describe("exchangeRequests without status (§8.1: every status)", () => {
  it("lists every status in one query: the union of the five status lists, ascending by exchangeId", async () => {
    const receipt = (await newExchange()).exchangeId;
    const progress = (await newExchange()).exchangeId;
    for (let k = 0; k < 3; k++) await c.event({ type: "exchangeCollect", exchangeId: progress });
    expect(await c.client.confirmExchangeReceived(progress)).toMatchObject({ succeeded: true });
    const rejected = (await newExchange()).exchangeId;
    expect(await c.client.rejectExchange(rejected, "SOLDOUT")).toMatchObject({ succeeded: true });
    const cancelled = (await newExchange()).exchangeId;
    await c.event({ type: "cancelExchange", exchangeId: cancelled });

    const before = callsOf(c.sim, "GET exchangeRequests");
    const all = await exchanges();
    // This file's 13 exchanges (the earlier tests' 9, one of them SUCCESS, and these 4), in two
    // pages of Coupang's default 10.
    expect(all).toHaveLength(13);
    expect(callsOf(c.sim, "GET exchangeRequests") - before).toBe(2);
    const ids = (xs: ReadonlyArray<{ exchangeId: bigint }>) => xs.map((x) => x.exchangeId);
    expect(ids(all)).toEqual(ids(c.sim.groundTruth().exchanges));
    const statusOf = new Map(all.map((x) => [x.exchangeId, x.exchangeStatus]));
    expect([receipt, progress, rejected, cancelled].map((id) => statusOf.get(id))).toEqual([
      "RECEIPT",
      "PROGRESS",
      "REJECT",
      "CANCEL",
    ]);
    const byStatus: ExchangeRequest[] = [];
    for (const status of ["RECEIPT", "PROGRESS", "SUCCESS", "REJECT", "CANCEL"] as const)
      byStatus.push(...(await exchanges(status)));
    expect(new Set(byStatus.map((x) => x.exchangeStatus))).toEqual(
      new Set(["RECEIPT", "PROGRESS", "SUCCESS", "REJECT", "CANCEL"]),
    );
    expect(ids(all)).toEqual(ids(byStatus).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
  });
});

// Contract: Coupang's bad days end to end (coupang-api.md §1, §3, §10): the simulator's
// signature checks, throttle and fault injection against the client's error taxonomy,
// retries and pager. Every expectation is on what crossed the wire: sim.calls() counts each
// HTTP attempt, sim.writes() each write applied.
import {
  CoupangAuthError,
  CoupangBlockedError,
  CoupangClient,
  CoupangPayloadError,
  CoupangRateLimitError,
  CoupangRetryableError,
} from "@cos/coupang";
import type { InvoiceRow, OrderSheet, OrderSheetPage, ReturnWithdrawalPage } from "@cos/coupang";
import type { OrderSheet as SimOrderSheet } from "@cos/coupang-sim";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  ANCHOR,
  DAY_MS,
  RecordingLimiter,
  callsOf,
  kstDay,
  kstSecond,
  startContract,
  truthBoxes,
  uniqueInvoice,
} from "./support.js";
import type { Contract } from "./support.js";

let c: Contract;

beforeAll(async () => {
  c = await startContract({ seed: 5 });
});
afterEach(() => {
  c.sim.faults.clear();
});
afterAll(async () => {
  await c?.close();
});

const SINGLE = "GET ordersheets/{shipmentBoxId}";
const LIST = "GET ordersheets";
const anyBox = (): SimOrderSheet => truthBoxes(c.sim, (o) => o.status === "DELIVERING")[0]!;
const listQuery = {
  status: "FINAL_DELIVERY" as const,
  createdAtFrom: kstDay(ANCHOR.getTime() - 15 * DAY_MS),
  createdAtTo: kstDay(ANCHOR),
};

/** A new order's first box, acknowledged through the client: INSTRUCT. */
async function instructBox(): Promise<OrderSheet> {
  const id = (await c.newOrder()).shipmentBoxIds[0]!;
  expect((await c.client.acknowledgeOrders([id])).outcome).toBe("success");
  return (await c.client.getOrderSheet(id)).value;
}

const rowsFor = (box: OrderSheet, invoiceNumber: string): InvoiceRow[] =>
  box.orderItems.map((item) => ({
    shipmentBoxId: box.shipmentBoxId,
    orderId: box.orderId,
    vendorItemId: item.vendorItemId,
    deliveryCompanyCode: "CJGLS",
    invoiceNumber,
  }));

describe("authentication (§1)", () => {
  it("a wrong secret key: 401 'Invalid signature.', signed afresh once, then CoupangAuthError — exactly 2 calls", async () => {
    const wrong = new CoupangClient({ ...c.clientOptions, secretKey: "not-the-secret" });
    const before = callsOf(c.sim, SINGLE);
    const error = await wrong.getOrderSheet(anyBox().shipmentBoxId).catch((e: unknown) => e);
    wrong.close();
    expect(error).toBeInstanceOf(CoupangAuthError);
    expect(error).toMatchObject({ statusCode: 401, retryable: false, kind: "auth" });
    expect((error as CoupangAuthError).body).toBe('{"code":"ERROR","message":"Invalid signature."}');
    expect((error as Error).message).not.toContain("not-the-secret");
    expect(callsOf(c.sim, SINGLE) - before).toBe(2);
  });

  it("a clock 10 minutes off: 401 'Specified signature is expired.' — exactly 2 calls, on a write too, nothing applied", async () => {
    const skewed = new CoupangClient({ ...c.clientOptions, now: () => new Date(Date.now() - 10 * 60_000) });
    const box = (await c.newOrder()).shipmentBoxIds[0]!;
    const before = callsOf(c.sim, "PUT ordersheets/acknowledgement");
    const writes = c.sim.writes().length;
    const error = await skewed.acknowledgeOrders([box]).catch((e: unknown) => e);
    skewed.close();
    expect(error).toBeInstanceOf(CoupangAuthError);
    expect((error as CoupangAuthError).body).toContain("Specified signature is expired.");
    expect(callsOf(c.sim, "PUT ordersheets/acknowledgement") - before).toBe(2);
    expect(c.sim.writes().length).toBe(writes);
    expect((await c.client.getOrderSheet(box)).value.status).toBe("ACCEPT");
  });
});

describe("rate limit (§10, pitfall B-4)", () => {
  let rl: Contract;
  const limiter = new RecordingLimiter();
  beforeAll(async () => {
    rl = await startContract({ rateLimit: { perSecond: 10, blockSeconds: 60 }, client: { limiter } });
  });
  afterAll(async () => {
    await rl?.close();
  });

  it("X-CAG-Warnings near the threshold slows the limiter; the 11th call in a second is a 429 that pauses it; the block lifts", async () => {
    const id = truthBoxes(rl.sim, () => true)[0]!.shipmentBoxId;
    for (let k = 1; k <= 10; k++) await rl.client.getOrderSheet(id);
    // Calls 9 and 10 reached 90% of 10/s: each answer carried X-CAG-Warnings.
    expect(limiter.slowDowns).toEqual([
      { vendorId: rl.clientOptions.vendorId, factor: 0.5, ms: 600_000 },
      { vendorId: rl.clientOptions.vendorId, factor: 0.5, ms: 600_000 },
    ]);
    expect(limiter.pauses).toEqual([]);
    const error = await rl.client.getOrderSheet(id).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CoupangRateLimitError);
    expect(error).toMatchObject({
      statusCode: 429,
      retryable: true,
      kind: "rate_limited",
      retryAfterMs: undefined,
    });
    expect((error as CoupangRateLimitError).body).toBe('{"code":"ERROR","message":"Too Many Requests"}');
    // No Retry-After (none is documented): the vendor is paused for rateLimitPauseMs, 60 s.
    expect(limiter.pauses).toEqual([{ vendorId: rl.clientOptions.vendorId, ms: 60_000 }]);
    // A 429 is not retried by the transport: 11 calls in all.
    expect(callsOf(rl.sim, SINGLE)).toBe(11);
    // Still blocked a little later; open again after the block.
    rl.advance(30_000);
    await expect(rl.client.getOrderSheet(id)).rejects.toBeInstanceOf(CoupangRateLimitError);
    rl.advance(30_000);
    await expect(rl.client.getOrderSheet(id)).resolves.toMatchObject({ value: { shipmentBoxId: id } });
    expect(limiter.pauses).toHaveLength(2);
  });
});

describe("gateway errors on reads: retried by the client (§10)", () => {
  it("a 504 on a single lookup is retried once and succeeds: 2 calls", async () => {
    const box = anyBox();
    c.sim.faults.add({ endpoint: SINGLE, kind: "status", status: 504, count: 1 });
    const before = callsOf(c.sim, SINGLE);
    await expect(c.client.getOrderSheet(box.shipmentBoxId)).resolves.toMatchObject({
      value: { shipmentBoxId: box.shipmentBoxId, status: "DELIVERING" },
    });
    expect(callsOf(c.sim, SINGLE) - before).toBe(2);
    expect(c.sim.faults.list()[0]).toMatchObject({ fired: 1, matched: 2 });
  });

  it("two 500s on a list page are retried and the page arrives: 3 calls", async () => {
    c.sim.faults.add({ endpoint: "ordersheets", kind: "status", status: 500, count: 2 });
    const before = callsOf(c.sim, LIST);
    const page = await c.client.listOrderSheets(listQuery);
    expect(page.orders).toHaveLength(50);
    expect(callsOf(c.sim, LIST) - before).toBe(3);
  });

  it("three 521s exhaust the two retries: CoupangRetryableError after 3 calls", async () => {
    c.sim.faults.add({ endpoint: SINGLE, kind: "status", status: 521 });
    const before = callsOf(c.sim, SINGLE);
    const error = await c.client.getOrderSheet(anyBox().shipmentBoxId).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CoupangRetryableError);
    expect(error).toMatchObject({ statusCode: 521, retryable: true });
    expect((error as CoupangRetryableError).body).toContain("connection timed out");
    expect(callsOf(c.sim, SINGLE) - before).toBe(3);
  });

  it("a connection reset on a read is retried: 2 calls", async () => {
    c.sim.faults.add({ endpoint: SINGLE, kind: "reset", count: 1 });
    const before = callsOf(c.sim, SINGLE);
    const box = anyBox();
    await expect(c.client.getOrderSheet(box.shipmentBoxId)).resolves.toMatchObject({
      value: { shipmentBoxId: box.shipmentBoxId },
    });
    expect(callsOf(c.sim, SINGLE) - before).toBe(2);
  });
});

describe("timeouts on reads", () => {
  it("an answer slower than the client's timeout is ETIMEDOUT, retryable, and not retried by the transport: 1 call", async () => {
    const impatient = new CoupangClient({ ...c.clientOptions, standardTimeoutMs: 150 });
    c.sim.faults.add({ endpoint: SINGLE, kind: "latency", latencyMs: 600, count: 1 });
    const before = callsOf(c.sim, SINGLE);
    const error = await impatient.getOrderSheet(anyBox().shipmentBoxId).catch((e: unknown) => e);
    impatient.close();
    expect(error).toBeInstanceOf(CoupangRetryableError);
    expect(error).toMatchObject({ code: "ETIMEDOUT", statusCode: undefined, method: "GET" });
    expect(callsOf(c.sim, SINGLE) - before).toBe(1);
  });
});

describe("writes are never retried by the client (§3, §10)", () => {
  it("a 500 before the write: one call, nothing applied, a retryable error", async () => {
    const box = await instructBox();
    c.sim.faults.add({ endpoint: "orders/invoices", kind: "status", status: 500 });
    const before = callsOf(c.sim, "POST orders/invoices");
    const writes = c.sim.writes().length;
    const error = await c.client.uploadInvoices(rowsFor(box, uniqueInvoice())).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CoupangRetryableError);
    expect(error).toMatchObject({ statusCode: 500, method: "POST" });
    expect(callsOf(c.sim, "POST orders/invoices") - before).toBe(1);
    expect(c.sim.writes().length).toBe(writes);
    c.sim.faults.clear();
    expect((await c.client.getOrderSheet(box.shipmentBoxId)).value.status).toBe("INSTRUCT");
  });

  it("a 504 after the acknowledgement was applied: one call, the write log shows it applied once, undelivered", async () => {
    const id = (await c.newOrder()).shipmentBoxIds[0]!;
    c.sim.faults.add({
      endpoint: "ordersheets/acknowledgement",
      kind: "status",
      status: 504,
      afterWrite: true,
    });
    const before = callsOf(c.sim, "PUT ordersheets/acknowledgement");
    const error = await c.client.acknowledgeOrders([id]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CoupangRetryableError);
    expect(error).toMatchObject({ statusCode: 504, method: "PUT" });
    expect((error as CoupangRetryableError).body).toContain("consider applying timeout extension");
    expect(callsOf(c.sim, "PUT ordersheets/acknowledgement") - before).toBe(1);
    expect(c.sim.writes({ target: String(id) }).map((w) => [w.endpoint, w.delivered])).toEqual([
      ["PUT ordersheets/acknowledgement", false],
    ]);
    // Read back before resending (§3): it did happen.
    c.sim.faults.clear();
    expect((await c.client.getOrderSheet(id)).value.status).toBe("INSTRUCT");
  });

  it("a timeout after the invoice was applied: the client gives up with ETIMEDOUT, one call, applied once", async () => {
    const box = await instructBox();
    const impatient = new CoupangClient({ ...c.clientOptions, timeoutMs: 500 });
    c.sim.faults.add({ endpoint: "orders/invoices", kind: "timeoutAfterWrite", mode: "hang" });
    const before = callsOf(c.sim, "POST orders/invoices");
    const number = uniqueInvoice();
    const error = await impatient.uploadInvoices(rowsFor(box, number)).catch((e: unknown) => e);
    impatient.close();
    expect(error).toBeInstanceOf(CoupangRetryableError);
    expect(error).toMatchObject({
      code: "ETIMEDOUT",
      statusCode: undefined,
      retryable: true,
      method: "POST",
    });
    expect(callsOf(c.sim, "POST orders/invoices") - before).toBe(1);
    const writes = c.sim.writes({ target: String(box.shipmentBoxId) });
    expect(writes.map((w) => [w.endpoint, w.delivered])).toEqual([
      ["PUT ordersheets/acknowledgement", true],
      ["POST orders/invoices", false],
    ]);
    expect(writes[1]!.body).toContain(number);
    c.sim.faults.clear();
    expect((await c.client.getOrderSheet(box.shipmentBoxId)).value).toMatchObject({
      status: "DEPARTURE",
      invoiceNumber: number,
    });
  });

  it("a connection reset after a cancel was applied: ECONNRESET, one call, applied once", async () => {
    const { orderId, shipmentBoxIds } = await c.newOrder();
    const box = (await c.client.getOrderSheet(shipmentBoxIds[0]!)).value;
    c.sim.faults.add({ endpoint: "orders/{orderId}/cancel", kind: "timeoutAfterWrite", mode: "reset" });
    const before = callsOf(c.sim, "POST orders/{orderId}/cancel");
    const error = await c.client
      .cancelOrder({
        orderId,
        items: box.orderItems.map((i) => ({ vendorItemId: i.vendorItemId, receiptCount: i.shippingCount! })),
        middleCancelCode: "CCTTER",
        userId: "wing-user",
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CoupangRetryableError);
    expect(error).toMatchObject({ code: "ECONNRESET" });
    expect(callsOf(c.sim, "POST orders/{orderId}/cancel") - before).toBe(1);
    expect(c.sim.writes({ target: String(box.shipmentBoxId) }).map((w) => [w.endpoint, w.delivered])).toEqual(
      [["POST orders/{orderId}/cancel", false]],
    );
    c.sim.faults.clear();
    expect((await c.client.getOrderSheet(box.shipmentBoxId)).value.orderItems.every((i) => i.canceled)).toBe(
      true,
    );
  });
});

describe("blocks and broken answers (§10)", () => {
  it("403 with an HTML page → CoupangBlockedError, never parsed, not retried", async () => {
    c.sim.faults.add({ endpoint: SINGLE, kind: "status", status: 403 });
    const before = callsOf(c.sim, SINGLE);
    const error = await c.client.getOrderSheet(anyBox().shipmentBoxId).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CoupangBlockedError);
    expect(error).toMatchObject({ statusCode: 403, kind: "blocked", retryable: true });
    expect((error as CoupangBlockedError).body).toMatch(/^<HTML><HEAD>\n<TITLE>Access Denied<\/TITLE>/);
    expect((error as Error).message).toContain('HTML page "Access Denied"');
    expect(callsOf(c.sim, SINGLE) - before).toBe(1);
  });

  it("302 → CoupangBlockedError, the redirect not followed", async () => {
    c.sim.faults.add({ endpoint: "ordersheets", kind: "status", status: 302 });
    const error = await c.client.listOrderSheets(listQuery).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CoupangBlockedError);
    expect(error).toMatchObject({ statusCode: 302 });
    expect((error as Error).message).toContain("redirect to /__sim/blocked");
  });

  it("malformed JSON → CoupangPayloadError at $, not retried", async () => {
    c.sim.faults.add({ endpoint: "ordersheets", kind: "malformedJson", count: 1 });
    const before = callsOf(c.sim, LIST);
    const error = await c.client.listOrderSheets(listQuery).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CoupangPayloadError);
    expect(error).toMatchObject({ jsonPath: "$", statusCode: 200, retryable: false });
    expect((error as CoupangPayloadError).body).toMatch(/^\{"code":200,"message":"OK","data":\[/);
    expect(callsOf(c.sim, LIST) - before).toBe(1);
  });
});

describe("schema drift (§10 known quirks)", () => {
  it("extra fields are kept, in the raw record and in the value, at every depth", async () => {
    c.sim.faults.add({ endpoint: "ordersheets", kind: "drift", drift: "extra", count: 1 });
    const page = await c.client.listOrderSheets(listQuery);
    expect(page.rejected).toEqual([]);
    expect(page.orders).toHaveLength(50);
    const first = page.orders[0]!;
    const added = "added by coupang-sim schema drift";
    expect((first.value as Record<string, unknown>).simAddedField).toBe(added);
    expect((first.value.orderItems[0] as Record<string, unknown>).simAddedField).toBe(added);
    expect((first.value.receiver as Record<string, unknown>).simAddedField).toBe(added);
    expect(first.rawJson).toContain(`"simAddedField":"${added}"`);
  });

  it("missing optional fields and null where a string was become absent; the records stay valid", async () => {
    c.sim.faults.add({ endpoint: "ordersheets", kind: "drift", drift: "missing", count: 1 });
    const missing = await c.client.listOrderSheets(listQuery);
    expect(missing.rejected).toEqual([]);
    expect(missing.orders).toHaveLength(50);
    expect(missing.orders.every((o) => o.value.refer === undefined && !o.rawJson.includes('"refer"'))).toBe(
      true,
    );

    c.sim.faults.add({ endpoint: "ordersheets", kind: "drift", drift: "null", count: 1 });
    const nulled = await c.client.listOrderSheets(listQuery);
    expect(nulled.rejected).toEqual([]);
    expect(nulled.orders).toHaveLength(50);
    for (const o of nulled.orders) {
      expect(o.rawJson).toContain('"safeNumber":null');
      expect(o.value.receiver?.safeNumber).toBeUndefined();
      expect(o.value.receiver?.addr2).toBeUndefined();
      expect(o.value.invoiceNumber).toBeUndefined();
      expect(o.value.receiver?.addr1).toEqual(expect.any(String));
    }
  });

  it("null in a required field rejects the record (path and value named), never the page or the process", async () => {
    c.sim.faults.add({ endpoint: "ordersheets", kind: "drift", drift: "null", fields: ["status"], count: 1 });
    const page = await c.client.listOrderSheets(listQuery);
    expect(page.orders).toEqual([]);
    expect(page.rejected).toHaveLength(50);
    expect(page.rejected[0]!.error).toBe(
      "status: expected one of ACCEPT, INSTRUCT, DEPARTURE, DELIVERING, FINAL_DELIVERY, NONE_TRACKING, got null",
    );
    expect(page.rejected[0]!.rawJson).toContain('"status":null');
    expect(page.nextToken).toMatch(/^\d{18}$/);
    // The single lookup has one record only: it fails with the path and the value.
    c.sim.faults.add({ endpoint: SINGLE, kind: "drift", drift: "null", fields: ["status"], count: 1 });
    const error = await c.client.getOrderSheet(anyBox().shipmentBoxId).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CoupangPayloadError);
    expect(error).toMatchObject({ jsonPath: "data.status", value: null });
    expect((error as Error).message).toMatch(/: data\.status: expected one of ACCEPT, [^]*, got null$/);
  });
});

describe("schema drift on the claim lists", () => {
  it("returnRequests and exchangeRequests keep every record under extra, missing and null drift", async () => {
    const boxes = truthBoxes(c.sim, (o) => o.status === "FINAL_DELIVERY").slice(-2);
    const { receiptId } = await c.event({ type: "returnRequest", shipmentBoxId: boxes[0]!.shipmentBoxId });
    const { exchangeId } = await c.event({ type: "exchangeRequest", shipmentBoxId: boxes[1]!.shipmentBoxId });
    const day = kstDay(c.sim.clock.now());
    const now = c.sim.clock.nowMs();
    for (const drift of ["extra", "missing", "null"] as const) {
      c.sim.faults.add({ endpoint: "returnRequests", kind: "drift", drift, count: 1 });
      const returns = await c.client.listReturnRequests({
        createdAtFrom: day,
        createdAtTo: day,
        status: "UC",
      });
      expect(returns.rejected, drift).toEqual([]);
      const r = returns.returns.find((x) => x.value.receiptId === receiptId);
      expect(r, drift).toBeDefined();
      c.sim.faults.add({ endpoint: "exchangeRequests", kind: "drift", drift, count: 1 });
      const exchanges = await c.client.listExchangeRequests({
        createdAtFrom: kstSecond(now - DAY_MS),
        createdAtTo: kstSecond(now),
      });
      expect(exchanges.rejected, drift).toEqual([]);
      const x = exchanges.exchanges.find((e) => e.value.exchangeId === exchangeId);
      expect(x, drift).toBeDefined();
      if (drift === "null") {
        expect(r!.rawJson).toContain('"requesterPhoneNumber":null');
        expect(r!.value.requesterPhoneNumber).toBeUndefined();
        expect(x!.rawJson).toContain('"returnMobile":null');
        expect(x!.value.exchangeAddressDtoV1?.returnMobile).toBeUndefined();
      }
      if (drift === "missing") {
        expect(r!.rawJson).not.toContain('"returnShippingCharge"');
        expect(r!.value.returnShippingCharge).toBeUndefined();
      }
      if (drift === "extra") {
        expect((r!.value as Record<string, unknown>).simAddedField).toBe("added by coupang-sim schema drift");
        expect((x!.value.exchangeItemDtoV1s[0] as Record<string, unknown>).simAddedField).toBe(
          "added by coupang-sim schema drift",
        );
      }
    }
  });
});

describe("paging faults (§2.1, §7)", () => {
  it("a repeated page is detected by the nextToken pager after it is yielded", async () => {
    c.sim.faults.add({ endpoint: "ordersheets", kind: "duplicatePage", count: 1 });
    const pages: OrderSheetPage[] = [];
    const before = callsOf(c.sim, LIST);
    const error = await (async () => {
      for await (const page of c.client.orderSheetPages(listQuery)) pages.push(page);
    })().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CoupangPayloadError);
    expect(error).toMatchObject({ jsonPath: "nextToken", value: pages[0]!.nextToken });
    expect((error as Error).message).toContain("a paging loop");
    expect(pages).toHaveLength(2);
    expect(pages[1]!.orders.map((o) => o.rawJson)).toEqual(pages[0]!.orders.map((o) => o.rawJson));
    expect(callsOf(c.sim, LIST) - before).toBe(2);
  });

  it("a repeated page is detected by the pageIndex pager too", async () => {
    for (let k = 0; k < 3; k++) {
      const box = truthBoxes(c.sim, (o) => o.status === "FINAL_DELIVERY")[k]!;
      const { receiptId } = await c.event({ type: "returnRequest", shipmentBoxId: box.shipmentBoxId });
      await c.event({ type: "withdrawReturn", receiptId });
    }
    const day = kstDay(c.sim.clock.now());
    c.sim.faults.add({ endpoint: "returnWithdrawRequests", kind: "duplicatePage", count: 1 });
    const pages: ReturnWithdrawalPage[] = [];
    const error = await (async () => {
      for await (const page of c.client.returnWithdrawalPages({ dateFrom: day, dateTo: day, sizePerPage: 2 }))
        pages.push(page);
    })().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CoupangPayloadError);
    expect(error).toMatchObject({ jsonPath: "nextPageIndex", value: 2 });
    expect(pages.map((p) => p.withdrawals.map((w) => w.value.cancelId))).toEqual([
      pages[0]!.withdrawals.map((w) => w.value.cancelId),
      pages[0]!.withdrawals.map((w) => w.value.cancelId),
    ]);
    // Without the fault the same listing ends normally: 2 + 1.
    c.sim.faults.clear();
    const sizes: number[] = [];
    for await (const page of c.client.returnWithdrawalPages({ dateFrom: day, dateTo: day, sizePerPage: 2 }))
      sizes.push(page.withdrawals.length);
    expect(sizes).toEqual([2, 1]);
  });

  it("a reordered page still gives every box once", async () => {
    const plain = await c.client.listOrderSheets(listQuery);
    c.sim.faults.add({ endpoint: "ordersheets", kind: "reorderPage", count: 1 });
    const shuffled = await c.client.listOrderSheets(listQuery);
    const ids = (p: typeof plain) => p.orders.map((o) => o.value.shipmentBoxId);
    expect(ids(shuffled)).not.toEqual(ids(plain));
    expect([...ids(shuffled)].sort((a, b) => (a < b ? -1 : 1))).toEqual(ids(plain));
    expect(shuffled.nextToken).toBe(plain.nextToken);
  });
});

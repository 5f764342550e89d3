import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startSimulator, type FaultRule, type OrderSheet, type Simulator } from "../index.js";
import { DEFAULT_VENDOR } from "../world/world.js";
import { ACCESS_DENIED_HTML } from "./reply.js";
import { TestClient, apiPath, authorizationFor, type Envelope } from "./testkit.js";
import type { WriteRecord } from "./writes.js";

const anchor = new Date("2025-03-10T03:00:00Z");
const vendor = DEFAULT_VENDOR;
const LIST = "createdAtFrom=2025-02-25&createdAtTo=2025-03-10&status=FINAL_DELIVERY&maxPerPage=5";
let sim: Simulator;
let api: TestClient;

beforeAll(async () => {
  sim = await startSimulator({ seed: 9, orders: 300, anchor, clock: "simulated" });
  api = new TestClient(sim, vendor);
});
afterEach(async () => {
  expect((await api.admin("DELETE", "faults")).body).toEqual({ rules: [] });
});
afterAll(async () => {
  await sim.close();
});

const addFault = async (rule: Record<string, unknown>): Promise<FaultRule> => {
  const res = await api.admin<{ rules: FaultRule[] }>("POST", "faults", rule);
  expect(res.status, res.text).toBe(200);
  return res.body.rules[0]!;
};
const list = () => api.get<Envelope<OrderSheet[]>>("ordersheets", LIST);
/** A new ACCEPT box, placed by a buyer through the admin API. */
const placed = async (): Promise<{ shipmentBoxId: bigint }> => {
  const res = await api.admin<{ shipmentBoxIds: bigint[] }>("POST", "events", { type: "order" });
  return { shipmentBoxId: res.body.shipmentBoxIds[0]! };
};
const ack = (id: bigint) =>
  api.call<Envelope<{ responseCode: number }>>("PUT", "ordersheets/acknowledgement", {
    body: { vendorId: vendor.vendorId, shipmentBoxIds: [id] },
  });
/** A raw signed acknowledgement that may never be answered: aborted after `ms` real ms. */
const rawAck = (id: bigint, ms: number): Promise<Response> => {
  const path = apiPath(vendor.vendorId, "ordersheets/acknowledgement");
  return fetch(`${sim.url}${path}`, {
    method: "PUT",
    headers: {
      Authorization: authorizationFor(vendor, path, { date: sim.clock.signatureNow(), method: "PUT" }),
      "Content-Type": "application/json",
    },
    body: `{"vendorId":"${vendor.vendorId}","shipmentBoxIds":[${id}]}`,
    signal: AbortSignal.timeout(ms),
  });
};
const sheet = async (id: bigint): Promise<OrderSheet> =>
  (await api.get<Envelope<OrderSheet>>(`ordersheets/${id}`)).body.data;
const status = async (id: bigint): Promise<string> => (await sheet(id)).status;
/** A batch write's `data` (§3, §4.1). */
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

describe("fault injection: each fault on, observed, then off", () => {
  it("latency delays the answer by the configured real time", async () => {
    await addFault({ endpoint: "ordersheets", kind: "latency", latencyMs: 120 });
    let t = performance.now();
    expect((await list()).status).toBe(200);
    expect(performance.now() - t).toBeGreaterThanOrEqual(115);
    await api.admin("DELETE", "faults");
    t = performance.now();
    await list();
    expect(performance.now() - t).toBeLessThan(100);
  });

  it("429, 500, 502, 504 and 521 answer in the gateway's JSON shape, before anything is applied", async () => {
    const messages: Record<number, string> = {
      429: "Too Many Requests",
      500: "Internal Server Error",
      502: "Bad Gateway",
      504: "Request timed out, if the situation continues consider applying timeout extension.",
      521: "connection timed out: aws-openapi.coupang.net/10.211.51.172:80",
    };
    for (const [code, message] of Object.entries(messages)) {
      const rule = await addFault({ kind: "status", status: Number(code), count: 1 });
      const o = await placed();
      const res = await ack(o.shipmentBoxId);
      expect(res.status).toBe(Number(code));
      expect(res.headers.get("content-type")).toBe("application/json;charset=UTF-8");
      expect(res.body).toEqual({ code: "ERROR", message });
      expect(await status(o.shipmentBoxId)).toBe("ACCEPT");
      expect((await ack(o.shipmentBoxId)).status, "count: 1 fires once").toBe(200);
      await api.admin("DELETE", `faults/${rule.id}`);
    }
  });

  it("403 answers an HTML Access Denied page; 302 redirects to a blocked page", async () => {
    await addFault({ kind: "status", status: 403, endpoint: "GET ordersheets" });
    const denied = await list();
    expect(denied.status).toBe(403);
    expect(denied.headers.get("content-type")).toMatch(/^text\/html/);
    expect(denied.text).toBe(ACCESS_DENIED_HTML);
    await api.admin("DELETE", "faults");
    await addFault({ kind: "status", status: 302 });
    const path = `${apiPath(vendor.vendorId, "ordersheets")}?${LIST}`;
    const res = await fetch(`${sim.url}${path}`, {
      headers: { Authorization: authorizationFor(vendor, path, { date: sim.clock.signatureNow() }) },
      redirect: "manual",
    });
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe("/__sim/blocked");
    const page = await fetch(`${sim.url}/__sim/blocked`);
    expect([page.status, await page.text()]).toEqual([403, ACCESS_DENIED_HTML]);
    await api.admin("DELETE", "faults");
    expect((await list()).status).toBe(200);
  });

  it("reset destroys the connection without applying anything", async () => {
    await addFault({ kind: "reset", endpoint: "ordersheets/acknowledgement" });
    const o = await placed();
    await expect(rawAck(o.shipmentBoxId, 2000)).rejects.toThrow();
    expect(await status(o.shipmentBoxId)).toBe("ACCEPT");
    expect(sim.writes({ target: String(o.shipmentBoxId) })).toEqual([]);
  });

  it("timeoutAfterWrite applies the write, then never answers (hang) or resets; the write log says so", async () => {
    await addFault({ kind: "timeoutAfterWrite", endpoint: "ordersheets/acknowledgement", count: 1 });
    const o = await placed();
    await expect(rawAck(o.shipmentBoxId, 150)).rejects.toThrow(/aborted|timeout/i);
    expect(await status(o.shipmentBoxId)).toBe("INSTRUCT");
    const [write] = sim.writes({ target: String(o.shipmentBoxId) });
    expect(write).toMatchObject({ endpoint: "PUT ordersheets/acknowledgement", delivered: false });

    await addFault({ kind: "timeoutAfterWrite", mode: "reset", endpoint: "PUT ordersheets/acknowledgement" });
    const p = await placed();
    await expect(rawAck(p.shipmentBoxId, 2000)).rejects.toThrow();
    expect(await status(p.shipmentBoxId)).toBe("INSTRUCT");
    await api.admin("DELETE", "faults");
    // A client that resends blindly shows up as a second write with a failed row.
    expect((await ack(p.shipmentBoxId)).body.data.responseCode).toBe(99);
    expect(sim.writes({ target: String(p.shipmentBoxId) })).toHaveLength(1);
  });

  it("a status with afterWrite answers 504 although the change was applied", async () => {
    await addFault({
      kind: "status",
      status: 504,
      afterWrite: true,
      endpoint: "PUT ordersheets/acknowledgement",
    });
    const o = await placed();
    const res = await ack(o.shipmentBoxId);
    expect(res.status).toBe(504);
    expect(await status(o.shipmentBoxId)).toBe("INSTRUCT");
    const log = await api.admin<{ writes: WriteRecord[] }>("GET", `writes?target=${o.shipmentBoxId}`);
    expect(log.body.writes).toMatchObject([{ delivered: false, status: 200 }]);
  });

  it("rowFailure fails a share of a batch's rows with a retryable code, unapplied, and applies the rest", async () => {
    const rule = await addFault({ kind: "rowFailure", everyNth: 2 });
    // Not a batch write: never applicable, never counted.
    expect((await list()).status).toBe(200);
    const boxes = [await placed(), await placed(), await placed()].map((o) => o.shipmentBoxId);
    const acked = await api.call<Envelope<Batch>>("PUT", "ordersheets/acknowledgement", {
      body: { vendorId: vendor.vendorId, shipmentBoxIds: boxes },
    });
    expect(acked.status).toBe(200);
    expect(acked.body.data).toMatchObject({
      responseCode: 1,
      responseMessage: "apply instructStatus result - Partial errors.",
    });
    expect(acked.body.data.responseList[1]).toEqual({
      shipmentBoxId: boxes[1],
      succeed: false,
      resultCode: "NOT_FOUND_SHIPMENT_BOX",
      retryRequired: true,
      resultMessage: `shipmentBoxId (${boxes[1]}) is not found.`,
    });
    expect(await Promise.all(boxes.map(status))).toEqual(["INSTRUCT", "ACCEPT", "INSTRUCT"]);
    expect(sim.writes({ endpoint: "ordersheets/acknowledgement" }).at(-1)!.targets).toEqual([
      `shipmentBoxId:${boxes[0]}`,
      `shipmentBoxId:${boxes[2]}`,
    ]);
    // Rows 4 (every row failed: 99) and 5 of the rule: the second retry goes through.
    expect((await ack(boxes[1]!)).body.data.responseCode).toBe(99);
    expect(await status(boxes[1]!)).toBe("ACCEPT");
    expect((await ack(boxes[1]!)).body.data.responseCode).toBe(0);

    // Invoices: rows are counted per box, whatever its items; the failed box keeps INSTRUCT.
    const sheets = await Promise.all(boxes.map(sheet));
    const dtos = sheets.flatMap((o, k) =>
      o.orderItems.map((i) => ({
        shipmentBoxId: o.shipmentBoxId,
        orderId: o.orderId,
        vendorItemId: i.vendorItemId,
        deliveryCompanyCode: "CJGLS",
        invoiceNumber: String(820_000_000_000 + k),
        splitShipping: false,
        preSplitShipped: false,
        estimatedShippingDate: "",
      })),
    );
    const uploaded = await api.call<Envelope<Batch>>("POST", "orders/invoices", {
      body: { vendorId: vendor.vendorId, orderSheetInvoiceApplyDtos: dtos },
    });
    expect(uploaded.body.data).toMatchObject({ responseCode: 1, responseMessage: "PARTIAL_ERROR" });
    expect(uploaded.body.data.responseList.map((r) => [r.succeed, r.resultCode, r.retryRequired])).toEqual([
      [false, "UNDEFINED_ERROR_OCCUR", true],
      [true, "OK", false],
      [false, "UNDEFINED_ERROR_OCCUR", true],
    ]);
    expect(uploaded.body.data.responseList[0]!.resultMessage).toBe(
      `알수없는 오류 [합포장번호 : ${boxes[0]}] [주문번호 : ${sheets[0]!.orderId}]`,
    );
    expect(await Promise.all(boxes.map(status))).toEqual(["INSTRUCT", "DEPARTURE", "INSTRUCT"]);
    expect(sim.writes({ endpoint: "orders/invoices" }).at(-1)!.targets).toEqual([
      `shipmentBoxId:${boxes[1]}`,
    ]);
    expect(sim.faults.list().find((r) => r.id === rule.id)).toMatchObject({ matched: 8, fired: 4 });
  });

  it("malformedJson cuts the body short under a JSON content type", async () => {
    await addFault({ kind: "malformedJson", endpoint: "ordersheets" });
    const res = await list();
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/json;charset=UTF-8");
    expect(() => JSON.parse(res.text) as unknown).toThrow(SyntaxError);
    await api.admin("DELETE", "faults");
    const text = (await list()).text;
    expect(() => JSON.parse(text) as unknown).not.toThrow();
  });

  it("schema drift adds fields, drops optional ones, or nulls strings", async () => {
    const plain = (await list()).body.data;
    await addFault({ kind: "drift", drift: "extra", endpoint: "ordersheets" });
    const extra = (await list()).body.data as unknown as Record<string, unknown>[];
    expect(extra[0]!.simAddedField).toBe("added by coupang-sim schema drift");
    expect((extra[0]!.receiver as Record<string, unknown>).simAddedField).toBeDefined();
    await api.admin("DELETE", "faults");

    await addFault({ kind: "drift", drift: "missing" });
    const missing = (await list()).body.data[0]!;
    expect("parcelPrintMessage" in missing || "refer" in missing || "remotePrice" in missing).toBe(false);
    expect(missing.shipmentBoxId).toBe(plain[0]!.shipmentBoxId);
    await api.admin("DELETE", "faults");

    await addFault({ kind: "drift", drift: "null", fields: ["safeNumber"] });
    const nulled = (await list()).body.data[0]!;
    expect([nulled.receiver.safeNumber, nulled.orderer.safeNumber]).toEqual([null, null]);
    expect(nulled.receiver.addr1).toBe(plain[0]!.receiver.addr1);
    await api.admin("DELETE", "faults");
    expect((await list()).body.data).toEqual(plain);
  });

  it("duplicatePage serves the page before once more; reorderPage shuffles a page", async () => {
    const first = await list();
    const second = await api.get<Envelope<OrderSheet[]>>(
      "ordersheets",
      `${LIST}&nextToken=${first.body.nextToken}`,
    );
    await addFault({ kind: "duplicatePage", count: 1 });
    const replay1 = await list();
    expect(replay1.text).toBe(first.text);
    const dup = await api.get<Envelope<OrderSheet[]>>(
      "ordersheets",
      `${LIST}&nextToken=${first.body.nextToken}`,
    );
    expect(dup.text, "page 2 answered with page 1 again").toBe(first.text);
    const retry = await api.get<Envelope<OrderSheet[]>>(
      "ordersheets",
      `${LIST}&nextToken=${first.body.nextToken}`,
    );
    expect(retry.text).toBe(second.text);
    await api.admin("DELETE", "faults");

    await addFault({ kind: "reorderPage", endpoint: "ordersheets" });
    const shuffled = await list();
    const ids = shuffled.body.data.map((o) => o.shipmentBoxId);
    expect(ids).not.toEqual(first.body.data.map((o) => o.shipmentBoxId));
    expect([...ids].sort()).toEqual(first.body.data.map((o) => o.shipmentBoxId).sort());
  });

  it("fires deterministically by count, everyNth, skip and seeded probability, per endpoint, method and vendor", async () => {
    await addFault({ kind: "status", status: 500, endpoint: "ordersheets", everyNth: 3, skip: 1 });
    const seen: number[] = [];
    for (let k = 0; k < 8; k++) seen.push((await list()).status);
    expect(seen).toEqual([200, 200, 200, 500, 200, 200, 500, 200]);
    const rules = (await api.admin<{ rules: FaultRule[] }>("GET", "faults")).body.rules;
    expect(rules[0]).toMatchObject({ matched: 8, fired: 2 });
    await api.admin("DELETE", "faults");

    await addFault({ kind: "status", status: 500, method: "PUT" });
    expect((await list()).status).toBe(200);
    await api.admin("DELETE", "faults");
    await addFault({ kind: "status", status: 500, vendorId: "A00000001" });
    expect((await list()).status).toBe(200);
    await api.admin("DELETE", "faults");

    const draw = async (): Promise<number[]> => {
      await addFault({ kind: "status", status: 502, probability: 0.5, seed: 7 });
      const out: number[] = [];
      for (let k = 0; k < 16; k++) out.push((await list()).status);
      await api.admin("DELETE", "faults");
      return out;
    };
    const a = await draw();
    expect(a).toContain(502);
    expect(a).toContain(200);
    expect(await draw()).toEqual(a);
  });

  it("refuses malformed rules with 400 and unknown ids with 404", async () => {
    for (const rule of [
      { kind: "explode" },
      { kind: "status", status: 418 },
      { kind: "latency" },
      { kind: "status", status: 500, probability: 2 },
      { kind: "drift", drift: "sideways" },
      { kind: "reset", everyNth: 0 },
      { kind: "rowFailure", endpoint: "ordersheets" },
      { kind: "rowFailure", endpoint: "orders/{orderId}/cancel" },
    ]) {
      expect((await api.admin("POST", "faults", rule)).status, JSON.stringify(rule)).toBe(400);
    }
    expect((await api.admin("DELETE", "faults/f999")).status).toBe(404);
    const rules = await api.admin<{ rules: FaultRule[] }>("POST", "faults", {
      rules: [
        { kind: "latency", latencyMs: 1 },
        { kind: "malformedJson", endpoint: "returnRequests" },
        { kind: "rowFailure", endpoint: "POST orders/updateInvoices", probability: 0.1 },
      ],
    });
    expect(rules.body.rules.map((r) => r.kind)).toEqual(["latency", "malformedJson", "rowFailure"]);
    // In-process control is the same injector.
    expect(sim.faults.list()).toHaveLength(3);
  });
});

describe("fault matching on the query", () => {
  const get = (query: string) => api.get<Envelope<OrderSheet[]>>("ordersheets", query);

  it("query and coversDay narrow a rule to one status and the windows over one day", async () => {
    await addFault({
      kind: "status",
      status: 500,
      endpoint: "ordersheets",
      query: { status: "FINAL_DELIVERY" },
      coversDay: "2025-03-01",
    });
    const statuses: number[] = [];
    for (const query of [
      LIST,
      "createdAtFrom=2025-03-01&createdAtTo=2025-03-01&status=FINAL_DELIVERY",
      "createdAtFrom=2025-02-28&createdAtTo=2025-03-01&status=FINAL_DELIVERY",
      "createdAtFrom=2025-03-02&createdAtTo=2025-03-10&status=FINAL_DELIVERY",
      "createdAtFrom=2025-02-25&createdAtTo=2025-02-28&status=FINAL_DELIVERY",
      "createdAtFrom=2025-02-25&createdAtTo=2025-03-10&status=ACCEPT",
    ])
      statuses.push((await get(query)).status);
    expect(statuses).toEqual([500, 500, 500, 200, 200, 200]);
    const rules = (await api.admin<{ rules: FaultRule[] }>("GET", "faults")).body.rules;
    expect(rules[0]).toMatchObject({ matched: 3, fired: 3 });
  });

  it("refuses a query that is not an object of strings, and a coversDay that is not a day", async () => {
    for (const rule of [
      { kind: "reset", query: { status: 1 } },
      { kind: "reset", query: "status=ACCEPT" },
      { kind: "reset", query: ["ACCEPT"] },
      { kind: "reset", coversDay: "2025-3-1" },
    ]) {
      expect((await api.admin("POST", "faults", rule)).status, JSON.stringify(rule)).toBe(400);
    }
  });
});

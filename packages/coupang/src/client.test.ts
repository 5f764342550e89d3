import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import type { CoupangResponseEvent, OrderSheetPage, OrderSheetQuery } from "./client.js";
import {
  CoupangAuthError,
  CoupangBlockedError,
  CoupangDataError,
  CoupangInputError,
  CoupangPayloadError,
  CoupangRateLimitError,
  CoupangRetryableError,
} from "./errors.js";
import { parseJson, stringifyJson } from "./json.js";
import { encodeQueryComponent } from "./query.js";
import { formatSignedDate } from "./signer.js";
import {
  SECRET,
  VENDOR,
  closeAll,
  fakeCoupang,
  makeClient,
  tickingClock,
  type Reply,
} from "../test/support/fake-coupang.js";

const PATH = `/v2/providers/openapi/apis/api/v4/vendors/${VENDOR}/ordersheets`;
const FIXTURE = new URL("../test/fixtures/ordersheets-v4-list.json", import.meta.url);
const QUERY: OrderSheetQuery = { status: "INSTRUCT", createdAtFrom: "2025-01-01", createdAtTo: "2025-01-02" };
const FIRST_URL = `${PATH}?createdAtFrom=2025-01-01&createdAtTo=2025-01-02&maxPerPage=50&status=INSTRUCT`;

afterEach(closeAll);

function fixtureOrder(shipmentBoxId: bigint): Record<string, unknown> {
  const envelope = parseJson(readFileSync(FIXTURE, "utf8")) as { data: Array<Record<string, unknown>> };
  return { ...envelope.data[0]!, shipmentBoxId };
}

function page(orders: unknown[], nextToken?: string): Reply {
  return {
    status: 200,
    body: stringifyJson({
      code: 200,
      message: "OK",
      data: orders,
      ...(nextToken === undefined ? {} : { nextToken }),
    }),
  };
}

async function collect(pages: AsyncGenerator<OrderSheetPage>, sink: OrderSheetPage[]): Promise<void> {
  for await (const p of pages) sink.push(p);
}

describe("CoupangClient.listOrderSheets / orderSheetPages", () => {
  it("signs each page, sends the documented headers, and follows nextToken to the end", async () => {
    const tokens: Record<number, string> = { 0: "T1", 1: "T2", 2: "" };
    const { baseUrl, requests } = await fakeCoupang((_r, i) =>
      page([fixtureOrder(100000000000000001n + BigInt(i))], tokens[i]),
    );
    const now = tickingClock();
    const events: CoupangResponseEvent[] = [];
    const client = makeClient(baseUrl, { now, onResponse: (e) => events.push(e) });

    const pages: OrderSheetPage[] = [];
    await collect(client.orderSheetPages(QUERY), pages);

    expect(pages.map((p) => p.nextToken)).toEqual(["T1", "T2", undefined]);
    expect(pages.map((p) => p.orders[0]!.value.shipmentBoxId)).toEqual([
      100000000000000001n,
      100000000000000002n,
      100000000000000003n,
    ]);
    expect(pages[0]!.orders[0]!.value.paidAt!.toISOString()).toBe("2025-01-01T01:20:30.000Z");
    expect(pages[0]!.orders[0]!.rawJson).toContain('"shipmentBoxId":100000000000000001');
    expect(requests.map((r) => r.url)).toEqual([
      FIRST_URL,
      `${FIRST_URL}&nextToken=T1`,
      `${FIRST_URL}&nextToken=T2`,
    ]);
    expect(requests.every((r) => r.signatureOk && r.method === "GET")).toBe(true);
    expect(requests.map((r) => r.signedDate)).toEqual(["250731T013006Z", "250731T013007Z", "250731T013008Z"]);
    expect(requests[0]!.headers).toMatchObject({
      "content-type": "application/json;charset=UTF-8",
      "x-requested-by": VENDOR,
      "x-extended-timeout": "90000",
    });
    expect(events).toHaveLength(3);
    expect(events[0]).toMatchObject({ vendorId: VENDOR, method: "GET", path: PATH, statusCode: 200 });
    expect(events[0]!.durationMs).toBeGreaterThanOrEqual(0);
    // What receiving each answer cost besides HTTP: the lossless parse, then the validation.
    for (const { receiveTimings } of pages) {
      expect(receiveTimings!.parseCpuMs).toBeGreaterThanOrEqual(0);
      expect(receiveTimings!.validateCpuMs).toBeGreaterThanOrEqual(0);
    }
  });

  it("sends the query bytes it signed: got does not re-encode them", async () => {
    const token = "a+b/c=d e'f~é&g";
    const { baseUrl, requests } = await fakeCoupang(() => page([]));
    const client = makeClient(baseUrl, { requestedBy: "ops@seller" });
    const result = await client.listOrderSheets({ ...QUERY, maxPerPage: 10, nextToken: token });
    expect(result).toEqual({
      orders: [],
      rejected: [],
      nextToken: undefined,
      receiveTimings: { parseCpuMs: expect.any(Number), validateCpuMs: expect.any(Number) },
    });
    expect(encodeQueryComponent(token)).toBe("a%2Bb%2Fc%3Dd%20e%27f~%C3%A9%26g");
    expect(requests[0]!.url).toBe(
      `${PATH}?createdAtFrom=2025-01-01&createdAtTo=2025-01-02&maxPerPage=10&status=INSTRUCT&nextToken=a%2Bb%2Fc%3Dd%20e%27f~%C3%A9%26g`,
    );
    expect(requests[0]!.signatureOk).toBe(true);
    expect(requests[0]!.headers["x-requested-by"]).toBe("ops@seller");
  });

  it("returns bad records as rejected without failing the page", async () => {
    const bad = { ...fixtureOrder(100000000000000009n), status: "CANCELED" };
    const { baseUrl } = await fakeCoupang(() => page([fixtureOrder(100000000000000001n), bad], "next"));
    const result = await makeClient(baseUrl).listOrderSheets(QUERY);
    expect(result.orders).toHaveLength(1);
    expect(result.rejected).toHaveLength(1);
    expect(result.rejected[0]!.error).toMatch(/^status: expected one of ACCEPT, .*, got "CANCELED"$/);
    expect(result.rejected[0]!.rawJson).toContain('"shipmentBoxId":100000000000000009');
    expect(result.nextToken).toBe("next");
  });

  it("re-signs a 401 exactly once, then throws CoupangAuthError without the secret", async () => {
    const { baseUrl, requests } = await fakeCoupang(() => ({
      status: 401,
      body: '{"code":"ERROR","message":"Specified signature is expired."}',
    }));
    const client = makeClient(baseUrl, { now: tickingClock() });
    const error = await client.listOrderSheets(QUERY).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CoupangAuthError);
    expect(requests).toHaveLength(2);
    expect(requests.every((r) => r.signatureOk)).toBe(true);
    expect(requests[0]!.signedDate).not.toBe(requests[1]!.signedDate);
    const auth = error as CoupangAuthError;
    expect(auth.message).toBe(
      "Coupang rejected the credentials of vendor A00012345 (HTTP 401: Specified signature is expired.); " +
        "check the access and secret keys and the system clock",
    );
    expect(auth.message).not.toContain(SECRET);
    expect(JSON.stringify({ ...auth, message: auth.message, stack: auth.stack })).not.toContain(SECRET);
    expect(auth).toMatchObject({
      vendorId: VENDOR,
      statusCode: 401,
      method: "GET",
      path: PATH,
      retryable: false,
    });
  });

  it("treats a 403 HTML page as a block, not a JSON parse error, and does not retry it", async () => {
    const html = "<HTML><HEAD><TITLE>Access Denied</TITLE></HEAD><BODY>Access Denied</BODY></HTML>";
    const { baseUrl, requests } = await fakeCoupang(() => ({
      status: 403,
      headers: { "content-type": "text/html" },
      body: html,
    }));
    const error = await makeClient(baseUrl)
      .listOrderSheets(QUERY)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CoupangBlockedError);
    expect((error as CoupangBlockedError).message).toContain('HTTP 403: HTML page "Access Denied"');
    expect((error as CoupangBlockedError).body).toBe(html);
    expect(requests).toHaveLength(1);
  });

  it("surfaces 429 with Retry-After and X-CAG-Warnings, without retrying", async () => {
    const { baseUrl, requests } = await fakeCoupang(() => ({
      status: 429,
      headers: { "retry-after": "30", "x-cag-warnings": "vendor over 90% of quota" },
      body: '{"code":429,"message":"Too Many Requests"}',
    }));
    const error = await makeClient(baseUrl)
      .listOrderSheets(QUERY)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CoupangRateLimitError);
    expect(error).toMatchObject({
      retryAfterMs: 30_000,
      warnings: "vendor over 90% of quota",
      statusCode: 429,
    });
    expect(requests).toHaveLength(1);
  });

  it("retries a GET that gets HTTP 500 twice, each attempt signed afresh, then throws CoupangRetryableError", async () => {
    const { baseUrl, requests } = await fakeCoupang(() => ({
      status: 500,
      body: '{"code":500,"message":"internal exception"}',
    }));
    const events: CoupangResponseEvent[] = [];
    const client = makeClient(baseUrl, { now: tickingClock(), onResponse: (e) => events.push(e) });
    const error = await client.listOrderSheets(QUERY).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CoupangRetryableError);
    expect(error).toMatchObject({ statusCode: 500, retryable: true, kind: "retryable" });
    expect((error as Error).message).toContain("HTTP 500: internal exception");
    expect(requests).toHaveLength(3);
    expect(requests.every((r) => r.signatureOk)).toBe(true);
    expect(new Set(requests.map((r) => r.signedDate)).size).toBe(3);
    expect(events.map((e) => e.statusCode)).toEqual([500, 500, 500]);
  });

  it("recovers when a retry succeeds", async () => {
    const { baseUrl, requests } = await fakeCoupang((_r, i) =>
      i === 0 ? { status: 504, body: '{"code":"ERROR","message":"Request timed out"}' } : page([], ""),
    );
    const result = await makeClient(baseUrl).listOrderSheets(QUERY);
    expect(result.nextToken).toBeUndefined();
    expect(requests).toHaveLength(2);
  });

  it("retries a reset connection, then throws CoupangRetryableError with the code", async () => {
    const { baseUrl, requests } = await fakeCoupang(() => "destroy");
    const events: CoupangResponseEvent[] = [];
    const client = makeClient(baseUrl, { onResponse: (e) => events.push(e) });
    const error = await client.listOrderSheets(QUERY).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CoupangRetryableError);
    expect(error).toMatchObject({ code: "ECONNRESET", statusCode: undefined });
    expect((error as Error).message).toContain(`Could not reach Coupang for vendor ${VENDOR} to GET ${PATH}`);
    expect(requests).toHaveLength(3);
    expect(events).toHaveLength(3);
    expect(events.every((e) => e.statusCode === undefined && e.error?.startsWith("ECONNRESET"))).toBe(true);
  });

  it("does not retry a timeout inside the client", async () => {
    const { baseUrl, requests } = await fakeCoupang(() => "hang");
    const error = await makeClient(baseUrl, { timeoutMs: 150 })
      .listOrderSheets(QUERY)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CoupangRetryableError);
    expect(error).toMatchObject({ code: "ETIMEDOUT" });
    expect(requests).toHaveLength(1);
  });

  it("keeps a 400 body and does not retry", async () => {
    const body = '{"code":400,"message":"조회 기간은 31일을 넘을 수 없습니다."}';
    const { baseUrl, requests } = await fakeCoupang(() => ({ status: 400, body }));
    const error = await makeClient(baseUrl)
      .listOrderSheets(QUERY)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CoupangDataError);
    expect(error).toMatchObject({ body, retryable: false });
    expect(requests).toHaveLength(1);
  });

  it("treats an error code inside an HTTP 200 list answer as that error, not an empty last page", async () => {
    const { baseUrl } = await fakeCoupang((_r, i) =>
      i === 0
        ? { status: 200, body: '{"code":500,"message":"internal exception","data":[]}' }
        : { status: 200, body: '{"code":"400","message":"bad window","data":[]}' },
    );
    const client = makeClient(baseUrl);
    const server = await client.listOrderSheets(QUERY).catch((e: unknown) => e);
    expect(server).toBeInstanceOf(CoupangRetryableError);
    expect(server).toMatchObject({ statusCode: 500, retryable: true });
    const data = await client.listOrderSheets(QUERY).catch((e: unknown) => e);
    expect(data).toBeInstanceOf(CoupangDataError);
    expect((data as Error).message).toContain("bad window");
  });

  it("throws CoupangPayloadError for a non-array data or a non-JSON 200 body", async () => {
    const { baseUrl } = await fakeCoupang((_r, i) =>
      i === 0
        ? { status: 200, body: '{"code":200,"message":"OK","data":{"a":1}}' }
        : { status: 200, body: "<html>" },
    );
    const client = makeClient(baseUrl);
    const notArray = await client.listOrderSheets(QUERY).catch((e: unknown) => e);
    expect(notArray).toBeInstanceOf(CoupangPayloadError);
    expect(notArray).toMatchObject({ jsonPath: "data", value: { a: 1 } });
    expect((notArray as Error).message).toContain('data: expected an array, got {"a":1}');
    const notJson = await client.listOrderSheets(QUERY).catch((e: unknown) => e);
    expect(notJson).toBeInstanceOf(CoupangPayloadError);
    expect(notJson).toMatchObject({ jsonPath: "$", body: "<html>" });
  });

  it("stops a repeated-token loop with CoupangPayloadError after yielding the pages", async () => {
    const tokens = ["A", "B", "A", "B"];
    const { baseUrl, requests } = await fakeCoupang((_r, i) => page([], tokens[i]));
    const pages: OrderSheetPage[] = [];
    const error = await collect(makeClient(baseUrl).orderSheetPages(QUERY), pages).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CoupangPayloadError);
    expect(error).toMatchObject({ jsonPath: "nextToken", value: "A" });
    expect((error as Error).message).toContain("paging loop");
    expect(pages).toHaveLength(3);
    expect(requests).toHaveLength(3);
  });

  it("counts a resumed token as seen, and enforces maxPages", async () => {
    const { baseUrl, requests } = await fakeCoupang((_r, i) => page([], `T${i + 10}`));
    const client = makeClient(baseUrl);
    const pages: OrderSheetPage[] = [];
    const capped = await collect(
      client.orderSheetPages({ ...QUERY, nextToken: "start" }, { maxPages: 2 }),
      pages,
    ).catch((e: unknown) => e);
    expect(capped).toBeInstanceOf(CoupangPayloadError);
    expect((capped as Error).message).toContain("expected the last page within 2 pages");
    expect(pages).toHaveLength(2);
    expect(requests[0]!.url).toBe(`${FIRST_URL}&nextToken=start`);

    const loop = await fakeCoupang(() => page([], "start"));
    const again = await collect(
      makeClient(loop.baseUrl).orderSheetPages({ ...QUERY, nextToken: "start" }),
      [],
    ).catch((e: unknown) => e);
    expect(again).toBeInstanceOf(CoupangPayloadError);
    expect(loop.requests).toHaveLength(1);
    await expect(collect(client.orderSheetPages(QUERY, { maxPages: 0 }), [])).rejects.toBeInstanceOf(
      CoupangInputError,
    );
  });

  it("checks the query before calling: status, dates, order, 31-day span, maxPerPage", async () => {
    const { baseUrl, requests } = await fakeCoupang(() => page([]));
    const client = makeClient(baseUrl);
    const cases: Array<[Record<string, unknown>, string, RegExp]> = [
      [{ status: "CANCEL" }, "status", /status "CANCEL" is invalid \(one of ACCEPT, INSTRUCT/],
      [
        { createdAtFrom: "2025-1-1" },
        "createdAtFrom",
        /createdAtFrom "2025-1-1" is invalid \(a KST calendar date/,
      ],
      [{ createdAtTo: "2025-02-30" }, "createdAtTo", /createdAtTo "2025-02-30"/],
      [{ createdAtFrom: "2025-01-03" }, "createdAtTo", /not before createdAtFrom 2025-01-03/],
      [
        { createdAtTo: "2025-02-01" },
        "createdAtTo",
        /at most 31 days from createdAtFrom 2025-01-01, both inclusive; got 32/,
      ],
      [{ maxPerPage: 51 }, "maxPerPage", /maxPerPage 51 is invalid \(an integer from 1 to 50\)/],
      [{ maxPerPage: 0 }, "maxPerPage", /maxPerPage 0/],
    ];
    for (const [patch, field, message] of cases) {
      const error = await client.listOrderSheets({ ...QUERY, ...patch }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CoupangInputError);
      expect(error).toMatchObject({ field, kind: "invalid_input", vendorId: VENDOR });
      expect((error as Error).message).toMatch(message);
      expect((error as Error).message).toContain(`vendor ${VENDOR}`);
    }
    expect(requests).toHaveLength(0);
    // The longest allowed span is 31 days, both ends inclusive.
    await client.listOrderSheets({ ...QUERY, createdAtTo: "2025-01-31" });
    expect(requests).toHaveLength(1);
  });

  it("signs with the injected clock", async () => {
    const { baseUrl, requests } = await fakeCoupang(() => page([]));
    const at = new Date("2030-12-31T23:59:59Z");
    await makeClient(`${baseUrl}/`, { now: () => at }).listOrderSheets(QUERY);
    expect(requests[0]!.signedDate).toBe(formatSignedDate(at));
    expect(requests[0]!.url).toBe(FIRST_URL);
  });
});

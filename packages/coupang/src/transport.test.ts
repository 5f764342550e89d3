// The client's transport: limiter on every attempt, back-off on Coupang's signals, retries for
// reads only, timeouts per call kind (coupang-api.md §1, §10; pitfalls B-4, B-12).
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, describe, expect, it } from "vitest";
import {
  CoupangAuthError,
  CoupangBlockedError,
  CoupangPayloadError,
  CoupangRateLimitError,
  CoupangRetryableError,
} from "./errors.js";
import { TokenBucketLimiter, type RateLimiter } from "./limiter/limiter.js";
import {
  API,
  VENDOR,
  closeAll,
  fakeCoupang,
  json,
  makeClient,
  tickingClock,
} from "../test/support/fake-coupang.js";

afterEach(closeAll);

const ORDER_SHEET = `${API}/v4/vendors/${VENDOR}/ordersheets/100000000000000001`;
const EMPTY = { code: 200, message: "OK", data: [], nextToken: "" };
const EMPTY_LIST = json(EMPTY);
const WARNED: Record<string, string> = { "retry-after": "120", "x-cag-warnings": "throttle 90%" };
const QUERY = { status: "ACCEPT" as const, createdAtFrom: "2025-01-01", createdAtTo: "2025-01-01" };

/** A limiter that records every call and can be told to wait or fail. */
class RecordingLimiter implements RateLimiter {
  readonly calls: Array<[string, ...unknown[]]> = [];
  constructor(
    private readonly waitMs = 0,
    private readonly failure?: Error,
  ) {}
  async acquire(vendorId: string): Promise<void> {
    this.calls.push(["acquire", vendorId]);
    if (this.failure) throw this.failure;
    await sleep(this.waitMs);
  }
  pause(vendorId: string, ms: number): Promise<void> {
    this.calls.push(["pause", vendorId, ms]);
    return Promise.resolve();
  }
  slowDown(vendorId: string, factor: number, ms: number): Promise<void> {
    this.calls.push(["slowDown", vendorId, factor, ms]);
    return Promise.resolve();
  }
}

describe("rate limiting", () => {
  it("takes a token for every attempt, got's retries and the 401 re-sign included", async () => {
    const limiter = new RecordingLimiter();
    const statuses = [500, 200, 401, 401];
    const { baseUrl, requests } = await fakeCoupang((_r, i) =>
      statuses[i] === 200 ? EMPTY_LIST : { status: statuses[i]!, body: '{"code":"ERROR","message":"x"}' },
    );
    const client = makeClient(baseUrl, { limiter });
    await client.listOrderSheets(QUERY);
    await expect(client.confirmReturnReceived(1n)).rejects.toBeInstanceOf(CoupangAuthError);
    expect(requests).toHaveLength(4);
    expect(limiter.calls).toEqual([
      ["acquire", VENDOR],
      ["acquire", VENDOR],
      ["acquire", VENDOR],
      ["acquire", VENDOR],
    ]);
  });

  it("pauses the vendor on a 429 for Retry-After, else for rateLimitPauseMs, and surfaces both headers", async () => {
    const limiter = new RecordingLimiter();
    const { baseUrl } = await fakeCoupang((_r, i) => ({
      status: 429,
      headers: i === 0 ? WARNED : {},
      body: '{"code":429,"message":"Too Many Requests"}',
    }));
    const client = makeClient(baseUrl, { limiter, rateLimitPauseMs: 75_000 });
    const first = await client.listOrderSheets(QUERY).catch((e: unknown) => e);
    expect(first).toBeInstanceOf(CoupangRateLimitError);
    expect(first).toMatchObject({ retryAfterMs: 120_000, warnings: "throttle 90%", retryable: true });
    const second = await client.acknowledgeOrders([1n]).catch((e: unknown) => e);
    expect(second).toMatchObject({ retryAfterMs: undefined, warnings: undefined, statusCode: 429 });
    expect(limiter.calls.filter(([kind]) => kind !== "acquire")).toEqual([
      ["slowDown", VENDOR, 0.5, 600_000],
      ["pause", VENDOR, 120_000],
      ["pause", VENDOR, 75_000],
    ]);
  });

  it("slows the vendor down when a successful answer carries X-CAG-Warnings", async () => {
    const limiter = new RecordingLimiter();
    const { baseUrl } = await fakeCoupang(() => json(EMPTY, 200, { "x-cag-warnings": "near limit" }));
    const client = makeClient(baseUrl, { limiter, warningSlowDown: { factor: 0.25, ms: 5000 } });
    await client.listOrderSheets(QUERY);
    expect(limiter.calls).toEqual([
      ["acquire", VENDOR],
      ["slowDown", VENDOR, 0.25, 5000],
    ]);
  });

  it("runs at 5 requests/s by default", async () => {
    const { baseUrl, requests } = await fakeCoupang(() => EMPTY_LIST);
    const client = makeClient(baseUrl, { requestsPerSecond: undefined });
    const t0 = Date.now();
    await Promise.all(Array.from({ length: 6 }, () => client.listOrderSheets(QUERY)));
    expect(Date.now() - t0).toBeGreaterThanOrEqual(950);
    expect(requests).toHaveLength(6);
  });

  it("does not count the limiter's wait against the request timeout, and signs after waiting", async () => {
    const limiter = new RecordingLimiter(300);
    const { baseUrl, requests } = await fakeCoupang(() => EMPTY_LIST);
    const client = makeClient(baseUrl, { limiter, timeoutMs: 200, now: tickingClock() });
    await client.listOrderSheets(QUERY);
    expect(requests[0]!.signatureOk).toBe(true);
  });

  it("turns a failing limiter into a retryable error without sending anything", async () => {
    const limiter = new RecordingLimiter(0, new Error("connect ECONNREFUSED 127.0.0.1:6379"));
    const { baseUrl, requests } = await fakeCoupang(() => EMPTY_LIST);
    const error = await makeClient(baseUrl, { limiter })
      .acknowledgeOrders([1n])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CoupangRetryableError);
    expect(error).toMatchObject({ code: "RATE_LIMITER_FAILED", method: "PUT" });
    expect((error as Error).message).toBe(
      `The rate limiter of vendor ${VENDOR} failed before PUT ${API}/v4/vendors/${VENDOR}/ordersheets/acknowledgement ` +
        "(connect ECONNREFUSED 127.0.0.1:6379); retry later",
    );
    expect(requests).toHaveLength(0);
  });

  it("ends a call waiting out the vendor's pause when the client closes, and refuses calls after", async () => {
    const limiter = new TokenBucketLimiter();
    await limiter.pause(VENDOR, 60_000);
    const { baseUrl, requests } = await fakeCoupang(() => EMPTY_LIST);
    const client = makeClient(baseUrl, { limiter });
    const t0 = Date.now();
    const waiting = client.listOrderSheets(QUERY).catch((e: unknown) => e);
    setTimeout(() => client.close(), 50);
    const error = await waiting;
    expect(Date.now() - t0).toBeLessThan(1_000);
    expect(error).toBeInstanceOf(CoupangRetryableError);
    expect(error).toMatchObject({ code: "CLIENT_CLOSED", method: "GET" });
    expect((error as Error).message).toBe(
      `The client of vendor ${VENDOR} was closed before GET ${API}/v4/vendors/${VENDOR}/ordersheets was sent; retry later`,
    );
    await expect(client.acknowledgeOrders([1n])).rejects.toMatchObject({ code: "CLIENT_CLOSED" });
    expect(requests).toHaveLength(0);
  });
});

describe("retries: reads only", () => {
  it("never retries a write on a 5xx or a reset connection", async () => {
    const { baseUrl, requests } = await fakeCoupang((_r, i) =>
      i === 0 ? { status: 504, body: '{"code":"ERROR","message":"Request timed out"}' } : "destroy",
    );
    const client = makeClient(baseUrl);
    const timedOut = await client.acknowledgeOrders([1n]).catch((e: unknown) => e);
    expect(timedOut).toBeInstanceOf(CoupangRetryableError);
    expect(timedOut).toMatchObject({ statusCode: 504, method: "PUT" });
    const reset = await client
      .uploadInvoices([
        {
          shipmentBoxId: 1n,
          orderId: 2n,
          vendorItemId: 3n,
          deliveryCompanyCode: "CJGLS",
          invoiceNumber: "1234123412",
        },
      ])
      .catch((e: unknown) => e);
    expect(reset).toMatchObject({ code: "ECONNRESET", method: "POST" });
    expect(requests.map((r) => r.method)).toEqual(["PUT", "POST"]);
  });

  it("retries a single lookup (GET) on 521, signed afresh", async () => {
    const { baseUrl, requests } = await fakeCoupang((_r, i) =>
      i < 2
        ? { status: 521, body: '{"code":"ERROR","message":"connection timed out"}' }
        : json({ data: null }),
    );
    const error = await makeClient(baseUrl, { now: tickingClock() })
      .getOrderSheet(100000000000000001n)
      .catch((e: unknown) => e);
    expect((error as Error).name).toBe("CoupangNotFoundError");
    expect(requests).toHaveLength(3);
    expect(new Set(requests.map((r) => r.signedDate)).size).toBe(3);
  });
});

describe("timeouts and blocks", () => {
  it("gives single lookups the standard timeout and no X-EXTENDED-TIMEOUT", async () => {
    const { baseUrl, requests } = await fakeCoupang(() => "hang");
    const error = await makeClient(baseUrl, { standardTimeoutMs: 150 })
      .getOrderSheet(100000000000000001n)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CoupangRetryableError);
    expect(error).toMatchObject({ code: "ETIMEDOUT", path: ORDER_SHEET });
    expect(requests).toHaveLength(1);
    expect(requests[0]!.headers["x-extended-timeout"]).toBeUndefined();
  });

  it("treats a 302 as a block and never follows it", async () => {
    const { baseUrl, requests } = await fakeCoupang(() => ({
      status: 302,
      headers: { location: "https://www.coupang.com/blocked" },
    }));
    const error = await makeClient(baseUrl)
      .getReturnWithdrawals([1n])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CoupangBlockedError);
    expect((error as Error).message).toContain("HTTP 302 redirect to https://www.coupang.com/blocked");
    expect(requests).toHaveLength(1);
  });
});

describe("answer size", () => {
  it("refuses an answer whose Content-Length is over maxResponseBytes", async () => {
    const body = JSON.stringify({ ...EMPTY, message: "x".repeat(2 * 1024 * 1024) });
    const { baseUrl } = await fakeCoupang(() => ({ status: 200, body }));
    const error = await makeClient(baseUrl, { maxResponseBytes: 1024 * 1024 })
      .listOrderSheets(QUERY)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CoupangPayloadError);
    expect((error as Error).message).toContain("expected at most 1048576 bytes");
  });

  it("cuts off an endless chunked answer once it passes the cap, without buffering it", async () => {
    let written = 0;
    const server = createServer((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      const pump = () => {
        while (!res.destroyed && written < 512 * 1024 * 1024 && res.write(chunk)) written += chunk.length;
        if (!res.destroyed && written < 512 * 1024 * 1024) res.once("drain", pump);
      };
      pump();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const error = await makeClient(`http://127.0.0.1:${port}`, { maxResponseBytes: 4 * 1024 * 1024 })
        .listOrderSheets(QUERY)
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CoupangPayloadError);
      expect(written).toBeLessThan(64 * 1024 * 1024);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

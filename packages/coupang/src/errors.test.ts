import { describe, expect, it } from "vitest";
import {
  CoupangAuthError,
  CoupangBlockedError,
  CoupangDataError,
  CoupangError,
  CoupangInputError,
  CoupangNotFoundError,
  CoupangPayloadError,
  CoupangRateLimitError,
  CoupangRetryableError,
  MAX_BODY_CHARS,
  classifyHttpError,
  classifyNetworkError,
  parseRetryAfter,
} from "./errors.js";

const V = "A00012345";
const PATH = "/v2/providers/openapi/apis/api/v4/vendors/A00012345/ordersheets";
const ACCESS_DENIED =
  "<HTML><HEAD>\n<TITLE>Access Denied</TITLE>\n</HEAD><BODY>\n<H1>Access Denied</H1>\nYou don't have permission.</BODY></HTML>";

describe("classifyHttpError", () => {
  it("401 → CoupangAuthError naming the vendor and Coupang's message", () => {
    const error = classifyHttpError({
      vendorId: V,
      statusCode: 401,
      body: '{"code":"ERROR","message":"Invalid signature"}',
      method: "GET",
      path: PATH,
    });
    expect(error).toBeInstanceOf(CoupangAuthError);
    expect(error).toBeInstanceOf(CoupangError);
    expect(error).toBeInstanceOf(Error);
    expect(error.message).toBe(
      "Coupang rejected the credentials of vendor A00012345 (HTTP 401: Invalid signature); " +
        "check the access and secret keys and the system clock",
    );
    expect(error).toMatchObject({
      name: "CoupangAuthError",
      kind: "auth",
      retryable: false,
      vendorId: V,
      statusCode: 401,
      method: "GET",
      path: PATH,
      body: '{"code":"ERROR","message":"Invalid signature"}',
    });
  });

  it("403 with an HTML page → CoupangBlockedError, body kept as text, never parsed", () => {
    const error = classifyHttpError({
      vendorId: V,
      statusCode: 403,
      headers: { "content-type": "text/html" },
      body: ACCESS_DENIED,
    });
    expect(error).toBeInstanceOf(CoupangBlockedError);
    expect(error.message).toBe(
      'Coupang blocked vendor A00012345 (HTTP 403: HTML page "Access Denied"); pause this vendor\'s calls for several minutes',
    );
    expect(error).toMatchObject({ kind: "blocked", retryable: true, statusCode: 403, body: ACCESS_DENIED });
    // Even without a content-type an HTML body is recognised.
    expect(classifyHttpError({ vendorId: V, statusCode: 403, body: ACCESS_DENIED }).message).toContain(
      'HTML page "Access Denied"',
    );
  });

  it("302 → CoupangBlockedError naming the redirect", () => {
    const error = classifyHttpError({
      vendorId: V,
      statusCode: 302,
      headers: { location: "https://blocked.example/" },
      body: "",
    });
    expect(error).toBeInstanceOf(CoupangBlockedError);
    expect(error.message).toContain("HTTP 302 redirect to https://blocked.example/");
  });

  it("429 → CoupangRateLimitError with Retry-After (seconds or date) and X-CAG-Warnings", () => {
    const error = classifyHttpError({
      vendorId: V,
      statusCode: 429,
      headers: { "Retry-After": "120", "x-cag-warnings": "throttle 90% reached" },
      body: '{"code":429,"message":"Too Many Requests"}',
    });
    expect(error).toBeInstanceOf(CoupangRateLimitError);
    expect(error).toMatchObject({
      kind: "rate_limited",
      retryable: true,
      retryAfterMs: 120_000,
      warnings: "throttle 90% reached",
    });
    expect(error.message).toBe(
      "Coupang rate-limited vendor A00012345 (HTTP 429: Too Many Requests); retry after 120 s " +
        "[X-CAG-Warnings: throttle 90% reached]",
    );
    const dated = classifyHttpError({
      vendorId: V,
      statusCode: 429,
      headers: { "retry-after": "Wed, 01 Jan 2025 00:01:30 GMT" },
      now: new Date("2025-01-01T00:00:00Z"),
    }) as CoupangRateLimitError;
    expect(dated.retryAfterMs).toBe(90_000);
    const bare = classifyHttpError({ vendorId: V, statusCode: 429 }) as CoupangRateLimitError;
    expect(bare.retryAfterMs).toBeUndefined();
    expect(bare.warnings).toBeUndefined();
    expect(bare.message).toContain("minutes to tens of minutes");
  });

  it("400 → CoupangDataError, body kept, not retryable", () => {
    const body = '{"code":400,"message":"createdAtTo must be within 31 days"}';
    const error = classifyHttpError({ vendorId: V, statusCode: 400, body, method: "GET", path: PATH });
    expect(error).toBeInstanceOf(CoupangDataError);
    expect(error).toMatchObject({ kind: "data", retryable: false, body });
    expect(error.message).toBe(
      `Coupang rejected the request of vendor A00012345 (HTTP 400: createdAtTo must be within 31 days) to GET ${PATH}`,
    );
  });

  it("404, 410, 412 → CoupangNotFoundError", () => {
    for (const statusCode of [404, 410, 412]) {
      const error = classifyHttpError({ vendorId: V, statusCode, body: "Not Found" });
      expect(error).toBeInstanceOf(CoupangNotFoundError);
      expect(error).toMatchObject({ kind: "not_found", retryable: false, statusCode });
      expect(error.message).toContain("vendor A00012345");
    }
  });

  it("5xx (500, 502, 503, 504, 521, 524) → CoupangRetryableError", () => {
    for (const statusCode of [500, 502, 503, 504, 521, 524]) {
      const error = classifyHttpError({
        vendorId: V,
        statusCode,
        body: '{"code":"ERROR","message":"Request timed out, if the situation continues consider applying timeout extension."}',
      });
      expect(error).toBeInstanceOf(CoupangRetryableError);
      expect(error).toMatchObject({ kind: "retryable", retryable: true, statusCode });
      expect(error.message).toContain(`vendor A00012345 (HTTP ${statusCode}: Request timed out`);
    }
  });

  it("423 (calls locked) → blocked; another 4xx → data", () => {
    expect(classifyHttpError({ vendorId: V, statusCode: 423 })).toBeInstanceOf(CoupangBlockedError);
    const teapot = classifyHttpError({ vendorId: V, statusCode: 418, body: "short and stout" });
    expect(teapot).toBeInstanceOf(CoupangDataError);
    expect(teapot.message).toContain("HTTP 418: short and stout");
  });

  it("caps a huge body", () => {
    const error = classifyHttpError({
      vendorId: V,
      statusCode: 403,
      body: `<html>${"x".repeat(100_000)}</html>`,
    });
    expect(error.body!.length).toBeLessThan(MAX_BODY_CHARS + 20);
    expect(error.message.length).toBeLessThan(300);
  });
});

describe("classifyNetworkError", () => {
  it("keeps the code, names the vendor, and is retryable", () => {
    const cause = Object.assign(new Error("socket hang up"), { code: "ECONNRESET" });
    const error = classifyNetworkError(cause, { vendorId: V, method: "GET", path: PATH });
    expect(error).toBeInstanceOf(CoupangRetryableError);
    expect(error).toMatchObject({
      kind: "retryable",
      retryable: true,
      code: "ECONNRESET",
      statusCode: undefined,
    });
    expect(error.message).toBe(
      `Could not reach Coupang for vendor A00012345 to GET ${PATH} (ECONNRESET: socket hang up); retry later`,
    );
  });
});

describe("CoupangInputError", () => {
  it("names the field, the value and the limit", () => {
    const error = new CoupangInputError({
      vendorId: V,
      field: "maxPerPage",
      value: 51,
      limit: "an integer from 1 to 50",
    });
    expect(error).toMatchObject({ kind: "invalid_input", retryable: false, field: "maxPerPage", value: 51 });
    expect(error.message).toBe(
      "Refused to call Coupang for vendor A00012345: maxPerPage 51 is invalid (an integer from 1 to 50)",
    );
  });
});

describe("CoupangPayloadError", () => {
  it("names the JSON path and the offending value (bigint digits kept)", () => {
    const error = new CoupangPayloadError({
      vendorId: V,
      method: "GET",
      path: PATH,
      statusCode: 200,
      jsonPath: "data",
      value: { shipmentBoxId: 100000000000000001n },
      expected: "an array",
    });
    expect(error).toMatchObject({ kind: "invalid_payload", retryable: false, jsonPath: "data" });
    expect(error.message).toBe(
      `Coupang sent vendor A00012345 an unexpected response to GET ${PATH}: data: expected an array, ` +
        'got {"shipmentBoxId":100000000000000001}',
    );
  });
});

describe("parseRetryAfter", () => {
  it("reads seconds and HTTP dates, ignores garbage", () => {
    expect(parseRetryAfter("0")).toBe(0);
    expect(parseRetryAfter(" 5 ")).toBe(5000);
    expect(parseRetryAfter("Wed, 01 Jan 2025 00:00:00 GMT", new Date("2025-01-01T00:00:10Z"))).toBe(0);
    expect(parseRetryAfter("soon")).toBeUndefined();
    expect(parseRetryAfter(undefined)).toBeUndefined();
  });
});

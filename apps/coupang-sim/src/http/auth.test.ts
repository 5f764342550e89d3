import { describe, expect, it } from "vitest";
import { DEFAULT_VENDOR } from "../world/world.js";
import {
  EXPIRED_SIGNATURE,
  INVALID_SIGNATURE,
  parseAuthorization,
  parseSignedDate,
  verifyRequest,
  type VerifyInput,
} from "./auth.js";
import { authorizationFor } from "./testkit.js";

const now = new Date("2025-07-31T01:30:05Z");
const url =
  "/v2/providers/openapi/apis/api/v4/vendors/A00012345/ordersheets?createdAtFrom=2025-07-15%2B09:00&status=ACCEPT";
const input = (header: string | undefined, over: Partial<VerifyInput> = {}): VerifyInput => ({
  header,
  method: "GET",
  rawUrl: url,
  vendorId: DEFAULT_VENDOR.vendorId,
  now,
  skewMs: 300_000,
  lookup: (ak) => (ak === DEFAULT_VENDOR.accessKey ? DEFAULT_VENDOR : undefined),
  ...over,
});

describe("parseAuthorization / parseSignedDate", () => {
  it("reads the CEA header with or without spaces after the commas", () => {
    const expected = {
      algorithm: "HmacSHA256",
      accessKey: "ak",
      signedDate: "250731T013005Z",
      signature: "ab",
    };
    expect(
      parseAuthorization("CEA algorithm=HmacSHA256, access-key=ak, signed-date=250731T013005Z, signature=ab"),
    ).toEqual(expected);
    expect(
      parseAuthorization("CEA algorithm=HmacSHA256,access-key=ak,signed-date=250731T013005Z,signature=ab"),
    ).toEqual(expected);
    expect(parseAuthorization("Bearer x")).toBeUndefined();
    expect(parseAuthorization("CEA algorithm=HmacSHA256, access-key=ak")).toBeUndefined();
  });

  it("reads yyMMdd'T'HHmmss'Z' as UTC and refuses impossible dates", () => {
    expect(parseSignedDate("250731T013005Z")).toBe(now.getTime());
    expect(parseSignedDate("250231T013005Z")).toBeUndefined();
    expect(parseSignedDate("250731T243005Z")).toBeUndefined();
    expect(parseSignedDate("2025-07-31T01:30:05Z")).toBeUndefined();
  });
});

describe("verifyRequest", () => {
  it("accepts a signature over the raw path and query", () => {
    expect(verifyRequest(input(authorizationFor(DEFAULT_VENDOR, url, { date: now })))).toMatchObject({
      ok: true,
    });
  });

  it("refuses a signature over the decoded query (raw bytes are what count)", () => {
    const decoded = url.replace("%2B", "+");
    const header = authorizationFor(DEFAULT_VENDOR, url, { date: now, signedPathAndQuery: decoded });
    expect(verifyRequest(input(header))).toMatchObject({ ok: false, message: INVALID_SIGNATURE });
  });

  it("says expired just outside the skew and accepts just inside", () => {
    const at = (ms: number): string =>
      authorizationFor(DEFAULT_VENDOR, url, { date: new Date(now.getTime() + ms) });
    expect(verifyRequest(input(at(-301_000)))).toMatchObject({ ok: false, message: EXPIRED_SIGNATURE });
    expect(verifyRequest(input(at(301_000)))).toMatchObject({ ok: false, message: EXPIRED_SIGNATURE });
    expect(verifyRequest(input(at(-300_000)))).toMatchObject({ ok: true });
  });

  it("refuses a missing header, unknown key, wrong algorithm, non-hex signature and another vendor's path", () => {
    const good = authorizationFor(DEFAULT_VENDOR, url, { date: now });
    expect(verifyRequest(input(undefined))).toMatchObject({
      ok: false,
      reason: "missing Authorization header",
    });
    expect(verifyRequest(input(good.replace("sim-access-key", "nope")))).toMatchObject({
      ok: false,
      reason: "unknown access-key",
    });
    expect(verifyRequest(input(good.replace("HmacSHA256", "HmacSHA1")))).toMatchObject({ ok: false });
    expect(verifyRequest(input(good.replace(/signature=\w+/, "signature=zz")))).toMatchObject({
      ok: false,
      reason: "signature mismatch",
    });
    const header = authorizationFor(DEFAULT_VENDOR, url.replace("A00012345", "A00099999"), { date: now });
    const result = verifyRequest(
      input(header, { rawUrl: url.replace("A00012345", "A00099999"), vendorId: "A00099999" }),
    );
    expect(result).toMatchObject({ ok: false, message: INVALID_SIGNATURE });
  });
});

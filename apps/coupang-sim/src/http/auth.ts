import { createHmac, timingSafeEqual } from "node:crypto";
import type { SimVendor } from "../world/types.js";

/**
 * Verifies Coupang's HMAC request signature (coupang-api.md §1) independently of the client
 * package, so a signing bug in the client shows up as a 401 here.
 */

/** The gateway's 401 message for a wrong, unknown or missing signature. */
export const INVALID_SIGNATURE = "Invalid signature.";
/** The gateway's 401 message for a `signed-date` outside the allowed clock skew. */
export const EXPIRED_SIGNATURE = "Specified signature is expired.";

/** The fields of `Authorization: CEA algorithm=HmacSHA256, access-key=…, signed-date=…, signature=…`. */
export interface ParsedAuthorization {
  algorithm: string;
  accessKey: string;
  signedDate: string;
  signature: string;
}

/**
 * Parses the `CEA` authorization header; the comma separators may or may not be followed by
 * spaces (official samples differ, §0 open questions). `undefined` when the scheme is not
 * `CEA` or a field is missing.
 */
export function parseAuthorization(header: string): ParsedAuthorization | undefined {
  const m = /^CEA\s+(.*)$/.exec(header.trim());
  if (m === null) return undefined;
  const fields = new Map<string, string>();
  for (const part of (m[1] ?? "").split(",")) {
    const eq = part.indexOf("=");
    if (eq > 0) fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const algorithm = fields.get("algorithm");
  const accessKey = fields.get("access-key");
  const signedDate = fields.get("signed-date");
  const signature = fields.get("signature");
  if (
    algorithm === undefined ||
    accessKey === undefined ||
    signedDate === undefined ||
    signature === undefined
  ) {
    return undefined;
  }
  return { algorithm, accessKey, signedDate, signature };
}

/** Parses a `signed-date` (`yyMMdd'T'HHmmss'Z'`, UTC, years 2000–2099) to epoch ms; `undefined` if malformed. */
export function parseSignedDate(text: string): number | undefined {
  const m = /^(\d{2})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text);
  if (m === null) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const ms = Date.UTC(2000 + year, month - 1, day, hour, minute, second);
  const check = new Date(ms);
  // Date.UTC rolls 990231 over into March; a real gateway would reject it.
  if (
    check.getUTCMonth() !== month - 1 ||
    check.getUTCDate() !== day ||
    hour > 23 ||
    minute > 59 ||
    second > 59
  ) {
    return undefined;
  }
  return ms;
}

/** The request facts a signature covers, plus the policy to judge it by. */
export interface VerifyInput {
  /** The `Authorization` header, if any. */
  header: string | undefined;
  /** The HTTP verb as received. */
  method: string;
  /** Path and query exactly as received (`request.raw.url`), percent-encoding untouched. */
  rawUrl: string;
  /** The `{vendorId}` of the path. */
  vendorId: string;
  now: Date;
  /** Largest allowed |signed-date − now| in ms. */
  skewMs: number;
  lookup: (accessKey: string) => SimVendor | undefined;
}

/** Outcome of {@link verifyRequest}: the vendor, or the 401 message and a reason for humans. */
export type VerifyResult = { ok: true; vendor: SimVendor } | { ok: false; message: string; reason: string };

/**
 * Checks a request's signature: HMAC-SHA256(secretKey, signedDate + METHOD + path + query),
 * lower-case hex, where path and query are the raw bytes received and the query has no `?`
 * (§1). Failures, all answered 401 by the caller: no/unparsable header, an algorithm other
 * than HmacSHA256, an unknown access key, a malformed or out-of-skew `signed-date` (the
 * "expired" message), a wrong signature (compared in constant time), or keys of a vendor
 * other than the path's `{vendorId}`. The last is a 401, not a 403, because Coupang's 403
 * means "blocked for abuse" (§10) and a client should treat a key/vendor mix-up as an
 * authentication error, not back off for minutes.
 */
export function verifyRequest(input: VerifyInput): VerifyResult {
  const fail = (reason: string, message = INVALID_SIGNATURE): VerifyResult => ({
    ok: false,
    message,
    reason,
  });
  if (input.header === undefined || input.header === "") return fail("missing Authorization header");
  const auth = parseAuthorization(input.header);
  if (auth === undefined) return fail("malformed Authorization header");
  if (auth.algorithm !== "HmacSHA256") return fail("unsupported algorithm");
  const vendor = input.lookup(auth.accessKey);
  if (vendor === undefined) return fail("unknown access-key");
  const signedAt = parseSignedDate(auth.signedDate);
  if (signedAt === undefined) return fail("malformed signed-date");
  if (Math.abs(signedAt - input.now.getTime()) > input.skewMs) {
    return fail(`signed-date ${auth.signedDate} is outside the allowed skew`, EXPIRED_SIGNATURE);
  }
  const q = input.rawUrl.indexOf("?");
  const path = q === -1 ? input.rawUrl : input.rawUrl.slice(0, q);
  const query = q === -1 ? "" : input.rawUrl.slice(q + 1);
  const expected = createHmac("sha256", vendor.secretKey)
    .update(`${auth.signedDate}${input.method.toUpperCase()}${path}${query}`, "utf8")
    .digest();
  const given = /^[0-9a-fA-F]{64}$/.test(auth.signature)
    ? Buffer.from(auth.signature, "hex")
    : Buffer.alloc(0);
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return fail("signature mismatch");
  if (vendor.vendorId !== input.vendorId) {
    return fail(`access-key belongs to vendor ${vendor.vendorId}, not the vendorId in the path`);
  }
  return { ok: true, vendor };
}

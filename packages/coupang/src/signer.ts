import { createHmac } from "node:crypto";

/**
 * Formats an instant as Coupang's `signed-date`: UTC, pattern `yyMMdd'T'HHmmss'Z'`
 * (two-digit year), e.g. `250731T013005Z` (coupang-api.md §1).
 *
 * Built from the ISO string, which is always UTC, so the result never depends on the
 * process's `TZ`. Throws a `RangeError` for an invalid Date.
 */
export function formatSignedDate(date: Date): string {
  if (Number.isNaN(date.getTime())) {
    throw new RangeError(`Cannot sign with an invalid date: ${String(date)}`);
  }
  // toISOString(): "2025-07-31T01:30:05.123Z" → "250731T013005Z"
  const iso = date.toISOString();
  return `${iso.slice(2, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}T${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`;
}

/**
 * Lower-case hex HMAC-SHA256 of `message` keyed with `secretKey`, both taken as UTF-8
 * (coupang-api.md §1, "Signature").
 */
export function signature(secretKey: string, message: string): string {
  return createHmac("sha256", secretKey).update(message, "utf8").digest("hex");
}

/** What {@link authorizationHeader} needs to sign one request. */
export interface AuthorizationInput {
  accessKey: string;
  secretKey: string;
  /** HTTP verb; upper-cased before signing. */
  method: string;
  /** Request path without host, starting with `/v2/...`. */
  path: string;
  /**
   * The query string exactly as sent, percent-encoding included, without the leading `?`;
   * `""` (or omitted) when the request has none.
   */
  query?: string;
  /** The signing instant; defaults to now. */
  date?: Date;
}

/**
 * Builds the `Authorization` header value
 * `CEA algorithm=HmacSHA256, access-key=<AK>, signed-date=<yyMMddTHHmmssZ>, signature=<hex>`,
 * where the signed message is `signedDate + METHOD + path + query` (coupang-api.md §1).
 *
 * The body is never signed. Build a fresh header for every attempt: Coupang rejects a stale
 * `signed-date` with HTTP 401. Throws a `RangeError` for an invalid `date` or a query that
 * still starts with `?` (it would sign bytes that are not sent).
 */
export function authorizationHeader(input: AuthorizationInput): string {
  const query = input.query ?? "";
  if (query.startsWith("?")) {
    throw new RangeError(`The signed query must not start with "?": ${query}`);
  }
  const signedDate = formatSignedDate(input.date ?? new Date());
  const message = `${signedDate}${input.method.toUpperCase()}${input.path}${query}`;
  return (
    `CEA algorithm=HmacSHA256, access-key=${input.accessKey}, signed-date=${signedDate}, ` +
    `signature=${signature(input.secretKey, message)}`
  );
}

import { stringifyJson } from "./json.js";

/**
 * What went wrong, in the terms a caller acts on (coupang-api.md §10; design.md "Rate limits
 * and errors"):
 * - `retryable`: 5xx, gateway timeouts (504/521/524), network timeouts and resets — try again;
 * - `rate_limited`: HTTP 429 — slow this vendor down before trying again;
 * - `auth`: HTTP 401 after one fresh signature — fix the keys or the clock;
 * - `blocked`: HTTP 302 or 403 (an HTML "Access Denied" page) — pause the vendor for minutes;
 * - `data`: HTTP 400 and other refusals of the request itself — do not resend unchanged;
 * - `not_found`: HTTP 404 (also 410/412: the API is gone or not enabled);
 * - `invalid_input`: our own check refused the call before it was made;
 * - `invalid_payload`: Coupang answered, but not in the documented shape.
 */
export type CoupangErrorKind =
  | "retryable"
  | "rate_limited"
  | "auth"
  | "blocked"
  | "data"
  | "not_found"
  | "invalid_input"
  | "invalid_payload";

/** Where an error happened. `body` is the response text as received (capped, see {@link MAX_BODY_CHARS}). */
export interface CoupangErrorContext {
  vendorId: string;
  statusCode?: number | undefined;
  body?: string | undefined;
  method?: string | undefined;
  path?: string | undefined;
}

/** Longest response body kept on an error, in characters; an HTML block page can be large. */
export const MAX_BODY_CHARS = 16_384;

function capBody(body: string | undefined): string | undefined {
  if (body === undefined || body.length <= MAX_BODY_CHARS) return body;
  return `${body.slice(0, MAX_BODY_CHARS)}…(truncated)`;
}

/**
 * Base of every error the client throws. `retryable` says whether the same call may succeed
 * later unchanged (map `false` to BullMQ's `UnrecoverableError`); `kind` says how to react.
 * Messages name the vendor and never contain the secret key.
 */
export abstract class CoupangError extends Error {
  abstract readonly kind: CoupangErrorKind;
  abstract readonly retryable: boolean;
  readonly vendorId: string;
  readonly statusCode: number | undefined;
  readonly body: string | undefined;
  readonly method: string | undefined;
  readonly path: string | undefined;

  constructor(message: string, context: CoupangErrorContext) {
    super(message);
    this.name = new.target.name;
    this.vendorId = context.vendorId;
    this.statusCode = context.statusCode;
    this.body = capBody(context.body);
    this.method = context.method;
    this.path = context.path;
  }
}

/**
 * A transient failure: HTTP 5xx (500, 502, 503, 504 gateway timeout, 521 backend unreachable,
 * 524 backend misconfigured) or a network error (timeout, ECONNRESET, ECONNREFUSED …),
 * coupang-api.md §10. `code` is the network error code when there was no HTTP answer.
 * For a write, the change may already have been applied: read back before resending (§3).
 */
export class CoupangRetryableError extends CoupangError {
  readonly kind = "retryable";
  readonly retryable = true;
  readonly code: string | undefined;

  constructor(message: string, context: CoupangErrorContext & { code?: string | undefined }) {
    super(message, context);
    this.code = context.code;
  }
}

/**
 * HTTP 429: the vendor went over Coupang's ~10 requests/s (coupang-api.md §10). The block
 * lifts after minutes to tens of minutes. `retryAfterMs` comes from `Retry-After` (seconds or
 * an HTTP date) when sent — Coupang documents none; `warnings` is the raw `X-CAG-Warnings`.
 */
export class CoupangRateLimitError extends CoupangError {
  readonly kind = "rate_limited";
  readonly retryable = true;
  readonly retryAfterMs: number | undefined;
  readonly warnings: string | undefined;

  constructor(
    message: string,
    context: CoupangErrorContext & { retryAfterMs?: number | undefined; warnings?: string | undefined },
  ) {
    super(message, context);
    this.retryAfterMs = context.retryAfterMs;
    this.warnings = context.warnings;
  }
}

/**
 * HTTP 401 that survived one fresh signature: wrong access/secret key, expired keys, or a
 * skewed clock (`Specified signature is expired.`), coupang-api.md §1, §10. Not retryable.
 */
export class CoupangAuthError extends CoupangError {
  readonly kind = "auth";
  readonly retryable = false;
}

/**
 * HTTP 302 (IP or vendor blocked) or 403 (temporary block, an HTML "Access Denied" page),
 * also 423 (API calls locked), coupang-api.md §10. Retryable only after a pause of minutes:
 * open the vendor's circuit rather than retrying soon. A 403 body is never parsed as JSON.
 */
export class CoupangBlockedError extends CoupangError {
  readonly kind = "blocked";
  readonly retryable = true;
}

/**
 * HTTP 400 (or another 4xx refusal): Coupang refused the request's parameters or body; the
 * body is kept because its message says what to fix (coupang-api.md §10). Not retryable.
 */
export class CoupangDataError extends CoupangError {
  readonly kind = "data";
  readonly retryable = false;
}

/**
 * HTTP 404 (wrong URI or unknown resource), 410 (API expired) or 412 (API not deployed),
 * coupang-api.md §10. Not retryable.
 */
export class CoupangNotFoundError extends CoupangError {
  readonly kind = "not_found";
  readonly retryable = false;
}

/** Arguments of {@link CoupangInputError}. */
export interface CoupangInputErrorDetails {
  vendorId: string;
  /** The offending parameter, e.g. `createdAtTo`. */
  field: string;
  /** The value given. */
  value: unknown;
  /** The rule it broke, e.g. `at most 31 days after createdAtFrom`. */
  limit: string;
  method?: string | undefined;
  path?: string | undefined;
}

/**
 * Our own check refused a call before anything was sent, because Coupang would reject it
 * (limits of coupang-api.md §2.1 and friends). Names the field, the value and the limit.
 * Not retryable.
 */
export class CoupangInputError extends CoupangError {
  readonly kind = "invalid_input";
  readonly retryable = false;
  readonly field: string;
  readonly value: unknown;
  readonly limit: string;

  constructor(details: CoupangInputErrorDetails) {
    super(
      `Refused to call Coupang for vendor ${details.vendorId}: ${details.field} ${describeValue(details.value)} ` +
        `is invalid (${details.limit})`,
      details,
    );
    this.field = details.field;
    this.value = details.value;
    this.limit = details.limit;
  }
}

/** Arguments of {@link CoupangPayloadError}. */
export interface CoupangPayloadErrorDetails extends CoupangErrorContext {
  /** Where in the response, e.g. `data` or `nextToken`; `$` for the whole body. */
  jsonPath: string;
  /** The offending value. */
  value: unknown;
  /** What was expected instead, e.g. `an array`. */
  expected: string;
}

/**
 * Coupang answered, but the response does not have the documented shape (e.g. `data` is not
 * an array, the body is not JSON, a `nextToken` repeats). Names the JSON path and the
 * offending value. Not retryable: the same call gives the same answer.
 */
export class CoupangPayloadError extends CoupangError {
  readonly kind = "invalid_payload";
  readonly retryable = false;
  readonly jsonPath: string;
  readonly value: unknown;

  constructor(details: CoupangPayloadErrorDetails) {
    super(
      `Coupang sent vendor ${details.vendorId} an unexpected response${describeCall(details)}: ` +
        `${details.jsonPath}: expected ${details.expected}, got ${describeValue(details.value)}`,
      details,
    );
    this.jsonPath = details.jsonPath;
    this.value = details.value;
  }
}

const MAX_VALUE_CHARS = 200;

/**
 * A short rendering of a value for error messages: lossless JSON (a bigint as its digits,
 * a string quoted), `undefined` or `<type>` when there is no JSON form, cut to 200 characters.
 */
export function describeValue(value: unknown): string {
  let text: string;
  if (value === undefined) text = "undefined";
  else {
    try {
      text = stringifyJson(value);
    } catch {
      text = `<${typeof value}>`;
    }
  }
  return text.length > MAX_VALUE_CHARS ? `${text.slice(0, MAX_VALUE_CHARS)}…` : text;
}

function describeCall(context: CoupangErrorContext): string {
  return context.method !== undefined && context.path !== undefined
    ? ` to ${context.method} ${context.path}`
    : "";
}

/** Response headers as Node gives them (lower-case names). */
export type ResponseHeaders = Readonly<Record<string, string | string[] | undefined>>;

/** What {@link classifyHttpError} needs to know about a non-2xx answer. */
export interface HttpErrorInput extends CoupangErrorContext {
  statusCode: number;
  headers?: ResponseHeaders | undefined;
  /** Response text as received; never parsed when it is HTML. */
  body?: string | undefined;
  /** Clock for an HTTP-date `Retry-After`; defaults to now. */
  now?: Date | undefined;
}

function header(headers: ResponseHeaders | undefined, name: string): string | undefined {
  if (headers === undefined) return undefined;
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === wanted && value !== undefined) {
      return Array.isArray(value) ? value.join(", ") : value;
    }
  }
  return undefined;
}

function isHtml(headers: ResponseHeaders | undefined, body: string | undefined): boolean {
  return /html/i.test(header(headers, "content-type") ?? "") || /^\s*</.test(body ?? "");
}

function collapse(text: string, max = 200): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}

/**
 * The human part of an error body: Coupang's `message` from a `{code, message}` JSON body
 * (coupang-api.md §10), the `<title>` of an HTML page, or the start of the text.
 */
function bodySummary(headers: ResponseHeaders | undefined, body: string | undefined): string {
  if (body === undefined || body.trim() === "") return "empty body";
  if (isHtml(headers, body)) {
    const title = /<title[^>]*>([^<]*)<\/title>/i.exec(body)?.[1];
    return title !== undefined && title.trim() !== "" ? `HTML page "${collapse(title)}"` : "HTML page";
  }
  try {
    const parsed: unknown = JSON.parse(body);
    if (typeof parsed === "object" && parsed !== null && "message" in parsed) {
      const { message } = parsed;
      if (typeof message === "string" && message.trim() !== "") return collapse(message);
    }
  } catch {
    // Not JSON: fall through to the raw text.
  }
  return collapse(body);
}

/**
 * Milliseconds to wait from a `Retry-After` value (delta-seconds or an HTTP date), or
 * `undefined` when absent or unreadable.
 */
export function parseRetryAfter(value: string | undefined, now: Date = new Date()): number | undefined {
  if (value === undefined || value.trim() === "") return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now.getTime());
}

/**
 * Maps a non-2xx HTTP answer to the one error class a caller acts on (coupang-api.md §10):
 * 429 → {@link CoupangRateLimitError}; 401 → {@link CoupangAuthError}; 302/3xx, 403, 423 →
 * {@link CoupangBlockedError}; 404/410/412 → {@link CoupangNotFoundError}; 5xx →
 * {@link CoupangRetryableError}; 400 and any other status → {@link CoupangDataError}.
 *
 * The message names the vendor, the HTTP status and Coupang's own message; an HTML body (the
 * 403 "Access Denied" page) is summarised by its title and never parsed as JSON. The body is
 * kept on the error as text. Returns the error; does not throw.
 */
export function classifyHttpError(input: HttpErrorInput): CoupangError {
  const { vendorId, statusCode, headers, body } = input;
  const context: CoupangErrorContext = {
    vendorId,
    statusCode,
    body,
    method: input.method,
    path: input.path,
  };
  const http = `HTTP ${statusCode}: ${bodySummary(headers, body)}`;
  const call = describeCall(context);

  if (statusCode === 429) {
    const retryAfterMs = parseRetryAfter(header(headers, "retry-after"), input.now);
    const warnings = header(headers, "x-cag-warnings");
    const wait =
      retryAfterMs === undefined
        ? "slow down; such blocks lift after minutes to tens of minutes"
        : `retry after ${Math.ceil(retryAfterMs / 1000)} s`;
    return new CoupangRateLimitError(
      `Coupang rate-limited vendor ${vendorId} (${http})${call}; ${wait}` +
        (warnings === undefined ? "" : ` [X-CAG-Warnings: ${collapse(warnings)}]`),
      { ...context, retryAfterMs, warnings },
    );
  }
  if (statusCode === 401) {
    return new CoupangAuthError(
      `Coupang rejected the credentials of vendor ${vendorId} (${http}); check the access and secret keys ` +
        `and the system clock`,
      context,
    );
  }
  if (statusCode === 403 || statusCode === 423 || (statusCode >= 300 && statusCode < 400)) {
    const location = header(headers, "location");
    const detail =
      statusCode >= 300 && statusCode < 400
        ? `HTTP ${statusCode}${location === undefined ? "" : ` redirect to ${collapse(location)}`}`
        : http;
    return new CoupangBlockedError(
      `Coupang blocked vendor ${vendorId} (${detail})${call}; pause this vendor's calls for several minutes`,
      context,
    );
  }
  if (statusCode === 404 || statusCode === 410 || statusCode === 412) {
    return new CoupangNotFoundError(`Coupang found nothing for vendor ${vendorId} (${http})${call}`, context);
  }
  if (statusCode >= 500 && statusCode < 600) {
    return new CoupangRetryableError(
      `Coupang failed to answer vendor ${vendorId} (${http})${call}; retry later`,
      context,
    );
  }
  return new CoupangDataError(`Coupang rejected the request of vendor ${vendorId} (${http})${call}`, context);
}

/**
 * Maps a failure without an HTTP answer (timeout, connection reset or refused, DNS) to a
 * {@link CoupangRetryableError} carrying the error's `code` (e.g. `ETIMEDOUT`, `ECONNRESET`).
 * Only the error's code and message are kept, never the request options (which hold the
 * Authorization header).
 */
export function classifyNetworkError(error: unknown, context: CoupangErrorContext): CoupangRetryableError {
  const code =
    typeof error === "object" && error !== null && "code" in error && typeof error.code === "string"
      ? error.code
      : undefined;
  const message = error instanceof Error ? error.message : String(error);
  return new CoupangRetryableError(
    `Could not reach Coupang for vendor ${context.vendorId}${describeCall(context)} (${code ?? "network error"}: ` +
      `${collapse(message)}); retry later`,
    { ...context, code },
  );
}

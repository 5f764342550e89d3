import { CoupangError, CoupangRetryableError } from "@cos/coupang";

/**
 * Whether a list query's error is about that query — its window or its data — so the runner
 * splits the window or records a failed slice and goes on (design.md "Checkpoints"), rather than
 * about the vendor, so that every call would fail and the poll must end:
 * - a slice error: `invalid_payload` (a malformed envelope, a `nextToken` that repeats or never
 *   ends, an oversized answer), `data` (HTTP 400 for this query), a 5xx that outlasted the
 *   transport's retries, or a timeout (a wide window the gateway cannot answer in time, pitfalls
 *   B-12);
 * - vendor-wide: `auth`, `rate_limited`, `blocked`, `not_found` (the API is gone or not enabled),
 *   `invalid_input` (our own refusal: a bug, not Coupang's data), a network failure other than
 *   a timeout (refused, reset, DNS: the connection is at fault, not the query, as when a shutdown
 *   closes the sockets), and any error that is not a `CoupangError` (the database, the lease).
 */
export function isSliceError(err: unknown): err is CoupangError {
  if (!(err instanceof CoupangError)) return false;
  switch (err.kind) {
    case "invalid_payload":
    case "data":
      return true;
    case "retryable":
      return (
        err.statusCode !== undefined || (err instanceof CoupangRetryableError && err.code === "ETIMEDOUT")
      );
    default:
      return false;
  }
}

/**
 * Queries that may fail one after another, with no page read in between, before a poll takes it
 * for a vendor-wide outage and ends by throwing the last error. A single bad day inside a 31-day
 * window fails at most six times in a row (31 → 16 → 8 → 4 → 2 → 1 days); every call failing
 * would otherwise record a failed slice for each day and status at the cost of ~60 calls each.
 */
export const MAX_FAILURES_IN_A_ROW = 8;

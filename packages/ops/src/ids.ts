import { OpsError } from "./errors.js";

/** The largest ID Postgres `bigint` holds (2^63 − 1): every ID column here, and Coupang's IDs. */
export const MAX_ID = 2n ** 63n - 1n;

/**
 * An ID as an operator sends it — a command, a resync, a page's `beforeId`, a shipmentBoxId — read
 * from its decimal text without losing a digit (a JS number would past 2^53). The one parser of
 * the admin API and the CLI, so both refuse the same text the same way before any query: a
 * value past int64 would otherwise reach Postgres and fail there.
 * @throws OpsError `invalid` naming `field` and the value, unless the text is 1 to 19 decimal
 *   digits for a value from 1 to {@link MAX_ID}.
 */
export function parseId(field: string, text: string): bigint {
  if (/^\d{1,19}$/.test(text)) {
    const id = BigInt(text);
    if (id >= 1n && id <= MAX_ID) return id;
  }
  throw new OpsError(
    "invalid",
    `${field}: expected a decimal ID from 1 to ${MAX_ID}, got ${JSON.stringify(text)}`,
  );
}

/** A value after {@link toJson}: what `JSON.stringify` writes without loss. */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/**
 * A copy of `value` fit for JSON output (the CLI's `--json`, the admin API): bigints (IDs such as
 * an 18-digit shipmentBoxId) become decimal strings, as a JS number would lose digits; Dates
 * become ISO-8601 UTC strings; `undefined` members are dropped.
 */
export function toJson(value: unknown): Json {
  if (typeof value === "bigint") return value.toString();
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(toJson);
  if (value !== null && typeof value === "object")
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => [k, toJson(v)]),
    );
  if (value === undefined) return null;
  return value as Json;
}

/** One query parameter value; `undefined` leaves the parameter out. */
export type QueryValue = string | number | bigint | boolean | undefined;

/** Parameters in the order they are sent: a list of pairs, or a record (insertion order). */
export type QueryParams = ReadonlyArray<readonly [string, QueryValue]> | Readonly<Record<string, QueryValue>>;

/**
 * Percent-encodes one name or value the RFC 3986 way: `encodeURIComponent`, plus `!'()*`,
 * so that only unreserved characters (`A-Z a-z 0-9 - . _ ~`) stay literal. The extra five
 * matter: a URL parser re-encodes `'` in a query, which would change the bytes sent after
 * they were signed.
 */
export function encodeQueryComponent(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/**
 * Builds a query string once, in the order given, each name and value percent-encoded once
 * (see {@link encodeQueryComponent}: `+` becomes `%2B`, `:` `%3A`, a space `%20`, Korean text
 * its UTF-8 bytes). No leading `?`; `""` when no parameter is left.
 *
 * The same string is signed and sent (coupang-api.md §1: the signature covers the query
 * "exactly as it is sent"), so it must never be re-encoded or re-ordered after this.
 * v5 offsets such as `2025-07-15+09:00` come out as `2025-07-15%2B09%3A00` (§2.1, §11).
 */
export function buildQuery(params: QueryParams): string {
  const pairs: ReadonlyArray<readonly [string, QueryValue]> = Array.isArray(params)
    ? params
    : Object.entries(params);
  const parts: string[] = [];
  for (const [name, value] of pairs) {
    if (value === undefined) continue;
    parts.push(`${encodeQueryComponent(name)}=${encodeQueryComponent(String(value))}`);
  }
  return parts.join("&");
}

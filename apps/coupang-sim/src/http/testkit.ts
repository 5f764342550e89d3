import { createHmac } from "node:crypto";
import type { SimVendor } from "../world/types.js";

/**
 * Test-only helpers that sign requests the way coupang-api.md §1 describes, written out
 * with node:crypto so the tests do not lean on the simulator's own verifier.
 */

/** `yyMMdd'T'HHmmss'Z'` (UTC) of `date`. */
export function signedDateOf(date: Date): string {
  const iso = date.toISOString();
  return `${iso.slice(2, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}T${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`;
}

/** Options of {@link signedGet}. */
export interface SignOptions {
  /** Signing instant; default: now. */
  date?: Date;
  /** Sign with this secret instead of the vendor's. */
  secretKey?: string;
  /** Sign this path+query instead of the one sent. */
  signedPathAndQuery?: string;
  /** Separator between the header's fields; Coupang's samples use ", ". */
  separator?: string;
}

/** The `Authorization` header for `GET pathAndQuery` (query without `?` is what gets signed). */
export function authorizationFor(vendor: SimVendor, pathAndQuery: string, opts: SignOptions = {}): string {
  const signed = opts.signedPathAndQuery ?? pathAndQuery;
  const q = signed.indexOf("?");
  const path = q === -1 ? signed : signed.slice(0, q);
  const query = q === -1 ? "" : signed.slice(q + 1);
  const signedDate = signedDateOf(opts.date ?? new Date());
  const signature = createHmac("sha256", opts.secretKey ?? vendor.secretKey)
    .update(`${signedDate}GET${path}${query}`)
    .digest("hex");
  const sep = opts.separator ?? ", ";
  return [
    "CEA algorithm=HmacSHA256",
    `access-key=${vendor.accessKey}`,
    `signed-date=${signedDate}`,
    `signature=${signature}`,
  ].join(sep);
}

/** A signed `GET baseUrl + pathAndQuery`. */
export function signedGet(
  baseUrl: string,
  vendor: SimVendor,
  pathAndQuery: string,
  opts: SignOptions = {},
): Promise<Response> {
  return fetch(`${baseUrl}${pathAndQuery}`, {
    headers: { Authorization: authorizationFor(vendor, pathAndQuery, opts) },
  });
}

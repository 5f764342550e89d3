import { createHmac } from "node:crypto";
import type { SimVendor } from "../world/types.js";
import { parseJsonLossless } from "./body.js";
import { serializeCoupangJson } from "./json.js";

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
  /** HTTP method signed; default GET. */
  method?: string;
}

/** The `Authorization` header for `METHOD pathAndQuery` (query without `?` is what gets signed). */
export function authorizationFor(vendor: SimVendor, pathAndQuery: string, opts: SignOptions = {}): string {
  const signed = opts.signedPathAndQuery ?? pathAndQuery;
  const q = signed.indexOf("?");
  const path = q === -1 ? signed : signed.slice(0, q);
  const query = q === -1 ? "" : signed.slice(q + 1);
  const signedDate = signedDateOf(opts.date ?? new Date());
  const signature = createHmac("sha256", opts.secretKey ?? vendor.secretKey)
    .update(`${signedDate}${opts.method ?? "GET"}${path}${query}`)
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

/**
 * A signed `method baseUrl + pathAndQuery` with `body` as Coupang JSON (bigints as bare
 * numbers); a string body is sent as is.
 */
export function signedRequest(
  baseUrl: string,
  vendor: SimVendor,
  method: string,
  pathAndQuery: string,
  body?: unknown,
  opts: SignOptions = {},
): Promise<Response> {
  return fetch(`${baseUrl}${pathAndQuery}`, {
    method,
    headers: {
      Authorization: authorizationFor(vendor, pathAndQuery, { ...opts, method }),
      "Content-Type": "application/json;charset=UTF-8",
    },
    body: body === undefined ? undefined : typeof body === "string" ? body : serializeCoupangJson(body),
  });
}

/** Coupang API path of `endpoint` (after `/vendors/{vendorId}/`) at `version`. */
export function apiPath(vendorId: string, endpoint: string, version = "v4"): string {
  return `/v2/providers/openapi/apis/api/${version}/vendors/${vendorId}/${endpoint}`;
}

/** Coupang's response envelope with `data` of type `T`. */
export interface Envelope<T> {
  code: number | string;
  message: string;
  data: T;
  nextToken?: string;
  nextPageIndex?: number | string;
}

/** One answer: status, headers, raw text, and the body parsed losslessly (IDs as bigint) when it is JSON. */
export interface Reply<T> {
  status: number;
  headers: Headers;
  text: string;
  body: T;
}

/** What {@link TestClient} needs of a running simulator. */
interface SimLike {
  url: string;
  clock: { signatureNow(): Date };
}

/**
 * A minimal signed client for tests: signs every call as a real client would (see
 * `Clock.signatureNow`), sends
 * bodies as Coupang JSON and parses answers with the simulator's lossless parser, so IDs
 * come back as bigint. Deliberately separate from `@cos/coupang`.
 */
export class TestClient {
  constructor(
    private readonly sim: SimLike,
    readonly vendor: SimVendor,
  ) {}

  /** `method` on `endpoint` (after `/vendors/{vendorId}/`) with an optional query string and body. */
  async call<T = Envelope<unknown>>(
    method: string,
    endpoint: string,
    options: { query?: string; body?: unknown; version?: string; sign?: SignOptions } = {},
  ): Promise<Reply<T>> {
    const path = `${apiPath(this.vendor.vendorId, endpoint, options.version)}${options.query === undefined ? "" : `?${options.query}`}`;
    const res = await signedRequest(this.sim.url, this.vendor, method, path, options.body, {
      date: this.sim.clock.signatureNow(),
      ...options.sign,
    });
    return read<T>(res);
  }

  /** `GET endpoint?query`. */
  get<T = Envelope<unknown>>(endpoint: string, query?: string, version?: string): Promise<Reply<T>> {
    return this.call<T>("GET", endpoint, { query, version });
  }

  /** An admin call (`/__sim/…`), unsigned. */
  async admin<T = Record<string, unknown>>(method: string, path: string, body?: unknown): Promise<Reply<T>> {
    const res = await fetch(`${this.sim.url}/__sim/${path}`, {
      method,
      headers: body === undefined ? {} : { "Content-Type": "application/json" },
      body: body === undefined ? undefined : serializeCoupangJson(body),
    });
    return read<T>(res);
  }
}

async function read<T>(res: Response): Promise<Reply<T>> {
  const text = await res.text();
  let body: unknown = text;
  try {
    body = parseJsonLossless(text);
  } catch {
    // Not JSON (an HTML block page, a malformed-JSON fault): the raw text stays in `text`.
  }
  return { status: res.status, headers: res.headers, text, body: body as T };
}

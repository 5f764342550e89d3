import http from "node:http";
import https from "node:https";
import got, { RequestError } from "got";
import type { Got, Response } from "got";
import { CoupangInputError, CoupangPayloadError, classifyHttpError, classifyNetworkError } from "./errors.js";
import { parseJson } from "./json.js";
import { buildQuery, encodeQueryComponent } from "./query.js";
import type { QueryParams } from "./query.js";
import { ORDER_STATUSES, isOrderStatus, orderSheetSchema } from "./schemas/ordersheet.js";
import type { OrderSheet, OrderStatus } from "./schemas/ordersheet.js";
import { validateRecords } from "./schemas/validate.js";
import type { RejectedRecord, ValidRecord } from "./schemas/validate.js";
import { authorizationHeader } from "./signer.js";
import { parseKstDate } from "./time.js";

/** One HTTP exchange, reported to {@link CoupangClientOptions.onResponse}. */
export interface CoupangResponseEvent {
  vendorId: string;
  method: string;
  /** Path without host or query. */
  path: string;
  /** `undefined` when no HTTP answer came (timeout, reset …). */
  statusCode: number | undefined;
  /** Wall time of this attempt, milliseconds. */
  durationMs: number;
  /** Network error code and message when there was no HTTP answer. */
  error?: string;
}

/** Options of {@link CoupangClient}. */
export interface CoupangClientOptions {
  /** `https://api-gateway.coupang.com` in production (coupang-api.md §1), the simulator elsewhere. */
  baseUrl: string;
  /** The seller's vendor ID, e.g. `A00012345`; part of every path. */
  vendorId: string;
  accessKey: string;
  /** HMAC key; used only to sign, never logged or put into a message. */
  secretKey: string;
  /** `X-Requested-By` header (coupang-api.md §1); defaults to `vendorId`. */
  requestedBy?: string;
  /**
   * Per-attempt timeout in milliseconds; default 95 000, above the 90 s the gateway is asked
   * to wait with `X-EXTENDED-TIMEOUT` (coupang-api.md §1), so the gateway's 504 arrives first.
   */
  timeoutMs?: number;
  /**
   * Called once per HTTP attempt (got's own retries included), e.g. for metrics and the
   * vendor's request budget. Must not throw: an exception from it is ignored.
   */
  onResponse?: (event: CoupangResponseEvent) => void;
  /** Clock for the `signed-date` (tests); defaults to the system clock. */
  now?: () => Date;
}

/** Query of one PO list page in daily mode (coupang-api.md §2.1). */
export interface OrderSheetQuery {
  /** Required by Coupang; one of {@link ORDER_STATUSES}. */
  status: OrderStatus;
  /** First KST day of order creation, `yyyy-MM-dd`. */
  createdAtFrom: string;
  /** Last KST day, `yyyy-MM-dd`, inclusive; at most 31 days in all. */
  createdAtTo: string;
  /** 1–50, default 50. */
  maxPerPage?: number;
  /** The previous page's token; absent (or `""`) for the first page. Opaque. */
  nextToken?: string | undefined;
}

/** One PO list page: valid POs, rejected raw records, and the token of the next page. */
export interface OrderSheetPage {
  orders: Array<ValidRecord<OrderSheet>>;
  rejected: RejectedRecord[];
  /** `undefined` on the last page (Coupang sends `""` or nothing). */
  nextToken: string | undefined;
}

/** Options of {@link CoupangClient.orderSheetPages}. */
export interface PageOptions {
  /** Safety cap; default 10 000 pages (500 000 POs at 50 per page). */
  maxPages?: number;
}

const API = "/v2/providers/openapi/apis/api";
const MAX_SPAN_DAYS = 31;
const MAX_PER_PAGE = 50;
const DAY_MS = 24 * 60 * 60 * 1000;
/** Longest wait between got's own retries; longer backoff belongs to the job queue. */
const MAX_RETRY_DELAY_MS = 1000;

/** A 2xx answer, body parsed losslessly. */
interface JsonResponse {
  statusCode: number;
  body: unknown;
}

/**
 * A client of Coupang's WING OPEN API for one vendor (coupang-api.md §1): every request is
 * signed with HMAC-SHA256 in got's `beforeRequest` hook, so each retry carries a fresh
 * signature over the exact path and query sent; answers are parsed losslessly (64-bit IDs as
 * `bigint`) and every failure is thrown as one `CoupangError` subclass (errors.ts).
 *
 * Retries inside the client stay short: GETs only, at most 2, on network errors other than
 * timeouts and on HTTP 500/502/503/504/521/524, at most 1 s apart; a write is never retried
 * here. A 401 is signed afresh and sent once more before it becomes a `CoupangAuthError`.
 * Call {@link close} to release the keep-alive sockets.
 */
export class CoupangClient {
  readonly vendorId: string;
  private readonly baseUrl: string;
  private readonly http: Got;
  private readonly agents: { http: http.Agent; https: https.Agent };
  private readonly onResponse: ((event: CoupangResponseEvent) => void) | undefined;
  private readonly now: () => Date;

  constructor(options: CoupangClientOptions) {
    this.vendorId = options.vendorId;
    this.baseUrl = options.baseUrl.replace(/\/+$/, "");
    this.onResponse = options.onResponse;
    this.now = options.now ?? (() => new Date());
    this.agents = {
      http: new http.Agent({ keepAlive: true }),
      https: new https.Agent({ keepAlive: true }),
    };
    const { accessKey, secretKey } = options;
    this.http = got.extend({
      agent: this.agents,
      headers: {
        "content-type": "application/json;charset=UTF-8",
        "x-requested-by": options.requestedBy ?? options.vendorId,
        "x-extended-timeout": "90000",
      },
      responseType: "text",
      throwHttpErrors: false,
      // A 302 is Coupang's block signal (coupang-api.md §10), not a place to go.
      followRedirect: false,
      timeout: { request: options.timeoutMs ?? 95_000 },
      retry: {
        limit: 2,
        methods: ["GET"],
        statusCodes: [500, 502, 503, 504, 521, 524],
        // No ETIMEDOUT: one attempt already waited the full timeout; the job queue retries later.
        errorCodes: [
          "ECONNRESET",
          "EADDRINUSE",
          "ECONNREFUSED",
          "EPIPE",
          "ENOTFOUND",
          "ENETUNREACH",
          "EAI_AGAIN",
        ],
        enforceRetryRules: true,
        calculateDelay: ({ attemptCount, retryAfter }) => {
          if (retryAfter !== undefined) return retryAfter <= MAX_RETRY_DELAY_MS ? retryAfter : 0;
          return Math.min(MAX_RETRY_DELAY_MS, 250 * 2 ** (attemptCount - 1));
        },
      },
      hooks: {
        beforeRequest: [
          (request) => {
            // The URL got is about to send: sign exactly its path and query (§1).
            const url = new URL(request.url ?? "");
            request.headers.authorization = authorizationHeader({
              accessKey,
              secretKey,
              method: request.method,
              path: url.pathname,
              query: url.search.slice(1),
              date: this.now(),
            });
          },
        ],
        afterResponse: [
          (response) => {
            this.report({
              method: response.request.options.method,
              path: response.requestUrl.pathname,
              statusCode: response.statusCode,
              durationMs: Date.now() - response.timings.start,
            });
            return response;
          },
        ],
        beforeRetry: [
          (error) => {
            if (error.response === undefined) this.reportNetworkError(error);
          },
        ],
      },
    });
  }

  /** Releases the keep-alive sockets; the client must not be used afterwards. */
  close(): void {
    this.agents.http.destroy();
    this.agents.https.destroy();
  }

  /**
   * One page of the PO list in daily mode: `GET /v2/providers/openapi/apis/api/v4/vendors/{vendorId}/ordersheets`
   * (coupang-api.md §2.1, example §13.1). The v4 path answers with KST wall-clock times without
   * an offset and plain KRW numbers; the schema turns them into instants and numbers.
   *
   * Each record is validated on its own (`orders` / `rejected`); `nextToken` is `undefined` on
   * the last page. Throws {@link CoupangInputError} before calling when `status` is not one of
   * the six, a date is not `yyyy-MM-dd`, `createdAtFrom > createdAtTo`, the span exceeds 31 days
   * (both ends inclusive) or `maxPerPage` is not 1–50; {@link CoupangPayloadError} when the
   * envelope has no `data` array or an unreadable `nextToken`; otherwise what {@link request} throws.
   */
  async listOrderSheets(query: OrderSheetQuery): Promise<OrderSheetPage> {
    const path = `${API}/v4/vendors/${encodeQueryComponent(this.vendorId)}/ordersheets`;
    this.checkOrderSheetQuery(query, path);
    const envelope = await this.request("GET", path, [
      ["createdAtFrom", query.createdAtFrom],
      ["createdAtTo", query.createdAtTo],
      ["maxPerPage", query.maxPerPage ?? MAX_PER_PAGE],
      ["status", query.status],
      ["nextToken", query.nextToken === "" ? undefined : query.nextToken],
    ]);
    const { data, nextToken } = this.readListEnvelope(envelope, path);
    const { valid, rejected } = validateRecords(orderSheetSchema, data);
    return { orders: valid, rejected, nextToken };
  }

  /**
   * Every page of a PO list query, following `nextToken` until Coupang sends `""` or none
   * (coupang-api.md §2.1); starts at `query.nextToken` when given (resuming a window).
   * Each page is yielded before the next is requested, so a caller can commit it first.
   *
   * Throws {@link CoupangPayloadError} after yielding a page whose token was already seen in
   * this listing (a loop) or when `maxPages` pages did not reach the end;
   * {@link CoupangInputError} for a `maxPages` that is not a positive integer; and whatever
   * {@link listOrderSheets} throws.
   */
  async *orderSheetPages(
    query: OrderSheetQuery,
    options: PageOptions = {},
  ): AsyncGenerator<OrderSheetPage, void, undefined> {
    const maxPages = options.maxPages ?? 10_000;
    if (!Number.isInteger(maxPages) || maxPages < 1) {
      throw new CoupangInputError({
        vendorId: this.vendorId,
        field: "maxPages",
        value: maxPages,
        limit: "a positive integer",
      });
    }
    const path = `${API}/v4/vendors/${encodeQueryComponent(this.vendorId)}/ordersheets`;
    const seen = new Set<string>();
    let token = query.nextToken === "" ? undefined : query.nextToken;
    if (token !== undefined) seen.add(token);
    for (let pages = 1; ; pages += 1) {
      const page = await this.listOrderSheets({ ...query, nextToken: token });
      yield page;
      if (page.nextToken === undefined) return;
      if (seen.has(page.nextToken)) {
        throw new CoupangPayloadError({
          vendorId: this.vendorId,
          method: "GET",
          path,
          jsonPath: "nextToken",
          value: page.nextToken,
          expected: `a token not seen before in this listing (page ${pages} repeats one: a paging loop)`,
        });
      }
      if (pages >= maxPages) {
        throw new CoupangPayloadError({
          vendorId: this.vendorId,
          method: "GET",
          path,
          jsonPath: "nextToken",
          value: page.nextToken,
          expected: `the last page within ${maxPages} pages`,
        });
      }
      seen.add(page.nextToken);
      token = page.nextToken;
    }
  }

  /**
   * Sends one signed request and returns the parsed 2xx body. The query is encoded once by
   * `buildQuery` and sent as is (coupang-api.md §1). Throws the `CoupangError` subclass
   * chosen by `classifyHttpError` for a non-2xx answer (after one re-signed retry of a 401),
   * `classifyNetworkError`'s `CoupangRetryableError` when no answer came, and
   * {@link CoupangPayloadError} when a 2xx body is not JSON.
   */
  private async request(method: "GET", path: string, params: QueryParams): Promise<JsonResponse> {
    const query = buildQuery(params);
    const url = `${this.baseUrl}${path}${query === "" ? "" : `?${query}`}`;
    let response = await this.send(method, url, path);
    if (response.statusCode === 401) {
      // A 401 may be a signature that aged in a queue (§1): sign afresh once.
      response = await this.send(method, url, path);
    }
    const { statusCode, body: text } = response;
    if (statusCode < 200 || statusCode > 299) {
      throw classifyHttpError({
        vendorId: this.vendorId,
        statusCode,
        headers: response.headers,
        body: text,
        method,
        path,
        now: this.now(),
      });
    }
    try {
      return { statusCode, body: parseJson(text) };
    } catch {
      throw new CoupangPayloadError({
        vendorId: this.vendorId,
        statusCode,
        body: text,
        method,
        path,
        jsonPath: "$",
        value: text,
        expected: "a JSON body",
      });
    }
  }

  private async send(method: "GET", url: string, path: string): Promise<Response<string>> {
    try {
      return await this.http(url, { method });
    } catch (error) {
      if (error instanceof RequestError && error.response === undefined) this.reportNetworkError(error);
      throw classifyNetworkError(error, { vendorId: this.vendorId, method, path });
    }
  }

  private report(event: Omit<CoupangResponseEvent, "vendorId">): void {
    try {
      this.onResponse?.({ vendorId: this.vendorId, ...event });
    } catch {
      // A metrics callback must never fail a sync (documented on onResponse).
    }
  }

  private reportNetworkError(error: RequestError): void {
    this.report({
      method: error.options.method,
      path: new URL(error.options.url ?? "").pathname,
      statusCode: undefined,
      durationMs: error.timings === undefined ? 0 : Date.now() - error.timings.start,
      error: `${error.code}: ${error.message}`,
    });
  }

  private checkOrderSheetQuery(query: OrderSheetQuery, path: string): void {
    const fail = (field: string, value: unknown, limit: string): never => {
      throw new CoupangInputError({ vendorId: this.vendorId, field, value, limit, method: "GET", path });
    };
    if (!isOrderStatus(query.status)) fail("status", query.status, `one of ${ORDER_STATUSES.join(", ")}`);
    const day = (field: "createdAtFrom" | "createdAtTo"): number => {
      try {
        return parseKstDate(query[field]).getTime();
      } catch {
        return fail(field, query[field], "a KST calendar date yyyy-MM-dd");
      }
    };
    const from = day("createdAtFrom");
    const to = day("createdAtTo");
    if (from > to) fail("createdAtTo", query.createdAtTo, `not before createdAtFrom ${query.createdAtFrom}`);
    const spanDays = (to - from) / DAY_MS + 1;
    if (spanDays > MAX_SPAN_DAYS) {
      fail(
        "createdAtTo",
        query.createdAtTo,
        `at most ${MAX_SPAN_DAYS} days from createdAtFrom ${query.createdAtFrom}, both inclusive; got ${spanDays}`,
      );
    }
    const maxPerPage = query.maxPerPage ?? MAX_PER_PAGE;
    if (!Number.isInteger(maxPerPage) || maxPerPage < 1 || maxPerPage > MAX_PER_PAGE) {
      fail("maxPerPage", maxPerPage, `an integer from 1 to ${MAX_PER_PAGE}`);
    }
  }

  /** Reads `{code, message, data: [...], nextToken}` (coupang-api.md §2.1). */
  private readListEnvelope(
    response: JsonResponse,
    path: string,
  ): { data: unknown[]; nextToken: string | undefined } {
    const { body, statusCode } = response;
    const context = { vendorId: this.vendorId, statusCode, method: "GET", path };
    if (typeof body !== "object" || body === null || Array.isArray(body)) {
      throw new CoupangPayloadError({
        ...context,
        jsonPath: "$",
        value: body,
        expected: "an object envelope",
      });
    }
    const envelope = body as Record<string, unknown>;
    const { data, nextToken } = envelope;
    if (!Array.isArray(data)) {
      throw new CoupangPayloadError({ ...context, jsonPath: "data", value: data, expected: "an array" });
    }
    if (nextToken === undefined || nextToken === null || nextToken === "")
      return { data, nextToken: undefined };
    if (typeof nextToken === "string") return { data, nextToken };
    // The 2019 example shows a shipmentBoxId as the token; a bare number is still a token.
    if (typeof nextToken === "number" || typeof nextToken === "bigint")
      return { data, nextToken: String(nextToken) };
    throw new CoupangPayloadError({
      ...context,
      jsonPath: "nextToken",
      value: nextToken,
      expected: "a string",
    });
  }
}

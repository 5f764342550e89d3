import http from "node:http";
import https from "node:https";
import got, { RequestError } from "got";
import type { Got, Response } from "got";
import {
  CoupangError,
  CoupangPayloadError,
  CoupangRetryableError,
  classifyHttpError,
  classifyNetworkError,
  parseRetryAfter,
} from "./errors.js";
import { parseJson, stringifyJson } from "./json.js";
import type { RateLimiter } from "./limiter/limiter.js";
import { buildQuery } from "./query.js";
import type { QueryParams } from "./query.js";
import { authorizationHeader } from "./signer.js";

/** One HTTP exchange, reported to `CoupangClientOptions.onResponse`. */
export interface CoupangResponseEvent {
  vendorId: string;
  method: string;
  /** Path without host or query. */
  path: string;
  /** `undefined` when no HTTP answer came (timeout, reset …). */
  statusCode: number | undefined;
  /** Wall time of this attempt, milliseconds (the limiter's wait not included). */
  durationMs: number;
  /** Network error code and message when there was no HTTP answer. */
  error?: string;
}

/** What the transport needs; `CoupangClientOptions` resolved (see client.ts for the defaults). */
export interface TransportOptions {
  baseUrl: string;
  vendorId: string;
  accessKey: string;
  secretKey: string;
  requestedBy: string;
  extendedTimeoutMs: number;
  standardTimeoutMs: number;
  limiter: RateLimiter;
  rateLimitPauseMs: number;
  warningSlowDown: { factor: number; ms: number };
  onResponse: ((event: CoupangResponseEvent) => void) | undefined;
  now: () => Date;
  /** A body larger than this is cut off and refused (a runaway answer must not exhaust memory). */
  maxResponseBytes: number;
}

/** One call: method, path (vendor already in it), query, JSON body, and whether it is extended. */
export interface CallSpec {
  method: "GET" | "POST" | "PUT";
  path: string;
  query?: QueryParams;
  /** Serialized with `stringifyJson`, so bigint IDs go out as bare JSON numbers. */
  body?: unknown;
  /**
   * Sends `X-EXTENDED-TIMEOUT: 90000` and waits up to `extendedTimeoutMs` (coupang-api.md §1):
   * for lists and batch writes, which the gateway would otherwise cut off after 3 s with a 504.
   */
  extended: boolean;
}

/** A 2xx answer, body parsed losslessly (`null` for an empty body). */
export interface JsonResponse {
  statusCode: number;
  body: unknown;
  /** CPU time of the lossless parse of the body, milliseconds (0 for an empty body); see {@link cpuMsSince}. */
  parseCpuMs: number;
}

/**
 * CPU milliseconds (user + system) this process spent since `start` (`process.cpuUsage()`): the
 * cost of a synchronous step, which wall time overstates on a busy machine.
 */
export function cpuMsSince(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

/** Longest wait between got's own retries; longer backoff belongs to the job queue. */
const MAX_RETRY_DELAY_MS = 1000;

/**
 * The one signed-request path of the client (coupang-api.md §1, §10). Internal: endpoint
 * methods of `CoupangClient` build a {@link CallSpec} and read the envelope themselves.
 *
 * Per attempt, in got's `beforeRequest` hook: take a token from the vendor's limiter, then sign
 * exactly the path and query about to be sent. Per answer, in `afterResponse`: report the
 * exchange, slow the vendor down on `X-CAG-Warnings` and pause it on a 429. got retries GETs only
 * (at most twice, ≤ 1 s apart, on 500/502/503/504/521/524 and connection errors, never after a
 * timeout); POST and PUT are never retried here.
 */
export class Transport {
  readonly vendorId: string;
  private readonly options: TransportOptions;
  private readonly http: Got;
  private readonly agents: { http: http.Agent; https: https.Agent };
  /** Aborted by `close`: ends the calls still waiting for the limiter (a paused vendor's, for minutes). */
  private readonly closed = new AbortController();

  constructor(options: TransportOptions) {
    this.options = options;
    this.vendorId = options.vendorId;
    this.agents = {
      http: new http.Agent({ keepAlive: true }),
      https: new https.Agent({ keepAlive: true }),
    };
    const { accessKey, secretKey } = options;
    this.http = got.extend({
      agent: this.agents,
      headers: {
        "content-type": "application/json;charset=UTF-8",
        "x-requested-by": options.requestedBy,
      },
      responseType: "text",
      throwHttpErrors: false,
      // A 302 is Coupang's block signal (coupang-api.md §10), not a place to go.
      followRedirect: false,
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
          async (request) => {
            const url = new URL(request.url ?? "");
            await this.acquire(request.method, url.pathname);
            // Signed after the wait, so the signed-date is fresh (§1); got starts its timeout after this hook.
            request.headers.authorization = authorizationHeader({
              accessKey,
              secretKey,
              method: request.method,
              path: url.pathname,
              query: url.search.slice(1),
              date: this.options.now(),
            });
          },
        ],
        afterResponse: [
          async (response) => {
            this.report({
              method: response.request.options.method,
              path: response.requestUrl.pathname,
              statusCode: response.statusCode,
              durationMs: Date.now() - response.timings.start,
            });
            await this.observeLimits(response);
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

  /**
   * Releases the keep-alive sockets and ends every call still waiting for the limiter: it, and
   * any call after, throws `CoupangRetryableError` with code `CLIENT_CLOSED`.
   */
  close(): void {
    this.closed.abort();
    this.agents.http.destroy();
    this.agents.https.destroy();
  }

  /**
   * Sends one signed request and returns the parsed 2xx body. The query is encoded once by
   * `buildQuery` and sent as is (§1). Throws the `CoupangError` subclass chosen by
   * `classifyHttpError` for a non-2xx answer (after one re-signed retry of a 401),
   * `classifyNetworkError`'s `CoupangRetryableError` when no answer came, the limiter failed or
   * the transport was closed,
   * and `CoupangPayloadError` when a 2xx body is not JSON.
   */
  async call(spec: CallSpec): Promise<JsonResponse> {
    const { method, path } = spec;
    const query = buildQuery(spec.query ?? []);
    const url = `${this.options.baseUrl}${path}${query === "" ? "" : `?${query}`}`;
    const body = spec.body === undefined ? undefined : stringifyJson(spec.body);
    let response = await this.send(spec, url, body);
    if (response.statusCode === 401) {
      // A 401 may be a signature that aged in a queue (§1): sign afresh once. Nothing was applied.
      response = await this.send(spec, url, body);
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
        now: this.options.now(),
      });
    }
    if (text.trim() === "") return { statusCode, body: null, parseCpuMs: 0 };
    try {
      const parsing = process.cpuUsage();
      const parsed = parseJson(text);
      return { statusCode, body: parsed, parseCpuMs: cpuMsSince(parsing) };
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

  private async send(spec: CallSpec, url: string, body: string | undefined): Promise<Response<string>> {
    const { method, path, extended } = spec;
    const { maxResponseBytes } = this.options;
    let oversized: number | undefined;
    const request = this.http(url, {
      method,
      body,
      headers: extended ? { "x-extended-timeout": "90000" } : {},
      timeout: { request: extended ? this.options.extendedTimeoutMs : this.options.standardTimeoutMs },
    });
    // Checked as the body streams in (and against Content-Length up front), so an oversized
    // answer is dropped before it is buffered whole.
    void request.on("downloadProgress", ({ transferred, total }) => {
      const size = Math.max(transferred, total ?? 0);
      if (size > maxResponseBytes && oversized === undefined) {
        oversized = size;
        request.cancel();
      }
    });
    try {
      return await request;
    } catch (error) {
      if (oversized !== undefined) {
        throw new CoupangPayloadError({
          vendorId: this.vendorId,
          method,
          path,
          jsonPath: "$",
          value: `a body of at least ${oversized} bytes`,
          expected: `at most ${maxResponseBytes} bytes`,
        });
      }
      if (error instanceof RequestError && error.cause instanceof CoupangError) throw error.cause;
      if (error instanceof RequestError && error.response === undefined) this.reportNetworkError(error);
      throw classifyNetworkError(error, { vendorId: this.vendorId, method, path });
    }
  }

  private async acquire(method: string, path: string): Promise<void> {
    try {
      await this.options.limiter.acquire(this.vendorId, this.closed.signal);
    } catch (error) {
      if (this.closed.signal.aborted) {
        throw new CoupangRetryableError(
          `The client of vendor ${this.vendorId} was closed before ${method} ${path} was sent; retry later`,
          { vendorId: this.vendorId, method, path, code: "CLIENT_CLOSED" },
        );
      }
      throw new CoupangRetryableError(
        `The rate limiter of vendor ${this.vendorId} failed before ${method} ${path} ` +
          `(${error instanceof Error ? error.message : String(error)}); retry later`,
        { vendorId: this.vendorId, method, path, code: "RATE_LIMITER_FAILED" },
      );
    }
  }

  /** Backs the vendor off on Coupang's signals (§10; pitfalls B-4), for every process sharing the limiter. */
  private async observeLimits(response: Response): Promise<void> {
    const { limiter, warningSlowDown, rateLimitPauseMs } = this.options;
    const warning = response.headers["x-cag-warnings"];
    try {
      if (warning !== undefined && warning !== "") {
        await limiter.slowDown(this.vendorId, warningSlowDown.factor, warningSlowDown.ms);
      }
      if (response.statusCode === 429) {
        const retryAfter = parseRetryAfter(response.headers["retry-after"], this.options.now());
        await limiter.pause(this.vendorId, retryAfter ?? rateLimitPauseMs);
      }
    } catch {
      // The answer matters more than the bookkeeping: a broken limiter store surfaces on the
      // next acquire as a retryable error, while this answer is still classified and thrown.
    }
  }

  private report(event: Omit<CoupangResponseEvent, "vendorId">): void {
    try {
      this.options.onResponse?.({ vendorId: this.vendorId, ...event });
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
}

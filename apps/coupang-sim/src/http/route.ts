import type { Socket } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { SimState } from "../state.js";
import type { VendorBook } from "../world/book.js";
import { ApiError } from "../world/errors.js";
import type { SimVendor } from "../world/types.js";
import { verifyRequest } from "./auth.js";
import type { CallInfo, RowFault, Stop } from "./faults.js";
import { JSON_CONTENT_TYPE } from "./json.js";
import type { RawQuery } from "./params.js";
import { sendFaultStatus, sendGatewayError } from "./reply.js";

declare module "fastify" {
  interface FastifyRequest {
    /** The request body exactly as received (for the write log). */
    rawBody?: string;
    /** The vendor whose keys signed the request, once verified. */
    simVendor?: SimVendor;
  }
}

/** Everything a handler gets: the signed vendor, its book at `now`, and the parsed request. */
export interface RouteContext {
  state: SimState;
  vendor: SimVendor;
  /** The vendor's book, advanced to `now`. */
  book: VendorBook;
  now: Date;
  nowMs: number;
  params: Record<string, string>;
  query: RawQuery;
  /** The JSON body (IDs of 16+ digits as bigint), `undefined` when there is none. */
  body: unknown;
  /** Whether the next box row of a batch write fails (a `rowFailure` fault); hand it to the applier. */
  rowFault: RowFault;
}

/** A handler's answer; `applied` lists what a write changed (for the write log). */
export interface Answer {
  status?: number;
  body: unknown;
  applied?: readonly string[];
}

/**
 * One Coupang endpoint: its name (the path after `/vendors/{vendorId}/`, as counted and as
 * fault rules name it), method, the API versions it answers at, and the handler. The
 * handler validates parameters and body by throwing `ApiError`s (400s in Coupang's shape).
 */
export interface CoupangRoute {
  endpoint: string;
  /** `PUT` routes also answer `PATCH`, which the 2019 docs used (§1). */
  method: "GET" | "POST" | "PUT";
  /** e.g. `["v4", "v5"]`. */
  versions: readonly string[];
  /** Fastify path after `/vendors/:vendorId`, e.g. `/ordersheets/:shipmentBoxId`. */
  path: string;
  handle(ctx: RouteContext): Answer;
}

/** Paging parameters left out of a list query's identity (for `duplicatePage`). */
const PAGING = new Set(["nextToken", "pageIndex"]);

/** Sockets of responses a fault left hanging; the server destroys them on close. */
export type HungSockets = Set<Socket>;

/**
 * Registers `route` the way every Coupang endpoint runs, in this order:
 * 1. count the call (`"<METHOD> <endpoint>"`, rejected calls included);
 * 2. verify the signature (§1) → 401 `{"code":"ERROR",…}` with `x-sim-auth-reason`;
 * 3. the vendor's throttle (§10, B-4) → 429, or `X-CAG-Warnings` near the limit; either way the
 *    call goes in the vendor's call log;
 * 4. faults before the handler (latency, status, reset);
 * 5. bring the world to now and run the handler (validation errors → their 400/500), a batch
 *    write asking the `rowFailure` faults row by row;
 * 6. log an applied write;
 * 7. faults after the handler (status after write, lost response, body faults), then send.
 */
export function registerCoupangRoute(
  app: FastifyInstance,
  state: SimState,
  hung: HungSockets,
  route: CoupangRoute,
): void {
  const methods = route.method === "PUT" ? ["PUT", "PATCH"] : [route.method];
  for (const version of route.versions) {
    app.route<{ Params: Record<string, string>; Querystring: RawQuery }>({
      method: methods,
      url: `/v2/providers/openapi/apis/api/${version}/vendors/:vendorId${route.path}`,
      onRequest: async (request, reply) => {
        const call: CallInfo = {
          endpoint: route.endpoint,
          method: request.method,
          vendorId: request.params.vendorId ?? "",
          query: request.query,
        };
        state.calls.record(`${call.method} ${call.endpoint}`);
        const now = state.clock.now();
        const auth = verifyRequest({
          header: request.headers.authorization,
          method: request.method,
          rawUrl: request.raw.url ?? request.url,
          vendorId: call.vendorId,
          now: state.clock.signatureNow(),
          skewMs: state.signatureSkewMs,
          lookup: (accessKey) => state.world.vendorByAccessKey(accessKey),
        });
        if (!auth.ok) {
          request.log.info({ reason: auth.reason }, "signature rejected");
          // Not a Coupang header: tells a developer why, where the gateway would not.
          void reply.header("x-sim-auth-reason", auth.reason);
          return sendGatewayError(reply, 401, auth.message);
        }
        request.simVendor = auth.vendor;
        const admission = state.limiter?.admit(auth.vendor.vendorId, now.getTime());
        state.vendorCalls.record(
          auth.vendor.vendorId,
          now.getTime(),
          admission === undefined || (admission.ok && admission.warning === undefined)
            ? "admitted"
            : admission.ok
              ? "warned"
              : "throttled",
        );
        if (admission !== undefined && !admission.ok) {
          void reply.header("x-sim-blocked-until", new Date(admission.blockedUntilMs).toISOString());
          return sendGatewayError(reply, 429, "Too Many Requests");
        }
        if (admission?.warning !== undefined) void reply.header("X-CAG-Warnings", admission.warning);
        const fault = state.faults.before(call);
        if (fault.latencyMs > 0) await sleep(fault.latencyMs);
        if (fault.stop !== undefined) return stopWith(request, reply, fault.stop, hung);
        return undefined;
      },
      handler: (request, reply) => {
        const vendor = request.simVendor as SimVendor;
        const now = state.now();
        const call: CallInfo = {
          endpoint: route.endpoint,
          method: request.method,
          vendorId: vendor.vendorId,
          query: request.query,
        };
        let answer: Answer;
        try {
          answer = route.handle({
            state,
            vendor,
            book: state.world.bookAt(vendor.vendorId, now),
            now,
            nowMs: now.getTime(),
            params: request.params,
            query: request.query,
            body: request.body,
            rowFault: state.faults.rowFault(call),
          });
        } catch (error) {
          if (!(error instanceof ApiError)) throw error;
          answer = { status: error.status, body: error.body };
        }
        const status = answer.status ?? 200;
        const record =
          answer.applied !== undefined && answer.applied.length > 0
            ? state.writes.append({
                at: now.toISOString(),
                vendorId: vendor.vendorId,
                endpoint: `${request.method} ${route.endpoint}`,
                targets: [...answer.applied],
                status,
                body: request.rawBody ?? "",
              })
            : undefined;
        const list =
          request.method === "GET" && Array.isArray((answer.body as { data?: unknown } | null)?.data);
        const post = state.faults.after(call, {
          status,
          body: answer.body,
          ...(list ? pageIdentity(route.endpoint, request.query) : { firstPage: true }),
        });
        if (post.stop !== undefined) {
          if (record !== undefined) record.delivered = false;
          return stopWith(request, reply, post.stop, hung);
        }
        return reply.code(status).type(JSON_CONTENT_TYPE).send(post.text);
      },
    });
  }
}

/** A list query's identity without its paging parameters, and whether this is its first page. */
function pageIdentity(endpoint: string, query: RawQuery): { pageKey: string; firstPage: boolean } {
  const rest = Object.entries(query)
    .filter(([name]) => !PAGING.has(name))
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, value]) => `${name}=${String(value)}`)
    .join("&");
  const pageIndex = query.pageIndex;
  const firstPage = query.nextToken === undefined && (pageIndex === undefined || pageIndex === "1");
  return { pageKey: `${endpoint}?${rest}`, firstPage };
}

/** Ends a call the way a fault says: a status answer, a reset connection, or no answer at all. */
function stopWith(request: FastifyRequest, reply: FastifyReply, stop: Stop, hung: HungSockets): FastifyReply {
  if (stop.kind === "status") return sendFaultStatus(reply, stop.status);
  reply.hijack();
  const socket = request.raw.socket;
  if (stop.kind === "reset") {
    socket.destroy();
    return reply;
  }
  hung.add(socket);
  socket.once("close", () => hung.delete(socket));
  if (stop.holdMs !== undefined) setTimeout(() => socket.destroy(), stop.holdMs).unref();
  return reply;
}

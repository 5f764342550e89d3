import { Readable } from "node:stream";
import type { FastifyInstance } from "fastify";
import type { OrderSheet } from "../../world/types.js";
import type { World } from "../../world/world.js";
import type { CallCounter } from "../calls.js";
import { JSON_CONTENT_TYPE, serializeCoupangJson } from "../json.js";
import { sendJson } from "../reply.js";

/** What the admin routes need from the simulator. */
export interface AdminDeps {
  world: World;
  now: () => Date;
  calls: CallCounter;
}

/**
 * `{...head, "orders":[…]}` as a stream of chunks: a large world's dump exceeds V8's
 * maximum string length, so it is never built as one string.
 */
function* objectWithOrders(head: Record<string, unknown>, orders: readonly OrderSheet[]): Generator<string> {
  yield `${serializeCoupangJson(head).slice(0, -1)},"orders":[`;
  const chunk = 200;
  for (let i = 0; i < orders.length; i += chunk) {
    yield (
      (i === 0 ? "" : ",") +
      orders
        .slice(i, i + chunk)
        .map(serializeCoupangJson)
        .join(",")
    );
  }
  yield "]}";
}

/**
 * Registers the simulator's own endpoints (no signature, not counted as API calls); register
 * with prefix `/__sim`, outside every Coupang path:
 * - `GET /__sim/health` → `{status:"ok", now, anchor, seed, orders, days, listLagMinutes, vendors:[vendorId…]}`
 *   (instants as ISO-8601 UTC);
 * - `GET /__sim/calls` → `{"GET ordersheets": n, …, "total": n}`;
 * - `GET /__sim/ground-truth?vendorId=…[&full=1]` → the counts of `World.groundTruth` at the
 *   simulator's now, plus `orders` (Coupang JSON, bigint IDs as bare numbers) with `full=1`.
 *   `vendorId` defaults to the first vendor; an unknown one is a 404.
 */
export function registerAdminRoutes(scope: FastifyInstance, deps: AdminDeps): void {
  scope.get("/health", (_request, reply) => {
    const o = deps.world.options;
    return sendJson(reply, 200, {
      status: "ok",
      now: deps.now().toISOString(),
      anchor: o.anchor.toISOString(),
      seed: o.seed,
      orders: o.orders,
      days: o.days,
      listLagMinutes: o.listLagMinutes,
      vendors: o.vendors.map((v) => v.vendorId),
    });
  });

  scope.get("/calls", (_request, reply) => sendJson(reply, 200, deps.calls.snapshot()));

  scope.get<{ Querystring: { vendorId?: string; full?: string } }>("/ground-truth", (request, reply) => {
    const vendorId = request.query.vendorId ?? deps.world.vendors[0]?.vendorId ?? "";
    if (deps.world.book(vendorId) === undefined) {
      return sendJson(reply, 404, { code: 404, message: `Unknown vendorId '${vendorId}'` });
    }
    const { orders, ...counts } = deps.world.groundTruth(vendorId, deps.now());
    if (request.query.full !== "1" && request.query.full !== "true") return sendJson(reply, 200, counts);
    return reply
      .code(200)
      .type(JSON_CONTENT_TYPE)
      .send(Readable.from(objectWithOrders(counts, orders)));
  });
}

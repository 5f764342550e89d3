import { Readable } from "node:stream";
import type { FastifyInstance, FastifyReply } from "fastify";
import type { SimState } from "../../state.js";
import type { VendorBook } from "../../world/book.js";
import { ApiError, Refused } from "../../world/errors.js";
import {
  buyerCancel,
  cancelExchange,
  carrierScan,
  changeAddress,
  collectExchange,
  pickUpReturn,
  requestCoupangCheck,
  requestExchange,
  requestReturn,
  requestStopShipment,
  resolveCoupangCheck,
  withdrawReceipt,
} from "../../world/lifecycle.js";
import { COLLECT_STEPS } from "../../world/claims.js";
import { asRecord, readBool, readId, toId } from "../body.js";
import type { FaultRuleInput } from "../faults.js";
import { JSON_CONTENT_TYPE, serializeCoupangJson } from "../json.js";
import { ACCESS_DENIED_HTML, sendJson } from "../reply.js";

/** What `POST /__sim/events` can make happen, as a buyer, a carrier or Coupang would. */
export const EVENT_TYPES = [
  "order",
  "buyerCancel",
  "addressChange",
  "stopShipmentRequest",
  "returnRequest",
  "withdrawReturn",
  "returnPickup",
  "coupangCheck",
  "resolveCoupangCheck",
  "exchangeRequest",
  "exchangeCollect",
  "cancelExchange",
  "carrierScan",
] as const;

/**
 * `{...head, "<name>":[…], …}` as a stream of chunks: a large world's dump exceeds V8's
 * maximum string length, so it is never built as one string, and boxes are built one at a
 * time as they are written.
 */
function* objectWithArrays(
  head: Record<string, unknown>,
  arrays: readonly (readonly [string, Iterable<unknown>])[],
): Generator<string> {
  let text = serializeCoupangJson(head).slice(0, -1);
  for (const [name, items] of arrays) {
    yield `${text},"${name}":[`;
    let first = true;
    let chunk: string[] = [];
    for (const item of items) {
      chunk.push(serializeCoupangJson(item));
      if (chunk.length === 200) {
        yield `${first ? "" : ","}${chunk.join(",")}`;
        first = false;
        chunk = [];
      }
    }
    if (chunk.length > 0) yield `${first ? "" : ","}${chunk.join(",")}`;
    text = "]";
  }
  yield `${text}}`;
}

/** 404 in the admin shape. */
function notFound(message: string): ApiError {
  return new ApiError(404, { code: 404, message });
}

/** The book of `vendorId` (default: the first vendor) at now, or 404. */
function bookOf(state: SimState, vendorId: string | undefined): { book: VendorBook; now: Date } {
  const now = state.now();
  const id = vendorId ?? state.world.vendors[0]?.vendorId ?? "";
  const book = state.world.book(id);
  if (book === undefined) throw notFound(`Unknown vendorId '${id}'`);
  return { book, now };
}

/** Runs `act`, answering an `ApiError` with its status and a `RangeError` (bad input) with 400. */
function guarded(reply: FastifyReply, act: () => unknown): FastifyReply {
  try {
    const body = act();
    return sendJson(reply, 200, body);
  } catch (error) {
    if (error instanceof ApiError) return sendJson(reply, error.status, error.body);
    if (error instanceof Refused) return sendJson(reply, 409, { code: 409, message: error.message });
    if (error instanceof RangeError) return sendJson(reply, 400, { code: 400, message: error.message });
    throw error;
  }
}

/**
 * Makes a buyer, carrier or Coupang event happen now (see {@link EVENT_TYPES}); the target is
 * a `shipmentBoxId`, `receiptId` or `exchangeId` of the body. Returns what was created.
 * Throws a `Refused` (409) when the event does not apply in the target's state.
 */
/**
 * Makes one buyer, carrier or Coupang event happen now (see {@link EVENT_TYPES}): the body of
 * `POST /__sim/events`, and `Simulator.event` in-process.
 * @returns what it made (IDs as bigint).
 * @throws RangeError for an unknown `type`; the HTTP errors of a bad or unknown ID.
 */
export function triggerEvent(state: SimState, body: Record<string, unknown>): Record<string, unknown> {
  const type = body.type;
  if (typeof type !== "string" || !(EVENT_TYPES as readonly string[]).includes(type)) {
    throw new RangeError(`type must be one of ${EVENT_TYPES.join(", ")}`);
  }
  const { book, now } = bookOf(state, typeof body.vendorId === "string" ? body.vendorId : undefined);
  const at = now.getTime();
  const items = Array.isArray(body.vendorItemIds) ? body.vendorItemIds.map((v) => toId(v) ?? -1n) : undefined;
  const box = (): number => {
    const id = readId(body, "shipmentBoxId", true);
    const i = book.findBox(id, at);
    if (i < 0) throw notFound(`Unknown shipmentBoxId ${id}`);
    return i;
  };
  const receipt = () => {
    const id = readId(body, "receiptId", true);
    const r = book.receiptById.get(id);
    if (r === undefined) throw notFound(`Unknown receiptId ${id}`);
    return r;
  };
  const exchange = () => {
    const id = readId(body, "exchangeId", true);
    const x = book.exchangeById.get(id);
    if (x === undefined) throw notFound(`Unknown exchangeId ${id}`);
    return x;
  };
  switch (type) {
    case "order":
      return { ...book.placeOrder(at) };
    case "buyerCancel":
      return { receiptId: buyerCancel(book, box(), at).receiptId };
    case "addressChange":
      changeAddress(book, box(), at);
      return {};
    case "stopShipmentRequest":
      return { receiptId: requestStopShipment(book, box(), at, items).receiptId };
    case "returnRequest":
      return { receiptId: requestReturn(book, box(), at, items).receiptId };
    case "withdrawReturn":
      withdrawReceipt(book, receipt(), at, readBool(body, "force"));
      return {};
    case "returnPickup":
      pickUpReturn(book, receipt(), at);
      return {};
    case "coupangCheck":
      requestCoupangCheck(book, receipt(), at);
      return {};
    case "resolveCoupangCheck":
      resolveCoupangCheck(book, receipt(), at);
      return {};
    case "exchangeRequest":
      return { exchangeId: requestExchange(book, box(), at, items).exchangeId };
    case "exchangeCollect": {
      const x = exchange();
      collectExchange(book, x, at);
      return { collectStatus: COLLECT_STEPS[x.collect] ?? "" };
    }
    case "cancelExchange":
      cancelExchange(exchange(), at);
      return {};
    default:
      return { status: carrierScan(book, box(), at) };
  }
}

/** Reads `POST /__sim/clock`'s body: `{advanceMs}`, `{advanceSeconds}`, `{advanceMinutes}`, `{advanceHours}` or `{to}`. */
function moveClock(state: SimState, body: Record<string, unknown>): void {
  if (typeof body.to === "string") {
    state.clock.set(new Date(body.to));
    return;
  }
  const units = {
    advanceMs: 1,
    advanceSeconds: 1000,
    advanceMinutes: 60_000,
    advanceHours: 3_600_000,
  } as const;
  for (const [key, ms] of Object.entries(units)) {
    const value = body[key];
    if (typeof value === "number") {
      state.clock.advance(value * ms);
      return;
    }
  }
  throw new RangeError(
    "Give to (ISO-8601) or one of advanceMs, advanceSeconds, advanceMinutes, advanceHours",
  );
}

/**
 * Registers the simulator's own endpoints under `/__sim` (no signature, not counted, no
 * rate limit or faults). JSON in, Coupang-style JSON out (bigint IDs as bare numbers);
 * instants are ISO-8601 UTC. See the README for each endpoint's shapes.
 */
export function registerAdminRoutes(scope: FastifyInstance, state: SimState): void {
  scope.get("/health", (_request, reply) => {
    const now = state.now();
    const o = state.world.options;
    return sendJson(reply, 200, {
      status: "ok",
      now: now.toISOString(),
      clock: state.clock.mode,
      anchor: o.anchor.toISOString(),
      seed: o.seed,
      orders: o.orders,
      days: o.days,
      listLagMinutes: o.listLagMinutes,
      ackVisibilityLagMinutes: o.ackVisibilityLagMinutes,
      exchangeBoxLagMinutes: o.exchangeBoxLagMinutes,
      activity: state.world.activity,
      rateLimit: state.limiter?.options ?? null,
      pendingEvents: state.world.pendingEvents,
      vendors: o.vendors.map((v) => v.vendorId),
    });
  });

  scope.get("/calls", (_request, reply) => sendJson(reply, 200, state.calls.snapshot()));
  scope.get("/calls/vendors", (_request, reply) => sendJson(reply, 200, state.vendorCalls.snapshot()));
  scope.delete("/calls", (_request, reply) => {
    state.calls.reset();
    state.vendorCalls.reset();
    return sendJson(reply, 200, state.calls.snapshot());
  });

  scope.get<{ Querystring: { vendorId?: string; full?: string } }>("/ground-truth", (request, reply) => {
    const vendorId = request.query.vendorId ?? state.world.vendors[0]?.vendorId ?? "";
    if (state.world.book(vendorId) === undefined) {
      return sendJson(reply, 404, { code: 404, message: `Unknown vendorId '${vendorId}'` });
    }
    const now = state.now();
    const world = state.world;
    const counts = world.groundTruthCounts(vendorId, now);
    if (request.query.full !== "1" && request.query.full !== "true") return sendJson(reply, 200, counts);
    const { boxes, items, boxesByStatus, itemsByStatus } = counts;
    const lists = world.groundTruthLists(vendorId, now);
    const stream = objectWithArrays(
      { vendorId, boxes, items, boxesByStatus, itemsByStatus },
      Object.entries(lists) as [string, Iterable<unknown>][],
    );
    return reply.code(200).type(JSON_CONTENT_TYPE).send(Readable.from(stream));
  });

  scope.get("/clock", (_request, reply) =>
    sendJson(reply, 200, { now: state.now().toISOString(), mode: state.clock.mode }),
  );
  scope.post("/clock", (request, reply) =>
    guarded(reply, () => {
      moveClock(state, asRecord(request.body ?? {}));
      const now = state.clock.now();
      const eventsApplied = state.world.advanceTo(now.getTime());
      return { now: now.toISOString(), mode: state.clock.mode, eventsApplied };
    }),
  );

  scope.get("/faults", (_request, reply) => sendJson(reply, 200, { rules: state.faults.list() }));
  scope.post("/faults", (request, reply) =>
    guarded(reply, () => {
      const body = asRecord(request.body);
      const inputs = Array.isArray(body.rules) ? (body.rules as unknown[]) : [body];
      return {
        rules: inputs.map((input) => state.faults.add(asRecord(input, "rule") as unknown as FaultRuleInput)),
      };
    }),
  );
  scope.delete("/faults", (_request, reply) => {
    state.faults.clear();
    return sendJson(reply, 200, { rules: [] });
  });
  scope.delete<{ Params: { id: string } }>("/faults/:id", (request, reply) =>
    guarded(reply, () => {
      if (!state.faults.remove(request.params.id)) throw notFound(`No fault rule ${request.params.id}`);
      return { rules: state.faults.list() };
    }),
  );

  scope.get<{ Querystring: { vendorId?: string; endpoint?: string; target?: string; since?: string } }>(
    "/writes",
    (request, reply) => {
      const { vendorId, endpoint, target, since } = request.query;
      const writes = state.writes.list({
        vendorId,
        endpoint,
        target,
        sinceSeq: since === undefined ? undefined : Number(since),
      });
      return sendJson(reply, 200, { total: writes.length, writes, repeated: state.writes.repeated() });
    },
  );
  scope.delete("/writes", (_request, reply) => {
    state.writes.clear();
    return sendJson(reply, 200, { total: 0, writes: [], repeated: [] });
  });

  scope.post("/events", (request, reply) =>
    guarded(reply, () => triggerEvent(state, asRecord(request.body))),
  );

  scope.get("/rate-limit", (_request, reply) =>
    sendJson(reply, 200, {
      options: state.limiter?.options ?? null,
      vendors: state.limiter?.snapshot(state.clock.nowMs()) ?? {},
    }),
  );

  scope.post("/reset", (_request, reply) => {
    state.reset();
    return sendJson(reply, 200, { status: "reset", now: state.now().toISOString() });
  });

  scope.get("/blocked", (_request, reply) => reply.code(403).type("text/html").send(ACCESS_DENIED_HTML));
}

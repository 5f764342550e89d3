import type { AddressInfo } from "node:net";
import type { FaultInjector, FaultRuleInput } from "./http/faults.js";
import type { RateLimitOptions } from "./http/ratelimit.js";
import { triggerEvent } from "./http/routes/admin.js";
import { buildServer } from "./http/server.js";
import type { WriteLog, WriteRecord } from "./http/writes.js";
import { SimState } from "./state.js";
import { isLively, type ActivityOption } from "./world/activity.js";
import { Clock } from "./world/clock.js";
import type { GroundTruth, SimVendor } from "./world/types.js";
import { DEFAULT_VENDOR, WORLD_DEFAULTS, type World } from "./world/world.js";

export { serializeCoupangJson, JSON_CONTENT_TYPE } from "./http/json.js";
export {
  FAULT_KINDS,
  FAULT_STATUSES,
  DRIFTS,
  type FaultRule,
  type FaultRuleInput,
  type Drift,
  type FaultKind,
} from "./http/faults.js";
export { RATE_LIMIT_DEFAULTS, type RateLimitOptions } from "./http/ratelimit.js";
export type { RepeatedWrite, WriteRecord } from "./http/writes.js";
export type { VendorCalls } from "./http/calls.js";
export { EVENT_TYPES } from "./http/routes/admin.js";
export { NO_ACTIVITY, normalActivity, type Activity, type ActivityOption } from "./world/activity.js";
export { Clock, type ClockMode } from "./world/clock.js";
export type { VendorBook } from "./world/book.js";
export type { ListPage, ListQuery } from "./world/queries.js";
export {
  EXCHANGE_STATUSES,
  ORDER_STATUSES,
  RECEIPT_STATUSES,
  RETURN_FILTERS,
  isOrderStatus,
  type ExchangeRequest,
  type ExchangeStatus,
  type GroundTruth,
  type HistoryDetail,
  type OrderItem,
  type OrderSheet,
  type OrderStatus,
  type Orderer,
  type OverseaShippingInfo,
  type ReceiptStatus,
  type Receiver,
  type ReturnFilter,
  type ReturnRequest,
  type ReturnWithdrawal,
  type SimVendor,
} from "./world/types.js";
export {
  DEFAULT_VENDOR,
  WORLD_DEFAULTS,
  derivedVendors,
  World,
  type GroundTruthCounts,
  type WorldOptions,
} from "./world/world.js";

/** Options of {@link startSimulator}; every one has a default. */
export interface SimulatorOptions {
  /** Seed of every random draw. Default 42. */
  seed?: number;
  /** Shipment boxes to generate per vendor. Default 1000. */
  orders?: number;
  /** Vendors and their keys. Default one: `A00012345` / `sim-access-key` / `sim-secret-key`. */
  vendors?: SimVendor[];
  /** `orderedAt` is spread over this many days before the anchor. Default 14. */
  days?: number;
  /** A box shows in the list only this many minutes after `paidAt` (coupang-api.md §0.6). Default 10. */
  listLagMinutes?: number;
  /** Minutes an accepted acknowledgement stays invisible — the box still reads ACCEPT (B-7). Default 0. */
  ackVisibilityLagMinutes?: number;
  /** Minutes from an exchange's receive confirmation until its new shipmentBoxId is served (B-17). Default 0. */
  exchangeBoxLagMinutes?: number;
  /**
   * What happens on its own in simulated time: new orders, carrier progress, buyer cancels,
   * address changes, stop requests, returns, withdrawals, exchanges. `"none"` (default: the
   * world only changes through the API and the admin API, as the first slice did),
   * `"normal"` (realistic shares, new orders at the generated history's rate), or a partial
   * `Activity` laid over `"normal"`.
   */
  activity?: ActivityOption;
  /** Allowed |signed-date − now| in seconds before a 401 "expired" (§1). Default 300. */
  signatureSkewSeconds?: number;
  /**
   * How time runs: `"real"` (default, wall-clock) or `"simulated"` (frozen at `startAt` until
   * advanced with `sim.clock` or `POST /__sim/clock`). Either can be advanced.
   */
  clock?: "real" | "simulated";
  /** Start of a simulated clock. Default: the anchor. */
  startAt?: Date;
  /** Reads the simulator's time from the host instead (e.g. a test's variable); overrides `clock`. */
  now?: () => Date;
  /**
   * The instant the world is generated as of (statuses are aged from it, no generated time
   * lies after it). Default: the clock's now at start. Fix it for identical worlds across runs.
   */
  anchor?: Date;
  /** Per-vendor throttle (§10, B-4): `true` for 10/s with a 60 s block, or settings. Default off. */
  rateLimit?: boolean | Partial<RateLimitOptions>;
  /** Fault rules in force from the start (see `FaultRuleInput`). */
  faults?: FaultRuleInput[];
  /** Interface to listen on. Default `127.0.0.1`. */
  host?: string;
  /** TCP port; 0 picks a free one. Default 0. */
  port?: number;
  /** Fastify request logging (pino, to stdout). Default false. */
  logger?: boolean;
}

/** A running simulator. */
export interface Simulator {
  /** Base URL to give a client instead of `https://api-gateway.coupang.com`, e.g. `http://127.0.0.1:41234`. */
  url: string;
  /** The simulated Coupang, for in-process inspection (replaced by {@link reset}). */
  readonly world: World;
  /** The simulator's clock: read it, or move it forward in simulated time. */
  clock: Clock;
  /** Coupang API calls so far (rejected ones included), keyed `"GET ordersheets"` style, plus `total`. */
  calls(): Record<string, number>;
  /**
   * What a complete sync of `vendorId` (default: the first vendor) must end up with at the
   * simulator's now: boxes in the list (paid at least the list lag ago, any status) and
   * those dropped from it, receipts, withdrawals, exchanges. Throws a `RangeError` for an
   * unknown vendor.
   */
  groundTruth(vendorId?: string): GroundTruth;
  /**
   * Makes a buyer's, carrier's or Coupang's event happen now, as `POST /__sim/events` does
   * (`type`, `vendorId` and the event's IDs; see its route): tests drive the world with it.
   * @returns a promise of what the event made, IDs as bigint; rejected with a RangeError for an
   *   unknown type, or an HTTP-style error for an unknown or bad ID.
   */
  event(body: Record<string, unknown>): Promise<Record<string, unknown>>;
  /** Every write applied so far, in order (see `WriteRecord`), optionally filtered. */
  writes(filter?: Parameters<WriteLog["list"]>[0]): WriteRecord[];
  /** The fault rules in force: `add`, `remove`, `clear`, `list`. */
  faults: FaultInjector;
  /** Regenerates the world and forgets calls, writes, faults and throttle state (the clock keeps running). */
  reset(): void;
  /** Stops listening, cutting responses a fault left hanging, and waits for open requests. */
  close(): Promise<void>;
}

/** A URL host for a bound address: wildcard binds are reached through loopback. */
function urlHost(address: AddressInfo): string {
  if (address.address === "0.0.0.0") return "127.0.0.1";
  if (address.address === "::") return "[::1]";
  return address.family === "IPv6" ? `[${address.address}]` : address.address;
}

/** The clock `opts` ask for, starting at `anchor` when simulated. */
function clockFor(opts: SimulatorOptions, anchor: () => Date): Clock {
  if (opts.now !== undefined) return Clock.host(opts.now);
  if (opts.clock === "simulated") return Clock.simulated(opts.startAt ?? anchor());
  if (opts.clock !== undefined && opts.clock !== "real")
    throw new RangeError(`clock must be real or simulated, got ${String(opts.clock)}`);
  return Clock.real();
}

/**
 * Generates a world and serves Coupang's API for it over HTTP (see README for endpoints).
 * Resolves once listening. Rejects with a `RangeError` for invalid options (see
 * `World.generate`; also a negative `signatureSkewSeconds`, an unknown clock, a bad rate
 * limit or fault rule) and with the listen error when the port is taken.
 */
export async function startSimulator(opts: SimulatorOptions = {}): Promise<Simulator> {
  const skewSeconds = opts.signatureSkewSeconds ?? 300;
  if (!Number.isFinite(skewSeconds) || skewSeconds < 0) {
    throw new RangeError(`signatureSkewSeconds must be ≥ 0, got ${skewSeconds}`);
  }
  let anchor = opts.anchor;
  const clock = clockFor(opts, () => (anchor ??= new Date()));
  anchor ??= clock.now();
  const state = new SimState(
    {
      seed: opts.seed ?? WORLD_DEFAULTS.seed,
      orders: opts.orders ?? WORLD_DEFAULTS.orders,
      days: opts.days ?? WORLD_DEFAULTS.days,
      listLagMinutes: opts.listLagMinutes ?? WORLD_DEFAULTS.listLagMinutes,
      ackVisibilityLagMinutes: opts.ackVisibilityLagMinutes ?? 0,
      exchangeBoxLagMinutes: opts.exchangeBoxLagMinutes ?? 0,
      activity: opts.activity ?? "none",
      vendors: opts.vendors ?? [DEFAULT_VENDOR],
      anchor,
    },
    clock,
    {
      signatureSkewMs: skewSeconds * 1000,
      rateLimit: opts.rateLimit === true ? {} : opts.rateLimit === false ? undefined : opts.rateLimit,
    },
  );
  const gapDays = (clock.nowMs() - anchor.getTime()) / 86_400_000;
  if (isLively(state.world.activity) && gapDays > state.world.options.days) {
    // Every event between the anchor and now would be simulated before the first answer.
    throw new RangeError(
      `With activity, the clock may start at most ${state.world.options.days} days after the anchor, not ${gapDays.toFixed(1)}: ` +
        'move the anchor, or use clock: "simulated" with startAt',
    );
  }
  for (const rule of opts.faults ?? []) state.faults.add(rule);
  const app = buildServer(state, opts.logger ?? false);
  await app.listen({ host: opts.host ?? "127.0.0.1", port: opts.port ?? 0 });
  const address = app.server.address() as AddressInfo;
  return {
    url: `http://${urlHost(address)}:${address.port}`,
    get world() {
      state.now();
      return state.world;
    },
    clock,
    calls: () => state.calls.snapshot(),
    groundTruth: (vendorId) =>
      state.world.groundTruth(vendorId ?? state.world.vendors[0]?.vendorId ?? "", state.now()),
    event: (body) => Promise.resolve(body).then((b) => triggerEvent(state, b)),
    writes: (filter) => state.writes.list(filter),
    faults: state.faults,
    reset: () => state.reset(),
    close: () => app.close(),
  };
}

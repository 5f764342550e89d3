import type { AddressInfo } from "node:net";
import { CallCounter } from "./http/calls.js";
import { buildServer } from "./http/server.js";
import type { GroundTruth, SimVendor } from "./world/types.js";
import { DEFAULT_VENDOR, WORLD_DEFAULTS, World } from "./world/world.js";

export { serializeCoupangJson, JSON_CONTENT_TYPE } from "./http/json.js";
export type { ListPage, ListQuery, VendorBook } from "./world/book.js";
export {
  ORDER_STATUSES,
  isOrderStatus,
  type GroundTruth,
  type OrderItem,
  type OrderSheet,
  type OrderStatus,
  type Orderer,
  type OverseaShippingInfo,
  type Receiver,
  type SimVendor,
} from "./world/types.js";
export { DEFAULT_VENDOR, WORLD_DEFAULTS, World, type WorldOptions } from "./world/world.js";

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
  /** Allowed |signed-date − now| in seconds before a 401 "expired" (§1). Default 300. */
  signatureSkewSeconds?: number;
  /** The simulator's clock for signatures and the list lag. Default real time. */
  now?: () => Date;
  /**
   * The instant the world is generated as of (statuses are aged from it, no generated time
   * lies after it). Default: `now()` read once at start. Fix it for byte-identical worlds
   * across runs.
   */
  anchor?: Date;
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
  /** The simulated Coupang, for in-process inspection. */
  world: World;
  /** Coupang API calls so far (rejected ones included), keyed `"GET ordersheets"` style, plus `total`. */
  calls(): Record<string, number>;
  /**
   * What the list can show for `vendorId` (default: the first vendor) at the simulator's now:
   * every box paid at least the list lag ago, any status, any order date. Throws a
   * `RangeError` for an unknown vendor.
   */
  groundTruth(vendorId?: string): GroundTruth;
  /** Stops listening and waits for open requests to finish. */
  close(): Promise<void>;
}

/** A URL host for a bound address: wildcard binds are reached through loopback. */
function urlHost(address: AddressInfo): string {
  if (address.address === "0.0.0.0") return "127.0.0.1";
  if (address.address === "::") return "[::1]";
  return address.family === "IPv6" ? `[${address.address}]` : address.address;
}

/**
 * Generates a world and serves Coupang's API for it over HTTP (see README for endpoints).
 * Resolves once listening. Rejects with a `RangeError` for invalid options (see
 * `World.generate`; also a negative `signatureSkewSeconds`) and with the listen error when
 * the port is taken.
 */
export async function startSimulator(opts: SimulatorOptions = {}): Promise<Simulator> {
  const now = opts.now ?? ((): Date => new Date());
  const skewSeconds = opts.signatureSkewSeconds ?? 300;
  if (!Number.isFinite(skewSeconds) || skewSeconds < 0) {
    throw new RangeError(`signatureSkewSeconds must be ≥ 0, got ${skewSeconds}`);
  }
  const world = World.generate({
    seed: opts.seed ?? WORLD_DEFAULTS.seed,
    orders: opts.orders ?? WORLD_DEFAULTS.orders,
    days: opts.days ?? WORLD_DEFAULTS.days,
    listLagMinutes: opts.listLagMinutes ?? WORLD_DEFAULTS.listLagMinutes,
    vendors: opts.vendors ?? [DEFAULT_VENDOR],
    anchor: opts.anchor ?? now(),
  });
  const calls = new CallCounter();
  const app = buildServer({
    world,
    now,
    calls,
    signatureSkewMs: skewSeconds * 1000,
    logger: opts.logger ?? false,
  });
  await app.listen({ host: opts.host ?? "127.0.0.1", port: opts.port ?? 0 });
  const address = app.server.address() as AddressInfo;
  return {
    url: `http://${urlHost(address)}:${address.port}`,
    world,
    calls: () => calls.snapshot(),
    groundTruth: (vendorId) => world.groundTruth(vendorId ?? world.vendors[0]?.vendorId ?? "", now()),
    close: () => app.close(),
  };
}

// Shared set-up of the contract tests: the client (@cos/coupang) against the simulator
// (@cos/coupang-sim) over real HTTP. The simulator runs in-process on a simulated clock
// anchored at a fixed instant, so every world, ID and answer is the same on every run; the
// client gets the simulator vendor's keys and a high rate so that nothing waits. The admin
// API (/__sim/…) is the ground truth and the lever: events, the clock, calls, writes.
import {
  CoupangClient,
  TokenBucketLimiter,
  authorizationHeader,
  formatKstDate,
  formatKstMinute,
  formatKstSecond,
  parseJson,
  stringifyJson,
} from "@cos/coupang";
import type { CoupangClientOptions, RateLimiter } from "@cos/coupang";
import { DEFAULT_VENDOR, serializeCoupangJson, startSimulator } from "@cos/coupang-sim";
import type { OrderSheet, Simulator, SimulatorOptions } from "@cos/coupang-sim";

/** 2025-03-10 12:00 KST: a Monday noon, the instant every contract world is generated as of. */
export const ANCHOR = new Date("2025-03-10T03:00:00Z");
export const VENDOR = DEFAULT_VENDOR;
export const DAY_MS = 24 * 60 * 60 * 1000;
export const MINUTE_MS = 60_000;

/** A running simulator, a client pointed at it, and the admin API. */
export interface Contract {
  sim: Simulator;
  client: CoupangClient;
  /** Options the client was built with (to build a second one, e.g. with a wrong key). */
  clientOptions: CoupangClientOptions;
  /** Calls `/__sim/<path>`; the answer parsed losslessly (18-digit IDs as bigint). */
  admin<T = Record<string, unknown>>(method: string, path: string, body?: unknown): Promise<AdminAnswer<T>>;
  /** `POST /__sim/events`, which must succeed; IDs of what was created as bigint. */
  event(body: Record<string, unknown>): Promise<Record<string, bigint | string | bigint[]>>;
  /**
   * A signed Coupang call made without the client (to show what the simulator itself answers
   * to something the client refuses to send): `path` after `/vendors/{vendorId}/`.
   */
  raw(method: string, path: string, body?: unknown, version?: string): Promise<AdminAnswer<unknown>>;
  /** A new order paid now: its boxes, all ACCEPT. */
  newOrder(): Promise<{ orderId: bigint; shipmentBoxIds: bigint[] }>;
  /** Moves the simulated clock forward. */
  advance(ms: number): void;
  /** Stops the client and the simulator. */
  close(): Promise<void>;
}

export interface AdminAnswer<T> {
  status: number;
  body: T;
}

/** Options of {@link startContract}: the simulator's, plus overrides of the client's. */
export type ContractOptions = SimulatorOptions & { client?: Partial<CoupangClientOptions> };

/**
 * Starts a simulator (seed 7, 300 boxes, simulated clock at {@link ANCHOR}, a frozen world
 * unless told otherwise) and a client for its vendor at 1,000 requests/s.
 */
export async function startContract(options: ContractOptions = {}): Promise<Contract> {
  const { client: clientOverrides, ...simOptions } = options;
  const sim = await startSimulator({
    seed: 7,
    orders: 300,
    anchor: ANCHOR,
    clock: "simulated",
    ...simOptions,
  });
  const clientOptions: CoupangClientOptions = {
    baseUrl: sim.url,
    vendorId: VENDOR.vendorId,
    accessKey: VENDOR.accessKey,
    secretKey: VENDOR.secretKey,
    requestsPerSecond: 1000,
    ...clientOverrides,
  };
  const client = new CoupangClient(clientOptions);
  const admin = async <T>(method: string, path: string, body?: unknown): Promise<AdminAnswer<T>> => {
    const res = await fetch(`${sim.url}/__sim/${path}`, {
      method,
      headers: body === undefined ? {} : { "content-type": "application/json" },
      body: body === undefined ? undefined : serializeCoupangJson(body),
    });
    const text = await res.text();
    return { status: res.status, body: (text === "" ? undefined : parseJson(text)) as T };
  };
  const event = async (
    body: Record<string, unknown>,
  ): Promise<Record<string, bigint | string | bigint[]>> => {
    const res = await admin<Record<string, unknown>>("POST", "events", body);
    if (res.status !== 200)
      throw new Error(`event ${stringifyJson(body)}: ${res.status} ${stringifyJson(res.body)}`);
    return Object.fromEntries(
      Object.entries(res.body).map(([k, v]) => [
        k,
        Array.isArray(v) ? v.map(toBigInt) : typeof v === "string" ? v : toBigInt(v),
      ]),
    );
  };
  return {
    sim,
    client,
    clientOptions,
    admin,
    event,
    async raw(method, path, body, version = "v4") {
      const full = `/v2/providers/openapi/apis/api/${version}/vendors/${VENDOR.vendorId}/${path}`;
      const res = await fetch(`${sim.url}${full}`, {
        method,
        headers: {
          "content-type": "application/json;charset=UTF-8",
          authorization: authorizationHeader({
            accessKey: VENDOR.accessKey,
            secretKey: VENDOR.secretKey,
            method,
            path: full,
          }),
        },
        body: body === undefined ? undefined : serializeCoupangJson(body),
      });
      const text = await res.text();
      return { status: res.status, body: text === "" ? undefined : parseJson(text) };
    },
    async newOrder() {
      const placed = await event({ type: "order" });
      return { orderId: placed.orderId as bigint, shipmentBoxIds: placed.shipmentBoxIds as bigint[] };
    },
    advance(ms) {
      sim.clock.advance(ms);
    },
    async close() {
      client.close();
      await sim.close();
    },
  };
}

/** A number, bigint or digit string as bigint. */
export function toBigInt(value: unknown): bigint {
  if (typeof value === "bigint") return value;
  if (typeof value === "number" || typeof value === "string") return BigInt(value);
  throw new TypeError(`not an ID: ${String(value)}`);
}

/** KST `yyyy-MM-dd` of an instant. */
export const kstDay = (at: Date | number): string => formatKstDate(new Date(at));
/** KST `yyyy-MM-ddTHH:mm` of an instant. */
export const kstMinute = (at: Date | number): string => formatKstMinute(new Date(at));
/** KST `yyyy-MM-ddTHH:mm:ss` of an instant. */
export const kstSecond = (at: Date | number): string => formatKstSecond(new Date(at));

/** A box of the ground truth as the API serializes it: what a client's `rawJson` must equal. */
export const wireJson = (value: unknown): string => serializeCoupangJson(value);

/** The listed boxes of the ground truth with `status`, ascending by shipmentBoxId. */
export function truthBoxes(sim: Simulator, filter: (o: OrderSheet) => boolean): OrderSheet[] {
  return sim.groundTruth().orders.filter(filter);
}

/** A fresh invoice number of `digits` digits (12 by default), never used before in this process. */
export const uniqueInvoice = (() => {
  let n = 0;
  return (digits = 12): string => {
    n += 1;
    return `7${String(n).padStart(digits - 1, "0")}`;
  };
})();

/** Calls of one endpoint key (`"GET ordersheets"`) so far; 0 when none. */
export function callsOf(sim: Simulator, key: string): number {
  return sim.calls()[key] ?? 0;
}

/**
 * A limiter that records what the client asked of it (pauses on a 429, slow-downs on
 * `X-CAG-Warnings`) and otherwise lets every request through at once.
 */
export class RecordingLimiter implements RateLimiter {
  readonly pauses: Array<{ vendorId: string; ms: number }> = [];
  readonly slowDowns: Array<{ vendorId: string; factor: number; ms: number }> = [];
  private readonly inner = new TokenBucketLimiter({ requestsPerSecond: 1000, burst: 1000 });

  acquire(vendorId: string): Promise<void> {
    return this.inner.acquire(vendorId);
  }

  pause(vendorId: string, ms: number): Promise<void> {
    this.pauses.push({ vendorId, ms });
    return Promise.resolve();
  }

  slowDown(vendorId: string, factor: number, ms: number): Promise<void> {
    this.slowDowns.push({ vendorId, factor, ms });
    return Promise.resolve();
  }
}

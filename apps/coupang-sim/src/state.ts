import { CallCounter, VendorCallLog } from "./http/calls.js";
import { FaultInjector } from "./http/faults.js";
import { RateLimiter, type RateLimitOptions } from "./http/ratelimit.js";
import { WriteLog } from "./http/writes.js";
import type { Clock } from "./world/clock.js";
import { World, type WorldOptions } from "./world/world.js";

/** What the running simulator is configured with besides the world. */
export interface StateSettings {
  /** Largest allowed |signed-date − now| in ms (§1). */
  signatureSkewMs: number;
  /** The per-vendor throttle; `undefined` = no rate limiting. */
  rateLimit: Partial<RateLimitOptions> | undefined;
}

/**
 * Everything a running simulator holds: the world (replaced on reset), the clock, and the
 * bookkeeping the admin API exposes — calls, writes, fault rules, the throttle. Routes read
 * it; it is the one mutable object the HTTP layer shares.
 */
export class SimState {
  world: World;
  readonly calls = new CallCounter();
  readonly vendorCalls = new VendorCallLog();
  readonly writes = new WriteLog();
  readonly faults: FaultInjector;
  readonly limiter: RateLimiter | undefined;
  readonly signatureSkewMs: number;

  /** Throws a `RangeError` for invalid world options or rate limit. */
  constructor(
    readonly worldOptions: WorldOptions,
    readonly clock: Clock,
    settings: StateSettings,
  ) {
    this.world = World.generate(worldOptions);
    this.faults = new FaultInjector(worldOptions.seed);
    this.limiter = settings.rateLimit === undefined ? undefined : new RateLimiter(settings.rateLimit);
    this.signatureSkewMs = settings.signatureSkewMs;
  }

  /** The clock's now, with every world event due by then applied. */
  now(): Date {
    const now = this.clock.now();
    this.world.advanceTo(now.getTime());
    return now;
  }

  /**
   * Starts over: the world regenerated from its options (as if no API call had been made),
   * calls, writes, fault rules and throttle state forgotten. The clock keeps running: events
   * of the regenerated world are replayed up to now on the next read.
   */
  reset(): void {
    this.world = World.generate(this.worldOptions);
    this.calls.reset();
    this.vendorCalls.reset();
    this.writes.clear();
    this.faults.clear();
    this.limiter?.reset();
  }
}

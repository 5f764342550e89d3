/**
 * Coupang's per-vendor throttle (coupang-api.md §10, B-4): about 10 calls per second per
 * vendorId across all APIs; at about 90% of it responses carry an `X-CAG-Warnings` header;
 * over it the call gets 429 and the vendor stays blocked for a while. Time is the
 * simulator's clock, so a test can exceed the limit at one simulated instant and watch the
 * block expire by advancing the clock.
 */

/** The throttle's settings. */
export interface RateLimitOptions {
  /** Calls allowed per vendor in any 1-second window. Default 10. */
  perSecond: number;
  /** How long a vendor stays blocked after going over, in seconds. Default 60. */
  blockSeconds: number;
  /** Share of `perSecond` from which responses carry `X-CAG-Warnings`. Default 0.9. */
  warnRatio: number;
}

/** Defaults of {@link RateLimitOptions}. */
export const RATE_LIMIT_DEFAULTS: Readonly<RateLimitOptions> = Object.freeze({
  perSecond: 10,
  blockSeconds: 60,
  warnRatio: 0.9,
});

/** Outcome of a call: allowed (perhaps with a warning) or refused until `blockedUntilMs`. */
export type Admission = { ok: true; warning?: string } | { ok: false; blockedUntilMs: number };

/** A vendor's recent calls and block. */
interface VendorWindow {
  calls: number[];
  blockedUntilMs: number;
}

/** The per-vendor sliding-window throttle. */
export class RateLimiter {
  private readonly vendors = new Map<string, VendorWindow>();
  readonly options: Readonly<RateLimitOptions>;

  /** Throws a `RangeError` for a non-positive rate or block, or a ratio outside (0, 1]. */
  constructor(options: Partial<RateLimitOptions> = {}) {
    const o = { ...RATE_LIMIT_DEFAULTS, ...options };
    if (!(o.perSecond > 0) || !(o.blockSeconds >= 0) || !(o.warnRatio > 0 && o.warnRatio <= 1)) {
      throw new RangeError(`Invalid rate limit ${JSON.stringify(o)}`);
    }
    this.options = Object.freeze(o);
  }

  /** Counts a call of `vendorId` at `nowMs` and says whether it may proceed. Blocked calls are not counted. */
  admit(vendorId: string, nowMs: number): Admission {
    let w = this.vendors.get(vendorId);
    if (w === undefined) {
      w = { calls: [], blockedUntilMs: -Infinity };
      this.vendors.set(vendorId, w);
    }
    if (nowMs < w.blockedUntilMs) return { ok: false, blockedUntilMs: w.blockedUntilMs };
    w.calls = w.calls.filter((t) => t > nowMs - 1000);
    if (w.calls.length + 1 > this.options.perSecond) {
      w.blockedUntilMs = nowMs + this.options.blockSeconds * 1000;
      w.calls = [];
      return { ok: false, blockedUntilMs: w.blockedUntilMs };
    }
    w.calls.push(nowMs);
    const used = w.calls.length;
    return used >= Math.ceil(this.options.perSecond * this.options.warnRatio)
      ? {
          ok: true,
          warning: `Throttling threshold ${Math.round(this.options.warnRatio * 100)}% reached: ${used} of ${this.options.perSecond} calls per second for vendorId ${vendorId}`,
        }
      : { ok: true };
  }

  /** Each vendor's calls in the last second and block end (epoch ms, or null) at `nowMs`. */
  snapshot(nowMs: number): Record<string, { callsLastSecond: number; blockedUntil: string | null }> {
    const out: Record<string, { callsLastSecond: number; blockedUntil: string | null }> = {};
    for (const [vendorId, w] of this.vendors) {
      out[vendorId] = {
        callsLastSecond: w.calls.filter((t) => t > nowMs - 1000).length,
        blockedUntil: nowMs < w.blockedUntilMs ? new Date(w.blockedUntilMs).toISOString() : null,
      };
    }
    return out;
  }

  /** Forgets every call and block. */
  reset(): void {
    this.vendors.clear();
  }
}

import { setTimeout as sleep } from "node:timers/promises";

/**
 * A per-vendor request limiter that every call of a `CoupangClient` passes through (each
 * attempt, got's own retries and the 401 re-sign included). Coupang throttles about 10
 * requests/s per vendorId across all APIs and answers bursts with 429 blocks of minutes
 * (coupang-api.md §0.14, §10; pitfalls B-4), so the default budget is 5 requests/s.
 *
 * Two implementations: {@link TokenBucketLimiter} (one process) and `RedisRateLimiter` (all
 * processes of a vendor share one bucket).
 */
export interface RateLimiter {
  /**
   * Resolves when `vendorId` may send one request; waits out pauses and slow-downs. Rejects with
   * `signal.reason` once `signal` aborts (a client closing at shutdown): the wait of a paused
   * vendor lasts as long as its pause, minutes after a 429.
   */
  acquire(vendorId: string, signal?: AbortSignal): Promise<void>;
  /**
   * Sends no request for `vendorId` during the next `ms` milliseconds (a 429: every process
   * backs off). A longer pause already in force is kept.
   */
  pause(vendorId: string, ms: number): Promise<void>;
  /**
   * Multiplies `vendorId`'s rate by `factor` (0 < factor ≤ 1) for the next `ms` milliseconds
   * (an `X-CAG-Warnings` header: the vendor is near Coupang's threshold). While one slow-down
   * is in force the smaller factor and the later end win.
   */
  slowDown(vendorId: string, factor: number, ms: number): Promise<void>;
}

/** The budget of a limiter: `requestsPerSecond` on average, at most `burst` at once. */
export interface RateLimitBudget {
  /** Sustained rate per vendor; default 5 (coupang-api.md §10 "Practical rule"). */
  requestsPerSecond?: number;
  /** Bucket size: requests that may go out back to back; default 1 (evenly spaced calls). */
  burst?: number;
}

/** Checks a budget and fills in the defaults. Throws a `RangeError` naming the bad value. */
export function resolveBudget(budget: RateLimitBudget): Required<RateLimitBudget> {
  const { requestsPerSecond = 5, burst = 1 } = budget;
  if (!(Number.isFinite(requestsPerSecond) && requestsPerSecond > 0)) {
    throw new RangeError(`requestsPerSecond must be a positive number, got ${requestsPerSecond}`);
  }
  if (!(Number.isInteger(burst) && burst >= 1)) {
    throw new RangeError(`burst must be a positive integer, got ${burst}`);
  }
  return { requestsPerSecond, burst };
}

/** Sleeps `ms`; rejects with `signal.reason` (not Node's AbortError) once `signal` aborts. */
export async function waitFor(ms: number, signal: AbortSignal | undefined): Promise<void> {
  try {
    await sleep(ms, undefined, { signal });
  } catch (error) {
    signal?.throwIfAborted();
    throw error;
  }
}

/** Checks the arguments of `pause` / `slowDown`. Throws a `RangeError` naming the bad value. */
export function checkBackoff(ms: number, factor = 1): void {
  if (!(Number.isFinite(ms) && ms >= 0)) throw new RangeError(`ms must be a number ≥ 0, got ${ms}`);
  if (!(Number.isFinite(factor) && factor > 0 && factor <= 1)) {
    throw new RangeError(`factor must be in (0, 1], got ${factor}`);
  }
}

interface Bucket {
  tokens: number;
  updatedAt: number;
  pausedUntil: number;
  factor: number;
  slowUntil: number;
  /** Callers of one vendor take tokens in arrival order. */
  queue: Promise<void>;
}

/**
 * An in-process token bucket per vendor (see {@link RateLimiter}): share one instance among all
 * clients of the process. Waiters of one vendor are served in arrival order; other vendors are
 * never held up. Pauses and slow-downs stay in this process: use `RedisRateLimiter` when several
 * processes call for the same vendor.
 */
export class TokenBucketLimiter implements RateLimiter {
  private readonly budget: Required<RateLimitBudget>;
  private readonly buckets = new Map<string, Bucket>();
  private readonly now: () => number;

  /** Throws a `RangeError` for a budget that is not positive. `now` is a millisecond clock (tests). */
  constructor(budget: RateLimitBudget & { now?: () => number } = {}) {
    this.budget = resolveBudget(budget);
    this.now = budget.now ?? Date.now;
  }

  acquire(vendorId: string, signal?: AbortSignal): Promise<void> {
    const bucket = this.bucket(vendorId);
    const turn = bucket.queue.then(() => this.take(bucket, signal));
    bucket.queue = turn.catch(() => undefined);
    return turn;
  }

  // Promise executors turn a RangeError into a rejection, as the Redis limiter reports it.
  pause(vendorId: string, ms: number): Promise<void> {
    return new Promise((resolve) => {
      checkBackoff(ms);
      const bucket = this.bucket(vendorId);
      bucket.pausedUntil = Math.max(bucket.pausedUntil, this.now() + ms);
      resolve();
    });
  }

  slowDown(vendorId: string, factor: number, ms: number): Promise<void> {
    return new Promise((resolve) => {
      checkBackoff(ms, factor);
      const bucket = this.bucket(vendorId);
      const now = this.now();
      this.refill(bucket, now);
      bucket.factor = bucket.slowUntil > now ? Math.min(bucket.factor, factor) : factor;
      bucket.slowUntil = Math.max(bucket.slowUntil, now + ms);
      resolve();
    });
  }

  private bucket(vendorId: string): Bucket {
    let bucket = this.buckets.get(vendorId);
    if (bucket === undefined) {
      bucket = {
        tokens: this.budget.burst,
        updatedAt: this.now(),
        pausedUntil: 0,
        factor: 1,
        slowUntil: 0,
        queue: Promise.resolve(),
      };
      this.buckets.set(vendorId, bucket);
    }
    return bucket;
  }

  /** Requests per millisecond in force at `now`. */
  private rate(bucket: Bucket, now: number): number {
    return (this.budget.requestsPerSecond * (bucket.slowUntil > now ? bucket.factor : 1)) / 1000;
  }

  private refill(bucket: Bucket, now: number): void {
    bucket.tokens = Math.min(
      this.budget.burst,
      bucket.tokens + (now - bucket.updatedAt) * this.rate(bucket, now),
    );
    bucket.updatedAt = now;
  }

  private async take(bucket: Bucket, signal: AbortSignal | undefined): Promise<void> {
    for (;;) {
      signal?.throwIfAborted();
      const now = this.now();
      this.refill(bucket, now);
      // Re-checked after every sleep: a pause or slow-down may have arrived meanwhile.
      const wait =
        bucket.pausedUntil > now
          ? bucket.pausedUntil - now
          : bucket.tokens >= 1
            ? 0
            : Math.ceil((1 - bucket.tokens) / this.rate(bucket, now));
      if (wait === 0) {
        bucket.tokens -= 1;
        return;
      }
      await waitFor(wait, signal);
    }
  }
}

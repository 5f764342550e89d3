import { describe, expect, it } from "vitest";
import { TokenBucketLimiter } from "./limiter.js";

/** Start times (ms since `t0`) of `n` acquisitions for one vendor, issued all at once. */
async function timesOf(
  limiter: TokenBucketLimiter,
  vendorId: string,
  n: number,
  t0: number,
): Promise<number[]> {
  const times: number[] = [];
  await Promise.all(
    Array.from({ length: n }, () => limiter.acquire(vendorId).then(() => times.push(Date.now() - t0))),
  );
  return times.sort((a, b) => a - b);
}

describe("TokenBucketLimiter", () => {
  it("spaces one vendor's calls at the configured rate (default burst 1)", async () => {
    const limiter = new TokenBucketLimiter({ requestsPerSecond: 50 });
    const t0 = Date.now();
    const times = await timesOf(limiter, "A1", 11, t0);
    // 1 at once, then 10 more at 20 ms each: ≥ 200 ms, and never two within 15 ms.
    expect(times[0]!).toBeLessThan(15);
    expect(times[10]!).toBeGreaterThanOrEqual(195);
    for (let i = 1; i < times.length; i += 1) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(15);
  });

  it("keeps vendors apart and allows a burst", async () => {
    const limiter = new TokenBucketLimiter({ requestsPerSecond: 10, burst: 3 });
    const t0 = Date.now();
    const [a, b] = await Promise.all([timesOf(limiter, "A1", 3, t0), timesOf(limiter, "B2", 3, t0)]);
    expect(Math.max(...a, ...b)).toBeLessThan(50);
  });

  it("pause() holds every waiter of that vendor until the pause ends, not the others", async () => {
    const limiter = new TokenBucketLimiter({ requestsPerSecond: 1000 });
    await limiter.pause("A1", 150);
    await limiter.pause("A1", 10); // a shorter pause does not cut the longer one
    const t0 = Date.now();
    const [paused, other] = await Promise.all([timesOf(limiter, "A1", 2, t0), timesOf(limiter, "B2", 1, t0)]);
    expect(paused[0]!).toBeGreaterThanOrEqual(140);
    expect(other[0]!).toBeLessThan(50);
  });

  it("slowDown() scales the rate for its duration; the smaller factor wins", async () => {
    const limiter = new TokenBucketLimiter({ requestsPerSecond: 50 });
    await limiter.slowDown("A1", 0.5, 10_000);
    await limiter.slowDown("A1", 0.9, 10_000);
    const t0 = Date.now();
    const times = await timesOf(limiter, "A1", 6, t0);
    // 25 requests/s: 5 gaps of 40 ms.
    expect(times[5]!).toBeGreaterThanOrEqual(190);
    await limiter.slowDown("B2", 0.5, 0);
    const t1 = Date.now();
    expect((await timesOf(limiter, "B2", 6, t1))[5]!).toBeLessThan(180);
  });

  it("refuses budgets and backoffs that make no sense", async () => {
    expect(() => new TokenBucketLimiter({ requestsPerSecond: 0 })).toThrow(
      "requestsPerSecond must be a positive number, got 0",
    );
    expect(() => new TokenBucketLimiter({ burst: 1.5 })).toThrow("burst must be a positive integer, got 1.5");
    const limiter = new TokenBucketLimiter();
    await expect(limiter.pause("A1", -1)).rejects.toThrow("ms must be a number ≥ 0, got -1");
    await expect(limiter.slowDown("A1", 0, 1000)).rejects.toThrow("factor must be in (0, 1], got 0");
    await expect(limiter.slowDown("A1", 2, 1000)).rejects.toThrow(RangeError);
  });

  it("acquire() rejects with the signal's reason once it aborts: the waiters of a pause and later callers", async () => {
    const limiter = new TokenBucketLimiter({ requestsPerSecond: 1000 });
    await limiter.pause("A1", 60_000);
    const closing = new AbortController();
    const t0 = Date.now();
    const waits = [limiter.acquire("A1", closing.signal), limiter.acquire("A1", closing.signal)];
    setTimeout(() => closing.abort(new Error("closed")), 50);
    for (const wait of waits) await expect(wait).rejects.toThrow("closed");
    expect(Date.now() - t0).toBeLessThan(1_000);
    await expect(limiter.acquire("A1", closing.signal)).rejects.toThrow("closed");
    // A caller without that signal still gets its turn (another vendor's, at once).
    await limiter.acquire("B2");
  });
});

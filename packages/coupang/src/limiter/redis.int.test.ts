import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import "../../../../test/support/context.js";
import { RedisRateLimiter } from "./redis.js";

const redisUrl = inject("redisUrl");
if (redisUrl === null) {
  console.log("[integration] no Redis reachable: SKIPPING the RedisRateLimiter suite");
}

describe.skipIf(redisUrl === null)("RedisRateLimiter on a real Redis", () => {
  const prefix = `cos-test-rate-${randomBytes(4).toString("hex")}:`;
  const connections: Redis[] = [];
  const connect = () => {
    const redis = new Redis(redisUrl!, { maxRetriesPerRequest: 1 });
    connections.push(redis);
    return redis;
  };

  beforeAll(() => {
    connect();
  });
  afterAll(async () => {
    const keys = await connections[0]!.keys(`${prefix}*`);
    if (keys.length > 0) await connections[0]!.del(...keys);
    await Promise.all(connections.map((c) => c.quit()));
  });

  it("keeps three processes × four concurrent callers of one vendor within the shared budget (pitfall B-4)", async () => {
    // Three "processes": each its own connection and limiter instance, same key prefix.
    const limiters = [0, 1, 2].map(
      () => new RedisRateLimiter({ redis: connect(), keyPrefix: prefix, requestsPerSecond: 20 }),
    );
    const t0 = Date.now();
    const times: number[] = [];
    await Promise.all(
      limiters.flatMap((limiter) =>
        [0, 1, 2, 3].map(async () => {
          for (let i = 0; i < 3; i += 1) {
            await limiter.acquire("A1");
            times.push(Date.now() - t0);
          }
        }),
      ),
    );
    times.sort((a, b) => a - b);
    expect(times).toHaveLength(36);
    // 36 calls at 20/s with a burst of 1 need ≥ 35 × 50 ms.
    expect(times[35]!).toBeGreaterThanOrEqual(1700);
    // In every 500 ms window at most 1 + 10 grants, plus one for the clients' network jitter.
    for (const start of times) {
      expect(times.filter((t) => t >= start && t < start + 500).length).toBeLessThanOrEqual(12);
    }
  });

  it("shares a pause and a slow-down across instances, and keeps vendors apart", async () => {
    const a = new RedisRateLimiter({ redis: connect(), keyPrefix: prefix, requestsPerSecond: 100 });
    const b = new RedisRateLimiter({ redis: connect(), keyPrefix: prefix, requestsPerSecond: 100 });
    await a.pause("P1", 300);
    let t0 = Date.now();
    await Promise.all([
      b.acquire("P1"),
      b.acquire("OTHER").then(() => expect(Date.now() - t0).toBeLessThan(150)),
    ]);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(250);

    await a.slowDown("S1", 0.1, 10_000); // 10 requests/s for everyone
    t0 = Date.now();
    for (let i = 0; i < 4; i += 1) await b.acquire("S1");
    expect(Date.now() - t0).toBeGreaterThanOrEqual(280);
    expect(await connections[0]!.pttl(`${prefix}{S1}`)).toBeGreaterThan(60_000);
  });

  it("ends a wait for a shared pause once the caller's signal aborts", async () => {
    const a = new RedisRateLimiter({ redis: connect(), keyPrefix: prefix, requestsPerSecond: 100 });
    const b = new RedisRateLimiter({ redis: connect(), keyPrefix: prefix, requestsPerSecond: 100 });
    await a.pause("C1", 60_000);
    const closing = new AbortController();
    const t0 = Date.now();
    const wait = b.acquire("C1", closing.signal);
    setTimeout(() => closing.abort(new Error("closed")), 50);
    await expect(wait).rejects.toThrow("closed");
    expect(Date.now() - t0).toBeLessThan(1_000);
    await expect(b.acquire("C1", closing.signal)).rejects.toThrow("closed");
  });
});

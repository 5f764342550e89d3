import type { Redis } from "ioredis";
import { checkBackoff, resolveBudget, waitFor } from "./limiter.js";
import type { RateLimitBudget, RateLimiter } from "./limiter.js";

/*
 * One token bucket per vendor in a Redis hash, updated atomically by this script with Redis's
 * own clock (TIME), so processes on hosts with skewed clocks still share one budget.
 * ARGV: op ("acquire" | "pause" | "slow"), requests per second, burst, ms, factor.
 * Returns 0 when a token was taken (or for pause/slow), else the milliseconds to wait.
 */
const SCRIPT = `
local key = KEYS[1]
local op = ARGV[1]
local rate = tonumber(ARGV[2])
local burst = tonumber(ARGV[3])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local s = redis.call('HMGET', key, 'tokens', 'ts', 'pausedUntil', 'factor', 'slowUntil')
local tokens = tonumber(s[1]) or burst
local ts = tonumber(s[2]) or now
local pausedUntil = tonumber(s[3]) or 0
local factor = tonumber(s[4]) or 1
local slowUntil = tonumber(s[5]) or 0
if slowUntil <= now then factor = 1 end
tokens = math.min(burst, tokens + math.max(0, now - ts) * rate * factor / 1000)
ts = now
local result = 0
if op == 'pause' then
  pausedUntil = math.max(pausedUntil, now + tonumber(ARGV[4]))
elseif op == 'slow' then
  local f = tonumber(ARGV[5])
  if slowUntil > now then factor = math.min(factor, f) else factor = f end
  slowUntil = math.max(slowUntil, now + tonumber(ARGV[4]))
elseif pausedUntil > now then
  result = pausedUntil - now
elseif tokens >= 1 then
  tokens = tokens - 1
else
  result = math.ceil((1 - tokens) * 1000 / (rate * factor))
end
redis.call('HSET', key, 'tokens', tostring(tokens), 'ts', tostring(ts), 'pausedUntil', tostring(pausedUntil),
  'factor', tostring(factor), 'slowUntil', tostring(slowUntil))
redis.call('PEXPIRE', key, math.ceil(math.max(pausedUntil, slowUntil, now) - now + 60000))
return result
`;

/** Options of {@link RedisRateLimiter}. */
export interface RedisRateLimiterOptions extends RateLimitBudget {
  /** An ioredis connection the caller owns (and closes); the limiter never closes it. */
  redis: Redis;
  /** Prefix of the per-vendor keys; default `coupang:rate:`. The vendorId goes in `{braces}` (one Cluster slot). */
  keyPrefix?: string;
}

/**
 * A token bucket per vendor shared by every process through Redis (see `RateLimiter`): all
 * workers of a vendor together stay within `requestsPerSecond` (at most `burst` at once), and a
 * `pause` after a 429 or a `slowDown` after `X-CAG-Warnings` holds back every process
 * (coupang-api.md §10; pitfalls B-4). Each decision is one atomic Lua script on the key
 * `<prefix>{<vendorId>}`, which expires a minute after it was last needed.
 *
 * The constructor throws a `RangeError` for a budget that is not positive; the methods reject
 * with ioredis's error when Redis cannot be reached.
 */
export class RedisRateLimiter implements RateLimiter {
  private readonly redis: Redis;
  private readonly keyPrefix: string;
  private readonly budget: Required<RateLimitBudget>;

  constructor(options: RedisRateLimiterOptions) {
    this.redis = options.redis;
    this.keyPrefix = options.keyPrefix ?? "coupang:rate:";
    this.budget = resolveBudget(options);
  }

  async acquire(vendorId: string, signal?: AbortSignal): Promise<void> {
    for (;;) {
      signal?.throwIfAborted();
      const wait = await this.run(vendorId, "acquire", 0, 1);
      if (wait <= 0) return;
      await waitFor(wait, signal);
    }
  }

  async pause(vendorId: string, ms: number): Promise<void> {
    checkBackoff(ms);
    await this.run(vendorId, "pause", ms, 1);
  }

  async slowDown(vendorId: string, factor: number, ms: number): Promise<void> {
    checkBackoff(ms, factor);
    await this.run(vendorId, "slow", ms, factor);
  }

  private async run(vendorId: string, op: string, ms: number, factor: number): Promise<number> {
    const { requestsPerSecond, burst } = this.budget;
    const reply = await this.redis.eval(
      SCRIPT,
      1,
      `${this.keyPrefix}{${vendorId}}`,
      op,
      requestsPerSecond,
      burst,
      Math.ceil(ms),
      factor,
    );
    return Number(reply);
  }
}

import type { OutboxCommandKind } from "@cos/db";

/** How a kind of command is retried. Durations in milliseconds. */
export interface RetryPolicy {
  /** Tries before the command is dead (a 429 is not a try); a command's own `max_attempts` overrides it. */
  maxAttempts: number;
  /** Delay after the first failed try; doubled after each further one. */
  baseDelayMs: number;
  /** The longest delay. */
  maxDelayMs: number;
}

/**
 * Default retry policy per kind. Coupang blocks vendors that hammer it with errors for minutes
 * (coupang-api.md §10), so the first retry waits 30 s and the delays double up to 30 min:
 * 8 tries span about an hour, past the ~30 min an acknowledgement can take to show (pitfall B-7).
 */
export const DEFAULT_RETRY_POLICY: Readonly<Record<OutboxCommandKind, RetryPolicy>> = {
  ACKNOWLEDGE: { maxAttempts: 8, baseDelayMs: 30_000, maxDelayMs: 30 * 60_000 },
  UPLOAD_INVOICE: { maxAttempts: 8, baseDelayMs: 30_000, maxDelayMs: 30 * 60_000 },
  UPDATE_INVOICE: { maxAttempts: 8, baseDelayMs: 30_000, maxDelayMs: 30 * 60_000 },
  CANCEL: { maxAttempts: 5, baseDelayMs: 30_000, maxDelayMs: 30 * 60_000 },
};

/** {@link DEFAULT_RETRY_POLICY} with `overrides` laid over it, kind by kind. */
export function retryPolicies(
  overrides: Partial<Record<OutboxCommandKind, Partial<RetryPolicy>>> = {},
): Record<OutboxCommandKind, RetryPolicy> {
  const kinds = Object.keys(DEFAULT_RETRY_POLICY) as OutboxCommandKind[];
  return Object.fromEntries(
    kinds.map((kind) => [kind, { ...DEFAULT_RETRY_POLICY[kind], ...overrides[kind] }]),
  ) as Record<OutboxCommandKind, RetryPolicy>;
}

/**
 * The delay before the next try after `attempts` tries (≥ 1), ms: exponential
 * (`baseDelayMs · 2^(attempts−1)`, at most `maxDelayMs`) with "equal jitter" — half fixed, half
 * drawn from `random()` ∈ [0, 1) — so commands that failed together do not return together.
 */
export function backoffMs(policy: RetryPolicy, attempts: number, random: () => number): number {
  const exponential = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempts - 1));
  return Math.round(exponential / 2 + (random() * exponential) / 2);
}

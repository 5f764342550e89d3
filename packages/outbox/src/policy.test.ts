import { describe, expect, it } from "vitest";
import { backoffMs, DEFAULT_RETRY_POLICY, retryPolicies } from "./policy.js";

describe("retry policy", () => {
  const policy = { maxAttempts: 5, baseDelayMs: 1000, maxDelayMs: 10_000 };

  it("doubles the delay per try up to the cap, with half of it jittered", () => {
    expect([1, 2, 3, 4, 5].map((n) => backoffMs(policy, n, () => 0))).toEqual([500, 1000, 2000, 4000, 5000]);
    expect([1, 2, 3, 4, 5].map((n) => backoffMs(policy, n, () => 0.999999))).toEqual([
      1000, 2000, 4000, 8000, 10_000,
    ]);
    expect(backoffMs(policy, 3, () => 0.5)).toBe(3000);
  });

  it("lays overrides over the defaults kind by kind", () => {
    const policies = retryPolicies({ UPLOAD_INVOICE: { maxAttempts: 2 } });
    expect(policies.UPLOAD_INVOICE).toEqual({ ...DEFAULT_RETRY_POLICY.UPLOAD_INVOICE, maxAttempts: 2 });
    expect(policies.ACKNOWLEDGE).toEqual(DEFAULT_RETRY_POLICY.ACKNOWLEDGE);
  });
});

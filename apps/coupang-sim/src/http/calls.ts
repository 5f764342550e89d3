/**
 * Counts API calls per endpoint, keyed `"<METHOD> <endpoint>"` (e.g. `"GET ordersheets"`),
 * including calls the simulator rejects (401, 400, 404), so tests can assert a client's API
 * budget. Admin calls under `/__sim/` are not counted.
 */
export class CallCounter {
  private readonly counts = new Map<string, number>();
  private total = 0;

  /** Counts one call to `key`. */
  record(key: string): void {
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
    this.total += 1;
  }

  /** Forgets every count. */
  reset(): void {
    this.counts.clear();
    this.total = 0;
  }

  /** The counts so far, keys sorted, plus `total` (the sum over all keys). */
  snapshot(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const key of [...this.counts.keys()].sort()) out[key] = this.counts.get(key) ?? 0;
    out.total = this.total;
    return out;
  }
}

/** One vendor's signed calls, as {@link VendorCallLog} keeps them. */
export interface VendorCalls {
  /** When each call the throttle let through arrived (epoch ms, the simulator's clock), in order. */
  admitted: number[];
  /** Of those, the ones answered with `X-CAG-Warnings` (§10). */
  warned: number;
  /** Calls refused with 429 (over the limit, or during the block that followed). */
  throttled: number;
}

/**
 * Per vendor, the instants of its correctly signed calls and what the throttle made of them, so
 * a harness can check a client's rate from the server's side (any 1-second window, across every
 * process of the client) and see which vendors were served when. Unsigned calls are not logged:
 * they name no vendor for sure.
 */
export class VendorCallLog {
  private readonly vendors = new Map<string, VendorCalls>();

  /** Logs a call of `vendorId` at `atMs`: let through (perhaps `warned`), or refused with 429. */
  record(vendorId: string, atMs: number, outcome: "admitted" | "warned" | "throttled"): void {
    let calls = this.vendors.get(vendorId);
    if (calls === undefined) {
      calls = { admitted: [], warned: 0, throttled: 0 };
      this.vendors.set(vendorId, calls);
    }
    if (outcome === "throttled") {
      calls.throttled += 1;
      return;
    }
    calls.admitted.push(atMs);
    if (outcome === "warned") calls.warned += 1;
  }

  /** Forgets every vendor's calls. */
  reset(): void {
    this.vendors.clear();
  }

  /** Every vendor that called so far, keyed by vendorId. */
  snapshot(): Record<string, VendorCalls> {
    return Object.fromEntries(this.vendors);
  }
}

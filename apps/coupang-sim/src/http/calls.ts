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

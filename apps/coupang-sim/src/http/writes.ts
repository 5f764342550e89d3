/**
 * Every write the simulated Coupang applied, in order, so a test can tell a client that
 * submitted a command twice from one that retried only what failed. One record per call
 * that changed something, listing the targets it changed; calls that changed nothing (all
 * rows failed, a 400) are not writes. A write whose response a fault swallowed is still
 * recorded — it happened — and says so.
 */

/** One applied write. */
export interface WriteRecord {
  /** 1, 2, 3, … in the order applied. */
  seq: number;
  /** When it was applied, ISO-8601 UTC (simulated clock). */
  at: string;
  vendorId: string;
  /** `"<METHOD> <endpoint>"`, e.g. `"PUT ordersheets/acknowledgement"`. */
  endpoint: string;
  /** What it changed, `"<kind>:<id>"`, e.g. `"shipmentBoxId:300000000000012345"`, `"receiptId:500000123"`. */
  targets: string[];
  /** HTTP status the handler answered with (before any fault). */
  status: number;
  /** The request body as sent, cut at 2,000 characters. */
  body: string;
  /** False when a fault lost the response (a timeout, reset or gateway error after the write). */
  delivered: boolean;
}

/** A target written more than once by the same endpoint: a possible double submission. */
export interface RepeatedWrite {
  endpoint: string;
  target: string;
  count: number;
  seqs: number[];
}

const BODY_LIMIT = 2000;

/** The log itself. */
export class WriteLog {
  private records: WriteRecord[] = [];

  /** Appends a write and returns its record (still mutable: `delivered` is settled later). */
  append(entry: Omit<WriteRecord, "seq" | "delivered" | "body"> & { body: string }): WriteRecord {
    const record: WriteRecord = {
      ...entry,
      seq: this.records.length + 1,
      body: entry.body.length > BODY_LIMIT ? `${entry.body.slice(0, BODY_LIMIT)}…` : entry.body,
      delivered: true,
    };
    this.records.push(record);
    return record;
  }

  /** The writes matching every given filter, in order. */
  list(
    filter: { vendorId?: string; endpoint?: string; target?: string; sinceSeq?: number } = {},
  ): WriteRecord[] {
    return this.records.filter(
      (r) =>
        (filter.vendorId === undefined || r.vendorId === filter.vendorId) &&
        (filter.endpoint === undefined ||
          r.endpoint === filter.endpoint ||
          r.endpoint.endsWith(` ${filter.endpoint}`)) &&
        (filter.target === undefined ||
          r.targets.includes(filter.target) ||
          r.targets.some((t) => t.endsWith(`:${filter.target}`))) &&
        (filter.sinceSeq === undefined || r.seq > filter.sinceSeq),
    );
  }

  /** Targets written more than once by the same endpoint. */
  repeated(): RepeatedWrite[] {
    const seen = new Map<string, RepeatedWrite>();
    for (const r of this.records) {
      for (const target of r.targets) {
        const key = `${r.endpoint}\u0000${target}`;
        const entry = seen.get(key) ?? { endpoint: r.endpoint, target, count: 0, seqs: [] };
        entry.count++;
        entry.seqs.push(r.seq);
        seen.set(key, entry);
      }
    }
    return [...seen.values()].filter((e) => e.count > 1);
  }

  /** Forgets every write. */
  clear(): void {
    this.records = [];
  }
}

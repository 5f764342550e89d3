import type { RejectedRecord } from "@cos/coupang";
import { quarantineRecords, type ChangeEventDraft, type Tx } from "@cos/db";
import { NormalizeError, type ReceivedRecord } from "./normalize.js";
import type { PageTally } from "./stream.js";

/**
 * What the upsert of a request stream's page wrote (`upsertReturnRequests`,
 * `upsertExchangeRequests`): requests and their items, the change events, the stale reads.
 */
export interface RequestUpsertCounts {
  requestsInserted: number;
  requestsUpdated: number;
  itemsInserted: number;
  itemsUpdated: number;
  events: ChangeEventDraft[];
  staleReads: readonly unknown[];
}

/** How one request stream's page is written (see {@link writeRequestPage}). */
export interface RequestPageSpec<V, R> {
  /** The stream the quarantine rows are keyed by. */
  stream: string;
  /** The raw field naming a rejected record's entity (`receiptId`, `exchangeId`). */
  keyField: string;
  /** The page's valid records, and the records its client already rejected. */
  records: readonly ReceivedRecord<V>[];
  rejected: readonly RejectedRecord[];
  normalize: (vendorId: string, record: ReceivedRecord<V>) => R;
  upsert: (tx: Tx, rows: R[]) => Promise<RequestUpsertCounts>;
}

/**
 * Writes one page of a request stream in the caller's transaction: normalizes its records (one
 * that cannot be stored joins the page's rejected ones, so it never holds back the rest), upserts
 * the rows (`boxes*`/`items*` of the tally count requests and their items), quarantines the
 * rejected records.
 * @returns the change events, for `appendPageEvents` as the transaction's last statement.
 */
export async function writeRequestPage<V, R>(
  tx: Tx,
  vendorId: string,
  spec: RequestPageSpec<V, R>,
  tally: PageTally,
): Promise<ChangeEventDraft[]> {
  const { rows, rejected } = normalizeRecords(vendorId, spec.records, spec.rejected, spec.normalize);
  const counts = await spec.upsert(tx, rows);
  tally.boxesInserted += counts.requestsInserted;
  tally.boxesUpdated += counts.requestsUpdated;
  tally.itemsInserted += counts.itemsInserted;
  tally.itemsUpdated += counts.itemsUpdated;
  tally.staleReads += counts.staleReads.length;
  await quarantineRejected(tx, vendorId, spec.stream, spec.keyField, rejected, tally);
  return counts.events;
}

/**
 * Splits a page into the rows of its valid records and its rejected records: a record that
 * `normalize` cannot store (a {@link NormalizeError}) joins the client's `rejected` with the
 * error's message as its reason, so it never holds back the rest of the page. Rows keep the
 * records' order. Any other error is a bug and propagates.
 */
export function normalizeRecords<V, R>(
  vendorId: string,
  records: readonly ReceivedRecord<V>[],
  rejected: readonly RejectedRecord[],
  normalize: (vendorId: string, record: ReceivedRecord<V>) => R,
): { rows: R[]; rejected: RejectedRecord[] } {
  const rows: R[] = [];
  const all: RejectedRecord[] = [...rejected];
  for (const record of records) {
    try {
      rows.push(normalize(vendorId, record));
    } catch (err) {
      if (!(err instanceof NormalizeError)) throw err;
      all.push({ raw: record.raw, rawJson: record.rawJson, error: err.message });
    }
  }
  return { rows, rejected: all };
}

/**
 * Quarantines a page's rejected records under `stream`, keyed by their raw `keyField` when
 * readable; `tally.rejected` counts those not kept before (a bad record is read on every poll).
 */
export async function quarantineRejected(
  tx: Tx,
  vendorId: string,
  stream: string,
  keyField: string,
  rejected: readonly RejectedRecord[],
  tally: PageTally,
): Promise<void> {
  if (rejected.length === 0) return;
  tally.rejected += await quarantineRecords(
    tx,
    rejected.map((r) => ({
      vendorId,
      stream,
      entityKey: rawKeyOf(r.raw, keyField),
      reason: r.error,
      raw: r.rawJson,
    })),
  );
}

/** The ID in a raw record's `field`, when it has a readable one, for the quarantine row. */
export function rawKeyOf(raw: unknown, field: string): string | null {
  if (raw && typeof raw === "object" && field in raw) {
    const id = (raw as Record<string, unknown>)[field];
    if (typeof id === "bigint" || typeof id === "number" || typeof id === "string") return String(id);
  }
  return null;
}

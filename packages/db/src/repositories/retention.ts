// PII retention (PII_RETENTION_DAYS): erases buyers' personal data from delivered or closed orders
// and claims once nothing has changed on them for a while, keeping the order facts.
import { appendChangeEvents } from "./change-events.js";
import { EXCHANGE_REQUEST_LOCK } from "./exchanges.js";
import {
  EXCHANGE_REQUEST_PII,
  RETURN_REQUEST_PII,
  SHIPMENT_BOX_PII,
  type PiiSpec,
  erasureSetSql,
  piiTopLevelFields,
} from "./pii.js";
import { RETURN_REQUEST_LOCK } from "./returns.js";
import { SHIPMENT_BOX_LOCK } from "./shipment-boxes.js";
import type { PrismaClient } from "../generated/prisma/client.js";
import { withTransaction } from "../transaction.js";
import type { SqlClient } from "./sql.js";
import type { ChangeEventDraft } from "./upsert.js";

/** One table PII retention erases from, with what makes a row due (over alias `t`). */
interface RetentionTarget {
  table: "shipment_boxes" | "return_requests" | "exchange_requests";
  entity: ChangeEventDraft["entity"];
  key: string;
  statusColumn: string;
  /** The advisory-lock namespace the table's upsert takes per key (see SHIPMENT_BOX_LOCK). */
  lock: number;
  pii: PiiSpec;
  /** SQL: the row's life cycle is over, no further status can come that needs the buyer's data. */
  closed: string;
  /** SQL: the instant the row (or one of its lines) last changed here. */
  lastChange: string;
}

const TARGETS: readonly RetentionTarget[] = [
  {
    table: "shipment_boxes",
    entity: "shipment_box",
    key: "shipment_box_id",
    statusColumn: "status",
    lock: SHIPMENT_BOX_LOCK,
    pii: SHIPMENT_BOX_PII,
    // Delivered (coupang-api.md §2), or every line cancelled: the census's definition of a box
    // Coupang no longer lists (census.ts).
    closed: `(t."status" = 'FINAL_DELIVERY'
      OR (EXISTS (SELECT 1 FROM "order_items" i WHERE i."shipment_box_id" = t."shipment_box_id")
          AND NOT EXISTS (SELECT 1 FROM "order_items" i
                           WHERE i."shipment_box_id" = t."shipment_box_id" AND i."canceled" IS NOT TRUE)))`,
    // A cancel changes the lines only; GREATEST skips the NULL of a box without lines.
    lastChange: `GREATEST(t."updated_at",
      (SELECT max(i."updated_at") FROM "order_items" i WHERE i."shipment_box_id" = t."shipment_box_id"))`,
  },
  {
    table: "return_requests",
    entity: "return_request",
    key: "receipt_id",
    statusColumn: "receipt_status",
    lock: RETURN_REQUEST_LOCK,
    pii: RETURN_REQUEST_PII,
    // The complement of an open receipt (returns.ts `openReturnReceiptIds`, docs/database.md).
    closed: `(t."withdrawn_at" IS NOT NULL OR t."receipt_status" = 'RETURNS_COMPLETED'
      OR t."receipt_type" = 'CANCEL')`,
    lastChange: `t."updated_at"`,
  },
  {
    table: "exchange_requests",
    entity: "exchange_request",
    key: "exchange_id",
    statusColumn: "exchange_status",
    lock: EXCHANGE_REQUEST_LOCK,
    pii: EXCHANGE_REQUEST_PII,
    // The final statuses of coupang-api.md §8.1.
    closed: `t."exchange_status" IN ('SUCCESS', 'REJECT', 'CANCEL')`,
    lastChange: `t."updated_at"`,
  },
];

/** What {@link erasePersonalData} erased (or, in a dry run, would erase), per table and in all. */
export interface RetentionReport {
  /** Rows whose last change is before this instant (UTC) were due. */
  before: Date;
  dryRun: boolean;
  tables: Record<RetentionTarget["table"], number>;
  total: number;
}

/** Options of {@link erasePersonalData}. */
export interface ErasePersonalDataOptions {
  /** Erase rows closed and last changed before this instant. */
  before: Date;
  /** Count what is due without changing anything. */
  dryRun?: boolean;
  /** Rows per transaction (default 500): a run over years of orders never holds locks for long. */
  batchSize?: number;
}

/**
 * Erases the personal data (pii.ts: names, phone numbers, addresses, delivery notes) of every
 * delivered or cancelled shipment box, closed return or cancel receipt (completed, withdrawn or an
 * instant cancel) and finished exchange (SUCCESS, REJECT, CANCEL) whose last change here is before
 * `before`, of every vendor. PII columns become NULL; in `raw` those values become JSON null and
 * the keys stay. Everything else — IDs, statuses, amounts, items, dates, `raw_hash` (the hash of
 * the payload as received) — is kept. Each erased row gets `pii_erased_at` and an `erased` change
 * event, and later reads of it keep the data erased (upsert.ts `UpsertSpec.pii`).
 *
 * Idempotent: an erased row is not due again. Rows are erased in batches of `batchSize`, each in
 * its own transaction under the advisory locks the sync's upsert takes, so a poll writing the same
 * box waits rather than racing it.
 *
 * @returns the rows erased per table (in a dry run: the rows due).
 * @throws RangeError for a `before` that is not a valid date or a `batchSize` below 1; the
 *   database's error otherwise (batches already committed stay erased).
 */
export async function erasePersonalData(
  prisma: PrismaClient,
  options: ErasePersonalDataOptions,
): Promise<RetentionReport> {
  const { before, dryRun = false, batchSize = 500 } = options;
  if (Number.isNaN(before.getTime())) throw new RangeError("before: expected a valid date");
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new RangeError(`batchSize: expected a whole number ≥ 1, got ${batchSize}`);
  const tables = { shipment_boxes: 0, return_requests: 0, exchange_requests: 0 };
  for (const target of TARGETS) {
    const due = `t."pii_erased_at" IS NULL AND ${target.closed} AND ${target.lastChange} < $1::timestamptz`;
    if (dryRun) {
      const [row] = await prisma.$queryRawUnsafe<Array<{ n: number }>>(
        `SELECT count(*)::int AS n FROM "${target.table}" t WHERE ${due}`,
        before.toISOString(),
      );
      tables[target.table] = row?.n ?? 0;
      continue;
    }
    for (;;) {
      const erased = await withTransaction(prisma, (tx) => eraseBatch(tx, target, due, before, batchSize));
      tables[target.table] += erased;
      if (erased < batchSize) break;
    }
  }
  return {
    before,
    dryRun,
    tables,
    total: tables.shipment_boxes + tables.return_requests + tables.exchange_requests,
  };
}

/** Erases up to `limit` due rows of one table in one transaction; returns how many. */
async function eraseBatch(
  tx: SqlClient,
  target: RetentionTarget,
  due: string,
  before: Date,
  limit: number,
): Promise<number> {
  const key = `"${target.key}"`;
  const keys = await tx.$queryRawUnsafe<Array<{ k: string }>>(
    `SELECT t.${key}::text AS k FROM "${target.table}" t WHERE ${due} ORDER BY t.${key} LIMIT ${limit}`,
    before.toISOString(),
  );
  if (keys.length === 0) return 0;
  const ids = JSON.stringify(keys.map((r) => r.k));
  // In key order, as the upsert takes them, so the two never deadlock.
  await tx.$queryRawUnsafe(
    `SELECT count(pg_advisory_xact_lock(${target.lock}, hashtext(k)))
       FROM (SELECT e.k FROM jsonb_array_elements_text($1::jsonb) WITH ORDINALITY AS e(k, n) ORDER BY e.n) keys`,
    ids,
  );
  // Due is checked again: a poll may have changed the row between the select and the lock.
  const rows = await tx.$queryRawUnsafe<Array<{ entity_id: string; vendor_id: string; status: string }>>(
    `UPDATE "${target.table}" t
        SET ${erasureSetSql("t", target.pii).join(", ")}, "pii_erased_at" = now(), "updated_at" = now()
      WHERE t.${key} IN (SELECT jsonb_array_elements_text($2::jsonb)::bigint) AND ${due}
      RETURNING t.${key}::text AS entity_id, t."vendor_id" AS vendor_id, t."${target.statusColumn}" AS status`,
    before.toISOString(),
    ids,
  );
  const changedFields = piiTopLevelFields(target.pii);
  await appendChangeEvents(
    tx,
    rows
      .sort((a, b) => (BigInt(a.entity_id) < BigInt(b.entity_id) ? -1 : 1))
      .map((row) => ({
        vendorId: row.vendor_id,
        entity: target.entity,
        entityId: row.entity_id,
        kind: "erased",
        oldStatus: row.status,
        newStatus: row.status,
        changedFields,
      })),
  );
  return rows.length;
}

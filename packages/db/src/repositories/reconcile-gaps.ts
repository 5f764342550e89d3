import type { JsonValue, SqlClient } from "./sql.js";

/**
 * One row of `reconcile_gaps`: on KST day `day` (`yyyy-MM-dd`), Coupang's listing held
 * `remoteCount` entities of `stream` in `status` and the local copy `localCount` when the gap was
 * (last) detected (pitfalls M-9). Instants are UTC; `resolvedAt` is null while the gap is open.
 */
export interface ReconcileGapRecord {
  id: bigint;
  vendorId: string;
  stream: string;
  day: string;
  status: string;
  remoteCount: number;
  localCount: number;
  detectedAt: Date;
  refetchedAt: Date | null;
  resolvedAt: Date | null;
  /** What the targeted re-fetch found (counts after it, entities fetched by key, …). */
  detail: JsonValue | null;
}

/** A disagreement to record: where, the two counts, and the reconciliation's clock. */
export interface ReconcileGapInput {
  vendorId: string;
  stream: string;
  /** KST `yyyy-MM-dd`. */
  day: string;
  status: string;
  remoteCount: number;
  localCount: number;
  at: Date;
}

interface GapSqlRow {
  id: bigint;
  vendor_id: string;
  stream: string;
  day: string;
  status: string;
  remote_count: number;
  local_count: number;
  detected_at: Date;
  refetched_at: Date | null;
  resolved_at: Date | null;
  detail: JsonValue | null;
}

const COLUMNS = `id, vendor_id, stream, day::text AS day, status, remote_count, local_count, detected_at,
  refetched_at, resolved_at, detail`;

function toGap(r: GapSqlRow): ReconcileGapRecord {
  return {
    id: r.id,
    vendorId: r.vendor_id,
    stream: r.stream,
    day: r.day,
    status: r.status,
    remoteCount: r.remote_count,
    localCount: r.local_count,
    detectedAt: r.detected_at,
    refetchedAt: r.refetched_at,
    resolvedAt: r.resolved_at,
    detail: r.detail,
  };
}

/**
 * Records a disagreement: the open gap of the same (vendor, stream, day, status) takes the new
 * counts (its `detected_at` stays the first detection), or a new gap is opened at `at`. Callers
 * hold the stream's reconcile lease, so no other writer races the check.
 * @returns the gap's id.
 */
export async function recordReconcileGap(db: SqlClient, gap: ReconcileGapInput): Promise<bigint> {
  const rows = await db.$queryRawUnsafe<Array<{ id: bigint }>>(
    `WITH open AS (
       UPDATE reconcile_gaps SET remote_count = $5, local_count = $6
        WHERE vendor_id = $1 AND stream = $2 AND day = $3::date AND status = $4 AND resolved_at IS NULL
       RETURNING id),
     opened AS (
       INSERT INTO reconcile_gaps (vendor_id, stream, day, status, remote_count, local_count, detected_at)
       SELECT $1, $2, $3::date, $4, $5, $6, $7::timestamptz WHERE NOT EXISTS (SELECT 1 FROM open)
       RETURNING id)
     SELECT id FROM open UNION ALL SELECT id FROM opened`,
    gap.vendorId,
    gap.stream,
    gap.day,
    gap.status,
    gap.remoteCount,
    gap.localCount,
    gap.at.toISOString(),
  );
  return rows[0]!.id;
}

/**
 * Records the outcome of a gap's targeted re-fetch: when it ran, whether the counts then agreed
 * (`resolvedAt`, or null to leave the gap open) and what it found.
 */
export async function settleReconcileGap(
  db: SqlClient,
  id: bigint,
  outcome: { refetchedAt: Date; resolvedAt: Date | null; detail: JsonValue },
): Promise<void> {
  await db.$executeRawUnsafe(
    `UPDATE reconcile_gaps SET refetched_at = $2::timestamptz, resolved_at = $3::timestamptz, detail = $4::jsonb
      WHERE id = $1`,
    id,
    outcome.refetchedAt.toISOString(),
    outcome.resolvedAt?.toISOString() ?? null,
    JSON.stringify(outcome.detail),
  );
}

/**
 * Resolves the open gaps of one stream on `day` whose status is among `statuses`: a later
 * reconciliation found those counts in agreement. `detail` is merged into each gap's detail.
 * @returns how many gaps it resolved.
 */
export function resolveReconcileGaps(
  db: SqlClient,
  where: { vendorId: string; stream: string; day: string; statuses: readonly string[] },
  at: Date,
  detail: { [key: string]: JsonValue },
): Promise<number> {
  return db.$executeRawUnsafe(
    `UPDATE reconcile_gaps SET resolved_at = $5::timestamptz,
            detail = coalesce(detail, '{}'::jsonb) || $6::jsonb
      WHERE vendor_id = $1 AND stream = $2 AND day = $3::date AND status = ANY($4::text[])
        AND resolved_at IS NULL`,
    where.vendorId,
    where.stream,
    where.day,
    [...where.statuses],
    at.toISOString(),
    JSON.stringify(detail),
  );
}

/**
 * The gaps of a vendor (one stream, or all), oldest day first: only the open ones unless
 * `includeResolved`.
 */
export async function reconcileGaps(
  db: SqlClient,
  vendorId: string,
  options: { stream?: string; includeResolved?: boolean } = {},
): Promise<ReconcileGapRecord[]> {
  const rows = await db.$queryRawUnsafe<GapSqlRow[]>(
    `SELECT ${COLUMNS} FROM reconcile_gaps
      WHERE vendor_id = $1 AND ($2::text IS NULL OR stream = $2) AND ($3 OR resolved_at IS NULL)
      ORDER BY stream, day, status, id`,
    vendorId,
    options.stream ?? null,
    options.includeResolved ?? false,
  );
  return rows.map(toGap);
}

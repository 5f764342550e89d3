import { storableText } from "./quarantine.js";
import type { SqlClient } from "./sql.js";

/**
 * When a failed slice is retried: 5 minutes after its first failure, doubling with each further
 * failure, never more than 6 hours apart. A bad day is usually fixed on Coupang's side within
 * hours; the cap keeps a slice that stays broken from costing more than four calls a day.
 */
export const FAILED_SLICE_RETRY = Object.freeze({ firstMs: 5 * 60_000, maxMs: 6 * 3_600_000 });

/**
 * One row of `sync_failed_slices`: a (stream, query status, KST day range) a poll could not read
 * (design.md "Checkpoints"). Days are `yyyy-MM-dd` in KST, as Coupang's `createdAtFrom` /
 * `createdAtTo`; instants are UTC. `resolvedAt` is null while the slice is open.
 */
export interface FailedSlice {
  id: bigint;
  vendorId: string;
  stream: string;
  status: string;
  createdAtFrom: string;
  createdAtTo: string;
  /** The `CoupangError.kind` of the last failure, e.g. `invalid_payload`, `retryable`. */
  errorKind: string;
  errorMessage: string;
  /** Failed reads since the slice (re)opened. */
  attempts: number;
  firstFailedAt: Date;
  lastFailedAt: Date;
  nextRetryAt: Date;
  resolvedAt: Date | null;
}

/** The slice a failure is recorded for, and why; `at` is the poll's clock (UTC instant). */
export interface FailedSliceInput {
  vendorId: string;
  stream: string;
  status: string;
  createdAtFrom: string;
  createdAtTo: string;
  errorKind: string;
  errorMessage: string;
  at: Date;
}

/** The days of one stream's query status that a complete read covered (see {@link resolveFailedSlices}). */
export interface SliceReadInput {
  vendorId: string;
  stream: string;
  status: string;
  createdAtFrom: string;
  createdAtTo: string;
  at: Date;
}

interface FailedSliceSqlRow {
  id: bigint;
  vendor_id: string;
  stream: string;
  status: string;
  created_at_from: string;
  created_at_to: string;
  error_kind: string;
  error_message: string;
  attempts: number;
  first_failed_at: Date;
  last_failed_at: Date;
  next_retry_at: Date;
  resolved_at: Date | null;
}

const COLUMNS = `id, vendor_id, stream, status, created_at_from, created_at_to, error_kind, error_message,
  attempts, first_failed_at, last_failed_at, next_retry_at, resolved_at`;

function toFailedSlice(row: FailedSliceSqlRow): FailedSlice {
  return {
    id: row.id,
    vendorId: row.vendor_id,
    stream: row.stream,
    status: row.status,
    createdAtFrom: row.created_at_from,
    createdAtTo: row.created_at_to,
    errorKind: row.error_kind,
    errorMessage: row.error_message,
    attempts: row.attempts,
    firstFailedAt: row.first_failed_at,
    lastFailedAt: row.last_failed_at,
    nextRetryAt: row.next_retry_at,
    resolvedAt: row.resolved_at,
  };
}

/**
 * Records a failed read of a slice, in the caller's transaction (the poll's cursor moves past the
 * slice in the same one). A new slice starts at attempt 1; an open one counts another attempt
 * and keeps its `first_failed_at`; a resolved one reopens at attempt 1. `next_retry_at` is
 * `at` plus {@link FAILED_SLICE_RETRY}'s delay for the attempt count. The error message is kept
 * as text Postgres can store (see `storableText`).
 *
 * @returns the slice as stored.
 * @throws Prisma's error when the vendor does not exist (foreign key).
 */
export async function recordFailedSlice(tx: SqlClient, input: FailedSliceInput): Promise<FailedSlice> {
  // The new attempt count, from the row as it was (ON CONFLICT's SET reads the old row).
  const attempts = `CASE WHEN s.resolved_at IS NULL THEN s.attempts + 1 ELSE 1 END`;
  const rows = await tx.$queryRawUnsafe<FailedSliceSqlRow[]>(
    `INSERT INTO sync_failed_slices AS s (vendor_id, stream, status, created_at_from, created_at_to,
       error_kind, error_message, attempts, first_failed_at, last_failed_at, next_retry_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $8::timestamptz, $8::timestamptz,
       $8::timestamptz + $9::float8 * interval '1 millisecond')
     ON CONFLICT (vendor_id, stream, status, created_at_from, created_at_to) DO UPDATE SET
       error_kind = EXCLUDED.error_kind,
       error_message = EXCLUDED.error_message,
       attempts = ${attempts},
       first_failed_at = CASE WHEN s.resolved_at IS NULL THEN s.first_failed_at ELSE EXCLUDED.first_failed_at END,
       last_failed_at = EXCLUDED.last_failed_at,
       next_retry_at = EXCLUDED.last_failed_at
         + LEAST($9::float8 * power(2, LEAST(${attempts} - 1, 30)), $10::float8) * interval '1 millisecond',
       resolved_at = NULL
     RETURNING ${COLUMNS}`,
    input.vendorId,
    input.stream,
    input.status,
    input.createdAtFrom,
    input.createdAtTo,
    input.errorKind,
    storableText(input.errorMessage),
    input.at.toISOString(),
    FAILED_SLICE_RETRY.firstMs,
    FAILED_SLICE_RETRY.maxMs,
  );
  return toFailedSlice(rows[0]!);
}

/**
 * Resolves, at `at`, every open slice of the stream's query status whose days lie within
 * `createdAtFrom`…`createdAtTo` (KST days, inclusive): a read of that status over those days has
 * just completed. Call it in the transaction of the read's last page, so the slice resolves
 * exactly when its rows commit.
 *
 * @returns how many slices were resolved.
 */
export function resolveFailedSlices(tx: SqlClient, input: SliceReadInput): Promise<number> {
  return tx.$executeRawUnsafe(
    `UPDATE sync_failed_slices SET resolved_at = $6::timestamptz
      WHERE vendor_id = $1 AND stream = $2 AND status = $3 AND resolved_at IS NULL
        AND created_at_from >= $4 AND created_at_to <= $5`,
    input.vendorId,
    input.stream,
    input.status,
    input.createdAtFrom,
    input.createdAtTo,
    input.at.toISOString(),
  );
}

/**
 * The open slices of one (vendor, stream) due for a retry at `now` (`next_retry_at` ≤ now),
 * longest-waiting first, at most `limit`.
 */
export async function dueFailedSlices(
  db: SqlClient,
  vendorId: string,
  stream: string,
  now: Date,
  limit = 100,
): Promise<FailedSlice[]> {
  const rows = await db.$queryRawUnsafe<FailedSliceSqlRow[]>(
    `SELECT ${COLUMNS} FROM sync_failed_slices
      WHERE vendor_id = $1 AND stream = $2 AND resolved_at IS NULL AND next_retry_at <= $3::timestamptz
      ORDER BY next_retry_at, id LIMIT $4`,
    vendorId,
    stream,
    now.toISOString(),
    limit,
  );
  return rows.map(toFailedSlice);
}

/** What {@link listFailedSlices} shows; every filter optional. */
export interface ListFailedSlicesInput {
  vendorId?: string;
  stream?: string;
  /** true: open slices only (the default); false: resolved ones too. */
  openOnly?: boolean;
}

/**
 * Failed slices for operators: open ones first, then by vendor, stream, status and day.
 */
export async function listFailedSlices(
  db: SqlClient,
  input: ListFailedSlicesInput = {},
): Promise<FailedSlice[]> {
  const rows = await db.$queryRawUnsafe<FailedSliceSqlRow[]>(
    `SELECT ${COLUMNS} FROM sync_failed_slices
      WHERE ($1::text IS NULL OR vendor_id = $1) AND ($2::text IS NULL OR stream = $2)
        AND (NOT $3::boolean OR resolved_at IS NULL)
      ORDER BY resolved_at IS NOT NULL, vendor_id, stream, status, created_at_from, created_at_to`,
    input.vendorId ?? null,
    input.stream ?? null,
    input.openOnly ?? true,
  );
  return rows.map(toFailedSlice);
}

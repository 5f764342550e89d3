import type { JsonValue, SqlClient } from "./sql.js";

/**
 * Where a (vendor, stream) has synced to. `syncedThrough` is the instant up to which every window
 * is known to be read (only moves forward); `cursor` is the window and page token in progress, or
 * null between windows.
 */
export interface Checkpoint {
  vendorId: string;
  stream: string;
  syncedThrough: Date | null;
  cursor: JsonValue | null;
  /** When each polling tier of the stream last completed: `{ "warm": ISO, "cold": ISO }`. */
  tierRuns: Record<string, string>;
  updatedAt: Date;
}

/** What {@link saveCheckpoint} writes. */
export interface SaveCheckpointInput {
  vendorId: string;
  stream: string;
  /** The new mark; null (or an earlier instant than the stored one) keeps the stored mark. */
  syncedThrough: Date | null;
  /** Replaces the stored cursor; null clears it. Must be JSON-serialisable (no bigint: use strings). */
  cursor: JsonValue | null;
  /** Tiers that completed with this save, merged into the stored ones; omitted = none. */
  tierRuns?: Record<string, string>;
}

interface CheckpointSqlRow {
  vendor_id: string;
  stream: string;
  synced_through: Date | null;
  cursor: JsonValue | null;
  tier_runs: Record<string, string>;
  updated_at: Date;
}

const COLUMNS = `vendor_id, stream, synced_through, cursor, tier_runs, updated_at`;

function toCheckpoint(row: CheckpointSqlRow): Checkpoint {
  return {
    vendorId: row.vendor_id,
    stream: row.stream,
    syncedThrough: row.synced_through,
    cursor: row.cursor,
    tierRuns: row.tier_runs,
    updatedAt: row.updated_at,
  };
}

/**
 * Reads the checkpoint of one (vendor, stream).
 *
 * @returns the checkpoint, or null when the stream has never been checkpointed.
 */
export async function getCheckpoint(
  db: SqlClient,
  vendorId: string,
  stream: string,
): Promise<Checkpoint | null> {
  const rows = await db.$queryRawUnsafe<CheckpointSqlRow[]>(
    `SELECT ${COLUMNS} FROM sync_checkpoints WHERE vendor_id = $1 AND stream = $2`,
    vendorId,
    stream,
  );
  return rows[0] ? toCheckpoint(rows[0]) : null;
}

/**
 * Creates or advances the checkpoint of one (vendor, stream). Call it in the same transaction as
 * the rows of the page it acknowledges ({@link withTransaction}), so a crash can only resume the
 * window, never skip it. The mark is `GREATEST(stored, given)` in SQL, so a late or replayed save
 * never moves it backwards, even against a concurrent writer.
 *
 * @returns the checkpoint as stored after the write (its `syncedThrough` may be later than given).
 * @throws RangeError when `syncedThrough` is an invalid Date; TypeError from JSON.stringify when
 *   `cursor` holds a bigint; Prisma's error when the vendor does not exist (foreign key).
 */
export async function saveCheckpoint(tx: SqlClient, input: SaveCheckpointInput): Promise<Checkpoint> {
  if (input.syncedThrough && Number.isNaN(input.syncedThrough.getTime())) {
    throw new RangeError("syncedThrough is not a valid Date");
  }
  const rows = await tx.$queryRawUnsafe<CheckpointSqlRow[]>(
    `INSERT INTO sync_checkpoints (vendor_id, stream, synced_through, cursor, tier_runs, updated_at)
     VALUES ($1, $2, $3::timestamptz, $4::jsonb, $5::jsonb, now())
     ON CONFLICT (vendor_id, stream) DO UPDATE SET
       synced_through = GREATEST(sync_checkpoints.synced_through, EXCLUDED.synced_through),
       cursor = EXCLUDED.cursor,
       tier_runs = sync_checkpoints.tier_runs || EXCLUDED.tier_runs,
       updated_at = now()
     RETURNING ${COLUMNS}`,
    input.vendorId,
    input.stream,
    input.syncedThrough?.toISOString() ?? null,
    input.cursor === null ? null : JSON.stringify(input.cursor),
    JSON.stringify(input.tierRuns ?? {}),
  );
  return toCheckpoint(rows[0]!);
}

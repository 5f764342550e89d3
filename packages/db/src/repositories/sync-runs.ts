import type { JsonValue, SqlClient } from "./sql.js";

/** What {@link startSyncRun} records. */
export interface StartSyncRunInput {
  vendorId: string;
  /** The stream polled, e.g. `ordersheets`, `returnRequests`. */
  stream: string;
  /** What started the run, e.g. `schedule`, `resync`, `manual`. */
  trigger: string;
  /** The windows and statuses the planner chose, as JSON (no bigint); null when there is none. */
  plan: JsonValue | null;
}

/** How a run ended: all windows done; stopped by a shutdown between pages (its cursor resumes it); some failed slices recorded; or failed. */
export type SyncRunOutcome = "succeeded" | "interrupted" | "partial" | "failed";

/** What {@link finishSyncRun} records. Counts are non-negative 32-bit integers. */
export interface FinishSyncRunInput {
  status: SyncRunOutcome;
  windows: number;
  pages: number;
  apiCalls: number;
  rowsUpserted: number;
  rowsRejected: number;
  /** Failed slices the run recorded (sync_failed_slices); default 0. */
  slicesFailed?: number;
  /** Open failed slices the run's reads resolved; default 0. */
  slicesResolved?: number;
  /** The error message of a failed or partial run; null otherwise. */
  error: string | null;
}

/**
 * Records the start of a stream poll with status `running` and `started_at` = now.
 *
 * @returns the run's id (bigint; pass it to {@link finishSyncRun}).
 * @throws TypeError when `plan` holds a bigint; Prisma's error when the vendor does not exist.
 */
export async function startSyncRun(db: SqlClient, input: StartSyncRunInput): Promise<bigint> {
  const rows = await db.$queryRawUnsafe<{ id: bigint }[]>(
    `INSERT INTO sync_runs (vendor_id, stream, trigger, status, plan)
     VALUES ($1, $2, $3, 'running', $4::jsonb)
     RETURNING id`,
    input.vendorId,
    input.stream,
    input.trigger,
    input.plan === null ? null : JSON.stringify(input.plan),
  );
  return rows[0]!.id;
}

/**
 * Records how a run ended, with `finished_at` = the current wall-clock time.
 *
 * @throws RangeError when a count is not a non-negative 32-bit integer; Error when no running run
 *   has this id (unknown, or already finished).
 */
export async function finishSyncRun(db: SqlClient, id: bigint, input: FinishSyncRunInput): Promise<void> {
  const counts = {
    windows: input.windows,
    pages: input.pages,
    apiCalls: input.apiCalls,
    rowsUpserted: input.rowsUpserted,
    rowsRejected: input.rowsRejected,
    slicesFailed: input.slicesFailed ?? 0,
    slicesResolved: input.slicesResolved ?? 0,
  };
  for (const [name, value] of Object.entries(counts)) {
    if (!Number.isInteger(value) || value < 0 || value > 2_147_483_647) {
      throw new RangeError(`${name} must be a non-negative 32-bit integer, got ${value}`);
    }
  }
  const updated = await db.$executeRawUnsafe(
    `UPDATE sync_runs SET status = $2, finished_at = clock_timestamp(), windows = $3, pages = $4,
       api_calls = $5, rows_upserted = $6, rows_rejected = $7, error = $8, slices_failed = $9,
       slices_resolved = $10
     WHERE id = $1::bigint AND finished_at IS NULL`,
    id.toString(),
    input.status,
    counts.windows,
    counts.pages,
    counts.apiCalls,
    counts.rowsUpserted,
    counts.rowsRejected,
    input.error,
    counts.slicesFailed,
    counts.slicesResolved,
  );
  if (updated !== 1) throw new Error(`No running sync run with id ${id}`);
}

/**
 * Closes the runs of a (vendor, stream) still marked `running` as `abandoned`: called by a poll
 * that has just taken the stream's lease, so no other poll of the stream can be running and any
 * such row belongs to a worker that died (SIGKILL, power loss). Their cursor resumes the work.
 * @returns how many runs were closed.
 */
export async function abandonRunningSyncRuns(
  db: SqlClient,
  vendorId: string,
  stream: string,
): Promise<number> {
  return db.$executeRawUnsafe(
    `UPDATE sync_runs SET status = 'abandoned', finished_at = now(),
            error = 'the worker stopped during this run; the next poll resumed its cursor'
      WHERE vendor_id = $1 AND stream = $2 AND status = 'running'`,
    vendorId,
    stream,
  );
}

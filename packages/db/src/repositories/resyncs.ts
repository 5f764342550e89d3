import type { SqlClient } from "./sql.js";

/**
 * The progress of one stream of a resync, summed over its windows: `windowsDone` of `windows`,
 * and the pages, API calls, rows written and records quarantined of the windows done.
 */
export interface ResyncStreamProgress {
  windows: number;
  windowsDone: number;
  pages: number;
  apiCalls: number;
  rowsWritten: number;
  rejected: number;
}

/**
 * A resync and its progress (the `resyncs` row). Counts are summed over finished windows, in all
 * and per stream (`byStream`, from `resync_windows`). Instants are UTC.
 */
export interface ResyncRecord {
  id: bigint;
  vendorId: string;
  streams: string[];
  rangeFrom: Date;
  rangeTo: Date;
  /** `running`, `completed`, `cancelled` or `failed`. */
  status: string;
  windowsTotal: number;
  windowsDone: number;
  pages: number;
  apiCalls: number;
  rowsWritten: number;
  rejected: number;
  /** Per requested stream, its windows and figures so far (every requested stream is a key). */
  byStream: Record<string, ResyncStreamProgress>;
  /**
   * Set once completed: `{windows, pages, apiCalls, rowsWritten, rejected, seconds, streams}`,
   * `streams` holding a {@link ResyncStreamProgress} per stream.
   */
  report: Record<string, unknown> | null;
  error: string | null;
  createdAt: Date;
  finishedAt: Date | null;
}

/** One window of a resync: a range of KST days of one stream, in the format its list wants. */
export interface ResyncWindowRecord {
  index: number;
  stream: string;
  createdAtFrom: string;
  createdAtTo: string;
  done: boolean;
}

interface ResyncSqlRow {
  id: bigint;
  vendor_id: string;
  streams: string[];
  range_from: Date;
  range_to: Date;
  status: string;
  windows_total: number;
  windows_done: number;
  pages: number;
  api_calls: number;
  rows_written: number;
  rejected: number;
  report: Record<string, unknown> | null;
  error: string | null;
  created_at: Date;
  finished_at: Date | null;
}

const toResync = (r: ResyncSqlRow, byStream: Record<string, ResyncStreamProgress>): ResyncRecord => ({
  id: r.id,
  vendorId: r.vendor_id,
  streams: r.streams,
  rangeFrom: r.range_from,
  rangeTo: r.range_to,
  status: r.status,
  windowsTotal: r.windows_total,
  windowsDone: r.windows_done,
  pages: r.pages,
  apiCalls: r.api_calls,
  rowsWritten: r.rows_written,
  rejected: r.rejected,
  byStream,
  report: r.report,
  error: r.error,
  createdAt: r.created_at,
  finishedAt: r.finished_at,
});

/** The advisory-lock namespace that serializes resync creation per vendor. */
const RESYNC_CREATE_LOCK = 1668249970;

/**
 * Creates a resync with its windows, or returns the active one asked for with the same vendor,
 * streams and range: asking twice does not read Coupang twice. Call it in a transaction.
 * @returns the resync and whether it was created now.
 */
export async function createResync(
  tx: SqlClient,
  input: {
    vendorId: string;
    streams: string[];
    rangeFrom: Date;
    rangeTo: Date;
    windows: Array<Omit<ResyncWindowRecord, "index" | "done">>;
  },
): Promise<{ resync: ResyncRecord; created: boolean }> {
  await tx.$queryRawUnsafe(
    `SELECT pg_advisory_xact_lock($1, hashtext($2))::text`,
    RESYNC_CREATE_LOCK,
    input.vendorId,
  );
  const streams = [...input.streams].sort();
  const [active] = await tx.$queryRawUnsafe<ResyncSqlRow[]>(
    `SELECT * FROM resyncs WHERE vendor_id = $1 AND streams = $2::text[] AND range_from = $3::timestamptz
        AND range_to = $4::timestamptz AND status = 'running'`,
    input.vendorId,
    streams,
    input.rangeFrom.toISOString(),
    input.rangeTo.toISOString(),
  );
  if (active) return { resync: (await getResync(tx, active.id))!, created: false };
  const [row] = await tx.$queryRawUnsafe<ResyncSqlRow[]>(
    `INSERT INTO resyncs (vendor_id, streams, range_from, range_to, status, windows_total)
     VALUES ($1, $2::text[], $3::timestamptz, $4::timestamptz, 'running', $5) RETURNING *`,
    input.vendorId,
    streams,
    input.rangeFrom.toISOString(),
    input.rangeTo.toISOString(),
    input.windows.length,
  );
  await tx.$executeRawUnsafe(
    `INSERT INTO resync_windows (resync_id, index, stream, created_at_from, created_at_to)
     SELECT $1, w.index, w.stream, w.created_at_from, w.created_at_to
       FROM jsonb_to_recordset($2::jsonb) AS w(index int, stream text, created_at_from text, created_at_to text)`,
    row!.id,
    JSON.stringify(
      input.windows.map((w, index) => ({
        index,
        stream: w.stream,
        created_at_from: w.createdAtFrom,
        created_at_to: w.createdAtTo,
      })),
    ),
  );
  return { resync: (await getResync(tx, row!.id))!, created: true };
}

/**
 * The per-stream figures of a resync's windows, as SQL: one jsonb object keyed by stream, shared
 * by the progress read and the final report so the two never disagree.
 */
const STREAM_PROGRESS_SQL = `
  SELECT coalesce(jsonb_object_agg(stream, figures), '{}'::jsonb) FROM (
    SELECT stream, jsonb_build_object(
             'windows', count(*), 'windowsDone', count(*) FILTER (WHERE done),
             'pages', coalesce(sum(pages), 0), 'apiCalls', coalesce(sum(api_calls), 0),
             'rowsWritten', coalesce(sum(rows_written), 0), 'rejected', coalesce(sum(rejected), 0)) AS figures
      FROM resync_windows WHERE resync_id = $1 GROUP BY stream) AS per_stream`;

/** A resync with its progress, in all and per stream, or null for an unknown id. */
export async function getResync(db: SqlClient, id: bigint): Promise<ResyncRecord | null> {
  const [row] = await db.$queryRawUnsafe<
    Array<ResyncSqlRow & { by_stream: Record<string, ResyncStreamProgress> }>
  >(`SELECT r.*, (${STREAM_PROGRESS_SQL}) AS by_stream FROM resyncs r WHERE r.id = $1`, id);
  if (!row) return null;
  const { by_stream: byStream, ...resync } = row;
  return toResync(resync, byStream);
}

/** The windows of a resync not yet done, in order. */
export async function pendingResyncWindows(db: SqlClient, id: bigint): Promise<ResyncWindowRecord[]> {
  const rows = await db.$queryRawUnsafe<
    Array<{ index: number; stream: string; created_at_from: string; created_at_to: string; done: boolean }>
  >(
    `SELECT index, stream, created_at_from, created_at_to, done FROM resync_windows
      WHERE resync_id = $1 AND NOT done ORDER BY index`,
    id,
  );
  return rows.map((r) => ({
    index: r.index,
    stream: r.stream,
    createdAtFrom: r.created_at_from,
    createdAtTo: r.created_at_to,
    done: r.done,
  }));
}

/**
 * Stops a running resync: its queued windows find it cancelled and end without a call, and a
 * window in progress stops at its next page. A finished resync is left as it was.
 * @returns the resync after the change, or null for an unknown id.
 */
export async function cancelResync(db: SqlClient, id: bigint): Promise<ResyncRecord | null> {
  await db.$executeRawUnsafe(
    `UPDATE resyncs SET status = 'cancelled', finished_at = now() WHERE id = $1 AND status = 'running'`,
    id,
  );
  return getResync(db, id);
}

/**
 * Ends a running resync as failed when one of its windows has used up its attempts: it cannot
 * complete, and an operator should see why rather than a resync that runs forever. The report
 * holds the figures so far (as a completed one would), the failed window's index and stream,
 * and the error. Starting the same resync again re-reads every window.
 * @returns the resync after the change, or null for an unknown id.
 */
export async function failResync(
  db: SqlClient,
  input: { resyncId: bigint; index: number; error: string },
): Promise<ResyncRecord | null> {
  await db.$executeRawUnsafe(
    `UPDATE resyncs SET status = 'failed', finished_at = now(),
            report = jsonb_build_object(
              'windows', windows_total, 'windowsDone', windows_done, 'pages', pages, 'apiCalls', api_calls,
              'rowsWritten', rows_written, 'rejected', rejected,
              'seconds', round(extract(epoch FROM now() - created_at)::numeric, 1),
              'streams', (${STREAM_PROGRESS_SQL}),
              'failedWindow', $2::int,
              'failedStream', (SELECT stream FROM resync_windows WHERE resync_id = $1 AND index = $2),
              'error', $3::text)
      WHERE id = $1 AND status = 'running'`,
    input.resyncId,
    input.index,
    input.error,
  );
  return getResync(db, input.resyncId);
}

/**
 * Records a finished window (once: a redelivered job finds it done and changes nothing), adds its
 * figures to the resync, and completes the resync with its report (totals and, under `streams`,
 * the figures per stream) when it was the last window. Call it in the transaction of the
 * window's last page.
 * @returns the resync after the change.
 */
export async function finishResyncWindow(
  tx: SqlClient,
  input: {
    resyncId: bigint;
    index: number;
    pages: number;
    apiCalls: number;
    rowsWritten: number;
    rejected: number;
  },
): Promise<ResyncRecord> {
  const marked = await tx.$executeRawUnsafe(
    `UPDATE resync_windows SET done = true, pages = $3, api_calls = $4, rows_written = $5, rejected = $6,
            finished_at = now()
      WHERE resync_id = $1 AND index = $2 AND NOT done`,
    input.resyncId,
    input.index,
    input.pages,
    input.apiCalls,
    input.rowsWritten,
    input.rejected,
  );
  if (marked === 1) {
    await tx.$executeRawUnsafe(
      `UPDATE resyncs SET windows_done = windows_done + 1, pages = pages + $2, api_calls = api_calls + $3,
              rows_written = rows_written + $4, rejected = rejected + $5
        WHERE id = $1`,
      input.resyncId,
      input.pages,
      input.apiCalls,
      input.rowsWritten,
      input.rejected,
    );
    await tx.$executeRawUnsafe(
      `UPDATE resyncs SET status = 'completed', finished_at = now(),
              report = jsonb_build_object(
                'windows', windows_total, 'pages', pages, 'apiCalls', api_calls, 'rowsWritten', rows_written,
                'rejected', rejected, 'seconds', round(extract(epoch FROM now() - created_at)::numeric, 1),
                'streams', (${STREAM_PROGRESS_SQL}))
        WHERE id = $1 AND status = 'running' AND windows_done = windows_total`,
      input.resyncId,
    );
  }
  return (await getResync(tx, input.resyncId))!;
}

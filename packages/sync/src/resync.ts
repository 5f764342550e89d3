import { ORDER_STATUSES, splitDailyWindows } from "@cos/coupang";
import {
  cancelResync,
  createResync,
  finishResyncWindow,
  getResync,
  pendingResyncWindows,
  withTransaction,
  type PrismaClient,
  type ResyncRecord,
} from "@cos/db";
import {
  appendPageEvents,
  emptyTally,
  ORDERSHEETS_STREAM,
  writeOrderSheetPage,
  type OrderSheetSource,
} from "./ordersheets.js";

/** The streams a resync can re-read so far. */
export const RESYNC_STREAMS = [ORDERSHEETS_STREAM] as const;
export type ResyncStream = (typeof RESYNC_STREAMS)[number];

/** What an operator asks for: a vendor, its streams, and an explicit range of any length. */
export interface ResyncRequest {
  vendorId: string;
  streams: ResyncStream[];
  /** [from, to) in UTC instants; read as the KST days they touch. */
  from: Date;
  to: Date;
  /** KST days per child job (1–31, the list's limit); default 7. Shorter jobs, more calls. */
  daysPerWindow?: number;
}

/** One child job of a resync: which window of which resync to read. */
export interface ResyncJob {
  resyncId: string;
  index: number;
  vendorId: string;
}

/** The error of a resync request that cannot be run, naming the field and the value. */
export class ResyncRequestError extends Error {
  override name = "ResyncRequestError";
}

/**
 * Starts a resync: splits the range into windows the list accepts (≤ 31 KST days each, by
 * default 7), records them, and queues one child job per window through `enqueue` (the caller's
 * low-priority queue, with a job id per window so a window is never queued twice). Asking again
 * while the same resync runs returns it instead of starting another. It never touches the live
 * checkpoints.
 * @throws ResyncRequestError for an empty or inverted range, an unknown stream, or a window size
 *   outside 1–31 days.
 */
export async function startResync(
  prisma: PrismaClient,
  enqueue: (jobs: ResyncJob[]) => Promise<void>,
  request: ResyncRequest,
): Promise<{ resync: ResyncRecord; created: boolean }> {
  const days = request.daysPerWindow ?? 7;
  if (!Number.isInteger(days) || days < 1 || days > 31) {
    throw new ResyncRequestError(`daysPerWindow: expected 1–31, got ${days}`);
  }
  if (!(request.from.getTime() < request.to.getTime())) {
    throw new ResyncRequestError(
      `from/to: expected from < to, got ${request.from.toISOString()} … ${request.to.toISOString()}`,
    );
  }
  const unknown = request.streams.filter((s) => !(RESYNC_STREAMS as readonly string[]).includes(s));
  if (request.streams.length === 0 || unknown.length > 0) {
    throw new ResyncRequestError(
      `streams: expected some of ${RESYNC_STREAMS.join(", ")}, got ${JSON.stringify(request.streams)}`,
    );
  }
  const windows = request.streams.flatMap((stream) =>
    splitDailyWindows(request.from, request.to, days).map((w) => ({
      stream,
      createdAtFrom: w.createdAtFrom,
      createdAtTo: w.createdAtTo,
    })),
  );
  const result = await withTransaction(prisma, (tx) =>
    createResync(tx, {
      vendorId: request.vendorId,
      streams: request.streams,
      rangeFrom: request.from,
      rangeTo: request.to,
      windows,
    }),
  );
  // Queued even when the resync already existed: a window whose job was lost (a crash between
  // the commit and the enqueue) gets one now; the job id keeps the others from doubling.
  const pending = await pendingResyncWindows(prisma, result.resync.id);
  await enqueue(
    pending.map((w) => ({
      resyncId: result.resync.id.toString(),
      index: w.index,
      vendorId: request.vendorId,
    })),
  );
  return result;
}

/**
 * Runs one window of a resync: every status of the window, page by page, each page written in
 * its own transaction (rows, quarantine, change events) — and no checkpoint, live or other. A
 * window already done, or a resync no longer running, is left alone; a cancellation stops the
 * window at its next page. The window's last page records it as done, and the last window
 * completes the resync with its report.
 * @returns the resync after this window, or null for an unknown resync.
 * @throws CoupangError from the client; the job's retry runs the window again (its pages
 *   already written are unchanged re-reads).
 */
export async function runResyncWindow(input: {
  prisma: PrismaClient;
  source: OrderSheetSource;
  job: ResyncJob;
  signal?: AbortSignal;
  callCount?: () => number;
}): Promise<ResyncRecord | null> {
  const { prisma, source, job } = input;
  const resyncId = BigInt(job.resyncId);
  const running = async () => (await getResync(prisma, resyncId))?.status === "running";
  const window = (await pendingResyncWindows(prisma, resyncId)).find((w) => w.index === job.index);
  if (!window || !(await running())) return getResync(prisma, resyncId);

  const tally = emptyTally();
  const callsBefore = input.callCount?.() ?? 0;
  let pages = 0;
  for (const status of ORDER_STATUSES) {
    for await (const page of source.orderSheetPages({
      status,
      createdAtFrom: window.createdAtFrom,
      createdAtTo: window.createdAtTo,
      maxPerPage: 50,
    })) {
      pages++;
      await withTransaction(prisma, async (tx) => {
        const events = await writeOrderSheetPage(tx, job.vendorId, page, tally);
        await appendPageEvents(tx, events, tally);
      });
      if (input.signal?.aborted || !(await running())) return getResync(prisma, resyncId);
    }
  }
  const rowsWritten = tally.boxesInserted + tally.boxesUpdated + tally.itemsInserted + tally.itemsUpdated;
  return withTransaction(prisma, (tx) =>
    finishResyncWindow(tx, {
      resyncId,
      index: job.index,
      pages,
      apiCalls: input.callCount ? input.callCount() - callsBefore : pages,
      rowsWritten,
      rejected: tally.rejected,
    }),
  );
}

/** A resync's progress and, once completed, its report; null for an unknown id. */
export function resyncProgress(prisma: PrismaClient, id: bigint): Promise<ResyncRecord | null> {
  return getResync(prisma, id);
}

/** Cancels a running resync (see `cancelResync` of @cos/db); null for an unknown id. */
export function cancelResyncRun(prisma: PrismaClient, id: bigint): Promise<ResyncRecord | null> {
  return cancelResync(prisma, id);
}

import {
  formatKstDate,
  formatKstSecond,
  kstDayNumber,
  kstDayNumberStart,
  splitDailyWindows,
} from "@cos/coupang";
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
import type { PlannedQuery } from "./planner.js";
import { appendPageEvents, emptyTally, rowsUpserted } from "./stream.js";
import { isStreamName, STREAM_NAMES, streamAdapter, type StreamDeps, type StreamSource } from "./streams.js";

/** The window size of a resync when the request names none, in KST days. */
const DEFAULT_DAYS_PER_WINDOW = 7;
/** The longest window any list accepts (ordersheets and returnRequests, coupang-api.md §2.1, §6.1). */
const MAX_DAYS_PER_WINDOW = 31;
/**
 * The most KST days one resync covers. coupang-api.md documents only the span of one list call
 * (31 or 7 days), not how far back the lists reach, so the bound is ours: a year, a leap one
 * included, is more than any re-read an operator needs (an outage, reconcile gaps of at most 93
 * days, a fix of stored rows), and keeps a resync to at most 366 windows per stream — 1,464 jobs
 * of one-day windows — so it cannot bury the low-priority queue. Longer periods are several
 * resyncs, one after the other.
 */
export const MAX_RESYNC_DAYS = 366;

/**
 * A range as an operator reads it: KST days `yyyy-MM-dd … yyyy-MM-dd` (both included, `to` being
 * the start of the day after the last) when both ends are KST midnights, as the CLI's day
 * arguments are; else KST wall-clock seconds; an invalid end as `Invalid Date`.
 */
function describeRange(from: Date, to: Date): string {
  if (Number.isNaN(from.getTime()) || Number.isNaN(to.getTime())) return `${String(from)} … ${String(to)}`;
  const midnight = (d: Date) => kstDayNumberStart(kstDayNumber(d)).getTime() === d.getTime();
  if (midnight(from) && midnight(to))
    return `${formatKstDate(from)} … ${formatKstDate(new Date(to.getTime() - 1))} (KST days, both included)`;
  return `${formatKstSecond(from)} … ${formatKstSecond(to)} (KST)`;
}

/** What an operator asks for: a vendor, its streams, and an explicit range of up to {@link MAX_RESYNC_DAYS} KST days. */
export interface ResyncRequest {
  vendorId: string;
  /** Names of the stream registry ({@link STREAM_NAMES}); at least one, repeats ignored. */
  streams: string[];
  /** [from, to) in UTC instants; read as the KST days they touch. */
  from: Date;
  to: Date;
  /**
   * KST days per child job, 1–31; default 7. Capped per stream at the longest window its list
   * accepts (`maxWindowDays` of its adapter: 7 for exchangeRequests and withdrawals), so one
   * request serves every stream. Shorter jobs, more calls.
   */
  daysPerWindow?: number;
}

/** One child job of a resync: which window of which resync to read (IDs only; the window row
 * names its stream). */
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
 * Starts a resync: splits the range, per stream, into windows its list accepts (`daysPerWindow`
 * KST days each, capped at the stream adapter's `maxWindowDays`), records them, and queues one
 * child job per window through `enqueue` (the caller's low-priority queue, with a job id per
 * window so a window is never queued twice). Asking again while a resync of the same vendor,
 * streams and range runs returns it (whatever its `daysPerWindow`) instead of starting another.
 * It never touches the live checkpoints. `deps.source` is not called here: the adapters only
 * tell each stream's window limit.
 * A range reaching past now has its windows cut at now.
 * @throws ResyncRequestError naming the field: an invalid, empty or inverted range (`from/to`), one
 *   that starts in the future (`from`), one that covers more than {@link MAX_RESYNC_DAYS} KST days
 *   up to `to` or now (`from`),
 *   no stream or one not in {@link STREAM_NAMES} (`streams`), a window size outside 1–31 days
 *   (`daysPerWindow`).
 */
export async function startResync(
  deps: StreamDeps,
  enqueue: (jobs: ResyncJob[]) => Promise<void>,
  request: ResyncRequest,
): Promise<{ resync: ResyncRecord; created: boolean }> {
  const { prisma } = deps;
  const days = request.daysPerWindow ?? DEFAULT_DAYS_PER_WINDOW;
  if (!Number.isInteger(days) || days < 1 || days > MAX_DAYS_PER_WINDOW) {
    throw new ResyncRequestError(`daysPerWindow: expected 1–${MAX_DAYS_PER_WINDOW}, got ${days}`);
  }
  const from = request.from.getTime();
  if (Number.isNaN(from) || Number.isNaN(request.to.getTime()) || !(from < request.to.getTime())) {
    throw new ResyncRequestError(
      `from/to: expected valid instants with from < to, got ${describeRange(request.from, request.to)}`,
    );
  }
  // Nothing exists after now: a range reaching past it is cut there, one wholly after it refused.
  const now = Date.now();
  if (from >= now) {
    throw new ResyncRequestError(`from: expected an instant before now, got ${request.from.toISOString()}`);
  }
  const to = new Date(Math.min(request.to.getTime(), now));
  const lastDay = kstDayNumber(new Date(to.getTime() - 1));
  if (lastDay - kstDayNumber(request.from) + 1 > MAX_RESYNC_DAYS) {
    throw new ResyncRequestError(
      `from: a resync covers at most ${MAX_RESYNC_DAYS} KST days; expected ${formatKstDate(kstDayNumberStart(lastDay - MAX_RESYNC_DAYS + 1))} or later for a range ending ${formatKstDate(kstDayNumberStart(lastDay))}, got ${formatKstDate(request.from)} (KST)`,
    );
  }
  const streams = [...new Set(request.streams)];
  if (streams.length === 0 || !streams.every(isStreamName)) {
    throw new ResyncRequestError(
      `streams: expected some of ${STREAM_NAMES.join(", ")}, got ${JSON.stringify(request.streams)}`,
    );
  }
  const windows = streams.flatMap((stream) => {
    const limit = streamAdapter(stream, deps).maxWindowDays ?? MAX_DAYS_PER_WINDOW;
    return splitDailyWindows(request.from, to, Math.min(days, limit)).map((w) => ({
      stream,
      createdAtFrom: w.createdAtFrom,
      createdAtTo: w.createdAtTo,
    }));
  });
  const result = await withTransaction(prisma, (tx) =>
    createResync(tx, {
      vendorId: request.vendorId,
      streams,
      rangeFrom: request.from,
      // As asked, so asking again finds this resync; its windows stop at now.
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
 * Runs one window of a resync with its stream's adapter (from the registry, by the window's
 * `stream`): every status of `adapter.statuses` but its `keyedStatuses` (those check stored
 * entities by key; a resync lists periods), page by page, each page written in its own
 * transaction (rows, quarantine, change events) — and no checkpoint, live or other. A window
 * already done, or a resync no longer running, is left alone without a call; a cancellation (or
 * `signal`, on shutdown) stops the window after the page in hand. The window's last page records
 * it as done, and the last window completes the resync with its report.
 *
 * `callCount` is a running count of the HTTP attempts (retries and failures included) made with
 * `source`, read before and after the window: it measures the window's calls exactly when nothing
 * else calls through `source` meanwhile (the worker gives resyncs clients of their own and runs
 * one window at a time per process). Without it, a window counts one call per page. Either way
 * it is the run that completed the window: an attempt that failed and was retried by its job is
 * not counted (the worker's per-vendor total has its calls).
 * @returns the resync after this window, or null for an unknown resync.
 * @throws CoupangError from the client; the job's retry runs the window again (its pages
 *   already written are unchanged re-reads).
 */
export async function runResyncWindow(input: {
  prisma: PrismaClient;
  source: StreamSource;
  job: ResyncJob;
  signal?: AbortSignal;
  callCount?: () => number;
}): Promise<ResyncRecord | null> {
  const { prisma, source, job } = input;
  const resyncId = BigInt(job.resyncId);
  const running = async () => (await getResync(prisma, resyncId))?.status === "running";
  const window = (await pendingResyncWindows(prisma, resyncId)).find((w) => w.index === job.index);
  if (!window || !(await running())) return getResync(prisma, resyncId);

  const adapter = streamAdapter(window.stream, { source, prisma });
  const keyed = adapter.keyedStatuses ?? [];
  const tally = emptyTally();
  const callsBefore = input.callCount?.() ?? 0;
  let pages = 0;
  for (const status of adapter.statuses.filter((s) => !keyed.includes(s))) {
    // A resync reads every status of every day, as the cold tier does.
    const query: PlannedQuery = {
      tier: "cold",
      status,
      createdAtFrom: window.createdAtFrom,
      createdAtTo: window.createdAtTo,
      cost: 1,
      reason: `resync ${job.resyncId} window ${job.index}`,
    };
    for await (const page of adapter.pages(query, null)) {
      pages++;
      await withTransaction(prisma, async (tx) => {
        const events = await adapter.writePage(tx, job.vendorId, page, tally);
        await appendPageEvents(tx, events, tally);
      });
      if (input.signal?.aborted || !(await running())) return getResync(prisma, resyncId);
    }
  }
  return withTransaction(prisma, (tx) =>
    finishResyncWindow(tx, {
      resyncId,
      index: job.index,
      pages,
      apiCalls: input.callCount ? input.callCount() - callsBefore : pages,
      rowsWritten: rowsUpserted(tally),
      rejected: tally.rejected,
    }),
  );
}

/**
 * A resync's progress — windows done of total, pages, API calls, rows written and records
 * quarantined, in all and per stream (`byStream`) — and, once completed, its report; null for
 * an unknown id.
 */
export function resyncProgress(prisma: PrismaClient, id: bigint): Promise<ResyncRecord | null> {
  return getResync(prisma, id);
}

/**
 * Cancels a running resync (see `cancelResync` of @cos/db) and hands the jobs of its windows not
 * done to `dequeue` (the caller's queue removes them), so they do not sit in the low-priority queue
 * in front of the next resync, each taken only to end without a call. A window job already taken
 * (or one `dequeue` could not remove) still ends without a call: it finds the resync cancelled. A
 * resync that had ended already is dequeued again, which removes what an earlier try left.
 * @returns the resync after the change, or null for an unknown id (nothing dequeued).
 */
export async function cancelResyncRun(
  prisma: PrismaClient,
  id: bigint,
  dequeue: (jobs: ResyncJob[]) => Promise<void>,
): Promise<ResyncRecord | null> {
  const resync = await cancelResync(prisma, id);
  if (!resync || resync.status === "running") return resync;
  const pending = await pendingResyncWindows(prisma, id);
  await dequeue(pending.map((w) => ({ resyncId: id.toString(), index: w.index, vendorId: resync.vendorId })));
  return resync;
}

import { kstDayNumberStart, parseKstDate, parseKstDateTime } from "@cos/coupang";
import type { PrismaClient, ResyncRecord } from "@cos/db";
import { JOBS, parseJobData, resyncJobId, type JobData, type QueueHandle } from "@cos/queue";
import {
  cancelResyncRun,
  ResyncRequestError,
  resyncProgress,
  startResync,
  type ResyncJob,
  type ResyncRequest,
  type StreamSource,
} from "@cos/sync";
import { OpsError } from "./errors.js";

/** What {@link requestResync} needs: the database, the resync queue, and the vendors served. */
export interface ResyncDeps {
  prisma: PrismaClient;
  /** The deployment's `resync` queue (`JOBS.resyncWindow.queue`, on the workers' backend and prefix). */
  queue: QueueHandle<JobData<"resyncWindow">>;
  /**
   * The Coupang client per vendorId of the vendors this deployment serves (the worker's config).
   * Only the stream adapters' window limits are read here; nothing is called.
   */
  sources: ReadonlyMap<string, StreamSource>;
}

/**
 * Starts (or returns the running) resync of a vendor's streams over an explicit range, the one way
 * the worker, the admin API and the CLI start one: packages/sync `startResync` records the
 * windows, and each window is queued as a child job on the low-priority `resync` queue with a job
 * id of its own, so asking again never queues a window twice. Live checkpoints are untouched.
 * @returns the resync and whether it was created now (`false`: the same one was running).
 * @throws ResyncRequestError naming the field: a vendor not in `sources` (`vendorId`), a bad range,
 *   stream or window size (see `startResync`).
 */
export async function requestResync(
  deps: ResyncDeps,
  request: ResyncRequest,
): Promise<{ resync: ResyncRecord; created: boolean }> {
  const source = deps.sources.get(request.vendorId);
  if (!source) throw new ResyncRequestError(`vendorId: ${request.vendorId} is not configured in this worker`);
  return startResync(
    { source, prisma: deps.prisma },
    async (jobs) => {
      for (const job of jobs) {
        const data = parseJobData("resyncWindow", job);
        await deps.queue.add(JOBS.resyncWindow.name, data, {
          ...JOBS.resyncWindow.opts,
          jobId: resyncJobId(data.resyncId, data.index),
        });
      }
    },
    request,
  );
}

const DAY_MS = 86_400_000;

/**
 * One end of a resync range as an operator types it: a KST day `yyyy-MM-dd` (its start, or with
 * `end` the start of the next day, so both named days are included), or an instant
 * `yyyy-MM-ddTHH:mm:ss` (KST unless it carries an offset such as `Z` or `+09:00`).
 * @throws OpsError `invalid` naming `field` and the value.
 */
export function parseRangeEnd(field: string, text: string, end = false): Date {
  try {
    if (/^\d{4}-\d{2}-\d{2}$/.test(text)) {
      const day = Math.round(parseKstDate(text).getTime() / DAY_MS);
      return kstDayNumberStart(end ? day + 1 : day);
    }
    return parseKstDateTime(text);
  } catch (err) {
    throw new OpsError(
      "invalid",
      `${field}: expected a KST day yyyy-MM-dd or a date-time yyyy-MM-ddTHH:mm:ss[offset], got ${JSON.stringify(text)}`,
      { cause: err },
    );
  }
}

/**
 * A resync's progress (windows done of total, pages, API calls, rows, rejected; in all and per
 * stream) and, once it ended, its report.
 * @throws OpsError `not_found` for an unknown id.
 */
export async function resyncStatus(prisma: PrismaClient, id: bigint): Promise<ResyncRecord> {
  const resync = await resyncProgress(prisma, id);
  if (!resync) throw new OpsError("not_found", `resync ${id} does not exist`);
  return resync;
}

/** Window jobs removed at once when a resync is cancelled: a year of windows takes a few rounds. */
const REMOVE_BATCH = 50;

/**
 * The `dequeue` of packages/sync `cancelResyncRun` for a `resync` queue: removes each window's job
 * (by {@link resyncJobId}) unless a worker holds it (that one ends without a call by itself).
 * @throws the queue backend's error (Redis or Postgres unreachable).
 */
export function resyncDequeue(
  queue: QueueHandle<JobData<"resyncWindow">>,
): (jobs: ResyncJob[]) => Promise<void> {
  return async (jobs) => {
    for (let i = 0; i < jobs.length; i += REMOVE_BATCH)
      await Promise.all(
        jobs.slice(i, i + REMOVE_BATCH).map((job) => queue.remove(resyncJobId(job.resyncId, job.index))),
      );
  };
}

/**
 * Cancels a running resync and removes its queued window jobs from `deps.queue` (a window in
 * progress stops at its next page), so a later resync does not wait behind them; a resync that
 * already ended is returned as it is.
 * @throws OpsError `not_found` for an unknown id.
 */
export async function stopResync(
  deps: Pick<ResyncDeps, "prisma" | "queue">,
  id: bigint,
): Promise<ResyncRecord> {
  const resync = await cancelResyncRun(deps.prisma, id, resyncDequeue(deps.queue));
  if (!resync) throw new OpsError("not_found", `resync ${id} does not exist`);
  return resync;
}

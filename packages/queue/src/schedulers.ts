import {
  drainSchedulerId,
  JOBS,
  parseJobData,
  pollSchedulerId,
  reconcileSchedulerId,
  RETENTION_SCHEDULER_ID,
  type JobData,
  type Stream,
} from "./catalog.js";
import type { QueueHandle } from "./backend.js";

/**
 * Upserts the Job Scheduler that polls (vendor, stream) every `everyMs` milliseconds, with the
 * stable id `poll:<vendorId>:<stream>`, so restarting the worker any number of times leaves
 * exactly one scheduler per pair. The first job is due at once.
 */
export async function upsertPollScheduler(
  queue: QueueHandle<JobData<"poll">>,
  vendorId: string,
  stream: Stream,
  everyMs: number,
): Promise<void> {
  const data = parseJobData("poll", { vendorId, stream, trigger: "schedule" });
  const { attempts, backoff, removeOnComplete, removeOnFail } = JOBS.poll.opts;
  await queue.upsertJobScheduler(
    pollSchedulerId(vendorId, stream),
    { every: everyMs },
    { name: JOBS.poll.name, data, opts: { attempts, backoff, removeOnComplete, removeOnFail } },
  );
}

/**
 * Upserts the Job Scheduler that reconciles (vendor, stream) daily at `hourKst`:00 KST (pitfalls
 * M-9), with the stable id `reconcile:<vendorId>:<stream>`: one scheduler per pair however often
 * the worker restarts. A clock time rather than an interval: a boot never runs it early (an
 * interval scheduler's first job is due at once), and restarts never shift it.
 * @throws RangeError for an hour outside 0–23.
 */
export async function upsertReconcileScheduler(
  queue: QueueHandle<JobData<"reconcile">>,
  vendorId: string,
  stream: Stream,
  hourKst: number,
): Promise<void> {
  if (!Number.isInteger(hourKst) || hourKst < 0 || hourKst > 23) {
    throw new RangeError(`hourKst: expected an integer 0–23, got ${hourKst}`);
  }
  const data = parseJobData("reconcile", { vendorId, stream });
  const { attempts, backoff, removeOnComplete, removeOnFail } = JOBS.reconcile.opts;
  await queue.upsertJobScheduler(
    reconcileSchedulerId(vendorId, stream),
    { pattern: `0 ${hourKst} * * *`, tz: "Asia/Seoul" },
    { name: JOBS.reconcile.name, data, opts: { attempts, backoff, removeOnComplete, removeOnFail } },
  );
}

/**
 * Upserts the daily PII retention scheduler ({@link RETENTION_SCHEDULER_ID}) at `hourKst`:00 KST,
 * or removes it when `hourKst` is null (retention off), so turning the setting off takes effect
 * at the next boot. A clock time, as for reconciliation: restarts never run it early or shift it.
 * @throws RangeError for an hour outside 0–23.
 */
export async function upsertRetentionScheduler(
  queue: QueueHandle<JobData<"retention">>,
  hourKst: number | null,
): Promise<void> {
  if (hourKst === null) {
    await queue.removeJobScheduler(RETENTION_SCHEDULER_ID);
    return;
  }
  if (!Number.isInteger(hourKst) || hourKst < 0 || hourKst > 23) {
    throw new RangeError(`hourKst: expected an integer 0–23, got ${hourKst}`);
  }
  const data = parseJobData("retention", { trigger: "schedule" });
  const { attempts, backoff, removeOnComplete, removeOnFail } = JOBS.retention.opts;
  await queue.upsertJobScheduler(
    RETENTION_SCHEDULER_ID,
    { pattern: `0 ${hourKst} * * *`, tz: "Asia/Seoul" },
    { name: JOBS.retention.name, data, opts: { attempts, backoff, removeOnComplete, removeOnFail } },
  );
}

/**
 * Upserts the Job Scheduler that wakes a vendor's outbox drain every `everyMs` milliseconds, with
 * the stable id `drain:<vendorId>`: the safety net behind `NOTIFY coupang_outbox`, which picks up
 * retries coming due, commands re-armed by an operator and notifications lost while the worker's
 * LISTEN connection was down. Its jobs only ask for the vendor's deduplicated drain job
 * (`drainJobOptions`) rather than drain themselves, so a tick never runs beside a drain.
 */
export async function upsertDrainScheduler(
  queue: QueueHandle<JobData<"drain">>,
  vendorId: string,
  everyMs: number,
): Promise<void> {
  const data = parseJobData("drain", { vendorId });
  const { removeOnComplete, removeOnFail } = JOBS.drain.opts;
  await queue.upsertJobScheduler(
    drainSchedulerId(vendorId),
    { every: everyMs },
    { name: JOBS.drain.name, data, opts: { removeOnComplete, removeOnFail } },
  );
}

/** The id prefixes of the schedulers this package creates (poll, reconcile and drain). */
const SCHEDULER_PREFIXES = ["poll:", "reconcile:", "drain:"];

/**
 * Removes the poll, reconcile and drain schedulers of `queue` that are not in `keep` (a vendor or
 * stream no longer configured), so it stops being polled, reconciled or drained. Returns the ids
 * removed.
 */
export async function pruneSchedulers<T>(
  queue: QueueHandle<T>,
  keep: ReadonlySet<string>,
): Promise<string[]> {
  const removed: string[] = [];
  for (const scheduler of await queue.getJobSchedulers()) {
    if (SCHEDULER_PREFIXES.some((p) => scheduler.key.startsWith(p)) && !keep.has(scheduler.key)) {
      await queue.removeJobScheduler(scheduler.key);
      removed.push(scheduler.key);
    }
  }
  return removed;
}

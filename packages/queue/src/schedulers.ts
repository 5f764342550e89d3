import { JOBS, parseJobData, pollSchedulerId, type JobData, type Stream } from "./catalog.js";
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
 * Removes poll schedulers whose (vendor, stream) is no longer configured, so a vendor taken out
 * of the config stops being polled. Returns the ids removed.
 */
export async function pruneSchedulers(
  queue: QueueHandle<JobData<"poll">>,
  keep: ReadonlySet<string>,
): Promise<string[]> {
  const removed: string[] = [];
  for (const scheduler of await queue.getJobSchedulers()) {
    if (scheduler.key.startsWith("poll:") && !keep.has(scheduler.key)) {
      await queue.removeJobScheduler(scheduler.key);
      removed.push(scheduler.key);
    }
  }
  return removed;
}

import { erasePersonalData, type PrismaClient, type RetentionReport } from "@cos/db";
import {
  JOBS,
  parseJobData,
  RETENTION_SCHEDULER_ID,
  upsertRetentionScheduler,
  type JobData,
  type QueueFactory,
  type QueueHandle,
  type WorkerHandle,
} from "@cos/queue";
import type { WorkerConfig } from "./config.js";
import type { Logger } from "./logger.js";

/** The KST hour the daily retention runs at: after the default reconciliation (04:00), at night. */
export const RETENTION_HOUR_KST = 5;

const DAY_MS = 86_400_000;

/** The instant before which a closed order's last change makes it due for erasure (UTC). */
export function retentionCutoff(days: number, now: Date = new Date()): Date {
  return new Date(now.getTime() - days * DAY_MS);
}

/** PII retention inside a running worker: its queue, its worker and its scheduler id (if on). */
export interface Retention {
  readonly queue: QueueHandle<JobData<"retention">>;
  readonly worker: WorkerHandle;
  readonly schedulerIds: readonly string[];
  /** Queues a run now, beside the schedule (no-op job when retention is off). */
  runNow(): Promise<void>;
}

/**
 * Runs PII retention in the worker: with `PII_RETENTION_DAYS` set, a daily Job Scheduler
 * ({@link RETENTION_SCHEDULER_ID}, {@link RETENTION_HOUR_KST}:00 KST) on the `retention` queue whose
 * job erases the personal data of every vendor's closed orders and claims last changed more than
 * that many days ago (@cos/db `erasePersonalData`); unset, the scheduler is removed and a job
 * erases nothing. One job at a time per process.
 */
export async function startRetention(options: {
  config: Pick<WorkerConfig, "piiRetentionDays">;
  prisma: PrismaClient;
  queues: QueueFactory;
  log: Logger;
  onError: (what: string) => (err: Error) => void;
}): Promise<Retention> {
  const { config, prisma, queues, log, onError } = options;
  const queue: QueueHandle<JobData<"retention">> = queues.queue(JOBS.retention.queue);
  queue.on("error", onError("retention queue error"));
  const days = config.piiRetentionDays;
  await upsertRetentionScheduler(queue, days === undefined ? null : RETENTION_HOUR_KST);
  const worker: WorkerHandle = queues.worker<JobData<"retention">>(
    JOBS.retention.queue,
    async (job): Promise<Omit<RetentionReport, "before"> & { before: string | null }> => {
      parseJobData("retention", job.data);
      if (days === undefined) {
        log.info("PII retention skipped: PII_RETENTION_DAYS is not set");
        return {
          before: null,
          dryRun: false,
          tables: { shipment_boxes: 0, return_requests: 0, exchange_requests: 0 },
          total: 0,
        };
      }
      const report = await erasePersonalData(prisma, { before: retentionCutoff(days) });
      log.info({ retention: { days, ...report } }, "PII retention erased personal data");
      return { ...report, before: report.before.toISOString() };
    },
    { concurrency: 1, lockDuration: 60_000 },
  );
  worker.on("error", onError("retention worker error"));
  return {
    queue,
    worker,
    schedulerIds: days === undefined ? [] : [RETENTION_SCHEDULER_ID],
    async runNow() {
      await queue.add(
        JOBS.retention.name,
        parseJobData("retention", { trigger: "manual" }),
        JOBS.retention.opts,
      );
    },
  };
}

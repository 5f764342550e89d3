import { EventEmitter } from "node:events";
import { CoupangClient, CoupangError } from "@cos/coupang";
import { createPrisma, ensureVendorAccount, type PrismaClient } from "@cos/db";
import {
  createQueueFactory,
  JOBS,
  parseJobData,
  pollSchedulerId,
  pruneSchedulers,
  STREAMS,
  UnrecoverableError,
  upsertPollScheduler,
  type Job,
  type JobData,
  type QueueBackendConfig,
  type QueueFactory,
  type QueueHandle,
  type Stream,
  type WorkerHandle,
} from "@cos/queue";
import { syncOrderSheets, type SyncReport } from "@cos/sync";
import type { WorkerConfig } from "./config.js";
import type { Logger } from "./logger.js";

/** Emitted after every poll, for the demo and for tests. */
export type PollOutcome =
  | { ok: true; vendorId: string; stream: string; report: SyncReport }
  | {
      ok: false;
      vendorId: string;
      stream: string;
      error: Error;
      /** no attempt of this poll follows */ final: boolean;
    };

/** A running worker: its connections, schedulers and BullMQ worker. */
export interface WorkerApp {
  readonly prisma: PrismaClient;
  readonly backend: QueueFactory["kind"];
  readonly events: EventEmitter<{ poll: [PollOutcome] }>;
  /** API calls made per vendor since start (every attempt, including failed ones). */
  apiCalls(vendorId: string): number;
  /** Queues a poll of (vendor, stream) now, beside the schedule. */
  pollNow(vendorId: string, stream?: Stream): Promise<void>;
  /** Stops taking jobs, lets the running poll stop at its next page boundary, and closes
   * everything in order. A poll still running at the deadline is abandoned: its cursor resumes it. */
  close(): Promise<void>;
}

/** Picks the BullMQ backend: Redis when REDIS_URL is set, else Postgres in its own schema. */
export function queueBackend(config: WorkerConfig): QueueBackendConfig {
  return config.redisUrl
    ? { kind: "redis", url: config.redisUrl, prefix: config.queuePrefix }
    : { kind: "postgres", url: config.databaseUrl, schema: `${config.queuePrefix}_bullmq` };
}

/**
 * Starts the worker: connects to Postgres and the queue backend, registers the vendors,
 * upserts one Job Scheduler per (vendor, stream) with a stable id, removes schedulers of vendors
 * no longer configured, and starts processing polls.
 * @throws Error when Postgres or the queue backend cannot be reached.
 */
export async function startWorker(config: WorkerConfig, log: Logger): Promise<WorkerApp> {
  const prisma = createPrisma(config.databaseUrl, { max: config.dbPoolSize });
  const queues = createQueueFactory(queueBackend(config));
  const events = new EventEmitter<{ poll: [PollOutcome] }>();
  const calls = new Map<string, number>();
  const clients = new Map(
    config.vendors.map((v) => [
      v.vendorId,
      new CoupangClient({
        baseUrl: config.coupangBaseUrl,
        vendorId: v.vendorId,
        accessKey: v.accessKey,
        secretKey: v.secretKey,
        onResponse: (e) => {
          calls.set(e.vendorId, (calls.get(e.vendorId) ?? 0) + 1);
          log.debug(
            { vendorId: e.vendorId, method: e.method, path: e.path, status: e.statusCode, ms: e.durationMs },
            "coupang call",
          );
        },
      }),
    ]),
  );

  for (const v of config.vendors)
    await ensureVendorAccount(prisma, { vendorId: v.vendorId, name: v.name ?? null });

  const inbound: QueueHandle<JobData<"poll">> = queues.queue(JOBS.poll.queue);
  // Once closing, connection errors are the expected echo of our own shutdown (the Postgres
  // backend's sockets outlive close() by a moment): they are not failures.
  let closing: Promise<void> | undefined;
  const onError = (what: string) => (err: Error) => {
    if (!closing) log.error({ err }, what);
  };
  inbound.on("error", onError("inbound queue error"));
  const keep = new Set<string>();
  for (const v of config.vendors) {
    for (const stream of STREAMS) {
      await upsertPollScheduler(inbound, v.vendorId, stream, config.pollIntervalMs);
      keep.add(pollSchedulerId(v.vendorId, stream));
    }
  }
  const removed = await pruneSchedulers(inbound, keep);
  if (removed.length > 0) log.info({ removed }, "removed schedulers of vendors no longer configured");

  const shutdown = new AbortController();
  const processor = async (job: Job<JobData<"poll">>): Promise<SyncReport> => {
    const data = parseJobData("poll", job.data);
    const jobLog = log.child({
      queue: JOBS.poll.queue,
      jobId: job.id,
      vendorId: data.vendorId,
      stream: data.stream,
      attempt: job.attemptsMade + 1,
    });
    const client = clients.get(data.vendorId);
    if (!client) throw new UnrecoverableError(`vendor ${data.vendorId} is not configured in this worker`);
    try {
      const report = await syncOrderSheets({
        prisma,
        source: client,
        vendorId: data.vendorId,
        trigger: data.trigger,
        config: config.plan,
        signal: shutdown.signal,
      });
      if (report.outcome === "skipped") jobLog.info("poll skipped: another poll of this stream is running");
      else jobLog.info({ report: { ...report, runId: report.runId?.toString() } }, "poll finished");
      events.emit("poll", { ok: true, vendorId: data.vendorId, stream: data.stream, report });
      return report;
    } catch (err) {
      const error = err instanceof Error ? err : new Error(String(err));
      // Auth, data and blocked errors do not heal by retrying in seconds: fail this poll for
      // good and let the next scheduled poll try again, instead of a retry storm.
      const unrecoverable = err instanceof CoupangError && !err.retryable;
      const final = unrecoverable || job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      jobLog.error({ err: error, final }, "poll failed");
      events.emit("poll", { ok: false, vendorId: data.vendorId, stream: data.stream, error, final });
      throw unrecoverable ? new UnrecoverableError(error.message) : error;
    }
  };

  const worker: WorkerHandle = queues.worker<JobData<"poll">>(
    JOBS.poll.queue,
    async (job) => {
      const report = await processor(job);
      // BullMQ stores the return value as JSON: bigint does not serialize.
      return { ...report, runId: report.runId?.toString() ?? null };
    },
    { concurrency: config.concurrency, lockDuration: 60_000 },
  );
  worker.on("error", onError("inbound worker error"));

  log.info(
    {
      backend: queues.kind,
      vendors: config.vendors.map((v) => v.vendorId),
      everySeconds: config.pollIntervalMs / 1000,
    },
    "worker started",
  );

  return {
    prisma,
    backend: queues.kind,
    events,
    apiCalls: (vendorId) => calls.get(vendorId) ?? 0,
    async pollNow(vendorId, stream = "ordersheets") {
      const data = parseJobData("poll", { vendorId, stream, trigger: "manual" });
      await inbound.add(JOBS.poll.name, data, JOBS.poll.opts);
    },
    close() {
      closing ??= (async () => {
        shutdown.abort();
        const deadline = new Promise<"timeout">((r) =>
          setTimeout(() => r("timeout"), config.shutdownTimeoutMs).unref(),
        );
        if ((await Promise.race([worker.close(), deadline])) === "timeout") {
          log.warn(
            { timeoutMs: config.shutdownTimeoutMs },
            "shutdown deadline passed; abandoning the running poll",
          );
          await worker.close(true);
        }
        await inbound.close();
        await queues.close();
        await prisma.$disconnect();
        log.info("worker stopped");
      })();
      return closing;
    },
  };
}

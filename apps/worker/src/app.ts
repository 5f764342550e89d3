import { EventEmitter } from "node:events";
import {
  CoupangError,
  CoupangRateLimitError,
  RedisRateLimiter,
  TokenBucketLimiter,
  type RateLimiter,
} from "@cos/coupang";
import { Redis } from "ioredis";
import {
  createPrisma,
  ensureVendorAccount,
  failResync,
  type OutboxCommandRecord,
  type PrismaClient,
  type ResyncRecord,
} from "@cos/db";
import { requestResync, resyncDequeue } from "@cos/ops";
import type { CommandInput } from "@cos/outbox";
import {
  bootPollJobOptions,
  createQueueFactory,
  JOBS,
  parseJobData,
  pollSchedulerId,
  reconcileSchedulerId,
  pruneSchedulers,
  STREAMS,
  UnrecoverableError,
  upsertPollScheduler,
  upsertReconcileScheduler,
  type Job,
  type JobData,
  type QueueBackendConfig,
  type QueueFactory,
  type QueueHandle,
  type Stream,
  type WorkerHandle,
} from "@cos/queue";
import {
  cancelResyncRun,
  resyncProgress,
  RETURN_WITHDRAWALS_STREAM,
  runResyncWindow,
  reconcileStream,
  runStream,
  skippedReport,
  streamAdapter,
  type ResyncRequest,
  type SyncReport,
} from "@cos/sync";
import { vendorClients } from "./clients.js";
import type { WorkerConfig } from "./config.js";
import type { Logger } from "./logger.js";
import { createMetrics, endpointOf, type WorkerMetrics } from "./metrics.js";
import { startOutbound, type DrainOutcome } from "./outbound.js";
import { startRetention } from "./retention.js";
import { bootEach } from "./boot.js";

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

/**
 * What a running worker reports: every poll's outcome and every drain's, for the demo, the
 * metrics and tests.
 */
export type WorkerEvents = EventEmitter<{ poll: [PollOutcome]; drain: [DrainOutcome] }>;

/** A new emitter for {@link StartOptions.events}: attach listeners, then start the worker with it. */
export function createWorkerEvents(): WorkerEvents {
  return new EventEmitter();
}

/** Options of {@link startWorker}. */
export interface StartOptions {
  /**
   * Where the worker reports (default: a new emitter, as `app.events`). The worker takes jobs
   * (the boot's polls, a drain of commands left pending) before `startWorker` resolves, so only a
   * listener attached before the start is sure to hear the first outcomes: whoever counts or
   * awaits them from boot passes its emitter here.
   */
  readonly events?: WorkerEvents;
}

/**
 * How long closing waits for the abandoned jobs to end once their calls fail: well inside the
 * 10 s main.ts allows after `SHUTDOWN_TIMEOUT_SECONDS` before it exits anyway.
 */
const ABANDON_GRACE_MS = 5_000;

/** How long a 429 without `Retry-After` pauses a vendor (the client's limiter pause, and its circuit), ms. */
const RATE_LIMIT_PAUSE_MS = 60_000;

/** Why a poll did not run: the vendor's circuit is open after bad keys, a block or a 429 (its outcome's error). */
export class CircuitOpenError extends Error {
  override readonly name = "CircuitOpenError";
}

/** A queue the worker takes jobs from: its BullMQ worker, and the Job Schedulers it upserted at boot. */
export interface WorkerQueue {
  readonly queue: QueueHandle<unknown>;
  readonly worker: WorkerHandle;
  /** The scheduler ids this worker keeps on the queue (e.g. `poll:A00012345:ordersheets`). */
  readonly schedulerIds: readonly string[];
}

/** A running worker: its connections, schedulers and BullMQ worker. */
export interface WorkerApp {
  readonly prisma: PrismaClient;
  readonly backend: QueueFactory["kind"];
  /** Where it reports; `StartOptions.events` when given. */
  readonly events: WorkerEvents;
  /** Its Prometheus metrics (metrics.ts); the HTTP server serves `metrics.registry` at `/metrics`. */
  readonly metrics: WorkerMetrics;
  /** Its queues (poll, reconcile, resync, retention, outbound): what readiness checks and the dashboard shows. */
  readonly queues: readonly WorkerQueue[];
  /** API calls made per vendor since start (every attempt, including failed ones). */
  apiCalls(vendorId: string): number;
  /**
   * Queues a poll of (vendor, stream) now, beside the schedule.
   * @throws Error naming the queue backend (Redis or Postgres, host:port) when it is unreachable:
   *   at once, not after a wait.
   */
  pollNow(vendorId: string, stream?: Stream): Promise<void>;
  /**
   * Starts (or returns the running) resync of a vendor's streams over an explicit range: child
   * jobs on the low-priority `resync` queue, live checkpoints untouched (@cos/ops
   * `requestResync`, as the CLI starts one).
   * @throws ResyncRequestError for a bad request or a vendor this worker does not know.
   */
  startResync(request: ResyncRequest): Promise<{ resync: ResyncRecord; created: boolean }>;
  /** Cancels a running resync and removes its queued window jobs; null for an unknown id. */
  cancelResync(id: bigint): Promise<ResyncRecord | null>;
  /** A resync's progress (windows done of total, pages, API calls, rows, rejected; in all and per
   * stream, API calls counting the resync's own HTTP attempts) and final report. */
  resyncProgress(id: bigint): Promise<ResyncRecord | null>;
  /**
   * THE TypeScript entry point for an outbound command (packages/outbox `enqueueCommand`: checked,
   * stored once per dedupe key), followed at once by a drain of its vendor. Returns the stored
   * command, or the existing one with the same dedupe key (`created: false`).
   * A queue backend that is away does not fail it (the command is stored; the drain scheduler
   * sends it once the backend is back).
   * @throws OutboxCommandError for an invalid command or a vendor this worker does not know;
   *   Error naming Postgres and DATABASE_URL's host at once when Postgres cannot be reached.
   */
  enqueueCommand(input: CommandInput): Promise<{ command: OutboxCommandRecord; created: boolean }>;
  /** Stops listening for outbound commands and taking jobs, lets the running poll stop at its next
   * page boundary (and a running drain finish), and closes everything in order. A poll still running
   * at the deadline is abandoned: its cursor resumes it; a drain's claimed commands stay in_flight
   * until their lease ends, and are read back before anything is resent. */
  close(): Promise<void>;
}

/**
 * Connects to Redis for the limiter and checks it once, so a wrong REDIS_URL fails the start with
 * a clear message instead of an endless stream of reconnect errors; warns when Redis could evict
 * queue data (BullMQ needs `maxmemory-policy noeviction`).
 * @throws Error naming REDIS_URL when Redis does not answer within 5 s.
 */
export async function connectRedis(url: string, log: Logger): Promise<Redis> {
  const redis = new Redis(url, { lazyConnect: true, connectTimeout: 5_000, maxRetriesPerRequest: 1 });
  redis.on("error", (err) => log.debug({ err }, "redis connection error"));
  const target = new URL(url);
  const where = `${target.hostname}:${target.port || 6379}`;
  const db = Number(target.pathname.slice(1) || 0);
  try {
    await redis.connect();
    await redis.ping();
  } catch (err) {
    redis.disconnect();
    throw new Error(`cannot reach Redis at REDIS_URL (${where}): ${(err as Error).message}`, { cause: err });
  }
  // ioredis reports a refused SELECT only as an 'error' event and goes on in database 0, where
  // the queues would land beside another deployment's. Selected again here, a refusal throws.
  if (db !== 0) {
    try {
      await redis.select(db);
    } catch (err) {
      redis.disconnect();
      throw new Error(
        `cannot use database ${db} of Redis at REDIS_URL (${where}): ${(err as Error).message}`,
        {
          cause: err,
        },
      );
    }
  }
  const policy = (await redis.config("GET", "maxmemory-policy").catch(() => null)) as string[] | null;
  if (policy && policy[1] !== "noeviction") {
    log.warn(
      { policy: policy[1] },
      "Redis maxmemory-policy is not noeviction: queued jobs may be evicted under memory pressure",
    );
  }
  // Without AOF a Redis restart forgets the Job Schedulers and queued jobs. Commands and resync
  // windows live in Postgres, but polling waits for the worker's next start to re-create them.
  const aof = (await redis.config("GET", "appendonly").catch(() => null)) as string[] | null;
  if (aof && aof[1] !== "yes") {
    log.warn(
      "Redis runs without AOF (appendonly no): a Redis restart loses the Job Schedulers and queued jobs until the worker restarts",
    );
  }
  return redis;
}

/** Calls are counted per vendor and Coupang resource, so each stream's poll reports its own. */
function callKey(vendorId: string, resource: string): string {
  return `${vendorId}:${resource}`;
}

/** The resources a stream's poll calls: its own list, and for withdrawn returns also the lookup
 * by receiptId its `CHECK` makes (coupang-api.md §7). */
function streamResources(stream: string): string[] {
  return stream === RETURN_WITHDRAWALS_STREAM ? [stream, "returnWithdrawList"] : [stream];
}

/** The call-count prefix of resync clients' resources, e.g. `resync/ordersheets`. */
const RESYNC_LANE = "resync/";

/** The resource of a Coupang path, e.g. `ordersheets` of `/v2/…/vendors/A00012345/ordersheets/…`. */
function resourceOf(path: string): string {
  return endpointOf(path).split("/")[0]!;
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
 * no longer configured, and starts processing polls; runs the outbox drain beside them
 * (outbound.ts: `LISTEN coupang_outbox`, a deduplicated drain job per vendor, a safety-net scheduler).
 * Jobs may run before it resolves: see {@link StartOptions.events}.
 * @throws Error when Postgres or the queue backend cannot be reached.
 */
export async function startWorker(
  config: WorkerConfig,
  log: Logger,
  options: StartOptions = {},
): Promise<WorkerApp> {
  const redis = config.redisUrl ? await connectRedis(config.redisUrl, log) : null;
  const prisma = createPrisma(config.databaseUrl, { max: config.dbPoolSize });
  const queues = createQueueFactory(queueBackend(config));
  const events = options.events ?? createWorkerEvents();
  const calls = new Map<string, number>();
  const metrics = createMetrics({ prisma, log, vendorIds: config.vendors.map((v) => v.vendorId) });
  events.on("poll", (o) => metrics.observePoll(o));
  events.on("drain", (o) => metrics.observeDrain(o));
  // One limiter for every client: per vendor inside, and through Redis shared by every worker
  // process of the deployment, so a vendor's calls stay within budget however many run (B-4).
  const limiter: RateLimiter = redis
    ? new RedisRateLimiter({
        redis,
        keyPrefix: `${config.queuePrefix}:rate:`,
        requestsPerSecond: config.requestsPerSecond,
      })
    : new TokenBucketLimiter({ requestsPerSecond: config.requestsPerSecond });
  // `lane` prefixes the resource in the call counts: resyncs call through clients of their own
  // (the same limiter), so a resync window's calls and a live poll's are each counted exactly.
  const clientsFor = (lane: "" | typeof RESYNC_LANE) =>
    vendorClients(config, {
      limiter,
      rateLimitPauseMs: RATE_LIMIT_PAUSE_MS,
      onResponse: (e) => {
        const key = callKey(e.vendorId, lane + resourceOf(e.path));
        calls.set(key, (calls.get(key) ?? 0) + 1);
        metrics.observeCall(e);
        log.debug(
          {
            vendorId: e.vendorId,
            method: e.method,
            path: e.path,
            status: e.statusCode,
            ms: e.durationMs,
          },
          "coupang call",
        );
      },
    });
  const clients = clientsFor("");
  const resyncClients = clientsFor(RESYNC_LANE);

  const pairs = config.vendors.flatMap((v) => STREAMS.map((stream) => ({ vendorId: v.vendorId, stream })));
  await bootEach(config.vendors, (v) =>
    ensureVendorAccount(prisma, { vendorId: v.vendorId, name: v.name ?? null }),
  );

  const inbound: QueueHandle<JobData<"poll">> = queues.queue(JOBS.poll.queue);
  // Once closing, connection errors are the expected echo of our own shutdown (the Postgres
  // backend's sockets outlive close() by a moment): they are not failures.
  let closing: Promise<void> | undefined;
  const onError = (what: string) => (err: Error) => {
    if (!closing) log.error({ err }, what);
  };
  inbound.on("error", onError("inbound queue error"));
  const keep = new Set(pairs.map((p) => pollSchedulerId(p.vendorId, p.stream)));
  await bootEach(pairs, (p) => upsertPollScheduler(inbound, p.vendorId, p.stream, config.pollIntervalMs));
  const removed = await pruneSchedulers(inbound, keep);
  if (removed.length > 0) log.info({ removed }, "removed schedulers of vendors no longer configured");
  // The daily count reconciliation of every stream that has a census (pitfalls M-9).
  const reconcileQueue: QueueHandle<JobData<"reconcile">> = queues.queue(JOBS.reconcile.queue);
  reconcileQueue.on("error", onError("reconcile queue error"));
  const censused = pairs.filter(
    (p) => streamAdapter(p.stream, { source: clients.get(p.vendorId)!, prisma }).reconcile,
  );
  const keepReconcile = new Set(censused.map((p) => reconcileSchedulerId(p.vendorId, p.stream)));
  await bootEach(censused, (p) =>
    upsertReconcileScheduler(reconcileQueue, p.vendorId, p.stream, config.reconcile.hourKst),
  );
  const removedReconcile = await pruneSchedulers(reconcileQueue, keepReconcile);
  if (removedReconcile.length > 0)
    log.info({ removed: removedReconcile }, "removed reconcile schedulers no longer configured");
  // Poll at once rather than at the scheduler's next tick: a restart resumes an interrupted poll
  // now. The lease makes this harmless when the scheduler's own job runs at the same moment, and
  // the deduplication keeps workers booting together from queueing a poll each.
  await bootEach(pairs, (p) =>
    inbound.add(
      JOBS.poll.name,
      parseJobData("poll", { vendorId: p.vendorId, stream: p.stream, trigger: "manual" }),
      bootPollJobOptions(p.vendorId, p.stream),
    ),
  );

  const shutdown = new AbortController();
  /** Per vendor: no calls until `until` (epoch ms), after an error retrying would not heal. */
  const circuits = new Map<string, { until: number; reason: string }>();
  /** The vendor's circuit while it is open. */
  const openCircuit = (vendorId: string) => {
    const open = circuits.get(vendorId);
    return open && open.until > Date.now() ? open : undefined;
  };
  /**
   * Opens the vendor's circuit after bad keys or a block (retrying in seconds would not heal
   * them), and for the limiter's pause after a 429: a job of a paused vendor would otherwise wait
   * the pause out inside the limiter's `acquire`, holding a worker slot, and with a few such jobs
   * every other vendor would starve for the whole pause.
   */
  const tripCircuit = (vendorId: string, err: unknown) => {
    if (err instanceof CoupangError && (err.kind === "auth" || err.kind === "blocked")) {
      circuits.set(vendorId, { until: Date.now() + config.circuitOpenMs, reason: err.message });
    } else if (err instanceof CoupangRateLimitError) {
      const until = Date.now() + (err.retryAfterMs ?? RATE_LIMIT_PAUSE_MS);
      circuits.set(vendorId, {
        until: Math.max(until, openCircuit(vendorId)?.until ?? 0),
        reason: err.message,
      });
    }
  };
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
    const open = openCircuit(data.vendorId);
    if (open) {
      jobLog.warn(
        { until: new Date(open.until).toISOString(), reason: open.reason },
        "poll skipped: the vendor's circuit is open",
      );
      // Reported as this poll's final failure, so whoever waits on the stream learns why.
      const error = new CircuitOpenError(
        `vendor ${data.vendorId} is not polled until ${new Date(open.until).toISOString()}: ${open.reason}`,
      );
      events.emit("poll", { ok: false, vendorId: data.vendorId, stream: data.stream, error, final: true });
      return skippedReport(data.vendorId, data.stream);
    }
    try {
      const report = await runStream(
        {
          prisma,
          vendorId: data.vendorId,
          trigger: data.trigger,
          config: config.plan,
          signal: shutdown.signal,
          callCount: () =>
            streamResources(data.stream).reduce((n, r) => n + (calls.get(callKey(data.vendorId, r)) ?? 0), 0),
        },
        streamAdapter(data.stream, { source: client, prisma }),
      );
      if (report.outcome === "skipped") jobLog.info("poll skipped: another poll of this stream is running");
      else jobLog.info({ report: { ...report, runId: report.runId?.toString() } }, "poll finished");
      events.emit("poll", { ok: true, vendorId: data.vendorId, stream: data.stream, report });
      return report;
    } catch (err) {
      const error = err instanceof Error ? err : new Error(String(err));
      // Auth, data and block errors do not heal by retrying in seconds: this poll fails for good
      // (no retry storm), and after bad keys or a block the vendor's circuit opens, whatever else
      // queues a poll (the schedule, a restart, an operator). Other vendors go on.
      const unrecoverable = err instanceof CoupangError && !err.retryable;
      tripCircuit(data.vendorId, err);
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
  metrics.watchWorker(worker);

  const resyncQueue: QueueHandle<JobData<"resyncWindow">> = queues.queue(JOBS.resyncWindow.queue);
  resyncQueue.on("error", onError("resync queue error"));
  const resyncWorker: WorkerHandle = queues.worker<JobData<"resyncWindow">>(
    JOBS.resyncWindow.queue,
    async (job) => {
      const data = parseJobData("resyncWindow", job.data);
      const client = resyncClients.get(data.vendorId);
      if (!client) throw new UnrecoverableError(`vendor ${data.vendorId} is not configured in this worker`);
      // runResyncWindow builds the window's stream adapter on this client; one window at a time
      // (concurrency 1) makes the vendor's resync lane count this window's calls exactly.
      const resync = await runResyncWindow({
        prisma,
        source: client,
        job: data,
        signal: shutdown.signal,
        callCount: () =>
          [...calls].reduce(
            (n, [key, count]) => (key.startsWith(callKey(data.vendorId, RESYNC_LANE)) ? n + count : n),
            0,
          ),
      }).catch(async (err: unknown) => {
        const unrecoverable = err instanceof CoupangError && !err.retryable;
        if (unrecoverable || job.attemptsMade + 1 >= (job.opts.attempts ?? 1)) {
          const message = err instanceof Error ? err.message : String(err);
          await failResync(prisma, { resyncId: BigInt(data.resyncId), index: data.index, error: message });
          // Its other windows would only be taken to end without a call: off the queue with them.
          await cancelResyncRun(prisma, BigInt(data.resyncId), resyncDequeue(resyncQueue)).catch(
            (e: unknown) => log.warn({ err: e, resyncId: data.resyncId }, "resync windows not dequeued"),
          );
          log.error({ err, resyncId: data.resyncId, window: data.index }, "resync failed");
          throw new UnrecoverableError(message);
        }
        throw err;
      });
      if (resync?.status === "completed")
        log.info({ resyncId: data.resyncId, report: resync.report }, "resync completed");
      return { status: resync?.status ?? "unknown", windowsDone: resync?.windowsDone ?? 0 };
    },
    { concurrency: 1, lockDuration: 60_000 },
  );
  resyncWorker.on("error", onError("resync worker error"));
  metrics.watchWorker(resyncWorker);

  const reconcileWorker: WorkerHandle = queues.worker<JobData<"reconcile">>(
    JOBS.reconcile.queue,
    async (job) => {
      const data = parseJobData("reconcile", job.data);
      const jobLog = log.child({
        queue: JOBS.reconcile.queue,
        jobId: job.id,
        vendorId: data.vendorId,
        stream: data.stream,
      });
      const client = clients.get(data.vendorId);
      if (!client) throw new UnrecoverableError(`vendor ${data.vendorId} is not configured in this worker`);
      const open = openCircuit(data.vendorId);
      if (open) {
        jobLog.warn(
          { until: new Date(open.until).toISOString(), reason: open.reason },
          "reconciliation skipped: the vendor's circuit is open",
        );
        return { outcome: "skipped", reason: `the vendor's circuit is open: ${open.reason}` };
      }
      try {
        const report = await reconcileStream({
          prisma,
          vendorId: data.vendorId,
          adapter: streamAdapter(data.stream, { source: client, prisma }),
          days: config.reconcile.days,
          signal: shutdown.signal,
        });
        const summary = { ...report, gaps: report.gaps.map((g) => ({ ...g, id: g.id.toString() })) };
        if (report.gapsOpen > 0) jobLog.warn({ report: summary }, "reconciliation left gaps open");
        else jobLog.info({ report: summary }, `reconciliation ${report.outcome}`);
        // BullMQ stores the return value as JSON: bigint does not serialize.
        return summary;
      } catch (err) {
        tripCircuit(data.vendorId, err);
        jobLog.error({ err }, "reconciliation failed");
        throw err instanceof CoupangError && !err.retryable ? new UnrecoverableError(err.message) : err;
      }
    },
    { concurrency: 1, lockDuration: 60_000 },
  );
  reconcileWorker.on("error", onError("reconcile worker error"));
  metrics.watchWorker(reconcileWorker);

  const retention = await startRetention({ config, prisma, queues, log, onError });
  metrics.watchWorker(retention.worker);

  const outbound = await startOutbound({
    config,
    prisma,
    queues,
    clients,
    openCircuit,
    tripCircuit,
    log,
    onError,
    onDrain: (outcome) => events.emit("drain", outcome),
  });
  metrics.watchWorker(outbound.worker);

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
    metrics,
    queues: [
      { queue: inbound, worker, schedulerIds: [...keep] },
      { queue: reconcileQueue, worker: reconcileWorker, schedulerIds: [...keepReconcile] },
      { queue: resyncQueue, worker: resyncWorker, schedulerIds: [] },
      { queue: retention.queue, worker: retention.worker, schedulerIds: retention.schedulerIds },
      { queue: outbound.queue, worker: outbound.worker, schedulerIds: outbound.schedulerIds },
    ],
    apiCalls: (vendorId) =>
      [...calls].reduce((n, [key, count]) => (key.startsWith(`${vendorId}:`) ? n + count : n), 0),
    async pollNow(vendorId, stream = "ordersheets") {
      const data = parseJobData("poll", { vendorId, stream, trigger: "manual" });
      await inbound.add(JOBS.poll.name, data, JOBS.poll.opts).catch((err: unknown) => {
        // ioredis's own message ("Stream isn't writeable…") does not say which service is away.
        const backend = config.redisUrl
          ? `Redis at REDIS_URL (${new URL(config.redisUrl).host})`
          : `Postgres at DATABASE_URL (${new URL(config.databaseUrl).host})`;
        throw new Error(`cannot queue the poll on ${backend}: ${(err as Error).message}`, { cause: err });
      });
    },
    startResync: (request) => requestResync({ prisma, queue: resyncQueue, sources: resyncClients }, request),
    cancelResync: (id) => cancelResyncRun(prisma, id, resyncDequeue(resyncQueue)),
    resyncProgress: (id) => resyncProgress(prisma, id),
    enqueueCommand: (input) => outbound.enqueueCommand(input),
    close() {
      closing ??= (async () => {
        shutdown.abort();
        await outbound.stopListening();
        const deadline = new Promise<"timeout">((r) =>
          setTimeout(() => r("timeout"), config.shutdownTimeoutMs).unref(),
        );
        const workersClosed = Promise.all([
          worker.close(),
          resyncWorker.close(),
          reconcileWorker.close(),
          retention.worker.close(),
          outbound.worker.close(),
        ]);
        if ((await Promise.race([workersClosed, deadline])) === "timeout") {
          log.warn(
            { timeoutMs: config.shutdownTimeoutMs },
            "shutdown deadline passed; abandoning the running jobs",
          );
          // Closing the clients fails their calls now, those in flight and those waiting out a
          // vendor's pause in the limiter, so the jobs end (a poll's cursor resumes it on the
          // next start) rather than write after the database is gone. BullMQ's close(true) is no
          // way out: once close() has begun, it returns that same unforced close.
          for (const client of [...clients.values(), ...resyncClients.values()]) client.close();
          const grace = new Promise<"timeout">((r) =>
            setTimeout(() => r("timeout"), ABANDON_GRACE_MS).unref(),
          );
          if ((await Promise.race([workersClosed, grace])) === "timeout") {
            log.error(
              { timeoutMs: ABANDON_GRACE_MS },
              "jobs still running after their calls failed; closing the connections under them",
            );
          }
        }
        await inbound.close();
        await resyncQueue.close();
        await reconcileQueue.close();
        await retention.queue.close();
        await outbound.closeQueue();
        await queues.close();
        for (const client of [...clients.values(), ...resyncClients.values()]) client.close();
        await redis?.quit().catch(() => {});
        await prisma.$disconnect();
        log.info("worker stopped");
      })();
      return closing;
    },
  };
}

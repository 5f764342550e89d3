import {
  listen,
  OUTBOX_CHANNEL,
  pendingCommandsOfOtherVendors,
  type OutboxCommandKind,
  type OutboxCommandRecord,
  type PrismaClient,
} from "@cos/db";
import { isUnavailableError } from "@cos/ops";
import {
  drainOutbox,
  enqueueCommand,
  OutboxCommandError,
  type CommandInput,
  type DrainOutboxResult,
  type OutboxClient,
  type RetryPolicy,
} from "@cos/outbox";
import {
  drainJobOptions,
  drainSchedulerId,
  JOBS,
  parseJobData,
  pruneSchedulers,
  UnrecoverableError,
  upsertDrainScheduler,
  type JobData,
  type QueueFactory,
  type QueueHandle,
  type WorkerHandle,
} from "@cos/queue";
import type { WorkerConfig } from "./config.js";
import type { Logger } from "./logger.js";
import { bootEach } from "./boot.js";

/** Emitted after every drain job of a vendor (not after a scheduler's tick), for tests and metrics. */
export type DrainOutcome =
  | { vendorId: string; outcome: "drained"; result: DrainOutboxResult }
  | { vendorId: string; outcome: "skipped"; reason: string };

/** What {@link startOutbound} needs from the worker it runs in. */
export interface OutboundOptions {
  config: Pick<WorkerConfig, "databaseUrl" | "vendors" | "outbox">;
  prisma: PrismaClient;
  queues: QueueFactory;
  /** The vendors' clients: the polls' own, so one limiter paces (and a 429 pauses) both. */
  clients: ReadonlyMap<string, OutboxClient>;
  /** The vendor's circuit while it is open (after bad keys or a block), as the polls see it. */
  openCircuit(vendorId: string): { until: number; reason: string } | undefined;
  /** Opens the vendor's circuit after an error retrying would not heal (bad keys, a block), or for a 429's pause. */
  tripCircuit(vendorId: string, err: unknown): void;
  log: Logger;
  /** Logs an error event of `what` unless the worker is shutting down. */
  onError(what: string): (err: Error) => void;
  onDrain(outcome: DrainOutcome): void;
}

/** The outbound side of a running worker: the drain queue and worker, and the LISTEN connection. */
export interface Outbound {
  /** The `outbound` queue's worker; closed by the caller with the others, within the shutdown deadline. */
  readonly worker: WorkerHandle;
  /** The `outbound` queue (for readiness and the dashboard) and the ids of its drain schedulers. */
  readonly queue: QueueHandle<JobData<"drain">>;
  readonly schedulerIds: readonly string[];
  /** Queues a drain of the vendor (deduplicated: one waiting, one follow-up of a running one). */
  requestDrain(vendorId: string): Promise<void>;
  /**
   * packages/outbox `enqueueCommand`, then a drain of the command's vendor (when the queue
   * backend is away, the drain scheduler sends the stored command once it is back).
   * @throws OutboxCommandError for an invalid command or a vendor this worker does not drain;
   *   Error naming Postgres and DATABASE_URL's host at once when Postgres cannot be reached.
   */
  enqueueCommand(input: CommandInput): Promise<{ command: OutboxCommandRecord; created: boolean }>;
  /** Ends the LISTEN connection: no drain is asked for after it. */
  stopListening(): Promise<void>;
  /** Closes the `outbound` queue, once the worker is closed. */
  closeQueue(): Promise<void>;
}

/**
 * Runs the outbox inside the worker (issue 6; docs/database.md "Outbound commands"):
 * - one drain job per vendor at a time on the `outbound` queue (`drainJobOptions`), running
 *   `drainOutbox` with the vendor's client, skipped while the vendor's circuit is open (the
 *   commands wait, unclaimed); a drain that claimed anything asks for another at once, since more
 *   may be due;
 * - `LISTEN coupang_outbox` on a dedicated connection: a committed insert (by a consumer's SQL or
 *   `enqueueCommand`) asks for its vendor's drain within a moment; on every (re)connection, the
 *   first included, every vendor is drained, which picks up what was missed meanwhile;
 * - a scheduler per vendor every `OUTBOX_DRAIN_INTERVAL_SECONDS` for retries coming due (their
 *   `next_attempt_at`), re-armed commands and leases that ran out; the boot prune removes those of
 *   vendors no longer configured;
 * - pending commands of a vendor with a `vendor_accounts` row but not configured here are never
 *   sent by this worker: at the start, and on the first vendor's scheduler ticks when a count
 *   changed, a warning names each such vendor with its count of pending commands.
 * @throws Error when the queue backend or the LISTEN connection cannot be reached.
 */
export async function startOutbound(options: OutboundOptions): Promise<Outbound> {
  const { config, prisma, clients, log } = options;
  const queue: QueueHandle<JobData<"drain">> = options.queues.queue(JOBS.drain.queue);
  queue.on("error", options.onError("outbound queue error"));
  const keep = new Set(config.vendors.map((v) => drainSchedulerId(v.vendorId)));
  await bootEach(config.vendors, (v) =>
    upsertDrainScheduler(queue, v.vendorId, config.outbox.drainIntervalMs),
  );
  const removed = await pruneSchedulers(queue, keep);
  if (removed.length > 0) log.info({ removed }, "removed drain schedulers of vendors no longer configured");

  const requestDrain = async (vendorId: string): Promise<void> => {
    await queue.add(JOBS.drain.name, parseJobData("drain", { vendorId }), drainJobOptions(vendorId));
  };
  // Commands nobody here will send must not wait in silence; a count already told is not repeated.
  const told = new Map<string, number>();
  const warnUndrained = async (): Promise<void> => {
    const undrained = await pendingCommandsOfOtherVendors(
      prisma,
      config.vendors.map((v) => v.vendorId),
    );
    for (const [vendorId] of told) if (!undrained.some((u) => u.vendorId === vendorId)) told.delete(vendorId);
    for (const { vendorId, pending } of undrained) {
      if (told.get(vendorId) === pending) continue;
      told.set(vendorId, pending);
      log.warn(
        { vendorId, pending },
        `vendor ${vendorId} has ${pending} pending outbox commands but is not configured in this worker: they are not sent`,
      );
    }
  };
  const warnFailed = options.onError("cannot count the pending commands of vendors not configured");
  await warnUndrained().catch(warnFailed);
  const retry = Object.fromEntries(
    Object.entries(config.outbox.maxAttempts).map(([kind, maxAttempts]) => [kind, { maxAttempts }]),
  ) as Partial<Record<OutboxCommandKind, Partial<RetryPolicy>>>;

  const worker: WorkerHandle = options.queues.worker<JobData<"drain">>(
    JOBS.drain.queue,
    async (job) => {
      const { vendorId } = parseJobData("drain", job.data);
      // A scheduler's tick is not deduplicated: it asks for the vendor's drain job instead of
      // draining beside one.
      if (job.repeatJobKey !== undefined) {
        await requestDrain(vendorId);
        if (vendorId === config.vendors[0]?.vendorId) await warnUndrained().catch(warnFailed);
        return { outcome: "woken" };
      }
      const jobLog = log.child({ queue: JOBS.drain.queue, jobId: job.id, vendorId });
      const client = clients.get(vendorId);
      if (!client) throw new UnrecoverableError(`vendor ${vendorId} is not configured in this worker`);
      const open = options.openCircuit(vendorId);
      if (open) {
        const until = new Date(open.until).toISOString();
        jobLog.warn({ until, reason: open.reason }, "drain skipped: the vendor's circuit is open");
        const reason = `the vendor's circuit is open until ${until}: ${open.reason}`;
        options.onDrain({ vendorId, outcome: "skipped", reason });
        return { outcome: "skipped", reason };
      }
      const result = await drainOutbox({ prisma, client, vendorId, retry, leaseMs: config.outbox.leaseMs });
      // Bad keys or a block stop polls and drains alike, whichever meets them first.
      if (result.stoppedBy) options.tripCircuit(vendorId, result.stoppedBy);
      if (result.claimed > 0) {
        jobLog.info({ result }, "drain finished");
        await requestDrain(vendorId);
      }
      options.onDrain({ vendorId, outcome: "drained", result });
      // BullMQ stores the return value as JSON.
      return {
        outcome: "drained",
        ...result,
        pausedUntil: result.pausedUntil?.toISOString() ?? null,
        stoppedBy: result.stoppedBy?.message ?? null,
      };
    },
    // Each vendor drains one job at a time (deduplicated), so more slots only serve more vendors.
    // The drain job of a worker that died blocks its vendor's drains until it is found stalled
    // (its lock expired, then a check): no later than its commands' lease runs out, nor 90 s.
    {
      concurrency: Math.max(1, config.vendors.length),
      lockDuration: Math.min(60_000, config.outbox.leaseMs),
      stalledInterval: Math.min(30_000, config.outbox.leaseMs / 2),
    },
  );
  worker.on("error", options.onError("outbound worker error"));

  const listener = await listen(config.databaseUrl, OUTBOX_CHANNEL, {
    onNotify: (vendorId) => {
      // Another deployment's vendor in the same database is not ours to drain.
      if (!clients.has(vendorId)) return;
      requestDrain(vendorId).catch(options.onError(`cannot queue the drain of ${vendorId}`));
    },
    onListen: () => {
      for (const v of config.vendors)
        requestDrain(v.vendorId).catch(options.onError(`cannot queue the drain of ${v.vendorId}`));
    },
    onError: (err) => log.warn({ err }, `the LISTEN ${OUTBOX_CHANNEL} connection failed; reconnecting`),
  }).catch(async (err: unknown) => {
    await worker.close(true);
    await queue.close();
    throw err;
  });

  return {
    worker,
    queue,
    schedulerIds: [...keep],
    requestDrain,
    async enqueueCommand(input) {
      if (!clients.has(input.vendorId)) {
        throw new OutboxCommandError("vendorId", input.vendorId, "not configured in this worker");
      }
      const stored = await enqueueCommand(prisma, input).catch((err: unknown) => {
        // Prisma's message ("Can't reach database server at …") does not name the service.
        if (!isUnavailableError(err)) throw err;
        const reason = (err as Error).message.trim().split("\n").at(-1)!;
        throw new Error(
          `cannot reach Postgres at DATABASE_URL (${new URL(config.databaseUrl).host}): ${reason}`,
          { cause: err },
        );
      });
      // The insert's NOTIFY asks too; asking here does not depend on the LISTEN connection. The
      // command is stored: while the queue backend is away (a Redis restart, whose producer
      // connection fails at once) the drain scheduler sends it once it is back, so the caller
      // must not see a failure and retry.
      await requestDrain(input.vendorId).catch((err: unknown) =>
        log.warn({ err, vendorId: input.vendorId }, "command stored; its drain waits for the queue backend"),
      );
      return stored;
    },
    stopListening: () => listener.close(),
    closeQueue: () => queue.close(),
  };
}

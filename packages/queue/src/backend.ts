import {
  createPostgresBackend,
  Queue as RedisQueue,
  Worker as RedisWorker,
  withBackend,
  type Job,
  type JobsOptions,
  type Processor,
  type WorkerOptions,
} from "bullmq";
import { Redis, type RedisOptions } from "ioredis";

/**
 * Where BullMQ keeps its queues.
 * - `redis`: the production default (Redis must run with `noeviction` and AOF).
 * - `postgres`: BullMQ 6's Postgres backend, for single-node deployments and the embedded
 *   default when no REDIS_URL is set. Its tables live in their own schema, beside ours.
 */
export type QueueBackendConfig =
  { kind: "redis"; url: string; prefix: string } | { kind: "postgres"; url: string; schema: string };

/** The subset of a BullMQ Queue this project uses, the same on both backends. */
export interface QueueHandle<D> {
  readonly name: string;
  add(name: string, data: D, opts?: JobsOptions): Promise<Job<D>>;
  upsertJobScheduler(
    id: string,
    /** A fixed interval in ms, or a cron pattern in a time zone (e.g. a KST hour of the day). */
    repeat: { every: number } | { pattern: string; tz: string },
    template: { name: string; data: D; opts?: Omit<JobsOptions, "jobId" | "repeat" | "delay"> },
  ): Promise<unknown>;
  removeJobScheduler(id: string): Promise<boolean>;
  getJobSchedulers(): Promise<
    Array<{
      key: string;
      every?: number | null;
      pattern?: string | null;
      tz?: string | null;
      next?: number | null;
    }>
  >;
  getJobCounts(...types: string[]): Promise<Record<string, number>>;
  /** Removes a job that is not being worked on: 1 when removed, 0 when it is locked (active). */
  remove(jobId: string): Promise<number>;
  on(event: "error", listener: (err: Error) => void): unknown;
  close(): Promise<void>;
}

/** The subset of a BullMQ Worker this project uses. */
export interface WorkerHandle {
  readonly name: string;
  isRunning(): boolean;
  on(event: "error", listener: (err: Error) => void): unknown;
  on(event: "failed", listener: (job: Job | undefined, err: Error) => void): unknown;
  on(event: "completed", listener: (job: Job) => void): unknown;
  close(force?: boolean): Promise<void>;
}

/**
 * Builds queues and workers on the configured backend, with connections by role (style.md §4):
 * producers fail fast instead of queueing commands while Redis is away (`enableOfflineQueue:
 * false`); workers get their own connection with `maxRetriesPerRequest: null`, which BullMQ
 * needs for its blocking reads and which keeps workers alive across a Redis restart (W-3).
 */
export interface QueueFactory {
  readonly kind: QueueBackendConfig["kind"];
  queue<D>(name: string): QueueHandle<D>;
  worker<D>(name: string, processor: Processor<D>, opts: Omit<WorkerOptions, "connection">): WorkerHandle;
  /** Closes the connections this factory opened (queues and workers are closed by their owners). */
  close(): Promise<void>;
}

/**
 * The BullMQ Queue behind a handle of this factory, for a tool that needs BullMQ's own class (the
 * @bull-board dashboard). On either backend a handle is a BullMQ Queue (the Postgres backend's
 * class extends it); the interface only narrows what this project calls.
 * @throws TypeError when the handle is not a BullMQ Queue (e.g. a test double).
 */
export function bullQueue<D>(handle: QueueHandle<D>): RedisQueue<D> {
  if (!(handle instanceof RedisQueue)) throw new TypeError(`queue ${handle.name}: not a BullMQ Queue`);
  return handle as RedisQueue<D>;
}

/**
 * Creates the factory for a backend. Nothing connects until a queue or worker is created.
 * @throws Error when the Redis URL cannot be parsed.
 */
export function createQueueFactory(config: QueueBackendConfig): QueueFactory {
  return config.kind === "redis" ? redisFactory(config) : postgresFactory(config);
}

function redisFactory(config: Extract<QueueBackendConfig, { kind: "redis" }>): QueueFactory {
  const base: RedisOptions = { lazyConnect: false, connectionName: "coupang-sync" };
  const producer = new Redis(config.url, { ...base, enableOfflineQueue: false, maxRetriesPerRequest: 1 });
  // An error listener is required: ioredis re-emits connection errors, and an unhandled
  // 'error' event would crash the process during a Redis restart.
  producer.on("error", () => {});
  const workerConnections: Redis[] = [];
  return {
    kind: "redis",
    queue<D>(name: string) {
      return new RedisQueue<D>(name, {
        connection: producer,
        prefix: config.prefix,
      }) as unknown as QueueHandle<D>;
    },
    worker<D>(name: string, processor: Processor<D>, opts: Omit<WorkerOptions, "connection">) {
      const connection = new Redis(config.url, { ...base, maxRetriesPerRequest: null });
      connection.on("error", () => {});
      workerConnections.push(connection);
      return new RedisWorker<D>(name, processor, { ...opts, connection, prefix: config.prefix });
    },
    async close() {
      await Promise.allSettled([producer, ...workerConnections].map((c) => c.quit()));
    },
  };
}

function postgresFactory(config: Extract<QueueBackendConfig, { kind: "postgres" }>): QueueFactory {
  const { Queue, Worker } = withBackend(createPostgresBackend);
  const connection = { connectionString: config.url, schema: config.schema, migrate: true };
  return {
    kind: "postgres",
    queue<D>(name: string) {
      return new Queue<D>(name, { connection }) as unknown as QueueHandle<D>;
    },
    worker<D>(name: string, processor: Processor<D>, opts: Omit<WorkerOptions, "connection">) {
      return new Worker<D>(name, processor, { ...opts, connection });
    },
    async close() {},
  };
}

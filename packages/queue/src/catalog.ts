import { z } from "zod";
import type { JobsOptions } from "bullmq";

/** The inbound streams a vendor is polled for, each with its own scheduler (packages/sync). */
export const STREAMS = [
  "ordersheets",
  "returnRequests",
  "exchangeRequests",
  "returnWithdrawRequests",
] as const;
export type Stream = (typeof STREAMS)[number];

/** Coupang vendorIds look like `A00012345`; anything else in job data is a bug upstream. */
const vendorId = z.string().regex(/^[A-Za-z0-9]{1,32}$/, "a Coupang vendorId such as A00012345");

/**
 * One typed entry per job kind: its queue, the zod schema of its data (checked when added and
 * again when processed), and its retry policy. Job data carries IDs only — never credentials,
 * never payloads — so nothing secret sits in the queue backend.
 */
export const JOBS = {
  poll: {
    queue: "inbound",
    name: "poll",
    data: z.object({ vendorId, stream: z.enum(STREAMS), trigger: z.enum(["schedule", "manual"]) }),
    // The next scheduled poll is the real retry; a couple of quick attempts cover a transient
    // failure without waiting a whole interval. Auth and data errors skip these (Unrecoverable).
    opts: {
      attempts: 3,
      backoff: { type: "exponential", delay: 5_000 },
      removeOnComplete: { age: 3_600, count: 1_000 },
      removeOnFail: { age: 7 * 24 * 3_600, count: 5_000 },
    } satisfies JobsOptions,
  },
  resyncWindow: {
    // Its own queue, worked one job at a time per process, so a long resync never delays polls.
    queue: "resync",
    name: "resync-window",
    data: z.object({ resyncId: z.string().regex(/^\d+$/), index: z.number().int().min(0), vendorId }),
    opts: {
      attempts: 5,
      backoff: { type: "exponential", delay: 30_000 },
      removeOnComplete: { age: 24 * 3_600, count: 10_000 },
      removeOnFail: { age: 7 * 24 * 3_600, count: 10_000 },
    } satisfies JobsOptions,
  },
  reconcile: {
    // The daily count reconciliation (pitfalls M-9) lists weeks of days per stream: its own queue,
    // one job at a time per process, so it never takes a poll's slot nor waits behind a resync.
    queue: "reconcile",
    name: "reconcile",
    data: z.object({ vendorId, stream: z.enum(STREAMS) }),
    // The next day's run is the real retry; a few spaced attempts cover a bad hour.
    opts: {
      attempts: 3,
      backoff: { type: "exponential", delay: 60_000 },
      removeOnComplete: { age: 7 * 24 * 3_600, count: 1_000 },
      removeOnFail: { age: 30 * 24 * 3_600, count: 1_000 },
    } satisfies JobsOptions,
  },
  retention: {
    // PII retention (@cos/db `erasePersonalData`) over every vendor's closed orders and claims,
    // daily: its own queue, one job at a time per process. The days come from the worker's
    // setting when the job runs, so the job carries nothing.
    queue: "retention",
    name: "retention",
    data: z.object({ trigger: z.enum(["schedule", "manual"]) }),
    // The next day's run is the real retry; erased batches stay erased, so a retry resumes.
    opts: {
      attempts: 3,
      backoff: { type: "exponential", delay: 60_000 },
      removeOnComplete: { age: 30 * 24 * 3_600, count: 100 },
      removeOnFail: { age: 30 * 24 * 3_600, count: 100 },
    } satisfies JobsOptions,
  },
  drain: {
    // Outbound commands (packages/outbox `drainOutbox`): their own queue, so a seller's
    // acknowledgement never waits behind a backfill. The command rows are the source of truth;
    // the job only says which vendor to drain.
    queue: "outbound",
    name: "drain",
    data: z.object({ vendorId }),
    // drainOutbox handles Coupang's errors itself; what throws is the database, which a few quick
    // tries cover. The scheduler's next tick is the real retry.
    opts: {
      attempts: 3,
      backoff: { type: "exponential", delay: 1_000 },
      removeOnComplete: { age: 3_600, count: 1_000 },
      removeOnFail: { age: 7 * 24 * 3_600, count: 5_000 },
    } satisfies JobsOptions,
  },
} as const;

/**
 * The options of a vendor's drain job: {@link JOBS}.drain's policy, deduplicated per vendor across
 * the deployment. While a drain job waits, asking again adds nothing; while one runs, asking again
 * keeps one follow-up that starts when it ends (`keepLastIfActive`). So a vendor never has two
 * drains at once (they could send two invoice commands of one box together), and a command
 * inserted during a drain is never left behind by it.
 */
export function drainJobOptions(vendorId: string): JobsOptions {
  return { ...JOBS.drain.opts, deduplication: { id: `drain:${vendorId}`, keepLastIfActive: true } };
}

/**
 * Options of the poll a worker queues for (vendor, stream) at boot, deduplicated across the
 * deployment: while one boot poll of the pair waits or runs, another worker's boot adds nothing.
 * Without it, P processes booting together queue P polls of every pair (4,000 × P for 1,000
 * vendors), and the schedulers' polls wait behind that backlog for minutes (BENCHMARKS.md §7).
 */
export function bootPollJobOptions(vendorId: string, stream: Stream): JobsOptions {
  return { ...JOBS.poll.opts, deduplication: { id: `boot:${vendorId}:${stream}` } };
}

/** The id of a resync window's job: one per window, so asking twice never queues it twice. */
export function resyncJobId(resyncId: string, index: number): string {
  return `resync-${resyncId}-${index}`;
}

export type JobKind = keyof typeof JOBS;
export type JobData<K extends JobKind> = z.infer<(typeof JOBS)[K]["data"]>;

/**
 * Validates job data against the catalog.
 * @throws Error naming the job kind and the offending field.
 */
export function parseJobData<K extends JobKind>(kind: K, data: unknown): JobData<K> {
  const result = JOBS[kind].data.safeParse(data);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new Error(
      `invalid ${kind} job data: ${issue?.path.join(".") || "(root)"}: ${issue?.message ?? "invalid"} (got ${JSON.stringify(data)})`,
    );
  }
  return result.data as JobData<K>;
}

/** The stable id of the scheduler that reconciles one (vendor, stream) daily; upserted at every boot. */
export function reconcileSchedulerId(vendorId: string, stream: Stream): string {
  return `reconcile:${vendorId}:${stream}`;
}

/** The stable id of the daily PII retention scheduler: one per deployment, upserted at every boot. */
export const RETENTION_SCHEDULER_ID = "retention:daily";

/** The stable id of the scheduler that wakes one vendor's outbox drain; upserted at every boot. */
export function drainSchedulerId(vendorId: string): string {
  return `drain:${vendorId}`;
}

/** The stable id of the scheduler that polls one (vendor, stream); upserted at every boot. */
export function pollSchedulerId(vendorId: string, stream: Stream): string {
  return `poll:${vendorId}:${stream}`;
}

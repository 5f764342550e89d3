// Benchmark 6, queue backends (issue 8 §6): the same sync on BullMQ's Redis backend and on its
// Postgres backend, side by side, in one run on one machine.
//  (a) The worker daemon (apps/worker/src/main.ts, a process of its own) syncs a simulated world
//      of several vendors from empty until the database holds the simulator's ground truth, then
//      is restarted and polls on in steady state; per phase and backend: the time, the poll jobs
//      run, the worker's CPU, and what the queue cost the stores (Redis commands and CPU; Postgres
//      transactions, rows written and backend CPU).
//  (b) The queue alone, through `createQueueFactory` as the worker builds it: enqueue→start
//      latency of paced no-op jobs, jobs/s of a burst, and a 1 s Job Scheduler's tick intervals.
// Each backend starts clean: a scratch database of its own, a queue prefix of its own, and a
// redis-server of this benchmark's own (AOF and noeviction, as the README requires), so Redis's
// counters are the benchmark's alone on a machine whose shared Redis other processes use.
// Usage: npm run bench:queues -- --help
import { randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { Redis } from "ioredis";
import type pg from "pg";
import { derivedVendors, startSimulator, type Simulator } from "@cos/coupang-sim";
import {
  createQueueFactory,
  JOBS,
  STREAMS,
  type Job,
  type QueueBackendConfig,
  type QueueFactory,
} from "@cos/queue";
import { loadConfig, queueBackend } from "@cos/worker";
import { startDaemon } from "../test/support/daemon.js";
import { compareStreams } from "../test/support/ground-truth.js";
import { freePort, ownRedis, type OwnRedis } from "../test/support/own-redis.js";
import { workerEnv } from "../test/support/worker-env.js";
import { processCpuSeconds } from "./support/processes.js";
import {
  finishMachineInfo,
  openBenchDatabase,
  percentile,
  perSecond,
  printTable,
  ratio,
  readSettings,
  Stopwatch,
  writeResult,
  type BenchDatabase,
  type MachineInfo,
} from "./support/harness.js";

const settings = readSettings("queues", {
  vendors: { default: 4, help: "vendors in the simulated world (each with its own rate limit)" },
  orders: { default: 5_000, help: "shipment boxes per vendor" },
  days: { default: 14, help: "days the orders are spread over (the backfill covers them)" },
  seed: { default: 42, help: "seed of the simulated world" },
  concurrency: { default: 2, help: "WORKER_CONCURRENCY (the worker's default would be 2 per vendor)" },
  requestsPerSecond: { default: 10, help: "the worker's Coupang calls per second per vendor (at most 10)" },
  pollSeconds: { default: 5, help: "SYNC_POLL_INTERVAL_SECONDS: the backfill goes on over the polls" },
  latencyJobs: { default: 400, help: "paced no-op jobs of the latency run (one every --gap-ms)" },
  gapMs: { default: 25, help: "ms between the latency run's jobs" },
  jobs: { default: 5_000, help: "no-op jobs of the throughput run, added by 8 producers at once" },
  rounds: { default: 2, help: "runs of the worker per backend, in ABBA order" },
  steadySeconds: {
    default: 45,
    help: "seconds the restarted worker runs after the first sync (steady state)",
  },
  tickSeconds: { default: 30, help: "seconds of the 1 s Job Scheduler's run" },
  timeoutSeconds: { default: 900, help: "longest wait for the worker to reach the ground truth" },
});

type Backend = QueueBackendConfig["kind"];
const BACKENDS: readonly Backend[] = ["redis", "postgres"];
/** Producers adding the throughput run's jobs at once, as several processes' polls and drains would. */
const PRODUCERS = 8;

/** Redis's own counters: commands served (INFO itself excepted) and the server's CPU seconds. */
interface RedisCounters {
  commands: number;
  cpuSeconds: number;
}

async function redisCounters(redis: Redis): Promise<RedisCounters> {
  const info = await redis.info("all");
  let commands = 0;
  for (const m of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm))
    if (m[1] !== "info") commands += Number(m[2]);
  const field = (name: string) => Number(new RegExp(`^${name}:([\\d.]+)`, "m").exec(info)?.[1] ?? 0);
  return { commands, cpuSeconds: field("used_cpu_user") + field("used_cpu_sys") };
}

/**
 * The benchmark's own connection to a run's database, counting its statements: each is a
 * transaction of its own, which {@link postgresCounters} takes out of the database's count.
 */
class CountedSql {
  statements = 0;
  constructor(private readonly client: pg.Client) {}

  async rows<R extends pg.QueryResultRow>(text: string): Promise<R[]> {
    this.statements++;
    return (await this.client.query<R>(text)).rows;
  }
}

/** The database's transactions committed and rows written (pg_stat_database), the benchmark's own taken out. */
interface PostgresCounters {
  commits: number;
  rowsWritten: number;
}

/**
 * Reads the run's database's counters. A backend reports its statistics when it exits and, while
 * it lives, within a second or up to a minute of going idle (PG 15): a figure is exact only once
 * the worker's connections have closed, so phases end with the worker's exit or the pools' close.
 */
async function postgresCounters(sql: CountedSql): Promise<PostgresCounters> {
  await sql.rows("SELECT pg_stat_force_next_flush()");
  await sql.rows("SELECT pg_stat_clear_snapshot()");
  // The statements so far are in the count this query reads; this one is not.
  const own = sql.statements;
  const [row] = await sql.rows<PostgresCounters>(
    `SELECT xact_commit::float8 AS commits, (tup_inserted + tup_updated + tup_deleted)::float8 AS "rowsWritten"
       FROM pg_stat_database WHERE datname = current_database()`,
  );
  return { commits: row!.commits - own, rowsWritten: row!.rowsWritten };
}

/**
 * CPU seconds of the database's other backends, by pid (null when Postgres runs on another
 * machine, whose /proc this one cannot read). Backends live as long as their pooled connection,
 * so reading them just before the pools close gives what the pools cost the server.
 */
async function backendCpu(sql: CountedSql): Promise<Map<number, number> | null> {
  const rows = await sql.rows<{ pid: number }>(
    "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()",
  );
  const cpu = new Map<number, number>();
  for (const { pid } of rows) {
    const seconds = processCpuSeconds(pid);
    if (seconds === null) return null;
    cpu.set(pid, seconds);
  }
  return cpu;
}

/** CPU seconds the backends of `after` spent since `before` (all of it for backends started since). */
function backendCpuSpent(
  before: Map<number, number> | null,
  after: Map<number, number> | null,
): number | null {
  if (!before || !after) return null;
  let spent = 0;
  for (const [pid, seconds] of after) spent += seconds - (before.get(pid) ?? 0);
  return round(spent);
}

/** A result row for printTable: a figure that could not be measured (null) prints as "—". */
function printable(row: object): Record<string, string | number | boolean> {
  return Object.fromEntries(
    Object.entries(row).map(([k, v]) => [k, (v as string | number | boolean | null) ?? "—"]),
  );
}

// `|| 0`: a -0 (a difference that rounds to nothing) prints as 0.
const round = (n: number, digits = 3) => Math.round(n * 10 ** digits) / 10 ** digits || 0;

/** Everything a backend's run needs and drops at its end: its database, its queue prefix. */
interface BackendPlace {
  backend: Backend;
  bench: BenchDatabase;
  prefix: string;
  queues: QueueBackendConfig;
}

async function openPlace(backend: Backend, part: string, redis: OwnRedis): Promise<BackendPlace> {
  const bench = await openBenchDatabase(`cos_bench_queues_${part}_${backend}`, 2);
  const prefix = `bq${randomBytes(4).toString("hex")}`;
  const queues: QueueBackendConfig =
    backend === "redis"
      ? { kind: "redis", url: redis.url, prefix }
      : { kind: "postgres", url: bench.url, schema: `${prefix}_bullmq` };
  return { backend, bench, prefix, queues };
}

/** Deletes the run's keys from Redis (its prefix) and drops its database. */
async function closePlace(place: BackendPlace, observer: Redis): Promise<void> {
  const keys: string[] = [];
  for await (const batch of observer.scanStream({ match: `${place.prefix}:*`, count: 1_000 }))
    keys.push(...(batch as string[]));
  for (let at = 0; at < keys.length; at += 1_000) await observer.unlink(...keys.slice(at, at + 1_000));
  await place.bench.close();
}

// ---------------------------------------------------------------------------------------------
// (a) The worker daemon syncing the simulated world

/** What the worker and the stores spent over one phase of a backend's run: one daemon, spawn to exit. */
interface PhaseCost {
  /** From the spawn until the database holds the ground truth (first sync), or until stopped (steady). */
  seconds: number;
  /** From the spawn to the daemon's "worker started" line (tsx, migrations checked, schedulers upserted). */
  bootSeconds: number;
  /** Poll jobs completed and failed on the inbound queue in the phase. */
  pollJobs: number;
  failedPollJobs: number;
  apiCalls: number;
  /** The daemon's CPU from "worker started" on: its boot (mostly tsx transpiling) left out. */
  workerCpuSeconds: number | null;
  /** Commands Redis executed, those inside BullMQ's and the rate limiter's Lua scripts included. */
  redisCommands: number;
  redisCpuSeconds: number;
  /** Transactions committed in the run's database (the benchmark's own left out), and rows written. */
  postgresCommits: number;
  postgresRowsWritten: number;
  /** CPU of the database's backends, i.e. of the daemon's pools; null when /proc cannot show them. */
  postgresBackendCpuSeconds: number | null;
}

/** One backend's run of the worker daemon: a first sync from empty, then a restart in steady state. */
interface SyncRun {
  backend: Backend;
  round: number;
  vendors: number;
  boxes: number;
  firstSync: PhaseCost;
  steady: PhaseCost;
  /** compareStreams over every stream of every vendor after the run: no row missing, extra or different. */
  equalToGroundTruth: boolean;
}

/** Rows per (vendor, kind) the done-check counts, against the ground truth's records. */
const PROGRESS_SQL = `
  SELECT vendor_id::text AS vendor, 'boxes' AS kind, count(*)::int AS n FROM shipment_boxes GROUP BY 1
  UNION ALL SELECT vendor_id::text, 'returns', count(*)::int FROM return_requests GROUP BY 1
  UNION ALL SELECT vendor_id::text, 'withdrawals', count(*)::int FROM return_withdrawals GROUP BY 1
  UNION ALL SELECT vendor_id::text, 'exchanges', count(*)::int FROM exchange_requests GROUP BY 1`;

function truthCounts(sim: Simulator, vendorId: string): Record<string, number> {
  const gt = sim.groundTruth(vendorId);
  return {
    boxes: gt.orders.length,
    returns: gt.returnRequests.length,
    withdrawals: gt.returnWithdrawals.length,
    exchanges: gt.exchanges.length,
  };
}

/** Where a phase runs: the daemon's environment, the counters it is measured with. */
interface PhasePlace {
  env: Record<string, string>;
  sql: CountedSql;
  observer: Redis;
  sim: Simulator;
}

/**
 * Spawns the daemon, lets it run until `until` resolves (from its "worker started" line), stops it
 * with SIGTERM and returns what it spent. The Postgres figures are read after its exit, once its
 * backends have reported their statistics.
 * @throws Error with the daemon's last output when it fails to start or `until` throws.
 */
async function workerPhase(at: PhasePlace, until: (spawnedAt: number) => Promise<void>): Promise<PhaseCost> {
  const jobsBefore = await jobCounts(at.env);
  const redisBefore = await redisCounters(at.observer);
  const postgresBefore = await postgresCounters(at.sql);
  const callsBefore = at.sim.calls().total ?? 0;
  const spawnedAt = performance.now();
  const daemon = startDaemon(at.env);
  try {
    await daemon.waitForOutput(/"msg":"worker started"/, 120_000);
    const bootSeconds = (performance.now() - spawnedAt) / 1000;
    const cpu = () => processCpuSeconds(daemon.pid);
    const bootCpu = cpu();
    await until(spawnedAt);
    const seconds = (performance.now() - spawnedAt) / 1000;
    const endCpu = cpu();
    const backends = await backendCpu(at.sql);
    const redisAfter = await redisCounters(at.observer);
    const calls = (at.sim.calls().total ?? 0) - callsBefore;
    daemon.kill("SIGTERM");
    await daemon.exited;
    const postgresAfter = await postgresCounters(at.sql);
    const jobsAfter = await jobCounts(at.env);
    return {
      seconds: round(seconds, 1),
      bootSeconds: round(bootSeconds, 1),
      pollJobs: jobsAfter.completed - jobsBefore.completed,
      failedPollJobs: jobsAfter.failed - jobsBefore.failed,
      apiCalls: calls,
      workerCpuSeconds: endCpu === null || bootCpu === null ? null : round(endCpu - bootCpu, 2),
      redisCommands: redisAfter.commands - redisBefore.commands,
      redisCpuSeconds: round(redisAfter.cpuSeconds - redisBefore.cpuSeconds, 2),
      postgresCommits: postgresAfter.commits - postgresBefore.commits,
      postgresRowsWritten: postgresAfter.rowsWritten - postgresBefore.rowsWritten,
      postgresBackendCpuSeconds: backendCpuSpent(new Map(), backends),
    };
  } catch (err) {
    console.error(daemon.output().slice(-4_000));
    throw err;
  } finally {
    daemon.kill("SIGKILL");
    await daemon.exited;
  }
}

async function runSync(
  backend: Backend,
  pass: number,
  sim: Simulator,
  redis: OwnRedis,
  observer: Redis,
  dir: string,
): Promise<{ run: SyncRun; machine: MachineInfo }> {
  const vendors = derivedVendors(settings.vendors);
  const place = await openPlace(backend, "sync", redis);
  const sql = new CountedSql(place.bench.sql);
  try {
    const vendorsFile = join(dir, `vendors-${backend}.json`);
    await writeFile(vendorsFile, JSON.stringify(vendors));
    const env = workerEnv(
      {
        db: { url: place.bench.url },
        sim,
        vendor: { vendorsFile },
        queuePrefix: place.prefix,
        redisUrl: backend === "redis" ? redis.url : null,
      },
      {
        COUPANG_REQUESTS_PER_SECOND: String(settings.requestsPerSecond),
        SYNC_POLL_INTERVAL_SECONDS: String(settings.pollSeconds),
        // 600 a minute: a budget of 50 calls a poll at 5 s, so the backfill spans many poll jobs.
        SYNC_CALLS_PER_MINUTE: "600",
        SYNC_BACKFILL_DAYS: String(settings.days + 1),
        WORKER_CONCURRENCY: String(settings.concurrency),
        HTTP_PORT: "off",
        LOG_LEVEL: "info",
      },
    );
    const at: PhasePlace = { env, sql, observer, sim };
    const expected = new Map(vendors.map((v) => [v.vendorId, truthCounts(sim, v.vendorId)]));
    const firstSync = await workerPhase(at, async (spawnedAt) => {
      for (;;) {
        if (performance.now() - spawnedAt > settings.timeoutSeconds * 1000) {
          throw new Error(
            `the ${backend} run did not reach the ground truth in ${settings.timeoutSeconds} s`,
          );
        }
        await sleep(250);
        const rows = await sql.rows<{ vendor: string; kind: string; n: number }>(PROGRESS_SQL);
        const stored = new Map(rows.map((r) => [`${r.vendor} ${r.kind}`, r.n]));
        const done = [...expected].every(([vendorId, counts]) =>
          Object.entries(counts).every(([kind, n]) => (stored.get(`${vendorId} ${kind}`) ?? 0) >= n),
        );
        if (done) return;
      }
    });
    const steady = await workerPhase(at, () => sleep(settings.steadySeconds * 1_000));

    let equal = true;
    for (const v of vendors) {
      const comparison = await compareStreams(place.bench.prisma, sim.groundTruth(v.vendorId), STREAMS);
      equal &&= Object.values(comparison).every((c) => c.equal);
    }
    return {
      machine: place.bench.machine,
      run: {
        backend,
        round: pass,
        vendors: vendors.length,
        boxes: [...expected.values()].reduce((n, c) => n + c.boxes!, 0),
        firstSync,
        steady,
        equalToGroundTruth: equal,
      },
    };
  } finally {
    await closePlace(place, observer);
  }
}

/** The inbound queue's completed and failed poll jobs, read through the worker's own backend choice. */
async function jobCounts(env: Record<string, string>): Promise<{ completed: number; failed: number }> {
  const factory = createQueueFactory(queueBackend(loadConfig(env)));
  const inbound = factory.queue(JOBS.poll.queue);
  try {
    const counts = await inbound.getJobCounts("completed", "failed");
    return { completed: counts.completed ?? 0, failed: counts.failed ?? 0 };
  } finally {
    await inbound.close();
    await factory.close();
  }
}

// ---------------------------------------------------------------------------------------------
// (b) The queue alone

/** One backend's figures of the queue alone. */
interface QueueRun {
  backend: Backend;
  latencyJobs: number;
  /** From just before `add()` to the processor's start, ms. */
  latencyP50Ms: number;
  latencyP99Ms: number;
  latencyMaxMs: number;
  jobs: number;
  /** Until every `add()` of the burst resolved. */
  enqueueSeconds: number;
  /** From the first `add()` until the last job was processed. */
  drainSeconds: number;
  jobsPerSecond: number;
  /** This process (producers and worker) over the burst. */
  clientCpuSeconds: number;
  /** Commands Redis executed a job, those inside BullMQ's Lua scripts included. */
  redisCommandsPerJob: number;
  redisCpuSeconds: number;
  postgresCommitsPerJob: number;
  postgresBackendCpuSeconds: number | null;
  ticks: number;
  tickIntervalP50Ms: number;
  tickIntervalP99Ms: number;
  tickIntervalMaxMs: number;
}

/**
 * A queue and a worker on `factory`, as the worker builds them (the poll jobs' options and the
 * worker's lock), whose processor hands each job to `onJob`; resolves once a first job went
 * through, so the connections (and the Postgres backend's migrations) are in place.
 */
async function noopQueue<D extends object>(
  factory: QueueFactory,
  name: string,
  onJob: (job: Job<D>) => void,
  warmUp: D,
) {
  let warmed: () => void = () => {};
  const ready = new Promise<void>((resolve) => (warmed = resolve));
  let first = true;
  const queue = factory.queue<D>(name);
  const worker = factory.worker<D>(
    name,
    (job) => {
      if (first) {
        first = false;
        warmed();
      } else onJob(job);
      return Promise.resolve();
    },
    { concurrency: settings.concurrency, lockDuration: 60_000 },
  );
  queue.on("error", (err) => console.error(`${name} queue: ${err.message}`));
  worker.on("error", (err) => console.error(`${name} worker: ${err.message}`));
  await queue.add("warm-up", warmUp, JOBS.poll.opts);
  await ready;
  return {
    queue,
    close: async () => {
      await worker.close();
      await queue.close();
    },
  };
}

async function runQueue(backend: Backend, redis: OwnRedis, observer: Redis): Promise<QueueRun> {
  const place = await openPlace(backend, "alone", redis);
  const factory = createQueueFactory(place.queues);
  const sql = new CountedSql(place.bench.sql);
  try {
    // Latency: one job every gapMs, well under either backend's capacity, so no job waits for another.
    const latencies: number[] = [];
    let pending = settings.latencyJobs;
    let allStarted: () => void = () => {};
    const started = new Promise<void>((resolve) => (allStarted = resolve));
    const paced = await noopQueue<{ sentAt: number }>(
      factory,
      "latency",
      (job) => {
        latencies.push(performance.now() - job.data.sentAt);
        if (--pending === 0) allStarted();
      },
      { sentAt: 0 },
    );
    for (let i = 0; i < settings.latencyJobs; i++) {
      await paced.queue.add("noop", { sentAt: performance.now() }, JOBS.poll.opts);
      await sleep(settings.gapMs);
    }
    await started;
    await paced.close();
    latencies.sort((a, b) => a - b);

    // Throughput: a burst from PRODUCERS producers at once; the store's cost per job over it.
    let left = settings.jobs;
    let allDone: () => void = () => {};
    const drained = new Promise<void>((resolve) => (allDone = resolve));
    const burst = await noopQueue<{ n: number }>(
      factory,
      "burst",
      () => {
        if (--left === 0) allDone();
      },
      { n: -1 },
    );
    await sleep(1_500); // the warm-up's statistics reach pg_stat_database
    const redisBefore = await redisCounters(observer);
    const pgBefore = await postgresCounters(sql);
    const cpuBefore = await backendCpu(sql);
    const drain = new Stopwatch();
    let enqueueSeconds = 0;
    await drain.time(async () => {
      const t0 = performance.now();
      let next = 0;
      await Promise.all(
        Array.from({ length: PRODUCERS }, async () => {
          while (next < settings.jobs) await burst.queue.add("noop", { n: next++ }, JOBS.poll.opts);
        }),
      );
      enqueueSeconds = (performance.now() - t0) / 1000;
      await drained;
    });
    const cpuAfter = await backendCpu(sql);
    const redisAfter = await redisCounters(observer);
    await burst.close();
    const pgAfter = await postgresCounters(sql);

    // Ticks: a Job Scheduler every second, as the worker's poll schedulers are (at 60 s).
    const ticks: number[] = [];
    const tick = await noopQueue<Record<string, never>>(factory, "tick", () => ticks.push(Date.now()), {});
    await tick.queue.upsertJobScheduler("tick", { every: 1_000 }, { name: "tick", data: {} });
    await sleep(settings.tickSeconds * 1_000);
    await tick.queue.removeJobScheduler("tick");
    await tick.close();
    const intervals = ticks
      .slice(1)
      .map((t, i) => t - ticks[i]!)
      .sort((a, b) => a - b);

    return {
      backend,
      latencyJobs: latencies.length,
      latencyP50Ms: round(percentile(latencies, 0.5), 1),
      latencyP99Ms: round(percentile(latencies, 0.99), 1),
      latencyMaxMs: round(latencies.at(-1) ?? 0, 1),
      jobs: settings.jobs,
      enqueueSeconds: round(enqueueSeconds, 2),
      drainSeconds: round(drain.seconds, 2),
      jobsPerSecond: perSecond(settings.jobs, drain.seconds),
      clientCpuSeconds: round(drain.cpuSeconds, 2),
      redisCommandsPerJob: round((redisAfter.commands - redisBefore.commands) / settings.jobs, 1),
      redisCpuSeconds: round(redisAfter.cpuSeconds - redisBefore.cpuSeconds, 2),
      postgresCommitsPerJob: round((pgAfter.commits - pgBefore.commits) / settings.jobs, 1),
      postgresBackendCpuSeconds: backendCpuSpent(cpuBefore, cpuAfter),
      ticks: ticks.length,
      tickIntervalP50Ms: percentile(intervals, 0.5),
      tickIntervalP99Ms: percentile(intervals, 0.99),
      tickIntervalMaxMs: intervals.at(-1) ?? 0,
    };
  } finally {
    await factory.close();
    await closePlace(place, observer);
  }
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), "cos-bench-queues-"));
  const redis = ownRedis(await freePort(), dir);
  await redis.start();
  const observer = new Redis(redis.url);
  let sim: Simulator | undefined;
  try {
    console.log(
      `simulator: ${settings.vendors} vendors × ${settings.orders} boxes over ${settings.days} days (seed ${settings.seed}) …`,
    );
    sim = await startSimulator({
      seed: settings.seed,
      orders: settings.orders,
      days: settings.days,
      // An hour back: every box is past the list lag, so the ground truth stands still.
      anchor: new Date(Date.now() - 3_600_000),
      vendors: derivedVendors(settings.vendors),
    });
    const syncs: SyncRun[] = [];
    let machine: MachineInfo | undefined;
    // ABBA…: the order flips every round, so a load that rises or falls over the run weighs on
    // both backends alike.
    for (let pass = 1; pass <= settings.rounds; pass++) {
      for (const backend of pass % 2 === 1 ? BACKENDS : [...BACKENDS].reverse()) {
        console.log(`(a) round ${pass}: the worker daemon on the ${backend} backend …`);
        const result = await runSync(backend, pass, sim, redis, observer, dir);
        machine ??= result.machine;
        syncs.push(result.run);
      }
    }
    await sim.close();
    sim = undefined;
    const alone: QueueRun[] = [];
    for (const backend of BACKENDS) {
      console.log(`(b) the queue alone on the ${backend} backend …`);
      alone.push(await runQueue(backend, redis, observer));
    }

    // Over every round: the sum of the Postgres backend's runs over the sum of Redis's.
    const total = (backend: Backend, pick: (run: SyncRun) => number | null) =>
      syncs.filter((run) => run.backend === backend).reduce((n, run) => n + (pick(run) ?? 0), 0);
    const overRedis = (pick: (run: SyncRun) => number | null) =>
      ratio(total("postgres", pick), total("redis", pick));
    const [qr, qp] = [alone[0]!, alone[1]!];
    const ratios = {
      firstSyncSeconds: overRedis((run) => run.firstSync.seconds),
      firstSyncWorkerCpu: overRedis((run) => run.firstSync.workerCpuSeconds),
      steadyWorkerCpu: overRedis((run) => run.steady.workerCpuSeconds),
      steadyPostgresCommits: overRedis((run) => run.steady.postgresCommits),
      latencyP50: ratio(qp.latencyP50Ms, qr.latencyP50Ms),
      latencyP99: ratio(qp.latencyP99Ms, qr.latencyP99Ms),
      jobsPerSecond: ratio(qp.jobsPerSecond, qr.jobsPerSecond),
    };
    printTable(
      "(a) The worker daemon: a first sync of every stream of every vendor, then steady state",
      syncs.flatMap(({ firstSync, steady, ...run }) => [
        printable({ ...run, phase: "first sync", ...firstSync }),
        printable({ ...run, phase: `steady ${settings.steadySeconds} s`, ...steady }),
      ]),
    );
    printTable("(b) The queue alone: no-op jobs through createQueueFactory", alone.map(printable));
    printTable("Postgres backend ÷ Redis backend", [ratios]);

    const path = await writeResult("queues", {
      benchmark: "queues",
      issue: "8 §6",
      settings,
      sync: syncs,
      queueAlone: alone,
      postgresOverRedis: ratios,
      machine: finishMachineInfo(machine!),
    });
    console.log(`\nwrote ${path}`);
  } finally {
    await sim?.close();
    observer.disconnect();
    await redis.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();

import { randomBytes } from "node:crypto";
import { relative } from "node:path";
import { fileURLToPath } from "node:url";
import { Command, InvalidArgumentError } from "commander";
import {
  createPrisma,
  embeddedDataDir,
  getCheckpoint,
  migrate,
  startEmbeddedPostgres,
  type Checkpoint,
} from "@cos/db";
import { createQueueFactory, JOBS, type QueueFactory, type QueueHandle } from "@cos/queue";
import { STREAM_NAMES } from "@cos/sync";
import {
  createWorkerEvents,
  queueBackend,
  startWorker,
  type PollOutcome,
  type WorkerApp,
  type WorkerEvents,
} from "./app.js";
import { ConfigError, loadConfig, LOG_LEVELS } from "./config.js";
import { parseExposition } from "./exposition.js";
import { startHttpServer, type HttpServer } from "./http/server.js";
import { createLogger } from "./logger.js";
import { onShutdownSignal } from "./signals.js";
import {
  addToTally,
  compareWithSimulator,
  formatMetricsDigest,
  formatSummary,
  resetVendor,
  type StreamTally,
} from "./demo-summary.js";
import { DEMO_VENDOR, startDemoWorld, type BuyerActivity, type DemoWorld } from "./demo-world.js";

/**
 * `npm run demo`: the whole product against the simulator, on a fresh clone, with no setup.
 * With no DATABASE_URL it starts an embedded Postgres (data kept in .demo/pg) and runs the
 * queues on BullMQ's Postgres backend; with DATABASE_URL and REDIS_URL it uses those. The
 * simulated buyers return, withdraw, cancel and exchange (demo-world.ts); the worker syncs every
 * stream until caught up; the demo prints what each stream did and what the database holds beside
 * the simulator's ground truth, and exits 0 when they are equal (1 when not, or when the sync
 * failed; 0 after Ctrl-C, as `npm start`). `--daemon` keeps it polling.
 */
const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));

const integerFrom = (min: number) => (v: string) => {
  const n = Number(v);
  if (!/^\d+$/.test(v) || !Number.isSafeInteger(n) || n < min) {
    throw new InvalidArgumentError(`expected an integer ≥ ${min}, got "${v}"`);
  }
  return n;
};
const positiveInt = integerFrom(1);
const nonNegativeInt = integerFrom(0);

const program = new Command("demo")
  .description("Sync a simulated Coupang seller into Postgres and compare the result with the simulator")
  .option("--orders <n>", "shipment boxes in the simulated world", positiveInt, 2000)
  .option("--seed <n>", "seed of the simulated world", nonNegativeInt, 42)
  .option("--days <n>", "days of order history in the simulated world", positiveInt, 14)
  .option("--daemon", "keep polling after the first sync (stop with Ctrl-C)", false)
  .option("--reset", "delete the demo vendor's rows and checkpoint before syncing", false)
  .option("--log-level <level>", "worker log level", "warn");

async function demo(): Promise<number> {
  program.parse();
  const opts = program.opts<{
    orders: number;
    seed: number;
    days: number;
    daemon: boolean;
    reset: boolean;
    logLevel: string;
  }>();
  const started = Date.now();
  // Blank counts as unset, as in the worker's config.
  const env = (name: string) => process.env[name]?.trim() || undefined;
  const logLevel = env("LOG_LEVEL") ?? opts.logLevel;
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    console.error(`LOG_LEVEL: expected one of ${LOG_LEVELS.join(", ")}, got "${logLevel}"`);
    return 78;
  }
  const log = createLogger(logLevel);

  let embedded: Awaited<ReturnType<typeof startEmbeddedPostgres>> | undefined;
  let world: DemoWorld | undefined;
  let app: WorkerApp | undefined;
  let queues: QueueFactory | undefined;
  let pollQueue: QueueHandle<unknown> | undefined;
  let http: HttpServer | null | undefined;
  let stopping: Promise<void> | undefined;
  // Once: a Ctrl-C while the demo is already stopping must not close anything twice.
  const stopAll = () =>
    (stopping ??= (async () => {
      await http?.close();
      await app?.close();
      await pollQueue?.close();
      await queues?.close();
      await world?.sim.close();
      await embedded?.stop();
    })());
  let synced = false;
  // From the start, so a Ctrl-C during the first sync stops everything in order too, and says so.
  onShutdownSignal(log, async () => {
    console.log(
      synced
        ? "\nStopped."
        : "\nInterrupted before the first sync finished. Every page written so far is kept with its " +
            "checkpoint cursor: the next run resumes there.",
    );
    await stopAll();
  });
  const dataDir = env("DATABASE_URL") ? null : await embeddedDataDir(`${repoRoot}.demo/pg`);
  if (dataDir) embedded = await startEmbeddedPostgres({ dataDir });
  const databaseUrl = env("DATABASE_URL") ?? embedded!.url;
  try {
    await migrate(databaseUrl);
    world = await startDemoWorld({ seed: opts.seed, orders: opts.orders, days: opts.days });
    const { sim, activity } = world;
    const config = loadConfig({
      ...process.env,
      DATABASE_URL: databaseUrl,
      COUPANG_BASE_URL: sim.url,
      COUPANG_VENDOR_ID: DEMO_VENDOR.vendorId,
      COUPANG_ACCESS_KEY: DEMO_VENDOR.accessKey,
      // A user may set COUPANG_SECRET_KEY to see how a wrong key fails.
      COUPANG_SECRET_KEY: env("COUPANG_SECRET_KEY") ?? DEMO_VENDOR.secretKey,
      // Its own queues, so a demo never touches a deployment's schedulers on the same Redis.
      QUEUE_PREFIX: env("QUEUE_PREFIX") ?? "demo",
      COUPANG_SECRET_KEY_FILE: undefined,
      COUPANG_VENDORS_FILE: undefined,
      // A one-off token unless the user set one, so the status page and dashboard open in the demo.
      ADMIN_TOKEN: env("ADMIN_TOKEN") ?? randomBytes(16).toString("hex"),
      SYNC_BACKFILL_DAYS: String(opts.days + 2),
    });
    if (opts.reset) await resetVendor(databaseUrl, DEMO_VENDOR.vendorId);

    console.log("Coupang order-sync demo");
    console.log(
      `  database   ${dataDir ? `embedded Postgres, data in ${dataDir.startsWith(repoRoot) ? relative(repoRoot, dataDir) : dataDir}` : "DATABASE_URL"}`,
    );
    console.log(`  queues     BullMQ on ${config.redisUrl ? "Redis (REDIS_URL)" : "Postgres"}`);
    console.log(
      `  simulator  ${sim.url}, seed ${opts.seed}, ${opts.orders} boxes over ${opts.days} days, vendor ${DEMO_VENDOR.vendorId}`,
    );
    console.log(`  buyers     ${describeActivity(activity)}, in the hour before 00:00 KST today`);

    queues = createQueueFactory(queueBackend(config));
    pollQueue = queues.queue(JOBS.poll.queue);
    // Both before the start: the worker's first polls may finish before startWorker resolves.
    const before = await checkpoints(databaseUrl);
    const events = createWorkerEvents();
    const sync = firstSync(events, pollQueue);
    app = await startWorker(config, log, { events });
    // The sync goes on without the server: a port in use (a worker already running) only costs
    // the pages.
    http = await startHttpServer({ app, config, log, metrics: app.metrics }).catch((err: Error) => {
      console.log(`  http       not started on HTTP_PORT ${config.http.port}: ${err.message}`);
      return null;
    });
    if (http) {
      const token = env("ADMIN_TOKEN") ? "ADMIN_TOKEN" : `token ${config.http.adminToken}`;
      console.log(
        `  http       ${http.url}/status, /admin/queues, /api/v1 (${token}), /metrics, /health/ready`,
      );
    }
    const outcome = await sync;
    const seconds = ((Date.now() - started) / 1000).toFixed(1);

    if (!outcome.ok) {
      const { failure } = outcome;
      console.error(
        `\nSync failed for vendor ${failure.vendorId} (${failure.stream}): ${failure.error.message}`,
      );
      const after = await checkpoints(databaseUrl);
      const mark = (c: Checkpoint | null) =>
        `${c?.syncedThrough?.toISOString() ?? "none"}${c?.cursor ? " (mid-poll cursor)" : ""}`;
      const moved = STREAM_NAMES.flatMap((s, k) =>
        mark(before[k]!) === mark(after[k]!) ? [] : [`${s} from ${mark(before[k]!)} to ${mark(after[k]!)}`],
      );
      console.error(
        moved.length === 0
          ? `No checkpoint moved (synced through: ${STREAM_NAMES.map((s, k) => `${s} ${mark(after[k]!)}`).join(", ")}).`
          : `Before the failure these checkpoints moved: ${moved.join("; ")}.`,
      );
      await stopAll();
      return 1;
    }
    const comparison = await compareWithSimulator(app.prisma, sim, DEMO_VENDOR.vendorId);
    console.log(
      formatSummary({
        streams: STREAM_NAMES.map((stream) => ({ stream, tally: outcome.tallies.get(stream)! })),
        apiCalls: app.apiCalls(DEMO_VENDOR.vendorId),
        simCalls: sim.calls().total ?? 0,
        comparison,
        seconds,
      }),
    );
    // What a Prometheus scrape sees now: through the server when it runs, else from the registry.
    const exposition = http
      ? await (await fetch(`${http.url}/metrics`)).text()
      : await app.metrics.registry.metrics();
    console.log(`\n${formatMetricsDigest(parseExposition(exposition))}`);
    console.log(`\n${connectionHint(databaseUrl, embedded !== undefined, opts.daemon)}`);
    synced = true;
    if (opts.daemon) {
      console.log("\nRunning as a daemon; Ctrl-C to stop.");
      app.events.on("poll", (o) =>
        console.log(
          o.ok
            ? `poll ${o.vendorId}/${o.stream}: ${o.report.apiCalls} calls, +${o.report.boxesInserted} new, ${o.report.boxesUpdated} changed`
            : `poll ${o.vendorId}/${o.stream} failed: ${o.error.message}`,
        ),
      );
      return -1;
    }
    await stopAll();
    return comparison.equal ? 0 : 1;
  } catch (err) {
    await stopAll().catch(() => {});
    if (err instanceof ConfigError) {
      console.error(err.message);
      return 78;
    }
    throw err;
  }
}

/** The demo vendor's checkpoint of every stream, in `STREAM_NAMES` order (null: none yet). */
async function checkpoints(databaseUrl: string): Promise<Array<Checkpoint | null>> {
  const prisma = createPrisma(databaseUrl, { max: 1 });
  try {
    return await Promise.all(STREAM_NAMES.map((s) => getCheckpoint(prisma, DEMO_VENDOR.vendorId, s)));
  } finally {
    await prisma.$disconnect();
  }
}

/**
 * Waits for the first sync: until every stream of the registry has completed a poll and no poll
 * is queued or running (the boot's poll and the scheduler's first one run one after the other
 * under the stream's lease; stopping during the second would interrupt it and leave its cursor),
 * or until a poll fails for good (a retryable failure is retried by BullMQ first). Returns what
 * each stream's polls did, summed.
 */
async function firstSync(
  events: WorkerEvents,
  pollQueue: QueueHandle<unknown>,
): Promise<
  | { ok: true; tallies: Map<string, StreamTally> }
  | { ok: false; failure: Extract<PollOutcome, { ok: false }> }
> {
  const tallies = new Map<string, StreamTally>();
  const completed = new Set<string>();
  let failure: Extract<PollOutcome, { ok: false }> | undefined;
  const onPoll = (o: PollOutcome) => {
    if (!o.ok) failure ??= o.final ? o : undefined;
    else {
      tallies.set(o.stream, addToTally(tallies.get(o.stream), o.report));
      if (o.report.outcome === "completed") completed.add(o.stream);
    }
  };
  events.on("poll", onPoll);
  try {
    for (;;) {
      if (failure) return { ok: false, failure };
      if (STREAM_NAMES.every((s) => completed.has(s))) {
        const counts = await pollQueue.getJobCounts("active", "waiting", "prioritized");
        if (Object.values(counts).every((n) => n === 0)) return { ok: true, tallies };
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  } finally {
    events.off("poll", onPoll);
  }
}

/** One line of what the simulated buyers did before the sync. */
function describeActivity(a: BuyerActivity): string {
  return (
    `${a.returns} returns (${a.returnsWithdrawn} withdrawn, ${a.returnsCompleted} completed), ` +
    `${a.stopRequests} stop-shipment requests (${a.stopRequestsWithdrawn} withdrawn), ${a.cancels} cancels, ` +
    `${a.exchanges} exchanges (${a.exchangesCancelled} cancelled)`
  );
}

/**
 * How to reach the database the demo used, for docs/database.md's queries: the embedded server's
 * URL in full (a local throwaway server on 127.0.0.1: its password is no secret), or the user's
 * DATABASE_URL with the password masked.
 */
function connectionHint(databaseUrl: string, embedded: boolean, daemon: boolean): string {
  const url = new URL(databaseUrl);
  if (!embedded) {
    if (url.password) url.password = "***";
    return `Database: ${url.toString()} (DATABASE_URL); docs/database.md has queries to try.`;
  }
  return [
    `Database: ${databaseUrl}`,
    `  host ${url.hostname}, port ${url.port}, database ${decodeURIComponent(url.pathname.slice(1))}, user ${decodeURIComponent(url.username)}, password ${decodeURIComponent(url.password)}`,
    `  psql "${databaseUrl}" runs docs/database.md's queries ${
      daemon
        ? "while the demo runs; the embedded server stops when it exits."
        : "while a demo runs: the embedded server has stopped with this one; run with --daemon to keep it up."
    }`,
  ].join("\n");
}

const code = await demo();
if (code >= 0) process.exit(code);

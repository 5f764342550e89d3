import { relative } from "node:path";
import { fileURLToPath } from "node:url";
import { Command, InvalidArgumentError } from "commander";
import { startSimulator, type Simulator } from "@cos/coupang-sim";
import { embeddedDataDir, getCheckpoint, migrate, startEmbeddedPostgres } from "@cos/db";
import { ORDERSHEETS_STREAM } from "@cos/sync";
import { startWorker, type PollOutcome, type WorkerApp } from "./app.js";
import { ConfigError, loadConfig, LOG_LEVELS } from "./config.js";
import { createLogger } from "./logger.js";
import { onShutdownSignal } from "./signals.js";
import { compareWithSimulator, formatSummary, resetVendor } from "./demo-summary.js";

/**
 * `npm run demo`: the whole product against the simulator, on a fresh clone, with no setup.
 * With no DATABASE_URL it starts an embedded Postgres (data kept in .demo/pg) and runs the
 * queues on BullMQ's Postgres backend; with DATABASE_URL and REDIS_URL it uses those. It syncs
 * until caught up, prints what the database holds beside the simulator's ground truth, and exits
 * 0 when they are equal (1 when not, or when the sync failed). `--daemon` keeps it polling.
 */
const DEMO_VENDOR = { vendorId: "A00012345", accessKey: "demo-access-key", secretKey: "demo-secret-key" };
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
  let sim: Simulator | undefined;
  let app: WorkerApp | undefined;
  const stopAll = async () => {
    await app?.close();
    await sim?.close();
    await embedded?.stop();
  };
  // From the start, so a Ctrl-C during the first sync stops everything in order too.
  onShutdownSignal(log, stopAll);
  const dataDir = env("DATABASE_URL") ? null : await embeddedDataDir(`${repoRoot}.demo/pg`);
  if (dataDir) embedded = await startEmbeddedPostgres({ dataDir });
  const databaseUrl = env("DATABASE_URL") ?? embedded!.url;
  try {
    await migrate(databaseUrl);
    // The world is anchored at the start of the current KST day, so every run on the same day
    // sees the same orders and a second run against the same database finds nothing new.
    sim = await startSimulator({
      seed: opts.seed,
      orders: opts.orders,
      days: opts.days,
      anchor: startOfKstDay(new Date()),
      vendors: [DEMO_VENDOR],
    });
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

    app = await startWorker(config, log);
    // The first poll cannot finish before this listener is attached: it needs network round
    // trips, and startWorker has only just resolved.
    const settled = new Promise<PollOutcome>((resolve) => {
      app!.events.on("poll", (o) => {
        // Wait for the ordersheets poll that did the work (a concurrent one is skipped by the
        // lease), or for the failure that settles it (a retryable one is retried by BullMQ first).
        if (o.stream !== ORDERSHEETS_STREAM) return;
        if ((o.ok && o.report.outcome !== "skipped") || (!o.ok && o.final)) resolve(o);
      });
    });
    const before = await getCheckpoint(app.prisma, DEMO_VENDOR.vendorId, ORDERSHEETS_STREAM);
    // Poll now rather than wait for the scheduler: on a rerun its next tick may be a minute away.
    await app.pollNow(DEMO_VENDOR.vendorId);
    const outcome = await settled;
    const seconds = ((Date.now() - started) / 1000).toFixed(1);

    if (!outcome.ok) {
      console.error(`\nSync failed for vendor ${outcome.vendorId}: ${outcome.error.message}`);
      const after = await getCheckpoint(app.prisma, DEMO_VENDOR.vendorId, ORDERSHEETS_STREAM);
      const mark = (c: typeof after) => c?.syncedThrough?.toISOString() ?? "none";
      console.error(
        mark(before) === mark(after) &&
          JSON.stringify(before?.cursor ?? null) === JSON.stringify(after?.cursor ?? null)
          ? `The checkpoint did not move (synced through: ${mark(after)}).`
          : `The checkpoint moved from ${mark(before)} to ${mark(after)} before the failure.`,
      );
      await stopAll();
      return 1;
    }
    const comparison = await compareWithSimulator(app.prisma, sim, DEMO_VENDOR.vendorId);
    console.log(
      formatSummary({ report: outcome.report, comparison, seconds, simCalls: sim.calls().total ?? 0 }),
    );
    if (opts.daemon) {
      console.log("\nRunning as a daemon; Ctrl-C to stop.");
      app.events.on("poll", (o) =>
        console.log(
          o.ok
            ? `poll ${o.vendorId}/${o.stream}: ${o.report.apiCalls} calls, +${o.report.boxesInserted} boxes, ${o.report.boxesUpdated} updated`
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

function startOfKstDay(now: Date): Date {
  const kstMs = now.getTime() + 9 * 3_600_000;
  return new Date(kstMs - (kstMs % 86_400_000) - 9 * 3_600_000);
}

const code = await demo();
if (code >= 0) process.exit(code);

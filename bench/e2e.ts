// Benchmark 2, end to end (issue 8 §2): a full first sync of the ordersheets stream from the
// simulator (its own process, no artificial latency, no rate limit) into a scratch database,
// through `runStream` with the ordersheets adapter, as the worker's poll runs it.
// Usage: npm run bench:e2e -- --help
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { CoupangClient, type OrderSheetPage } from "@cos/coupang";
import { DEFAULT_VENDOR } from "@cos/coupang-sim";
import { ensureVendorAccount } from "@cos/db";
import { orderSheetsAdapter, runStream, type PlanConfig, type StreamAdapter } from "@cos/sync";
import {
  DAY,
  MINUTE,
  Stopwatch,
  finishMachineInfo,
  openBenchDatabase,
  perSecond,
  printTable,
  readSettings,
  writeResult,
} from "./support/harness.js";

const settings = readSettings("e2e", {
  orders: { default: 100_000, help: "shipment boxes in the simulated world" },
  days: { default: 30, help: "days the orders are spread over (the backfill covers them)" },
  seed: { default: 42, help: "seed of the simulated world" },
});

/** Starts the simulator CLI in a child process, so its CPU is not this process's, and reads its URL. */
async function startSimulatorProcess(): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      "apps/coupang-sim/src/cli.ts",
      ...[
        "--orders",
        String(settings.orders),
        "--days",
        String(settings.days),
        "--seed",
        String(settings.seed),
      ],
      ...["--port", "0", "--activity", "none", "--rate-limit", "0"],
    ],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  const lines = createInterface({ input: child.stdout });
  const exited = once(child, "exit").then(([code]) => {
    throw new Error(`the simulator exited with code ${String(code)} before listening`);
  });
  const listening = (async () => {
    for await (const line of lines) {
      const match = /listening on (http:\/\/\S+)/.exec(line);
      if (match) return match[1]!;
    }
    throw new Error("the simulator closed its output before listening");
  })();
  const url = await Promise.race([listening, exited]);
  child.stdout.resume();
  return { url, child };
}

/** A full sync's plan: every day of the world in the backfill, no budget cut. */
const PLAN: PlanConfig = {
  lagMs: 2 * MINUTE,
  lookbackMs: 30 * MINUTE,
  backfillMs: (settings.days + 1) * DAY,
  warmIntervalMs: 15 * MINUTE,
  warmDays: 7,
  coldIntervalMs: DAY,
  coldDays: 31,
  callBudget: 1_000_000,
};

/**
 * The ordersheets adapter with stopwatches around its two seams: the page iterator (the client's
 * HTTP, lossless parse and validation) and `writePage` (normalize and upsert, inside the page
 * transaction). What remains of the run is the runner's: lease, plan, checkpoint, events, commit.
 */
function timedAdapter(
  client: CoupangClient,
  fetch: Stopwatch,
  write: Stopwatch,
): StreamAdapter<OrderSheetPage> {
  const adapter = orderSheetsAdapter(client);
  return {
    ...adapter,
    pages: (query, nextToken) => ({
      [Symbol.asyncIterator]: () => {
        const pages = adapter.pages(query, nextToken)[Symbol.asyncIterator]();
        return { next: () => fetch.time(() => pages.next()) };
      },
    }),
    writePage: (tx, vendorId, page, tally) => write.time(() => adapter.writePage(tx, vendorId, page, tally)),
  };
}

async function main(): Promise<void> {
  const generation = new Stopwatch();
  const { url, child } = await generation.time(() => startSimulatorProcess());
  console.log(
    `simulator at ${url}: ${settings.orders} boxes over ${settings.days} days, ready in ${generation.seconds.toFixed(1)} s`,
  );
  const bench = await openBenchDatabase("cos_bench_e2e", 4);
  const { prisma, sql } = bench;
  let httpMs = 0;
  let responses = 0;
  const client = new CoupangClient({
    baseUrl: url,
    ...DEFAULT_VENDOR,
    requestsPerSecond: 1_000,
    onResponse: (event) => {
      httpMs += event.durationMs;
      responses++;
    },
  });
  try {
    await ensureVendorAccount(prisma, { vendorId: DEFAULT_VENDOR.vendorId, name: "e2e benchmark" });
    const total = new Stopwatch();
    const fetch = new Stopwatch();
    const write = new Stopwatch();
    console.log("running: a full sync of the ordersheets stream …");
    const report = await total.time(() =>
      runStream(
        { prisma, vendorId: DEFAULT_VENDOR.vendorId, config: PLAN, trigger: "manual" },
        timedAdapter(client, fetch, write),
      ),
    );
    if (report.outcome !== "completed") throw new Error(`the sync ended ${report.outcome}`);
    const stored = (
      await sql.query<{ boxes: number; items: number }>(
        "SELECT (SELECT count(*)::int FROM shipment_boxes) AS boxes, (SELECT count(*)::int FROM order_items) AS items",
      )
    ).rows[0]!;
    if (stored.boxes !== report.boxesInserted || stored.items !== report.itemsInserted) {
      throw new Error(`the report says ${report.boxesInserted} boxes, the database holds ${stored.boxes}`);
    }

    const sync = {
      boxes: stored.boxes,
      items: stored.items,
      apiCalls: responses,
      pages: report.pages,
      queries: report.queries,
      seconds: Math.round(total.seconds * 1000) / 1000,
      boxesPerSecond: perSecond(stored.boxes, total.seconds),
      target: 5_000,
      met: perSecond(stored.boxes, total.seconds) >= 5_000,
    };
    const runner = {
      wallMs: total.wallMs - fetch.wallMs - write.wallMs,
      cpuMs:
        total.userMs + total.systemMs - (fetch.userMs + fetch.systemMs) - (write.userMs + write.systemMs),
    };
    const stage = (name: string, wallMs: number, cpuMs: number | null) => ({
      stage: name,
      wallSeconds: Math.round(wallMs) / 1000,
      wallShare: `${Math.round((100 * wallMs) / total.wallMs)}%`,
      cpuSeconds: cpuMs === null ? "—" : Math.round(cpuMs) / 1000,
    });
    const stages = [
      stage("HTTP (transport attempts, from onResponse)", httpMs, null),
      stage("fetch: HTTP + parse + validate (page iterator)", fetch.wallMs, fetch.userMs + fetch.systemMs),
      stage("write: normalize + upsert (writePage)", write.wallMs, write.userMs + write.systemMs),
      stage("runner: lease, plan, checkpoint, events, commit", runner.wallMs, runner.cpuMs),
      stage("total", total.wallMs, total.userMs + total.systemMs),
    ];
    printTable("End to end: a full sync of the ordersheets stream", [sync]);
    printTable(
      "Where the time went (CPU of this process; the simulator and Postgres are other processes)",
      stages,
    );

    const path = await writeResult("e2e", {
      benchmark: "e2e",
      issue: "8 §2",
      settings,
      plan: PLAN,
      sync,
      stages,
      machine: finishMachineInfo(bench.machine),
    });
    console.log(`\nwrote ${path}`);
  } finally {
    client.close();
    child.kill("SIGTERM");
    await bench.close();
  }
}

await main();

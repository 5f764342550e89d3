// Benchmark 2, end to end (issue 8 §2): a full first sync of the ordersheets stream from the
// simulator (its own process, no artificial latency, no rate limit) into a scratch database,
// through `runStream` with the ordersheets adapter, as the worker's poll runs it.
// Usage: npm run bench:e2e -- --help
import { CoupangClient, type OrderSheetPage } from "@cos/coupang";
import { DEFAULT_VENDOR } from "@cos/coupang-sim";
import { ensureVendorAccount, type PrismaClient } from "@cos/db";
import {
  normalizeOrderSheetPage,
  orderSheetsAdapter,
  runStream,
  writeNormalizedOrderSheets,
  type PlanConfig,
  type StreamAdapter,
} from "@cos/sync";
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
import { startSimulatorProcess } from "./support/simulator.js";

const settings = readSettings("e2e", {
  orders: { default: 100_000, help: "shipment boxes in the simulated world" },
  days: { default: 30, help: "days the orders are spread over (the backfill covers them)" },
  seed: { default: 42, help: "seed of the simulated world" },
  latencyMs: {
    default: 0,
    help: "real ms the simulator waits before each ordersheets answer, as a gateway's round trip (default none)",
  },
});

/**
 * Delays every ordersheets answer of the simulator at `url` by `ms` real milliseconds, through
 * its admin API (a `latency` fault rule; apps/coupang-sim faults.ts).
 * @throws Error with the simulator's answer when it refuses the rule.
 */
async function addListLatency(url: string, ms: number): Promise<void> {
  const res = await fetch(`${url}/__sim/faults`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ endpoint: "ordersheets", kind: "latency", latencyMs: ms }),
  });
  if (!res.ok) throw new Error(`the simulator refused the latency rule: ${res.status} ${await res.text()}`);
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

/** What the timed run measures besides its total, stage by stage (see {@link timedAdapter}). */
interface StageClocks {
  /** The page iterator: HTTP, parse and validation, as the runner asks for pages (read ahead: it overlaps the transactions). */
  fetch: Stopwatch;
  /** `normalizeOrderSheetPage`: synchronous, so its CPU is this process's alone. */
  normalize: Stopwatch;
  /** `writeNormalizedOrderSheets`: the upsert of boxes and items and the quarantine. */
  upsert: Stopwatch;
  /** Every `$transaction` of the runner: a page's write, lease renewal, checkpoint, change events, commit. */
  transactions: Stopwatch;
  /** The pages' `receiveTimings`, summed: CPU ms of the parse and of the validation. */
  parseCpuMs: number;
  validateCpuMs: number;
}

/**
 * The ordersheets adapter with stopwatches at its seams: the page iterator (the client's HTTP,
 * lossless parse and validation, whose own times each page carries in `receiveTimings`) and
 * `writePage`, run as `writeOrderSheetPage` runs it (`normalizeOrderSheetPage`, then
 * `writeNormalizedOrderSheets`) with each step timed apart.
 */
function timedAdapter(client: CoupangClient, clocks: StageClocks): StreamAdapter<OrderSheetPage> {
  const adapter = orderSheetsAdapter(client);
  return {
    ...adapter,
    pages: (query, nextToken) => ({
      [Symbol.asyncIterator]: () => {
        const pages = adapter.pages(query, nextToken)[Symbol.asyncIterator]();
        return {
          next: async () => {
            const next = await clocks.fetch.time(() => pages.next());
            clocks.parseCpuMs += next.done ? 0 : (next.value.receiveTimings?.parseCpuMs ?? 0);
            clocks.validateCpuMs += next.done ? 0 : (next.value.receiveTimings?.validateCpuMs ?? 0);
            return next;
          },
          return: async () => (await pages.return?.()) ?? { done: true, value: undefined },
        };
      },
    }),
    writePage: async (tx, vendorId, page, tally) => {
      const normalized = clocks.normalize.timeSync(() => normalizeOrderSheetPage(vendorId, page));
      return clocks.upsert.time(() => writeNormalizedOrderSheets(tx, vendorId, normalized, tally));
    },
  };
}

/** `prisma` with every `$transaction` timed by `clock`; everything else passes through. */
function timingTransactions(prisma: PrismaClient, clock: Stopwatch): PrismaClient {
  return new Proxy(prisma, {
    get(target, key) {
      const value: unknown = Reflect.get(target, key);
      if (key === "$transaction") {
        return (...args: Parameters<PrismaClient["$transaction"]>) =>
          clock.time(() => (target.$transaction as (...a: typeof args) => Promise<unknown>)(...args));
      }
      return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

async function main(): Promise<void> {
  const generation = new Stopwatch();
  const { url, child } = await generation.time(() =>
    startSimulatorProcess({ orders: settings.orders, days: settings.days, seed: settings.seed }),
  );
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
    if (settings.latencyMs > 0) await addListLatency(url, settings.latencyMs);
    const total = new Stopwatch();
    const clocks: StageClocks = {
      fetch: new Stopwatch(),
      normalize: new Stopwatch(),
      upsert: new Stopwatch(),
      transactions: new Stopwatch(),
      parseCpuMs: 0,
      validateCpuMs: 0,
    };
    console.log("running: a full sync of the ordersheets stream …");
    const report = await total.time(() =>
      runStream(
        {
          prisma: timingTransactions(prisma, clocks.transactions),
          vendorId: DEFAULT_VENDOR.vendorId,
          config: PLAN,
          trigger: "manual",
        },
        timedAdapter(client, clocks),
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
    const cpuMs = (watch: Stopwatch) => watch.userMs + watch.systemMs;
    const { fetch, normalize, upsert, transactions, parseCpuMs, validateCpuMs } = clocks;
    const stage = (name: string, wallMs: number | null, cpu: number | null) => ({
      stage: name,
      wallSeconds: wallMs === null ? "—" : Math.round(wallMs) / 1000,
      wallShare: wallMs === null ? "—" : `${Math.round((100 * wallMs) / total.wallMs)}%`,
      cpuSeconds: cpu === null ? "—" : Math.round(cpu) / 1000,
    });
    // CPU is measured for the synchronous steps (parse and validation by the client, normalize
    // here); the asynchronous rest interleaves with the page read ahead, so its CPU is one
    // remainder. The wall rows from "normalize" to "outside" add up to the total; fetch overlaps.
    const stages = [
      stage("HTTP (transport attempts, from onResponse)", httpMs, null),
      stage("parse: lossless JSON (receiveTimings)", null, parseCpuMs),
      stage("validate: zod (receiveTimings)", null, validateCpuMs),
      stage("fetch: HTTP + parse + validate (page iterator, overlapped)", fetch.wallMs, null),
      stage("normalize (normalizeOrderSheetPage)", normalize.wallMs, cpuMs(normalize)),
      stage("upsert + quarantine (writeNormalizedOrderSheets)", upsert.wallMs, null),
      stage(
        "runner in transactions: lease, checkpoint, events, commit",
        transactions.wallMs - normalize.wallMs - upsert.wallMs,
        null,
      ),
      stage(
        "outside transactions: waiting for a page, plan, run record",
        total.wallMs - transactions.wallMs,
        null,
      ),
      stage(
        "rest of the CPU: HTTP client, upsert encoding, pg, runner",
        null,
        cpuMs(total) - parseCpuMs - validateCpuMs - cpuMs(normalize),
      ),
      stage("total", total.wallMs, cpuMs(total)),
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

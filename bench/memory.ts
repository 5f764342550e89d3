// Benchmark 5, memory (issue 8 §5): the worker daemon's resident memory over a first backfill of
// a large world. The simulator and the worker run as processes of their own (`node --import tsx
// apps/worker/src/main.ts`, as the Dockerfile runs it); this process only watches: the worker's
// VmRSS from /proc every 250 ms, its heap from its own /metrics, and the rows stored.
// Usage: npm run bench:memory -- --help
import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { DEFAULT_VENDOR, type GroundTruthCounts } from "@cos/coupang-sim";
import { startDaemon, type Daemon } from "../test/support/daemon.js";
import { workerEnv } from "../test/support/worker-env.js";
import {
  finishMachineInfo,
  openBenchDatabase,
  percentile,
  perSecond,
  printTable,
  readSettings,
  writeResult,
} from "./support/harness.js";
import { dropRedisKeys } from "./support/processes.js";
import { startSimulatorProcess } from "./support/simulator.js";

const settings = readSettings("memory", {
  orders: { default: 1_000_000, help: "shipment boxes in the simulated world" },
  days: { default: 30, help: "days the orders are spread over (the backfill covers them)" },
  seed: { default: 42, help: "seed of the simulated world" },
  queue: { default: "redis", choices: ["redis", "postgres"], help: "the worker's BullMQ backend" },
  runtime: {
    default: "image",
    choices: ["image", "default"],
    help: "the worker's Node flags and MALLOC_ARENA_MAX: the Docker image's, or none (Node's and glibc's defaults)",
  },
  stallMinutes: { default: 5, help: "fail when no box is stored for this long" },
});

/** Issue 8 §5: the worker's peak resident set over the backfill, MB (2^20 bytes). */
const TARGET_MB = 256;
const RSS_SAMPLE_MS = 250;
/** Row counts and the heap are read this often: a count(*) over a million rows is not free. */
const PROGRESS_MS = 5_000;
const REDIS_URL = "redis://127.0.0.1:6379";

/**
 * The worker's settings beyond the place (database, simulator, vendor, queues). The rate is the
 * most `COUPANG_REQUESTS_PER_SECOND` allows (10/s, Coupang's limit). The poll's call budget is
 * `SYNC_CALLS_PER_MINUTE × SYNC_POLL_INTERVAL_SECONDS / 60`: at the defaults (120/min, 60 s) a
 * poll may spend 120 calls, and the ~20,000 pages of a million boxes would take 170 polls and
 * almost three hours; at 600/min and a daily poll the boot's poll may spend 864,000 calls, so the
 * whole backfill is one poll, as fast as the rate allows. Everything else is the default
 * (concurrency 2, a pool of 10, `LOG_LEVEL=info`), as deployed.
 */
const WORKER_SETTINGS = {
  COUPANG_REQUESTS_PER_SECOND: "10",
  SYNC_CALLS_PER_MINUTE: "600",
  SYNC_POLL_INTERVAL_SECONDS: "86400",
  SYNC_BACKFILL_DAYS: String(settings.days + 1),
  HTTP_HOST: "127.0.0.1",
  HTTP_PORT: "0",
};

/** How a worker process is run: the Node flags before its entry point, and environment for glibc. */
interface WorkerRuntime {
  nodeFlags: string[];
  env: { MALLOC_ARENA_MAX?: string };
}

/**
 * How the Docker image runs the worker, so the benchmark measures what ships: the Node flags
 * between `node` and `--import` in the last `CMD` of docker/Dockerfile (e.g.
 * `--max-old-space-size=128`), and its `MALLOC_ARENA_MAX`.
 * @throws Error when the Dockerfile has no JSON-form `CMD ["node", …, "--import", …]`.
 */
async function imageRuntime(): Promise<WorkerRuntime> {
  const dockerfile = await readFile(join(import.meta.dirname, "..", "docker", "Dockerfile"), "utf8");
  const cmd = [...dockerfile.matchAll(/^CMD (\[.*\])$/gm)].at(-1)?.[1];
  const args = cmd ? (JSON.parse(cmd) as string[]) : [];
  const end = args.indexOf("--import");
  if (args[0] !== "node" || end < 0) throw new Error(`docker/Dockerfile: no CMD ["node", …, "--import", …]`);
  const arenas = /\bMALLOC_ARENA_MAX=(\d+)/.exec(dockerfile)?.[1];
  return { nodeFlags: args.slice(1, end), env: arenas ? { MALLOC_ARENA_MAX: arenas } : {} };
}

const mb = (bytes: number) => Math.round((bytes / 2 ** 20) * 10) / 10;

/**
 * A field of /proc/<pid>/status in bytes (`VmRSS`: resident now; `VmHWM`: the kernel's peak of
 * VmRSS over the process's life).
 * @throws Error when the process is gone or the field is missing.
 */
async function procStatus(pid: number, field: "VmRSS" | "VmHWM"): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  const match = new RegExp(`^${field}:\\s+(\\d+) kB$`, "m").exec(status);
  if (!match) throw new Error(`/proc/${pid}/status has no ${field}`);
  return Number(match[1]) * 1024;
}

/** CPU seconds (user + system) a process has used, from /proc/<pid>/stat (in USER_HZ, 100 on Linux). */
async function cpuSeconds(pid: number): Promise<number> {
  // The command name, field 2, may hold spaces: count the fields after its closing parenthesis.
  const fields = (await readFile(`/proc/${pid}/stat`, "utf8")).split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** The worker's V8 heap in bytes, from prom-client's default metrics on its `/metrics`; null when unreadable. */
async function heapOf(metricsUrl: string): Promise<{ used: number; total: number } | null> {
  try {
    const text = await (await fetch(metricsUrl)).text();
    const gauge = (name: string) => Number(new RegExp(`^cos_${name} (\\S+)$`, "m").exec(text)?.[1] ?? NaN);
    const used = gauge("nodejs_heap_size_used_bytes");
    const total = gauge("nodejs_heap_size_total_bytes");
    return Number.isFinite(used) && Number.isFinite(total) ? { used, total } : null;
  } catch {
    return null;
  }
}

/** Samples a process's VmRSS every {@link RSS_SAMPLE_MS} until `stop()`. */
function sampleRss(pid: number): { samples: number[]; latest: () => number; stop: () => void } {
  const samples: number[] = [];
  const timer = setInterval(() => {
    procStatus(pid, "VmRSS").then(
      (rss) => samples.push(rss),
      () => {}, // the worker exiting ends the series; the caller notices the exit itself
    );
  }, RSS_SAMPLE_MS);
  return { samples, latest: () => samples.at(-1) ?? 0, stop: () => clearInterval(timer) };
}

/** A point of the progress series: when, how much was stored, and the worker's memory then. */
interface ProgressPoint {
  seconds: number;
  boxes: number;
  items: number;
  rssBytes: number;
  heapUsedBytes: number | null;
}

async function main(): Promise<void> {
  // An anchor an hour back puts every box past the list's 10-minute lag: the truth stays fixed.
  const { url: simUrl, child: sim } = await startSimulatorProcess({
    orders: settings.orders,
    days: settings.days,
    seed: settings.seed,
    anchor: new Date(Date.now() - 3_600_000),
  });
  const bench = await openBenchDatabase("cos_bench_memory", 2);
  const queuePrefix = `bm${randomBytes(3).toString("hex")}`;
  let daemon: Daemon | undefined;
  try {
    const truth = (await (await fetch(`${simUrl}/__sim/ground-truth`)).json()) as GroundTruthCounts;
    console.log(
      `simulator at ${simUrl}: ${settings.orders} boxes over ${settings.days} days, ${truth.boxes} listed (${truth.items} items, ${truth.returnRequests} returns, ${truth.exchanges} exchanges)`,
    );
    const runtime: WorkerRuntime =
      settings.runtime === "image" ? await imageRuntime() : { nodeFlags: [], env: {} };
    const runtimeText =
      [...runtime.nodeFlags, ...Object.entries(runtime.env).map(([k, v]) => `${k}=${v}`)].join(" ") ||
      "defaults";
    const started = performance.now();
    const elapsed = () => (performance.now() - started) / 1000;
    daemon = startDaemon(
      workerEnv(
        {
          db: { url: bench.url },
          sim: { url: simUrl },
          vendor: DEFAULT_VENDOR,
          queuePrefix,
          redisUrl: settings.queue === "redis" ? REDIS_URL : null,
        },
        { ...WORKER_SETTINGS, ...runtime.env },
      ),
      runtime.nodeFlags,
    );
    const pid = daemon.pid!;
    const rss = sampleRss(pid);
    await daemon.waitForOutput(/"msg":"http server listening"/, 120_000);
    const metricsUrl = `${/"url":"(http:\/\/[^"]+)"[^\n]*"msg":"http server listening"/.exec(daemon.output())![1]}/metrics`;
    const bootRss = await procStatus(pid, "VmRSS");
    const bootCpu = await cpuSeconds(pid);
    const bootSeconds = elapsed();
    console.log(
      `worker ${pid} started in ${bootSeconds.toFixed(1)} s (${settings.queue} queues, ${runtimeText}), RSS ${mb(bootRss)} MB; backfilling …`,
    );

    const progress: ProgressPoint[] = [];
    const stored = async () =>
      (
        await bench.sql.query<{ boxes: number; items: number; claims: number }>(
          `SELECT (SELECT count(*)::int FROM shipment_boxes) AS boxes,
                  (SELECT count(*)::int FROM order_items) AS items,
                  (SELECT count(*)::int FROM return_requests) + (SELECT count(*)::int FROM exchange_requests)
                    + (SELECT count(*)::int FROM return_withdrawals) AS claims`,
        )
      ).rows[0]!;
    const claims = truth.returnRequests + truth.exchanges + truth.returnWithdrawals;
    let lastGrowth = performance.now();
    for (;;) {
      const now = await stored();
      const heap = await heapOf(metricsUrl);
      const last = progress.at(-1);
      if (!last || now.boxes > last.boxes) lastGrowth = performance.now();
      progress.push({
        seconds: elapsed(),
        boxes: now.boxes,
        items: now.items,
        rssBytes: rss.latest(),
        heapUsedBytes: heap?.used ?? null,
      });
      if (progress.length % 12 === 0 || now.boxes >= truth.boxes) {
        console.log(
          `  ${elapsed().toFixed(0)} s: ${now.boxes} of ${truth.boxes} boxes, RSS ${mb(rss.latest())} MB, heap ${heap ? mb(heap.used) : "?"} MB`,
        );
      }
      if (now.boxes >= truth.boxes && now.items >= truth.items && now.claims >= claims) break;
      if (performance.now() - lastGrowth > settings.stallMinutes * 60_000) {
        throw new Error(
          `no box stored for ${settings.stallMinutes} min (${now.boxes} of ${truth.boxes}); the worker's last output:\n${daemon.output().slice(-4_000)}`,
        );
      }
      const exited = await Promise.race([daemon.exited, sleep(PROGRESS_MS, "running" as const)]);
      if (exited !== "running") {
        throw new Error(`the worker exited (${String(exited)}):\n${daemon.output().slice(-4_000)}`);
      }
    }
    // The poll commits its last page before it logs: the backfill's end is its log line.
    await daemon.waitForOutput(/"stream":"ordersheets"[^\n]*"msg":"poll finished"/, 120_000);
    const backfillSeconds = elapsed() - bootSeconds;
    const backfillCpu = (await cpuSeconds(pid)) - bootCpu;
    // A few seconds idle after the backfill: what the worker keeps once the work is done.
    await sleep(5_000);
    rss.stop();
    const endRss = await procStatus(pid, "VmRSS");
    const peak = await procStatus(pid, "VmHWM");
    const endHeap = await heapOf(metricsUrl);
    daemon.kill("SIGTERM");
    await daemon.exited;
    const final = await stored();
    if (final.boxes !== truth.boxes || final.items !== truth.items) {
      throw new Error(
        `stored ${final.boxes} boxes and ${final.items} items, the simulator lists ${truth.boxes} and ${truth.items}`,
      );
    }

    const sorted = [...rss.samples].sort((a, b) => a - b);
    const heaps = progress.flatMap((p) => (p.heapUsedBytes === null ? [] : [p.heapUsedBytes]));
    const result = {
      orders: settings.orders,
      boxesStored: final.boxes,
      itemsStored: final.items,
      queues: settings.queue,
      runtime: runtimeText,
      seconds: Math.round(backfillSeconds * 10) / 10,
      boxesPerSecond: perSecond(final.boxes, backfillSeconds),
      workerCpuSeconds: Math.round(backfillCpu * 10) / 10,
      peakRssMb: mb(peak),
      rssP50Mb: mb(percentile(sorted, 0.5)),
      rssP95Mb: mb(percentile(sorted, 0.95)),
      bootRssMb: mb(bootRss),
      endRssMb: mb(endRss),
      peakHeapUsedMb: mb(Math.max(0, ...heaps)),
      target: `≤ ${TARGET_MB} MB`,
      met: mb(peak) <= TARGET_MB,
    };
    // The memory at each tenth of the backfill: a leak shows as growth from row to row.
    const tenths = Array.from({ length: 10 }, (_, i) => {
      const point = progress.find((p) => p.boxes >= ((i + 1) / 10) * truth.boxes) ?? progress.at(-1)!;
      const upTo = progress.filter((p) => p.seconds <= point.seconds);
      return {
        progress: `${(i + 1) * 10}%`,
        boxes: point.boxes,
        seconds: Math.round(point.seconds),
        rssMb: mb(point.rssBytes),
        maxRssSoFarMb: mb(Math.max(...upTo.map((p) => p.rssBytes))),
        heapUsedMb: point.heapUsedBytes === null ? "—" : mb(point.heapUsedBytes),
      };
    });
    printTable(`Memory: the worker's backfill of ${settings.orders.toLocaleString("en-US")} orders`, [
      result,
    ]);
    printTable("The worker's memory at each tenth of the backfill (RSS sampled every 250 ms)", tenths);
    console.log(
      `\nidle after the backfill: RSS ${result.endRssMb} MB, heap ${endHeap ? mb(endHeap.used) : "?"} MB used of ${endHeap ? mb(endHeap.total) : "?"} MB`,
    );

    const path = await writeResult("memory", {
      benchmark: "memory",
      issue: "8 §5",
      settings,
      worker: WORKER_SETTINGS,
      truth,
      result,
      tenths,
      endHeapMb: endHeap ? { used: mb(endHeap.used), total: mb(endHeap.total) } : null,
      rssSamples: rss.samples.length,
      machine: finishMachineInfo(bench.machine),
    });
    console.log(`\nwrote ${path}`);
  } finally {
    daemon?.kill("SIGKILL");
    await daemon?.exited;
    sim.kill("SIGTERM");
    if (settings.queue === "redis") await dropRedisKeys(REDIS_URL, queuePrefix);
    await bench.close();
  }
}

await main();

// Benchmark 7, scale-out (issue 8 §7): many simulated vendors served by 1, 2, 4, … worker
// processes sharing one deployment (queues on Redis, the per-vendor limiter in Redis). Per run:
// how long until every vendor's first sync is complete, polls/s and boxes/s, each process's CPU,
// whether every vendor's calls stayed within its rate limit across all processes together (from
// the simulator's per-vendor call log), and whether any vendor starved (time to its first call and
// to its completed first sync, and the longest wait between two polls of a stream afterwards).
// Usage: npm run bench:scale-out -- --help
import { randomBytes } from "node:crypto";
import { rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { derivedVendors, type GroundTruthCounts, type VendorCalls } from "@cos/coupang-sim";
import { STREAMS } from "@cos/queue";
import { killAll, startDaemon, waitFor, type Daemon } from "../test/support/daemon.js";
import { workerEnv } from "../test/support/worker-env.js";
import {
  finishMachineInfo,
  openBenchDatabase,
  percentile,
  perSecond,
  printTable,
  ratio,
  readSettings,
  writeResult,
  type BenchDatabase,
  type MachineInfo,
} from "./support/harness.js";
import { dropRedisKeys, processCpuSeconds } from "./support/processes.js";
import { startSimulatorProcess } from "./support/simulator.js";

const settings = readSettings("scale-out", {
  vendors: { default: 1_000, help: "simulated vendors; every worker process serves all of them (≤ 1,000)" },
  processes: { default: 4, help: "most worker processes: runs with 1, 2, 4, … processes up to it" },
  orders: { default: 30, help: "shipment boxes per vendor" },
  days: { default: 7, help: "days each vendor's orders are spread over (the backfill covers them)" },
  steadySeconds: { default: 150, help: "seconds of polling after every vendor's first sync" },
  rateLimit: { default: 10, help: "the simulator's throttle, calls/s per vendor (429 and a 60 s block)" },
  concurrency: {
    default: 64,
    help: "WORKER_CONCURRENCY, polls each process runs at once (64: the worker's default from 32 vendors; 2: its old default)",
  },
  timeoutSeconds: { default: 900, help: "give up on a run whose first syncs take longer" },
  seed: { default: 42, help: "seed of the simulated world" },
});

const REDIS_URL = process.env.REDIS_URL || "redis://127.0.0.1:6379";
/** The worker's defaults (apps/worker config.ts), set explicitly because the figures depend on them. */
const POLL_INTERVAL_SECONDS = 60;
const CLIENT_RPS = 5;

/** When things happened in a run, epoch ms. */
interface Milestones {
  spawned: number;
  /** Every process logged "worker started": schedulers upserted, boot polls queued. */
  booted: number;
  /** Every vendor's four streams had a succeeded poll. */
  synced: number;
  end: number;
}

/** A (vendor, stream)'s polls, from `sync_runs`. */
interface PollRow {
  vendor_id: string;
  stream: string;
  status: string;
  trigger: string;
  started: number;
  finished: number | null;
}

/** p50, p99 and max of `values` (seconds), rounded to 0.1 s. */
function spread(values: number[]): { p50: number; p99: number; max: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const r = (n: number) => Math.round(n * 10) / 10;
  return { p50: r(percentile(sorted, 0.5)), p99: r(percentile(sorted, 0.99)), max: r(sorted.at(-1) ?? 0) };
}

/** The most calls `times` (ascending epoch ms) holds in any sliding second, as the simulator counts them. */
function busiestSecond(times: readonly number[]): number {
  let most = 0;
  for (let hi = 0, lo = 0; hi < times.length; hi++) {
    while (times[hi]! - times[lo]! >= 1_000) lo++;
    most = Math.max(most, hi - lo + 1);
  }
  return most;
}

/** Vendors whose four streams each have a succeeded poll. */
async function vendorsSynced(bench: BenchDatabase): Promise<number> {
  const { rows } = await bench.sql.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM (SELECT vendor_id FROM sync_runs WHERE status = 'succeeded'
       GROUP BY vendor_id HAVING count(DISTINCT stream) = $1) v`,
    [STREAMS.length],
  );
  return rows[0]!.n;
}

/**
 * Compares every vendor's stored rows with the simulator's ground truth counts (its
 * `/__sim/ground-truth?vendorId=`): boxes, items, receipts, withdrawals, exchanges. Returns
 * `vendorId kind: stored ≠ truth` for each difference, and the boxes stored in all.
 */
async function checkAgainstTruth(
  bench: BenchDatabase,
  simUrl: string,
  vendorIds: readonly string[],
): Promise<{ differences: string[]; boxes: number }> {
  const tables = {
    boxes: "shipment_boxes",
    items: "order_items",
    returnRequests: "return_requests",
    returnWithdrawals: "return_withdrawals",
    exchanges: "exchange_requests",
  } as const;
  const stored = new Map<string, number>();
  for (const [kind, table] of Object.entries(tables)) {
    const { rows } = await bench.sql.query<{ vendor_id: string; n: number }>(
      `SELECT vendor_id, count(*)::int AS n FROM ${table} GROUP BY vendor_id`,
    );
    for (const r of rows) stored.set(`${r.vendor_id} ${kind}`, r.n);
  }
  const differences: string[] = [];
  let boxes = 0;
  for (const vendorId of vendorIds) {
    const response = await fetch(`${simUrl}/__sim/ground-truth?vendorId=${vendorId}`);
    const truth = (await response.json()) as GroundTruthCounts;
    for (const kind of Object.keys(tables) as Array<keyof typeof tables>) {
      const have = stored.get(`${vendorId} ${kind}`) ?? 0;
      if (have !== truth[kind]) differences.push(`${vendorId} ${kind}: ${have} ≠ ${truth[kind]}`);
    }
    boxes += stored.get(`${vendorId} boxes`) ?? 0;
  }
  return { differences, boxes };
}

/**
 * CPU seconds the Postgres backends serving the scratch database have used since they started
 * (the workers' pools keep theirs open for the whole run, so this is the run's database work).
 */
async function postgresCpuSeconds(bench: BenchDatabase): Promise<number> {
  const { rows } = await bench.sql.query<{ pid: number }>(
    "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()",
  );
  return rows.reduce((n, r) => n + (processCpuSeconds(r.pid) ?? 0), 0);
}

/** CPU seconds of each process in `pids` now (null for one that exited). */
const cpuOf = (pids: ReadonlyArray<number | undefined>) => pids.map((pid) => processCpuSeconds(pid));

/** One run: `processes` workers serving every vendor, from a fresh database, Redis prefix and simulator. */
async function runWith(processes: number, machine: { info?: MachineInfo }) {
  const vendors = derivedVendors(settings.vendors);
  const vendorIds = vendors.map((v) => v.vendorId);
  // An hour back: every generated box is past the 10-minute list lag, so the truth stays fixed.
  const sim = await startSimulatorProcess({
    orders: settings.orders,
    days: settings.days,
    seed: settings.seed,
    anchor: new Date(Date.now() - 3_600_000),
    vendors: settings.vendors,
    rateLimit: settings.rateLimit,
  });
  const bench = await openBenchDatabase("cos_bench_scale_out", 2);
  machine.info ??= bench.machine;
  const queuePrefix = `bench_scale_${randomBytes(4).toString("hex")}`;
  const vendorsFile = join(tmpdir(), `${queuePrefix}-vendors.json`);
  await writeFile(vendorsFile, JSON.stringify(vendors.map((v) => ({ ...v, name: v.vendorId }))));
  const daemons: Daemon[] = [];
  try {
    const env = workerEnv(
      {
        db: { url: bench.url },
        sim: { url: sim.url },
        vendor: { vendorsFile },
        queuePrefix,
        redisUrl: REDIS_URL,
      },
      {
        SYNC_BACKFILL_DAYS: String(settings.days + 1),
        SYNC_POLL_INTERVAL_SECONDS: String(POLL_INTERVAL_SECONDS),
        COUPANG_REQUESTS_PER_SECOND: String(CLIENT_RPS),
        WORKER_CONCURRENCY: String(settings.concurrency),
        HTTP_PORT: "off",
      },
    );
    const spawned = Date.now();
    for (let i = 0; i < processes; i++) daemons.push(startDaemon(env));
    const pids = daemons.map((d) => d.pid);
    await Promise.all(
      daemons.map((d) => d.waitForOutput(/"msg":"worker started"/, settings.timeoutSeconds * 1000)),
    );
    const booted = Date.now();
    let lastReport = 0;
    await waitFor("every vendor's first sync", settings.timeoutSeconds * 1000, async () => {
      const synced = await vendorsSynced(bench);
      if (Date.now() - lastReport > 15_000) {
        lastReport = Date.now();
        console.log(
          `  ${processes} process(es): ${synced} of ${vendorIds.length} vendors synced after ${((Date.now() - spawned) / 1000).toFixed(0)} s`,
        );
      }
      return synced === vendorIds.length;
    });
    const synced = Date.now();
    const cpuAtSync = cpuOf(pids);
    const simCpuAtSync = processCpuSeconds(sim.child.pid);
    const postgresCpuAtSync = await postgresCpuSeconds(bench);
    console.log(
      `  ${processes} process(es): all synced after ${((synced - spawned) / 1000).toFixed(1)} s; ${settings.steadySeconds} s of steady polling …`,
    );
    await sleep(settings.steadySeconds * 1000);
    const end = Date.now();
    const cpuAtEnd = cpuOf(pids);
    const simCpuAtEnd = processCpuSeconds(sim.child.pid);
    const postgresCpuAtEnd = await postgresCpuSeconds(bench);
    for (const d of daemons) d.kill("SIGTERM");
    await Promise.race([Promise.all(daemons.map((d) => d.exited)), sleep(60_000)]);

    const at: Milestones = { spawned, booted, synced, end };
    const calls = (await (await fetch(`${sim.url}/__sim/calls/vendors`)).json()) as Record<
      string,
      VendorCalls
    >;
    const { rows: polls } = await bench.sql.query<PollRow>(
      `SELECT vendor_id, stream, status, trigger, (extract(epoch FROM started_at) * 1000)::float8 AS started,
              (extract(epoch FROM finished_at) * 1000)::float8 AS finished
         FROM sync_runs ORDER BY started_at`,
    );
    const truth = await checkAgainstTruth(bench, sim.url, vendorIds);
    return summarize(processes, vendorIds, at, polls, calls, truth, {
      toSync: cpuAtSync,
      toEnd: cpuAtEnd,
      simToSync: simCpuAtSync,
      simToEnd: simCpuAtEnd,
      postgresToSync: postgresCpuAtSync,
      postgresToEnd: postgresCpuAtEnd,
    });
  } catch (err) {
    for (const d of daemons) console.error(`worker ${d.pid} output tail:\n${d.output().slice(-2_000)}`);
    throw err;
  } finally {
    await killAll(daemons);
    sim.child.kill("SIGTERM");
    await bench.close();
    await rm(vendorsFile, { force: true });
    await dropRedisKeys(REDIS_URL, queuePrefix);
  }
}

/** The figures of one run, from its milestones, `sync_runs`, the simulator's call log and CPU readings. */
function summarize(
  processes: number,
  vendorIds: readonly string[],
  at: Milestones,
  polls: readonly PollRow[],
  calls: Record<string, VendorCalls>,
  truth: { differences: string[]; boxes: number },
  cpu: {
    toSync: Array<number | null>;
    toEnd: Array<number | null>;
    simToSync: number | null;
    simToEnd: number | null;
    postgresToSync: number;
    postgresToEnd: number;
  },
) {
  const seconds = (ms: number) => Math.round(ms / 100) / 10;
  const syncSeconds = (at.synced - at.spawned) / 1000;
  const steadySeconds = (at.end - at.synced) / 1000;
  const byVendor = new Map<string, PollRow[]>();
  const byStream = new Map<string, PollRow[]>();
  for (const p of polls) {
    byVendor.set(p.vendor_id, [...(byVendor.get(p.vendor_id) ?? []), p]);
    byStream.set(`${p.vendor_id} ${p.stream}`, [...(byStream.get(`${p.vendor_id} ${p.stream}`) ?? []), p]);
  }
  // A vendor's first sync is complete when each stream's first succeeded poll has finished.
  const completedAt = vendorIds.map((id) => {
    const rows = byVendor.get(id) ?? [];
    return Math.max(
      ...STREAMS.map(
        (s) => rows.find((r) => r.stream === s && r.status === "succeeded")?.finished ?? Infinity,
      ),
    );
  });
  const firstCall = vendorIds.map((id) => calls[id]?.admitted[0] ?? Infinity);
  // The steady phase's waits: between consecutive poll starts of a stream, the wait that ends in
  // the phase, and the one still open at its end (a stream no longer polled shows there).
  const gaps: number[] = [];
  let starved = 0;
  for (const id of vendorIds) {
    for (const stream of STREAMS) {
      const starts = (byStream.get(`${id} ${stream}`) ?? []).map((r) => r.started);
      const inPhase = starts.filter((t) => t >= at.synced && t <= at.end);
      if (inPhase.length === 0) starved++;
      let longest = at.end - Math.max(at.synced, starts.at(-1) ?? at.synced);
      for (let i = 1; i < starts.length; i++)
        if (starts[i]! >= at.synced) longest = Math.max(longest, starts[i]! - starts[i - 1]!);
      gaps.push(longest / 1000);
    }
  }
  const steadyPolls = polls.filter((p) => p.started >= at.synced && p.started <= at.end);
  const syncPolls = polls.filter((p) => p.started < at.synced).length;
  const perVendor = vendorIds.map((id) => calls[id] ?? { admitted: [], warned: 0, throttled: 0 });
  const busiest = perVendor.map((c) => busiestSecond(c.admitted));
  const sum = (xs: Array<number | null>) => xs.reduce<number>((n, x) => n + (x ?? 0), 0);
  const cpuSync = cpu.toSync.map((x) => Math.round((x ?? 0) * 10) / 10);
  const cpuSteady = cpu.toEnd.map((x, i) => Math.round(((x ?? 0) - (cpu.toSync[i] ?? 0)) * 10) / 10);
  return {
    processes,
    vendors: vendorIds.length,
    bootSeconds: seconds(at.booted - at.spawned),
    firstSyncSeconds: Math.round(syncSeconds * 10) / 10,
    boxes: truth.boxes,
    boxesPerSecond: perSecond(truth.boxes, syncSeconds),
    firstSyncPolls: syncPolls,
    firstSyncPollsPerSecond: Math.round((syncPolls / syncSeconds) * 10) / 10,
    steadySeconds: Math.round(steadySeconds),
    steadyPollsPerSecond: Math.round((steadyPolls.length / steadySeconds) * 10) / 10,
    /** Steady polls by `trigger status` (schedule/manual, succeeded/partial/…). */
    steadyPollsBy: steadyPolls.reduce<Record<string, number>>((by, p) => {
      by[`${p.trigger} ${p.status}`] = (by[`${p.trigger} ${p.status}`] ?? 0) + 1;
      return by;
    }, {}),
    /** What the schedule asks: every (vendor, stream) once per poll interval. */
    scheduledPollsPerSecond:
      Math.round(((vendorIds.length * STREAMS.length) / POLL_INTERVAL_SECONDS) * 10) / 10,
    cpu: {
      perProcessToSync: cpuSync,
      perProcessSteady: cpuSteady,
      /** All workers' CPU over the first sync ÷ its wall time: cores kept busy (2 on this machine). */
      workerCoresToSync: ratio(sum(cpu.toSync), syncSeconds),
      workerCoresSteady: ratio(sum(cpu.toEnd) - sum(cpu.toSync), steadySeconds),
      simulatorCoresToSync: ratio(cpu.simToSync ?? 0, syncSeconds),
      simulatorCoresSteady: ratio((cpu.simToEnd ?? 0) - (cpu.simToSync ?? 0), steadySeconds),
      postgresCoresToSync: ratio(cpu.postgresToSync, syncSeconds),
      postgresCoresSteady: ratio(cpu.postgresToEnd - cpu.postgresToSync, steadySeconds),
    },
    rateLimit: {
      limit: settings.rateLimit,
      clientBudget: CLIENT_RPS,
      calls: sum(perVendor.map((c) => c.admitted.length)),
      busiestSecondMax: Math.max(...busiest),
      vendorsOverBudget: busiest.filter((n) => n > CLIENT_RPS).length,
      vendorsOverLimit: busiest.filter((n) => n > settings.rateLimit).length,
      throttled429: sum(perVendor.map((c) => c.throttled)),
      warnings: sum(perVendor.map((c) => c.warned)),
    },
    starvation: {
      firstCallSeconds: spread(firstCall.map((t) => (t - at.spawned) / 1000)),
      firstSyncCompleteSeconds: spread(completedAt.map((t) => (t - at.spawned) / 1000)),
      steadyLongestWaitSeconds: spread(gaps),
      streamsNotPolledInSteadyPhase: starved,
    },
    truthDifferences: truth.differences.slice(0, 20),
    truthDifferenceCount: truth.differences.length,
  };
}

async function main(): Promise<void> {
  const counts: number[] = [];
  for (let p = 1; p <= settings.processes; p *= 2) counts.push(p);
  const machine: { info?: MachineInfo } = {};
  const runs = [];
  for (const p of counts) {
    console.log(`running: ${settings.vendors} vendors × ${settings.orders} boxes, ${p} worker process(es) …`);
    runs.push(await runWith(p, machine));
  }
  const base = runs[0]!;
  printTable(
    `Scale-out: ${settings.vendors} vendors, ${settings.orders} boxes each, throttle ${settings.rateLimit}/s per vendor`,
    runs.map((r) => ({
      processes: r.processes,
      "boot s": r.bootSeconds,
      "first sync s": r.firstSyncSeconds,
      speed_up: ratio(base.firstSyncSeconds, r.firstSyncSeconds),
      "boxes/s": r.boxesPerSecond,
      "polls/s (sync)": r.firstSyncPollsPerSecond,
      "polls/s (steady)": r.steadyPollsPerSecond,
      "scheduled polls/s": r.scheduledPollsPerSecond,
      "worker cores (sync)": r.cpu.workerCoresToSync,
      "worker cores (steady)": r.cpu.workerCoresSteady,
      "postgres cores (sync)": r.cpu.postgresCoresToSync,
      "sim cores (sync)": r.cpu.simulatorCoresToSync,
      "CPU s per process (sync)": r.cpu.perProcessToSync.join(" / "),
      "truth differences": r.truthDifferenceCount,
    })),
  );
  printTable(
    "Rate limit, across all processes (the simulator's per-vendor call log)",
    runs.map((r) => ({
      processes: r.processes,
      calls: r.rateLimit.calls,
      "busiest second, any vendor": r.rateLimit.busiestSecondMax,
      "client budget": r.rateLimit.clientBudget,
      limit: r.rateLimit.limit,
      "vendors over budget": r.rateLimit.vendorsOverBudget,
      "vendors over limit": r.rateLimit.vendorsOverLimit,
      "429s": r.rateLimit.throttled429,
      "X-CAG-Warnings": r.rateLimit.warnings,
    })),
  );
  printTable(
    "Starvation, seconds (from the workers' start; the steady wait is per vendor and stream)",
    runs.flatMap((r) => [
      { processes: r.processes, measure: "first call", ...r.starvation.firstCallSeconds },
      { processes: r.processes, measure: "first sync complete", ...r.starvation.firstSyncCompleteSeconds },
      {
        processes: r.processes,
        measure: "longest wait between polls",
        ...r.starvation.steadyLongestWaitSeconds,
      },
    ]),
  );
  for (const r of runs)
    if (r.truthDifferenceCount > 0 || r.starvation.streamsNotPolledInSteadyPhase > 0)
      console.log(
        `${r.processes} process(es): ${r.truthDifferenceCount} differences from the truth ${JSON.stringify(r.truthDifferences.slice(0, 5))}, ` +
          `${r.starvation.streamsNotPolledInSteadyPhase} streams not polled in the steady phase`,
      );
  const path = await writeResult("scale-out", {
    benchmark: "scale-out",
    issue: "8 §7",
    settings,
    worker: {
      pollIntervalSeconds: POLL_INTERVAL_SECONDS,
      requestsPerSecond: CLIENT_RPS,
      queues: "redis",
    },
    runs,
    machine: finishMachineInfo(machine.info!),
  });
  console.log(`\nwrote ${path}`);
}

await main();

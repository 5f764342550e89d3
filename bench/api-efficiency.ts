// Benchmark 3, API efficiency and freshness (issue 8 §3): the list calls of a full sync of all
// four streams and of one hour of steady-state polling under the worker's default schedule,
// against the fewest calls that could read the same data (test/support/api-minimum.ts, the
// definitions of docs/sync.md), and how long a new entity or a status change takes from being
// visible in the list API to being in the database, in simulated time.
// Usage: npm run bench:api-efficiency -- --help
import { CoupangClient, formatKstDate, parseKstDateTime } from "@cos/coupang";
import {
  DEFAULT_VENDOR,
  WORLD_DEFAULTS,
  startSimulator,
  type GroundTruth,
  type Simulator,
} from "@cos/coupang-sim";
import { ensureVendorAccount, type PrismaClient } from "@cos/db";
import {
  runStream,
  streamAdapter,
  STREAM_NAMES,
  type AnyStreamAdapter,
  type PlanConfig,
  type StreamSource,
} from "@cos/sync";
import { loadConfig } from "../apps/worker/src/config.js";
import {
  fullSyncMinimumByStatus,
  snapshot,
  stepLowerBound,
  type ListSnapshot,
} from "../test/support/api-minimum.js";
import {
  DAY,
  MINUTE,
  Stopwatch,
  finishMachineInfo,
  openBenchDatabase,
  percentile,
  printTable,
  ratio,
  readSettings,
  writeResult,
} from "./support/harness.js";

const settings = readSettings("api-efficiency", {
  orders: { default: 10_000, help: "shipment boxes in the simulated history" },
  days: { default: 30, help: "days the history is spread over (the 30-day backfill covers them)" },
  seed: { default: 42, help: "seed of the simulated world" },
  minutes: { default: 60, help: "simulated minutes of steady-state polling after the full sync" },
});

/** 2026-06-01 12:00 KST: the history ends here and the simulated hour starts here. */
const ANCHOR = new Date("2026-06-01T03:00:00Z");
const VENDOR = DEFAULT_VENDOR;
const STREAMS: readonly string[] = STREAM_NAMES;

/** The worker's defaults (apps/worker config.ts): only the variables without a default are given. */
const WORKER = loadConfig({
  DATABASE_URL: "postgresql://unused",
  COUPANG_VENDOR_ID: VENDOR.vendorId,
  COUPANG_ACCESS_KEY: VENDOR.accessKey,
  COUPANG_SECRET_KEY: VENDOR.secretKey,
});
const PLAN: PlanConfig = WORKER.plan;
const POLL_MS = WORKER.pollIntervalMs;

/** Calls per stream, tier and query status, counted at the adapters' page iterators (one page, one call). */
type CallCounts = Map<string, number>;
const callKey = (stream: string, tier: string, status: string) => `${stream}|${tier}|${status}`;

/** The stream's adapter, counting every page it fetches under its stream, tier and query status. */
function countingAdapter(stream: string, source: StreamSource, prisma: PrismaClient, counts: CallCounts) {
  const adapter: AnyStreamAdapter = streamAdapter(stream, { source, prisma });
  return {
    ...adapter,
    pages: (query, nextToken) => ({
      [Symbol.asyncIterator]: () => {
        const pages = adapter.pages(query, nextToken)[Symbol.asyncIterator]();
        return {
          next: async () => {
            const page = await pages.next();
            if (!page.done) {
              const key = callKey(stream, query.tier, query.status);
              counts.set(key, (counts.get(key) ?? 0) + 1);
            }
            return page;
          },
        };
      },
    }),
  } satisfies AnyStreamAdapter;
}

/** One round of every stream's poll at the simulator's now, as the worker's schedulers run them. */
async function pollAll(sim: Simulator, prisma: PrismaClient, client: CoupangClient, counts: CallCounts) {
  for (const stream of STREAMS) {
    const report = await runStream(
      { prisma, vendorId: VENDOR.vendorId, config: PLAN, trigger: "schedule", now: () => sim.clock.now() },
      countingAdapter(stream, client, prisma, counts),
    );
    if (report.outcome !== "completed") throw new Error(`the ${stream} poll ended ${report.outcome}`);
  }
}

/** The change-feed entity of each stream's listed record. */
const ENTITY: Record<string, string> = {
  ordersheets: "shipment_box",
  returnRequests: "return_request",
  exchangeRequests: "exchange_request",
  returnWithdrawRequests: "return_withdrawal",
};

/** A record's state in the list: its status (null for withdrawals) and the instants it became visible. */
interface Listed {
  status: string | null;
  /** The KST day the list files it under (`yyyy-MM-dd`): the order's day, the claim's creation day. */
  day: string;
  /** When the record first showed in its list. */
  createdMs: number;
  /** When it entered `status` (for boxes from the simulator's delivery history, else `modifiedAt`). */
  statusMs: number;
}

/** Per `entity:id`, the records the lists show at the simulator's now, with when each became what it is. */
function listedNow(sim: Simulator, gt: GroundTruth): Map<string, Listed> {
  const out = new Map<string, Listed>();
  const nowMs = sim.clock.nowMs();
  const book = sim.world.book(VENDOR.vendorId)!;
  const kst = (s: unknown) => parseKstDateTime(String(s)).getTime();
  const listLagMs = WORLD_DEFAULTS.listLagMinutes * MINUTE;
  for (const o of gt.orders) {
    const createdMs = kst(o.paidAt) + listLagMs;
    // The delivery history (§2.4) is newest first: its head is the entry into the current status.
    const i = book.findBox(o.shipmentBoxId, nowMs);
    const entered = i < 0 ? undefined : book.history(i)[0]?.updatedAt;
    out.set(`shipment_box:${o.shipmentBoxId}`, {
      status: o.status,
      day: String(o.orderedAt).slice(0, 10),
      createdMs,
      statusMs: Math.max(createdMs, entered ? kst(entered) : createdMs),
    });
  }
  for (const r of gt.returnRequests) {
    out.set(`return_request:${r.receiptId}`, {
      status: r.receiptStatus,
      day: String(r.createdAt).slice(0, 10),
      createdMs: kst(r.createdAt),
      statusMs: kst(r.modifiedAt),
    });
  }
  for (const x of gt.exchanges) {
    out.set(`exchange_request:${x.exchangeId}`, {
      status: x.exchangeStatus,
      day: String(x.createdAt).slice(0, 10),
      createdMs: kst(x.createdAt),
      statusMs: kst(x.modifiedAt),
    });
  }
  for (const w of gt.returnWithdrawals) {
    const at = kst(w.createdAt);
    out.set(`return_withdrawal:${w.cancelId}`, {
      status: null,
      day: String(w.createdAt).slice(0, 10),
      createdMs: at,
      statusMs: at,
    });
  }
  return out;
}

/** A change the lists showed that the database must catch up with. */
interface Change {
  key: string;
  kind: "created" | "status_changed";
  status: string | null;
  /** The KST day its list files it under. */
  day: string;
  visibleMs: number;
  /** The payload's instant lay outside the step it was seen in, and was moved to the step's start. */
  clamped: boolean;
}

/**
 * The changes between two rounds' lists: a new record (`created`) or a new status. Its visible
 * instant is the simulator's (paidAt + list lag, the history entry, `modifiedAt`, the withdrawal's
 * `createdAt`), kept inside the step it was seen in: a later field change may move `modifiedAt`.
 */
function changesBetween(
  before: Map<string, Listed>,
  after: Map<string, Listed>,
  fromMs: number,
  toMs: number,
) {
  const out: Change[] = [];
  const within = (ms: number) => ({
    visibleMs: Math.min(toMs, Math.max(fromMs, ms)),
    clamped: ms <= fromMs || ms > toMs,
  });
  for (const [key, now] of after) {
    const was = before.get(key);
    if (!was) out.push({ key, kind: "created", status: now.status, day: now.day, ...within(now.createdMs) });
    else if (was.status !== now.status)
      out.push({ key, kind: "status_changed", status: now.status, day: now.day, ...within(now.statusMs) });
  }
  return out;
}

async function main(): Promise<void> {
  const sim = await startSimulator({
    seed: settings.seed,
    orders: settings.orders,
    days: settings.days,
    anchor: ANCHOR,
    clock: "simulated",
    // New orders at the history's rate, carriers, cancels, returns, exchanges and withdrawals.
    activity: "normal",
    vendors: [VENDOR],
  });
  const bench = await openBenchDatabase("cos_bench_api", 4);
  const { prisma, sql } = bench;
  const client = new CoupangClient({ baseUrl: sim.url, ...VENDOR, requestsPerSecond: 1_000 });
  try {
    await ensureVendorAccount(prisma, { vendorId: VENDOR.vendorId, name: "api-efficiency benchmark" });
    const simCalls = () => sim.calls().total ?? 0;

    // ------------------------------------------------------------ the full sync (a backfill)
    console.log(`full sync of ${settings.orders} boxes over ${settings.days} days, four streams …`);
    const full: CallCounts = new Map();
    const fullWatch = new Stopwatch();
    const callsBefore = simCalls();
    await fullWatch.time(() => pollAll(sim, prisma, client, full));
    const fullCalls = simCalls() - callsBefore;
    const truth = sim.groundTruth(VENDOR.vendorId);
    const minimum = fullSyncMinimumByStatus(truth, STREAMS);
    const byStatus = STREAMS.flatMap((stream) => {
      const statuses = new Set([
        ...Object.keys(minimum[stream]!),
        ...[...full.keys()].filter((k) => k.startsWith(`${stream}|`)).map((k) => k.split("|")[2]!),
      ]);
      return [...statuses].map((status) => ({
        stream,
        status,
        calls: [...full.entries()]
          .filter(([k]) => k.startsWith(`${stream}|`) && k.endsWith(`|${status}`))
          .reduce((n, [, c]) => n + c, 0),
        minimum: minimum[stream]![status] ?? 0,
      }));
    });
    const fullTotals = {
      calls: fullCalls,
      pagesCounted: byStatus.reduce((n, r) => n + r.calls, 0),
      minimum: byStatus.reduce((n, r) => n + r.minimum, 0),
    };
    const fullRatio = ratio(fullTotals.calls, fullTotals.minimum);
    if (fullTotals.pagesCounted !== fullCalls) {
      throw new Error(
        `the adapters counted ${fullTotals.pagesCounted} pages, the simulator ${fullCalls} calls`,
      );
    }
    const perStream = STREAMS.map((stream) => {
      const rows = byStatus.filter((r) => r.stream === stream);
      const calls = rows.reduce((n, r) => n + r.calls, 0);
      const min = rows.reduce((n, r) => n + r.minimum, 0);
      return { stream, calls, minimum: min, extra: calls - min, ratio: ratio(calls, min) };
    });
    printTable("Full sync: calls per stream against the minimum", [
      ...perStream,
      {
        stream: "total",
        calls: fullTotals.calls,
        minimum: fullTotals.minimum,
        extra: fullTotals.calls - fullTotals.minimum,
        ratio: fullRatio,
      },
    ]);
    printTable(
      "Full sync: calls per query status where they differ from the minimum",
      byStatus.filter((r) => r.calls !== r.minimum),
    );

    // ------------------------------------------------------------ an hour of steady-state polling
    console.log(`\n${settings.minutes} simulated minutes of polling, every ${POLL_MS / 1000} s …`);
    const hour: CallCounts = new Map();
    const hourWatch = new Stopwatch();
    const hourCallsBefore = simCalls();
    let lowerBound = 0;
    let previousSnapshot: ListSnapshot = snapshot(truth);
    let previousListed = listedNow(sim, truth);
    const pending = new Map<string, Change[]>();
    const measured: Array<Change & { freshnessMs: number }> = [];
    let lastEventId =
      (await sql.query<{ id: string | null }>("SELECT max(id)::text AS id FROM change_events")).rows[0]!.id ??
      "0";
    const startMs = sim.clock.nowMs();
    const steps = Math.round((settings.minutes * MINUTE) / POLL_MS);
    for (let step = 1; step <= steps; step++) {
      const fromMs = sim.clock.nowMs();
      sim.clock.advance(POLL_MS);
      const gt = sim.groundTruth(VENDOR.vendorId);
      const snap = snapshot(gt);
      lowerBound += Object.values(stepLowerBound(previousSnapshot, snap, STREAMS)).reduce((n, c) => n + c, 0);
      previousSnapshot = snap;
      const listed = listedNow(sim, gt);
      for (const change of changesBetween(previousListed, listed, fromMs, sim.clock.nowMs())) {
        pending.set(change.key, [...(pending.get(change.key) ?? []), change]);
      }
      previousListed = listed;

      await hourWatch.time(() => pollAll(sim, prisma, client, hour));

      // Every row the round wrote is in the database at the round's simulated instant.
      const events = await sql.query<{ id: string; key: string; status: string | null }>(
        `SELECT id::text, entity || ':' || entity_id AS key, new_status AS status FROM change_events
          WHERE id > $1 AND kind IN ('created', 'status_changed') AND entity = ANY($2) ORDER BY id`,
        [lastEventId, Object.values(ENTITY)],
      );
      for (const event of events.rows) {
        lastEventId = event.id;
        const waiting = pending.get(event.key);
        if (!waiting) continue;
        // The row now shows this status: it caught up with that change and every earlier one.
        const upTo = waiting.findLastIndex((c) => c.status === event.status);
        if (upTo < 0) continue;
        for (const c of waiting.splice(0, upTo + 1))
          measured.push({ ...c, freshnessMs: sim.clock.nowMs() - c.visibleMs });
        if (waiting.length === 0) pending.delete(event.key);
      }
    }
    const hourCalls = simCalls() - hourCallsBefore;
    const endMs = sim.clock.nowMs();
    const open = [...pending.values()].flat();

    const tierCalls = (tier: string) =>
      [...hour.entries()].filter(([k]) => k.split("|")[1] === tier).reduce((n, [, c]) => n + c, 0);
    const steady = {
      simulatedMinutes: (endMs - startMs) / MINUTE,
      polls: steps * STREAMS.length,
      calls: hourCalls,
      hot: tierCalls("hot"),
      warm: tierCalls("warm"),
      cold: tierCalls("cold"),
      retry: tierCalls("retry"),
      lowerBound,
      ratio: ratio(hourCalls, lowerBound),
      realSecondsPerRound: Math.round((hourWatch.seconds / steps) * 1000) / 1000,
    };
    printTable("Steady state: calls of the polling against the lower bound (an oracle of what changed)", [
      steady,
    ]);
    const hourPerStream = STREAMS.map((stream) => {
      const mine = [...hour.entries()].filter(([k]) => k.startsWith(`${stream}|`));
      const tier = (t: string) => mine.filter(([k]) => k.split("|")[1] === t).reduce((n, [, c]) => n + c, 0);
      return { stream, hot: tier("hot"), warm: tier("warm"), cold: tier("cold"), retry: tier("retry") };
    });
    printTable("Steady state: calls per stream and tier", hourPerStream);

    // Freshness: what was caught, and what the hour left for a later tier (a lower bound each).
    const seconds = (ms: number) => Math.round(ms / 100) / 10;
    const freshnessRow = (label: string, caught: Array<{ freshnessMs: number }>, waiting: Change[]) => {
      const sorted = caught.map((c) => c.freshnessMs).sort((a, b) => a - b);
      const all = [...sorted, ...waiting.map((c) => endMs - c.visibleMs)].sort((a, b) => a - b);
      return {
        changes: label,
        caught: caught.length,
        waiting: waiting.length,
        p50s: seconds(percentile(sorted, 0.5)),
        p99s: seconds(percentile(sorted, 0.99)),
        maxs: seconds(sorted.at(-1) ?? 0),
        "p99s with waiting as ≥": seconds(percentile(all, 0.99)),
      };
    };
    const kindOf = (c: Change) => `${c.key.split(":")[0]} ${c.kind}`;
    const kinds = [...new Set([...measured, ...open].map(kindOf))].sort();
    const freshness = [
      freshnessRow("all", measured, open),
      ...kinds.map((k) =>
        freshnessRow(
          k,
          measured.filter((c) => kindOf(c) === k),
          open.filter((c) => kindOf(c) === k),
        ),
      ),
    ];
    printTable(
      "Freshness in simulated seconds: visible in the list API → row in the database (polls every 60 s)",
      freshness,
    );
    // What the hour left: by status and how many days before the hour its list files it.
    const hourDay = Date.parse(`${formatKstDate(new Date(startMs))}T00:00:00Z`);
    const waitingBy = new Map<string, { status: string; daysOld: number; changes: number }>();
    for (const c of open) {
      const daysOld = Math.round((hourDay - Date.parse(`${c.day}T00:00:00Z`)) / DAY);
      const key = `${kindOf(c)} ${c.status} ${daysOld}`;
      const row = waitingBy.get(key) ?? { status: `${kindOf(c)} → ${c.status ?? ""}`, daysOld, changes: 0 };
      row.changes++;
      waitingBy.set(key, row);
    }
    const waiting = [...waitingBy.values()].sort((a, b) => a.daysOld - b.daysOld);
    if (waiting.length > 0)
      printTable("Changes still waiting after the hour, by the age of their list day", waiting);
    const clamped = [...measured, ...open].filter((c) => c.clamped).length;
    console.log(
      `${clamped} of ${measured.length + open.length} changes had a payload instant outside the minute they appeared in (moved to its start)`,
    );

    const path = await writeResult("api-efficiency", {
      benchmark: "api-efficiency",
      issue: "8 §3",
      settings,
      plan: PLAN,
      pollIntervalMs: POLL_MS,
      fullSync: {
        ...fullTotals,
        ratio: fullRatio,
        target: 1.1,
        met: fullRatio <= 1.1,
        seconds: Math.round(fullWatch.seconds * 10) / 10,
        perStream,
        byStatus,
        world: {
          boxes: truth.boxes,
          receipts: truth.returnRequests.length,
          exchanges: truth.exchanges.length,
          withdrawals: truth.returnWithdrawals.length,
        },
      },
      steadyState: { ...steady, perStream: hourPerStream },
      freshness: {
        definition:
          "simulated ms from the instant a change is visible in the list API (a box: paidAt + list lag; a status: the box's delivery-history entry or the claim's modifiedAt; a withdrawal: its createdAt) to the simulated instant of the poll round whose transaction wrote its change event",
        rows: freshness,
        clamped,
        waiting,
      },
      machine: finishMachineInfo(bench.machine),
    });
    console.log(`\nwrote ${path}`);
  } finally {
    client.close();
    await sim.close();
    await bench.close();
  }
}

await main();

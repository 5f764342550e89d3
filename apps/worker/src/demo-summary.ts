import { ORDER_STATUSES } from "@cos/coupang";
import { createPrisma, type PrismaClient } from "@cos/db";
import type { Simulator } from "@cos/coupang-sim";
import type { SyncReport } from "@cos/sync";
import type { MetricFamily } from "./exposition.js";
import { compareKinds, type KindComparison } from "./ground-truth.js";

/** Boxes and items of one status, in the database and in the simulator's ground truth. */
export interface StatusRow {
  status: string;
  dbBoxes: number;
  dbItems: number;
  simBoxes: number;
  simItems: number;
}

/** The database beside the simulator's ground truth, per box status and per entity kind. */
export interface Comparison {
  /**
   * Boxes and items per status (coupang-api.md §2.1's statuses). Stored boxes the list no longer
   * serves (fully cancelled or returned, `KindComparison.gone`) are left out of the database's side.
   */
  rows: StatusRow[];
  /** Every entity kind, as `compareKinds` compares them (boxes, items, receipts, withdrawals, exchanges). */
  kinds: KindComparison[];
  /** Every status's counts agree and every kind is `equal`. */
  equal: boolean;
}

/**
 * Compares what the database holds for a vendor with the simulator's ground truth at the
 * simulator's now: boxes and items per status, and every entity kind row by row — the set of
 * keys, each raw payload as jsonb (every field, every digit of every ID) and its normalized
 * columns (see `compareKinds`). Read-only.
 * @throws Prisma's error when a query fails (e.g. the migrations were not applied).
 */
export async function compareWithSimulator(
  prisma: PrismaClient,
  sim: Simulator,
  vendorId: string,
): Promise<Comparison> {
  const truth = sim.groundTruth(vendorId);
  const delisted = truth.delisted.map((o) => String(o.shipmentBoxId));
  const dbBoxes = await prisma.$queryRawUnsafe<Array<{ status: string; boxes: bigint; items: bigint }>>(
    `SELECT b.status, count(DISTINCT b.shipment_box_id) AS boxes, count(i.vendor_item_id) AS items
       FROM shipment_boxes b LEFT JOIN order_items i ON i.shipment_box_id = b.shipment_box_id
      WHERE b.vendor_id = $1 AND b.shipment_box_id::text <> ALL($2::text[]) GROUP BY b.status`,
    vendorId,
    delisted,
  );
  const byStatus = new Map(dbBoxes.map((r) => [r.status, r]));
  const rows = ORDER_STATUSES.map((status) => ({
    status,
    dbBoxes: Number(byStatus.get(status)?.boxes ?? 0),
    dbItems: Number(byStatus.get(status)?.items ?? 0),
    simBoxes: truth.boxesByStatus[status] ?? 0,
    simItems: truth.itemsByStatus[status] ?? 0,
  }));
  const kinds = await compareKinds(prisma, truth);
  const countsEqual = rows.every((r) => r.dbBoxes === r.simBoxes && r.dbItems === r.simItems);
  return { rows, kinds, equal: countsEqual && kinds.every((k) => k.equal) };
}

/** What one stream's polls of a run did, summed over them (the boot's, the schedule's). */
export type StreamTally = Pick<
  SyncReport,
  | "apiCalls"
  | "pages"
  | "boxesInserted"
  | "boxesUpdated"
  | "itemsInserted"
  | "itemsUpdated"
  | "events"
  | "rejected"
>;

/** The counts of a {@link StreamTally}, in the order the summary prints them. */
const TALLY_KEYS = [
  "apiCalls",
  "pages",
  "boxesInserted",
  "boxesUpdated",
  "itemsInserted",
  "itemsUpdated",
  "events",
  "rejected",
] as const satisfies ReadonlyArray<keyof StreamTally>;

/** Adds poll `report` to `tally` (a new one when absent) and returns it. */
export function addToTally(tally: StreamTally | undefined, report: SyncReport): StreamTally {
  const sum = { ...(tally ?? Object.fromEntries(TALLY_KEYS.map((k) => [k, 0]))) } as StreamTally;
  for (const key of TALLY_KEYS) sum[key] += report[key];
  return sum;
}

/** Right-aligns `v` in `n` characters. */
const pad = (v: string | number, n: number) => String(v).padStart(n);

/**
 * The summary the demo prints: per stream the calls, pages and rows written by this run (a
 * stream's "records" are boxes, receipts, withdrawals or exchanges; "items" their lines); the
 * total calls as the worker and the simulator counted them; the boxes and items per status; per
 * entity kind the database's rows beside the simulator's; and the verdict. A run that wrote nothing
 * says the database already held this world when it equals the simulator, and that it holds
 * another world (rerun with --reset) when not.
 */
export function formatSummary(input: {
  /** Per stream, in the registry's order. */
  streams: ReadonlyArray<{ stream: string; tally: StreamTally }>;
  /** The worker's count of its API calls (`WorkerApp.apiCalls`). */
  apiCalls: number;
  /** The calls the simulator served (`sim.calls().total`). */
  simCalls: number;
  comparison: Comparison;
  seconds: string;
}): string {
  const { streams, apiCalls, simCalls, comparison, seconds } = input;
  const lines = [
    "",
    `Synced in ${seconds} s with ${apiCalls} API calls (the simulator served ${simCalls}):`,
    "",
    `${"stream".padEnd(24)}${pad("calls", 7)}${pad("pages", 7)}${pad("new", 7)}${pad("changed", 9)}${pad("new items", 11)}${pad("changed items", 15)}${pad("events", 8)}${pad("quarantined", 13)}`,
  ];
  for (const { stream, tally: t } of streams) {
    lines.push(
      `${stream.padEnd(24)}${pad(t.apiCalls, 7)}${pad(t.pages, 7)}${pad(t.boxesInserted, 7)}${pad(t.boxesUpdated, 9)}${pad(t.itemsInserted, 11)}${pad(t.itemsUpdated, 15)}${pad(t.events, 8)}${pad(t.rejected, 13)}`,
    );
  }
  const written = streams.reduce(
    (n, { tally: t }) => n + t.boxesInserted + t.boxesUpdated + t.itemsInserted + t.itemsUpdated + t.events,
    0,
  );
  // Nothing written yet different: the checkpoints are another world's (an earlier day's, other
  // options), so the incremental polls never reach this world's orders.
  const anotherWorld = written === 0 && !comparison.equal;
  if (written === 0) {
    lines.push(
      anotherWorld
        ? "This run wrote nothing, yet the database differs from the simulator: it holds another world."
        : "This run wrote nothing: the database already held this world.",
    );
  }

  lines.push(
    "",
    `${"box status".padEnd(24)}${pad("boxes", 8)}${pad("items", 8)}   ${pad("simulator boxes", 16)}${pad("items", 8)}`,
  );
  const totals = [0, 0, 0, 0];
  for (const r of comparison.rows) {
    const ok = r.dbBoxes === r.simBoxes && r.dbItems === r.simItems ? "ok" : "DIFFERS";
    lines.push(
      `${r.status.padEnd(24)}${pad(r.dbBoxes, 8)}${pad(r.dbItems, 8)}   ${pad(r.simBoxes, 16)}${pad(r.simItems, 8)}  ${ok}`,
    );
    [r.dbBoxes, r.dbItems, r.simBoxes, r.simItems].forEach((n, k) => (totals[k]! += n));
  }
  lines.push(
    `${"total".padEnd(24)}${pad(totals[0]!, 8)}${pad(totals[1]!, 8)}   ${pad(totals[2]!, 16)}${pad(totals[3]!, 8)}`,
  );

  // `no longer served`: stored rows the lists dropped for a reason the simulator gives (withdrawn
  // receipts, fully cancelled or returned boxes); they keep the last version served.
  lines.push(
    "",
    `${"entity".padEnd(24)}${pad("database", 9)}${pad("simulator", 11)}${pad("no longer served", 18)}${pad("missing", 9)}${pad("extra", 7)}${pad("mismatched", 12)}`,
  );
  for (const k of comparison.kinds) {
    const mismatched = new Set([...k.rawMismatches, ...k.columnMismatches.map((m) => m.split(" ")[0])]).size;
    lines.push(
      `${k.kind.padEnd(24)}${pad(k.dbRows, 9)}${pad(k.truthRows, 11)}${pad(k.gone.length, 18)}${pad(k.missing.length, 9)}${pad(k.extra.length, 7)}${pad(mismatched, 12)}  ${k.equal ? "ok" : "DIFFERS"}`,
    );
  }
  lines.push("");
  lines.push(
    comparison.equal
      ? "The database equals the simulator's ground truth: every box, item, return, withdrawal and exchange, every status and payload field."
      : anotherWorld
        ? "The database holds another world (see DIFFERS above): the demo's of an earlier day, or one made with " +
          "other --orders, --seed or --days; the sync resumed from its checkpoints. Run again with --reset."
        : "The database differs from the simulator (see DIFFERS above). If this database holds the demo's world of an " +
          "earlier day, or one made with other --orders, --seed or --days, run again with --reset.",
  );
  return lines.join("\n");
}

/**
 * Deletes everything the sync stored for one vendor (the demo's --reset): its boxes, items,
 * receipts, withdrawals and exchanges, their change events (a feed consumer would otherwise see
 * events of rows that no longer exist), its checkpoints, runs, leases, failed slices, reconcile
 * gaps, quarantined records and resyncs, and its outbox commands with their attempts (a kept
 * command would make the same command in the next, fresh world a duplicate of it forever).
 * The vendor account stays. One transaction.
 * @throws Prisma's error when a statement fails (nothing is deleted then).
 */
export async function resetVendor(databaseUrl: string, vendorId: string): Promise<void> {
  const prisma = createPrisma(databaseUrl, { max: 2 });
  // Children before parents; resync_windows go with their resyncs and outbox_attempts with their
  // commands (ON DELETE CASCADE).
  const tables = [
    "outbox_commands",
    "change_events",
    "order_items",
    "shipment_boxes",
    "return_items",
    "return_requests",
    "return_withdrawals",
    "exchange_items",
    "exchange_requests",
    "sync_checkpoints",
    "sync_runs",
    "sync_leases",
    "sync_failed_slices",
    "reconcile_gaps",
    "quarantined_records",
    "resyncs",
  ];
  try {
    await prisma.$transaction(
      tables.map((table) => prisma.$executeRawUnsafe(`DELETE FROM ${table} WHERE vendor_id = $1`, vendorId)),
    );
  } finally {
    await prisma.$disconnect();
  }
}

/**
 * The series of issue 7's metrics the demo's digest shows: how its samples add up (`sum`; `max`
 * for lags and ages; a histogram's `_count`), and the label they are broken down by.
 */
const DIGEST: ReadonlyArray<{ name: string; by?: string; add: "sum" | "max" | "count" }> = [
  { name: "cos_coupang_requests_total", by: "status", add: "sum" },
  { name: "cos_coupang_request_duration_seconds", add: "count" },
  { name: "cos_coupang_rate_limited_total", add: "sum" },
  { name: "cos_rows_upserted_total", by: "stream", add: "sum" },
  { name: "cos_rows_rejected_total", by: "stream", add: "sum" },
  { name: "cos_change_events_total", by: "stream", add: "sum" },
  { name: "cos_poll_failures_total", by: "kind", add: "sum" },
  { name: "cos_freshness_lag_seconds", by: "stream", add: "max" },
  { name: "cos_outbox_commands", by: "status", add: "sum" },
  { name: "cos_outbox_oldest_age_seconds", by: "status", add: "max" },
  { name: "cos_job_duration_seconds", by: "queue", add: "count" },
];

/**
 * A short digest of a `/metrics` scrape, one line per series of {@link DIGEST}: its total (or
 * maximum, or observations) and the non-zero parts by its label, e.g.
 * `cos_rows_upserted_total  4,120  (ordersheets: 4,000, returnRequests: 120)`; `—` for a series
 * without samples (a lag before the first checkpoint, an age when nothing waits).
 * @throws Error naming a series the scrape does not have.
 */
export function formatMetricsDigest(families: ReadonlyMap<string, MetricFamily>): string {
  const fmt = (n: number) => Math.round(n).toLocaleString("en-US");
  const lines = DIGEST.map(({ name, by, add }) => {
    const family = families.get(name);
    if (!family) throw new Error(`/metrics has no ${name}`);
    const samples = family.samples.filter((s) => s.name === (add === "count" ? `${name}_count` : name));
    if (samples.length === 0) return `  ${name.padEnd(38)} —`;
    const combine = (values: number[]) =>
      add === "max" ? Math.max(...values) : values.reduce((a, b) => a + b, 0);
    const parts = new Map<string, number[]>();
    for (const s of samples)
      if (by) parts.set(s.labels[by] ?? "", [...(parts.get(s.labels[by] ?? "") ?? []), s.value]);
    const detail = [...parts]
      .map(([label, values]) => [label, combine(values)] as const)
      .filter(([, value]) => value !== 0)
      .map(([label, value]) => `${label}: ${fmt(value)}`);
    const value = fmt(combine(samples.map((s) => s.value)));
    return `  ${name.padEnd(38)} ${value}${detail.length > 0 ? `  (${detail.join(", ")})` : ""}`;
  });
  return [`Metrics (/metrics, ${families.size} families)`, ...lines].join("\n");
}

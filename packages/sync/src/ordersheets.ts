import type { CoupangClient, OrderSheetPage, RejectedRecord } from "@cos/coupang";
import { randomUUID } from "node:crypto";
import {
  abandonRunningSyncRuns,
  acquireLease,
  appendChangeEvents,
  boxCountsByDay,
  finishSyncRun,
  getCheckpoint,
  quarantineRecords,
  releaseLease,
  renewLease,
  saveCheckpoint,
  startSyncRun,
  upsertShipmentBoxes,
  withTransaction,
  type ChangeEventDraft,
  type LeaseKey,
  type PrismaClient,
  type ShipmentBoxRow,
  type Tx,
} from "@cos/db";
import { readCursor, type Cursor } from "./cursor.js";
import { NormalizeError, normalizeOrderSheet } from "./normalize.js";
import { planOrderSheets, type OrderSheetsPlan, type OrderSheetsPlanConfig } from "./planner.js";

export const ORDERSHEETS_STREAM = "ordersheets";

/**
 * The lease lasts two minutes and a heartbeat renews it every 30 s while the poll runs, so a
 * worker killed mid-poll holds its stream for two minutes at most. Every page's transaction also
 * renews it, and fails if the lease passed to another poll (fencing).
 */
const LEASE_TTL_MS = 2 * 60_000;
const LEASE_HEARTBEAT_MS = 30_000;

/** The client calls the ordersheets stream needs; `CoupangClient` satisfies it. */
export type OrderSheetSource = Pick<CoupangClient, "orderSheetPages">;

/** What a poll did. Counts are rows written, not rows read: an unchanged re-read writes none. */
export interface SyncReport {
  vendorId: string;
  stream: typeof ORDERSHEETS_STREAM;
  /** null when the poll was skipped (no run recorded). */
  runId: bigint | null;
  /** The plan's summary: how many queries per tier, and what the budget deferred. */
  plan: { queries: number; reason: string; resumed: boolean } | null;
  /**
   * `completed`: every query read. `interrupted`: a shutdown stopped it between pages; the
   * cursor resumes it. `skipped`: another poll of this (vendor, stream) holds the lease.
   */
  outcome: "completed" | "interrupted" | "skipped";
  /** Queries read to their last page. */
  queries: number;
  pages: number;
  apiCalls: number;
  boxesInserted: number;
  boxesUpdated: number;
  itemsInserted: number;
  itemsUpdated: number;
  /** Change events appended to the feed (creations, status changes, field updates). */
  events: number;
  /** Accepted status transitions (a subset of `events`). */
  statusChanges: number;
  /** Reads not applied because they would have moved a status backwards. */
  staleReads: number;
  rejected: number;
  syncedThrough: string | null;
}

export interface SyncOrderSheetsInput {
  prisma: PrismaClient;
  source: OrderSheetSource;
  vendorId: string;
  config: OrderSheetsPlanConfig;
  trigger: "schedule" | "manual" | "demo";
  now?: () => Date;
  /** Aborted on shutdown: the poll stops after the page in hand has committed. */
  signal?: AbortSignal;
  /** The client's running count of HTTP attempts for this vendor (retries and failures
   * included), read before and after to report what the poll cost. Default: pages fetched. */
  callCount?: () => number;
}

/**
 * Polls the ordersheets list of one vendor: plans the windows (or resumes the cursor of an
 * interrupted poll), pages through every (window, status), and commits each page's boxes,
 * items, quarantined records, the advanced cursor and the page's change events in one
 * transaction. `synced_through` moves only when a window is complete for all six statuses, and
 * never past `now − lag`. Runs under the (vendor, stream) lease, or not at all (`skipped`).
 *
 * @throws CoupangError from the client (auth, rate limit, blocked, …); the rows of pages already
 *   committed stay, and the cursor resumes after them.
 */
export async function syncOrderSheets(input: SyncOrderSheetsInput): Promise<SyncReport> {
  const { prisma, vendorId } = input;
  const lease: LeaseKey = { vendorId, stream: ORDERSHEETS_STREAM, owner: randomUUID() };
  if (!(await acquireLease(prisma, lease, LEASE_TTL_MS))) {
    return skippedReport(vendorId);
  }
  const heartbeat = setInterval(() => {
    // A failed renewal is not fatal here: the next page's transaction renews with fencing.
    renewLease(prisma, lease, LEASE_TTL_MS).catch(() => {});
  }, LEASE_HEARTBEAT_MS);
  heartbeat.unref();
  try {
    await abandonRunningSyncRuns(prisma, vendorId, ORDERSHEETS_STREAM);
    return await pollUnderLease(input, lease);
  } finally {
    clearInterval(heartbeat);
    await releaseLease(prisma, lease);
  }
}

/** The report of a poll that did not run (another poll holds the lease, or the vendor's circuit is open). */
export function skippedReport(vendorId: string): SyncReport {
  return { ...emptyReport(vendorId), outcome: "skipped" };
}

function emptyReport(vendorId: string): SyncReport {
  return {
    vendorId,
    stream: ORDERSHEETS_STREAM,
    runId: null,
    plan: null,
    outcome: "interrupted",
    queries: 0,
    pages: 0,
    apiCalls: 0,
    ...emptyTally(),
    syncedThrough: null,
  };
}

/** A tally with nothing written yet. */
export function emptyTally(): PageTally {
  return {
    boxesInserted: 0,
    boxesUpdated: 0,
    itemsInserted: 0,
    itemsUpdated: 0,
    events: 0,
    statusChanges: 0,
    staleReads: 0,
    rejected: 0,
  };
}

async function pollUnderLease(input: SyncOrderSheetsInput, lease: LeaseKey): Promise<SyncReport> {
  const { prisma, vendorId, config } = input;
  const now = input.now ?? (() => new Date());
  const checkpoint = await getCheckpoint(prisma, vendorId, ORDERSHEETS_STREAM);
  const resume = readCursor(checkpoint?.cursor);
  const plan: OrderSheetsPlan =
    resume?.plan ??
    planOrderSheets({
      now: now(),
      syncedThrough: checkpoint?.syncedThrough ?? null,
      tierRuns: checkpoint?.tierRuns ?? {},
      local: await boxCountsByDay(
        prisma,
        vendorId,
        new Date(
          now().getTime() - Math.max(config.coldDays, config.warmDays, 1) * 86_400_000 - config.backfillMs,
        ),
      ),
      config,
    });
  const runId = await startSyncRun(prisma, {
    vendorId,
    stream: ORDERSHEETS_STREAM,
    trigger: input.trigger,
    plan: { ...plan, resumedAt: resume ? { query: resume.query, nextToken: resume.nextToken } : null },
  });
  const report: SyncReport = {
    ...emptyReport(vendorId),
    runId,
    plan: { queries: plan.queries.length, reason: plan.reason, resumed: resume !== null },
    syncedThrough: checkpoint?.syncedThrough?.toISOString() ?? null,
  };

  const callsBefore = input.callCount?.();
  const settleCalls = () => {
    if (callsBefore !== undefined) report.apiCalls = input.callCount!() - callsBefore;
  };
  try {
    await runPlan(input, plan, resume, report, lease);
    settleCalls();
    await finishSyncRun(prisma, runId, {
      status: report.outcome === "completed" ? "succeeded" : "interrupted",
      ...runCounts(report),
      error: null,
    });
    return report;
  } catch (err) {
    settleCalls();
    await finishSyncRun(prisma, runId, {
      status: "failed",
      ...runCounts(report),
      error: err instanceof Error ? err.message : String(err),
    });
    throw err;
  }
}

function runCounts(r: SyncReport) {
  return {
    windows: r.queries,
    pages: r.pages,
    apiCalls: r.apiCalls,
    rowsUpserted: r.boxesInserted + r.boxesUpdated + r.itemsInserted + r.itemsUpdated,
    rowsRejected: r.rejected,
  };
}

async function runPlan(
  input: SyncOrderSheetsInput,
  plan: OrderSheetsPlan,
  resume: Cursor | null,
  report: SyncReport,
  lease: LeaseKey,
): Promise<void> {
  const { prisma, source, vendorId, signal } = input;
  const lastHot = plan.queries.findLastIndex((q) => q.tier === "hot");
  for (let q = resume?.query ?? 0; q < plan.queries.length; q++) {
    const query = plan.queries[q]!;
    const startToken = resume && q === resume.query ? resume.nextToken : null;
    const pages = source.orderSheetPages({
      status: query.status,
      createdAtFrom: query.createdAtFrom,
      createdAtTo: query.createdAtTo,
      maxPerPage: 50,
      ...(startToken ? { nextToken: startToken } : {}),
    });
    for await (const page of pages) {
      report.apiCalls++;
      report.pages++;
      // Where the poll stands once this page has committed: the next page of this query, or
      // the next query, or done. The last page of the hot part moves the mark; the last page of
      // the plan records the tiers it ran.
      const next: Cursor | null = page.nextToken
        ? { v: 2, plan, query: q, nextToken: page.nextToken }
        : q + 1 < plan.queries.length
          ? { v: 2, plan, query: q + 1, nextToken: null }
          : null;
      const queryDone = !page.nextToken;
      const syncedThrough = queryDone && q === lastHot && plan.hotTo ? new Date(plan.hotTo) : null;
      const tierRuns = next === null ? plan.tierRuns : {};
      await withTransaction(prisma, async (tx) => {
        await renewLease(tx, lease, LEASE_TTL_MS);
        const events = await writeOrderSheetPage(tx, vendorId, page, report);
        await saveCheckpoint(tx, {
          vendorId,
          stream: ORDERSHEETS_STREAM,
          syncedThrough,
          cursor: next,
          tierRuns,
        });
        // Last in the transaction: it orders event ids by commit (see appendChangeEvents).
        await appendPageEvents(tx, events, report);
      });
      if (queryDone) report.queries++;
      if (syncedThrough) report.syncedThrough = syncedThrough.toISOString();
      if (signal?.aborted) return;
    }
  }
  report.outcome = "completed";
}

/** What writing pages adds up: the write counts of a {@link SyncReport}. */
export type PageTally = Pick<
  SyncReport,
  | "boxesInserted"
  | "boxesUpdated"
  | "itemsInserted"
  | "itemsUpdated"
  | "events"
  | "statusChanges"
  | "staleReads"
  | "rejected"
>;

/**
 * Writes one page of ordersheets in the caller's transaction: normalizes it, upserts its boxes
 * and items, quarantines what cannot be stored, and adds to `tally`. The one write path of the
 * live poll and of a resync.
 * @returns the change events, for {@link appendPageEvents} as the transaction's last statement.
 */
export async function writeOrderSheetPage(
  tx: Tx,
  vendorId: string,
  page: OrderSheetPage,
  tally: PageTally,
): Promise<ChangeEventDraft[]> {
  const { rows, rejected } = normalizePage(vendorId, page);
  const counts = await upsertShipmentBoxes(tx, rows);
  tally.boxesInserted += counts.boxesInserted;
  tally.boxesUpdated += counts.boxesUpdated;
  tally.itemsInserted += counts.itemsInserted;
  tally.itemsUpdated += counts.itemsUpdated;
  tally.staleReads += counts.staleReads.length;
  if (rejected.length > 0) {
    await quarantineRecords(
      tx,
      rejected.map((r) => ({
        vendorId,
        stream: ORDERSHEETS_STREAM,
        entityKey: entityKeyOf(r.raw),
        reason: r.error,
        raw: r.rawJson,
      })),
    );
    tally.rejected += rejected.length;
  }
  return counts.events;
}

/** Appends a page's change events; last in the transaction, as it orders event ids by commit. */
export async function appendPageEvents(tx: Tx, events: ChangeEventDraft[], tally: PageTally): Promise<void> {
  await appendChangeEvents(tx, events);
  tally.events += events.length;
  tally.statusChanges += events.filter((e) => e.kind === "status_changed").length;
}

/**
 * Normalizes the valid records of a page; a record that validates but cannot be stored joins
 * the page's rejected records, so one bad record never holds back the rest of the page. Should a
 * box appear twice in a page (a duplicated page), the later copy wins.
 */
function normalizePage(
  vendorId: string,
  page: OrderSheetPage,
): { rows: ShipmentBoxRow[]; rejected: RejectedRecord[] } {
  const rows = new Map<bigint, ShipmentBoxRow>();
  const rejected = [...page.rejected];
  for (const record of page.orders) {
    try {
      const row = normalizeOrderSheet(vendorId, record);
      rows.set(row.shipmentBoxId, row);
    } catch (err) {
      if (!(err instanceof NormalizeError)) throw err;
      rejected.push({ raw: record.raw, rawJson: record.rawJson, error: err.message });
    }
  }
  return { rows: [...rows.values()], rejected };
}

/** The shipmentBoxId of a rejected record, when it has a readable one, for the quarantine row. */
function entityKeyOf(raw: unknown): string | null {
  if (raw && typeof raw === "object" && "shipmentBoxId" in raw) {
    const id = raw.shipmentBoxId;
    if (typeof id === "bigint" || typeof id === "number" || typeof id === "string") return String(id);
  }
  return null;
}

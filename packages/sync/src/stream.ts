import { randomUUID } from "node:crypto";
import {
  abandonRunningSyncRuns,
  appendChangeEvents,
  dueFailedSlices,
  finishSyncRun,
  getCheckpoint,
  recordFailedSlice,
  resolveFailedSlices,
  saveCheckpoint,
  startSyncRun,
  withTransaction,
  type ChangeEventDraft,
  type LeaseKey,
  type PrismaClient,
  type Tx,
} from "@cos/db";
import { readCursor, type Cursor } from "./cursor.js";
import {
  planStream,
  splitQuery,
  type LocalCounts,
  type PlanConfig,
  type PlannedQuery,
  type StreamPlan,
} from "./planner.js";
import { renewInTransaction, withLease } from "./lease.js";
import { isSliceError, MAX_FAILURES_IN_A_ROW } from "./slices.js";
import type { ReconcileSpec } from "./reconcile.js";

const DAY_MS = 86_400_000;

/**
 * What makes a stream: the small part that differs between ordersheets, returnRequests, … The
 * lease, plan, cursor, page transaction and run record are {@link runStream}'s, the same for all.
 * `P` is one page of the stream's list answer.
 */
export interface StreamAdapter<P extends { nextToken: string | undefined }> {
  /** The stream's name: its lease, checkpoint, sync runs and quarantine rows are keyed by it. */
  name: string;
  /** The query statuses the hot and cold tiers read every day (see {@link planStream}). */
  statuses: readonly string[];
  /** Per local status (as {@link localCounts} keys it), the query statuses it may still show under. */
  reachable: Readonly<Record<string, readonly string[]>>;
  /** The longest window the list accepts, in KST days (default 31; see {@link planStream}). */
  maxWindowDays?: number;
  /**
   * Statuses of {@link statuses} that check stored entities by key instead of listing a period
   * (see {@link planStream}'s `keyed`): the hot tier and resyncs skip them.
   */
  keyedStatuses?: readonly string[];
  /** The local copy's entities per KST creation day and status (keyed as `reachable`), since `since`. */
  localCounts(prisma: PrismaClient, vendorId: string, since: Date): Promise<LocalCounts>;
  /** Every page of one planned query, from `nextToken` (null = the first page). */
  pages(query: PlannedQuery, nextToken: string | null): AsyncIterable<P>;
  /**
   * Writes one page in the caller's transaction (normalize, upsert, quarantine), adding to
   * `tally`; returns the change events, which the runner appends last in the transaction.
   */
  writePage(tx: Tx, vendorId: string, page: P, tally: PageTally): Promise<ChangeEventDraft[]>;
  /** How the daily count reconciliation counts this stream (reconcile.ts); absent: never reconciled. */
  reconcile?: ReconcileSpec<P>;
}

/**
 * What a poll did. Counts are rows written, not rows read: an unchanged re-read writes none.
 * `boxes*` count the stream's parent entities (shipment boxes; return receipts for
 * returnRequests) and `items*` their children (order items; return items).
 */
export interface SyncReport {
  vendorId: string;
  stream: string;
  /** null when the poll was skipped (no run recorded). */
  runId: bigint | null;
  /** The plan's summary: how many queries per tier, and what the budget deferred. */
  plan: { queries: number; reason: string; resumed: boolean } | null;
  /**
   * `completed`: every query read, or recorded as a failed slice (the run's status is then
   * `partial`). `interrupted`: a shutdown stopped it between pages; the
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
  /** Records quarantined instead of stored; a bad record kept by an earlier poll is not counted again. */
  rejected: number;
  /** Failing windows split in halves (see {@link runStream}). */
  splits: number;
  /** One-day windows that still failed, recorded as failed slices (sync_failed_slices). */
  slicesFailed: number;
  /** Open failed slices that a complete read of their status and days resolved. */
  slicesResolved: number;
  /** The checkpoint's mark after the poll; it moves past a failed slice, which stays recorded. */
  syncedThrough: string | null;
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

/** The inputs of a poll of any stream, but its adapter. */
export interface PollInput {
  prisma: PrismaClient;
  vendorId: string;
  config: PlanConfig;
  trigger: "schedule" | "manual" | "demo";
  now?: () => Date;
  /** Aborted on shutdown: the poll stops after the page in hand has committed (a page read ahead is dropped). */
  signal?: AbortSignal;
  /** The client's running count of HTTP attempts for this vendor (retries and failures
   * included), read before and after to report what the poll cost. Default: pages fetched. */
  callCount?: () => number;
}

/**
 * Polls one stream of one vendor: plans the windows (or resumes the cursor of an interrupted
 * poll), pages through every (window, status), and commits each page's rows, quarantined
 * records, the advanced cursor and the page's change events in one transaction. The next page of
 * a query is fetched while the page in hand commits, one page ahead at most ({@link readAhead}).
 * `synced_through` moves only when the hot queries are complete, and never past `now − lag`.
 * Runs under the (vendor, stream) lease, or not at all (`skipped`).
 *
 * A query that fails on its own window or data (`isSliceError`: a paging loop, a malformed
 * envelope, a 5xx after the transport's two retries; no further retry here, the split is the
 * retry) is split in two halves by KST days, which replace it in the plan saved in the cursor
 * and are read next; a one-day query that still fails is recorded in `sync_failed_slices` and
 * the poll goes on (its committed pages stay, and `synced_through` may move past it: the gap is
 * recorded, not silent). Due failed slices are planned as the `retry` tier; any complete read of
 * a slice's status over its days resolves it in the transaction of its last page.
 *
 * @throws CoupangError from the client for vendor-wide failures (auth, rate limit, blocked, an
 *   unreachable gateway, …), or the last slice error once {@link MAX_FAILURES_IN_A_ROW} queries
 *   failed in a row; the rows of pages already committed stay, and the cursor resumes after them.
 */
export async function runStream<P extends { nextToken: string | undefined }>(
  input: PollInput,
  adapter: StreamAdapter<P>,
): Promise<SyncReport> {
  const { prisma, vendorId } = input;
  const lease: LeaseKey = { vendorId, stream: adapter.name, owner: randomUUID() };
  const report = await withLease(prisma, lease, async () => {
    await abandonRunningSyncRuns(prisma, vendorId, adapter.name);
    const first = await pollUnderLease(input, adapter, lease);
    // A resume only finishes the interrupted poll's plan, made before the crash: the newest
    // changes are past its hot range. A fresh plan follows at once, in the same poll.
    if (!first.plan?.resumed || first.outcome !== "completed" || input.signal?.aborted) return first;
    return addReports(first, await pollUnderLease(input, adapter, lease));
  });
  return report ?? skippedReport(vendorId, adapter.name);
}

/** The report of a poll that did not run (another poll holds the lease, or the vendor's circuit is open). */
export function skippedReport(vendorId: string, stream = "ordersheets"): SyncReport {
  return { ...emptyReport(vendorId, stream), outcome: "skipped" };
}

function emptyReport(vendorId: string, stream: string): SyncReport {
  return {
    vendorId,
    stream,
    runId: null,
    plan: null,
    outcome: "interrupted",
    queries: 0,
    pages: 0,
    apiCalls: 0,
    ...emptyTally(),
    splits: 0,
    slicesFailed: 0,
    slicesResolved: 0,
    syncedThrough: null,
  };
}

/**
 * A resumed poll and the fresh one after it, as one report: the resumed run's id and plan, the
 * fresh one's outcome and mark, and the counts of both.
 */
function addReports(resumed: SyncReport, fresh: SyncReport): SyncReport {
  const sum: SyncReport = { ...fresh, runId: resumed.runId, plan: resumed.plan };
  for (const key of COUNTS) sum[key] = resumed[key] + fresh[key];
  sum.syncedThrough = fresh.syncedThrough ?? resumed.syncedThrough;
  return sum;
}

const COUNTS = [
  "queries",
  "pages",
  "apiCalls",
  "boxesInserted",
  "boxesUpdated",
  "itemsInserted",
  "itemsUpdated",
  "events",
  "statusChanges",
  "staleReads",
  "rejected",
  "splits",
  "slicesFailed",
  "slicesResolved",
] as const satisfies ReadonlyArray<keyof SyncReport>;

/** Rows a tally upserted: boxes (or a request stream's requests) and their items, inserted or updated. */
export function rowsUpserted(tally: PageTally): number {
  return tally.boxesInserted + tally.boxesUpdated + tally.itemsInserted + tally.itemsUpdated;
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

/** Appends a page's change events; last in the transaction, as it orders event ids by commit. */
export async function appendPageEvents(tx: Tx, events: ChangeEventDraft[], tally: PageTally): Promise<void> {
  await appendChangeEvents(tx, events);
  tally.events += events.length;
  tally.statusChanges += events.filter((e) => e.kind === "status_changed").length;
}

async function pollUnderLease<P extends { nextToken: string | undefined }>(
  input: PollInput,
  adapter: StreamAdapter<P>,
  lease: LeaseKey,
): Promise<SyncReport> {
  const { prisma, vendorId, config } = input;
  const now = input.now ?? (() => new Date());
  const checkpoint = await getCheckpoint(prisma, vendorId, adapter.name);
  const resume = readCursor(checkpoint?.cursor);
  const plan: StreamPlan =
    resume?.plan ??
    planStream({
      now: now(),
      syncedThrough: checkpoint?.syncedThrough ?? null,
      tierRuns: checkpoint?.tierRuns ?? {},
      local: await adapter.localCounts(
        prisma,
        vendorId,
        new Date(
          now().getTime() - Math.max(config.coldDays, config.warmDays, 1) * DAY_MS - config.backfillMs,
        ),
      ),
      config,
      statuses: adapter.statuses,
      reachable: adapter.reachable,
      ...(adapter.maxWindowDays === undefined ? {} : { maxWindowDays: adapter.maxWindowDays }),
      ...(adapter.keyedStatuses === undefined ? {} : { keyed: adapter.keyedStatuses }),
      retries: await dueFailedSlices(prisma, vendorId, adapter.name, now()),
    });
  const runId = await startSyncRun(prisma, {
    vendorId,
    stream: adapter.name,
    trigger: input.trigger,
    plan: { ...plan, resumedAt: resume ? { query: resume.query, nextToken: resume.nextToken } : null },
  });
  const report: SyncReport = {
    ...emptyReport(vendorId, adapter.name),
    runId,
    plan: { queries: plan.queries.length, reason: plan.reason, resumed: resume !== null },
    syncedThrough: checkpoint?.syncedThrough?.toISOString() ?? null,
  };

  const callsBefore = input.callCount?.();
  const settleCalls = () => {
    if (callsBefore !== undefined) report.apiCalls = input.callCount!() - callsBefore;
  };
  try {
    const recorded = await runPlan(input, adapter, plan, resume, report, lease);
    settleCalls();
    await finishSyncRun(prisma, runId, {
      status: report.outcome !== "completed" ? "interrupted" : recorded.length > 0 ? "partial" : "succeeded",
      ...runCounts(report),
      error:
        recorded.length > 0
          ? `${recorded.length} failed slice${recorded.length === 1 ? "" : "s"} recorded: ${recorded.join("; ")}`
          : null,
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
    rowsUpserted: rowsUpserted(r),
    rowsRejected: r.rejected,
    slicesFailed: r.slicesFailed,
    slicesResolved: r.slicesResolved,
  };
}

/**
 * Reads the plan's queries from the resume point (see {@link runStream} for the split and
 * failed-slice rules), adding to `report`.
 * @returns a description of each failed slice recorded, for the run's row.
 */
async function runPlan<P extends { nextToken: string | undefined }>(
  input: PollInput,
  adapter: StreamAdapter<P>,
  planned: StreamPlan,
  resume: Cursor | null,
  report: SyncReport,
  lease: LeaseKey,
): Promise<string[]> {
  const { prisma, vendorId, signal } = input;
  const now = input.now ?? (() => new Date());
  const stream = adapter.name;
  const recorded: string[] = [];
  let plan = planned;
  let resumeToken = resume?.nextToken ?? null;
  let failuresInARow = 0;
  for (let q = resume?.query ?? 0; q < plan.queries.length; q++) {
    const query = plan.queries[q]!;
    const startToken = resumeToken;
    resumeToken = null;
    try {
      for await (const page of readAhead(adapter.pages(query, startToken), signal)) {
        failuresInARow = 0;
        report.apiCalls++;
        report.pages++;
        const at = position(plan, q, page.nextToken);
        await withTransaction(prisma, async (tx) => {
          await renewInTransaction(tx, lease);
          const events = await adapter.writePage(tx, vendorId, page, report);
          // The query's last page completes a read of its status over its days: the open failed
          // slices within them resolve with this commit.
          if (!page.nextToken)
            report.slicesResolved += await resolveFailedSlices(tx, { vendorId, stream, ...query, at: now() });
          await saveCheckpoint(tx, { vendorId, stream, ...at });
          // Last in the transaction: it orders event ids by commit (see appendChangeEvents).
          await appendPageEvents(tx, events, report);
        });
        if (!page.nextToken) report.queries++;
        if (at.syncedThrough) report.syncedThrough = at.syncedThrough.toISOString();
        if (signal?.aborted) return recorded;
      }
    } catch (err) {
      // A due failed slice that fails again says nothing new about the vendor: it is recorded
      // again, and does not count towards taking the failures for an outage.
      if (!isSliceError(err)) throw err;
      if (query.tier !== "retry" && ++failuresInARow > MAX_FAILURES_IN_A_ROW) throw err;
      const why = `${err.kind}: ${err.message}`;
      const halves = splitQuery(query, err.kind);
      if (halves) {
        // The halves replace the query in the plan, and the plan is the cursor's: saved before
        // either half is read, so a crash resumes the split plan rather than the failing window.
        plan = { ...plan, queries: plan.queries.toSpliced(q, 1, ...halves) };
        await withTransaction(prisma, async (tx) => {
          await renewInTransaction(tx, lease);
          await saveCheckpoint(tx, {
            vendorId,
            stream,
            syncedThrough: null,
            cursor: { v: 2, plan, query: q, nextToken: null },
          });
        });
        report.splits++;
        q--; // the first half, next
      } else {
        // A day that still fails is recorded, and the poll moves past it like past a read query:
        // the gap is visible in sync_failed_slices, and the retry tier reads it again.
        const at = position(plan, q, undefined);
        await withTransaction(prisma, async (tx) => {
          await renewInTransaction(tx, lease);
          await recordFailedSlice(tx, {
            vendorId,
            stream,
            status: query.status,
            createdAtFrom: query.createdAtFrom,
            createdAtTo: query.createdAtTo,
            errorKind: err.kind,
            errorMessage: err.message,
            at: now(),
          });
          await saveCheckpoint(tx, { vendorId, stream, ...at });
        });
        report.slicesFailed++;
        recorded.push(`${query.status} ${query.createdAtFrom}…${query.createdAtTo} (${why})`);
        if (at.syncedThrough) report.syncedThrough = at.syncedThrough.toISOString();
      }
      if (signal?.aborted) return recorded;
    }
  }
  report.outcome = "completed";
  return recorded;
}

/**
 * The pages of `pages`, the next one requested as soon as a page is handed out: its fetch (HTTP,
 * parse, validation) runs while the runner writes and commits the page in hand. One page ahead
 * at most, so a poll holds two pages at most, and none once `signal` is aborted (the runner stops
 * after the page in hand). A fetch's outcome is taken only when the runner asks for that page,
 * after the commit: a fetch of page k+1 that fails throws after page k and its cursor have
 * committed, as it did without reading ahead. When the runner stops early (a shutdown, a failed
 * commit, a lost lease), the page read ahead is awaited and dropped, a failure of it included,
 * and `pages` is closed.
 */
async function* readAhead<P>(
  pages: AsyncIterable<P>,
  signal: AbortSignal | undefined,
): AsyncGenerator<P, void, undefined> {
  const source = pages[Symbol.asyncIterator]();
  // Settled at once, so that a fetch failing while the page in hand commits, or after the runner
  // stopped, is never an unhandled rejection.
  const request = (): Promise<{ read: IteratorResult<P> } | { error: unknown }> =>
    source.next().then(
      (read) => ({ read }),
      (error: unknown) => ({ error }),
    );
  let ahead: ReturnType<typeof request> | undefined;
  let ended = false;
  try {
    for (;;) {
      const next = await (ahead ?? request());
      if ("error" in next || next.read.done) {
        ended = true;
        if ("error" in next) throw next.error;
        return;
      }
      ahead = signal?.aborted ? undefined : request();
      yield next.read.value;
    }
  } finally {
    if (!ended) {
      await ahead;
      await source.return?.();
    }
  }
}

/**
 * Where the poll stands once query `q` of `plan` has reached `nextToken` (undefined: the query is
 * done, read or recorded as a failed slice): the cursor of the next page of this query, or of the
 * next query, or none at the end. The end of the last hot query moves `synced_through` to the
 * plan's `hotTo`, even past a failed slice, which stays recorded; the end of the plan records
 * the tiers it ran.
 */
function position(
  plan: StreamPlan,
  q: number,
  nextToken: string | undefined,
): { syncedThrough: Date | null; cursor: Cursor | null; tierRuns: Record<string, string> } {
  const cursor: Cursor | null = nextToken
    ? { v: 2, plan, query: q, nextToken }
    : q + 1 < plan.queries.length
      ? { v: 2, plan, query: q + 1, nextToken: null }
      : null;
  const lastHot = plan.queries.findLastIndex((x) => x.tier === "hot");
  const syncedThrough = !nextToken && q === lastHot && plan.hotTo ? new Date(plan.hotTo) : null;
  return { syncedThrough, cursor, tierRuns: cursor === null ? plan.tierRuns : {} };
}

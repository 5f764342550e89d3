import { randomUUID } from "node:crypto";
import {
  CoupangNotFoundError,
  formatKstDate,
  kstDayStart,
  splitDailyWindows,
  type RejectedRecord,
} from "@cos/coupang";
import {
  reconcileGaps,
  recordReconcileGap,
  resolveReconcileGaps,
  settleReconcileGap,
  withTransaction,
  type LeaseKey,
  type PrismaClient,
} from "@cos/db";
import { rawKeyOf } from "./page-write.js";
import { splitQuery, type PlannedQuery } from "./planner.js";
import { renewInTransaction, withLease } from "./lease.js";
import { isSliceError } from "./slices.js";
import { appendPageEvents, emptyTally, type PageTally, type StreamAdapter } from "./stream.js";

const DAY_MS = 86_400_000;
/** Key lists kept in a gap's detail: enough to act on, small enough for a jsonb column. */
const DETAIL_KEYS = 20;

/** Complete KST days a reconciliation compares when not told otherwise: two weeks. */
export const DEFAULT_RECONCILE_DAYS = 14;
/** Single reads a re-fetch makes per gap day at most (the rest waits for the next reconciliation). */
export const DEFAULT_MAX_FETCHES_PER_DAY = 50;

/**
 * One listed (or stored) entity as the reconciliation counts it: its key in decimal, the KST day
 * (`yyyy-MM-dd`) of the field the stream's list filters by, and its status keyed as the stream's
 * local counts key it (for returnRequests the query status, `returnQueryStatusOf`).
 */
export interface CensusEntry {
  key: string;
  day: string;
  status: string;
}

/**
 * What a stream adds to its {@link StreamAdapter} to be reconciled (pitfalls M-9). Coupang has no
 * count endpoint: the remote counts come from listing, so the census reads each listed page.
 */
export interface ReconcileSpec<P> {
  /**
   * The statuses the census counts under, compared per KST day, when they are not the query
   * statuses the stream lists by (exchangeRequests lists every status in one query, `ALL`, and
   * counts per `exchangeStatus`); default: the adapter's statuses but its keyed ones.
   */
  statuses?: readonly string[];
  /**
   * The entities of one list page: every valid record, and every rejected one whose raw record
   * still names its key, day and status (it is quarantined, not stored: it shows as a gap).
   */
  census(page: P): CensusEntry[];
  /**
   * The stored entities created in [from, to) (UTC instants) that the list should still show —
   * those the local copy knows Coupang delists (fully cancelled boxes, withdrawn receipts) are
   * left out — keyed as {@link census} keys the listed ones.
   */
  local(prisma: PrismaClient, vendorId: string, from: Date, to: Date): Promise<CensusEntry[]>;
  /**
   * Coupang's single read of one entity by key, as a page for `writePage`; absent when the API
   * has none for the stream. Throws the client's errors (a 400/404 means Coupang no longer
   * serves the key).
   */
  fetch?(key: string): Promise<P>;
}

/**
 * The census entries of valid records: one per record whose key, creation instant and status are
 * known (`status` null leaves the record out: it cannot be counted under any status).
 */
export function censusEntry(
  key: string,
  createdAt: Date | null | undefined,
  status: string | null | undefined,
): CensusEntry[] {
  return createdAt && status ? [{ key, day: formatKstDate(createdAt), status }] : [];
}

/**
 * The census entries of a page's rejected records, read from the raw record: the key in
 * `keyField`, the KST day of the wall-clock time in `dayField` (v4 lists send KST without an
 * offset, v5/v6 with `+09:00`, so its first ten characters are the KST day, coupang-api.md §11),
 * and the status `statusOf` derives. A record missing any of them is left out.
 */
export function rejectedCensus(
  rejected: readonly RejectedRecord[],
  fields: { keyField: string; dayField: string },
  statusOf: (raw: unknown) => string | null,
): CensusEntry[] {
  return rejected.flatMap((r) => {
    const key = rawKeyOf(r.raw, fields.keyField);
    const day = /^\d{4}-\d{2}-\d{2}/.exec(rawKeyOf(r.raw, fields.dayField) ?? "")?.[0];
    const status = statusOf(r.raw);
    return key && day && status ? [{ key, day, status }] : [];
  });
}

/** The inputs of a reconciliation of one stream of one vendor. */
export interface ReconcileInput<P extends { nextToken: string | undefined }> {
  prisma: PrismaClient;
  vendorId: string;
  adapter: StreamAdapter<P>;
  /** Complete KST days before today to compare (1–93); default {@link DEFAULT_RECONCILE_DAYS}. */
  days?: number;
  now?: () => Date;
  /** Aborted on shutdown: the reconciliation stops after the page in hand and compares nothing. */
  signal?: AbortSignal;
  /** The client's running count of HTTP attempts for this vendor, read before and after; default: pages and single reads. */
  callCount?: () => number;
  /** Single reads per gap day at most; default {@link DEFAULT_MAX_FETCHES_PER_DAY}. */
  maxFetchesPerDay?: number;
}

/** One (day, status) whose counts disagreed, and how its re-fetch ended. */
export interface ReconcileGapReport {
  id: bigint;
  day: string;
  status: string;
  remoteCount: number;
  localCount: number;
  /** The counts after the targeted re-fetch; equal when `resolved`. */
  after: { remoteCount: number; localCount: number };
  resolved: boolean;
}

/** What a reconciliation did. */
export interface ReconcileReport {
  vendorId: string;
  stream: string;
  /**
   * `completed`: every day compared. `interrupted`: a shutdown stopped the listing; nothing was
   * compared. `skipped`: another reconciliation of this (vendor, stream) holds the lease.
   * `unsupported`: the stream's adapter has no census (see `reason`).
   */
  outcome: "completed" | "interrupted" | "skipped" | "unsupported";
  reason: string | null;
  /** The KST days compared, first and last (`yyyy-MM-dd`), and their number. */
  from: string | null;
  to: string | null;
  days: number;
  /** The statuses compared: the census's (`ReconcileSpec.statuses`), by default the stream's
   * statuses but its keyed ones, which are also those listed. */
  statuses: string[];
  /** (day, status) pairs compared: days × statuses. */
  compared: number;
  /** List pages read (first listing and re-fetches) and single reads made. */
  pages: number;
  fetches: number;
  apiCalls: number;
  /** What the listing and re-fetches wrote. */
  written: PageTally;
  gapsFound: number;
  gapsResolved: number;
  gapsOpen: number;
  /**
   * Days a listing could not read even as a one-day window (a paging loop, a malformed answer, a
   * lasting 5xx: the errors that make a poll's failed slice), with the status and the error. They
   * are not compared, since their remote count is unknown; the polls' failed slices retry them.
   */
  unreadable: Array<{ day: string; status: string; error: string }>;
  /** Gaps left open by earlier reconciliations that this one found in agreement. */
  earlierGapsResolved: number;
  gaps: ReconcileGapReport[];
}

/** day → key → status: a census, deduplicated by key (a stop-shipment request is listed under RU and UC). */
type Census = Map<string, Map<string, string>>;

/**
 * The daily count reconciliation of one stream (pitfalls M-9): lists the last `days` complete KST
 * days (not today) in every status of the stream but its keyed ones, in windows of the adapter's
 * `maxWindowDays`, writing each page through `writePage` in its own transaction (the listing is
 * also a refresh), and counts the listed entities per (KST day, status) with the adapter's
 * census (whose statuses, `ReconcileSpec.statuses`, may differ from the query statuses listed).
 * It compares those counts with the local copy's as they stood before the listing — so what the
 * polls missed is detected even though the listing itself repairs most of it — and
 * records each disagreement as a `reconcile_gaps` row. Each day with a gap is then re-fetched:
 * listed again in every status, and every stored entity still counted under a status Coupang
 * does not list it in is read by key (where the API can, `ReconcileSpec.fetch`) and written;
 * the gap is resolved when the day's counts then agree, or left open with what was found.
 * Open gaps of earlier runs whose counts now agree are resolved too.
 *
 * Runs under its own lease (`<stream>:reconcile`), so two reconciliations of one (vendor, stream)
 * never overlap; it never reads or moves the live checkpoints.
 *
 * @returns the report; `unsupported` for an adapter without `reconcile`, `skipped` when the lease
 *   is held.
 * @throws RangeError for `days` outside 1–93; CoupangError from the client (pages written stay).
 */
export async function reconcileStream<P extends { nextToken: string | undefined }>(
  input: ReconcileInput<P>,
): Promise<ReconcileReport> {
  const { prisma, vendorId, adapter } = input;
  const days = input.days ?? DEFAULT_RECONCILE_DAYS;
  if (!Number.isInteger(days) || days < 1 || days > 93) {
    throw new RangeError(`days: expected an integer 1–93, got ${days}`);
  }
  const now = input.now ?? (() => new Date());
  const keyed = adapter.keyedStatuses ?? [];
  const listed = adapter.statuses.filter((s) => !keyed.includes(s));
  const spec = adapter.reconcile;
  const statuses = [...(spec?.statuses ?? listed)];
  const to = kstDayStart(now());
  const from = new Date(to.getTime() - days * DAY_MS);
  const report: ReconcileReport = {
    vendorId,
    stream: adapter.name,
    outcome: "interrupted",
    reason: null,
    from: formatKstDate(from),
    to: formatKstDate(new Date(to.getTime() - 1)),
    days,
    statuses,
    compared: 0,
    pages: 0,
    fetches: 0,
    apiCalls: 0,
    written: emptyTally(),
    gapsFound: 0,
    gapsResolved: 0,
    gapsOpen: 0,
    unreadable: [],
    earlierGapsResolved: 0,
    gaps: [],
  };
  if (!spec) {
    return {
      ...report,
      outcome: "unsupported",
      reason: `${adapter.name} has no census to count its listing by`,
    };
  }
  const lease: LeaseKey = { vendorId, stream: `${adapter.name}:reconcile`, owner: randomUUID() };
  const callsBefore = input.callCount?.();
  const done = await withLease(prisma, lease, () =>
    new Reconciliation(input, spec, lease, report, now, listed, statuses).run(from, to),
  );
  if (done === null)
    return { ...report, outcome: "skipped", reason: "another reconciliation holds the lease" };
  report.apiCalls =
    callsBefore === undefined ? report.pages + report.fetches : input.callCount!() - callsBefore;
  return report;
}

/** One reconciliation under its lease: the listing, the comparison and the re-fetches. */
class Reconciliation<P extends { nextToken: string | undefined }> {
  constructor(
    private readonly input: ReconcileInput<P>,
    private readonly spec: ReconcileSpec<P>,
    private readonly lease: LeaseKey,
    private readonly report: ReconcileReport,
    private readonly now: () => Date,
    /** The query statuses each window is listed in. */
    private readonly listed: readonly string[],
    /** The census statuses each day is compared in. */
    private readonly statuses: readonly string[],
  ) {}

  async run(from: Date, to: Date): Promise<true> {
    const { prisma, vendorId, adapter } = this.input;
    const before = toCensus(await this.spec.local(prisma, vendorId, from, to));
    const remote: Census = new Map();
    for (const w of splitDailyWindows(from, to, adapter.maxWindowDays ?? 31)) {
      for (const status of this.listed) {
        if (!(await this.list(w.createdAtFrom, w.createdAtTo, status, remote))) return true;
      }
    }
    const days = splitDailyWindows(from, to, 1).map((w) => w.createdAtFrom);
    this.report.compared = days.length * this.statuses.length;
    const earlier = new Set(
      (await reconcileGaps(prisma, vendorId, { stream: adapter.name })).map((g) => `${g.day}|${g.status}`),
    );
    const gapDays = new Map<string, Array<{ id: bigint; status: string; remote: number; local: number }>>();
    const unreadable = new Set(this.report.unreadable.map((u) => u.day));
    for (const day of days) {
      if (unreadable.has(day)) continue;
      const remoteCounts = countByStatus(remote.get(day));
      const localCounts = countByStatus(before.get(day));
      const agreeing: string[] = [];
      for (const status of new Set([...this.statuses, ...remoteCounts.keys(), ...localCounts.keys()])) {
        const r = remoteCounts.get(status) ?? 0;
        const l = localCounts.get(status) ?? 0;
        if (r === l) {
          if (earlier.has(`${day}|${status}`)) agreeing.push(status);
          continue;
        }
        const id = await recordReconcileGap(prisma, {
          vendorId,
          stream: adapter.name,
          day,
          status,
          remoteCount: r,
          localCount: l,
          at: this.now(),
        });
        gapDays.set(day, [...(gapDays.get(day) ?? []), { id, status, remote: r, local: l }]);
      }
      if (agreeing.length > 0) {
        this.report.earlierGapsResolved += await resolveReconcileGaps(
          prisma,
          { vendorId, stream: adapter.name, day, statuses: agreeing },
          this.now(),
          { resolvedBy: "a later reconciliation found the counts in agreement" },
        );
      }
    }
    for (const [day, gaps] of gapDays) {
      if (!(await this.refetch(day, gaps))) return true;
    }
    this.report.outcome = "completed";
    return true;
  }

  /**
   * The targeted re-fetch of one day: lists it again in every status, reads by key each stored
   * entity still counted under a status Coupang does not list it in, recounts, and settles the
   * day's gaps. Returns false when a shutdown interrupted it (its gaps stay open, unsettled).
   */
  private async refetch(
    day: string,
    gaps: ReadonlyArray<{ id: bigint; status: string; remote: number; local: number }>,
  ): Promise<boolean> {
    const { prisma, vendorId } = this.input;
    const listed: Census = new Map();
    const unreadableBefore = this.report.unreadable.length;
    for (const status of this.listed) {
      if (!(await this.list(day, day, status, listed))) return false;
    }
    // A day that could not be listed again cannot be judged: its gaps stay open, not re-fetched.
    if (this.report.unreadable.length > unreadableBefore) return true;
    const remote = listed.get(day) ?? new Map<string, string>();
    const start = new Date(`${day}T00:00:00+09:00`);
    const end = new Date(start.getTime() + DAY_MS);
    const stored =
      toCensus(await this.spec.local(prisma, vendorId, start, end)).get(day) ?? new Map<string, string>();
    const suspects = [...stored].filter(([key, status]) => remote.get(key) !== status).map(([key]) => key);
    const max = this.input.maxFetchesPerDay ?? DEFAULT_MAX_FETCHES_PER_DAY;
    const fetched: string[] = [];
    const notServed: string[] = [];
    for (const key of this.spec.fetch ? suspects.slice(0, max) : []) {
      if (this.input.signal?.aborted) return false;
      let page: P;
      try {
        this.report.fetches++;
        page = await this.spec.fetch!(key);
      } catch (err) {
        // Coupang no longer serves the key (a withdrawn or cancel receipt, §6.2), or serves
        // something unreadable: the gap stays open and says so.
        // A 5xx or a timeout on one key says no more about the vendor than a poll's failed slice.
        if (err instanceof CoupangNotFoundError || isSliceError(err)) {
          notServed.push(key);
          continue;
        }
        throw err;
      }
      await this.write(page);
      fetched.push(key);
    }
    const after =
      toCensus(await this.spec.local(prisma, vendorId, start, end)).get(day) ?? new Map<string, string>();
    const remoteCounts = countByStatus(remote);
    const localCounts = countByStatus(after);
    for (const gap of gaps) {
      const r = remoteCounts.get(gap.status) ?? 0;
      const l = localCounts.get(gap.status) ?? 0;
      const resolved = r === l;
      const keysWith = (census: ReadonlyMap<string, string>, other: ReadonlyMap<string, string>) =>
        [...census].filter(([k, s]) => s === gap.status && other.get(k) !== s).map(([k]) => k);
      const at = this.now();
      await settleReconcileGap(prisma, gap.id, {
        refetchedAt: at,
        resolvedAt: resolved ? at : null,
        detail: {
          after: { remoteCount: r, localCount: l },
          listedNotStored: keysWith(remote, after).slice(0, DETAIL_KEYS),
          storedNotListed: keysWith(after, remote).slice(0, DETAIL_KEYS),
          fetched: fetched.length,
          notServed: notServed.slice(0, DETAIL_KEYS),
          fetchesLeft: this.spec.fetch ? Math.max(0, suspects.length - max) : suspects.length,
        },
      });
      this.report.gapsFound++;
      if (resolved) this.report.gapsResolved++;
      else this.report.gapsOpen++;
      this.report.gaps.push({
        id: gap.id,
        day,
        status: gap.status,
        remoteCount: gap.remote,
        localCount: gap.local,
        after: { remoteCount: r, localCount: l },
        resolved,
      });
    }
    return true;
  }

  /**
   * Lists one status over KST days `fromDay`…`toDay`, writing every page and adding its census
   * (days in range only) to `into`. Returns false when a shutdown stopped it after a page.
   */
  private async list(fromDay: string, toDay: string, status: string, into: Census): Promise<boolean> {
    return this.listQuery(
      {
        tier: "cold",
        status,
        createdAtFrom: fromDay,
        createdAtTo: toDay,
        cost: 1,
        reason: "reconcile: the daily count reconciliation lists every day",
      },
      into,
    );
  }

  /**
   * {@link list} of one query. A query that fails on its own window (`isSliceError`) is listed
   * again in halves, as a poll splits it; a day that still fails is reported `unreadable`, and
   * the listing goes on. Other errors (auth, 429, a block) end the reconciliation.
   */
  private async listQuery(query: PlannedQuery, into: Census): Promise<boolean> {
    try {
      return await this.readQuery(query, into);
    } catch (err) {
      if (!isSliceError(err)) throw err;
      const halves = splitQuery(query, err.kind);
      if (!halves) {
        this.report.unreadable.push({ day: query.createdAtFrom, status: query.status, error: err.message });
        return true;
      }
      for (const half of halves) if (!(await this.listQuery(half, into))) return false;
      return true;
    }
  }

  private async readQuery(query: PlannedQuery, into: Census): Promise<boolean> {
    const fromDay = query.createdAtFrom;
    const toDay = query.createdAtTo;
    for await (const page of this.input.adapter.pages(query, null)) {
      this.report.pages++;
      await this.write(page);
      for (const e of this.spec.census(page)) {
        if (e.day < fromDay || e.day > toDay) continue;
        const day = into.get(e.day) ?? new Map<string, string>();
        day.set(e.key, e.status);
        into.set(e.day, day);
      }
      if (this.input.signal?.aborted) return false;
    }
    return true;
  }

  /** Writes one page (rows, quarantine, change events) in its own transaction, under the lease. */
  private async write(page: P): Promise<void> {
    const { prisma, vendorId, adapter } = this.input;
    await withTransaction(prisma, async (tx) => {
      await renewInTransaction(tx, this.lease);
      const events = await adapter.writePage(tx, vendorId, page, this.report.written);
      await appendPageEvents(tx, events, this.report.written);
    });
  }
}

function toCensus(entries: readonly CensusEntry[]): Census {
  const census: Census = new Map();
  for (const e of entries) {
    const day = census.get(e.day) ?? new Map<string, string>();
    day.set(e.key, e.status);
    census.set(e.day, day);
  }
  return census;
}

function countByStatus(day: ReadonlyMap<string, string> | undefined): Map<string, number> {
  const counts = new Map<string, number>();
  for (const status of day?.values() ?? []) counts.set(status, (counts.get(status) ?? 0) + 1);
  return counts;
}

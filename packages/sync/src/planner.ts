import {
  formatKstDate,
  kstDayStart,
  ORDER_STATUSES,
  splitDailyWindows,
  type OrderStatus,
} from "@cos/coupang";

const DAY_MS = 86_400_000;

/** The tiers of design.md: hot re-reads the newest orders often, warm the recent days' open
 * boxes less often, cold sweeps everything rarely; retry re-reads failed slices that are due. */
export const TIERS = ["hot", "warm", "cold", "retry"] as const;
/** One of {@link TIERS}. */
export type Tier = (typeof TIERS)[number];

/** How far and how often a stream's planner reaches (the same settings serve every stream). All
 * durations in milliseconds. */
export interface OrderSheetsPlanConfig {
  /** No window end, and so no checkpoint, passes `now − lagMs` (pitfalls M-1). */
  lagMs: number;
  /** Every poll re-reads at least this far behind the checkpoint: orders reach the list about
   * 10 minutes after payment (coupang-api.md §0.6), so this must be ≥ 30 minutes. */
  lookbackMs: number;
  /** Where a vendor with no checkpoint starts. */
  backfillMs: number;
  /** How often the warm tier runs, and how many days back it looks. */
  warmIntervalMs: number;
  warmDays: number;
  /** How often the cold tier sweeps every status, and how many days back. */
  coldIntervalMs: number;
  coldDays: number;
  /** The most calls one poll may plan for the warm and cold tiers (hot is never cut). */
  callBudget: number;
}

/** The planner settings of any stream: the same shape as the ordersheets'. */
export type PlanConfig = OrderSheetsPlanConfig;

/**
 * One planned list query in daily mode (ordersheets §2.1, returnRequests §6.1), and why it is
 * made. `status` is one of the stream's query statuses (an ordersheets status, or a
 * returnRequests filter such as `UC`; see each stream's adapter).
 */
export type PlannedQuery = {
  tier: Tier;
  status: string;
  createdAtFrom: string;
  createdAtTo: string;
  /** Expected calls: one, plus one per 50 boxes the local copy already holds in that status. */
  cost: number;
  reason: string;
};

/**
 * What one poll will read, and why; recorded with the sync run and stored in the cursor so a
 * resumed poll runs the same queries. `hotTo` is the instant `synced_through` moves to once the
 * hot queries are done (null when the poll is a resume with no hot part left).
 */
export type StreamPlan = {
  queries: PlannedQuery[];
  hotTo: string | null;
  /** Merged into the checkpoint's tier runs when the poll completes: a finished tier's time, or
   * where a tier cut by the budget continues (`<tier>Before`: the next poll reads from that day
   * back; "" once the tier is done). */
  tierRuns: Record<string, string>;
  /** Queries of the warm or cold tier the budget left to later polls. */
  deferred: number;
  reason: string;
};

/** The plan of an ordersheets poll. */
export type OrderSheetsPlan = StreamPlan;

/** Local boxes of a vendor per KST creation day and status: what the warm tier plans from. */
export interface LocalCounts {
  /** `yyyy-MM-dd` (KST) → status → boxes. */
  get(day: string): ReadonlyMap<string, number> | undefined;
}

/** When each tier last completed (ISO instants; absent = never), and where a tier cut by the
 * budget continues (`warmBefore`, `coldBefore`: a `yyyy-MM-dd` day; "" = nowhere). */
export type TierRuns = Record<string, string>;

/**
 * An open failed slice due for a retry (a `sync_failed_slices` row; `FailedSlice` of @cos/db
 * fits): its id, query status, KST days (`yyyy-MM-dd`) and failed attempts so far.
 */
export interface DueSlice {
  id: bigint;
  status: string;
  createdAtFrom: string;
  createdAtTo: string;
  attempts: number;
}

/**
 * The statuses a box in `status` may still reach, itself included (§2.1 life cycle; an invoice
 * update moves DELIVERING, NONE_TRACKING or FINAL_DELIVERY back to DEPARTURE, §4.2). A
 * FINAL_DELIVERY box is left to the cold sweep: it changes only by a rare invoice correction.
 */
export const REACHABLE: Readonly<Record<OrderStatus, readonly OrderStatus[]>> = {
  ACCEPT: ["ACCEPT", "INSTRUCT", "DEPARTURE", "DELIVERING", "FINAL_DELIVERY", "NONE_TRACKING"],
  INSTRUCT: ["INSTRUCT", "DEPARTURE", "DELIVERING", "FINAL_DELIVERY", "NONE_TRACKING"],
  DEPARTURE: ["DEPARTURE", "DELIVERING", "FINAL_DELIVERY", "NONE_TRACKING"],
  DELIVERING: ["DEPARTURE", "DELIVERING", "FINAL_DELIVERY"],
  NONE_TRACKING: ["DEPARTURE", "NONE_TRACKING", "FINAL_DELIVERY"],
  FINAL_DELIVERY: [],
};

const PAGE = 50;
const pages = (boxes: number) => Math.max(1, Math.ceil(boxes / PAGE));

/**
 * Plans a poll of the ordersheets list. The list filters by creation time and needs a status, so
 * a status change of an older order is only seen by re-reading its creation day in its new
 * status:
 * - **hot** (every poll): from the checkpoint minus the lookback (or the backfill horizon of a new
 *   vendor) to `now − lag`, every status, in daily windows of ≤ 31 days;
 * - **warm** (every `warmIntervalMs`): the last `warmDays` days before the hot range, only the
 *   (status, day) pairs that local boxes could still reach ({@link REACHABLE}), adjacent days
 *   merged into one window when that saves calls, newest first;
 * - **cold** (every `coldIntervalMs`): every status over the last `coldDays` days.
 * Warm and cold queries beyond `callBudget` expected calls are left to later polls, newest days
 * first and whole days at a time; the tier is marked as run once its last day has been read.
 */
export function planOrderSheets(input: PlanInput): OrderSheetsPlan {
  // A box enters the list in ACCEPT, about 10 minutes after payment but filed under its order
  // day: an order paid late (a bank transfer, a payment just after KST midnight) appears in a
  // day the hot tier has left. So warm reads ACCEPT on every warm day, known boxes or not.
  return planStream({ ...input, statuses: ORDER_STATUSES, reachable: REACHABLE, arrivals: ["ACCEPT"] });
}

/** What a poll plans from: the clock, the checkpoint, the local copy's counts, the settings. */
export interface PlanInput {
  now: Date;
  syncedThrough: Date | null;
  tierRuns: TierRuns;
  local: LocalCounts;
  config: PlanConfig;
}

/**
 * The tier planner of {@link planOrderSheets} for any stream listed by creation day and query
 * status: `statuses` are the stream's query statuses (each read by hot and cold), `reachable`
 * maps a local status (keyed as `local` counts it) to the query statuses it may still show
 * under, for the warm tier; a local status absent from `reachable` counts as open. `arrivals`
 * are the statuses a new entity may first appear in on an older day: warm reads them every day.
 * `keyed` are statuses that check entities already stored, by key, rather than list a period
 * (returnWithdrawRequests' `CHECK`): new entities never first show there, so the hot tier skips
 * them, and warm and cold read them.
 * `maxWindowDays` (default 31, the ordersheets and returnRequests limit) caps every window's span
 * in KST days, for a list that accepts less (exchangeRequests: 7).
 * `retries` are failed slices due for a retry: the **retry** tier reads them after hot and before
 * warm and cold, within the call budget (at least one; the rest stay due for the next poll),
 * except those of a status a hot query reads over their days anyway.
 */
export function planStream(
  input: PlanInput & {
    statuses: readonly string[];
    reachable: Readonly<Record<string, readonly string[]>>;
    arrivals?: readonly string[];
    keyed?: readonly string[];
    maxWindowDays?: number;
    retries?: readonly DueSlice[];
  },
): StreamPlan {
  const { now, syncedThrough, tierRuns, local, config, statuses, reachable } = input;
  const arrivals = input.arrivals ?? [];
  const keyed = input.keyed ?? [];
  const maxWindowDays = input.maxWindowDays ?? 31;
  const to = new Date(now.getTime() - config.lagMs);
  const from = syncedThrough
    ? new Date(Math.min(syncedThrough.getTime(), to.getTime()) - config.lookbackMs)
    : new Date(to.getTime() - config.backfillMs);
  const hotReason = syncedThrough
    ? `hot: checkpoint ${syncedThrough.toISOString()} minus ${config.lookbackMs / 60_000} min lookback, up to now − ${config.lagMs / 1000} s`
    : `hot: backfill of ${Math.round(config.backfillMs / DAY_MS)} days, no checkpoint yet`;
  const hot: PlannedQuery[] = splitDailyWindows(from, to, maxWindowDays).flatMap((w) =>
    statuses
      .filter((status) => !keyed.includes(status))
      .map((status) => ({
        tier: "hot" as const,
        status,
        createdAtFrom: w.createdAtFrom,
        createdAtTo: w.createdAtTo,
        cost: estimate(local, status, w.createdAtFrom, w.createdAtTo),
        reason: hotReason,
      })),
  );

  // Warm and cold cover the days before the hot range's first day; a new vendor's backfill
  // already reads everything.
  const hotFirstDay = kstDayStart(from);
  const due = (tier: "warm" | "cold", interval: number) =>
    syncedThrough !== null && (!tierRuns[tier] || now.getTime() - Date.parse(tierRuns[tier]) >= interval);
  let tier: "warm" | "cold" | null = null;
  let candidates: PlannedQuery[] = [];
  if (due("cold", config.coldIntervalMs)) {
    tier = "cold";
    const start = new Date(hotFirstDay.getTime() - config.coldDays * DAY_MS);
    for (const w of splitDailyWindows(start, hotFirstDay, maxWindowDays).reverse()) {
      for (const status of statuses) {
        candidates.push({
          tier: "cold",
          status,
          createdAtFrom: w.createdAtFrom,
          createdAtTo: w.createdAtTo,
          cost: estimate(local, status, w.createdAtFrom, w.createdAtTo),
          reason: `cold: full sweep of ${config.coldDays} days, due every ${config.coldIntervalMs / 3_600_000} h`,
        });
      }
    }
  } else if (due("warm", config.warmIntervalMs)) {
    tier = "warm";
    candidates = planWarm(local, hotFirstDay, config, statuses, reachable, arrivals, maxWindowDays);
  }
  // A tier an earlier poll's budget cut continues where it stopped, so the oldest days are not
  // starved by polls that always start again from the newest.
  const before = tier ? tierRuns[`${tier}Before`] : undefined;
  if (before) candidates = candidates.filter((q) => q.createdAtTo <= before);

  // Due failed slices come first in the budget: they are what the local copy is known to miss.
  const retries: PlannedQuery[] = [];
  let spent = 0;
  let retriesDeferred = 0;
  for (const slice of input.retries ?? []) {
    const { status, createdAtFrom, createdAtTo, attempts } = slice;
    const readByHot = hot.some(
      (h) => h.status === status && h.createdAtFrom <= createdAtFrom && createdAtTo <= h.createdAtTo,
    );
    if (!statuses.includes(status) || readByHot) continue;
    const cost = estimate(local, status, createdAtFrom, createdAtTo);
    if (retries.length > 0 && spent + cost > config.callBudget) {
      retriesDeferred++;
      continue;
    }
    retries.push({
      tier: "retry",
      status,
      createdAtFrom,
      createdAtTo,
      cost,
      reason: `retry: failed slice ${slice.id} (${status} ${createdAtFrom}…${createdAtTo}) after ${attempts} failed attempt${attempts === 1 ? "" : "s"}`,
    });
    spent += cost;
  }

  // Whole days only (queries are newest first), and always at least one day, so a cut tier moves.
  const kept: PlannedQuery[] = [];
  for (const q of candidates) {
    const newDay = kept.length === 0 || q.createdAtTo !== kept.at(-1)!.createdAtTo;
    if (newDay && kept.length > 0 && spent + dayCost(candidates, q.createdAtTo) > config.callBudget) break;
    kept.push(q);
    spent += q.cost;
  }
  const deferred = candidates.length - kept.length;
  const stamp = now.toISOString();
  // A backfill reads every status of every day it covers: what warm and cold would read again.
  const tierRunsUpdate: Record<string, string> = !syncedThrough
    ? { warm: stamp, cold: stamp }
    : !tier
      ? {}
      : deferred > 0
        ? { [`${tier}Before`]: candidates[kept.length]!.createdAtTo }
        : { [tier]: stamp, [`${tier}Before`]: "" };
  return {
    queries: [...hot, ...retries, ...kept],
    hotTo: to.toISOString(),
    tierRuns: tierRunsUpdate,
    deferred,
    reason:
      `${hot.length} hot` +
      (retries.length > 0 ? `, ${retries.length} retry` : "") +
      (retriesDeferred > 0 ? `, ${retriesDeferred} retry deferred by the budget` : "") +
      (tier ? `, ${kept.length} ${tier}` : "") +
      (deferred > 0 ? `, ${deferred} ${tier} deferred by the budget of ${config.callBudget} calls` : ""),
  };
}

/**
 * The two halves of a planned query whose window failed (design.md "Checkpoints"), split by KST
 * days; the first half takes the extra day of an odd span. Each half keeps the tier and status,
 * half the expected calls (at least one), and the reason, with `why` naming the window it came
 * from. Returns null for a window of one day, which cannot be split.
 */
export function splitQuery(query: PlannedQuery, why: string): [PlannedQuery, PlannedQuery] | null {
  const days = daysBetween(query.createdAtFrom, query.createdAtTo) + 1;
  if (days < 2) return null;
  const firstDays = Math.ceil(days / 2);
  const dayAfterStart = (n: number) =>
    new Date(Date.parse(`${query.createdAtFrom}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);
  // Only the latest split is named, so a slice split five times keeps a short reason.
  const reason = `${query.reason.replace(/; split of .*$/, "")}; split of ${query.createdAtFrom}…${query.createdAtTo}: ${why}`;
  const cost = Math.max(1, Math.ceil(query.cost / 2));
  return [
    { ...query, createdAtTo: dayAfterStart(firstDays - 1), cost, reason },
    { ...query, createdAtFrom: dayAfterStart(firstDays), cost, reason },
  ];
}

/** Days from `fromDay` to `toDay` (`yyyy-MM-dd`), so a window of one day is 0. */
function daysBetween(fromDay: string, toDay: string): number {
  return (Date.parse(`${toDay}T00:00:00Z`) - Date.parse(`${fromDay}T00:00:00Z`)) / DAY_MS;
}

/** Expected calls of all candidate queries of one day (they are kept or deferred together). */
function dayCost(candidates: readonly PlannedQuery[], day: string): number {
  return candidates.filter((q) => q.createdAtTo === day).reduce((n, q) => n + q.cost, 0);
}

/** Expected calls of a query from the local copy (the list returns at least one page). */
function estimate(local: LocalCounts, status: string, fromDay: string, toDay: string): number {
  let boxes = 0;
  for (let d = Date.parse(`${fromDay}T00:00:00Z`); d <= Date.parse(`${toDay}T00:00:00Z`); d += DAY_MS) {
    boxes += local.get(new Date(d).toISOString().slice(0, 10))?.get(status) ?? 0;
  }
  return pages(boxes);
}

/**
 * The warm tier: per status, the days of the last `warmDays` whose local boxes could still reach
 * that status, as windows that merge adjacent days when one query costs no more than two (and
 * the window stays within `maxWindowDays`).
 */
function planWarm(
  local: LocalCounts,
  before: Date,
  config: PlanConfig,
  statuses: readonly string[],
  reachable: Readonly<Record<string, readonly string[]>>,
  arrivals: readonly string[],
  maxWindowDays: number,
): PlannedQuery[] {
  const days: string[] = []; // newest first, so a budget cut drops the oldest days
  for (let i = 1; i <= config.warmDays; i++)
    days.push(formatKstDate(new Date(before.getTime() - i * DAY_MS)));
  const queries: PlannedQuery[] = [];
  for (const status of statuses) {
    const emit = (w: { from: string; to: string; cost: number }) =>
      queries.push({
        tier: "warm",
        status,
        createdAtFrom: w.from,
        createdAtTo: w.to,
        cost: w.cost,
        reason: arrivals.includes(status)
          ? `warm: a late payment can still list a new ${status} box created ${w.from}…${w.to}`
          : `warm: boxes created ${w.from}…${w.to} could still become ${status}`,
      });
    let current: { from: string; to: string; cost: number } | undefined;
    for (const day of days) {
      if (!arrivals.includes(status) && !canReach(local.get(day), status, statuses, reachable)) {
        if (current) emit(current);
        current = undefined;
        continue;
      }
      const cost = estimate(local, status, day, day);
      if (current && daysBetween(day, current.to) < maxWindowDays) {
        const merged = estimate(local, status, day, current.to);
        if (merged <= current.cost + cost) {
          current = { from: day, to: current.to, cost: merged };
          continue;
        }
      }
      if (current) emit(current);
      current = { from: day, to: day, cost };
    }
    if (current) emit(current);
  }
  return queries.sort((a, b) => b.createdAtTo.localeCompare(a.createdAtTo));
}

/** Whether any local box of a day could still be or become `status`. An unknown status counts as open. */
function canReach(
  counts: ReadonlyMap<string, number> | undefined,
  status: string,
  statuses: readonly string[],
  reachable: Readonly<Record<string, readonly string[]>>,
): boolean {
  for (const [s, n] of counts ?? []) {
    if (n > 0 && (reachable[s] ?? statuses).includes(status)) return true;
  }
  return false;
}

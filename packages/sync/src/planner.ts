import { ORDER_STATUSES, splitDailyWindows, type OrderStatus } from "@cos/coupang";

/** How far the ordersheets planner reaches. All durations in milliseconds. */
export interface OrderSheetsPlanConfig {
  /** No window end, and so no checkpoint, passes `now − lagMs` (pitfalls M-1). */
  lagMs: number;
  /** Every poll re-reads at least this far behind the checkpoint: orders reach the list about
   * 10 minutes after payment (coupang-api.md §0.6), so this must be ≥ 30 minutes. */
  lookbackMs: number;
  /** Where a vendor with no checkpoint starts. */
  backfillMs: number;
}

/** One daily window of the ordersheets list, in KST calendar days (coupang-api.md §2.1). */
export interface PlannedWindow {
  createdAtFrom: string;
  createdAtTo: string;
  from: Date;
  to: Date;
}

/**
 * What one poll will read, and why. Recorded with the sync run so an operator can see why each
 * call was made. The range is [from, to) in UTC instants; the windows cover it in KST days.
 */
export interface OrderSheetsPlan {
  from: Date;
  to: Date;
  statuses: readonly OrderStatus[];
  windows: PlannedWindow[];
  reason: string;
}

/**
 * Plans a poll of the ordersheets list: from the checkpoint minus the lookback (or the backfill
 * horizon for a new vendor) up to `now − lag`, in daily windows of ≤ 31 days, for every one of
 * the six statuses — the list filters by creation time and requires a status, so a status
 * change of an older order is only seen by re-reading its window in its new status.
 */
export function planOrderSheets(
  now: Date,
  syncedThrough: Date | null,
  config: OrderSheetsPlanConfig,
): OrderSheetsPlan {
  const to = new Date(now.getTime() - config.lagMs);
  const from = syncedThrough
    ? new Date(Math.min(syncedThrough.getTime(), to.getTime()) - config.lookbackMs)
    : new Date(to.getTime() - config.backfillMs);
  const reason = syncedThrough
    ? `incremental: checkpoint ${syncedThrough.toISOString()} minus ${config.lookbackMs / 60_000} min lookback, up to now − ${config.lagMs / 1000} s`
    : `backfill: no checkpoint yet, ${Math.round(config.backfillMs / 86_400_000)} days back, up to now − ${config.lagMs / 1000} s`;
  return { from, to, statuses: ORDER_STATUSES, windows: splitDailyWindows(from, to), reason };
}

/** Rebuilds a plan from the range stored in a cursor, so a resumed poll reads the same windows. */
export function replanOrderSheets(from: Date, to: Date): OrderSheetsPlan {
  return {
    from,
    to,
    statuses: ORDER_STATUSES,
    windows: splitDailyWindows(from, to),
    reason: `resume: an interrupted poll of ${from.toISOString()} – ${to.toISOString()}`,
  };
}

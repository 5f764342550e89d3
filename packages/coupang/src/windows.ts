import { formatKstDate, formatKstMinute, formatKstSecond, kstDayNumber, kstDayNumberStart } from "./time.js";

/**
 * One query window: the `createdAtFrom` / `createdAtTo` parameters formatted in KST as the
 * endpoint wants them, and the instants [from, to) the window is guaranteed to cover.
 */
export interface QueryWindow {
  /** KST, in the endpoint's format (`yyyy-MM-dd`, `yyyy-MM-ddTHH:mm` or `yyyy-MM-ddTHH:mm:ss`). */
  createdAtFrom: string;
  /** KST, same format. */
  createdAtTo: string;
  /** First instant covered. */
  from: Date;
  /** End of the instants covered (exclusive); commit this as the "synced through" mark. */
  to: Date;
}

/**
 * One daily-mode query window (coupang-api.md §2.1, §6.1): whole KST days, both ends inclusive;
 * `from` is 00:00 KST of the first day and `to` 00:00 KST of the day after the last.
 */
export type DailyWindow = QueryWindow;

/**
 * Covers the KST calendar days touched by the half-open interval [from, to) with daily-mode
 * windows of at most `maxDays` days each, inclusive (Coupang allows 31, coupang-api.md §2.1),
 * in ascending order. A `to` at exactly 00:00 KST does not pull in that day.
 *
 * Returns `[]` when `from >= to`. Throws a `RangeError` for an invalid Date or a `maxDays` that
 * is not a positive integer.
 */
export function splitDailyWindows(from: Date, to: Date, maxDays = 31): DailyWindow[] {
  if (!Number.isInteger(maxDays) || maxDays < 1) {
    throw new RangeError(`maxDays must be a positive integer, got ${maxDays}`);
  }
  if (Number.isNaN(from.getTime()) || Number.isNaN(to.getTime())) {
    throw new RangeError(`Invalid window bounds: from=${String(from)} to=${String(to)}`);
  }
  if (from.getTime() >= to.getTime()) return [];
  const firstDay = kstDayNumber(from);
  // `to` is exclusive: the last day touched is the day of the last millisecond before it.
  const lastDay = kstDayNumber(new Date(to.getTime() - 1));
  const windows: DailyWindow[] = [];
  for (let start = firstDay; start <= lastDay; start += maxDays) {
    const end = Math.min(start + maxDays - 1, lastDay);
    const windowFrom = kstDayNumberStart(start);
    windows.push({
      createdAtFrom: formatKstDate(windowFrom),
      createdAtTo: formatKstDate(kstDayNumberStart(end)),
      from: windowFrom,
      to: kstDayNumberStart(end + 1),
    });
  }
  return windows;
}

/**
 * The withdrawn-returns window (coupang-api.md §7): `dateFrom` / `dateTo` as KST `yyyy-MM-dd`,
 * both inclusive, at most 7 days; `from`/`to` as in {@link QueryWindow}.
 */
export interface WithdrawWindow {
  dateFrom: string;
  dateTo: string;
  from: Date;
  to: Date;
}

/**
 * Covers [from, to) with returnWithdrawRequests windows (coupang-api.md §7): KST calendar days,
 * at most 7 per window, both ends inclusive. Same rules and errors as {@link splitDailyWindows}.
 */
export function splitWithdrawWindows(from: Date, to: Date): WithdrawWindow[] {
  return splitDailyWindows(from, to, 7).map((w) => ({
    dateFrom: w.createdAtFrom,
    dateTo: w.createdAtTo,
    from: w.from,
    to: w.to,
  }));
}

/** Options of {@link splitMinuteWindows}. */
export interface MinuteWindowOptions {
  /** Longest window, minutes from `createdAtFrom` to `createdAtTo`; default 1439 (24 h − 1 min). */
  maxMinutes?: number;
  /** Minutes each window reaches back into the previous one; default 0. */
  overlapMinutes?: number;
}

/**
 * Pitfall B-12: minute-mode lists time out on wide windows even with no data, so Coupang
 * advises about 10-minute windows that overlap. Pass to {@link splitMinuteWindows}.
 */
export const OVERLAPPING_TEN_MINUTE_SLICES: Readonly<Required<MinuteWindowOptions>> = {
  maxMinutes: 10,
  overlapMinutes: 2,
};

const MINUTE_MS = 60_000;
const SECOND_MS = 1000;

function checkInstants(from: Date, to: Date): void {
  if (Number.isNaN(from.getTime()) || Number.isNaN(to.getTime())) {
    throw new RangeError(`Invalid window bounds: from=${String(from)} to=${String(to)}`);
  }
}

/**
 * Windows of a fixed time unit covering [from, to): the start is rounded down and the end up
 * to the unit, so the window covers the interval whether Coupang reads `createdAtTo` as
 * inclusive (the whole last unit) or exclusive; each window spans at most `max` units and
 * reaches `overlap` units back into the previous one.
 */
function splitByUnit(
  from: Date,
  to: Date,
  unitMs: number,
  max: number,
  overlap: number,
  format: (instant: Date) => string,
): QueryWindow[] {
  checkInstants(from, to);
  if (!Number.isInteger(max) || max < 1)
    throw new RangeError(`The window length must be a positive integer, got ${max}`);
  if (!Number.isInteger(overlap) || overlap < 0 || overlap >= max) {
    throw new RangeError(`The overlap must be an integer from 0 to ${max - 1}, got ${overlap}`);
  }
  if (from.getTime() >= to.getTime()) return [];
  const end = Math.ceil(to.getTime() / unitMs) * unitMs;
  const windows: QueryWindow[] = [];
  for (let start = Math.floor(from.getTime() / unitMs) * unitMs; ;) {
    const stop = Math.min(start + max * unitMs, end);
    windows.push({
      createdAtFrom: format(new Date(start)),
      createdAtTo: format(new Date(stop)),
      from: new Date(start),
      to: new Date(stop),
    });
    if (stop >= end) return windows;
    start = stop - overlap * unitMs;
  }
}

/**
 * Covers the instants [from, to) with minute-mode windows (`searchType=timeFrame`, coupang-api.md
 * §2.1, §6.1): KST `yyyy-MM-ddTHH:mm`, no offset, each at most `maxMinutes` long (default 1439,
 * the official example's `T00:00`…`T23:59`, inside the PO list's 24 h limit). With
 * {@link OVERLAPPING_TEN_MINUTE_SLICES} it gives the overlapping 10-minute slices of pitfall B-12.
 *
 * Returns `[]` when `from >= to`. Throws a `RangeError` for an invalid Date, a `maxMinutes` that
 * is not a positive integer, or an overlap that is not below it.
 */
export function splitMinuteWindows(from: Date, to: Date, options: MinuteWindowOptions = {}): QueryWindow[] {
  const { maxMinutes = 24 * 60 - 1, overlapMinutes = 0 } = options;
  return splitByUnit(from, to, MINUTE_MS, maxMinutes, overlapMinutes, formatKstMinute);
}

/**
 * Covers the instants [from, to) with exchangeRequests windows (coupang-api.md §8.1): KST
 * `yyyy-MM-ddTHH:mm:ss`, no offset, each at most 7 days − 1 s long (the official example's
 * `T00:00:00`…`+6 days T23:59:59`), consecutive windows touching at one second.
 *
 * Returns `[]` when `from >= to`. Throws a `RangeError` for an invalid Date or a `maxSeconds`
 * that is not a positive integer.
 */
export function splitExchangeWindows(from: Date, to: Date, maxSeconds = 7 * 24 * 3600 - 1): QueryWindow[] {
  return splitByUnit(from, to, SECOND_MS, maxSeconds, 0, formatKstSecond);
}

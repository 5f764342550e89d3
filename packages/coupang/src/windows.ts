import { formatKstDate, kstDayNumber, kstDayNumberStart } from "./time.js";

/** One daily-mode query window (coupang-api.md §2.1): whole KST days, both ends inclusive. */
export interface DailyWindow {
  /** First KST day, `yyyy-MM-dd` (the `createdAtFrom` parameter). */
  createdAtFrom: string;
  /** Last KST day, `yyyy-MM-dd`, inclusive (the `createdAtTo` parameter). */
  createdAtTo: string;
  /** Instant 00:00 KST of the first day. */
  from: Date;
  /** Instant 00:00 KST of the day after the last day (exclusive end). */
  to: Date;
}

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

/** KST is UTC+9 all year: Korea has no daylight saving time (coupang-api.md §11). */
export const KST_OFFSET_MS = 9 * 60 * 60 * 1000;

const DAY_MS = 24 * 60 * 60 * 1000;

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:?\d{2})?$/;
const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
const LOCAL_MINUTE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/;
const LOCAL_SECOND = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})$/;

/**
 * Milliseconds since the epoch of a wall-clock reading taken as UTC, or `undefined` when a
 * field is out of range (month 13, Feb 30, hour 24 …). Date.UTC silently rolls such values
 * over, so the result is read back and compared.
 */
function wallClockMs(
  year: number,
  month: number,
  day: number,
  hour = 0,
  minute = 0,
  second = 0,
  ms = 0,
): number | undefined {
  const d = new Date(0);
  // setUTCFullYear, unlike Date.UTC, does not map years 0–99 onto 1900–1999.
  d.setUTCFullYear(year, month - 1, day);
  d.setUTCHours(hour, minute, second, ms);
  const valid =
    d.getUTCFullYear() === year &&
    d.getUTCMonth() === month - 1 &&
    d.getUTCDate() === day &&
    d.getUTCHours() === hour &&
    d.getUTCMinutes() === minute &&
    d.getUTCSeconds() === second;
  return valid ? d.getTime() : undefined;
}

function offsetMs(offset: string): number {
  if (offset === "Z") return 0;
  const sign = offset.startsWith("-") ? -1 : 1;
  const digits = offset.slice(1).replace(":", "");
  const hours = Number(digits.slice(0, 2));
  const minutes = Number(digits.slice(2, 4));
  if (hours > 23 || minutes > 59) return Number.NaN;
  return sign * (hours * 60 + minutes) * 60 * 1000;
}

/**
 * Parses a Coupang timestamp into an instant.
 *
 * Accepts the v4 forms `yyyy-MM-dd'T'HH:mm:ss` and `yyyy-MM-dd HH:mm:ss`, read as KST wall
 * clock because v4 sends no offset (coupang-api.md §11), and the v5/v6 ISO-8601 form with an
 * explicit offset (`+09:00`, `+0900`, `Z`) and optional fractional seconds (kept to the
 * millisecond, further digits dropped).
 *
 * Throws an `Error` naming the value when it matches none of these or is not a real time.
 */
export function parseKstDateTime(s: string): Date {
  const m = DATE_TIME.exec(s);
  if (m) {
    const [, y, mo, d, h, mi, sec, frac, offset] = m;
    const ms = frac === undefined ? 0 : Number(frac.padEnd(3, "0").slice(0, 3));
    const wall = wallClockMs(Number(y), Number(mo), Number(d), Number(h), Number(mi), Number(sec), ms);
    const shift = offset === undefined ? KST_OFFSET_MS : offsetMs(offset);
    if (wall !== undefined && !Number.isNaN(shift)) return new Date(wall - shift);
  }
  throw new Error(
    `Not a Coupang date-time (yyyy-MM-dd'T'HH:mm:ss, KST unless an offset is given): ${JSON.stringify(s)}`,
  );
}

/**
 * Parses a calendar date `yyyy-MM-dd` (e.g. `estimatedShippingDate`, coupang-api.md §11) into
 * a Date at **UTC midnight** of that date — the value a Postgres `date` column stores — not
 * the KST instant at which the day starts (use {@link kstDayStart} for that).
 *
 * Throws an `Error` naming the value when it is not a real `yyyy-MM-dd` date.
 */
export function parseKstDate(s: string): Date {
  const m = DATE_ONLY.exec(s);
  if (m) {
    const ms = wallClockMs(Number(m[1]), Number(m[2]), Number(m[3]));
    if (ms !== undefined) return new Date(ms);
  }
  throw new Error(`Not a yyyy-MM-dd date: ${JSON.stringify(s)}`);
}

/**
 * Parses a KST query-parameter time with no offset, `yyyy-MM-ddTHH:mm` (the minute-mode
 * `createdAtFrom/To` of ordersheets and returnRequests, coupang-api.md §2.1, §6.1, §11), into
 * the instant it names. The inverse of {@link formatKstMinute}. Strict: no seconds, no space,
 * no offset. Throws an `Error` naming the value otherwise.
 */
export function parseKstMinute(s: string): Date {
  const m = LOCAL_MINUTE.exec(s);
  const ms = m && wallClockMs(Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]));
  if (ms === undefined || ms === null)
    throw new Error(`Not a KST yyyy-MM-ddTHH:mm time: ${JSON.stringify(s)}`);
  return new Date(ms - KST_OFFSET_MS);
}

/**
 * Parses a KST query-parameter time with no offset, `yyyy-MM-ddTHH:mm:ss` (the
 * exchangeRequests `createdAtFrom/To`, coupang-api.md §8.1, §11), into the instant it names.
 * The inverse of {@link formatKstSecond}. Strict: no fraction, no space, no offset. Throws an
 * `Error` naming the value otherwise.
 */
export function parseKstSecond(s: string): Date {
  const m = LOCAL_SECOND.exec(s);
  const ms =
    m && wallClockMs(Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
  if (ms === undefined || ms === null) {
    throw new Error(`Not a KST yyyy-MM-ddTHH:mm:ss time: ${JSON.stringify(s)}`);
  }
  return new Date(ms - KST_OFFSET_MS);
}

/** The instant moved forward by 9 h, as an ISO string whose UTC fields are KST fields. */
function kstIso(instant: Date): string {
  const ms = instant.getTime();
  if (Number.isNaN(ms)) throw new Error(`Not a valid instant: ${String(instant)}`);
  return new Date(ms + KST_OFFSET_MS).toISOString();
}

/**
 * The KST calendar day of an instant as `yyyy-MM-dd` (the daily-mode `createdAtFrom/To` form,
 * coupang-api.md §2.1). Throws an `Error` for an invalid Date.
 */
export function formatKstDate(instant: Date): string {
  return kstIso(instant).slice(0, 10);
}

/**
 * The KST wall-clock minute of an instant as `yyyy-MM-ddTHH:mm`, no offset (the minute-mode
 * `createdAtFrom/To` form for v4, coupang-api.md §2.1, §11). Seconds are truncated.
 * Throws an `Error` for an invalid Date.
 */
export function formatKstMinute(instant: Date): string {
  return kstIso(instant).slice(0, 16);
}

/**
 * The KST wall-clock second of an instant as `yyyy-MM-ddTHH:mm:ss`, no offset (the
 * exchangeRequests form, coupang-api.md §8.1, §11). Milliseconds are truncated.
 * Throws an `Error` for an invalid Date.
 */
export function formatKstSecond(instant: Date): string {
  return kstIso(instant).slice(0, 19);
}

/**
 * Number of whole KST days since 1970-01-01 (KST) for an instant. Internal day arithmetic
 * for window planning; throws an `Error` for an invalid Date.
 */
export function kstDayNumber(instant: Date): number {
  const ms = instant.getTime();
  if (Number.isNaN(ms)) throw new Error(`Not a valid instant: ${String(instant)}`);
  return Math.floor((ms + KST_OFFSET_MS) / DAY_MS);
}

/** The instant 00:00 KST of a day number from {@link kstDayNumber} (15:00 UTC the day before). */
export function kstDayNumberStart(day: number): Date {
  return new Date(day * DAY_MS - KST_OFFSET_MS);
}

/**
 * The instant at which the KST calendar day of `instant` begins (00:00 KST = 15:00 UTC of the
 * previous UTC day). Throws an `Error` for an invalid Date.
 */
export function kstDayStart(instant: Date): Date {
  return kstDayNumberStart(kstDayNumber(instant));
}

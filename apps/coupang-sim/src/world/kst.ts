/**
 * Korean Standard Time helpers. KST is UTC+9 all year (no daylight saving), so a fixed
 * offset is exact. The simulator keeps instants as epoch milliseconds (UTC) and formats
 * them only when building Coupang's v4 payloads, which carry KST wall-clock time with no
 * offset (coupang-api.md §11). Deliberately independent of `@cos/coupang`'s helpers so the
 * simulator checks the client rather than sharing its bugs.
 */

/** KST − UTC in milliseconds. */
const KST_OFFSET_MS = 9 * 60 * 60 * 1000;

/** One KST calendar day. `month` is 1–12. */
export interface KstDay {
  year: number;
  month: number;
  day: number;
}

const pad2 = (n: number): string => String(n).padStart(2, "0");

/** The KST wall-clock fields of an instant, read through a shifted UTC `Date`. */
function kstFields(epochMs: number): Date {
  return new Date(epochMs + KST_OFFSET_MS);
}

/** KST `yyyy-MM-dd` of an instant (e.g. `estimatedShippingDate`, §11). */
export function formatKstDate(epochMs: number): string {
  const d = kstFields(epochMs);
  return `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())}`;
}

/** KST `HH:mm:ss` of an instant. */
function formatKstTime(epochMs: number): string {
  const d = kstFields(epochMs);
  return `${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}`;
}

/** KST `yyyy-MM-dd'T'HH:mm:ss`, no offset — `orderedAt`, `paidAt`, `invoiceNumberUploadDate` (§11). */
export function formatKstDateTime(epochMs: number): string {
  return `${formatKstDate(epochMs)}T${formatKstTime(epochMs)}`;
}

/** KST `yyyy-MM-dd HH:mm:ss`, no offset — `inTrasitDateTime`, `deliveredDate`, `confirmDate` (§11). */
export function formatKstDateTimeSpaced(epochMs: number): string {
  return `${formatKstDate(epochMs)} ${formatKstTime(epochMs)}`;
}

/** The KST hour of day (0–23) of an instant. */
export function kstHour(epochMs: number): number {
  return kstFields(epochMs).getUTCHours();
}

/** The instant (epoch ms) at which a KST calendar day begins (00:00:00 KST). */
export function kstDayStartMs(day: KstDay): number {
  return Date.UTC(day.year, day.month - 1, day.day) - KST_OFFSET_MS;
}

/** The instant (epoch ms) at which the KST day after `day` begins: the exclusive end of `day`. */
export function kstDayEndMs(day: KstDay): number {
  return Date.UTC(day.year, day.month - 1, day.day + 1) - KST_OFFSET_MS;
}

/**
 * Parses a strict `yyyy-MM-dd` into a real calendar day; `undefined` for any other text or an
 * impossible date such as `2025-02-30`.
 */
export function parseKstDay(text: string): KstDay | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (m === null) return undefined;
  const day: KstDay = { year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) };
  const check = new Date(Date.UTC(day.year, day.month - 1, day.day));
  if (
    check.getUTCFullYear() !== day.year ||
    check.getUTCMonth() !== day.month - 1 ||
    check.getUTCDate() !== day.day
  ) {
    return undefined;
  }
  return day;
}

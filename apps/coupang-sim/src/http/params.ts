import { badRequest } from "../world/errors.js";
import { kstDayEndMs, kstDayStartMs, parseKstDay, type KstDay } from "../world/kst.js";

/**
 * Query-parameter rules shared by the list endpoints: single values, KST dates and times in
 * the formats of coupang-api.md §11 (v5/v6 paths may append `+09:00`, sent as `%2B09:00`),
 * windows with their maximum spans, page sizes and tokens. Violations are 400s naming the
 * parameter.
 */

/** A query string as fastify parses it: a repeated parameter becomes an array. */
export type RawQuery = Record<string, string | string[] | undefined>;

/** The values of `names` in `query`; 400 when one is given twice. `""` counts as absent. */
export function singles<K extends string>(
  query: RawQuery,
  names: readonly K[],
): Record<K, string | undefined> {
  const out = {} as Record<K, string | undefined>;
  for (const name of names) {
    const value = query[name];
    if (Array.isArray(value)) throw badRequest(`Parameter '${name}' must be given only once`);
    out[name] = value === "" ? undefined : value;
  }
  return out;
}

/** `value`, or a 400 saying the required parameter is missing (`format` hints what to send). */
export function required(name: string, value: string | undefined, format = ""): string {
  if (value === undefined)
    throw badRequest(`Required parameter '${name}' is missing${format === "" ? "" : ` (${format})`}`);
  return value;
}

const OFFSET = "+09:00";
const HINT = "with '+' sent as %2B";

/** Drops the optional KST offset of v5/v6 values; a raw `+` arrives as a space and is left to fail. */
function withoutOffset(text: string): string {
  return text.endsWith(OFFSET) ? text.slice(0, -OFFSET.length) : text;
}

/** A KST `yyyy-MM-dd` day; 400 for any other text or an impossible date. */
function dayParam(name: string, text: string): KstDay {
  const day = parseKstDay(withoutOffset(text));
  if (day === undefined)
    throw badRequest(`Invalid ${name} '${text}': expected yyyy-MM-dd, or yyyy-MM-dd+09:00 ${HINT}`);
  return day;
}

/**
 * Epoch ms of a KST `yyyy-MM-ddTHH:mm` (`seconds: false`) or `yyyy-MM-ddTHH:mm:ss`
 * (`seconds: true`); 400 otherwise.
 */
export function kstInstant(name: string, text: string, seconds: boolean): number {
  const format = seconds ? "yyyy-MM-ddTHH:mm:ss" : "yyyy-MM-ddTHH:mm";
  const m = (
    seconds ? /^(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2}):(\d{2})$/ : /^(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2})$/
  ).exec(withoutOffset(text));
  const day = m === null ? undefined : parseKstDay(m[1] ?? "");
  const [h, min, s] = [Number(m?.[2]), Number(m?.[3]), Number(m?.[4] ?? 0)];
  if (day === undefined || h > 23 || min > 59 || s > 59) {
    throw badRequest(`Invalid ${name} '${text}': expected ${format}, or ${format}+09:00 ${HINT}`);
  }
  return kstDayStartMs(day) + ((h * 60 + min) * 60 + s) * 1000;
}

/** Messages replacing the generic ones where an endpoint documents its own (§7). */
export interface WindowMessages {
  reversed?: string;
  tooLong?: string;
}

/** A window [fromMs, toMs) over whole KST days, both named days included, at most `maxDays` of them. */
export function dayWindow(
  names: readonly [string, string],
  from: string,
  to: string,
  maxDays: number,
  messages: WindowMessages = {},
): { fromMs: number; toMs: number } {
  const fromMs = kstDayStartMs(dayParam(names[0], from));
  const toMs = kstDayEndMs(dayParam(names[1], to));
  if (toMs <= fromMs) throw badRequest(messages.reversed ?? `${names[1]} must not be before ${names[0]}`);
  if (toMs - fromMs > maxDays * 86_400_000) {
    throw badRequest(
      messages.tooLong ??
        `The search period may span at most ${maxDays} days (${names[0]} to ${names[1]} inclusive)`,
    );
  }
  return { fromMs, toMs };
}

/**
 * A window of KST instants: from `from` to the end of the unit (`unitMs`: a minute or a
 * second) that `to` names, with `to − from` at most `maxMs`.
 */
export function instantWindow(
  names: readonly [string, string],
  from: string,
  to: string,
  seconds: boolean,
  maxMs: number,
  tooLong: string,
): { fromMs: number; toMs: number } {
  const fromMs = kstInstant(names[0], from, seconds);
  const toStart = kstInstant(names[1], to, seconds);
  if (toStart < fromMs) throw badRequest(`${names[1]} must not be before ${names[0]}`);
  if (toStart - fromMs > maxMs) throw badRequest(tooLong);
  return { fromMs, toMs: toStart + (seconds ? 1000 : 60_000) };
}

/** An integer parameter in [min, max], `fallback` when absent; 400 otherwise. */
export function intParam(
  name: string,
  text: string | undefined,
  min: number,
  max: number,
  fallback: number,
): number {
  if (text === undefined) return fallback;
  const n = /^\d{1,9}$/.test(text) ? Number(text) : NaN;
  if (!(n >= min && n <= max))
    throw badRequest(`Invalid ${name} '${text}': an integer from ${min} to ${max}`);
  return n;
}

/** A numeric ID parameter (path or query); 400 when not 1–19 digits. */
export function idParam(name: string, text: string): bigint {
  if (!/^\d{1,19}$/.test(text)) throw badRequest(`Invalid ${name} '${text}': expected a number`);
  return BigInt(text);
}

/** A page token: one of `known` IDs (what the previous page ended with); 400 otherwise. */
export function tokenParam(text: string | undefined, known: (id: bigint) => boolean): bigint | undefined {
  if (text === undefined) return undefined;
  const id = /^\d{1,19}$/.test(text) ? BigInt(text) : undefined;
  if (id === undefined || !known(id)) throw badRequest(`Invalid nextToken '${text}'`);
  return id;
}

/** A parameter restricted to `allowed` values; 400 otherwise. */
export function oneOf<T extends string>(name: string, text: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(text)) {
    throw badRequest(`Invalid ${name} '${text}'; use one of ${allowed.join(", ")}`);
  }
  return text as T;
}

import { z } from "zod";
import { parseKstDate, parseKstDateTime } from "../time.js";

/*
 * Field schemas as lenient as Coupang needs (coupang-api.md §10 "Known quirks", §11):
 * `""` and `null` mean absent, numbers may arrive as strings, 64-bit IDs may arrive as
 * number, bigint (from the lossless parser) or digit string. Each failure message starts with
 * "expected …" so that validateRecords can append the offending value.
 */

/** A conversion failure; `expected` overrides the field's default "expected …" text. */
class Invalid {
  constructor(readonly expected?: string) {}
}
const INVALID = new Invalid();
type Converted<T> = T | Invalid;

function isBlank(value: unknown): boolean {
  return value === undefined || value === null || value === "";
}

/** A required and an optional variant of one lenient field. */
export interface LenientField<T> {
  /** Rejects a blank value (`undefined`, `null`, `""`) with the same "expected …" message. */
  required: z.ZodType<T, unknown>;
  /** Turns a blank value into `undefined`; the key may be absent. */
  optional: z.ZodOptional<z.ZodType<T | undefined, unknown>>;
}

function lenient<T>(expected: string, convert: (value: unknown) => Converted<T>): LenientField<T> {
  const check = (value: unknown, ctx: z.RefinementCtx): T => {
    const result = isBlank(value) ? INVALID : convert(value);
    if (result instanceof Invalid) {
      ctx.addIssue({ code: "custom", message: `expected ${result.expected ?? expected}` });
      return z.NEVER;
    }
    return result;
  };
  return {
    required: z.unknown().transform(check),
    optional: z
      .unknown()
      .transform((value, ctx) => (isBlank(value) ? undefined : check(value, ctx)))
      .optional(),
  };
}

const NUMERIC = /^-?\d+(?:\.\d+)?$/;
const DIGITS = /^\d+$/;

function toNumber(value: unknown): Converted<number> {
  if (typeof value === "number") return Number.isFinite(value) ? value : INVALID;
  if (typeof value === "string" && NUMERIC.test(value.trim())) return Number(value.trim());
  return INVALID;
}

/** A 64-bit Coupang ID as `bigint`: from a number (safe integer), a bigint or a digit string. */
export const ID = lenient<bigint>("an ID (digits)", (value) => {
  if (typeof value === "bigint") return value >= 0n ? value : INVALID;
  if (typeof value === "number") return Number.isSafeInteger(value) && value >= 0 ? BigInt(value) : INVALID;
  if (typeof value === "string" && DIGITS.test(value.trim())) return BigInt(value.trim());
  return INVALID;
});

/**
 * A signed 64-bit number as `bigint`, for the few ID-like fields Coupang fills with `-1`
 * (e.g. `targetPackageId` in exchanges, coupang-api.md §13.3).
 */
export const SIGNED_ID = lenient<bigint>("an integer", (value) => {
  if (typeof value === "bigint") return value;
  if (typeof value === "number") return Number.isSafeInteger(value) ? BigInt(value) : INVALID;
  if (typeof value === "string" && /^-?\d+$/.test(value.trim())) return BigInt(value.trim());
  return INVALID;
});

/** An amount in KRW (won, no minor unit in v4), from a number or a numeric string. */
export const KRW = lenient<number>("a number", toNumber);

/** A count (quantity), a non-negative integer, from a number or a digit string. */
export const COUNT = lenient<number>("a number", (value) => {
  const n = toNumber(value);
  if (n instanceof Invalid) return n;
  return Number.isInteger(n) && n >= 0 ? n : new Invalid("a whole number ≥ 0");
});

/** A whole number that may be negative (e.g. `responseCode` −1), from a number or a digit string. */
export const INTEGER = lenient<number>("an integer", (value) => {
  const n = toNumber(value);
  if (n instanceof Invalid) return n;
  return Number.isInteger(n) ? n : INVALID;
});

/** Text; a number (or bigint) is taken as its decimal digits, e.g. a numeric postCode. */
export const TEXT = lenient<string>("a string", (value) => {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "bigint") return String(value);
  return INVALID;
});

/** A Boolean, also from the strings `"true"` / `"false"`. */
export const BOOL = lenient<boolean>("a boolean", (value) => {
  if (typeof value === "boolean") return value;
  if (value === "true") return true;
  if (value === "false") return false;
  return INVALID;
});

/**
 * An instant from a Coupang timestamp: v4 KST wall clock with `T` or a space, or ISO-8601
 * with an offset (time.ts `parseKstDateTime`, coupang-api.md §11).
 */
export const INSTANT = lenient<Date>("a date-time (yyyy-MM-dd'T'HH:mm:ss, KST)", (value) => {
  if (typeof value !== "string") return INVALID;
  try {
    return parseKstDateTime(value);
  } catch {
    return INVALID;
  }
});

/** A calendar date `yyyy-MM-dd` as a Date at UTC midnight (time.ts `parseKstDate`). */
export const CALENDAR_DATE = lenient<Date>("a date (yyyy-MM-dd)", (value) => {
  if (typeof value !== "string") return INVALID;
  try {
    return parseKstDate(value);
  } catch {
    return INVALID;
  }
});

/**
 * A code field whose documented values are `T`, typed so that the known values autocomplete
 * while any other text is still accepted: Coupang adds values without notice, and a record is
 * worth more than a closed enum. Compare against the reference constants (src/reference).
 */
export type Open<T extends string> = T | (string & {});

/** A lenient text field typed as {@link Open}`<T>`: `openEnum<ExchangeStatus>()`. */
export function openEnum<T extends string>(): LenientField<Open<T>> {
  return TEXT;
}

/**
 * An amount of money, normalised from either form Coupang sends (coupang-api.md §6.1, §2.1
 * "v5 shape"): a plain number (KRW on the v4/KR endpoints) or a Money object
 * `{currencyCode, units, nanos}` of the internationalised v5/v6 endpoints. The value is
 * `units + nanos / 1e9` in `currencyCode`; `units` and `nanos` carry the same sign.
 */
export interface Money {
  /** ISO 4217, e.g. `KRW`. */
  currencyCode: string;
  /** Whole units, e.g. won. */
  units: bigint;
  /** Billionths of a unit, −999 999 999 … 999 999 999. */
  nanos: number;
}

function moneyFromNumber(n: number): Money | Invalid {
  // Beyond 2^53 a double has already dropped digits of the amount sent (e.g. 1.2345678901234567e16).
  if (!Number.isFinite(n) || Math.abs(n) > Number.MAX_SAFE_INTEGER) return INVALID;
  const units = Math.trunc(n);
  return { currencyCode: "KRW", units: BigInt(units), nanos: Math.round((n - units) * 1e9) };
}

/** See {@link Money}: a number or numeric string is KRW; an object needs integer `units`. */
export const MONEY = lenient<Money>("a number or a Money object {currencyCode, units, nanos}", (value) => {
  if (typeof value === "bigint") return { currencyCode: "KRW", units: value, nanos: 0 };
  if (typeof value === "number") return moneyFromNumber(value);
  if (typeof value === "string") {
    const text = value.trim();
    // Whole won as digits are exact as a bigint, however long; through Number they would not be.
    if (/^-?\d+$/.test(text)) return { currencyCode: "KRW", units: BigInt(text), nanos: 0 };
    return NUMERIC.test(text) ? moneyFromNumber(Number(text)) : INVALID;
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return INVALID;
  const { currencyCode, units, nanos } = value as Record<string, unknown>;
  const parsedUnits = SIGNED_ID.optional.safeParse(units);
  const parsedNanos = isBlank(nanos) ? 0 : toNumber(nanos);
  if (!parsedUnits.success || parsedNanos instanceof Invalid || !Number.isInteger(parsedNanos))
    return INVALID;
  return {
    currencyCode: typeof currencyCode === "string" && currencyCode !== "" ? currencyCode : "KRW",
    units: parsedUnits.data ?? 0n,
    nanos: parsedNanos,
  };
});

/**
 * An instant from a field whose format Coupang does not document: a date-time (as
 * {@link INSTANT}) or a bare `yyyy-MM-dd`, read as 00:00 KST of that day.
 */
export const INSTANT_OR_DATE = lenient<Date>("a date-time or a yyyy-MM-dd date (KST)", (value) => {
  if (typeof value !== "string") return INVALID;
  try {
    return parseKstDateTime(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00` : value);
  } catch {
    return INVALID;
  }
});

/** A list of `item`; `null`, `""` and a missing key become `[]`. */
export function list<S extends z.ZodType>(item: S) {
  return z.preprocess((value) => (isBlank(value) ? [] : value), z.array(item));
}

/** An optional nested value: `null` and `""` become `undefined` before `schema` runs. */
export function optionalBlank<S extends z.ZodType>(schema: S) {
  return z.preprocess((value) => (isBlank(value) ? undefined : value), schema.optional());
}

/** A free-form key/value object (e.g. `extraProperties`), kept as sent. */
export const PROPERTIES = z.record(z.string(), z.unknown());

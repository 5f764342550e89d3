import { CoupangInputError } from "./errors.js";
import type { CallContext } from "./envelope.js";
import { REFUSED_CARRIER_CODES, checkInvoiceNumber, DELIVERY_COMPANIES } from "./reference/carriers.js";
import type { DeliveryCompanyCode } from "./reference/carriers.js";
import { codesOf, isCodeOf } from "./reference/codes.js";
import { parseKstDate, parseKstMinute, parseKstSecond } from "./time.js";

/**
 * A Coupang ID given by a caller: a `bigint` or a string of decimal digits (64-bit IDs such as
 * the 18-digit `shipmentBoxId` do not fit a JS number, coupang-api.md §0.15).
 */
export type CoupangId = bigint | string;

const DAY_MS = 24 * 60 * 60 * 1000;
const HOUR_MS = 60 * 60 * 1000;

function describeSpan(ms: number): string {
  if (ms % DAY_MS === 0 && ms > DAY_MS) return `${ms / DAY_MS} days`;
  return ms % HOUR_MS === 0 ? `${ms / HOUR_MS} h` : `${ms / 1000} s`;
}

/**
 * Checks the arguments of one call before anything is sent; every failure is a
 * {@link CoupangInputError} naming the field, the value and the limit (issue 3 "Inputs are
 * checked before any call").
 */
export class InputCheck {
  constructor(private readonly context: CallContext) {}

  /** Throws the {@link CoupangInputError} for `field`. */
  fail(field: string, value: unknown, limit: string): never {
    throw new CoupangInputError({ ...this.context, field, value, limit });
  }

  /** An ID > 0 as `bigint`, from a bigint or a digit string. */
  id(field: string, value: unknown): bigint {
    const id =
      typeof value === "bigint"
        ? value
        : typeof value === "string" && /^\d+$/.test(value)
          ? BigInt(value)
          : undefined;
    if (id === undefined || id <= 0n)
      return this.fail(field, value, "an ID > 0, as a bigint or a string of digits");
    return id;
  }

  /** A non-empty list of distinct IDs, at most `max` (e.g. 50 boxes per acknowledgement, §3). */
  ids(field: string, values: readonly unknown[], max: number): bigint[] {
    if (!Array.isArray(values) || values.length === 0) return this.fail(field, values, "a non-empty array");
    if (values.length > max) this.fail(field, values, `at most ${max} per call; got ${values.length}`);
    const ids = values.map((value, i) => this.id(`${field}[${i}]`, value));
    this.distinct(field, ids);
    return ids;
  }

  /** Throws when `values` repeat one (as text), naming the first repeat. */
  distinct(field: string, values: readonly unknown[]): void {
    const seen = new Set<string>();
    for (const value of values) {
      const key = String(value);
      if (seen.has(key)) this.fail(field, value, "no repeated entries");
      seen.add(key);
    }
  }

  /** A whole number > 0 (quantities, §5.1 "every count > 0"). */
  positiveCount(field: string, value: unknown): number {
    if (typeof value !== "number" || !Number.isSafeInteger(value) || value <= 0) {
      return this.fail(field, value, "a whole number > 0");
    }
    return value;
  }

  /** A whole number from 1 to `max` (page sizes). */
  pageSize(field: string, value: unknown, max: number): number {
    if (typeof value !== "number" || !Number.isInteger(value) || value < 1 || value > max) {
      return this.fail(field, value, `an integer from 1 to ${max}`);
    }
    return value;
  }

  /** Non-empty text (after trimming). */
  text(field: string, value: unknown): string {
    if (typeof value !== "string" || value.trim() === "") return this.fail(field, value, "non-empty text");
    return value;
  }

  /** One of the codes of a reference table. */
  code<T extends object>(field: string, value: unknown, table: T): keyof T & string {
    if (!isCodeOf(table, value)) return this.fail(field, value, `one of ${codesOf(table).join(", ")}`);
    return value;
  }

  /** A carrier code of §4.3; unknown and refused codes (`LOGEN` …) fail here, not with Coupang's 500. */
  carrier(field: string, value: unknown): DeliveryCompanyCode {
    if (isCodeOf(DELIVERY_COMPANIES, value)) return value;
    const refused = typeof value === "string" ? REFUSED_CARRIER_CODES[value] : undefined;
    return this.fail(
      field,
      value,
      refused === undefined
        ? "a Coupang carrier code such as CJGLS, HYUNDAI (Lotte) or KGB (Logen)"
        : `not accepted by Coupang: ${refused}`,
    );
  }

  /** An invoice number that fits the carrier's digit rule (`checkInvoiceNumber`). */
  invoiceNumber(field: string, carrier: DeliveryCompanyCode, value: unknown): string {
    const check = checkInvoiceNumber(carrier, typeof value === "string" ? value : "");
    if (typeof value !== "string" || !check.ok) {
      return this.fail(field, value, check.ok ? "text" : check.reason);
    }
    return value;
  }

  /** A KST calendar date `yyyy-MM-dd`. */
  calendarDate(field: string, value: unknown): string {
    this.parse(field, value, parseKstDate, "a KST calendar date yyyy-MM-dd");
    return value as string;
  }

  /**
   * A daily window `yyyy-MM-dd`…`yyyy-MM-dd`, both ends inclusive, at most `maxDays` days
   * (31 for ordersheets and returnRequests, 7 for returnWithdrawRequests).
   */
  dayWindow(fields: readonly [string, string], values: readonly [unknown, unknown], maxDays: number): void {
    const from = this.parse(fields[0], values[0], parseKstDate, "a KST calendar date yyyy-MM-dd");
    const to = this.parse(fields[1], values[1], parseKstDate, "a KST calendar date yyyy-MM-dd");
    this.ordered(fields, values, from, to);
    const days = (to - from) / DAY_MS + 1;
    if (days > maxDays) {
      this.fail(
        fields[1],
        values[1],
        `at most ${maxDays} days from ${fields[0]} ${String(values[0])}, both inclusive; got ${days}`,
      );
    }
  }

  /**
   * A window of KST times without offset, `yyyy-MM-ddTHH:mm` (`unit: "minute"`) or
   * `yyyy-MM-ddTHH:mm:ss` (`"second"`), whose end is at most `maxMs` after its start.
   */
  timeWindow(
    fields: readonly [string, string],
    values: readonly [unknown, unknown],
    unit: "minute" | "second",
    maxMs: number,
  ): void {
    const [parse, format] =
      unit === "minute"
        ? [parseKstMinute, "a KST time yyyy-MM-ddTHH:mm (no offset)"]
        : [parseKstSecond, "a KST time yyyy-MM-ddTHH:mm:ss (no offset)"];
    const from = this.parse(fields[0], values[0], parse, format);
    const to = this.parse(fields[1], values[1], parse, format);
    this.ordered(fields, values, from, to);
    if (to - from > maxMs) {
      this.fail(
        fields[1],
        values[1],
        `at most ${describeSpan(maxMs)} after ${fields[0]} ${String(values[0])}`,
      );
    }
  }

  private parse(field: string, value: unknown, parse: (s: string) => Date, format: string): number {
    try {
      if (typeof value === "string") return parse(value).getTime();
    } catch {
      // Reported below with the field and the expected format.
    }
    return this.fail(field, value, format);
  }

  private ordered(
    fields: readonly [string, string],
    values: readonly [unknown, unknown],
    from: number,
    to: number,
  ) {
    if (from > to) this.fail(fields[1], values[1], `not before ${fields[0]} ${String(values[0])}`);
  }
}

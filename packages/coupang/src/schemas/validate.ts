import { z } from "zod";
import { describeValue } from "../errors.js";
import { stringifyJson } from "../json.js";

/** A record that passed its schema. */
export interface ValidRecord<T> {
  /** The parsed, typed value. */
  value: T;
  /** The record exactly as parsed from the response (lossless: IDs as bigint). */
  raw: unknown;
  /** `raw` as canonical lossless JSON, for a jsonb column and its hash. */
  rawJson: string;
}

/** A record that failed its schema; kept, never dropped silently. */
export interface RejectedRecord {
  raw: unknown;
  rawJson: string;
  /** Every problem as `path: expected …, got <value>`, joined by `; `. */
  error: string;
}

/** The outcome of {@link validateRecords}. */
export interface ValidatedRecords<T> {
  valid: Array<ValidRecord<T>>;
  rejected: RejectedRecord[];
}

/** `orderItems[0].shippingCount` style; `(record)` for the record itself. */
export function formatJsonPath(path: ReadonlyArray<PropertyKey>): string {
  let out = "";
  for (const key of path) {
    if (typeof key === "number") out += `[${key}]`;
    else if (typeof key === "string" && /^[A-Za-z_$][\w$]*$/.test(key)) out += out === "" ? key : `.${key}`;
    else out += `[${JSON.stringify(String(key))}]`;
  }
  return out === "" ? "(record)" : out;
}

function valueAt(raw: unknown, path: ReadonlyArray<PropertyKey>): unknown {
  let current = raw;
  for (const key of path) {
    if (typeof current !== "object" || current === null) return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

function expectation(issue: z.core.$ZodIssue): string {
  if (issue.code === "invalid_type") {
    const article = /^[aeiou]/.test(issue.expected) ? "an" : "a";
    return `expected ${article} ${issue.expected}`;
  }
  return issue.message;
}

/** One problem of a record: where (JSON path), what was expected, and the value found there. */
export interface RecordIssue {
  /** `orderItems[0].shippingCount` style, relative to the record; `(record)` for itself. */
  path: string;
  /** `expected …` text. */
  expected: string;
  value: unknown;
}

/** The issues of a failed parse of `raw`, each with its path and the offending raw value. */
export function recordIssues(error: z.ZodError, raw: unknown): RecordIssue[] {
  return error.issues.map((issue) => ({
    path: formatJsonPath(issue.path),
    expected: expectation(issue),
    value: valueAt(raw, issue.path),
  }));
}

/** Each record schema's compiled clone, made on first use (compiling generates code once per schema). */
const compiledSchemas = new WeakMap<z.ZodType, z.ZodType>();

/**
 * `schema` with zod's compiled fast path (`z.compile`): the same output for a valid record, several
 * times faster on a page of ordersheets; a record the fast path refuses goes through the regular
 * parser, so the issues are the same too. A schema that cannot be compiled comes back as it is.
 */
function compiledSchema<S extends z.ZodType>(schema: S): S {
  let compiled = compiledSchemas.get(schema);
  if (compiled === undefined) {
    compiled = z.compile(schema);
    compiledSchemas.set(schema, compiled);
  }
  return compiled as S;
}

/**
 * Validates each raw record of a page on its own, so one bad record never fails the page.
 * Valid records come back with their typed value, the raw record and its canonical lossless
 * JSON (`stringifyJson`); rejected ones with the raw record and an error naming each JSON path
 * and offending value, e.g. `orderItems[0].shippingCount: expected a number, got "abc"`.
 * Never throws for bad records.
 */
export function validateRecords<S extends z.ZodType>(
  schema: S,
  rawRecords: readonly unknown[],
): ValidatedRecords<z.output<S>> {
  const result: ValidatedRecords<z.output<S>> = { valid: [], rejected: [] };
  const compiled = compiledSchema(schema);
  for (const raw of rawRecords) {
    const rawJson = stringifyJson(raw);
    const parsed = compiled.safeParse(raw);
    if (parsed.success) {
      result.valid.push({ value: parsed.data, raw, rawJson });
    } else {
      const error = recordIssues(parsed.error, raw)
        .map((issue) => `${issue.path}: ${issue.expected}, got ${describeValue(issue.value)}`)
        .join("; ");
      result.rejected.push({ raw, rawJson, error });
    }
  }
  return result;
}

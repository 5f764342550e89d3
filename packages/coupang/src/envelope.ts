import type { z } from "zod";
import { classifyHttpError, CoupangNotFoundError, CoupangPayloadError } from "./errors.js";
import { stringifyJson } from "./json.js";
import { recordIssues } from "./schemas/validate.js";

/** Which call an answer belongs to, for error messages. */
export interface CallContext {
  vendorId: string;
  method: string;
  path: string;
  statusCode?: number | undefined;
}

/**
 * Reads Coupang's envelope `{code, message, data, …}` (coupang-api.md §10 "Body shape") from a
 * parsed 2xx body. Throws {@link CoupangPayloadError} at `$` when the body is not an object.
 */
export function envelopeOf(body: unknown, context: CallContext): Record<string, unknown> {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new CoupangPayloadError({ ...context, jsonPath: "$", value: body, expected: "an object envelope" });
  }
  return body as Record<string, unknown>;
}

/** `data` of a list answer, which must be an array (`[]` when nothing matches, §2.1). */
export function listData(envelope: Record<string, unknown>, context: CallContext): unknown[] {
  // An HTTP 200 whose envelope carries an error code (e.g. `{"code":500, "data":[]}`) is that
  // error, not an empty last page that would end the listing and move a checkpoint.
  const code = Number(envelope.code);
  if (Number.isInteger(code) && code >= 400) {
    throw classifyHttpError({
      vendorId: context.vendorId,
      statusCode: code,
      // Lossless: a code the parser read as a bigint has no JSON.stringify form.
      body: stringifyJson({ code: envelope.code, message: envelope.message }),
      method: context.method,
      path: context.path,
    });
  }
  const { data } = envelope;
  if (!Array.isArray(data)) {
    throw new CoupangPayloadError({ ...context, jsonPath: "data", value: data, expected: "an array" });
  }
  return data;
}

/** A list inside an object of the answer (e.g. `data.responseList`); blank is `[]`, anything else not a list fails. */
export function nestedList(
  holder: Record<string, unknown>,
  key: string,
  context: CallContext,
  jsonPath: string,
): unknown[] {
  const value = holder[key];
  if (value === undefined || value === null || value === "") return [];
  if (!Array.isArray(value))
    throw new CoupangPayloadError({ ...context, jsonPath, value, expected: "an array" });
  return value;
}

/**
 * `data` that may be one object or an array of them (the orderId lookup, §2.3: "the 2019 spec
 * shows an object; be ready for an array"); `null` or absent is `[]`.
 */
export function objectOrListData(envelope: Record<string, unknown>, context: CallContext): unknown[] {
  const { data } = envelope;
  if (data === undefined || data === null) return [];
  if (Array.isArray(data)) return data;
  if (typeof data === "object") return [data];
  throw new CoupangPayloadError({
    ...context,
    jsonPath: "data",
    value: data,
    expected: "an object or an array of objects",
  });
}

/** `data` that must be one object (single PO, history, batch results). */
export function objectData(envelope: Record<string, unknown>, context: CallContext): Record<string, unknown> {
  const { data } = envelope;
  if (typeof data !== "object" || data === null || Array.isArray(data)) {
    throw new CoupangPayloadError({ ...context, jsonPath: "data", value: data, expected: "an object" });
  }
  return data as Record<string, unknown>;
}

/**
 * The one record a single lookup must return; `data` is an object (§2.2) or an array of one
 * (§6.2). Throws {@link CoupangNotFoundError} when it is `null`, absent or `[]`, and
 * {@link CoupangPayloadError} when it holds more than one record.
 */
export function singleRecord(envelope: Record<string, unknown>, context: CallContext, what: string): unknown {
  const records = objectOrListData(envelope, context);
  if (records.length === 0) {
    throw new CoupangNotFoundError(
      `Coupang found no ${what} for vendor ${context.vendorId} (empty data) to ${context.method} ${context.path}`,
      context,
    );
  }
  if (records.length > 1) {
    throw new CoupangPayloadError({ ...context, jsonPath: "data", value: records, expected: `one ${what}` });
  }
  return records[0];
}

/** The opaque `nextToken`; `""`, `null` or absent mean the last page (§2.1). A number is kept as its digits. */
export function readNextToken(envelope: Record<string, unknown>, context: CallContext): string | undefined {
  const { nextToken } = envelope;
  if (nextToken === undefined || nextToken === null || nextToken === "") return undefined;
  if (typeof nextToken === "string") return nextToken;
  // The 2019 example shows a shipmentBoxId as the token; a bare number is still a token.
  if (typeof nextToken === "number" || typeof nextToken === "bigint") return String(nextToken);
  throw new CoupangPayloadError({
    ...context,
    jsonPath: "nextToken",
    value: nextToken,
    expected: "a string",
  });
}

/**
 * `nextPageIndex` of returnWithdrawRequests (§7): `""`, `null` or absent mean the last page; a
 * number or a digit string is the next page (≥ 1).
 */
export function readNextPageIndex(
  envelope: Record<string, unknown>,
  context: CallContext,
): number | undefined {
  const { nextPageIndex } = envelope;
  if (nextPageIndex === undefined || nextPageIndex === null || nextPageIndex === "") return undefined;
  const n =
    typeof nextPageIndex === "string" && /^\d+$/.test(nextPageIndex) ? Number(nextPageIndex) : nextPageIndex;
  if (typeof n === "number" && Number.isSafeInteger(n) && n >= 1) return n;
  throw new CoupangPayloadError({
    ...context,
    jsonPath: "nextPageIndex",
    value: nextPageIndex,
    expected: "a page number ≥ 1, or empty on the last page",
  });
}

/**
 * Parses one object of an answer with `schema`. Throws {@link CoupangPayloadError} naming the
 * JSON path (under `jsonPath`) and the value of the first problem.
 */
export function parseOne<S extends z.ZodType>(
  schema: S,
  raw: unknown,
  context: CallContext,
  jsonPath: string,
): z.output<S> {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const [first] = recordIssues(parsed.error, raw);
  const relative = first === undefined || first.path === "(record)" ? "" : first.path;
  throw new CoupangPayloadError({
    ...context,
    jsonPath:
      relative === "" || relative.startsWith("[") ? `${jsonPath}${relative}` : `${jsonPath}.${relative}`,
    // A null (or absent) offending value is the value to name, not a reason to name the whole record.
    value: first === undefined ? raw : first.value,
    expected: (first?.expected ?? "the documented shape").replace(/^expected /, ""),
  });
}

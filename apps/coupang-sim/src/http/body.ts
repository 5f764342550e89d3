import { badRequest } from "../world/errors.js";

/**
 * Request bodies as Coupang's gateway reads them: JSON whose 18-digit IDs must survive, so
 * integers of 16 digits or more are parsed as `bigint` (a plain `JSON.parse` would round
 * them), and field readers that accept what a Java backend would coerce (a number or a
 * digit string for an ID, `true`/`"true"` for a Boolean) and refuse the rest with a 400.
 */

const MARK = "\u0000bigint:";

/**
 * Parses JSON text, turning every integer literal of 16+ digits into a `bigint`. Throws a
 * `SyntaxError` for invalid JSON, as `JSON.parse` does.
 */
export function parseJsonLossless(text: string): unknown {
  let out = "";
  let last = 0;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      // Skip a string literal, escapes included, so digits inside strings stay untouched.
      for (i++; i < n; i++) {
        const d = text.charCodeAt(i);
        if (d === 0x5c) i++;
        else if (d === 0x22) break;
      }
      i++;
      continue;
    }
    if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
      const start = i;
      for (i++; i < n && /[0-9eE+\-.]/.test(text.charAt(i)); i++);
      const token = text.slice(start, i);
      if (/^-?\d{16,}$/.test(token)) {
        out += `${text.slice(last, start)}"\\u0000bigint:${token}"`;
        last = i;
      }
      continue;
    }
    i++;
  }
  out += text.slice(last);
  return JSON.parse(out, (_key, value: unknown) =>
    typeof value === "string" && value.startsWith(MARK) ? BigInt(value.slice(MARK.length)) : value,
  );
}

/** A JSON object body (or element) as a record; 400 when it is not an object. */
export function asRecord(value: unknown, what = "request body"): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw badRequest(`The ${what} must be a JSON object`);
  }
  return value as Record<string, unknown>;
}

/** An ID given as a JSON number, a bigint or a digit string; `undefined` for anything else. */
export function toId(value: unknown): bigint | undefined {
  if (typeof value === "bigint") return value >= 0n ? value : undefined;
  if (typeof value === "number") return Number.isSafeInteger(value) && value >= 0 ? BigInt(value) : undefined;
  if (typeof value === "string" && /^\d{1,19}$/.test(value)) return BigInt(value);
  return undefined;
}

/** Field `key` of `o` as an ID; 400 when missing (if `required`) or not an ID. */
export function readId(o: Record<string, unknown>, key: string, required: true): bigint;
export function readId(o: Record<string, unknown>, key: string, required: false): bigint | undefined;
export function readId(o: Record<string, unknown>, key: string, required: boolean): bigint | undefined {
  const value = o[key];
  if (value === undefined || value === null) {
    if (required) throw badRequest(`Required field '${key}' is missing`);
    return undefined;
  }
  const id = toId(value);
  if (id === undefined) throw badRequest(`Field '${key}' must be a number, got ${JSON.stringify(value)}`);
  return id;
}

/** Field `key` as an array of IDs (400 when missing or malformed). */
export function readIds(o: Record<string, unknown>, key: string): bigint[] {
  const value = o[key];
  if (!Array.isArray(value)) throw badRequest(`Required field '${key}' must be an array`);
  return value.map((v, k) => {
    const id = toId(v);
    if (id === undefined) throw badRequest(`${key}[${k}] must be a number`);
    return id;
  });
}

/** Field `key` as an array of integers (400 when missing or malformed). */
export function readInts(o: Record<string, unknown>, key: string): number[] {
  const value = o[key];
  if (!Array.isArray(value)) throw badRequest(`Required field '${key}' must be an array`);
  return value.map((v: unknown, k) => {
    const n: unknown =
      typeof v === "bigint" ? Number(v) : typeof v === "string" && /^-?\d+$/.test(v) ? Number(v) : v;
    if (typeof n !== "number" || !Number.isInteger(n)) throw badRequest(`${key}[${k}] must be an integer`);
    return n;
  });
}

/** Field `key` as an integer (400 when missing or malformed). */
export function readInt(o: Record<string, unknown>, key: string): number {
  const [n] = readInts({ [key]: [o[key]] }, key);
  if (n === undefined) throw badRequest(`Required field '${key}' is missing`);
  return n;
}

/** Field `key` as a string; `fallback` when missing, 400 when present but not a string. */
export function readString(o: Record<string, unknown>, key: string, fallback?: string): string {
  const value = o[key];
  if (value === undefined || value === null) {
    if (fallback !== undefined) return fallback;
    throw badRequest(`Required field '${key}' is missing`);
  }
  if (typeof value !== "string") throw badRequest(`Field '${key}' must be a string`);
  return value;
}

/** Field `key` as a Boolean (`true`, `false`, `"true"`, `"false"`); `false` when missing. */
export function readBool(o: Record<string, unknown>, key: string): boolean {
  const value = o[key];
  if (value === undefined || value === null || value === false || value === "false") return false;
  if (value === true || value === "true") return true;
  throw badRequest(`Field '${key}' must be true or false`);
}

/** The body's `vendorId`, which must be the path's when present (400 otherwise). */
export function checkVendorId(o: Record<string, unknown>, vendorId: string, required = false): void {
  const given = o.vendorId;
  if (given === undefined && !required) return;
  if (given !== vendorId) throw badRequest(`invalid vendorId: ${String(given)} does not match ${vendorId}`);
}

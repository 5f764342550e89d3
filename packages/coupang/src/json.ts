import { isInteger, parse } from "lossless-json";

/**
 * Marks a bigint written as a JSON string on the fast paths below: a noncharacter, which no
 * Coupang text holds; a text (or value) that does hold it takes the lossless-json path instead.
 */
const MARK = "\uFDD0";
const MARK_CODE = 0xfdd0;

/** A run of 16 or more digits: the long integers, and the few other digits that look like them. */
const LONG_DIGITS = /-?[1-9]\d{15,}/g;

/** Digits this long may be the integer part of a decimal beyond a double (lossless-json refuses it). */
const HUGE_DIGITS = 200;

/** An exponent that may take a double beyond its range (`1e400`): lossless-json refuses it. */
const LONG_EXPONENT = /\d[eE]\+?\d{3}/;

/** The mark as a `\u` escape, which `JSON.parse` would read as the mark. */
const ESCAPED_MARK = /\\u[fF][dD][dD]0/;

/** Characters that may stand before a JSON value ([ : , and whitespace) or after one (, ] } and whitespace). */
const BEFORE_VALUE = new Set([0x5b, 0x3a, 0x2c, 0x20, 0x09, 0x0a, 0x0d]);
const AFTER_VALUE = new Set([0x2c, 0x5d, 0x7d, 0x20, 0x09, 0x0a, 0x0d]);

/**
 * Nesting the fast path handles; deeper text goes to lossless-json, so the depth at which a
 * text is refused (its stack, thousands of levels) stays the same.
 */
const FAST_PATH_DEPTH = 256;

/**
 * Arrays opened one inside the other deeper than {@link FAST_PATH_DEPTH}: bound for lossless-json
 * anyway, and slow for `JSON.parse` to build (a hostile body of 50,000 levels takes it ~15 ms).
 */
const DEEP_ARRAYS = new RegExp(`(?:\\[[\\t\\n\\r ]*){${FAST_PATH_DEPTH + 1}}`);

/** A marked bigint in `JSON.stringify`'s output (quotes inside strings are escaped there). */
const MARKED_BIGINT = new RegExp(`"${MARK}(-?\\d+)"`, "g");

function parseNumber(text: string): number | bigint {
  const value = Number.parseFloat(text);
  // Only integers matter here (18-digit shipmentBoxId, coupang-api.md §2.1); decimals are
  // money or ratios and stay plain numbers.
  if (isInteger(text)) return Number.isSafeInteger(value) ? value : BigInt(text);
  // 1e400 would become Infinity, which JSON writes back as null: a value silently replaced.
  if (!Number.isFinite(value)) throw new SyntaxError(`Number out of range: ${text}`);
  return value;
}

function parseLossless(text: string): unknown {
  try {
    return parse(text, null, {
      parseNumber,
      onDuplicateKey: ({ newValue }) => newValue,
    });
  } catch (error) {
    // lossless-json recurses per level: a body nested thousands deep overflows the stack.
    if (error instanceof RangeError)
      throw new SyntaxError(`JSON nested too deeply: ${error.message}`, { cause: error });
    throw error;
  }
}

/** The fast path's answer when the text is for lossless-json to decide. */
const LOSSLESS = Symbol("lossless-json decides");

/** Turns marked strings back into bigints in place; {@link LOSSLESS} past the fast path's depth. */
function reviveMarked(value: unknown, depth: number): unknown {
  if (typeof value === "string") {
    return value.charCodeAt(0) === MARK_CODE ? BigInt(value.slice(1)) : value;
  }
  if (typeof value !== "object" || value === null) return value;
  if (depth === FAST_PATH_DEPTH) return LOSSLESS;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const revived = reviveMarked(value[i], depth + 1);
      if (revived === LOSSLESS) return LOSSLESS;
      value[i] = revived;
    }
  } else {
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      const item = record[key];
      if (typeof item !== "object" && typeof item !== "string") continue;
      const revived = reviveMarked(item, depth + 1);
      if (revived === LOSSLESS) return LOSSLESS;
      record[key] = revived;
    }
  }
  return value;
}

/**
 * The fast path of {@link parseJson}: long integers marked as strings, native `JSON.parse`, then
 * the marks turned into bigints; {@link LOSSLESS} when the text is for lossless-json to decide.
 *
 * Digits that stand where a value may start and end are an integer token, or (inside a string)
 * digits whose marking breaks the string: a quote, then the mark, which no JSON allows after a
 * string, so `JSON.parse` refuses the text and lossless-json decides.
 */
function parseFast(text: string): unknown {
  if (text.includes(MARK) || ESCAPED_MARK.test(text) || LONG_EXPONENT.test(text) || DEEP_ARRAYS.test(text))
    return LOSSLESS;
  let huge = false;
  const marked = text.replace(LONG_DIGITS, (digits: string, at: number) => {
    if (digits.length >= HUGE_DIGITS) huge = true;
    const end = at + digits.length;
    const alone =
      (at === 0 || BEFORE_VALUE.has(text.charCodeAt(at - 1))) &&
      (end === text.length || AFTER_VALUE.has(text.charCodeAt(end)));
    return alone && !Number.isSafeInteger(Number(digits)) ? `"${MARK}${digits}"` : digits;
  });
  if (huge) return LOSSLESS;
  let value: unknown;
  try {
    value = JSON.parse(marked);
  } catch {
    return LOSSLESS;
  }
  return reviveMarked(value, 0);
}

/**
 * Parses JSON text without losing digits: integers beyond `Number.MAX_SAFE_INTEGER` (e.g. an
 * 18-digit `shipmentBoxId`, coupang-api.md §0.15, §2.1) become `bigint`; safe integers and
 * decimals stay `number`. A repeated key keeps its last value, as `JSON.parse` does.
 *
 * Ordinary text goes through native `JSON.parse` (long integers marked beforehand); anything
 * else — bad text, a number beyond a double, deep nesting, the mark itself — through the
 * lossless-json parser, which gives the same values and decides the errors.
 *
 * Throws a `SyntaxError` when the text is not JSON, holds a decimal beyond the range of a
 * double (`1e400`), or nests deeper than the parser's stack allows (thousands of levels).
 */
export function parseJson(text: string): unknown {
  const value = parseFast(text);
  return value === LOSSLESS ? parseLossless(text) : value;
}

/**
 * Serializes a value to compact JSON, writing a `bigint` as a bare JSON number with every
 * digit (so `parseJson(stringifyJson(x))` round-trips 18-digit IDs). Key order is the
 * object's own order, which for parsed payloads is the order Coupang sent.
 *
 * Native `JSON.stringify` writes it, bigints marked as strings and unmarked after; a value whose
 * own text holds the mark, or nested deeper than native recursion reaches (about 2,000 levels of
 * arrays), is written by a stack-based writer instead, to the text lossless-json writes.
 *
 * Throws a `TypeError` when the value has no JSON form (`undefined`, a function, a symbol) or
 * contains itself.
 */
export function stringifyJson(value: unknown): string {
  let bigints = 0;
  let text: string | undefined;
  try {
    text = JSON.stringify(value, (_key, v: unknown) => {
      if (typeof v !== "bigint") return v;
      bigints++;
      return `${MARK}${v}`;
    });
  } catch (error) {
    // Native recursion stops at about 2,000 levels of arrays; lossless-json's depended on how
    // warm the JIT was. A value the parser gave (thousands of levels) must still be written.
    if (!(error instanceof RangeError)) throw error;
    text = stringifyDeep(value);
    bigints = 0;
  }
  if (text === undefined) {
    throw new TypeError(`Cannot serialize a value of type ${typeof value} to JSON`);
  }
  if (bigints === 0) return text;
  let marks = 0;
  const unmarked = text.replace(MARKED_BIGINT, (_match, digits: string) => {
    marks++;
    return digits;
  });
  // A key or a string of the value's own that looks like a mark was unmarked too.
  return marks === bigints ? unmarked : stringifyDeep(value)!;
}

/** A container being written by {@link stringifyDeep}. */
interface OpenContainer {
  container: object;
  /** The object's keys; undefined for an array. */
  keys: string[] | undefined;
  /** The next index, of the array or of `keys`. */
  next: number;
  /** The key whose value is being written, for an object. */
  key: string;
  /** The members written so far. */
  parts: string[];
}

/** {@link nextMember}'s answer when the container has nothing left to write. */
const DONE = Symbol("done");

/** An array or object to open, not a value JSON.stringify writes whole (a date, a boxed primitive). */
function isContainer(value: unknown): value is object {
  return (
    typeof value === "object" &&
    value !== null &&
    !(value instanceof Date || value instanceof Boolean || value instanceof Number || value instanceof String)
  );
}

/** The value an object stands for: its `toJSON()` (called without a key, as lossless-json does), again. */
function resolveToJSON(value: unknown): unknown {
  let resolved = value;
  while (
    isContainer(resolved) &&
    !Array.isArray(resolved) &&
    typeof (resolved as { toJSON?: unknown }).toJSON === "function"
  ) {
    resolved = (resolved as { toJSON: () => unknown }).toJSON();
  }
  return resolved;
}

/** The next member of `open` to write; writes `null` for the array items that have no JSON form. */
function nextMember(open: OpenContainer): unknown {
  if (open.keys === undefined) {
    const array = open.container as unknown[];
    while (open.next < array.length) {
      const item = array[open.next++];
      if (item !== undefined && typeof item !== "function") return item;
      open.parts.push("null");
    }
    return DONE;
  }
  const object = open.container as Record<string, unknown>;
  while (open.next < open.keys.length) {
    const key = open.keys[open.next++]!;
    const item = object[key];
    if (item !== undefined && typeof item !== "function" && typeof item !== "symbol") {
      open.key = key;
      return item;
    }
  }
  return DONE;
}

/** Adds a member's text (undefined: it has no JSON form) to its container. */
function addMember(open: OpenContainer, text: string | undefined): void {
  if (open.keys === undefined) open.parts.push(text ?? "null");
  else if (text !== undefined) open.parts.push(`${JSON.stringify(open.key)}:${text}`);
}

/**
 * lossless-json's `stringify` rules (JSON.stringify's, with bigints as bare digits) on a stack of
 * its own instead of recursion, so any depth is written: the slow path of {@link stringifyJson}.
 * Returns undefined when the value has no JSON form.
 * @throws TypeError for a value that contains itself.
 */
function stringifyDeep(root: unknown): string | undefined {
  const stack: OpenContainer[] = [];
  const opened = new Set<object>();
  let pending: unknown = root;
  for (;;) {
    const value = resolveToJSON(pending);
    if (isContainer(value)) {
      if (opened.has(value)) throw new TypeError("Converting circular structure to JSON");
      opened.add(value);
      const keys = Array.isArray(value) ? undefined : Object.keys(value);
      stack.push({ container: value, keys, next: 0, key: "", parts: [] });
    } else {
      const text =
        typeof value === "bigint" ? value.toString() : (JSON.stringify(value) as string | undefined);
      if (stack.length === 0) return text;
      addMember(stack.at(-1)!, text);
    }
    // On to the next member to write, closing the containers that are done.
    for (;;) {
      const open = stack.at(-1)!;
      const member = nextMember(open);
      if (member !== DONE) {
        pending = member;
        break;
      }
      stack.pop();
      opened.delete(open.container);
      const text = open.keys === undefined ? `[${open.parts.join(",")}]` : `{${open.parts.join(",")}}`;
      if (stack.length === 0) return text;
      addMember(stack.at(-1)!, text);
    }
  }
}

import { isInteger, parse, stringify } from "lossless-json";

function parseNumber(text: string): number | bigint {
  const value = Number.parseFloat(text);
  // Only integers matter here (18-digit shipmentBoxId, coupang-api.md §2.1); decimals are
  // money or ratios and stay plain numbers.
  if (isInteger(text)) return Number.isSafeInteger(value) ? value : BigInt(text);
  // 1e400 would become Infinity, which JSON writes back as null: a value silently replaced.
  if (!Number.isFinite(value)) throw new SyntaxError(`Number out of range: ${text}`);
  return value;
}

/**
 * Parses JSON text without losing digits: integers beyond `Number.MAX_SAFE_INTEGER` (e.g. an
 * 18-digit `shipmentBoxId`, coupang-api.md §0.15, §2.1) become `bigint`; safe integers and
 * decimals stay `number`. A repeated key keeps its last value, as `JSON.parse` does.
 *
 * Throws a `SyntaxError` when the text is not JSON, holds a decimal beyond the range of a
 * double (`1e400`), or nests deeper than the parser's stack allows (thousands of levels).
 */
export function parseJson(text: string): unknown {
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

/**
 * Serializes a value to compact JSON, writing a `bigint` as a bare JSON number with every
 * digit (so `parseJson(stringifyJson(x))` round-trips 18-digit IDs). Key order is the
 * object's own order, which for parsed payloads is the order Coupang sent.
 *
 * Throws a `TypeError` when the value has no JSON form (`undefined`, a function, a symbol).
 */
export function stringifyJson(value: unknown): string {
  const text = stringify(value);
  if (text === undefined) {
    throw new TypeError(`Cannot serialize a value of type ${typeof value} to JSON`);
  }
  return text;
}

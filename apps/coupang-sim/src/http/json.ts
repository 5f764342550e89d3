/**
 * Marks a bigint inside `JSON.stringify`'s output. It starts with a NUL character, which
 * `JSON.stringify` always escapes to `\u0000`, so a marked value is recognisable in the text
 * and no ordinary string can produce it (strings that contain the raw marker are refused).
 */
const BIGINT_MARK = "\u0000bigint:";
const MARKED = /"\\u0000bigint:(-?\d+)"/g;

/**
 * Serializes a value as Coupang writes JSON: `bigint`s become bare numbers with every digit
 * (an 18-digit `shipmentBoxId` stays exact), everything else as `JSON.stringify` would,
 * without whitespace. Object key order is preserved, so the same value always gives the same
 * bytes. Built on the native `JSON.stringify` (about 20× faster than a JS serializer, which
 * matters for ground-truth dumps of a large world). Throws a `TypeError` for a value with no
 * JSON text (e.g. `undefined` at the top level) or a string containing the internal marker.
 */
export function serializeCoupangJson(value: unknown): string {
  const text = JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v === "bigint") return `${BIGINT_MARK}${v.toString()}`;
    if (typeof v === "string" && v.includes(BIGINT_MARK)) {
      throw new TypeError("A string value contains the simulator's internal bigint marker");
    }
    return v;
  }) as string | undefined;
  if (text === undefined) throw new TypeError("Value has no JSON representation");
  return text.replace(MARKED, "$1");
}

/** The content type Coupang's gateway sends and expects (coupang-api.md §0.1). */
export const JSON_CONTENT_TYPE = "application/json;charset=UTF-8";

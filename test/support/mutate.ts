// Mutations of real-shaped Coupang payloads for the property-based "bad input" tests
// (docs/reliability.md "Bad input"): each mutation touches one place of a parsed record, so a
// test can say which field a rejection must name.
import fc from "fast-check";

/** Where in a parsed record: object keys and array indexes, the record itself excluded. */
export type JsonPath = ReadonlyArray<string | number>;

/** One change to a record: drop the value at `path`, or set it to `value`. */
export type Mutation =
  | { kind: "drop"; path: JsonPath }
  | { kind: "set"; path: JsonPath; value: unknown }
  /** A key no schema knows, added to the object at `path` (an irrelevant change). */
  | { kind: "extra"; path: JsonPath; key: string; value: unknown };

/** The seed of every property: a failure reproduces with the same inputs. */
export const FUZZ_SEED = 20261130;

/** Every path under a parsed JSON value, parents before children. */
export function pathsOf(value: unknown, prefix: JsonPath = []): JsonPath[] {
  const entries: Array<[string | number, unknown]> = Array.isArray(value)
    ? value.map((v, i) => [i, v])
    : typeof value === "object" && value !== null
      ? Object.entries(value)
      : [];
  return entries.flatMap(([key, child]) => {
    const path = [...prefix, key];
    return [path, ...pathsOf(child, path)];
  });
}

/** The paths of `value` that hold an object (the record itself as `[]`): where an extra key can go. */
function objectPaths(value: unknown): JsonPath[] {
  const isObject = (v: unknown) => typeof v === "object" && v !== null && !Array.isArray(v);
  return [[], ...pathsOf(value).filter((path) => isObject(valueAt(value, path)))];
}

/** The value at `path`, or undefined when there is none. */
export function valueAt(value: unknown, path: JsonPath): unknown {
  let current = value;
  for (const key of path) {
    if (typeof current !== "object" || current === null) return undefined;
    current = (current as Record<string | number, unknown>)[key];
  }
  return current;
}

/** A copy of `record` with `mutation` applied; the record itself is left as it was. */
export function applyMutation(record: unknown, mutation: Mutation): unknown {
  const copy = structuredClone(record);
  const parentPath = mutation.kind === "extra" ? mutation.path : mutation.path.slice(0, -1);
  const parent = valueAt(copy, parentPath) as Record<string | number, unknown> | unknown[];
  if (mutation.kind === "extra") {
    (parent as Record<string, unknown>)[mutation.key] = mutation.value;
    return copy;
  }
  const key = mutation.path.at(-1)!;
  if (mutation.kind === "set") (parent as Record<string | number, unknown>)[key] = mutation.value;
  else if (Array.isArray(parent)) parent.splice(key as number, 1);
  else delete (parent as Record<string, unknown>)[key as string];
  return copy;
}

/**
 * The deepest nesting a hostile value holds: deep enough to overflow a recursive walk of the
 * record, shallow enough that the parser reads the page (deeper text fails the whole body).
 */
export const MAX_FUZZ_DEPTH = 1500;

/** `[[[…]]]` or `{"a":{"a":…}}` `depth` levels deep. */
export function nested(depth: number, inObjects: boolean): unknown {
  let value: unknown = inObjects ? {} : [];
  for (let i = 1; i < depth; i += 1) value = inObjects ? { a: value } : [value];
  return value;
}

/** Strings that break text handling: control characters, NUL, lone surrogates, bidi overrides, long text. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.constantFrom("\u0000", "a\u0000b", "\ud83d", "x\udc00", "\u202e\u0007\u001b[31m", "\uffff", " ", "null"),
  fc.string({
    unit: fc.constantFrom("\u0000", "\u0001", "\u001f", "\u007f", "\u2028", "한", "😀"),
    maxLength: 20,
  }),
  fc.constant("x".repeat(100_000)),
);

/**
 * Values that break a field: null, `""`, the wrong type, huge, negative and fractional numbers,
 * 19–25 digit IDs (as JSON numbers, so parsed as bigint, and as digit strings), hostile strings,
 * and nesting up to {@link MAX_FUZZ_DEPTH} levels.
 */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(
    null,
    "",
    true,
    false,
    0,
    -1,
    0.5,
    -0.25,
    1e300,
    -1e300,
    2 ** 53,
    2 ** 31,
    1e-300,
    "abc",
    "12x",
  ),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.bigInt({ min: 10n ** 18n, max: 10n ** 25n - 1n }),
  fc.bigInt({ min: -(10n ** 25n), max: -1n }),
  fc.bigInt({ min: 10n ** 18n, max: 10n ** 25n - 1n }).map(String),
  hostileString,
  fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }),
  fc
    .tuple(fc.integer({ min: 50, max: MAX_FUZZ_DEPTH }), fc.boolean())
    .map(([depth, inObjects]) => nested(depth, inObjects)),
);

/** One mutation of `record` (see {@link Mutation}); dropping and setting are equally likely. */
export function mutationOf(record: unknown): fc.Arbitrary<Mutation> {
  const paths = pathsOf(record);
  return fc.oneof(
    fc.constantFrom(...paths).map((path): Mutation => ({ kind: "drop", path })),
    fc
      .tuple(fc.constantFrom(...paths), hostileValue)
      .map(([path, value]): Mutation => ({ kind: "set", path, value })),
  );
}

/** An irrelevant mutation of `record`: a key no schema reads, with any JSON value, on any of its objects. */
export function extraFieldOf(record: unknown): fc.Arbitrary<Mutation> {
  return fc
    .tuple(
      fc.constantFrom(...objectPaths(record)),
      fc.stringMatching(/^x[A-Za-z]{1,8}$/),
      fc.oneof(fc.jsonValue({ maxDepth: 3 }), hostileValue),
    )
    .map(([path, key, value]): Mutation => ({ kind: "extra", path, key, value }));
}

/**
 * Runs `property` with the fixed {@link FUZZ_SEED} and `numRuns`, printing both so a run's
 * figures can be quoted; returns `numRuns` for the tally.
 */
export async function fuzz<T>(
  name: string,
  property: fc.IProperty<T> | fc.IAsyncProperty<T>,
  numRuns: number,
): Promise<number> {
  console.log(`fuzz: ${name}: seed ${FUZZ_SEED}, numRuns ${numRuns}`);
  await fc.assert(property, { seed: FUZZ_SEED, numRuns });
  return numRuns;
}

// Bad input (docs/reliability.md "Bad input"): the lossless JSON parser, the client's envelope,
// paging and record validation, and KST time parsing under mutated real-shaped payloads.
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { isInteger, parse, stringify } from "lossless-json";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CoupangClient } from "./client.js";
import { CoupangError, CoupangPayloadError } from "./errors.js";
import { parseJson, stringifyJson } from "./json.js";
import { exchangeRequestSchema } from "./schemas/exchanges.js";
import { orderSheetSchema } from "./schemas/ordersheet.js";
import { returnRequestSchema } from "./schemas/returns.js";
import { formatJsonPath, recordIssues, validateRecords } from "./schemas/validate.js";
import { formatKstSecond, parseKstDateTime, parseKstSecond, KST_OFFSET_MS } from "./time.js";
import { closeAll, fakeCoupang, makeClient } from "../test/support/fake-coupang.js";
import {
  applyMutation,
  extraFieldOf,
  fuzz,
  hostileValue,
  mutationOf,
  valueAt,
  type Mutation,
} from "../../../test/support/mutate.js";

type Json = Record<string, unknown>;

function fixture(name: string): { text: string; envelope: Json; record: Json } {
  const text = readFileSync(new URL(`../test/fixtures/${name}`, import.meta.url), "utf8");
  const envelope = parseJson(text) as Json;
  return { text, envelope, record: (envelope.data as Json[])[0]! };
}

/** One list endpoint: its fixture, the record's key, and a call returning the page's valid and rejected records. */
interface Target {
  name: string;
  fixture: string;
  key: string;
  list: (client: CoupangClient) => Promise<{
    valid: Array<{ value: Json; raw: unknown; rawJson: string }>;
    rejected: Array<{ raw: unknown; error: string }>;
    nextToken: string | undefined;
  }>;
}

const TARGETS: Target[] = [
  {
    name: "ordersheets",
    fixture: "ordersheets-v4-list.json",
    key: "shipmentBoxId",
    list: async (c) => {
      const p = await c.listOrderSheets({
        status: "INSTRUCT",
        createdAtFrom: "2025-01-01",
        createdAtTo: "2025-01-02",
      });
      return { valid: p.orders, rejected: p.rejected, nextToken: p.nextToken };
    },
  },
  {
    name: "returnRequests",
    fixture: "return-requests-v6-list.json",
    key: "receiptId",
    list: async (c) => {
      const p = await c.listReturnRequests({
        status: "UC",
        createdAtFrom: "2025-01-01",
        createdAtTo: "2025-01-02",
      });
      return { valid: p.returns, rejected: p.rejected, nextToken: p.nextToken };
    },
  },
  {
    name: "exchangeRequests",
    fixture: "exchange-requests-v4-list.json",
    key: "exchangeId",
    list: async (c) => {
      const p = await c.listExchangeRequests({
        createdAtFrom: "2025-01-01T00:00:00",
        createdAtTo: "2025-01-02T00:00:00",
      });
      return { valid: p.exchanges, rejected: p.rejected, nextToken: p.nextToken };
    },
  },
];

/** The body the fake Coupang sends next; each property sets it before calling the client. */
let nextBody = "";
let client: CoupangClient;

beforeAll(async () => {
  const { baseUrl } = await fakeCoupang(() => ({ status: 200, body: nextBody }));
  client = makeClient(baseUrl);
});
afterAll(closeAll);

/** The client's answer to `body`: the page, or the error it threw. */
async function answer(target: Target, body: string) {
  nextBody = body;
  try {
    return { page: await target.list(client) };
  } catch (error) {
    return { error };
  }
}

/** The record's ID as digits, when it is one the schema accepts as it stands. */
function idDigits(raw: unknown, key: string): string | undefined {
  const id = valueAt(raw, [key]);
  return typeof id === "bigint" || typeof id === "number" || typeof id === "string"
    ? String(id).trim()
    : undefined;
}

/** `value` with every property named `key` left out, at any depth. */
function withoutKey(value: unknown, key: string): unknown {
  if (Array.isArray(value)) return value.map((v) => withoutKey(v, key));
  if (typeof value !== "object" || value === null || value instanceof Date) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([k]) => k !== key)
      .map(([k, v]) => [k, withoutKey(v, key)]),
  );
}

describe("parseJson (lossless-json) under bad text", () => {
  it("keeps every digit of integer IDs of 1–25 digits, and round-trips them", async () => {
    await fuzz(
      "parseJson keeps ID digits",
      fc.property(fc.bigInt({ min: -(10n ** 25n) + 1n, max: 10n ** 25n - 1n }), (id) => {
        const text = `{"shipmentBoxId":${id}}`;
        const parsed = parseJson(text) as Json;
        expect(String(parsed.shipmentBoxId)).toBe(String(id));
        expect(stringifyJson(parsed)).toBe(text);
      }),
      500,
    );
  });

  it("changes no value of any JSON text: reparsed, its output equals JSON.parse of the input", async () => {
    await fuzz(
      "parseJson equals JSON.parse",
      fc.property(fc.json({ maxDepth: 4 }), (text) => {
        expect(JSON.parse(stringifyJson(parseJson(text)))).toEqual(JSON.parse(text));
      }),
      500,
    );
  });

  it("throws only SyntaxError for truncated, garbled, overflowing or too deeply nested text", async () => {
    const { text } = fixture("ordersheets-v4-list.json");
    const bad = fc.oneof(
      fc.nat(text.length - 1).map((n) => text.slice(0, n)),
      fc
        .tuple(fc.nat(text.length), fc.string({ unit: "binary", minLength: 1, maxLength: 5 }))
        .map(([at, junk]) => text.slice(0, at) + junk + text.slice(at)),
      fc.constantFrom("1e400", "[-1e999]", '{"a":1e309}'),
      fc.integer({ min: 5_000, max: 50_000 }).map((depth) => "[".repeat(depth) + "]".repeat(depth)),
    );
    await fuzz(
      "parseJson refuses bad text with SyntaxError",
      fc.property(bad, (body) => {
        try {
          parseJson(body);
        } catch (error) {
          expect(error).toBeInstanceOf(SyntaxError);
        }
      }),
      500,
    );
    expect(() => parseJson("[1e400]")).toThrow(/1e400/);
  });

  it("gives lossless-json's value or a SyntaxError where lossless-json refuses, on mutated real text", async () => {
    // The reference: lossless-json alone, as parseJson promises its values: integers beyond 2^53
    // as bigint, other numbers as doubles, none out of a double's range.
    const reference = (text: string): unknown =>
      parse(text, null, {
        parseNumber: (digits) => {
          const value = Number(digits);
          if (isInteger(digits) && !Number.isSafeInteger(value)) return BigInt(digits);
          if (!Number.isFinite(value)) throw new SyntaxError(digits);
          return value;
        },
        onDuplicateKey: ({ newValue }) => newValue,
      });
    const { text } = fixture("ordersheets-v4-list.json");
    const piece = fc.constantFrom(
      "12345678901234567890",
      "-98765432109876543210",
      ":12345678901234567890,",
      '"',
      "\\",
      "\uFDD0",
      "\\ufdd0",
      "1e400",
      "[",
      "]",
    );
    const mutated = fc
      .tuple(fc.nat(text.length), fc.array(piece, { minLength: 1, maxLength: 3 }))
      .map(([at, junk]) => text.slice(0, at) + junk.join("") + text.slice(at));
    await fuzz(
      "parseJson agrees with lossless-json",
      fc.property(mutated, (body) => {
        let expected: unknown;
        try {
          expected = reference(body);
        } catch {
          expect(() => parseJson(body)).toThrow(SyntaxError);
          return;
        }
        expect(parseJson(body)).toEqual(expected);
      }),
      500,
    );
  });

  it("writes the text lossless-json writes, for any value: bigints, dates, holes, marks, boxed values", async () => {
    const text = fc.string({ unit: fc.constantFrom("a", "1", '"', "\\", "\uFDD0", "\u0000", "\ud83d") });
    const value = fc.anything({
      key: text,
      values: [text, fc.bigInt(), fc.integer(), fc.double(), fc.date(), fc.constant(undefined)],
      withBigInt: true,
      withBoxedValues: true,
      withDate: true,
      withMap: true,
      withNullPrototype: true,
      withSparseArray: true,
      withTypedArray: true,
      maxDepth: 4,
    });
    await fuzz(
      "stringifyJson equals lossless-json",
      fc.property(value, (v) => {
        const expected = stringify(v);
        if (expected === undefined) expect(() => stringifyJson(v)).toThrow(TypeError);
        else expect(stringifyJson(v)).toBe(expected);
      }),
      500,
    );
  });

  it("keeps the last of duplicated keys, as JSON.parse does", async () => {
    await fuzz(
      "parseJson duplicated keys",
      fc.property(
        fc.bigInt({ min: 0n, max: 10n ** 20n }),
        fc.bigInt({ min: 0n, max: 10n ** 20n }),
        (a, b) => {
          const parsed = parseJson(`{"shipmentBoxId":${a},"x":1,"shipmentBoxId":${b}}`) as Json;
          expect(String(parsed.shipmentBoxId)).toBe(String(b));
        },
      ),
      200,
    );
  });
});

describe.each(TARGETS)("the client's $name page under mutated payloads", (target) => {
  const { envelope, record } = fixture(target.fixture);
  const bodyOf = (data: unknown[], extra: Json = {}) => stringifyJson({ ...envelope, data, ...extra });
  const originalId = idDigits(record, target.key)!;

  it("a mutated record is valid with its own ID, or rejected naming the mutated field; the good record goes on", async () => {
    const good = { ...record, [target.key]: 100000000000000999n };
    await fuzz(
      `${target.name}: one mutated record beside a good one`,
      fc.asyncProperty(mutationOf(record), async (mutation) => {
        const mutated = applyMutation(record, mutation);
        const result = await answer(target, bodyOf([mutated, good]));
        expect(result.error).toBeUndefined();
        const page = result.page!;
        // The good record is never held back by its neighbour.
        expect(page.valid.map((r) => String(r.value[target.key]))).toContain("100000000000000999");
        expect(page.valid.length + page.rejected.length).toBe(2);
        const ownRejection = page.rejected.find(
          (r) => r.raw !== undefined && idDigits(r.raw, target.key) !== "100000000000000999",
        );
        const ownValid = page.valid.find((r) => String(r.value[target.key]) !== "100000000000000999");
        if (ownValid !== undefined) {
          // Never a record with an ID other than the input's.
          expect(String(ownValid.value[target.key])).toBe(idDigits(mutated, target.key));
        } else {
          expect(ownRejection?.error).toContain(formatJsonPath(mutation.path));
        }
      }),
      300,
    );
  });

  it("an irrelevant mutation (an extra field anywhere) leaves a valid record valid and its fields as they were", async () => {
    const baseline = await answer(target, bodyOf([record]));
    const before = baseline.page!.valid[0]!.value;
    await fuzz(
      `${target.name}: extra fields`,
      fc.asyncProperty(extraFieldOf(record), async (mutation: Mutation) => {
        const result = await answer(target, bodyOf([applyMutation(record, mutation)]));
        const page = result.page!;
        expect(page.rejected).toEqual([]);
        // Loose schemas keep unknown keys: without the added one, the value is what it was.
        const { key } = mutation as Extract<Mutation, { kind: "extra" }>;
        expect(withoutKey(page.valid[0]!.value, key)).toEqual(before);
      }),
      200,
    );
  });

  it(`keeps every digit of an 18-digit ${target.key}, in the value and in the raw JSON`, async () => {
    await fuzz(
      `${target.name}: 18-digit IDs`,
      fc.asyncProperty(
        fc.bigInt({ min: 10n ** 17n, max: 10n ** 18n - 1n }),
        fc.boolean(),
        async (id, asText) => {
          const result = await answer(
            target,
            bodyOf([{ ...record, [target.key]: asText ? String(id) : id }]),
          );
          const [valid] = result.page!.valid;
          expect(valid!.value[target.key]).toBe(id);
          expect(valid!.rawJson).toContain(asText ? `"${id}"` : `:${id}`);
        },
      ),
      200,
    );
    expect(originalId).toMatch(/^\d+$/);
  });

  it("truncated bodies and bad envelopes end in the project's typed errors, never another", async () => {
    const text = bodyOf([record]);
    const body = fc.oneof(
      fc.nat(text.length - 1).map((n) => ({ body: text.slice(0, n), payload: true })),
      fc
        .tuple(
          fc.constantFrom("data", "nextToken", "code", "message"),
          fc.option(hostileValue, { nil: undefined }),
        )
        .map(([key, value]) => ({ body: bodyOf([record], { [key]: value }), payload: false })),
      fc
        .integer({ min: 5_000, max: 20_000 })
        .map((d) => ({ body: "[".repeat(d) + "]".repeat(d), payload: true })),
    );
    await fuzz(
      `${target.name}: truncated bodies, bad envelopes`,
      fc.asyncProperty(body, async ({ body: b, payload }) => {
        const result = await answer(target, b);
        if (result.error === undefined) return;
        expect(result.error).toBeInstanceOf(payload ? CoupangPayloadError : CoupangError);
        expect((result.error as Error).message).toMatch(/expected|HTTP/);
      }),
      200,
    );
  });
});

describe.each([
  { fixtureName: "ordersheets-v4-list.json", schema: orderSheetSchema },
  { fixtureName: "return-requests-v6-list.json", schema: returnRequestSchema },
  { fixtureName: "exchange-requests-v4-list.json", schema: exchangeRequestSchema },
])("validateRecords on $fixtureName, through zod's compiled fast path", ({ fixtureName, schema }) => {
  it("gives the regular parser's value for a valid record, and its issues for a refused one", async () => {
    const { record } = fixture(fixtureName);
    await fuzz(
      `compiled schema of ${fixtureName}`,
      fc.property(mutationOf(record), (mutation) => {
        const raw = applyMutation(record, mutation);
        const regular = schema.safeParse(raw);
        const { valid, rejected } = validateRecords(schema, [raw]);
        if (regular.success) {
          expect(valid[0]!.value).toStrictEqual(regular.data);
          return;
        }
        const issues = recordIssues(regular.error, raw);
        expect(rejected[0]!.error.split("; ")).toHaveLength(issues.length);
        for (const issue of issues)
          expect(rejected[0]!.error).toContain(`${issue.path}: ${issue.expected}, got `);
      }),
      300,
    );
  });
});

describe("KST time parsing", () => {
  const instant = fc
    .date({
      min: new Date("1900-01-01T00:00:00Z"),
      max: new Date("2999-12-31T23:59:59Z"),
      noInvalidDate: true,
    })
    .map((d) => new Date(Math.floor(d.getTime() / 1000) * 1000));

  it("reads any valid yyyy-MM-ddTHH:mm:ss as the UTC instant of those fields − 9 h", async () => {
    await fuzz(
      "KST round trip",
      fc.property(instant, (wall) => {
        const text = wall.toISOString().slice(0, 19);
        const expected = wall.getTime() - KST_OFFSET_MS;
        expect(parseKstDateTime(text).getTime()).toBe(expected);
        expect(parseKstDateTime(text.replace("T", " ")).getTime()).toBe(expected);
        expect(parseKstSecond(text).getTime()).toBe(expected);
        expect(formatKstSecond(new Date(expected))).toBe(text);
      }),
      1000,
    );
  });

  it("refuses an invalid one with a message naming the value", async () => {
    const fieldOutOfRange = fc
      .tuple(
        instant,
        fc.constantFrom(
          [5, 7, "13"],
          [5, 7, "00"],
          [8, 10, "32"],
          [8, 10, "00"],
          [11, 13, "24"],
          [14, 16, "60"],
          [17, 19, "60"],
        ),
      )
      .map(([wall, [from, to, digits]]) => {
        const text = wall.toISOString().slice(0, 19);
        return text.slice(0, from) + (digits as string) + text.slice(to);
      });
    const invalid = fc.oneof(
      fieldOutOfRange,
      fc.constantFrom(
        "2025-02-29T00:00:00",
        "2025-04-31T12:00:00",
        "2025-01-01",
        "2025-01-01T00:00",
        "2025-1-1T00:00:00",
        "",
        " 2025-01-01T00:00:00",
        "2025-01-01T00:00:00+25:00",
      ),
      fc
        .tuple(instant, fc.string({ unit: "binary", minLength: 1, maxLength: 10 }))
        .map(([wall, junk]) => wall.toISOString().slice(0, 19) + junk.replace(/^(\.\d|Z|[+-]\d)/, "x")),
      fc.string({ unit: "binary", maxLength: 30 }).filter((s) => !/^\d{4}-/.test(s)),
    );
    await fuzz(
      "KST refuses invalid times",
      fc.property(invalid, (text) => {
        expect(() => parseKstDateTime(text)).toThrow(JSON.stringify(text));
        expect(() => parseKstSecond(text)).toThrow(JSON.stringify(text));
      }),
      1000,
    );
  });
});

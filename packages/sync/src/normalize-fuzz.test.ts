// Bad input (docs/reliability.md "Bad input"): every normalizer behind the page write path under
// mixed pages of good and mutated real-shaped records, split by normalizeRecords as a poll does.
import { readFileSync } from "node:fs";
import {
  exchangeRequestSchema,
  formatJsonPath,
  orderSheetSchema,
  parseJson,
  returnRequestSchema,
  returnWithdrawalSchema,
  stringifyJson,
  validateRecords,
} from "@cos/coupang";
import fc from "fast-check";
import type { z } from "zod";
import { describe, expect, it } from "vitest";
import { assertStorable, normalizeOrderSheet, type ReceivedRecord } from "./normalize.js";
import { normalizeExchangeRequest } from "./normalize-exchanges.js";
import { normalizeReturnRequest, normalizeReturnWithdrawal } from "./normalize-returns.js";
import { normalizeRecords, rawKeyOf } from "./page-write.js";
import {
  applyMutation,
  extraFieldOf,
  fuzz,
  mutationOf,
  nested,
  type Mutation,
} from "../../../test/support/mutate.js";

const VENDOR = "A00000000";
const INT64_MAX = 2n ** 63n - 1n;

function fixtureRecord(name: string): Record<string, unknown> {
  const text = readFileSync(new URL(`../../coupang/test/fixtures/${name}`, import.meta.url), "utf8");
  return (parseJson(text) as { data: Array<Record<string, unknown>> }).data[0]!;
}

/** One stream's normalizer with its schema, a seed record and the record's key. */
interface Target {
  name: string;
  schema: z.ZodType;
  record: Record<string, unknown>;
  key: string;
  normalize: (vendorId: string, record: ReceivedRecord<never>) => Record<string, unknown>;
}

const TARGETS: Target[] = [
  {
    name: "normalizeOrderSheet",
    schema: orderSheetSchema,
    record: fixtureRecord("ordersheets-v4-list.json"),
    key: "shipmentBoxId",
    normalize: normalizeOrderSheet as never,
  },
  {
    name: "normalizeReturnRequest",
    schema: returnRequestSchema,
    record: fixtureRecord("return-requests-v6-list.json"),
    key: "receiptId",
    normalize: normalizeReturnRequest as never,
  },
  {
    name: "normalizeExchangeRequest",
    schema: exchangeRequestSchema,
    record: fixtureRecord("exchange-requests-v4-list.json"),
    key: "exchangeId",
    normalize: normalizeExchangeRequest as never,
  },
  {
    // coupang-api.md §7's fields; there is no captured payload of this endpoint.
    name: "normalizeReturnWithdrawal",
    schema: returnWithdrawalSchema,
    record: {
      cancelId: 300000001n,
      orderId: 9000000000001n,
      vendorId: VENDOR,
      refundDeliveryDuty: "COM",
      createdAt: "2025-01-02T10:00:00",
      vendorItemIds: [70000000001n, 70000000002n],
    },
    key: "cancelId",
    normalize: normalizeReturnWithdrawal as never,
  },
];

/** A page as the client and the page write path see it: text → lossless parse → validation → split. */
function writePath(target: Target, records: unknown[]) {
  const data = (parseJson(stringifyJson({ data: records })) as { data: unknown[] }).data;
  const { valid, rejected } = validateRecords(target.schema, data);
  return normalizeRecords(VENDOR, valid as ReceivedRecord<never>[], rejected, target.normalize);
}

describe.each(TARGETS)("$name on mixed pages of good and mutated records", (target) => {
  const { key, record } = target;
  const good = fc.bigInt({ min: 10n ** 17n, max: INT64_MAX }).map((id) => ({ ...record, [key]: id }));
  const mutated = mutationOf(record).map((mutation) => ({ mutation, raw: applyMutation(record, mutation) }));

  it("yields exactly the records each valid alone, one quarantine entry per other one naming the field, and every good one", async () => {
    const page = fc.tuple(
      fc.array(good, { minLength: 1, maxLength: 4 }),
      fc.array(mutated, { maxLength: 6 }),
    );
    await fuzz(
      `${target.name}: mixed pages`,
      fc.property(page, ([goods, bad]) => {
        const records = [...goods, ...bad.map((b) => b.raw)];
        const { rows, rejected } = writePath(target, records);
        expect(rows.length + rejected.length).toBe(records.length);
        // Page-mates change nothing: each record fares as it does alone.
        const alone = records.map((r) => writePath(target, [r]));
        expect(rows.map((r) => r.raw)).toEqual(alone.flatMap((a) => a.rows.map((r) => r.raw)));
        expect(rejected.map((r) => r.error).sort()).toEqual(
          alone.flatMap((a) => a.rejected.map((r) => r.error)).sort(),
        );
        // Every good record goes on, with its ID to the last digit.
        const ids = rows.map((r) => r[key] as bigint);
        for (const g of goods) expect(ids).toContain(g[key]);
        for (const row of rows) {
          expect(row[key]).toBe(BigInt(rawKeyOf(parseJson(row.raw as string), key)!));
          expect(row[key] as bigint).toBeLessThanOrEqual(INT64_MAX);
        }
        // A mutated record that fails is quarantined with a reason naming the mutated field.
        bad.forEach(({ mutation }, i) => {
          const [own] = alone[goods.length + i]!.rejected;
          if (own !== undefined) expect(namesField(own.error, mutation), own.error).toBe(true);
        });
      }),
      150,
    );
  });

  it("keeps a valid record valid, with the same row, after an irrelevant mutation (an extra field)", async () => {
    const [before] = writePath(target, [record]).rows;
    await fuzz(
      `${target.name}: extra fields`,
      fc.property(extraFieldOf(record).filter(storable), (mutation) => {
        const { rows, rejected } = writePath(target, [applyMutation(record, mutation)]);
        expect(rejected).toEqual([]);
        const { raw, rawHash, items, ...facts } = rows[0]!;
        const { raw: _r, rawHash: _h, items: beforeItems, ...beforeFacts } = before!;
        expect(facts).toEqual(beforeFacts);
        expect((items as unknown[] | undefined)?.length).toBe((beforeItems as unknown[] | undefined)?.length);
        expect(raw).toContain(`"${(mutation as Extract<Mutation, { kind: "extra" }>).key}"`);
        expect(rawHash).not.toBe(before!.rawHash);
      }),
      150,
    );
  });

  it("quarantines a record nested thousands of levels deep (the parser's reach) instead of overflowing", async () => {
    await fuzz(
      `${target.name}: deep nesting`,
      fc.property(fc.integer({ min: 65, max: 4000 }), fc.boolean(), (depth, inObjects) => {
        const { rows, rejected } = writePath(target, [{ ...record, xDeep: nested(depth, inObjects) }]);
        expect(rows).toEqual([]);
        expect(rejected[0]!.error).toMatch(/^\$\.xDeep(\.a|\[0\])+: nested deeper than 64 levels$/);
      }),
      40,
    );
  });
});

describe("KRW amounts sent as digit strings or numbers (normalizeReturnRequest's returnShippingCharge)", () => {
  const receipt = TARGETS[1]!;
  it("are stored to the last digit within 64 bits, and quarantined beyond", async () => {
    await fuzz(
      "returnShippingCharge digits",
      fc.property(fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }), fc.boolean(), (won, asText) => {
        const raw = { ...receipt.record, returnShippingCharge: asText ? String(won) : won };
        const { rows, rejected } = writePath(receipt, [raw]);
        if (won > INT64_MAX || won < -INT64_MAX - 1n) {
          expect(rejected[0]!.error).toMatch(/^(\$\.)?returnShippingCharge: /);
        } else {
          expect(rows[0]!.returnShippingCharge).toBe(won);
        }
      }),
      300,
    );
  });
});

/**
 * Whether a reason names the mutated field: its payload path, or (for the checks of the stored
 * row, whose item lists are `items`) a path ending in the same key.
 */
function namesField(reason: string, mutation: Mutation): boolean {
  const last = mutation.path.at(-1);
  return (
    reason.includes(formatJsonPath(mutation.path)) ||
    (typeof last === "string" && reason.includes(`${last}: `))
  );
}

/**
 * Whether an extra value is one Postgres can store: raw payloads are refused whole for a NUL, a
 * lone surrogate, a >64-bit integer or >64 levels anywhere, relevant or not (`assertStorable`).
 */
function storable(mutation: Mutation): boolean {
  if (mutation.kind !== "extra") return false;
  try {
    assertStorable(mutation.value, "$", mutation.path.length + 1);
    return true;
  } catch {
    return false;
  }
}

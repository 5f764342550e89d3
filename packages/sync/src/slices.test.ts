import { describe, expect, it } from "vitest";
import {
  classifyHttpError,
  classifyNetworkError,
  CoupangInputError,
  CoupangPayloadError,
  ORDER_STATUSES,
} from "@cos/coupang";
import { readCursor } from "./cursor.js";
import { planStream, REACHABLE, splitQuery, type DueSlice, type PlannedQuery } from "./planner.js";
import { isSliceError } from "./slices.js";

const vendorId = "A00000001";
const http = (statusCode: number, body = '{"code":"ERROR","message":"x"}') =>
  classifyHttpError({ vendorId, statusCode, body, method: "GET", path: "/ordersheets" });
const network = (code: string) =>
  classifyNetworkError(Object.assign(new Error(code), { code }), {
    vendorId,
    method: "GET",
    path: "/ordersheets",
  });

describe("isSliceError", () => {
  it("takes errors about one query's window or data as a failing slice", () => {
    const loop = new CoupangPayloadError({
      vendorId,
      jsonPath: "nextToken",
      value: "7",
      expected: "a new token",
    });
    for (const err of [loop, http(400), http(500), http(502), http(504), http(521), network("ETIMEDOUT")]) {
      expect(isSliceError(err), err.message).toBe(true);
    }
  });

  it("ends the poll on errors every call of the vendor would meet, and on anything not from Coupang", () => {
    const ours = new CoupangInputError({ vendorId, field: "createdAtTo", value: "x", limit: "a day" });
    for (const err of [
      http(401),
      http(429),
      http(403, "<html><title>Access Denied</title></html>"),
      http(302),
      http(404),
      ours,
      network("ECONNREFUSED"),
      network("ECONNRESET"),
      network("ENOTFOUND"),
      new Error("connection terminated"),
      "a string",
    ]) {
      expect(isSliceError(err), String(err)).toBe(false);
    }
  });
});

const query = (from: string, to: string, cost = 5): PlannedQuery => ({
  tier: "cold",
  status: "ACCEPT",
  createdAtFrom: from,
  createdAtTo: to,
  cost,
  reason: "cold: full sweep",
});

describe("splitQuery", () => {
  it("halves a window by KST days, the first half taking the odd day, across a month end", () => {
    const halves = splitQuery(query("2025-02-26", "2025-03-04"), "invalid_payload")!;
    expect(halves.map((q) => `${q.createdAtFrom}…${q.createdAtTo} ${q.cost}`)).toEqual([
      "2025-02-26…2025-03-01 3",
      "2025-03-02…2025-03-04 3",
    ]);
    for (const half of halves) {
      expect(half).toMatchObject({
        tier: "cold",
        status: "ACCEPT",
        reason: "cold: full sweep; split of 2025-02-26…2025-03-04: invalid_payload",
      });
    }
  });

  it("names only the latest split in the reason, keeps at least one call, and cannot split one day", () => {
    const [first] = splitQuery(query("2025-03-01", "2025-03-04", 1), "retryable")!;
    const [again] = splitQuery(first, "data")!;
    expect(again).toMatchObject({
      createdAtFrom: "2025-03-01",
      createdAtTo: "2025-03-01",
      cost: 1,
      reason: "cold: full sweep; split of 2025-03-01…2025-03-02: data",
    });
    expect(splitQuery(again, "data")).toBeNull();
  });
});

describe("the retry tier", () => {
  const HOUR = 3_600_000;
  const now = new Date("2025-03-10T03:00:00Z");
  const slice = (id: bigint, status: string, day: string, attempts = 1): DueSlice => ({
    id,
    status,
    createdAtFrom: day,
    createdAtTo: day,
    attempts,
  });
  const plan = (
    retries: DueSlice[],
    callBudget = 1000,
    counts: Record<string, Record<string, number>> = {},
    warmDue = false,
  ) =>
    planStream({
      now,
      syncedThrough: new Date("2025-03-10T02:50:00Z"),
      tierRuns: { warm: warmDue ? "2025-03-10T02:00:00Z" : now.toISOString(), cold: now.toISOString() },
      local: new Map(Object.entries(counts).map(([d, c]) => [d, new Map(Object.entries(c))])),
      config: {
        lagMs: 120_000,
        lookbackMs: 30 * 60_000,
        backfillMs: 30 * 24 * HOUR,
        warmIntervalMs: 15 * 60_000,
        warmDays: 7,
        coldIntervalMs: 24 * HOUR,
        coldDays: 31,
        callBudget,
      },
      statuses: ORDER_STATUSES,
      reachable: REACHABLE,
      retries,
    });

  it("reads due slices after hot, naming each slice and its attempts; a cursor keeps them", () => {
    const p = plan([slice(7n, "FINAL_DELIVERY", "2025-03-05", 2), slice(9n, "ACCEPT", "2025-03-01")]);
    expect(p.reason).toBe("6 hot, 2 retry");
    expect(p.queries.slice(6)).toEqual([
      {
        tier: "retry",
        status: "FINAL_DELIVERY",
        createdAtFrom: "2025-03-05",
        createdAtTo: "2025-03-05",
        cost: 1,
        reason: "retry: failed slice 7 (FINAL_DELIVERY 2025-03-05…2025-03-05) after 2 failed attempts",
      },
      {
        tier: "retry",
        status: "ACCEPT",
        createdAtFrom: "2025-03-01",
        createdAtTo: "2025-03-01",
        cost: 1,
        reason: "retry: failed slice 9 (ACCEPT 2025-03-01…2025-03-01) after 1 failed attempt",
      },
    ]);
    expect(readCursor({ v: 2, plan: p, query: 6, nextToken: null })?.plan).toEqual(p);
  });

  it("leaves a slice the hot tier reads anyway, and one of a status the stream does not read", () => {
    expect(plan([slice(1n, "ACCEPT", "2025-03-10"), slice(2n, "UC", "2025-03-05")]).reason).toBe("6 hot");
  });

  it("counts against the call budget: at least one slice, and the rest stay due", () => {
    const p = plan([slice(1n, "ACCEPT", "2025-03-05"), slice(2n, "ACCEPT", "2025-03-06")], 3, {
      "2025-03-05": { ACCEPT: 120 },
      "2025-03-06": { ACCEPT: 60 },
    });
    expect(p.reason).toBe("6 hot, 1 retry, 1 retry deferred by the budget");
    expect(p.queries.filter((q) => q.tier === "retry").map((q) => [q.createdAtFrom, q.cost])).toEqual([
      ["2025-03-05", 3],
    ]);
  });

  it("leaves the warm tier what the retries did not spend", () => {
    // Warm reads all six statuses on the two days with ACCEPT boxes: 6 calls on 03-08, 7 on 03-05
    // (two pages of ACCEPT); the retry of 03-05's ACCEPT costs 2.
    const counts = { "2025-03-05": { ACCEPT: 100 }, "2025-03-08": { ACCEPT: 1 } };
    expect(plan([], 13, counts, true).reason).toBe("6 hot, 12 warm");
    expect(plan([slice(1n, "ACCEPT", "2025-03-05")], 13, counts, true).reason).toBe(
      "6 hot, 1 retry, 6 warm, 6 warm deferred by the budget of 13 calls",
    );
  });
});

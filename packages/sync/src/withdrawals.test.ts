import { describe, expect, it } from "vitest";
import type { ReturnWithdrawalPage, ReturnWithdrawalQuery } from "@cos/coupang";
import type { PrismaClient } from "@cos/db";
import type { LocalCounts, PlanConfig, PlannedQuery, TierRuns } from "./planner.js";
import {
  planReturnWithdrawals,
  returnWithdrawalsAdapter,
  withdrawalQueryOf,
  WITHDRAWAL_QUERY_STATUSES,
} from "./withdrawals.js";

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const config: PlanConfig = {
  lagMs: 2 * MIN,
  lookbackMs: 30 * MIN,
  backfillMs: 20 * DAY,
  warmIntervalMs: 15 * MIN,
  warmDays: 7,
  coldIntervalMs: 24 * HOUR,
  coldDays: 14,
  callBudget: 1000,
};

function local(days: Record<string, Record<string, number>> = {}): LocalCounts {
  return new Map(Object.entries(days).map(([d, c]) => [d, new Map(Object.entries(c))]));
}

// 12:00 KST on 2025-03-10.
const now = new Date("2025-03-10T03:00:00Z");
const checkpoint = new Date("2025-03-10T02:50:00Z");
const recently = (ms: number) => new Date(now.getTime() - ms).toISOString();

const plan = (o: { syncedThrough?: Date | null; tierRuns?: TierRuns; counts?: LocalCounts }) =>
  planReturnWithdrawals({
    now,
    syncedThrough: o.syncedThrough === undefined ? checkpoint : o.syncedThrough,
    tierRuns: o.tierRuns ?? { warm: recently(MIN), cold: recently(HOUR) },
    local: o.counts ?? local(),
    config,
  });
const windows = (p: ReturnType<typeof plan>, tier: string) =>
  p.queries
    .filter((q) => q.tier === tier)
    .map((q) => `${q.status} ${q.createdAtFrom}..${q.createdAtTo} ${q.cost}`);

describe("the returnWithdrawRequests plan", () => {
  it("reads only the period list (WITHDRAWN) in the hot tier, never CHECK", () => {
    expect(WITHDRAWAL_QUERY_STATUSES).toEqual(["WITHDRAWN", "CHECK"]);
    const p = plan({ counts: local({ "2025-03-10": { CHECK: 80, WITHDRAWN: 3 } }) });
    expect(windows(p, "hot")).toEqual(["WITHDRAWN 2025-03-10..2025-03-10 1"]);
    expect(p.reason).toBe("1 hot");
  });

  it("backfills WITHDRAWN in windows of at most 7 days and marks warm and cold as run", () => {
    const p = plan({ syncedThrough: null, counts: local({ "2025-03-01": { CHECK: 5 } }) });
    expect(windows(p, "hot")).toEqual([
      "WITHDRAWN 2025-02-18..2025-02-24 1",
      "WITHDRAWN 2025-02-25..2025-03-03 1",
      "WITHDRAWN 2025-03-04..2025-03-10 1",
    ]);
    expect(p.queries.every((q) => q.tier === "hot")).toBe(true);
    expect(Object.keys(p.tierRuns).sort()).toEqual(["cold", "warm"]);
  });

  it("warm checks only the days with open receipts (a day without is never in a window), one call per 50, and never re-reads withdrawals", () => {
    const p = plan({
      tierRuns: { warm: recently(HOUR), cold: recently(HOUR) },
      counts: local({
        "2025-03-09": { CHECK: 120, WITHDRAWN: 2 },
        "2025-03-07": { CHECK: 1 },
        "2025-03-06": { WITHDRAWN: 4 },
        "2025-03-05": { CHECK: 50 },
        // Before the warm range.
        "2025-03-01": { CHECK: 9 },
      }),
    });
    expect(windows(p, "hot")).toEqual(["WITHDRAWN 2025-03-10..2025-03-10 1"]);
    expect(windows(p, "warm")).toEqual([
      "CHECK 2025-03-09..2025-03-09 3",
      "CHECK 2025-03-07..2025-03-07 1",
      "CHECK 2025-03-05..2025-03-05 1",
    ]);
  });

  it("cold reads both the period list and the check over its days before today, in windows of ≤ 7 days", () => {
    const p = plan({
      tierRuns: { warm: recently(MIN), cold: recently(2 * DAY) },
      counts: local({ "2025-03-02": { CHECK: 60 } }),
    });
    expect(windows(p, "cold")).toEqual([
      "WITHDRAWN 2025-03-03..2025-03-09 1",
      "CHECK 2025-03-03..2025-03-09 1",
      "WITHDRAWN 2025-02-24..2025-03-02 1",
      "CHECK 2025-02-24..2025-03-02 2",
    ]);
  });
});

describe("the returnWithdrawRequests adapter's period query", () => {
  const q = (status: string): PlannedQuery => ({
    tier: "hot",
    status,
    createdAtFrom: "2025-03-04",
    createdAtTo: "2025-03-10",
    cost: 1,
    reason: "test",
  });

  it("sends the plan's KST days as dateFrom/dateTo, 100 per page, from the cursor's page index", () => {
    expect(withdrawalQueryOf(q("WITHDRAWN"), null)).toEqual({
      dateFrom: "2025-03-04",
      dateTo: "2025-03-10",
      pageIndex: 1,
      sizePerPage: 100,
    });
    expect(withdrawalQueryOf(q("WITHDRAWN"), "3").pageIndex).toBe(3);
    for (const token of ["0", "x", "-1", "2.5", ""])
      expect(() => withdrawalQueryOf(q("WITHDRAWN"), token)).toThrow(/page index .* not a positive integer/);
  });

  it("carries nextPageIndex as the page's nextToken, and refuses a status of another stream", async () => {
    const sent: ReturnWithdrawalQuery[] = [];
    const adapter = returnWithdrawalsAdapter(
      {
        vendorId: "A00000001",
        returnWithdrawalPages: (query: ReturnWithdrawalQuery) => {
          sent.push(query);
          const pages: ReturnWithdrawalPage[] = [
            { withdrawals: [], rejected: [], pageIndex: 2, nextPageIndex: 3 },
            { withdrawals: [], rejected: [], pageIndex: 3, nextPageIndex: undefined },
          ];
          return (async function* (): AsyncGenerator<ReturnWithdrawalPage, void, undefined> {
            for (const page of pages) yield await Promise.resolve(page);
          })();
        },
        getReturnWithdrawals: () => Promise.reject(new Error("not called")),
      },
      // The period list never reads the database.
      null as unknown as PrismaClient,
    );
    const tokens: Array<string | undefined> = [];
    for await (const page of adapter.pages(q("WITHDRAWN"), "2")) tokens.push(page.nextToken);
    expect(tokens).toEqual(["3", undefined]);
    expect(sent).toEqual([{ dateFrom: "2025-03-04", dateTo: "2025-03-10", pageIndex: 2, sizePerPage: 100 }]);
    expect(() => adapter.pages(q("UC"), null)).toThrow(/unknown status UC/);
  });
});

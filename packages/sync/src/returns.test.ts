import { describe, expect, it } from "vitest";
import type { ReturnRequestPage, ReturnRequestQuery } from "@cos/coupang";
import type { LocalCounts, PlanConfig, PlannedQuery, TierRuns } from "./planner.js";
import { readCursor } from "./cursor.js";
import {
  planReturnRequests,
  returnQueryStatusOf,
  returnRequestsAdapter,
  RETURN_QUERY_STATUSES,
} from "./returns.js";

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const config: PlanConfig = {
  lagMs: 2 * MIN,
  lookbackMs: 30 * MIN,
  backfillMs: 40 * DAY,
  warmIntervalMs: 15 * MIN,
  warmDays: 7,
  coldIntervalMs: 24 * HOUR,
  coldDays: 31,
  callBudget: 1000,
};
const ALL = ["RU", "UC", "CC", "PR", "CANCEL"];

function local(days: Record<string, Record<string, number>> = {}): LocalCounts {
  return new Map(Object.entries(days).map(([d, c]) => [d, new Map(Object.entries(c))]));
}

// 12:00 KST on 2025-03-10.
const now = new Date("2025-03-10T03:00:00Z");
const checkpoint = new Date("2025-03-10T02:50:00Z");
const recently = (ms: number) => new Date(now.getTime() - ms).toISOString();

const plan = (o: { syncedThrough?: Date | null; tierRuns?: TierRuns; counts?: LocalCounts }) =>
  planReturnRequests({
    now,
    syncedThrough: o.syncedThrough === undefined ? checkpoint : o.syncedThrough,
    tierRuns: o.tierRuns ?? { warm: recently(MIN), cold: recently(HOUR) },
    local: o.counts ?? local(),
    config,
  });
const windows = (p: ReturnType<typeof plan>, tier: string) =>
  p.queries.filter((q) => q.tier === tier).map((q) => `${q.status} ${q.createdAtFrom}..${q.createdAtTo}`);

describe("the returnRequests plan", () => {
  it("reads RU, UC, CC, PR and CANCEL for today in the hot tier, never past now − lag", () => {
    const p = plan({});
    expect(RETURN_QUERY_STATUSES).toEqual(ALL);
    expect(windows(p, "hot")).toEqual(ALL.map((s) => `${s} 2025-03-10..2025-03-10`));
    expect(p.hotTo).toBe("2025-03-10T02:58:00.000Z");
    expect(p.reason).toBe("5 hot");
  });

  it("backfills in daily windows of at most 31 days, every status, and marks warm and cold as run", () => {
    const p = plan({ syncedThrough: null });
    const hot = p.queries.filter((q) => q.tier === "hot");
    expect(hot).toHaveLength(2 * ALL.length);
    for (const q of hot) {
      const span = (Date.parse(q.createdAtTo) - Date.parse(q.createdAtFrom)) / DAY + 1;
      expect(span).toBeLessThanOrEqual(31);
    }
    expect(new Set(hot.map((q) => q.status))).toEqual(new Set(ALL));
    expect(Object.keys(p.tierRuns).sort()).toEqual(["cold", "warm"]);
  });

  it("warm re-reads only the filters open receipts can still reach; completed and cancelled days are left to cold", () => {
    const p = plan({
      tierRuns: { warm: recently(HOUR), cold: recently(HOUR) },
      counts: local({
        "2025-03-09": { RU: 1 },
        "2025-03-08": { UC: 2 },
        "2025-03-07": { PR: 1 },
        "2025-03-06": { CC: 4, CANCEL: 3 },
      }),
    });
    expect(windows(p, "warm").sort()).toEqual(
      [
        "RU 2025-03-09..2025-03-09",
        "UC 2025-03-08..2025-03-09",
        "PR 2025-03-07..2025-03-09",
        "CC 2025-03-07..2025-03-09",
      ].sort(),
    );
  });

  it("cold sweeps every filter over its 31 days before today, in one window of ≤ 31 days", () => {
    const p = plan({ tierRuns: { warm: recently(MIN), cold: recently(2 * DAY) } });
    expect(windows(p, "cold").sort()).toEqual(ALL.map((s) => `${s} 2025-02-07..2025-03-09`).sort());
  });

  it("is stored in the cursor and read back unchanged", () => {
    const p = plan({ syncedThrough: null });
    expect(readCursor({ v: 2, plan: p, query: 3, nextToken: "300000001" })?.plan).toEqual(p);
  });
});

describe("returnQueryStatusOf", () => {
  it("maps a stored receipt to the filter that lists it", () => {
    expect(returnQueryStatusOf("RETURN", "RELEASE_STOP_UNCHECKED")).toBe("RU");
    expect(returnQueryStatusOf("RETURN", "RETURNS_UNCHECKED")).toBe("UC");
    expect(returnQueryStatusOf("RETURN", "VENDOR_WAREHOUSE_CONFIRM")).toBe("UC");
    expect(returnQueryStatusOf("RETURN", "REQUEST_COUPANG_CHECK")).toBe("PR");
    expect(returnQueryStatusOf("RETURN", "RETURNS_COMPLETED")).toBe("CC");
    expect(returnQueryStatusOf("CANCEL", "RETURNS_COMPLETED")).toBe("CANCEL");
  });
});

describe("the returnRequests adapter's query", () => {
  const sent: ReturnRequestQuery[] = [];
  const adapter = returnRequestsAdapter({
    returnRequestPages: (query: ReturnRequestQuery) => {
      sent.push(query);
      return (async function* (): AsyncGenerator<ReturnRequestPage, void, undefined> {})();
    },
  });
  const q = (status: string): PlannedQuery => ({
    tier: "hot",
    status,
    createdAtFrom: "2025-03-01",
    createdAtTo: "2025-03-10",
    cost: 1,
    reason: "test",
  });

  it("sends a return filter as status, CANCEL as cancelType without status, and resumes from nextToken", () => {
    sent.length = 0;
    void adapter.pages(q("UC"), null);
    void adapter.pages(q("CANCEL"), "300000009");
    expect(sent).toEqual([
      { createdAtFrom: "2025-03-01", createdAtTo: "2025-03-10", status: "UC", maxPerPage: 50 },
      {
        createdAtFrom: "2025-03-01",
        createdAtTo: "2025-03-10",
        cancelType: "CANCEL",
        maxPerPage: 50,
        nextToken: "300000009",
      },
    ]);
    expect(() => adapter.pages(q("ACCEPT"), null)).toThrow(/unknown status ACCEPT/);
  });
});

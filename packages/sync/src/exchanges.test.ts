import { describe, expect, it } from "vitest";
import type { ExchangeRequestPage, ExchangeRequestQuery } from "@cos/coupang";
import type { LocalCounts, PlanConfig, PlannedQuery, TierRuns } from "./planner.js";
import { readCursor } from "./cursor.js";
import {
  exchangeRequestsAdapter,
  planExchangeRequests,
  EXCHANGE_QUERY_STATUSES,
  EXCHANGE_WINDOW_DAYS,
} from "./exchanges.js";

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

function local(days: Record<string, Record<string, number>> = {}): LocalCounts {
  return new Map(Object.entries(days).map(([d, c]) => [d, new Map(Object.entries(c))]));
}

// 12:00 KST on 2025-03-10.
const now = new Date("2025-03-10T03:00:00Z");
const checkpoint = new Date("2025-03-10T02:50:00Z");
const recently = (ms: number) => new Date(now.getTime() - ms).toISOString();

const plan = (o: {
  syncedThrough?: Date | null;
  tierRuns?: TierRuns;
  counts?: LocalCounts;
  warmDays?: number;
}) =>
  planExchangeRequests({
    now,
    syncedThrough: o.syncedThrough === undefined ? checkpoint : o.syncedThrough,
    tierRuns: o.tierRuns ?? { warm: recently(MIN), cold: recently(HOUR) },
    local: o.counts ?? local(),
    config: { ...config, warmDays: o.warmDays ?? config.warmDays },
  });
const windows = (p: ReturnType<typeof plan>, tier: string) =>
  p.queries.filter((q) => q.tier === tier).map((q) => `${q.status} ${q.createdAtFrom}..${q.createdAtTo}`);
const span = (q: PlannedQuery) => (Date.parse(q.createdAtTo) - Date.parse(q.createdAtFrom)) / DAY + 1;

describe("the exchangeRequests plan", () => {
  it("reads today once, without a status, in the hot tier", () => {
    const p = plan({});
    expect(EXCHANGE_QUERY_STATUSES).toEqual(["ALL"]);
    expect(windows(p, "hot")).toEqual(["ALL 2025-03-10..2025-03-10"]);
    expect(p.hotTo).toBe("2025-03-10T02:58:00.000Z");
    expect(p.reason).toBe("1 hot");
  });

  it("backfills in windows of at most 7 days that cover every day once, one query each", () => {
    const p = plan({ syncedThrough: null });
    const hot = p.queries.filter((q) => q.tier === "hot");
    // 2025-01-29 … 2025-03-10: 41 KST days, so 6 windows.
    expect(hot).toHaveLength(6);
    for (const q of hot) expect(span(q)).toBeLessThanOrEqual(EXCHANGE_WINDOW_DAYS);
    expect(hot[0]!.createdAtFrom).toBe("2025-01-29");
    expect(hot.at(-1)!.createdAtTo).toBe("2025-03-10");
    expect(hot.reduce((n, q) => n + span(q), 0)).toBe(41);
    expect(new Set(hot.map((q) => q.status))).toEqual(new Set(["ALL"]));
    expect(Object.keys(p.tierRuns).sort()).toEqual(["cold", "warm"]);
  });

  it("cold sweeps its 31 days before today in windows of at most 7 days, newest first", () => {
    const p = plan({ tierRuns: { warm: recently(MIN), cold: recently(2 * DAY) } });
    expect(windows(p, "cold")).toEqual([
      "ALL 2025-03-07..2025-03-09",
      "ALL 2025-02-28..2025-03-06",
      "ALL 2025-02-21..2025-02-27",
      "ALL 2025-02-14..2025-02-20",
      "ALL 2025-02-07..2025-02-13",
    ]);
  });

  it("warm re-reads only the days with an open exchange; days of final ones are left to cold", () => {
    const p = plan({
      tierRuns: { warm: recently(HOUR), cold: recently(HOUR) },
      counts: local({
        "2025-03-09": { RECEIPT: 1, SUCCESS: 1, ALL: 2 },
        "2025-03-08": { PROGRESS: 1, ALL: 1 },
        "2025-03-07": { SUCCESS: 2, REJECT: 1, CANCEL: 1, ALL: 4 },
        "2025-03-05": { PROGRESS: 1, ALL: 1 },
      }),
    });
    expect(windows(p, "warm")).toEqual(["ALL 2025-03-08..2025-03-09", "ALL 2025-03-05..2025-03-05"]);
    expect(p.reason).toBe("1 hot, 2 warm");
  });

  it("estimates a window's calls from every exchange of its days, whatever their status", () => {
    const p = plan({
      tierRuns: { warm: recently(HOUR), cold: recently(HOUR) },
      counts: local({
        "2025-03-09": { RECEIPT: 30, SUCCESS: 30, ALL: 60 },
        "2025-03-08": { PROGRESS: 1, REJECT: 50, ALL: 51 },
      }),
    });
    // 60 and 51 exchanges: two pages each apart, three pages merged; merged costs no more.
    expect(
      p.queries.filter((q) => q.tier === "warm").map((q) => [q.createdAtFrom, q.createdAtTo, q.cost]),
    ).toEqual([["2025-03-08", "2025-03-09", 3]]);
  });

  it("never merges warm days into a window of more than 7 days", () => {
    const counts: Record<string, Record<string, number>> = {};
    for (let d = 1; d <= 9; d++) counts[`2025-03-0${d}`] = { RECEIPT: 1, ALL: 1 };
    const p = plan({
      tierRuns: { warm: recently(HOUR), cold: recently(HOUR) },
      counts: local(counts),
      warmDays: 10,
    });
    expect(windows(p, "warm")).toEqual(["ALL 2025-03-03..2025-03-09", "ALL 2025-03-01..2025-03-02"]);
    for (const q of p.queries) expect(span(q)).toBeLessThanOrEqual(EXCHANGE_WINDOW_DAYS);
  });

  it("is stored in the cursor and read back unchanged", () => {
    const p = plan({ syncedThrough: null });
    expect(readCursor({ v: 2, plan: p, query: 3, nextToken: "300000001" })?.plan).toEqual(p);
  });
});

describe("the exchangeRequests adapter's query", () => {
  const sent: ExchangeRequestQuery[] = [];
  const adapter = exchangeRequestsAdapter({
    exchangeRequestPages: (query: ExchangeRequestQuery) => {
      sent.push(query);
      return (async function* (): AsyncGenerator<ExchangeRequestPage, void, undefined> {})();
    },
  });
  const q = (status: string): PlannedQuery => ({
    tier: "hot",
    status,
    createdAtFrom: "2025-03-01",
    createdAtTo: "2025-03-07",
    cost: 1,
    reason: "test",
  });

  it("sends the plan's days as KST seconds from 00:00:00 to 23:59:59, no status, and resumes from nextToken", () => {
    sent.length = 0;
    void adapter.pages(q("ALL"), null);
    void adapter.pages(q("ALL"), "300000009");
    expect(sent).toEqual([
      { createdAtFrom: "2025-03-01T00:00:00", createdAtTo: "2025-03-07T23:59:59", maxPerPage: 50 },
      {
        createdAtFrom: "2025-03-01T00:00:00",
        createdAtTo: "2025-03-07T23:59:59",
        maxPerPage: 50,
        nextToken: "300000009",
      },
    ]);
    expect(() => adapter.pages(q("UC"), null)).toThrow(/unknown status UC/);
    expect(adapter.maxWindowDays).toBe(7);
  });

  it("still sends one status for a plan a cursor saved when exchanges were read per status", () => {
    sent.length = 0;
    void adapter.pages(q("CANCEL"), "300000009");
    expect(sent).toEqual([
      {
        createdAtFrom: "2025-03-01T00:00:00",
        createdAtTo: "2025-03-07T23:59:59",
        status: "CANCEL",
        maxPerPage: 50,
        nextToken: "300000009",
      },
    ]);
  });
});

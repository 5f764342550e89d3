import { describe, expect, it } from "vitest";
import { planOrderSheets, type LocalCounts, type OrderSheetsPlanConfig, type TierRuns } from "./planner.js";
import { readCursor } from "./cursor.js";

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const config: OrderSheetsPlanConfig = {
  lagMs: 2 * MIN,
  lookbackMs: 30 * MIN,
  backfillMs: 30 * DAY,
  warmIntervalMs: 15 * MIN,
  warmDays: 7,
  coldIntervalMs: 24 * HOUR,
  coldDays: 31,
  callBudget: 1000,
};
const ALL = ["ACCEPT", "INSTRUCT", "DEPARTURE", "DELIVERING", "FINAL_DELIVERY", "NONE_TRACKING"];

/** Local counts from `{ "2025-03-09": { ACCEPT: 2 } }`. */
function local(days: Record<string, Record<string, number>> = {}): LocalCounts {
  return new Map(Object.entries(days).map(([d, c]) => [d, new Map(Object.entries(c))]));
}

// 2025-03-10T03:00:00Z is 12:00 KST on the 10th.
const now = new Date("2025-03-10T03:00:00Z");
const checkpoint = new Date("2025-03-10T02:50:00Z");
const recently = (ms: number) => new Date(now.getTime() - ms).toISOString();
const justRan: TierRuns = { warm: recently(MIN), cold: recently(HOUR) };

const plan = (o: {
  syncedThrough?: Date | null;
  tierRuns?: TierRuns;
  counts?: LocalCounts;
  cfg?: Partial<OrderSheetsPlanConfig>;
}) =>
  planOrderSheets({
    now,
    syncedThrough: o.syncedThrough === undefined ? checkpoint : o.syncedThrough,
    tierRuns: o.tierRuns ?? justRan,
    local: o.counts ?? local(),
    config: { ...config, ...o.cfg },
  });
const windows = (p: ReturnType<typeof plan>, tier: string) =>
  p.queries.filter((q) => q.tier === tier).map((q) => `${q.status} ${q.createdAtFrom}..${q.createdAtTo}`);

describe("the hot tier", () => {
  it("never ends a window past now − lag (pitfalls M-1)", () => {
    expect(plan({}).hotTo).toBe("2025-03-10T02:58:00.000Z");
    const atHalfPast = planOrderSheets({
      now: new Date("2025-03-10T03:00:30Z"),
      syncedThrough: checkpoint,
      tierRuns: justRan,
      local: local(),
      config,
    });
    expect(atHalfPast.hotTo).toBe("2025-03-10T02:58:30.000Z");
  });

  it("re-reads at least 30 minutes behind the checkpoint, for every one of the six statuses (M-9)", () => {
    expect(windows(plan({}), "hot")).toEqual(ALL.map((s) => `${s} 2025-03-10..2025-03-10`));
  });

  it("reaches into the previous KST day when the lookback crosses KST midnight", () => {
    // 15:10Z is 00:10 KST on the 10th; 30 min back is 23:40 KST on the 9th.
    const p = planOrderSheets({
      now: new Date("2025-03-09T15:20:00Z"),
      syncedThrough: new Date("2025-03-09T15:10:00Z"),
      tierRuns: { warm: "2025-03-09T15:19:00Z", cold: "2025-03-09T15:00:00Z" },
      local: local(),
      config,
    });
    expect(new Set(windows(p, "hot").map((w) => w.split(" ")[1]))).toEqual(
      new Set(["2025-03-09..2025-03-10"]),
    );
  });

  it("backfills a new vendor from the horizon in windows of at most 31 days, with no warm or cold part", () => {
    const p = plan({ syncedThrough: null, tierRuns: {}, cfg: { backfillMs: 90 * DAY } });
    const spans = [...new Set(windows(p, "hot").map((w) => w.split(" ")[1]!))];
    expect(spans).toEqual(["2024-12-10..2025-01-09", "2025-01-10..2025-02-09", "2025-02-10..2025-03-10"]);
    expect(p.queries.every((q) => q.tier === "hot")).toBe(true);
    // It reads everything the warm and cold tiers would, so they are not due right after it.
    expect(p.tierRuns).toEqual({ warm: now.toISOString(), cold: now.toISOString() });
  });

  it("never plans from after now − lag, even with a checkpoint in the future (clock skew)", () => {
    const p = plan({ syncedThrough: new Date("2025-03-10T05:00:00Z") });
    expect(windows(p, "hot")).toHaveLength(6);
    expect(p.hotTo).toBe("2025-03-10T02:58:00.000Z");
  });
});

describe("the warm tier", () => {
  it("reads only the (status, day) pairs that local boxes could still reach", () => {
    const p = plan({
      tierRuns: { cold: recently(HOUR) },
      counts: local({
        "2025-03-09": { INSTRUCT: 3, FINAL_DELIVERY: 100 },
        "2025-03-08": { FINAL_DELIVERY: 40 },
        "2025-03-07": { DELIVERING: 1 },
      }),
    });
    expect(windows(p, "warm").sort()).toEqual(
      [
        "INSTRUCT 2025-03-09..2025-03-09",
        "DEPARTURE 2025-03-09..2025-03-09",
        "DELIVERING 2025-03-09..2025-03-09",
        "NONE_TRACKING 2025-03-09..2025-03-09",
        // Late payments can list a new ACCEPT box on any recent day: one query for the week.
        "ACCEPT 2025-03-03..2025-03-09",
        // The 8th holds only delivered boxes: nothing there can change, so it is not read.
        "FINAL_DELIVERY 2025-03-09..2025-03-09",
        "FINAL_DELIVERY 2025-03-07..2025-03-07",
        "DEPARTURE 2025-03-07..2025-03-07",
        "DELIVERING 2025-03-07..2025-03-07",
      ].sort(),
    );
    expect(p.tierRuns).toEqual({ warm: now.toISOString(), warmBefore: "" });
  });

  it("merges adjacent days into one window when one query costs no more than two", () => {
    const p = plan({
      tierRuns: { cold: recently(HOUR) },
      counts: local({ "2025-03-09": { INSTRUCT: 1 }, "2025-03-08": { INSTRUCT: 1 } }),
    });
    expect(windows(p, "warm").filter((w) => w.startsWith("INSTRUCT"))).toEqual([
      "INSTRUCT 2025-03-08..2025-03-09",
    ]);
  });

  it("reads ACCEPT on every warm day, so an order paid late (after KST midnight) is still caught", () => {
    const p = plan({ tierRuns: { cold: recently(HOUR) } });
    expect(windows(p, "warm")).toEqual(["ACCEPT 2025-03-03..2025-03-09"]);
    expect(p.queries.find((q) => q.tier === "warm")?.reason).toMatch(/late payment/);
  });

  it("estimates a query's calls from the boxes the local copy holds in that status", () => {
    const p = plan({
      tierRuns: { cold: recently(HOUR) },
      counts: local({ "2025-03-09": { DELIVERING: 120 } }),
    });
    expect(p.queries.find((q) => q.tier === "warm" && q.status === "DELIVERING")?.cost).toBe(3);
  });

  it("waits for its interval", () => {
    const p = plan({ counts: local({ "2025-03-09": { ACCEPT: 1 } }) });
    expect(windows(p, "warm")).toEqual([]);
    expect(p.tierRuns).toEqual({});
  });
});

describe("the cold tier", () => {
  it("sweeps every status over its days when due, newest first", () => {
    const p = plan({ tierRuns: { warm: recently(MIN) }, cfg: { coldDays: 31 } });
    const cold = windows(p, "cold");
    expect(cold.slice(0, 6)).toEqual(ALL.map((s) => `${s} 2025-02-07..2025-03-09`));
    expect(p.tierRuns).toEqual({ cold: now.toISOString(), coldBefore: "" });
  });

  it("leaves whole days beyond the budget to later polls, which continue where it stopped", () => {
    const cfg = { coldDays: 62, callBudget: 8 };
    const first = plan({ tierRuns: { warm: recently(MIN) }, cfg });
    // Two 31-day windows × 6 statuses at 1 call each: the first window's 6 fit, the second's not.
    expect(windows(first, "cold")).toEqual(ALL.map((s) => `${s} 2025-02-07..2025-03-09`));
    expect(first.deferred).toBe(6);
    expect(first.tierRuns).toEqual({ coldBefore: "2025-02-06" });
    expect(first.reason).toMatch(/6 cold deferred by the budget of 8 calls/);

    const second = plan({ tierRuns: { warm: recently(MIN), ...first.tierRuns }, cfg });
    expect(windows(second, "cold")).toEqual(ALL.map((s) => `${s} 2025-01-07..2025-02-06`));
    expect(second.tierRuns).toEqual({ cold: now.toISOString(), coldBefore: "" });
  });

  it("keeps at least one day even when a day alone exceeds the budget, so a cut tier still moves", () => {
    const p = plan({ tierRuns: { warm: recently(MIN) }, cfg: { callBudget: 1 } });
    expect(windows(p, "cold")).toHaveLength(6);
  });
});

describe("readCursor", () => {
  it("reads a stored cursor with its plan, and refuses a malformed one", () => {
    const p = plan({});
    const c = { v: 2, plan: JSON.parse(JSON.stringify(p)) as unknown, query: 2, nextToken: "448537989" };
    expect(readCursor(c)).toEqual({ ...c, plan: p });
    expect(readCursor(null)).toBeNull();
    expect(readCursor({ ...c, query: -1 })).toBeNull();
    expect(readCursor({ ...c, v: 1 })).toBeNull();
  });
});

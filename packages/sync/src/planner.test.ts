import { describe, expect, it } from "vitest";
import { planOrderSheets, replanOrderSheets } from "./planner.js";
import { readCursor } from "./cursor.js";

const MIN = 60_000;
const DAY = 86_400_000;
const config = { lagMs: 2 * MIN, lookbackMs: 30 * MIN, backfillMs: 30 * DAY };

describe("planOrderSheets", () => {
  it("never ends a window past now − lag (pitfalls M-1)", () => {
    const now = new Date("2025-03-10T03:00:30Z"); // 12:00:30 KST
    const plan = planOrderSheets(now, new Date("2025-03-10T02:50:00Z"), config);
    expect(plan.to.toISOString()).toBe("2025-03-10T02:58:30.000Z");
  });

  it("re-reads at least 30 minutes behind the checkpoint, in the KST day of that instant", () => {
    const now = new Date("2025-03-10T03:00:00Z");
    const plan = planOrderSheets(now, new Date("2025-03-10T02:50:00Z"), config);
    expect(plan.from.toISOString()).toBe("2025-03-10T02:20:00.000Z");
    expect(plan.windows.map((w) => [w.createdAtFrom, w.createdAtTo])).toEqual([["2025-03-10", "2025-03-10"]]);
    expect(plan.reason).toMatch(/^incremental/);
  });

  it("reaches back into the previous KST day when the lookback crosses KST midnight", () => {
    // 2025-03-09T15:10Z is 00:10 KST on the 10th; 30 min back is 23:40 KST on the 9th.
    const plan = planOrderSheets(new Date("2025-03-09T15:20:00Z"), new Date("2025-03-09T15:10:00Z"), config);
    expect(plan.windows.map((w) => [w.createdAtFrom, w.createdAtTo])).toEqual([["2025-03-09", "2025-03-10"]]);
  });

  it("plans a backfill from the horizon when there is no checkpoint, in windows of at most 31 days", () => {
    const now = new Date("2025-03-10T03:00:00Z");
    const plan = planOrderSheets(now, null, { ...config, backfillMs: 90 * DAY });
    expect(plan.reason).toMatch(/^backfill/);
    expect(plan.windows.length).toBe(3);
    for (const w of plan.windows) {
      const days = (Date.parse(w.createdAtTo) - Date.parse(w.createdAtFrom)) / DAY + 1;
      expect(days).toBeLessThanOrEqual(31);
    }
    expect(plan.windows[0]!.createdAtFrom).toBe("2024-12-10");
    expect(plan.windows.at(-1)!.createdAtTo).toBe("2025-03-10");
  });

  it("queries every one of the six statuses (pitfalls M-9)", () => {
    const plan = planOrderSheets(new Date(), null, config);
    expect([...plan.statuses]).toEqual([
      "ACCEPT",
      "INSTRUCT",
      "DEPARTURE",
      "DELIVERING",
      "FINAL_DELIVERY",
      "NONE_TRACKING",
    ]);
  });

  it("never plans from after now − lag, even with a checkpoint in the future (clock skew)", () => {
    const now = new Date("2025-03-10T03:00:00Z");
    const plan = planOrderSheets(now, new Date("2025-03-10T05:00:00Z"), config);
    expect(plan.from.getTime()).toBe(plan.to.getTime() - 30 * MIN);
  });

  it("replans a resumed poll over exactly the stored range", () => {
    const plan = replanOrderSheets(new Date("2025-01-01T00:00:00Z"), new Date("2025-01-03T00:00:00Z"));
    expect(plan.windows.map((w) => [w.createdAtFrom, w.createdAtTo])).toEqual([["2025-01-01", "2025-01-03"]]);
  });
});

describe("readCursor", () => {
  it("reads a stored cursor and refuses a malformed one", () => {
    const c = {
      v: 1,
      from: "2025-01-01T00:00:00.000Z",
      to: "2025-01-02T00:00:00.000Z",
      window: 0,
      status: 2,
      nextToken: "448537989",
    };
    expect(readCursor(c)).toEqual(c);
    expect(readCursor(null)).toBeNull();
    expect(readCursor({ ...c, status: -1 })).toBeNull();
    expect(readCursor({ ...c, v: 2 })).toBeNull();
  });
});

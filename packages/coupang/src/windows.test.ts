import { describe, expect, it } from "vitest";
import {
  OVERLAPPING_TEN_MINUTE_SLICES,
  splitDailyWindows,
  splitExchangeWindows,
  splitMinuteWindows,
  splitWithdrawWindows,
} from "./windows.js";

const kst = (wall: string): Date => new Date(`${wall}+09:00`);

function summary(from: Date, to: Date, maxDays?: number) {
  return splitDailyWindows(from, to, maxDays).map((w) => ({
    createdAtFrom: w.createdAtFrom,
    createdAtTo: w.createdAtTo,
    from: w.from.toISOString(),
    to: w.to.toISOString(),
  }));
}

describe("splitDailyWindows", () => {
  it("covers one partial KST day with one window of whole days", () => {
    expect(summary(kst("2025-01-01T10:00:00"), kst("2025-01-01T11:00:00"))).toEqual([
      {
        createdAtFrom: "2025-01-01",
        createdAtTo: "2025-01-01",
        from: "2024-12-31T15:00:00.000Z",
        to: "2025-01-01T15:00:00.000Z",
      },
    ]);
  });

  it("does not include the day of a `to` at exactly 00:00 KST", () => {
    expect(summary(kst("2025-01-01T00:00:00"), kst("2025-01-03T00:00:00"))).toEqual([
      {
        createdAtFrom: "2025-01-01",
        createdAtTo: "2025-01-02",
        from: "2024-12-31T15:00:00.000Z",
        to: "2025-01-02T15:00:00.000Z",
      },
    ]);
    // One millisecond later the third day is touched.
    expect(
      splitDailyWindows(kst("2025-01-01T00:00:00"), new Date(kst("2025-01-03T00:00:00").getTime() + 1))[0]!
        .createdAtTo,
    ).toBe("2025-01-03");
  });

  it("uses KST days, not UTC days", () => {
    // 14:59:59Z and 15:00:00Z on 2025-01-01 are 23:59:59 KST and 00:00 KST the next day.
    const windows = splitDailyWindows(new Date("2025-01-01T14:59:59Z"), new Date("2025-01-01T15:00:01Z"));
    expect(windows.map((w) => [w.createdAtFrom, w.createdAtTo])).toEqual([["2025-01-01", "2025-01-02"]]);
  });

  it("splits long ranges into windows of at most maxDays days, inclusive, without gaps", () => {
    const windows = splitDailyWindows(kst("2025-01-01T00:00:00"), kst("2025-03-15T12:00:00"));
    expect(windows.map((w) => [w.createdAtFrom, w.createdAtTo])).toEqual([
      ["2025-01-01", "2025-01-31"],
      ["2025-02-01", "2025-03-03"],
      ["2025-03-04", "2025-03-15"],
    ]);
    for (let i = 1; i < windows.length; i += 1) {
      expect(windows[i]!.from.getTime()).toBe(windows[i - 1]!.to.getTime());
    }
    const weekly = splitDailyWindows(kst("2025-01-01T00:00:00"), kst("2025-01-15T00:00:00"), 7);
    expect(weekly.map((w) => [w.createdAtFrom, w.createdAtTo])).toEqual([
      ["2025-01-01", "2025-01-07"],
      ["2025-01-08", "2025-01-14"],
    ]);
  });

  it("returns [] when from >= to", () => {
    const t = kst("2025-01-01T10:00:00");
    expect(splitDailyWindows(t, t)).toEqual([]);
    expect(splitDailyWindows(t, new Date(t.getTime() - 1))).toEqual([]);
  });

  it("rejects a maxDays that is not a positive integer", () => {
    const t = kst("2025-01-01T10:00:00");
    expect(() => splitDailyWindows(t, new Date(t.getTime() + 1), 0)).toThrow(/maxDays/);
    expect(() => splitDailyWindows(t, new Date(t.getTime() + 1), 1.5)).toThrow(/maxDays/);
  });
});

const strings = (windows: Array<{ createdAtFrom: string; createdAtTo: string }>) =>
  windows.map((w) => [w.createdAtFrom, w.createdAtTo]);

describe("splitMinuteWindows (timeFrame mode, yyyy-MM-ddTHH:mm)", () => {
  it("covers a day with windows of at most 23 h 59 min, like the official T00:00…T23:59 example", () => {
    const windows = splitMinuteWindows(kst("2025-01-01T00:00:00"), kst("2025-01-02T00:00:00"));
    expect(strings(windows)).toEqual([
      ["2025-01-01T00:00", "2025-01-01T23:59"],
      ["2025-01-01T23:59", "2025-01-02T00:00"],
    ]);
    expect(windows[0]!.from.toISOString()).toBe("2024-12-31T15:00:00.000Z");
    expect(windows[1]!.to.toISOString()).toBe("2025-01-01T15:00:00.000Z");
  });

  it("rounds the start down and the end up to the minute, so [from, to) is covered either way", () => {
    const windows = splitMinuteWindows(kst("2025-01-01T10:00:30"), kst("2025-01-01T10:05:10"));
    expect(strings(windows)).toEqual([["2025-01-01T10:00", "2025-01-01T10:06"]]);
    expect(windows[0]!.to.toISOString()).toBe("2025-01-01T01:06:00.000Z");
  });

  it("gives the overlapping 10-minute slices of pitfall B-12 for a 24 h backfill", () => {
    const windows = splitMinuteWindows(
      kst("2025-01-01T00:00:00"),
      kst("2025-01-02T00:00:00"),
      OVERLAPPING_TEN_MINUTE_SLICES,
    );
    expect(strings(windows.slice(0, 3))).toEqual([
      ["2025-01-01T00:00", "2025-01-01T00:10"],
      ["2025-01-01T00:08", "2025-01-01T00:18"],
      ["2025-01-01T00:16", "2025-01-01T00:26"],
    ]);
    expect(windows.at(-1)!.createdAtTo).toBe("2025-01-02T00:00");
    expect(windows).toHaveLength(180);
    for (let i = 1; i < windows.length; i += 1) {
      expect(windows[i]!.to.getTime() - windows[i]!.from.getTime()).toBeLessThanOrEqual(10 * 60_000);
      expect(windows[i]!.from.getTime()).toBe(windows[i - 1]!.to.getTime() - 2 * 60_000);
    }
  });

  it("returns [] for an empty range and refuses bad options", () => {
    const t = kst("2025-01-01T10:00:00");
    expect(splitMinuteWindows(t, t)).toEqual([]);
    expect(() => splitMinuteWindows(t, new Date(t.getTime() + 1), { maxMinutes: 0 })).toThrow(RangeError);
    expect(() =>
      splitMinuteWindows(t, new Date(t.getTime() + 1), { maxMinutes: 10, overlapMinutes: 10 }),
    ).toThrow("The overlap must be an integer from 0 to 9, got 10");
    expect(() => splitMinuteWindows(new Date(Number.NaN), t)).toThrow(RangeError);
  });
});

describe("splitExchangeWindows (exchangeRequests, yyyy-MM-ddTHH:mm:ss, ≤ 7 days)", () => {
  it("cuts windows of 7 days − 1 s, like the official T00:00:00…T23:59:59 example", () => {
    const windows = splitExchangeWindows(kst("2025-01-01T00:00:00"), kst("2025-01-15T00:00:00"));
    expect(strings(windows)).toEqual([
      ["2025-01-01T00:00:00", "2025-01-07T23:59:59"],
      ["2025-01-07T23:59:59", "2025-01-14T23:59:58"],
      ["2025-01-14T23:59:58", "2025-01-15T00:00:00"],
    ]);
    expect(windows[2]!.to.toISOString()).toBe("2025-01-14T15:00:00.000Z");
  });

  it("rounds to whole seconds", () => {
    const from = new Date("2025-01-01T00:00:00.400Z");
    const to = new Date("2025-01-01T00:00:05.100Z");
    expect(strings(splitExchangeWindows(from, to))).toEqual([["2025-01-01T09:00:00", "2025-01-01T09:00:06"]]);
  });
});

describe("splitWithdrawWindows (returnWithdrawRequests, yyyy-MM-dd, ≤ 7 days inclusive)", () => {
  it("names the parameters dateFrom/dateTo and cuts at 7 KST days", () => {
    const windows = splitWithdrawWindows(kst("2025-01-01T12:00:00"), kst("2025-01-10T01:00:00"));
    expect(windows.map((w) => [w.dateFrom, w.dateTo])).toEqual([
      ["2025-01-01", "2025-01-07"],
      ["2025-01-08", "2025-01-10"],
    ]);
    expect(windows[1]!.to.toISOString()).toBe("2025-01-10T15:00:00.000Z");
  });
});

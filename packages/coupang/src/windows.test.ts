import { describe, expect, it } from "vitest";
import { splitDailyWindows } from "./windows.js";

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

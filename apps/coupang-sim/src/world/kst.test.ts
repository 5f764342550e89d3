import { describe, expect, it } from "vitest";
import {
  formatKstDate,
  formatKstDateTime,
  formatKstDateTimeSpaced,
  kstDayEndMs,
  kstDayStartMs,
  kstHour,
  parseKstDay,
} from "./kst.js";

describe("KST helpers", () => {
  const instant = Date.parse("2024-12-31T15:04:05Z"); // 2025-01-01 00:04:05 KST

  it("formats an instant as KST wall-clock without offset, across a year boundary", () => {
    expect(formatKstDateTime(instant)).toBe("2025-01-01T00:04:05");
    expect(formatKstDateTimeSpaced(instant)).toBe("2025-01-01 00:04:05");
    expect(formatKstDate(instant)).toBe("2025-01-01");
    expect(kstHour(instant)).toBe(0);
  });

  it("maps a KST day to [00:00 KST, next 00:00 KST)", () => {
    const day = { year: 2025, month: 1, day: 1 };
    expect(new Date(kstDayStartMs(day)).toISOString()).toBe("2024-12-31T15:00:00.000Z");
    expect(new Date(kstDayEndMs(day)).toISOString()).toBe("2025-01-01T15:00:00.000Z");
  });

  it("parses only real yyyy-MM-dd days", () => {
    expect(parseKstDay("2024-02-29")).toEqual({ year: 2024, month: 2, day: 29 });
    for (const bad of ["2025-02-29", "2025-13-01", "2025-1-01", "2025-01-01T00:00", "20250101", ""]) {
      expect(parseKstDay(bad), bad).toBeUndefined();
    }
  });
});

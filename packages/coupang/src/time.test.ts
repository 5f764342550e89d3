import { describe, expect, it } from "vitest";
import {
  formatKstDate,
  formatKstMinute,
  formatKstSecond,
  kstDayStart,
  parseKstDate,
  parseKstDateTime,
  parseKstMinute,
  parseKstSecond,
} from "./time.js";

describe("parseKstDateTime", () => {
  it("reads v4 wall clock without offset as KST, with T or a space", () => {
    expect(parseKstDateTime("2025-01-01T10:20:30").toISOString()).toBe("2025-01-01T01:20:30.000Z");
    expect(parseKstDateTime("2025-01-01 10:20:30").toISOString()).toBe("2025-01-01T01:20:30.000Z");
  });

  it("handles the KST midnight boundary", () => {
    expect(parseKstDateTime("2025-01-01T23:59:59").toISOString()).toBe("2025-01-01T14:59:59.000Z");
    expect(parseKstDateTime("2025-01-02 00:00:00").toISOString()).toBe("2025-01-01T15:00:00.000Z");
  });

  it("honours an explicit offset and fractional seconds (v5 payloads)", () => {
    expect(parseKstDateTime("2025-07-29T00:01:00+09:00").toISOString()).toBe("2025-07-28T15:01:00.000Z");
    expect(parseKstDateTime("2025-07-29T00:01:00+0900").toISOString()).toBe("2025-07-28T15:01:00.000Z");
    expect(parseKstDateTime("2025-07-29T00:01:00Z").toISOString()).toBe("2025-07-29T00:01:00.000Z");
    expect(parseKstDateTime("2025-07-29T00:01:00-05:30").toISOString()).toBe("2025-07-29T05:31:00.000Z");
    expect(parseKstDateTime("2025-07-29T00:01:00.123456+09:00").toISOString()).toBe(
      "2025-07-28T15:01:00.123Z",
    );
    expect(parseKstDateTime("2025-07-29T00:01:00.5").toISOString()).toBe("2025-07-28T15:01:00.500Z");
  });

  it("throws an Error naming the value for bad input", () => {
    for (const bad of [
      "",
      "2025-01-01",
      "2025-13-01T00:00:00",
      "2025-02-30 10:00:00",
      "2025-01-01T24:00:00",
      "2025-01-01T10:20",
      "yesterday",
    ]) {
      expect(() => parseKstDateTime(bad)).toThrow(JSON.stringify(bad));
    }
  });
});

describe("parseKstDate", () => {
  it("gives UTC midnight of the calendar date", () => {
    expect(parseKstDate("2025-01-03").toISOString()).toBe("2025-01-03T00:00:00.000Z");
    expect(parseKstDate("2024-02-29").toISOString()).toBe("2024-02-29T00:00:00.000Z");
  });

  it("throws an Error naming the value for bad input", () => {
    for (const bad of ["2025-02-29", "2025-1-3", "2025-01-03T00:00:00", ""]) {
      expect(() => parseKstDate(bad)).toThrow(JSON.stringify(bad));
    }
  });
});

describe("KST formatting", () => {
  const lastSecond = new Date("2025-01-01T14:59:59Z"); // 23:59:59 KST, 2025-01-01
  const midnight = new Date("2025-01-01T15:00:00Z"); // 00:00:00 KST, 2025-01-02

  it("formats the KST calendar day around KST midnight", () => {
    expect(formatKstDate(lastSecond)).toBe("2025-01-01");
    expect(formatKstDate(midnight)).toBe("2025-01-02");
  });

  it("formats KST minutes and seconds without offset, truncating", () => {
    expect(formatKstMinute(lastSecond)).toBe("2025-01-01T23:59");
    expect(formatKstSecond(lastSecond)).toBe("2025-01-01T23:59:59");
    expect(formatKstMinute(midnight)).toBe("2025-01-02T00:00");
    expect(formatKstSecond(new Date("2025-01-01T15:00:00.999Z"))).toBe("2025-01-02T00:00:00");
  });

  it("finds the instant 00:00 KST of the day", () => {
    expect(kstDayStart(lastSecond).toISOString()).toBe("2024-12-31T15:00:00.000Z");
    expect(kstDayStart(midnight).toISOString()).toBe("2025-01-01T15:00:00.000Z");
    expect(kstDayStart(new Date("2025-01-02T03:00:00Z")).toISOString()).toBe("2025-01-01T15:00:00.000Z");
  });

  it("round-trips a KST wall clock", () => {
    expect(formatKstSecond(parseKstDateTime("2025-07-31 09:08:07"))).toBe("2025-07-31T09:08:07");
  });

  it("throws for an invalid Date", () => {
    expect(() => formatKstDate(new Date(Number.NaN))).toThrow("Not a valid instant");
  });
});

describe("query-parameter times (golden: one per format Coupang wants)", () => {
  const instant = new Date("2025-01-01T15:04:05.678Z"); // 2025-01-02 00:04:05.678 KST

  it("yyyy-MM-dd: ordersheets/returnRequests daily mode and returnWithdrawRequests (§2.1, §6.1, §7)", () => {
    expect(formatKstDate(instant)).toBe("2025-01-02");
    expect(parseKstDate("2025-01-02").toISOString()).toBe("2025-01-02T00:00:00.000Z");
  });

  it("yyyy-MM-ddTHH:mm: timeFrame mode of ordersheets and returnRequests (§2.1, §6.1)", () => {
    expect(formatKstMinute(instant)).toBe("2025-01-02T00:04");
    expect(parseKstMinute("2025-01-02T00:04").toISOString()).toBe("2025-01-01T15:04:00.000Z");
    expect(parseKstMinute(formatKstMinute(instant)).toISOString()).toBe("2025-01-01T15:04:00.000Z");
  });

  it("yyyy-MM-ddTHH:mm:ss: exchangeRequests (§8.1)", () => {
    expect(formatKstSecond(instant)).toBe("2025-01-02T00:04:05");
    expect(parseKstSecond("2025-01-02T00:04:05").toISOString()).toBe("2025-01-01T15:04:05.000Z");
  });

  it("parses strictly: no seconds in minutes, no offset, no space, real times only", () => {
    for (const bad of [
      "2025-01-02T00:04:05",
      "2025-01-02 00:04",
      "2025-01-02T00:04+09:00",
      "2025-01-02T24:00",
      "",
    ]) {
      expect(() => parseKstMinute(bad)).toThrow(`Not a KST yyyy-MM-ddTHH:mm time: ${JSON.stringify(bad)}`);
    }
    for (const bad of [
      "2025-01-02T00:04",
      "2025-01-02T00:04:05.1",
      "2025-02-30T00:00:00",
      "2025-01-02T00:04:05Z",
    ]) {
      expect(() => parseKstSecond(bad)).toThrow(`Not a KST yyyy-MM-ddTHH:mm:ss time: ${JSON.stringify(bad)}`);
    }
  });
});

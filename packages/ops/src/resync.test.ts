import { describe, expect, it } from "vitest";
import { parseRangeEnd } from "./resync.js";

describe("parseRangeEnd", () => {
  it("reads a KST day as its start, or as an end the start of the next day", () => {
    expect(parseRangeEnd("from", "2026-08-01")).toEqual(new Date("2026-07-31T15:00:00Z"));
    expect(parseRangeEnd("to", "2026-08-01", true)).toEqual(new Date("2026-08-01T15:00:00Z"));
  });

  it("reads a date-time as KST unless it has an offset", () => {
    expect(parseRangeEnd("from", "2026-08-01T09:30:00")).toEqual(new Date("2026-08-01T00:30:00Z"));
    expect(parseRangeEnd("from", "2026-08-01T09:30:00Z")).toEqual(new Date("2026-08-01T09:30:00Z"));
  });

  it("names the field and the value it cannot read", () => {
    expect(() => parseRangeEnd("to", "2026-02-30", true)).toThrow(
      'to: expected a KST day yyyy-MM-dd or a date-time yyyy-MM-ddTHH:mm:ss[offset], got "2026-02-30"',
    );
    expect(() => parseRangeEnd("from", "yesterday")).toThrow(/^from: expected a KST day/);
  });
});

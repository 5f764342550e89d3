import { describe, expect, it } from "vitest";
import { encodeValue, quoteIdent, recordsetDefinition, recordsetValue } from "./sql.js";

describe("encodeValue", () => {
  it("sends 64-bit integers as decimal strings, never through a JS number", () => {
    expect(encodeValue("bigint", 999999999999999999n, "x")).toBe("999999999999999999");
    expect(encodeValue("bigint", -9223372036854775808n, "x")).toBe("-9223372036854775808");
  });

  it("sends instants as ISO-8601 UTC and calendar dates as YYYY-MM-DD", () => {
    expect(encodeValue("timestamptz", new Date("2026-11-29T10:00:00+09:00"), "x")).toBe(
      "2026-11-29T01:00:00.000Z",
    );
    expect(encodeValue("date", new Date("2026-11-30T00:00:00Z"), "x")).toBe("2026-11-30");
  });

  it("maps null and undefined to null", () => {
    expect(encodeValue("text", null, "x")).toBeNull();
    expect(encodeValue("bigint", undefined, "x")).toBeNull();
  });

  it("refuses values Postgres would store wrongly or reject late", () => {
    expect(() => encodeValue("timestamptz", new Date("nope"), "boxes[0].paidAt")).toThrow(
      "boxes[0].paidAt is not a valid Date",
    );
    expect(() => encodeValue("date", new Date("2026-11-30T15:00:00Z"), "d")).toThrow(/must be 00:00:00 UTC/);
    expect(() => encodeValue("int", 2 ** 31, "n")).toThrow(/32-bit integer/);
    expect(() => encodeValue("int", 1.5, "n")).toThrow(/32-bit integer/);
    expect(() => encodeValue("sha256", "abc", "h")).toThrow(/sha256 hex digest/);
    expect(() => encodeValue("sha256", "A".repeat(64), "h")).toThrow(/sha256 hex digest/);
    expect(encodeValue("sha256", "a".repeat(64), "h")).toBe("a".repeat(64));
  });
});

describe("SQL builders", () => {
  it("declares recordset columns and casts raw JSON text to jsonb", () => {
    const cols = [
      { column: "shipment_box_id", kind: "bigint" as const },
      { column: "raw", kind: "jsonb" as const },
    ];
    expect(recordsetDefinition(cols)).toBe(`r("shipment_box_id" bigint, "raw" text)`);
    expect(cols.map(recordsetValue)).toEqual([`r."shipment_box_id"`, `r."raw"::jsonb`]);
  });

  it("quotes only plain identifiers", () => {
    expect(quoteIdent("order_items")).toBe(`"order_items"`);
    expect(() => quoteIdent(`x"; DROP TABLE y; --`)).toThrow(/Unexpected SQL identifier/);
  });
});

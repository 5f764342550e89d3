import { describe, expect, it } from "vitest";
import { parseJson, stringifyJson } from "./json.js";

describe("parseJson / stringifyJson", () => {
  it("keeps every digit of 18-digit IDs as bigint and round-trips them", () => {
    const text = '{"shipmentBoxId":100000000000000001,"other":999999999999999999}';
    const parsed = parseJson(text) as { shipmentBoxId: unknown; other: unknown };
    expect(parsed.shipmentBoxId).toBe(100000000000000001n);
    expect(parsed.other).toBe(999999999999999999n);
    expect(stringifyJson(parsed)).toBe(text);
  });

  it("keeps safe integers and decimals as numbers", () => {
    const parsed = parseJson('{"a":9007199254740991,"b":-12,"c":1.5,"d":1e3,"e":0}') as Record<
      string,
      unknown
    >;
    expect(parsed).toEqual({ a: Number.MAX_SAFE_INTEGER, b: -12, c: 1.5, d: 1000, e: 0 });
    for (const value of Object.values(parsed)) expect(typeof value).toBe("number");
  });

  it("turns the first unsafe integer into bigint", () => {
    expect(parseJson("9007199254740992")).toBe(9007199254740992n);
    expect(parseJson("-9007199254740993")).toBe(-9007199254740993n);
  });

  it("writes bigint as a bare JSON number, nested too", () => {
    expect(stringifyJson({ ids: [1n, 123456789012345678n], s: "x" })).toBe(
      '{"ids":[1,123456789012345678],"s":"x"}',
    );
  });

  it("keeps the last of repeated keys, as JSON.parse does", () => {
    expect(parseJson('{"a":1,"a":2}')).toEqual({ a: 2 });
  });

  it("throws SyntaxError on bad JSON and TypeError on a value without JSON form", () => {
    expect(() => parseJson("<html>")).toThrow(SyntaxError);
    expect(() => stringifyJson(undefined)).toThrow(TypeError);
  });
});

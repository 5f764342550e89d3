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

  it("leaves long digits inside strings as text, wherever they stand", () => {
    const text =
      '{"a":"x:12345678901234567890,","b":["12345678901234567890"],"c":"1e400","12345678901234567890":1}';
    expect(parseJson(text)).toEqual({
      a: "x:12345678901234567890,",
      b: ["12345678901234567890"],
      c: "1e400",
      "12345678901234567890": 1,
    });
  });

  it("reads 16-digit safe integers, and long integers with a fraction or an exponent, as numbers", () => {
    expect(parseJson("[1000000000000000,-9007199254740991]")).toEqual([1e15, -Number.MAX_SAFE_INTEGER]);
    expect(parseJson("[12345678901234567890.5,12345678901234567e3, 1e-400]")).toEqual([
      Number("12345678901234567890.5"),
      Number("12345678901234567e3"),
      0,
    ]);
  });

  it("refuses a long integer with a leading zero or a sign, as JSON does", () => {
    for (const text of ["[012345678901234567890]", "[+12345678901234567890]", "[--12345678901234567890]"]) {
      expect(() => parseJson(text)).toThrow(SyntaxError);
    }
  });

  it("keeps strings and keys that hold the bigint mark (U+FDD0), raw or escaped", () => {
    const mark = "\uFDD0";
    const parsed = parseJson(`{"a":"${mark}12345678901234567890","${mark}1":12345678901234567890}`);
    expect(parsed).toEqual({ a: "\uFDD012345678901234567890", "\uFDD01": 12345678901234567890n });
    expect(parseJson('["\\ufdd012345678901234567890"]')).toEqual(["\uFDD012345678901234567890"]);
    expect(stringifyJson(parsed)).toBe('{"a":"\uFDD012345678901234567890","\uFDD01":12345678901234567890}');
    expect(stringifyJson(["\uFDD07", 1n, 'x"\uFDD08'])).toBe('["\uFDD07",1,"x\\"\uFDD08"]');
  });

  it("keeps bigints nested hundreds of levels deep", () => {
    const depth = 600;
    const text = `${"[".repeat(depth)}12345678901234567890${"]".repeat(depth)}`;
    let value = parseJson(text);
    for (let i = 0; i < depth; i++) value = (value as unknown[])[0];
    expect(value).toBe(12345678901234567890n);
    expect(stringifyJson(parseJson(text))).toBe(text);
  });

  it("writes values nested deeper than native recursion reaches, bigints and marks included", () => {
    for (const depth of [3_000, 20_000]) {
      const text = `${"[".repeat(depth)}1,"\uFDD012",12345678901234567890,{"a":[null]}${"]".repeat(depth)}`;
      let value: unknown = [1, "\uFDD012", 12345678901234567890n, { a: [undefined], f: () => 1 }];
      for (let i = 1; i < depth; i++) value = [value];
      expect(stringifyJson(value)).toBe(text);
    }
  });

  it("refuses a value that contains itself with TypeError", () => {
    const cyclic: unknown[] = [1n];
    cyclic.push(cyclic);
    expect(() => stringifyJson(cyclic)).toThrow(TypeError);
    let deep: unknown = cyclic;
    for (let i = 0; i < 10_000; i++) deep = [deep];
    expect(() => stringifyJson(deep)).toThrow(TypeError);
  });

  it("writes what JSON.stringify writes for dates, NaN, undefined and functions", () => {
    const value = { d: new Date(0), n: Number.NaN, u: undefined, f: () => 1, list: [undefined, 2n] };
    expect(stringifyJson(value)).toBe('{"d":"1970-01-01T00:00:00.000Z","n":null,"list":[null,2]}');
  });

  it("throws SyntaxError on bad JSON and TypeError on a value without JSON form", () => {
    expect(() => parseJson("<html>")).toThrow(SyntaxError);
    expect(() => stringifyJson(undefined)).toThrow(TypeError);
  });
});

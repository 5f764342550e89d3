import { describe, expect, it } from "vitest";
import { parseJsonLossless, readBool, readId, readIds, readInts, toId } from "./body.js";

describe("parseJsonLossless", () => {
  it("keeps integers of 16+ digits exact as bigint and leaves everything else to JSON.parse", () => {
    expect(
      parseJsonLossless(
        '{"a":123456789012345678,"b":[1,-12345678901234567,2.5e3],"s":"123456789012345678","n":9007199254740993}',
      ),
    ).toEqual({
      a: 123456789012345678n,
      b: [1, -12345678901234567n, 2500],
      s: "123456789012345678",
      n: 9007199254740993n,
    });
  });

  it("skips digits inside strings, escapes included, and throws SyntaxError on invalid JSON", () => {
    expect(parseJsonLossless('{"q":"x\\"1234567890123456789\\"","k":1}')).toEqual({
      q: 'x"1234567890123456789"',
      k: 1,
    });
    expect(() => parseJsonLossless("{oops")).toThrow(SyntaxError);
  });
});

describe("field readers", () => {
  it("read IDs from numbers, bigints and digit strings; refuse the rest with a 400", () => {
    expect([toId(12), toId(12n), toId("123456789012345678"), toId(-1), toId(1.5), toId("x")]).toEqual([
      12n,
      12n,
      123456789012345678n,
      undefined,
      undefined,
      undefined,
    ]);
    expect(readId({ id: "77" }, "id", true)).toBe(77n);
    expect(readId({}, "id", false)).toBeUndefined();
    expect(() => readId({}, "id", true)).toThrow(/Required field 'id'/);
    expect(() => readId({ id: { x: 1 } }, "id", true)).toThrow(/must be a number/);
    expect(readIds({ ids: [1, "2", 3n] }, "ids")).toEqual([1n, 2n, 3n]);
    expect(() => readIds({ ids: [true] }, "ids")).toThrow(/ids\[0\]/);
    expect(readInts({ n: [1, "2", 3n] }, "n")).toEqual([1, 2, 3]);
    expect(() => readInts({ n: [1.5] }, "n")).toThrow(/integer/);
    expect([readBool({ b: "true" }, "b"), readBool({ b: false }, "b"), readBool({}, "b")]).toEqual([
      true,
      false,
      false,
    ]);
    expect(() => readBool({ b: "yes" }, "b")).toThrow(/true or false/);
  });
});

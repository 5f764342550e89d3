import { describe, expect, it } from "vitest";
import { serializeCoupangJson } from "./json.js";

describe("serializeCoupangJson", () => {
  it("writes bigints as bare numbers with every digit and everything else as JSON does", () => {
    const value = {
      shipmentBoxId: 123456789012345678n,
      neg: -5n,
      s: '\u0000x "q"',
      n: 1.5,
      a: [null, true, 0n],
      o: {},
    };
    expect(serializeCoupangJson(value)).toBe(
      '{"shipmentBoxId":123456789012345678,"neg":-5,"s":"\\u0000x \\"q\\"","n":1.5,"a":[null,true,0],"o":{}}',
    );
  });

  it("does not turn a string that looks like an escaped marker into a number", () => {
    expect(serializeCoupangJson({ s: "\\u0000bigint:1" })).toBe('{"s":"\\\\u0000bigint:1"}');
    expect(() => serializeCoupangJson({ s: "\u0000bigint:1" })).toThrow(TypeError);
  });

  it("refuses a value with no JSON text", () => {
    expect(() => serializeCoupangJson(undefined)).toThrow(TypeError);
  });
});

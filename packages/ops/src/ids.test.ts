import { describe, expect, it } from "vitest";
import { MAX_ID, parseId } from "./ids.js";

describe("parseId", () => {
  it("reads every digit of an ID up to 2^63 − 1", () => {
    expect(parseId("id", "1")).toBe(1n);
    expect(parseId("shipmentBoxId", "300000000000012345")).toBe(300000000000012345n);
    expect(parseId("id", "9223372036854775807")).toBe(MAX_ID);
    expect(MAX_ID).toBe(9223372036854775807n);
  });

  it("refuses what is not an int64 ID, naming the field and the value", () => {
    for (const text of [
      "9223372036854775808",
      "9999999999999999999",
      "0",
      "00",
      "-1",
      "1e3",
      "12a",
      "",
      " 1",
    ])
      expect(() => parseId("beforeId", text), text).toThrow(
        `beforeId: expected a decimal ID from 1 to 9223372036854775807, got ${JSON.stringify(text)}`,
      );
    expect(() => parseId("id", "99999999999999999999")).toThrow(/got "99999999999999999999"$/);
    // An OpsError `invalid` (HTTP 400, CLI exit 65), the value quoted with its control characters escaped.
    let thrown: unknown;
    try {
      parseId("id", "\u001b[2J");
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toMatchObject({
      code: "invalid",
      message: 'id: expected a decimal ID from 1 to 9223372036854775807, got "\\u001b[2J"',
    });
  });
});

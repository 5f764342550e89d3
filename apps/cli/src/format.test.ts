import { describe, expect, it } from "vitest";
import { printable, table } from "./format.js";

describe("printable", () => {
  it("shows every control character as an escape, and leaves other text alone", () => {
    expect(printable("\u001b[31mred\u001b[0m")).toBe("\\u001b[31mred\\u001b[0m");
    expect(printable("a\tb\r\nc\u007f\u0085\u009b")).toBe("a\\u0009b\\u000d\\u000ac\\u007f\\u0085\\u009b");
    // Bidirectional overrides and isolates reorder what follows them on screen.
    expect(printable("abc\u202edcba\u2066x\u2069")).toBe("abc\\u202edcba\\u2066x\\u2069");
    expect(printable("주문 300000000000012345 · ok")).toBe("주문 300000000000012345 · ok");
  });

  it("keeps a JSON document the same JSON value", () => {
    const value = { message: "a\u0085b\u202ec\u001bd" };
    const text = JSON.stringify(value, null, 2);
    expect(JSON.parse(text.split("\n").map(printable).join("\n"))).toEqual(value);
  });
});

describe("table", () => {
  it("escapes cells before measuring them, so a line break or an escape cannot break the columns", () => {
    expect(
      table(
        ["id", "invoice", "n"],
        [
          [1, "12\n34\u001b[2J", 7],
          [22, "5", 10],
        ],
      ).split("\n"),
    ).toEqual([
      "id  invoice               n",
      " 1  12\\u000a34\\u001b[2J   7",
      "22  5                    10",
    ]);
  });
});

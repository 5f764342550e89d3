import { describe, expect, it } from "vitest";
import { storableText } from "@cos/db";
import { assertPlausible, assertStorable, NormalizeError } from "./normalize.js";

describe("assertStorable", () => {
  it("refuses text Postgres cannot hold and integers beyond 64 bits, naming the path", () => {
    expect(() => assertStorable({ receiver: { name: "김\u0000철수" } })).toThrow(
      /^\$\.receiver\.name: text with a NUL/,
    );
    expect(() => assertStorable({ orderer: { name: "이\uD83D" } })).toThrow(
      /^\$\.orderer\.name: text with .* unpaired surrogate/,
    );
    expect(() => assertStorable({ orderItems: [{ vendorItemId: 10n ** 20n }] })).toThrow(
      "$.orderItems[0].vendorItemId: 100000000000000000000 is beyond a 64-bit integer",
    );
    expect(() => assertStorable({ shipmentBoxId: 999999999999999999n, name: "ok 😀" })).not.toThrow();
  });
});

describe("assertPlausible", () => {
  it("refuses dates outside 1900–2999 and quantities beyond 32 bits, in nested items too", () => {
    expect(() => assertPlausible({ paidAt: new Date("0001-01-01T00:00:00Z") })).toThrow(NormalizeError);
    expect(() => assertPlausible({ items: [{ shippingCount: 2 ** 31 }] })).toThrow(
      "items[0].shippingCount: 2147483648 is beyond a 32-bit integer",
    );
    expect(() =>
      assertPlausible({ paidAt: new Date("2025-01-01T00:00:00Z"), items: [{ shippingCount: 3 }] }),
    ).not.toThrow();
  });
});

describe("storableText", () => {
  it("writes NUL and unpaired surrogates as visible escapes, and leaves the rest alone", () => {
    expect(storableText("a\u0000b \uD83D 😀")).toBe("a\\u0000b \\ud83d 😀");
  });
});

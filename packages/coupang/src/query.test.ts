import { describe, expect, it } from "vitest";
import { buildQuery, encodeQueryComponent } from "./query.js";

describe("buildQuery", () => {
  it("encodes a v5 offset once: + → %2B, : → %3A", () => {
    expect(buildQuery([["createdAtFrom", "2025-07-29T00:01+09:00"]])).toBe(
      "createdAtFrom=2025-07-29T00%3A01%2B09%3A00",
    );
    expect(buildQuery({ createdAtFrom: "2025-07-15+09:00" })).toBe("createdAtFrom=2025-07-15%2B09%3A00");
  });

  it("encodes Korean text as UTF-8 bytes and spaces as %20", () => {
    expect(buildQuery([["q", "배송 완료"]])).toBe("q=%EB%B0%B0%EC%86%A1%20%EC%99%84%EB%A3%8C");
  });

  it("keeps the given order and leaves out undefined values", () => {
    expect(
      buildQuery([
        ["status", "ACCEPT"],
        ["createdAtFrom", "2025-01-01"],
        ["nextToken", undefined],
        ["maxPerPage", 50],
      ]),
    ).toBe("status=ACCEPT&createdAtFrom=2025-01-01&maxPerPage=50");
    expect(buildQuery({ b: 1, a: 2n, c: true })).toBe("b=1&a=2&c=true");
    expect(buildQuery([])).toBe("");
  });

  it("encodes reserved characters, including the ones encodeURIComponent leaves alone", () => {
    expect(buildQuery([["t", "a&b=c/d?e#f%g"]])).toBe("t=a%26b%3Dc%2Fd%3Fe%23f%25g");
    expect(encodeQueryComponent("it's (a) *test*!")).toBe("it%27s%20%28a%29%20%2Atest%2A%21");
    expect(encodeQueryComponent("A-z_0.9~")).toBe("A-z_0.9~");
  });

  it("encodes exactly once: an already-encoded value is encoded again, not passed through", () => {
    expect(buildQuery([["t", "%2B"]])).toBe("t=%252B");
  });
});

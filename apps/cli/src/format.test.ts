import { describe, expect, it } from "vitest";
import type { OutboxCommandRecord, OutboxStatus } from "@cos/db";
import { formatCommand, printable, table } from "./format.js";

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

describe("formatCommand", () => {
  const command = (status: OutboxStatus, finishedAt: Date | null): OutboxCommandRecord => ({
    id: 7n,
    vendorId: "A00012345",
    kind: "ACKNOWLEDGE",
    shipmentBoxId: 300000000000012345n,
    orderId: 9000000000001n,
    vendorItemId: null,
    payload: {},
    dedupeKey: "ACKNOWLEDGE:300000000000012345::",
    status,
    attempts: 1,
    maxAttempts: null,
    nextAttemptAt: new Date("2026-11-30T01:05:00Z"),
    lastResultCode: "OK",
    lastResultMessage: null,
    createdBy: "cli",
    createdAt: new Date("2026-11-30T01:00:00Z"),
    updatedAt: new Date("2026-11-30T01:00:00Z"),
    finishedAt,
  });

  it("shows the next try only while the command may still be tried", () => {
    for (const status of ["pending", "in_flight", "unknown"] as const)
      expect(formatCommand(command(status, null)).split("\n")[1]).toMatch(/^ {2}attempts 1, next \S/);
    for (const status of ["succeeded", "rejected", "dead", "cancelled"] as const) {
      const line = formatCommand(command(status, new Date("2026-11-30T01:01:00Z"))).split("\n")[1];
      expect(line).toMatch(/^ {2}attempts 1, created \S.*, finished \S/);
      expect(line).not.toContain("next");
    }
  });
});

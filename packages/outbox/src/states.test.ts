import { describe, expect, it } from "vitest";
import { OUTBOX_STATUSES } from "@cos/db";
import { OUTBOX_TRANSITIONS, canTransition, endsAttempts, isFinal, sourcesOf } from "./states.js";

describe("outbox state machine", () => {
  it("covers every status of the table's CHECK constraint, and names only those", () => {
    expect(Object.keys(OUTBOX_TRANSITIONS).sort()).toEqual([...OUTBOX_STATUSES].sort());
    for (const targets of Object.values(OUTBOX_TRANSITIONS)) {
      for (const to of targets) expect(OUTBOX_STATUSES).toContain(to);
    }
  });

  it("claims pending, unknown and lease-expired in_flight commands", () => {
    expect(sourcesOf("in_flight")).toEqual(["pending", "in_flight", "unknown"]);
  });

  it("reaches a result only from in_flight: nothing is decided without a try", () => {
    for (const to of ["succeeded", "rejected", "unknown", "dead"] as const) {
      expect(sourcesOf(to).filter((s) => s !== "dead")).toEqual(["in_flight"]);
    }
  });

  it("never resends an unknown command without claiming it (and so reading it back)", () => {
    expect(OUTBOX_TRANSITIONS.unknown).toEqual(["in_flight"]);
    expect(canTransition("unknown", "pending")).toBe(false);
    expect(canTransition("unknown", "cancelled")).toBe(false);
  });

  it("re-arms a dead command as unknown, and lets an operator cancel it or a pending one", () => {
    expect(sourcesOf("unknown")).toEqual(["in_flight", "dead"]);
    expect(sourcesOf("cancelled")).toEqual(["pending", "in_flight", "dead"]);
  });

  it("keeps succeeded, rejected and cancelled final", () => {
    expect(OUTBOX_STATUSES.filter(isFinal)).toEqual(["succeeded", "rejected", "cancelled"]);
    expect(OUTBOX_STATUSES.filter(endsAttempts)).toEqual(["succeeded", "rejected", "dead", "cancelled"]);
    for (const from of ["succeeded", "rejected", "cancelled"] as const) {
      for (const to of OUTBOX_STATUSES) expect(canTransition(from, to)).toBe(false);
    }
  });
});

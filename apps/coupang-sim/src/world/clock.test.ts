import { describe, expect, it } from "vitest";
import { Clock } from "./clock.js";

describe("Clock", () => {
  it("stands still when simulated until advanced or set, and never goes back", () => {
    const clock = Clock.simulated(new Date("2025-03-10T03:00:00Z"));
    expect(clock.mode).toBe("simulated");
    expect(clock.now().toISOString()).toBe("2025-03-10T03:00:00.000Z");
    clock.advance(90_000);
    expect(clock.now().toISOString()).toBe("2025-03-10T03:01:30.000Z");
    clock.set(new Date("2025-03-11T00:00:00Z"));
    expect(clock.nowMs()).toBe(Date.parse("2025-03-11T00:00:00Z"));
    expect(() => clock.set(new Date("2025-03-10T00:00:00Z"))).toThrow(/only moves forward/);
    expect(() => clock.advance(-1)).toThrow(RangeError);
    expect(() => Clock.simulated(new Date(NaN))).toThrow(RangeError);
    // Clients sign with their own wall clock, however far simulated time has moved.
    expect(Math.abs(clock.signatureNow().getTime() - Date.now())).toBeLessThan(50);
  });

  it("follows wall-clock time when real, and the host's function when hosted, both advanceable", () => {
    const real = Clock.real();
    expect(Math.abs(real.nowMs() - Date.now())).toBeLessThan(50);
    real.advance(3_600_000);
    expect(real.nowMs() - Date.now()).toBeGreaterThan(3_599_000);
    let t = new Date("2025-01-01T00:00:00Z");
    const hosted = Clock.host(() => t);
    t = new Date("2025-01-02T00:00:00Z");
    hosted.advance(1000);
    expect(hosted.now().toISOString()).toBe("2025-01-02T00:00:01.000Z");
    expect(hosted.signatureNow().toISOString()).toBe("2025-01-02T00:00:01.000Z");
  });
});

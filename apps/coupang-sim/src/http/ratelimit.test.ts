import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSimulator, type Simulator } from "../index.js";
import { DEFAULT_VENDOR } from "../world/world.js";
import { RateLimiter } from "./ratelimit.js";
import { TestClient } from "./testkit.js";

const anchor = new Date("2025-03-10T03:00:00Z");
const other = { vendorId: "A00099999", accessKey: "other-ak", secretKey: "other-sk" };
const LIST = "createdAtFrom=2025-03-01&createdAtTo=2025-03-10&status=ACCEPT";
let sim: Simulator;
let api: TestClient;
let api2: TestClient;

beforeAll(async () => {
  sim = await startSimulator({
    seed: 1,
    orders: 50,
    anchor,
    clock: "simulated",
    vendors: [DEFAULT_VENDOR, other],
    rateLimit: { perSecond: 10, blockSeconds: 120 },
  });
  api = new TestClient(sim, DEFAULT_VENDOR);
  api2 = new TestClient(sim, other);
});
afterAll(async () => {
  await sim.close();
});

describe("per-vendor rate limit (§10, B-4)", () => {
  it("warns from 90%, answers 429 over the limit, and blocks until the block expires in simulated time", async () => {
    const statuses: number[] = [];
    const warnings: (string | null)[] = [];
    for (let k = 0; k < 12; k++) {
      // All endpoints count together.
      const res = await (k % 2 === 0
        ? api.get("ordersheets", LIST)
        : api.get("returnRequests", `${LIST}`.replace("ACCEPT", "UC")));
      statuses.push(res.status);
      warnings.push(res.headers.get("x-cag-warnings"));
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 429, 429]);
    expect(warnings.slice(0, 8).every((w) => w === null)).toBe(true);
    expect(warnings[8]).toMatch(
      /Throttling threshold 90% reached: 9 of 10 calls per second for vendorId A00012345/,
    );
    expect(warnings[9]).toMatch(/10 of 10/);
    const blocked = await api.get<{ code: string; message: string }>("ordersheets", LIST);
    expect(blocked.status).toBe(429);
    expect(blocked.body).toEqual({ code: "ERROR", message: "Too Many Requests" });
    expect(blocked.headers.get("x-sim-blocked-until")).toBe(
      new Date(anchor.getTime() + 120_000).toISOString(),
    );

    // Another vendor is not affected.
    expect((await api2.get("ordersheets", LIST)).status).toBe(200);
    const snapshot = await api.admin<{ vendors: Record<string, { blockedUntil: string | null }> }>(
      "GET",
      "rate-limit",
    );
    expect(snapshot.body.vendors[DEFAULT_VENDOR.vendorId]!.blockedUntil).not.toBeNull();
    expect(snapshot.body.vendors[other.vendorId]!.blockedUntil).toBeNull();

    sim.clock.advance(119_000);
    expect((await api.get("ordersheets", LIST)).status).toBe(429);
    await api.admin("POST", "clock", { advanceSeconds: 1 });
    const after = await api.get("ordersheets", LIST);
    expect(after.status).toBe(200);
    expect(after.headers.get("x-cag-warnings")).toBeNull();
    // Calls are counted whether throttled or not.
    expect(sim.calls().total).toBe(16);
    // The call log has each vendor's let-through calls at their instants, and the verdicts.
    const log = await api.admin<Record<string, { admitted: number[]; warned: number; throttled: number }>>(
      "GET",
      "calls/vendors",
    );
    const mine = log.body[DEFAULT_VENDOR.vendorId]!;
    expect(mine.admitted).toEqual([
      ...Array.from({ length: 10 }, () => anchor.getTime()),
      anchor.getTime() + 120_000,
    ]);
    expect([mine.warned, mine.throttled]).toEqual([2, 4]);
    expect(log.body[other.vendorId]).toEqual({ admitted: [anchor.getTime()], warned: 0, throttled: 0 });
  });

  it("is a sliding one-second window: ten calls a second forever never trip it", () => {
    const limiter = new RateLimiter({ perSecond: 10, blockSeconds: 60 });
    for (let ms = 0; ms < 5000; ms += 100) expect(limiter.admit("V", ms).ok).toBe(true);
    expect(limiter.admit("V", 4999).ok).toBe(false);
    expect(() => new RateLimiter({ perSecond: 0 })).toThrow(RangeError);
    expect(() => new RateLimiter({ warnRatio: 1.5 })).toThrow(RangeError);
  });
});

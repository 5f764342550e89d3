import { afterEach, describe, expect, it } from "vitest";
import { signedGet } from "./http/testkit.js";
import { DEFAULT_VENDOR, serializeCoupangJson, startSimulator, type Simulator } from "./index.js";

const anchor = new Date("2025-03-10T03:00:00Z");
const path = "/v2/providers/openapi/apis/api/v4/vendors/A00012345/ordersheets";
const running: Simulator[] = [];
const start = async (opts: Parameters<typeof startSimulator>[0] = {}): Promise<Simulator> => {
  const sim = await startSimulator({ anchor, now: () => anchor, ...opts });
  running.push(sim);
  return sim;
};
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.close()));
});

describe("startSimulator", () => {
  it("listens on a random loopback port with the defaults", async () => {
    const sim = await start();
    expect(sim.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const health = (await (await fetch(`${sim.url}/__sim/health`)).json()) as Record<string, unknown>;
    expect(health).toMatchObject({
      status: "ok",
      seed: 42,
      orders: 1000,
      days: 14,
      listLagMinutes: 10,
      vendors: ["A00012345"],
    });
    expect(health.anchor).toBe(anchor.toISOString());
  });

  it("serves byte-identical worlds for the same seed and a different one for another seed", async () => {
    const dump = async (seed: number): Promise<string> => {
      const sim = await start({ seed });
      return (await fetch(`${sim.url}/__sim/ground-truth?full=1`)).text();
    };
    const a = await dump(42);
    expect(await dump(42)).toBe(a);
    expect(await dump(43)).not.toBe(a);
  });

  it("dumps the ground truth over HTTP as the API would serialize it, counts by default", async () => {
    const sim = await start();
    const truth = sim.groundTruth();
    const { orders } = truth;
    expect(await (await fetch(`${sim.url}/__sim/ground-truth?vendorId=A00012345`)).text()).toBe(
      serializeCoupangJson(sim.world.groundTruthCounts("A00012345", anchor)),
    );
    expect(await (await fetch(`${sim.url}/__sim/ground-truth?full=1`)).text()).toBe(
      serializeCoupangJson(truth),
    );
    expect(orders).toHaveLength(truth.boxes);
    expect(truth.items).toBe(orders.reduce((n, o) => n + o.orderItems.length, 0));
    expect(Object.values(truth.boxesByStatus).reduce((a, b) => a + b, 0)).toBe(truth.boxes);
    expect(Object.values(truth.itemsByStatus).reduce((a, b) => a + b, 0)).toBe(truth.items);
    expect((await fetch(`${sim.url}/__sim/ground-truth?vendorId=NOPE`)).status).toBe(404);
    expect(() => sim.groundTruth("NOPE")).toThrow(RangeError);
  });

  it("counts API calls per endpoint, rejected ones included, and not admin calls", async () => {
    const sim = await start();
    const ok = `${path}?createdAtFrom=2025-03-01&createdAtTo=2025-03-10&status=ACCEPT`;
    expect(sim.calls()).toEqual({ total: 0 });
    expect((await signedGet(sim.url, DEFAULT_VENDOR, ok, { date: anchor })).status).toBe(200);
    expect((await signedGet(sim.url, DEFAULT_VENDOR, ok.replace("v4", "v5"), { date: anchor })).status).toBe(
      200,
    );
    expect((await signedGet(sim.url, DEFAULT_VENDOR, `${path}?status=ACCEPT`, { date: anchor })).status).toBe(
      400,
    );
    expect((await fetch(`${sim.url}${ok}`)).status).toBe(401);
    expect(
      (await fetch(`${sim.url}/v2/providers/openapi/apis/api/v4/vendors/A00012345/nothing`)).status,
    ).toBe(404);
    await fetch(`${sim.url}/__sim/health`);
    const expected = { "GET ordersheets": 4, "GET (unmatched)": 1, total: 5 };
    expect(sim.calls()).toEqual(expected);
    expect(await (await fetch(`${sim.url}/__sim/calls`)).json()).toEqual(expected);
  });

  it("makes a buyer's event happen in-process, as POST /__sim/events does", async () => {
    const sim = await start({ clock: "simulated" });
    const made = await sim.event({ type: "order" });
    const [boxId] = made.shipmentBoxIds as bigint[];
    expect(typeof boxId).toBe("bigint");
    sim.clock.advance(15 * 60_000); // past the list's visibility lag
    expect(sim.groundTruth().orders.some((o) => o.shipmentBoxId === boxId)).toBe(true);
    await expect(sim.event({ type: "meteor" })).rejects.toThrow(RangeError);
    expect(sim.calls()).toEqual({ total: 0 });
  });

  it("rejects invalid options before listening", async () => {
    await expect(startSimulator({ orders: -1 })).rejects.toThrow(RangeError);
    await expect(startSimulator({ signatureSkewSeconds: -1 })).rejects.toThrow(RangeError);
    await expect(startSimulator({ clock: "fast" as "real" })).rejects.toThrow(/clock must be/);
    await expect(startSimulator({ ackVisibilityLagMinutes: -1 })).rejects.toThrow(RangeError);
    await expect(startSimulator({ rateLimit: { perSecond: 0 } })).rejects.toThrow(RangeError);
    await expect(startSimulator({ faults: [{ kind: "status", status: 200 }] })).rejects.toThrow(RangeError);
    // A lively world a year behind its clock would first have to live through that year.
    await expect(
      startSimulator({ anchor: new Date("2024-01-01T00:00:00Z"), activity: "normal", orders: 10 }),
    ).rejects.toThrow(/at most 14 days after the anchor/);
  });

  it("starts a simulated clock at the anchor (or startAt) and applies initial faults and the rate limit", async () => {
    const sim = await start({
      now: undefined,
      clock: "simulated",
      rateLimit: true,
      faults: [{ kind: "status", status: 502, count: 1 }],
    });
    expect(sim.clock.mode).toBe("simulated");
    expect(sim.clock.now().toISOString()).toBe(anchor.toISOString());
    const ok = `${path}?createdAtFrom=2025-03-01&createdAtTo=2025-03-10&status=ACCEPT`;
    const sign = { date: sim.clock.signatureNow() };
    expect((await signedGet(sim.url, DEFAULT_VENDOR, ok, sign)).status).toBe(502);
    expect((await signedGet(sim.url, DEFAULT_VENDOR, ok, sign)).status).toBe(200);
    const health = (await (await fetch(`${sim.url}/__sim/health`)).json()) as { rateLimit: unknown };
    expect(health.rateLimit).toEqual({ perSecond: 10, blockSeconds: 60, warnRatio: 0.9 });
    const later = await start({
      now: undefined,
      clock: "simulated",
      startAt: new Date("2025-03-11T00:00:00Z"),
    });
    expect(later.clock.now().toISOString()).toBe("2025-03-11T00:00:00.000Z");
    expect(later.world.options.anchor.toISOString()).toBe(anchor.toISOString());
  });
});

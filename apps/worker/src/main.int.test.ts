import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startSimulator, type Simulator } from "@cos/coupang-sim";
import { startDaemon, WORKER_MAIN } from "../../../test/support/daemon.js";
import { createTestDatabase, type TestDatabase } from "../../../test/support/postgres.js";

const VENDOR = { vendorId: "A00055555", accessKey: "ak-main", secretKey: "sk-main-secret" };

let sim: Simulator;
let db: TestDatabase;
beforeAll(async () => {
  sim = await startSimulator({
    seed: 5,
    orders: 200,
    days: 5,
    anchor: new Date(Date.now() - 3_600_000),
    vendors: [VENDOR],
  });
  db = await createTestDatabase(false);
});
afterAll(async () => {
  await sim?.close();
  await db?.drop();
});

/** Runs the daemon until `until` matches its output, then sends `signal`; resolves on exit. */
async function runDaemon(signal: NodeJS.Signals, until: RegExp, extraEnv: Record<string, string> = {}) {
  const daemon = startDaemon({
    DATABASE_URL: db.url,
    QUEUE_PREFIX: `m${randomBytes(3).toString("hex")}`,
    COUPANG_BASE_URL: sim.url,
    COUPANG_VENDOR_ID: VENDOR.vendorId,
    COUPANG_ACCESS_KEY: VENDOR.accessKey,
    COUPANG_SECRET_KEY: VENDOR.secretKey,
    SYNC_BACKFILL_DAYS: "7",
    SHUTDOWN_TIMEOUT_SECONDS: "10",
    // Any free port: test files run in parallel, and a developer's worker may hold 9464.
    HTTP_PORT: "0",
    ...extraEnv,
  });
  await daemon.waitForOutput(until);
  const signalledAt = Date.now();
  daemon.kill(signal);
  const code = await daemon.exited;
  return { code, output: daemon.output(), stopMs: Date.now() - signalledAt };
}

describe("the daemon (npm start)", () => {
  it("migrates, polls, and stops cleanly on SIGTERM", async () => {
    const { code, output, stopMs } = await runDaemon("SIGTERM", /"msg":"poll finished"/);
    expect(code).toBe(0);
    expect(output).toMatch(/"msg":"migrations applied"/);
    expect(output).toMatch(/"signal":"SIGTERM","msg":"shutting down"/);
    expect(output).toMatch(/"msg":"worker stopped"/);
    expect(stopMs).toBeLessThan(10_000);
    expect(output).not.toContain(VENDOR.secretKey);
  });

  it("serves HTTP once the worker runs, and stops cleanly on SIGINT too", async () => {
    const { code, output } = await runDaemon("SIGINT", /"msg":"http server listening"/);
    expect(code).toBe(0);
    expect(output.indexOf('"msg":"worker started"')).toBeLessThan(
      output.indexOf('"msg":"http server listening"'),
    );
    expect(output).toMatch(/"url":"http:\/\/127\.0\.0\.1:\d+","admin":false/);
    expect(output).toMatch(/"msg":"worker stopped"/);
  });

  it("stops cleanly by its deadline while a vendor paused by a 429 holds polls in the limiter", async () => {
    // Every poll meets a 429, which pauses the vendor for a minute: polls already past the
    // vendor's circuit wait in the limiter. At the deadline, closing the clients ends those waits.
    const rule = sim.faults.add({ endpoint: "*", kind: "status", status: 429 });
    try {
      const { code, output, stopMs } = await runDaemon("SIGTERM", /"msg":"poll failed"/, {
        SHUTDOWN_TIMEOUT_SECONDS: "2",
      });
      expect(output).toMatch(/"signal":"SIGTERM","msg":"shutting down"/);
      expect(output).toMatch(/"msg":"worker stopped"/);
      expect(output).not.toMatch(/jobs still running after their calls failed/);
      expect(code).toBe(0);
      // 2 s for the polls, then the abandoned ones end at once: before the hard deadline (2 + 10 s),
      // which would have exited 1.
      expect(stopMs).toBeLessThan(9_000);
    } finally {
      sim.faults.remove(rule.id);
    }
  });

  it.skipIf(inject("redisUrl") === null)(
    "exits 69 naming the database when REDIS_URL names one Redis does not have",
    async () => {
      const url = new URL(inject("redisUrl")!);
      url.pathname = "/9999";
      const child = spawn(process.execPath, ["--import", "tsx", WORKER_MAIN], {
        env: {
          PATH: process.env.PATH,
          DATABASE_URL: db.url,
          REDIS_URL: url.toString(),
          QUEUE_PREFIX: `m${randomBytes(3).toString("hex")}`,
          COUPANG_BASE_URL: sim.url,
          COUPANG_VENDOR_ID: VENDOR.vendorId,
          COUPANG_ACCESS_KEY: VENDOR.accessKey,
          COUPANG_SECRET_KEY: VENDOR.secretKey,
          HTTP_PORT: "0",
        },
      });
      let output = "";
      child.stdout.on("data", (c: Buffer) => (output += c.toString()));
      child.stderr.on("data", (c: Buffer) => (output += c.toString()));
      const code = await new Promise<number | null>((r) => child.on("exit", r));
      expect(code).toBe(69);
      expect(output).toMatch(
        /cannot use database 9999 of Redis at REDIS_URL \([^)]+\): ERR DB index is out of range/,
      );
    },
  );

  it("refuses to start with a clear message and exit code 78 when the config is invalid", async () => {
    const child = spawn(process.execPath, ["--import", "tsx", WORKER_MAIN], {
      env: { PATH: process.env.PATH, DATABASE_URL: "mysql://nope", SYNC_LOOKBACK_MINUTES: "5" },
    });
    let stderr = "";
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    const code = await new Promise<number | null>((r) => child.on("exit", r));
    expect(code).toBe(78);
    expect(stderr).toMatch(/DATABASE_URL: a postgresql:\/\/ URL/);
    expect(stderr).toMatch(/SYNC_LOOKBACK_MINUTES/);
  });
});

import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "./config.js";

const base = {
  DATABASE_URL: "postgresql://postgres@127.0.0.1:5432/x",
  COUPANG_VENDOR_ID: "A00012345",
  COUPANG_ACCESS_KEY: "ak",
  COUPANG_SECRET_KEY: "very-secret-value",
};

describe("loadConfig", () => {
  it("applies the documented defaults", () => {
    const c = loadConfig(base);
    expect(c.pollIntervalMs).toBe(60_000);
    expect(c.plan).toEqual({
      lagMs: 120_000,
      lookbackMs: 30 * 60_000,
      backfillMs: 30 * 86_400_000,
      warmIntervalMs: 15 * 60_000,
      warmDays: 7,
      coldIntervalMs: 24 * 3_600_000,
      coldDays: 31,
      callBudget: 120,
    });
    expect(c.redisUrl).toBeUndefined();
    expect(c.coupangBaseUrl).toBe("https://api-gateway.coupang.com");
    expect(c.vendors).toEqual([
      { vendorId: "A00012345", name: undefined, accessKey: "ak", secretKey: "very-secret-value" },
    ]);
    expect(Object.isFrozen(c)).toBe(true);
  });

  it("runs 2 polls at once per vendor unless WORKER_CONCURRENCY says otherwise, at most 64", () => {
    expect(loadConfig(base).concurrency).toBe(2);
    const dir = mkdtempSync(join(tmpdir(), "cos-config-"));
    const file = (n: number) => {
      const path = join(dir, `vendors-${n}.json`);
      const vendors = Array.from({ length: n }, (_, i) => ({
        vendorId: `A${i}`,
        accessKey: `a${i}`,
        secretKey: "s",
      }));
      writeFileSync(path, JSON.stringify(vendors));
      return { DATABASE_URL: base.DATABASE_URL, COUPANG_VENDORS_FILE: path };
    };
    expect(loadConfig(file(3)).concurrency).toBe(6);
    expect(loadConfig(file(1000)).concurrency).toBe(64);
    expect(loadConfig({ ...file(1000), WORKER_CONCURRENCY: "8" }).concurrency).toBe(8);
    expect(() => loadConfig({ ...base, WORKER_CONCURRENCY: "65" })).toThrow(ConfigError);
  });

  it("treats blank values as missing", () => {
    expect(loadConfig({ ...base, REDIS_URL: "  ", SYNC_POLL_INTERVAL_SECONDS: "" }).pollIntervalMs).toBe(
      60_000,
    );
  });

  it("refuses a lookback shorter than 30 minutes, naming the variable", () => {
    expect(() => loadConfig({ ...base, SYNC_LOOKBACK_MINUTES: "5" })).toThrow(/SYNC_LOOKBACK_MINUTES/);
  });

  it("says a required variable is not set, and shows the text a number could not be read from", () => {
    const { DATABASE_URL: _unset, ...noDatabase } = base;
    expect(() => loadConfig({ ...noDatabase, SYNC_POLL_INTERVAL_SECONDS: "abc" })).toThrow(
      'invalid configuration:\n  DATABASE_URL: required, not set\n  SYNC_POLL_INTERVAL_SECONDS: expected a whole number, got "abc"',
    );
  });

  it("names a missing secret without printing any secret", () => {
    const err = (() => {
      try {
        loadConfig({ ...base, COUPANG_SECRET_KEY: "" });
      } catch (e) {
        return e as Error;
      }
    })();
    expect(err).toBeInstanceOf(ConfigError);
    expect(err?.message).toContain("COUPANG_SECRET_KEY");
  });

  it("never echoes a secret value in a validation error", () => {
    try {
      loadConfig({ ...base, DATABASE_URL: "mysql://x", COUPANG_SECRET_KEY: "very-secret-value" });
      expect.unreachable();
    } catch (e) {
      expect((e as Error).message).toContain("DATABASE_URL");
      expect((e as Error).message).not.toContain("very-secret-value");
    }
  });

  it("reads many vendors from a file, with secrets from files", () => {
    const dir = mkdtempSync(join(tmpdir(), "cfg-"));
    writeFileSync(join(dir, "s2"), "secret-two\n");
    writeFileSync(
      join(dir, "vendors.json"),
      JSON.stringify([
        { vendorId: "A00000001", accessKey: "a1", secretKey: "s1" },
        { vendorId: "A00000002", accessKey: "a2", secretKeyFile: join(dir, "s2") },
      ]),
    );
    const c = loadConfig({
      DATABASE_URL: base.DATABASE_URL,
      COUPANG_VENDORS_FILE: join(dir, "vendors.json"),
    });
    expect(c.vendors.map((v) => [v.vendorId, v.secretKey])).toEqual([
      ["A00000001", "s1"],
      ["A00000002", "secret-two"],
    ]);
  });

  it("refuses a vendor configured twice and a config with no vendor", () => {
    const dir = mkdtempSync(join(tmpdir(), "cfg-"));
    writeFileSync(
      join(dir, "v.json"),
      JSON.stringify([{ vendorId: "A00012345", accessKey: "a", secretKey: "s" }]),
    );
    expect(() => loadConfig({ ...base, COUPANG_VENDORS_FILE: join(dir, "v.json") })).toThrow(
      /configured twice/,
    );
    expect(() => loadConfig({ DATABASE_URL: base.DATABASE_URL })).toThrow(/no vendor configured/);
  });

  it("reads the outbox drain's interval, its lease and the tries per command kind", () => {
    expect(loadConfig(base).outbox).toEqual({ drainIntervalMs: 5_000, leaseMs: 300_000, maxAttempts: {} });
    expect(
      loadConfig({
        ...base,
        OUTBOX_DRAIN_INTERVAL_SECONDS: "2",
        OUTBOX_LEASE_SECONDS: "20",
        OUTBOX_MAX_ATTEMPTS: "4",
      }).outbox,
    ).toEqual({
      drainIntervalMs: 2_000,
      leaseMs: 20_000,
      maxAttempts: { ACKNOWLEDGE: 4, UPLOAD_INVOICE: 4, UPDATE_INVOICE: 4, CANCEL: 4 },
    });
    expect(
      loadConfig({ ...base, OUTBOX_MAX_ATTEMPTS: " UPLOAD_INVOICE=10, CANCEL = 3" }).outbox.maxAttempts,
    ).toEqual({ UPLOAD_INVOICE: 10, CANCEL: 3 });
    for (const bad of ["0", "101", "SHIP=3", "CANCEL=3,CANCEL=4", "CANCEL=", "ACKNOWLEDGE=2.5"]) {
      expect(() => loadConfig({ ...base, OUTBOX_MAX_ATTEMPTS: bad }), bad).toThrow(
        /OUTBOX_MAX_ATTEMPTS: a count 1–100, or KIND=count pairs/,
      );
    }
    expect(() => loadConfig({ ...base, OUTBOX_DRAIN_INTERVAL_SECONDS: "0" })).toThrow(
      /OUTBOX_DRAIN_INTERVAL_SECONDS/,
    );
    expect(() => loadConfig({ ...base, OUTBOX_LEASE_SECONDS: "4" })).toThrow(/OUTBOX_LEASE_SECONDS/);
  });

  it("reads the HTTP server's address, port and admin token", () => {
    expect(loadConfig(base).http).toEqual({ host: "127.0.0.1", port: 9464, adminToken: undefined });
    expect(
      loadConfig({
        ...base,
        HTTP_HOST: "0.0.0.0",
        HTTP_PORT: "0",
        ADMIN_TOKEN: "0123456789abcdef",
      }).http,
    ).toEqual({ host: "0.0.0.0", port: 0, adminToken: "0123456789abcdef" });
    expect(loadConfig({ ...base, HTTP_PORT: "off", ADMIN_TOKEN: "  " }).http).toEqual({
      host: "127.0.0.1",
      port: null,
      adminToken: undefined,
    });
    for (const bad of ["x", "1.5", "-1", "65536", "on"]) {
      expect(() => loadConfig({ ...base, HTTP_PORT: bad }), bad).toThrow(
        /HTTP_PORT: a port 0–65535 \(0: any free port\) or off/,
      );
    }
    expect(() => loadConfig({ ...base, HTTP_HOST: "local host" })).toThrow(/HTTP_HOST: a host name or IP/);
    // The message names the rule, never the value: a token is a secret.
    expect(() => loadConfig({ ...base, ADMIN_TOKEN: "short-secret" })).toThrow(
      /ADMIN_TOKEN: at least 16 characters/,
    );
    expect(() => loadConfig({ ...base, ADMIN_TOKEN: "short-secret" })).not.toThrow(/short-secret/);
  });
});

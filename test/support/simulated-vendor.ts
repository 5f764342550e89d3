import { afterAll, beforeAll } from "vitest";
import { CoupangClient, type CoupangClientOptions } from "@cos/coupang";
import { startSimulator, type Simulator, type SimulatorOptions } from "@cos/coupang-sim";
import { ensureVendorAccount, type PrismaClient } from "@cos/db";
import type { PlanConfig } from "@cos/sync";
import { useTestDatabase, type DatabaseFixture } from "./database.js";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * The plan settings the sync tests start from: a 2-minute list lag, 30 minutes of hot look-back,
 * a 20-day backfill, warm every 15 minutes over 7 days, cold daily over 31 days, and a budget of
 * 1,000 calls a poll (never the limit in a test). `overrides` replace single fields, e.g. a
 * shorter backfill, or a cold interval long enough that cold never comes due in the file.
 */
export function testPlan(overrides: Partial<PlanConfig> = {}): PlanConfig {
  return {
    lagMs: 2 * MINUTE,
    lookbackMs: 30 * MINUTE,
    backfillMs: 20 * DAY,
    warmIntervalMs: 15 * MINUTE,
    warmDays: 7,
    coldIntervalMs: DAY,
    coldDays: 31,
    callBudget: 1000,
    ...overrides,
  };
}

/** A vendor's keys, as the simulator and the client both take them. */
export interface VendorKeys {
  vendorId: string;
  accessKey: string;
  secretKey: string;
}

/** A test file's simulator with one vendor, a client of that vendor, and a database that knows it. */
export interface SimulatedVendorFixture {
  readonly sim: Simulator;
  readonly client: CoupangClient;
  readonly prisma: PrismaClient;
  readonly db: DatabaseFixture;
  /** A buyer's event of this vendor in the simulator (`Simulator.event`). */
  readonly event: (body: Record<string, unknown>) => Promise<Record<string, unknown>>;
}

/**
 * Registers beforeAll/afterAll hooks that start a simulator serving `vendor` (with `options`),
 * create a migrated database of the file's own holding the vendor's account, and a client at
 * 1,000 requests/s (plus `client` options, e.g. an `onResponse` counter). A file's own
 * beforeAll hooks registered after this call run after it. Read the fields inside tests or hooks.
 */
export function useSimulatedVendor(
  vendor: VendorKeys,
  options: Omit<SimulatorOptions, "vendors">,
  client: Partial<CoupangClientOptions> = {},
): SimulatedVendorFixture {
  const db = useTestDatabase();
  let sim: Simulator | undefined;
  let coupang: CoupangClient | undefined;
  beforeAll(async () => {
    sim = await startSimulator({ ...options, vendors: [vendor] });
    await ensureVendorAccount(db.prisma, { vendorId: vendor.vendorId, name: null });
    coupang = new CoupangClient({ baseUrl: sim.url, ...vendor, requestsPerSecond: 1000, ...client });
  });
  afterAll(async () => {
    coupang?.close();
    await sim?.close();
  });
  const ready = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error("the simulated vendor is used before its beforeAll hook ran");
    return value;
  };
  return {
    get sim() {
      return ready(sim);
    },
    get client() {
      return ready(coupang);
    },
    get prisma() {
      return db.prisma;
    },
    db,
    event: (body) => ready(sim).event({ vendorId: vendor.vendorId, ...body }),
  };
}

import { readFileSync } from "node:fs";
import { z } from "zod";
import { OUTBOX_COMMAND_KINDS, type OutboxCommandKind } from "@cos/db";
import type { OrderSheetsPlanConfig } from "@cos/sync";

/**
 * The worker's settings, read once at boot from the environment (the only place in the project
 * that reads `process.env`). Blank values count as missing. Secrets may be given inline or as a
 * path (`…_FILE`) for Docker/Kubernetes secrets. Every setting is listed in the README.
 */
export interface VendorConfig {
  vendorId: string;
  name?: string | undefined;
  accessKey: string;
  secretKey: string;
}

export interface WorkerConfig {
  databaseUrl: string;
  redisUrl: string | undefined;
  queuePrefix: string;
  coupangBaseUrl: string;
  /** Calls per second per vendor, across every worker process (Coupang blocks at ~10). */
  requestsPerSecond: number;
  vendors: VendorConfig[];
  pollIntervalMs: number;
  /** The ordersheets planner's tiers and budget (packages/sync `OrderSheetsPlanConfig`). */
  plan: OrderSheetsPlanConfig;
  /** How long a vendor's polls are skipped after an auth error or a block (its circuit). */
  circuitOpenMs: number;
  /** The daily count reconciliation (packages/sync `reconcileStream`): how many complete KST
   * days it compares, and the KST hour of the day it runs at per (vendor, stream). */
  reconcile: { days: number; hourKst: number };
  /** PII retention (@cos/db `erasePersonalData`): days after their last change that closed orders
   * and claims keep their buyers' personal data; undefined: never erased (the default). */
  piiRetentionDays: number | undefined;
  /**
   * The outbox drain (packages/outbox `drainOutbox`): how often each vendor's drain is woken beside
   * `NOTIFY coupang_outbox` (ms), how long a drain's claim holds before the commands of a drainer
   * that died are taken over and read back (ms), and the tries per command kind laid over the retry
   * policy's defaults (packages/outbox `DEFAULT_RETRY_POLICY`; a command's own `max_attempts` wins).
   */
  outbox: {
    drainIntervalMs: number;
    leaseMs: number;
    maxAttempts: Partial<Record<OutboxCommandKind, number>>;
  };
  /** Polls one process runs at once: `WORKER_CONCURRENCY`, else 2 per vendor up to 64. */
  concurrency: number;
  dbPoolSize: number;
  shutdownTimeoutMs: number;
  logLevel: string;
  /**
   * The worker's HTTP server (apps/worker/src/http/server.ts): the address it binds, its port (0:
   * any free port; null: no server, `HTTP_PORT=off`), and the bearer token of the admin API,
   * dashboard and status page (undefined: those answer 404).
   */
  http: { host: string; port: number | null; adminToken: string | undefined };
}

/** pino's levels, for LOG_LEVEL. */
export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

const blankToUndefined = (v: unknown) => (typeof v === "string" && v.trim() === "" ? undefined : v);
const optionalString = z.preprocess(blankToUndefined, z.string().optional());
const int = (def: number, min: number, max: number) =>
  z.preprocess(blankToUndefined, z.coerce.number().int().min(min).max(max).default(def));

/** The most tries a command may have (the bound `enqueueCommand` puts on a command's own `maxAttempts`). */
const MAX_OUTBOX_ATTEMPTS = 100;

/**
 * OUTBOX_MAX_ATTEMPTS: a number for every kind (`8`), or `KIND=n` pairs for some
 * (`UPLOAD_INVOICE=10,CANCEL=3`); unset keeps the defaults.
 */
const outboxMaxAttempts = z
  .preprocess(blankToUndefined, z.string().optional())
  .transform((text, ctx): Partial<Record<OutboxCommandKind, number>> => {
    if (text === undefined) return {};
    const count = (value: string) => {
      const n = Number(value);
      return /^\d+$/.test(value) && n >= 1 && n <= MAX_OUTBOX_ATTEMPTS ? n : undefined;
    };
    const all = count(text.trim());
    if (all !== undefined) return Object.fromEntries(OUTBOX_COMMAND_KINDS.map((kind) => [kind, all]));
    const attempts: Partial<Record<OutboxCommandKind, number>> = {};
    for (const pair of text.split(",")) {
      const [kind = "", value = ""] = pair.split("=").map((part) => part.trim());
      const n = count(value);
      if (
        !(OUTBOX_COMMAND_KINDS as readonly string[]).includes(kind) ||
        n === undefined ||
        kind in attempts
      ) {
        ctx.addIssue({
          code: "custom",
          message: `a count 1–${MAX_OUTBOX_ATTEMPTS}, or KIND=count pairs such as UPLOAD_INVOICE=10,CANCEL=3 (kinds ${OUTBOX_COMMAND_KINDS.join(", ")}, each once); got "${pair.trim()}"`,
        });
        return z.NEVER;
      }
      attempts[kind as OutboxCommandKind] = n;
    }
    return attempts;
  });

const vendorSchema = z.object({
  vendorId: z.string().regex(/^[A-Za-z0-9]{1,32}$/, "a Coupang vendorId such as A00012345"),
  name: z.string().optional(),
  accessKey: z.string().min(1),
  secretKey: z.string().min(1).optional(),
  secretKeyFile: z.string().min(1).optional(),
});

const HTTP_PORT_RULE = "a port 0–65535 (0: any free port) or off";

const envSchema = z.object({
  DATABASE_URL: z.preprocess(
    blankToUndefined,
    z.string().regex(/^postgres(ql)?:\/\//, "a postgresql:// URL"),
  ),
  REDIS_URL: z.preprocess(
    blankToUndefined,
    z
      .string()
      .regex(/^rediss?:\/\//, "a redis:// URL")
      .optional(),
  ),
  QUEUE_PREFIX: z.preprocess(
    blankToUndefined,
    z
      .string()
      .regex(/^[a-z][a-z0-9_]*$/)
      .default("cos"),
  ),
  COUPANG_BASE_URL: z.preprocess(
    blankToUndefined,
    z.url({ protocol: /^https?$/, error: "an http(s):// URL" }).default("https://api-gateway.coupang.com"),
  ),
  COUPANG_REQUESTS_PER_SECOND: z.preprocess(
    blankToUndefined,
    z.coerce.number().positive().max(10).default(5),
  ),
  COUPANG_VENDOR_ID: optionalString,
  COUPANG_VENDOR_NAME: optionalString,
  COUPANG_ACCESS_KEY: optionalString,
  COUPANG_SECRET_KEY: optionalString,
  COUPANG_SECRET_KEY_FILE: optionalString,
  COUPANG_VENDORS_FILE: optionalString,
  SYNC_POLL_INTERVAL_SECONDS: int(60, 5, 86_400),
  SYNC_LAG_SECONDS: int(120, 0, 3_600),
  // Orders reach the list ~10 min after payment; re-reading 30 min catches them (§0.6).
  SYNC_LOOKBACK_MINUTES: int(30, 30, 7 * 24 * 60),
  SYNC_BACKFILL_DAYS: int(30, 1, 3_650),
  SYNC_WARM_INTERVAL_MINUTES: int(15, 1, 24 * 60),
  // One daily window reaches 31 days (coupang-api.md §2.1).
  SYNC_WARM_DAYS: int(7, 1, 31),
  SYNC_COLD_INTERVAL_HOURS: int(24, 1, 24 * 30),
  SYNC_COLD_DAYS: int(31, 1, 3_650),
  // Coupang allows ~10 calls/s per vendor across all APIs (§10); polls spend a fraction of it.
  SYNC_CALLS_PER_MINUTE: int(120, 6, 600),
  // Unset: 2 per vendor, up to 64 (see loadConfig).
  WORKER_CONCURRENCY: z.preprocess(blankToUndefined, z.coerce.number().int().min(1).max(64).optional()),
  SYNC_CIRCUIT_OPEN_SECONDS: int(300, 10, 86_400),
  // Two weeks covers what the polls can have missed at a few calls per status; 93 days (three
  // 31-day windows) bounds one job's length, not a Coupang limit.
  SYNC_RECONCILE_DAYS: int(14, 1, 93),
  // Night in Korea: few new orders, and the day before is complete.
  SYNC_RECONCILE_HOUR_KST: int(4, 0, 23),
  // Unset: off. A day at least, so a box is never erased while its delivery is still being read.
  PII_RETENTION_DAYS: z.preprocess(blankToUndefined, z.coerce.number().int().min(1).max(3_650).optional()),
  // NOTIFY wakes a drain at once; the interval bounds how late a retry or a re-armed command runs.
  OUTBOX_DRAIN_INTERVAL_SECONDS: int(5, 1, 3_600),
  // Longer than a drain can run (500 commands, each maybe read back at the vendor's rate): a live
  // drain job found stalled runs again elsewhere, and must not take over commands still being sent.
  OUTBOX_LEASE_SECONDS: int(300, 5, 3_600),
  OUTBOX_MAX_ATTEMPTS: outboxMaxAttempts,
  DB_POOL_SIZE: int(10, 2, 200),
  SHUTDOWN_TIMEOUT_SECONDS: int(30, 1, 3_600),
  LOG_LEVEL: z.preprocess(blankToUndefined, z.enum(LOG_LEVELS).default("info")),
  // Loopback by default: the admin API must be exposed on purpose (issue 7).
  HTTP_HOST: z.preprocess(
    blankToUndefined,
    z
      .string()
      .regex(/^[A-Za-z0-9.:_-]+$/, "a host name or IP address such as 127.0.0.1 or 0.0.0.0")
      .default("127.0.0.1"),
  ),
  HTTP_PORT: z.preprocess(
    blankToUndefined,
    z
      .union([z.literal("off"), z.coerce.number().int().min(0, HTTP_PORT_RULE).max(65_535, HTTP_PORT_RULE)], {
        error: HTTP_PORT_RULE,
      })
      .default(9464),
  ),
  ADMIN_TOKEN: z.preprocess(
    blankToUndefined,
    z.string().min(16, "at least 16 characters (e.g. openssl rand -hex 32)").optional(),
  ),
});

/**
 * A zod issue of a variable in words an operator reads at once: zod's own "Invalid input:
 * expected string, received undefined" for a variable that is not set, and "expected number,
 * received NaN" for one that is not a number, which would not show the value given. A number's
 * text is shown (no secret is a number); any other issue keeps the schema's message.
 */
function describeIssue(issue: z.core.$ZodIssue, env: Record<string, string | undefined>): string {
  const raw = env[String(issue.path[0])];
  if (issue.code !== "invalid_type") return issue.message;
  if (raw === undefined || raw.trim() === "") return "required, not set";
  if (issue.expected === "number") return `expected a whole number, got ${JSON.stringify(raw)}`;
  return issue.message;
}

/** A setting that is missing or wrong, named with its variable. */
export class ConfigError extends Error {
  override name = "ConfigError";
}

/**
 * Parses and validates the environment into a frozen {@link WorkerConfig}.
 * @throws ConfigError listing every invalid variable with the reason (never its secret value).
 */
export function loadConfig(env: Record<string, string | undefined>): Readonly<WorkerConfig> {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${describeIssue(i, env)}`);
    throw new ConfigError(`invalid configuration:\n${lines.join("\n")}`);
  }
  const e = parsed.data;
  const vendors = loadVendors(e);
  return Object.freeze({
    databaseUrl: e.DATABASE_URL,
    redisUrl: e.REDIS_URL,
    queuePrefix: e.QUEUE_PREFIX,
    coupangBaseUrl: e.COUPANG_BASE_URL.replace(/\/+$/, ""),
    requestsPerSecond: e.COUPANG_REQUESTS_PER_SECOND,
    vendors,
    pollIntervalMs: e.SYNC_POLL_INTERVAL_SECONDS * 1000,
    plan: Object.freeze({
      lagMs: e.SYNC_LAG_SECONDS * 1000,
      lookbackMs: e.SYNC_LOOKBACK_MINUTES * 60_000,
      backfillMs: e.SYNC_BACKFILL_DAYS * 86_400_000,
      warmIntervalMs: e.SYNC_WARM_INTERVAL_MINUTES * 60_000,
      warmDays: e.SYNC_WARM_DAYS,
      coldIntervalMs: e.SYNC_COLD_INTERVAL_HOURS * 3_600_000,
      coldDays: e.SYNC_COLD_DAYS,
      // The per-minute budget, spread over the polls of one minute.
      callBudget: Math.max(1, Math.floor((e.SYNC_CALLS_PER_MINUTE * e.SYNC_POLL_INTERVAL_SECONDS) / 60)),
    }),
    circuitOpenMs: e.SYNC_CIRCUIT_OPEN_SECONDS * 1000,
    reconcile: Object.freeze({
      days: e.SYNC_RECONCILE_DAYS,
      hourKst: e.SYNC_RECONCILE_HOUR_KST,
    }),
    piiRetentionDays: e.PII_RETENTION_DAYS,
    outbox: Object.freeze({
      drainIntervalMs: e.OUTBOX_DRAIN_INTERVAL_SECONDS * 1000,
      leaseMs: e.OUTBOX_LEASE_SECONDS * 1000,
      maxAttempts: Object.freeze(e.OUTBOX_MAX_ATTEMPTS),
    }),
    // A poll spends most of its time waiting for its vendor's limiter (5 calls/s: 200 ms a call),
    // so a process serving many vendors must run many polls at once: with 2 slots a process ran 1.6
    // polls/s, where 1,000 vendors' schedule asks 67 (BENCHMARKS.md §7). A vendor's four streams
    // share its limiter, so more than 2 slots per vendor would mostly wait.
    concurrency: e.WORKER_CONCURRENCY ?? Math.min(64, 2 * vendors.length),
    dbPoolSize: e.DB_POOL_SIZE,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_SECONDS * 1000,
    logLevel: e.LOG_LEVEL,
    http: Object.freeze({
      host: e.HTTP_HOST,
      port: e.HTTP_PORT === "off" ? null : e.HTTP_PORT,
      adminToken: e.ADMIN_TOKEN,
    }),
  });
}

function readSecretFile(path: string, variable: string): string {
  try {
    return readFileSync(path, "utf8").trim();
  } catch (err) {
    throw new ConfigError(
      `${variable}: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? "error"})`,
    );
  }
}

function loadVendors(e: z.infer<typeof envSchema>): VendorConfig[] {
  const vendors: VendorConfig[] = [];
  if (e.COUPANG_VENDORS_FILE) {
    let list: unknown;
    try {
      list = JSON.parse(readSecretFile(e.COUPANG_VENDORS_FILE, "COUPANG_VENDORS_FILE"));
    } catch (err) {
      if (err instanceof ConfigError) throw err;
      throw new ConfigError(`COUPANG_VENDORS_FILE: ${e.COUPANG_VENDORS_FILE} is not valid JSON`);
    }
    const parsed = z.array(vendorSchema).safeParse(list);
    if (!parsed.success) {
      const i = parsed.error.issues[0];
      throw new ConfigError(`COUPANG_VENDORS_FILE: [${i?.path.join(".")}] ${i?.message}`);
    }
    for (const v of parsed.data) {
      const secretKey =
        v.secretKey ??
        (v.secretKeyFile ? readSecretFile(v.secretKeyFile, `${v.vendorId}.secretKeyFile`) : "");
      if (!secretKey) throw new ConfigError(`COUPANG_VENDORS_FILE: vendor ${v.vendorId} has no secretKey`);
      vendors.push({ vendorId: v.vendorId, name: v.name, accessKey: v.accessKey, secretKey });
    }
  }
  if (e.COUPANG_VENDOR_ID) {
    const secretKey =
      e.COUPANG_SECRET_KEY ??
      (e.COUPANG_SECRET_KEY_FILE
        ? readSecretFile(e.COUPANG_SECRET_KEY_FILE, "COUPANG_SECRET_KEY_FILE")
        : undefined);
    const missing = [
      !e.COUPANG_ACCESS_KEY && "COUPANG_ACCESS_KEY",
      !secretKey && "COUPANG_SECRET_KEY",
    ].filter(Boolean);
    if (missing.length > 0)
      throw new ConfigError(`COUPANG_VENDOR_ID is set but ${missing.join(" and ")} missing`);
    const parsed = vendorSchema.safeParse({ vendorId: e.COUPANG_VENDOR_ID, accessKey: e.COUPANG_ACCESS_KEY });
    if (!parsed.success) throw new ConfigError(`COUPANG_VENDOR_ID: ${parsed.error.issues[0]?.message}`);
    vendors.push({
      vendorId: e.COUPANG_VENDOR_ID,
      name: e.COUPANG_VENDOR_NAME,
      accessKey: e.COUPANG_ACCESS_KEY!,
      secretKey: secretKey!,
    });
  }
  const ids = vendors.map((v) => v.vendorId);
  const dup = ids.find((id, i) => ids.indexOf(id) !== i);
  if (dup) throw new ConfigError(`vendor ${dup} is configured twice`);
  if (vendors.length === 0) {
    throw new ConfigError(
      "no vendor configured: set COUPANG_VENDOR_ID, COUPANG_ACCESS_KEY and COUPANG_SECRET_KEY, or COUPANG_VENDORS_FILE",
    );
  }
  return vendors;
}

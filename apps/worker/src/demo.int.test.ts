import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPrisma, type PrismaClient } from "@cos/db";
import { STREAM_NAMES } from "@cos/sync";
import { resetVendor } from "./demo-summary.js";
import { DEMO_VENDOR, startDemoWorld } from "./demo-world.js";
import { compareKinds } from "./ground-truth.js";
import { createTestDatabase, type TestDatabase } from "../../../test/support/postgres.js";

const DEMO = fileURLToPath(new URL("./demo.ts", import.meta.url));
const WORLD = { seed: 3, orders: 300, days: 5 };
const ARGS = ["--seed", "3", "--orders", "300", "--days", "5"];

let db: TestDatabase;
let prisma: PrismaClient;
const queuePrefix = `d${randomBytes(3).toString("hex")}`;
beforeAll(async () => {
  // Empty: the demo applies the migrations itself.
  db = await createTestDatabase(false);
  prisma = createPrisma(db.url, { max: 2 });
});
afterAll(async () => {
  await prisma?.$disconnect();
  await db?.drop();
});

/** Runs `npm run demo` against the test database; sends SIGINT once `interruptAt` matches its output. */
function runDemo(args: string[], interruptAt?: RegExp) {
  const child = spawn(process.execPath, ["--import", "tsx", DEMO, ...args], {
    env: { PATH: process.env.PATH, DATABASE_URL: db.url, QUEUE_PREFIX: queuePrefix },
  });
  let output = "";
  let interrupted = false;
  return new Promise<{ code: number | null; output: string }>((resolve) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (interruptAt && !interrupted && interruptAt.test(output)) {
        interrupted = true;
        child.kill("SIGINT");
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.on("exit", (code) => resolve({ code, output }));
  });
}

/**
 * The demo's digest of its /metrics scrape (demo-summary.ts `formatMetricsDigest`), per series: its
 * total (null for `—`, no samples) and its parts by label.
 */
function metricsDigest(
  output: string,
): Record<string, { total: number | null; parts: Record<string, number> }> {
  const digest = output.split("\nMetrics (/metrics, ")[1];
  expect(digest, "the demo prints a metrics digest").toBeDefined();
  const series: Record<string, { total: number | null; parts: Record<string, number> }> = {};
  for (const line of digest!.split("\n\n")[0]!.split("\n").slice(1)) {
    const [, name, total, parts] = /^ {2}(cos_\w+) +(—|[\d,]+)(?: {2}\((.*)\))?$/.exec(line)!;
    const number = (text: string) => Number(text.replaceAll(",", ""));
    series[name!] = {
      total: total === "—" ? null : number(total!),
      parts: Object.fromEntries(
        (parts?.split(", ") ?? []).map((p) => [p.split(": ")[0], number(p.split(": ")[1]!)]),
      ),
    };
  }
  return series;
}

/** How many change events the feed holds. */
async function feedLength(): Promise<bigint> {
  const [{ n }] = await prisma.$queryRawUnsafe<[{ n: bigint }]>(`SELECT count(*) AS n FROM change_events`);
  return n;
}

describe("npm run demo", () => {
  it("syncs every stream of a world with returns, withdrawals and exchanges until the database equals the simulator", async () => {
    const { code, output } = await runDemo(["--reset", ...ARGS]);
    expect(output).toContain("The database equals the simulator's ground truth");
    expect(code).toBe(0);
    expect(output).toContain(
      "buyers     6 returns (2 withdrawn, 2 completed), 2 stop-shipment requests (1 withdrawn), 2 cancels, 4 exchanges (1 cancelled)",
    );
    expect(output).toMatch(/Database: postgresql:\/\/\S+ \(DATABASE_URL\)/);

    // The same world, built again: the demo's is deterministic per (seed, orders, days, KST day).
    const { sim, activity } = await startDemoWorld(WORLD);
    let stored: number | undefined;
    try {
      const kinds = await compareKinds(prisma, sim.groundTruth());
      expect(kinds.filter((k) => !k.equal)).toEqual([]);
      const rows = Object.fromEntries(kinds.map((k) => [k.kind, [k.dbRows, k.truthRows]]));
      stored = kinds.reduce((n, k) => n + k.dbRows, 0);
      // Receipts served: 6 returns, 2 stop requests and 2 instant cancels, less the 3 withdrawn
      // before the sync (the list no longer serves them, so they were never stored).
      expect(rows.return_request).toEqual([7, 7]);
      expect(rows.return_withdrawal).toEqual([3, 3]);
      expect(rows.exchange_request).toEqual([4, 4]);
      expect(activity.returnsWithdrawn + activity.stopRequestsWithdrawn).toBe(3);
    } finally {
      await sim.close();
    }

    // Every stream completed its polls: no run left interrupted or running, no cursor left behind.
    const runs = await prisma.$queryRawUnsafe<Array<{ status: string }>>(
      `SELECT DISTINCT status FROM sync_runs WHERE status NOT IN ('succeeded', 'partial')`,
    );
    expect(runs).toEqual([]);
    const checkpoints = await prisma.$queryRawUnsafe<Array<{ stream: string; cursor: unknown }>>(
      `SELECT stream, cursor FROM sync_checkpoints ORDER BY stream`,
    );
    expect(checkpoints).toEqual([...STREAM_NAMES].sort().map((stream) => ({ stream, cursor: null })));

    // Issue 7: after the run, /metrics has every listed series, with sane values.
    const digest = metricsDigest(output);
    const apiCalls = Number(/with (\d+) API calls/.exec(output)?.[1]);
    expect(digest.cos_coupang_requests_total!.total).toBeGreaterThanOrEqual(apiCalls);
    expect(apiCalls).toBeGreaterThan(0);
    expect(digest.cos_coupang_request_duration_seconds!.total).toBe(digest.cos_coupang_requests_total!.total);
    expect(digest.cos_coupang_rate_limited_total!.total).toBe(0);
    // A first sync into an empty database: every stored row was upserted once, with one event each.
    expect(digest.cos_rows_upserted_total!.total).toBe(stored);
    expect(digest.cos_change_events_total!.total).toBe(Number(await feedLength()));
    expect(digest.cos_rows_rejected_total!.total).toBe(0);
    expect(digest.cos_poll_failures_total!.total).toBeNull();
    // Each checkpoint stops SYNC_LAG_SECONDS (120 s) behind now: the lag is that, plus the run.
    expect(Object.keys(digest.cos_freshness_lag_seconds!.parts).sort()).toEqual([...STREAM_NAMES].sort());
    for (const lag of Object.values(digest.cos_freshness_lag_seconds!.parts)) {
      expect(lag).toBeGreaterThanOrEqual(120);
      expect(lag).toBeLessThan(300);
    }
    const [{ commands }] = await prisma.$queryRawUnsafe<[{ commands: bigint }]>(
      `SELECT count(*) AS commands FROM outbox_commands`,
    );
    expect(digest.cos_outbox_commands!.total).toBe(Number(commands));
    expect(digest.cos_outbox_oldest_age_seconds!.total).toBeNull();
    expect(digest.cos_job_duration_seconds!.parts.inbound).toBeGreaterThanOrEqual(STREAM_NAMES.length);
  }, 120_000);

  it("writes nothing when run again", async () => {
    const events = await feedLength();
    const { code, output } = await runDemo(ARGS);
    expect(code).toBe(0);
    expect(output).toContain("This run wrote nothing");
    expect(output).toContain("The database equals the simulator's ground truth");
    expect(await feedLength()).toBe(events);
  }, 120_000);

  it("says the database holds another world when a run with other options writes nothing", async () => {
    const events = await feedLength();
    const { code, output } = await runDemo(["--seed", "4", "--orders", "300", "--days", "5"]);
    expect(code).toBe(1);
    expect(output).toContain(
      "This run wrote nothing, yet the database differs from the simulator: it holds another world.",
    );
    expect(output).not.toContain("already held this world");
    expect(output).toContain("Run again with --reset.");
    expect(await feedLength()).toBe(events);
  }, 120_000);

  it("--reset forgets the vendor's change events, sync state and outbox too", async () => {
    // Interrupted as soon as the worker has started, after the reset.
    const { code, output } = await runDemo(["--reset", ...ARGS], /buyers {5}/);
    expect(output).toContain("Interrupted before the first sync finished");
    expect(code).toBe(0);
    const [{ orphans }] = await prisma.$queryRawUnsafe<[{ orphans: bigint }]>(
      `SELECT count(*) AS orphans FROM change_events e
        WHERE e.entity = 'shipment_box'
          AND NOT EXISTS (SELECT 1 FROM shipment_boxes b WHERE b.shipment_box_id::text = e.entity_id)`,
    );
    expect(orphans).toBe(0n);

    // The docs' UPLOAD_INVOICE (docs/database.md), sent once, as a --daemon demo leaves it; another
    // vendor's command must survive the demo vendor's reset.
    await prisma.$executeRawUnsafe(
      `INSERT INTO vendor_accounts (vendor_id, name) VALUES ('B-OTHER', 'other')`,
    );
    await prisma.$executeRawUnsafe(
      `INSERT INTO outbox_commands (vendor_id, kind, shipment_box_id, order_id, payload, created_by, status)
       VALUES ($1, 'UPLOAD_INVOICE', 300000000000012345, 9000000000001,
               '{"deliveryCompanyCode": "CJGLS", "invoiceNumber": "123412341234"}', 'sql:my-wms', 'succeeded'),
              ('B-OTHER', 'ACKNOWLEDGE', 300000000000054321, 9000000000002, '{}', 'sql:my-wms', 'succeeded')`,
      DEMO_VENDOR.vendorId,
    );
    await prisma.$executeRawUnsafe(
      `INSERT INTO outbox_attempts (command_id, attempt, started_at, finished_at, request, outcome)
       SELECT id, 1, now(), now(), '{}', 'succeeded' FROM outbox_commands`,
    );

    await resetVendor(db.url, DEMO_VENDOR.vendorId);
    const outbox = await prisma.$queryRawUnsafe<Array<{ vendor_id: string; kind: string; attempts: bigint }>>(
      `SELECT c.vendor_id, c.kind, count(a.id) AS attempts
         FROM outbox_commands c LEFT JOIN outbox_attempts a ON a.command_id = c.id
        GROUP BY c.vendor_id, c.kind`,
    );
    expect(outbox).toEqual([{ vendor_id: "B-OTHER", kind: "ACKNOWLEDGE", attempts: 1n }]);
    const left = await prisma.$queryRawUnsafe<Array<{ table: string; n: bigint }>>(
      [
        "change_events",
        "shipment_boxes",
        "order_items",
        "return_requests",
        "return_withdrawals",
        "exchange_requests",
        "sync_checkpoints",
        "sync_runs",
        "sync_leases",
      ]
        .map((t) => `SELECT '${t}' AS table, count(*) AS n FROM ${t}`)
        .join(" UNION ALL "),
    );
    expect(left.filter((r) => r.n !== 0n)).toEqual([]);
  }, 120_000);
});

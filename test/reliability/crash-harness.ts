import { randomBytes } from "node:crypto";
import { startSimulator, type Simulator } from "@cos/coupang-sim";
import { createPrisma, type PrismaClient } from "@cos/db";
import { Prng } from "../../apps/coupang-sim/src/world/prng.js";
import { startDaemon, waitFor, type Daemon } from "../support/daemon.js";
import { checkChangeFeed, compareKinds, duplicateRows } from "../support/ground-truth.js";

// Issue 9, "Crash safety": the worker, a child process, is killed with SIGKILL at random points
// of a mixed inbound and outbound workload against a simulator whose buyers keep acting, and
// restarted each time; afterwards nothing may be lost, doubled or out of order.

/** The simulated vendor of the harness and of its exported helpers (also used by restarts.int.test.ts). */
export const VENDOR = { vendorId: "A00090909", accessKey: "ak-crash-harness", secretKey: "sk-crash-harness" };
const STREAMS = ["ordersheets", "returnRequests", "exchangeRequests", "returnWithdrawRequests"];
/** Command statuses that still wait for the worker. */
const UNSETTLED = ["pending", "in_flight", "unknown"];
/** The simulator endpoint each command kind writes through (its write log's `endpoint`). */
const ENDPOINT: Record<string, string> = {
  ACKNOWLEDGE: "ordersheets/acknowledgement",
  UPLOAD_INVOICE: "orders/invoices",
  CANCEL: "orders/{orderId}/cancel",
};

/** Settings of {@link runCrashHarness}. */
export interface CrashHarnessOptions {
  /** Worker runs, each ended by SIGKILL; a last one then settles and stops with SIGTERM. */
  runs: number;
  /** Seed of the simulated world and of every draw of the harness (kill points, commands). */
  seed: number;
  /** An empty, migrated database of the harness's own. */
  databaseUrl: string;
  /** Redis for the queues, or null for BullMQ's Postgres backend in the database. */
  redisUrl: string | null;
  /** Boxes in the simulated history (2 days); default 400. */
  orders?: number;
  /** Where in a run the kill lands: uniform in [min, max] ms (default 500–4,000). */
  killAfterMs?: readonly [number, number];
  /** How long the last run may take to settle, in ms (default 5 minutes). */
  settleTimeoutMs?: number;
  /** Progress lines (default: none). */
  log?: (line: string) => void;
}

/** What the harness did, and every loss it found. */
export interface CrashReport {
  runs: number;
  kills: number;
  /** Kills that landed before the worker had started (migrations, scheduler upserts, boot). */
  killsDuringBoot: number;
  seconds: number;
  /** Commands inserted with SQL (plus the acknowledgements uploads asked for), by final status. */
  commands: Record<string, number>;
  /** Writes the simulator applied, and how many of them a fault left unanswered. */
  writes: { applied: number; unanswered: number };
  /** Coupang API calls the simulator served (every worker run). */
  apiCalls: number;
  /** Stored rows per entity kind at the end, beside the ground truth's. */
  rows: Record<string, { db: number; truth: number }>;
  /** Change events appended, by kind. */
  events: Record<string, number>;
  /** Each loss found: a missing, extra or different row, a duplicate, a broken chain, a
   * checkpoint that moved back, a command lost, doubled or unsettled. Empty is the goal. */
  losses: string[];
}

/** At most `n` of `items`, with a count of the rest. */
function some(items: readonly string[], n = 5): string {
  return items.slice(0, n).join(", ") + (items.length > n ? ` (+${items.length - n})` : "");
}

/**
 * Runs the crash harness (docs/reliability.md "Crash safety"): a simulator with buyer activity
 * on a real clock, the worker as a child process on the given database and queue backend,
 * polling all four streams every 5 s and draining commands that the harness inserts with SQL
 * before each run (acknowledgements, invoice uploads — some on ACCEPT boxes, so the worker adds
 * the acknowledgement — and cancels, chosen among the boxes the database holds). Invoice writes
 * are slowed and one in ten is applied but never answered, so kills land mid-call too.
 *
 * Each run is killed with SIGKILL at a seeded random point; after the kill, the dead worker's
 * poll leases are ended as their 2-minute TTL would end them (it is dead for sure), so the next
 * run polls at once instead of waiting. The checkpoints are read after each run. After the last
 * run the simulator's clock stops, and one more worker runs until every command is final and
 * each stream has completed a warm poll after that, then stops with SIGTERM. Then it checks
 * the database against the ground truth (every kind, row and field), duplicates, the change
 * feed, the checkpoints' history, and the simulator's write log against the commands.
 * @throws Error when a worker run cannot start or the end does not settle in time.
 */
export async function runCrashHarness(options: CrashHarnessOptions): Promise<CrashReport> {
  const started = Date.now();
  const rng = new Prng(options.seed);
  const [killMin, killMax] = options.killAfterMs ?? [500, 4_000];
  const log = options.log ?? (() => {});
  /** Set when the world stops: the simulator's clock stays there. */
  let frozenAt: Date | null = null;
  const sim = await startSimulator({
    seed: options.seed,
    orders: options.orders ?? 400,
    days: 2,
    // The history ends 5 minutes ago; the buyers act from there on.
    anchor: new Date(Date.now() - 300_000),
    vendors: [VENDOR],
    // New boxes reach the list a minute after payment (Coupang: about 10), so a short harness
    // sees them arrive.
    listLagMinutes: 1,
    // New orders every few seconds, and more of the buyers' cancels, address changes, stop
    // requests, returns and exchanges than a real day has, so runs see the world move.
    activity: {
      newOrdersPerHour: 600,
      buyerCancelShare: 0.1,
      addressChangeShare: 0.1,
      stopShipmentShare: 0.1,
    },
    now: () => frozenAt ?? new Date(),
    // After the freeze the worker's clock runs on: its signatures must stay valid.
    signatureSkewSeconds: 3_600,
    faults: [
      { endpoint: "orders/invoices", kind: "latency", latencyMs: 300 },
      {
        endpoint: "orders/invoices",
        kind: "timeoutAfterWrite",
        mode: "hang",
        holdMs: 1_000,
        probability: 0.1,
      },
    ],
  });
  const prisma = createPrisma(options.databaseUrl, { max: 3 });
  const queuePrefix = `crash${randomBytes(3).toString("hex")}`;
  const losses: string[] = [];
  let daemon: Daemon | undefined;
  try {
    const env = harnessEnv({
      databaseUrl: options.databaseUrl,
      redisUrl: options.redisUrl,
      queuePrefix,
      simUrl: sim.url,
    });
    const checkpoints = new Map<string, number>();
    const readCheckpoints = async (after: string) => {
      const rows = await prisma.$queryRawUnsafe<Array<{ stream: string; at: Date | null }>>(
        `SELECT stream, synced_through AS at FROM sync_checkpoints WHERE vendor_id = $1`,
        VENDOR.vendorId,
      );
      for (const { stream, at } of rows) {
        const before = checkpoints.get(stream);
        const now = at?.getTime() ?? -Infinity;
        if (before !== undefined && now < before)
          losses.push(
            `checkpoint of ${stream} moved back after ${after}: ${new Date(before).toISOString()} → ${at?.toISOString() ?? "null"}`,
          );
        checkpoints.set(stream, Math.max(before ?? -Infinity, now));
      }
    };

    let kills = 0;
    let killsDuringBoot = 0;
    let invoiceNumber = 770_000_000_000 + rng.int(0, 9_999) * 10_000;
    for (let run = 1; run <= options.runs; run++) {
      const inserted = await insertCommands(prisma, rng, () => String(invoiceNumber++));
      daemon = startDaemon(env);
      // One kill in five counts from the spawn, so some land during boot; the others from the
      // moment the worker runs.
      const fromSpawn = rng.chance(0.2);
      if (!fromSpawn) await daemon.waitForOutput(/"msg":"worker started"/, 120_000);
      const delay = rng.int(killMin, killMax);
      await new Promise((r) => setTimeout(r, delay));
      const booted = /"msg":"worker started"/.test(daemon.output());
      daemon.kill("SIGKILL");
      const exit = await daemon.exited;
      if (exit !== "SIGKILL") {
        throw new Error(
          `run ${run}: the worker exited with ${exit} before its kill:\n${daemon.output().slice(-4_000)}`,
        );
      }
      kills++;
      if (!booted) killsDuringBoot++;
      await prisma.$executeRawUnsafe(
        `UPDATE sync_leases SET expires_at = now() WHERE vendor_id = $1 AND expires_at > now()`,
        VENDOR.vendorId,
      );
      await readCheckpoints(`run ${run}`);
      log(
        `run ${run}/${options.runs}: ${inserted} commands inserted, SIGKILL ${delay} ms after ${fromSpawn ? "spawn" : "start"}` +
          `${booted ? "" : " (during boot)"}`,
      );
    }

    // Settle: the world stops, one more worker finishes every command, and then polls every
    // stream once more with the warm tier, which re-reads the days where rows could still change.
    frozenAt = new Date();
    daemon = startDaemon(env);
    const settleTimeout = options.settleTimeoutMs ?? 300_000;
    try {
      await waitFor("every command final", settleTimeout, async () => {
        const [row] = await prisma.$queryRawUnsafe<Array<{ n: number }>>(
          `SELECT count(*)::int AS n FROM outbox_commands WHERE status = ANY($1)`,
          UNSETTLED,
        );
        return row?.n === 0;
      });
      const settledAt = new Date();
      await waitFor("a warm poll of every stream after the last command", settleTimeout, async () => {
        const [row] = await prisma.$queryRawUnsafe<Array<{ n: number }>>(
          `SELECT count(*)::int AS n FROM sync_checkpoints
            WHERE vendor_id = $1 AND cursor IS NULL AND (tier_runs->>'warm')::timestamptz > $2`,
          VENDOR.vendorId,
          settledAt,
        );
        return row?.n === STREAMS.length;
      });
    } catch (err) {
      throw new Error(`${(err as Error).message}; the worker's output:\n${daemon.output().slice(-4_000)}`, {
        cause: err,
      });
    }
    daemon.kill("SIGTERM");
    const exit = await daemon.exited;
    if (exit !== 0) losses.push(`the last worker exited with ${exit} after SIGTERM, not 0`);
    await readCheckpoints("the last run");

    const truth = sim.groundTruth(VENDOR.vendorId);
    const rows: CrashReport["rows"] = {};
    for (const c of await compareKinds(prisma, truth)) {
      rows[c.kind] = { db: c.dbRows, truth: c.truthRows };
      if (c.missing.length > 0) losses.push(`${c.kind}: ${c.missing.length} missing: ${some(c.missing)}`);
      if (c.extra.length > 0) losses.push(`${c.kind}: ${c.extra.length} extra: ${some(c.extra)}`);
      if (c.rawMismatches.length > 0)
        losses.push(`${c.kind}: ${c.rawMismatches.length} payloads differ: ${some(c.rawMismatches)}`);
      if (c.columnMismatches.length > 0)
        losses.push(`${c.kind}: ${c.columnMismatches.length} columns differ: ${some(c.columnMismatches)}`);
    }
    for (const d of await duplicateRows(prisma, VENDOR.vendorId)) losses.push(`duplicate row: ${d}`);
    const feed = await checkChangeFeed(prisma, VENDOR.vendorId);
    if (feed.notCreatedOnce.length > 0)
      losses.push(
        `change feed: ${feed.notCreatedOnce.length} rows not created once: ${some(feed.notCreatedOnce)}`,
      );
    if (feed.brokenChains.length > 0)
      losses.push(`change feed: ${feed.brokenChains.length} broken chains: ${some(feed.brokenChains)}`);
    if (feed.duplicates.length > 0)
      losses.push(`change feed: ${feed.duplicates.length} duplicate events: ${some(feed.duplicates)}`);
    if (feed.orphans.length > 0)
      losses.push(`change feed: ${feed.orphans.length} orphans: ${some(feed.orphans)}`);

    const commands = await checkWrites(prisma, sim, losses);
    const writes = sim.writes({ vendorId: VENDOR.vendorId });
    return {
      runs: options.runs,
      kills,
      killsDuringBoot,
      seconds: Math.round((Date.now() - started) / 1000),
      commands,
      writes: { applied: writes.length, unanswered: writes.filter((w) => !w.delivered).length },
      apiCalls: sim.calls().total ?? 0,
      rows,
      events: feed.events,
      losses,
    };
  } finally {
    daemon?.kill("SIGKILL");
    await daemon?.exited;
    await prisma.$disconnect();
    await sim.close();
  }
}

/**
 * Inserts a few commands through the consumers' SQL contract (docs/database.md "Outbound
 * commands") for boxes the database holds and no command names yet: acknowledgements and cancels
 * of ACCEPT boxes, invoice uploads of INSTRUCT boxes and of an ACCEPT box now and then (the
 * worker acknowledges it first). Returns how many it inserted.
 */
export async function insertCommands(
  prisma: PrismaClient,
  rng: Prng,
  nextInvoice: () => string,
): Promise<number> {
  const free = await prisma.$queryRawUnsafe<Array<{ box: string; order: string; status: string }>>(
    `SELECT b.shipment_box_id::text AS box, b.order_id::text AS order, b.status
       FROM shipment_boxes b
      WHERE b.vendor_id = $1 AND b.status IN ('ACCEPT', 'INSTRUCT')
        AND NOT EXISTS (SELECT 1 FROM outbox_commands c WHERE c.shipment_box_id = b.shipment_box_id)
      ORDER BY b.shipment_box_id`,
    VENDOR.vendorId,
  );
  const take = (status: string, n: number) => {
    const out = [];
    for (let i = 0; i < n; i++) {
      const pool = free.filter((b) => b.status === status);
      if (pool.length === 0) break;
      const box = rng.pick(pool);
      free.splice(free.indexOf(box), 1);
      out.push(box);
    }
    return out;
  };
  const invoice = () => JSON.stringify({ deliveryCompanyCode: "CJGLS", invoiceNumber: nextInvoice() });
  const rows = [
    ...take("ACCEPT", rng.int(0, 4)).map((b) => ({ ...b, kind: "ACKNOWLEDGE", payload: "{}" })),
    ...take("INSTRUCT", rng.int(0, 4)).map((b) => ({ ...b, kind: "UPLOAD_INVOICE", payload: invoice() })),
    ...take("ACCEPT", rng.chance(0.3) ? 1 : 0).map((b) => ({
      ...b,
      kind: "UPLOAD_INVOICE",
      payload: invoice(),
    })),
    ...take("ACCEPT", rng.chance(0.3) ? 1 : 0).map((b) => ({
      ...b,
      kind: "CANCEL",
      payload: JSON.stringify({ middleCancelCode: "CCTTER", userId: "crash-seller" }),
    })),
  ];
  for (const row of rows) {
    await prisma.$executeRawUnsafe(
      `INSERT INTO outbox_commands (vendor_id, kind, shipment_box_id, order_id, payload, created_by)
       VALUES ($1, $2, $3::bigint, $4::bigint, $5::jsonb, 'sql:crash-harness')
       ON CONFLICT (dedupe_key) DO NOTHING`,
      VENDOR.vendorId,
      row.kind,
      row.box,
      row.order,
      row.payload,
    );
  }
  return rows.length;
}

/**
 * Checks the simulator's write log against the commands: a succeeded command was applied exactly
 * once, any other never, and no write was applied that no succeeded command accounts for; every
 * command is final and none is dead. Adds what it finds to `losses`; returns the commands per
 * status.
 */
export async function checkWrites(
  prisma: PrismaClient,
  sim: Simulator,
  losses: string[],
): Promise<Record<string, number>> {
  const commands = await prisma.$queryRawUnsafe<
    Array<{ id: string; kind: string; box: string; status: string; code: string | null }>
  >(
    `SELECT id::text, kind, shipment_box_id::text AS box, status, last_result_code AS code
       FROM outbox_commands WHERE vendor_id = $1 ORDER BY id`,
    VENDOR.vendorId,
  );
  const byStatus: Record<string, number> = {};
  const accounted = new Set<string>();
  for (const c of commands) {
    byStatus[c.status] = (byStatus[c.status] ?? 0) + 1;
    const name = `${c.kind} ${c.id} of box ${c.box}`;
    if (UNSETTLED.includes(c.status)) losses.push(`${name} is still ${c.status}`);
    if (c.status === "dead") losses.push(`${name} is dead (${c.code ?? "no code"})`);
    const endpoint = ENDPOINT[c.kind];
    if (!endpoint) {
      losses.push(`${name}: a kind the harness does not insert`);
      continue;
    }
    // One record per call: a cancel of several items names its box once per item.
    const applied = sim
      .writes({ vendorId: VENDOR.vendorId, endpoint, target: `shipmentBoxId:${c.box}` })
      .map((w) => w.seq);
    const calls = new Set(applied).size;
    const expected = c.status === "succeeded" ? 1 : 0;
    if (calls !== expected)
      losses.push(`${name} is ${c.status}${c.code ? ` (${c.code})` : ""} but was applied ${calls} times`);
    if (c.status === "succeeded") accounted.add(`${endpoint} ${c.box}`);
  }
  for (const write of sim.writes({ vendorId: VENDOR.vendorId })) {
    const endpoint = write.endpoint.split(" ")[1] ?? "";
    for (const target of write.targets) {
      if (!target.startsWith("shipmentBoxId:")) continue;
      const box = target.slice("shipmentBoxId:".length);
      if (!accounted.has(`${endpoint} ${box}`))
        losses.push(`write ${write.seq} (${write.endpoint} of box ${box}) applied for no succeeded command`);
    }
  }
  return byStatus;
}

/**
 * The worker's environment under the harness's load: polls every 5 s, warm every minute, drains
 * woken every second, 5 s outbox leases and shutdowns; shared with the restart test.
 */
export function harnessEnv(target: {
  databaseUrl: string;
  redisUrl?: string | null;
  queuePrefix: string;
  simUrl: string;
}): Record<string, string> {
  return {
    DATABASE_URL: target.databaseUrl,
    ...(target.redisUrl ? { REDIS_URL: target.redisUrl } : {}),
    QUEUE_PREFIX: target.queuePrefix,
    COUPANG_BASE_URL: target.simUrl,
    COUPANG_VENDOR_ID: VENDOR.vendorId,
    COUPANG_ACCESS_KEY: VENDOR.accessKey,
    COUPANG_SECRET_KEY: VENDOR.secretKey,
    COUPANG_REQUESTS_PER_SECOND: "10",
    SYNC_BACKFILL_DAYS: "3",
    SYNC_POLL_INTERVAL_SECONDS: "5",
    SYNC_LAG_SECONDS: "0",
    SYNC_WARM_INTERVAL_MINUTES: "1",
    SYNC_WARM_DAYS: "3",
    SYNC_CALLS_PER_MINUTE: "600",
    OUTBOX_DRAIN_INTERVAL_SECONDS: "1",
    OUTBOX_LEASE_SECONDS: "5",
    SHUTDOWN_TIMEOUT_SECONDS: "5",
    HTTP_PORT: "off",
    LOG_LEVEL: "info",
  };
}

import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { CoupangClient } from "@cos/coupang";
import type { Simulator } from "@cos/coupang-sim";
import { OUTBOX_STATUSES, type PrismaClient } from "@cos/db";
import { JOBS } from "@cos/queue";
import { STREAM_NAMES } from "@cos/sync";
import {
  CircuitOpenError,
  createWorkerEvents,
  startWorker,
  type PollOutcome,
  type WorkerApp,
} from "./app.js";
import { loadConfig } from "./config.js";
import { parseExposition, type MetricFamily } from "./exposition.js";
import { createLogger } from "./logger.js";
import type { DrainOutcome } from "./outbound.js";
import { compareStreams } from "../../../test/support/ground-truth.js";
import { createTestDatabase, type TestDatabase } from "../../../test/support/postgres.js";
import { bootPolls, simulatorFor, workerEnv } from "../../../test/support/worker-env.js";

const VENDOR = { vendorId: "A00066666", accessKey: "ak-m", secretKey: "sk-m-secret-value" };
const redisUrl = inject("redisUrl");

let sim: Simulator;
let client: CoupangClient;
beforeAll(async () => {
  sim = await simulatorFor(VENDOR, { seed: 14, orders: 40, days: 3, activity: "none" });
  // The test's own hands on Coupang; used only before the worker starts, so that from then on
  // the simulator's call log holds the worker's calls alone.
  client = new CoupangClient({ baseUrl: sim.url, ...VENDOR, requestsPerSecond: 1000 });
});
afterAll(async () => {
  client?.close();
  await sim?.close();
});

/** A new paid order's first box, ACCEPT in the simulator; INSTRUCT when `acknowledged`. */
async function newBox(acknowledged: boolean): Promise<{ shipmentBoxId: bigint; orderId: bigint }> {
  const order = await sim.event({ vendorId: VENDOR.vendorId, type: "order" });
  const sheet = (await client.getOrderSheet(BigInt(String((order.shipmentBoxIds as unknown[])[0])))).value;
  if (acknowledged) await client.acknowledgeOrders([sheet.shipmentBoxId]);
  return { shipmentBoxId: sheet.shipmentBoxId, orderId: sheet.orderId };
}

let invoiceSeq = 720_000_000_000;
/** A CJGLS invoice number (12 digits) never used before in this file: Coupang refuses a reuse (B-10). */
const invoiceNumber = () => String(invoiceSeq++);

/** Scrapes the worker's registry as `/metrics` serves it, parsed (which checks every line). */
async function scrape(app: WorkerApp): Promise<Map<string, MetricFamily>> {
  return parseExposition(await app.metrics.registry.metrics());
}

/** The sum of a family's samples named `sample` (default: the family) whose labels include `where`. */
function total(
  families: Map<string, MetricFamily>,
  family: string,
  where: Record<string, string> = {},
  sample = family,
) {
  const f = families.get(family);
  if (!f) throw new Error(`no ${family} in the exposition`);
  return f.samples
    .filter((s) => s.name === sample && Object.entries(where).every(([k, v]) => s.labels[k] === v))
    .reduce((n, s) => n + s.value, 0);
}

/** The simulator's calls since `before`, keyed `"METHOD endpoint"` with IDs as `{id}` (as our label). */
function callsSince(before: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [key, n] of Object.entries(sim.calls())) {
    const delta = n - (before[key] ?? 0);
    if (key === "total" || delta === 0) continue;
    const label = key.replace(/\{\w+\}/g, "{id}");
    out[label] = (out[label] ?? 0) + delta;
  }
  return out;
}

/** The worker's requests counter by `"METHOD endpoint"`. */
function requestsByEndpoint(families: Map<string, MetricFamily>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of families.get("cos_coupang_requests_total")!.samples) {
    const key = `${s.labels.method} ${s.labels.endpoint}`;
    out[key] = (out[key] ?? 0) + s.value;
  }
  return out;
}

/** Polls until `check` holds (15 s at most). */
async function until(what: string, check: () => boolean | Promise<boolean>): Promise<void> {
  for (const started = Date.now(); Date.now() - started < 15_000;) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** The outbox's commands per status, as the database holds them. */
async function outboxCounts(prisma: PrismaClient): Promise<Record<string, number>> {
  const rows = await prisma.$queryRawUnsafe<Array<{ status: string; n: bigint }>>(
    `SELECT status, count(*) AS n FROM outbox_commands WHERE vendor_id = $1 GROUP BY status`,
    VENDOR.vendorId,
  );
  return Object.fromEntries(
    OUTBOX_STATUSES.map((s) => [s, Number(rows.find((r) => r.status === s)?.n ?? 0)]),
  );
}

const backends = [
  { name: "postgres", skip: false, redis: undefined as string | undefined },
  { name: "redis", skip: redisUrl === null, redis: redisUrl ?? undefined },
];

describe.each(backends)("the worker's metrics on BullMQ's $name backend", ({ skip, redis }) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db?.drop();
  });

  it.skipIf(skip)(
    "count every call as the simulator logs it, rows as the database holds them, and read the outbox and lags at scrape",
    async () => {
      const config = loadConfig(
        workerEnv(
          { db, sim, vendor: VENDOR, queuePrefix: `m${randomBytes(4).toString("hex")}`, redisUrl: redis },
          {
            SYNC_POLL_INTERVAL_SECONDS: "3600",
            SYNC_BACKFILL_DAYS: "4",
            OUTBOX_DRAIN_INTERVAL_SECONDS: "3600",
            // The 429 below pauses the vendor for a minute: closing must not wait for it.
            SHUTDOWN_TIMEOUT_SECONDS: "1",
            LOG_LEVEL: "silent",
          },
        ),
      );
      const [ackBox, uploadBox, pausedBox] = [await newBox(false), await newBox(true), await newBox(true)];
      const before = sim.calls();
      let okPolls = 0;
      const events = createWorkerEvents();
      events.on("poll", (o: PollOutcome) => {
        if (o.ok) okPolls++;
      });
      const app = await startWorker(config, createLogger("silent"), { events });
      try {
        await bootPolls(app);
        const t0 = Date.now();
        const synced = await scrape(app);
        const t1 = Date.now();

        // Every HTTP attempt, per endpoint and method, exactly as the simulator logged them.
        const calls = callsSince(before);
        expect(requestsByEndpoint(synced)).toEqual(calls);
        expect(total(synced, "cos_coupang_requests_total")).toBeGreaterThan(STREAM_NAMES.length);
        expect(total(synced, "cos_coupang_requests_total", { status: "200" })).toBe(
          total(synced, "cos_coupang_requests_total"),
        );
        expect(
          total(
            synced,
            "cos_coupang_request_duration_seconds",
            {},
            "cos_coupang_request_duration_seconds_count",
          ),
        ).toBe(total(synced, "cos_coupang_requests_total"));
        expect(total(synced, "cos_coupang_rate_limited_total", { vendor_id: VENDOR.vendorId })).toBe(0);

        // A fresh database: each stream's rows upserted are the rows it stored.
        const kinds = await compareStreams(app.prisma, sim.groundTruth(VENDOR.vendorId), STREAM_NAMES);
        const stored: Record<string, number> = {
          ordersheets: kinds.shipment_box!.dbRows + kinds.order_item!.dbRows,
          returnRequests: kinds.return_request!.dbRows + kinds.return_item!.dbRows,
          exchangeRequests: kinds.exchange_request!.dbRows + kinds.exchange_item!.dbRows,
          returnWithdrawRequests: kinds.return_withdrawal!.dbRows,
        };
        expect(stored.ordersheets).toBeGreaterThan(40);
        for (const stream of STREAM_NAMES)
          expect([stream, total(synced, "cos_rows_upserted_total", { stream })]).toEqual([
            stream,
            stored[stream],
          ]);
        const [{ events, quarantined }] = await app.prisma.$queryRawUnsafe<
          [{ events: bigint; quarantined: bigint }]
        >(
          `SELECT (SELECT count(*) FROM change_events) AS events, (SELECT count(*) FROM quarantined_records) AS quarantined`,
        );
        expect(total(synced, "cos_change_events_total")).toBe(Number(events));
        expect(total(synced, "cos_rows_rejected_total")).toBe(Number(quarantined));
        expect(synced.get("cos_poll_failures_total")!.samples).toEqual([]);

        // Lags read at scrape: now − synced_through of each stream's checkpoint.
        const checkpoints = await app.prisma.$queryRawUnsafe<Array<{ stream: string; synced_through: Date }>>(
          `SELECT stream, synced_through FROM sync_checkpoints WHERE vendor_id = $1`,
          VENDOR.vendorId,
        );
        expect(checkpoints.map((c) => c.stream).sort()).toEqual([...STREAM_NAMES].sort());
        for (const c of checkpoints) {
          const lag = total(synced, "cos_freshness_lag_seconds", {
            vendor_id: VENDOR.vendorId,
            stream: c.stream,
          });
          // In whole seconds (vendorStatus of @cos/ops rounds).
          expect(lag).toBeGreaterThanOrEqual((t0 - c.synced_through.getTime()) / 1000 - 0.5);
          expect(lag).toBeLessThanOrEqual((t1 - c.synced_through.getTime()) / 1000 + 0.5);
          // The checkpoint stops `SYNC_LAG_SECONDS` (120 s) behind now.
          expect(lag).toBeGreaterThanOrEqual(120);
          expect(lag).toBeLessThan(180);
        }
        expect(synced.get("cos_outbox_commands")!.samples.map((s) => [s.labels.status, s.value])).toEqual(
          OUTBOX_STATUSES.map((s) => [s, 0]),
        );
        expect(synced.get("cos_outbox_oldest_age_seconds")!.samples).toEqual([]);
        expect(
          total(
            synced,
            "cos_job_duration_seconds",
            { queue: JOBS.poll.queue, outcome: "completed" },
            "cos_job_duration_seconds_count",
          ),
        ).toBe(okPolls);
        expect(total(synced, "cos_process_cpu_seconds_total")).toBeGreaterThan(0);

        // Two commands drained, then a third met by a 429: not a try, the command waits.
        const ack = await app.enqueueCommand({
          kind: "ACKNOWLEDGE",
          vendorId: VENDOR.vendorId,
          ...ackBox,
          createdBy: "test",
        });
        const upload = await app.enqueueCommand({
          kind: "UPLOAD_INVOICE",
          vendorId: VENDOR.vendorId,
          ...uploadBox,
          deliveryCompanyCode: "CJGLS",
          invoiceNumber: invoiceNumber(),
          createdBy: "test",
        });
        await until("two commands succeeded", async () => (await outboxCounts(app.prisma)).succeeded === 2);
        const stopped = new Promise<DrainOutcome>((resolve) =>
          app.events.on("drain", (o) => o.outcome === "drained" && o.result.stoppedBy && resolve(o)),
        );
        sim.faults.add({ endpoint: "orders/invoices", kind: "status", status: 429, count: 1 });
        const paused = await app.enqueueCommand({
          kind: "UPLOAD_INVOICE",
          vendorId: VENDOR.vendorId,
          ...pausedBox,
          deliveryCompanyCode: "CJGLS",
          invoiceNumber: invoiceNumber(),
          createdBy: "test",
        });
        const stop = await stopped;
        expect(stop.outcome === "drained" && stop.result.stoppedBy?.kind).toBe("rate_limited");
        expect([ack.created, upload.created, paused.created]).toEqual([true, true, true]);

        const u0 = Date.now();
        const drained = await scrape(app);
        const u1 = Date.now();
        expect(requestsByEndpoint(drained)).toEqual(callsSince(before));
        expect(
          total(drained, "cos_coupang_requests_total", { endpoint: "orders/invoices", status: "429" }),
        ).toBe(1);
        expect(total(drained, "cos_coupang_requests_total", { status: "429" })).toBe(1);
        expect(total(drained, "cos_coupang_rate_limited_total", { vendor_id: VENDOR.vendorId })).toBe(1);
        const counts = await outboxCounts(app.prisma);
        expect(counts).toMatchObject({ succeeded: 2, pending: 1 });
        expect(
          Object.fromEntries(
            drained.get("cos_outbox_commands")!.samples.map((s) => [s.labels.status, s.value]),
          ),
        ).toEqual(counts);
        const age = total(drained, "cos_outbox_oldest_age_seconds", {
          vendor_id: VENDOR.vendorId,
          status: "pending",
        });
        const createdAt = paused.command.createdAt.getTime();
        expect(age).toBeGreaterThanOrEqual((u0 - createdAt) / 1000 - 0.5);
        expect(age).toBeLessThanOrEqual((u1 - createdAt) / 1000 + 0.5);
        expect(total(drained, "cos_outbox_drains_total", { outcome: "stopped" })).toBe(1);
        expect(total(drained, "cos_outbox_drained_commands_total", { status: "succeeded" })).toBe(2);
        expect(total(drained, "cos_outbox_drained_commands_total", { status: "pending" })).toBe(1);
        expect(
          total(
            drained,
            "cos_job_duration_seconds",
            { queue: JOBS.drain.queue, outcome: "completed" },
            "cos_job_duration_seconds_count",
          ),
        ).toBeGreaterThanOrEqual(3);
      } finally {
        await app.close();
      }
    },
  );

  it.skipIf(skip)("count failed polls by kind: bad keys, then the circuit they opened", async () => {
    const config = loadConfig(
      workerEnv(
        { db, sim, vendor: VENDOR, queuePrefix: `m${randomBytes(4).toString("hex")}`, redisUrl: redis },
        { COUPANG_SECRET_KEY: "a-wrong-secret", SYNC_POLL_INTERVAL_SECONDS: "3600", LOG_LEVEL: "silent" },
      ),
    );
    const failures: PollOutcome[] = [];
    const events = createWorkerEvents();
    events.on("poll", (o) => !o.ok && o.final && failures.push(o));
    const app = await startWorker(config, createLogger("silent"), { events });
    try {
      // The boot's polls: the first meets the bad keys and opens the circuit; the others may
      // already be calling, or find it open.
      await until("every stream's boot poll failed", () => failures.length >= STREAM_NAMES.length);
      await app.pollNow(VENDOR.vendorId, "ordersheets");
      // The schedulers' first polls fail too: wait for the one this test asked for, by its kind.
      await until("an ordersheets poll met the open circuit", () =>
        failures.some((o) => o.stream === "ordersheets" && !o.ok && o.error instanceof CircuitOpenError),
      );
      // The schedulers' first polls may still be failing: what the scrape counted lies between.
      const failedBefore = failures.length;
      const families = await scrape(app);
      const failedAfter = failures.length;
      const kinds = Object.fromEntries(
        families
          .get("cos_poll_failures_total")!
          .samples.map((s) => [`${s.labels.stream} ${s.labels.kind}`, s.value]),
      );
      const auth = Object.entries(kinds).filter(([k]) => k.endsWith(" auth"));
      const open = Object.entries(kinds).filter(([k]) => k.endsWith(" circuit_open"));
      expect(auth.length).toBeGreaterThanOrEqual(1);
      expect(kinds["ordersheets circuit_open"]).toBeGreaterThanOrEqual(1);
      const counted = [...auth, ...open].reduce((n, [, v]) => n + v, 0);
      expect(counted).toBeGreaterThanOrEqual(failedBefore);
      expect(counted).toBeLessThanOrEqual(failedAfter);
      // Each refused call is signed afresh once (§1): two attempts, both 401. (Polls may still be
      // calling: the exact count against the simulator's log is the quiet first test's.)
      expect(total(families, "cos_coupang_requests_total", { status: "401" })).toBe(
        total(families, "cos_coupang_requests_total"),
      );
    } finally {
      await app.close();
    }
  });
});

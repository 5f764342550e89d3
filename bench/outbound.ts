// Benchmark 4, outbound drain (issue 8 §4): UPLOAD_INVOICE commands on INSTRUCT boxes drained
// through `drainOutbox` as the worker runs it (a drain that claimed anything is followed by
// another at once), against the simulator's per-vendor throttle of 10 requests/s with the
// client's limiter at the same budget; the drain time against the least the throttle allows, and
// the 429s and `X-CAG-Warnings` slow-downs the drain caused.
// Usage: npm run bench:outbound -- --help
import { setTimeout as sleep } from "node:timers/promises";
import { CoupangClient, TokenBucketLimiter, type RateLimiter } from "@cos/coupang";
import { DEFAULT_VENDOR, startSimulator } from "@cos/coupang-sim";
import { ensureVendorAccount } from "@cos/db";
import { drainOutbox, enqueueCommand, type OutboxClient } from "@cos/outbox";
import { orderSheetsAdapter, runStream, type PlanConfig } from "@cos/sync";
import {
  DAY,
  MINUTE,
  Stopwatch,
  finishMachineInfo,
  openBenchDatabase,
  printTable,
  ratio,
  readSettings,
  writeResult,
} from "./support/harness.js";

const settings = readSettings("outbound", {
  commands: { default: 10_000, help: "UPLOAD_INVOICE commands, one per INSTRUCT box" },
  limit: { default: 10, help: "the simulator's throttle, requests per second per vendor" },
  clientRps: { default: 10, help: "the client limiter's budget, requests per second" },
  seed: { default: 42, help: "seed of the simulated world" },
});

/** Boxes per upload call: the drain's default `invoiceBatchSize` (packages/outbox drain.ts). */
const BOXES_PER_CALL = 50;
/** About 38% of a day's generated boxes are INSTRUCT (the simulator's status-by-age table). */
const ORDERS_PER_COMMAND = 3;
const VENDOR = DEFAULT_VENDOR;

/** A limiter that counts what the client asked of it: 429 pauses and `X-CAG-Warnings` slow-downs. */
class CountingLimiter implements RateLimiter {
  pauses = 0;
  slowDowns = 0;
  constructor(private readonly inner: RateLimiter) {}
  acquire(vendorId: string, signal?: AbortSignal): Promise<void> {
    return this.inner.acquire(vendorId, signal);
  }
  pause(vendorId: string, ms: number): Promise<void> {
    this.pauses++;
    return this.inner.pause(vendorId, ms);
  }
  slowDown(vendorId: string, factor: number, ms: number): Promise<void> {
    this.slowDowns++;
    return this.inner.slowDown(vendorId, factor, ms);
  }
}

async function main(): Promise<void> {
  const sim = await startSimulator({
    seed: settings.seed,
    orders: settings.commands * ORDERS_PER_COMMAND,
    days: 1,
    activity: "none",
    rateLimit: { perSecond: settings.limit },
    vendors: [VENDOR],
  });
  const bench = await openBenchDatabase("cos_bench_outbound", 4);
  const { prisma, sql } = bench;
  // The sync stays under the throttle's 90% warning line with a limiter of its own, so the
  // drain's client starts unslowed.
  const syncClient = new CoupangClient({
    baseUrl: sim.url,
    ...VENDOR,
    requestsPerSecond: Math.max(1, Math.floor(settings.limit * 0.8)),
  });
  const limiter = new CountingLimiter(new TokenBucketLimiter({ requestsPerSecond: settings.clientRps }));
  const status = new Map<number | "none", number>();
  const client = new CoupangClient({
    baseUrl: sim.url,
    ...VENDOR,
    limiter,
    onResponse: (event) =>
      status.set(event.statusCode ?? "none", (status.get(event.statusCode ?? "none") ?? 0) + 1),
  });
  try {
    await ensureVendorAccount(prisma, { vendorId: VENDOR.vendorId, name: "outbound benchmark" });

    // The boxes as the worker knows them: a first sync of the ordersheets stream.
    console.log(`syncing ${settings.commands * ORDERS_PER_COMMAND} boxes (the drain reads the local copy) …`);
    const plan: PlanConfig = {
      lagMs: 0,
      lookbackMs: 30 * MINUTE,
      backfillMs: 2 * DAY,
      warmIntervalMs: 15 * MINUTE,
      warmDays: 7,
      coldIntervalMs: DAY,
      coldDays: 31,
      callBudget: 1_000_000,
    };
    const synced = await runStream(
      { prisma, vendorId: VENDOR.vendorId, config: plan, trigger: "manual" },
      orderSheetsAdapter(syncClient),
    );
    if (synced.outcome !== "completed") throw new Error(`the sync ended ${synced.outcome}`);
    const boxes = (
      await sql.query<{ box: string; order: string; items: number }>(
        `SELECT b.shipment_box_id::text AS box, b.order_id::text AS order, count(i.*)::int AS items
           FROM shipment_boxes b JOIN order_items i USING (shipment_box_id)
          WHERE b.status = 'INSTRUCT'
          GROUP BY b.shipment_box_id, b.order_id
         HAVING bool_and(i.cancel_count = 0 AND i.hold_count_for_cancel = 0)
          ORDER BY b.shipment_box_id LIMIT $1`,
        [settings.commands],
      )
    ).rows;
    if (boxes.length < settings.commands) {
      throw new Error(
        `the world has ${boxes.length} untouched INSTRUCT boxes, fewer than ${settings.commands}`,
      );
    }

    console.log(`enqueueing ${settings.commands} UPLOAD_INVOICE commands …`);
    for (let i = 0; i < boxes.length; i += 100) {
      await Promise.all(
        boxes.slice(i, i + 100).map((b, k) =>
          enqueueCommand(prisma, {
            kind: "UPLOAD_INVOICE",
            vendorId: VENDOR.vendorId,
            createdBy: "bench",
            shipmentBoxId: BigInt(b.box),
            orderId: BigInt(b.order),
            deliveryCompanyCode: "CJGLS",
            // 12 digits, unique in the run (the 6-month reuse rule, §4.1).
            invoiceNumber: String(600_000_000_000 + i + k),
          }),
        ),
      );
    }
    // The throttle's window forgets the sync's last calls.
    await sleep(1_500);

    console.log(`draining at ${settings.clientRps} requests/s against a throttle of ${settings.limit}/s …`);
    // Time spent inside the client's calls (the limiter's wait and HTTP); the rest of the drain is
    // its own work: claims, local reads, attempt logs and transitions.
    const inCalls = new Stopwatch();
    const timed: OutboxClient = {
      acknowledgeOrders: (ids) => inCalls.time(() => client.acknowledgeOrders(ids)),
      uploadInvoices: (rows) => inCalls.time(() => client.uploadInvoices(rows)),
      updateInvoices: (rows) => inCalls.time(() => client.updateInvoices(rows)),
      getOrderSheet: (id) => inCalls.time(() => client.getOrderSheet(id)),
      cancelOrder: (input) => inCalls.time(() => client.cancelOrder(input)),
    };
    const callsBefore = sim.calls();
    const drain = new Stopwatch();
    const totals = { drains: 0, claimed: 0, calls: 0, stoppedBy429: 0 };
    await drain.time(async () => {
      for (;;) {
        const result = await drainOutbox({ prisma, client: timed, vendorId: VENDOR.vendorId });
        totals.drains++;
        totals.claimed += result.claimed;
        totals.calls += result.calls;
        if (result.pausedUntil) {
          totals.stoppedBy429++;
          await sleep(Math.max(0, result.pausedUntil.getTime() - Date.now()));
          continue;
        }
        if (result.claimed === 0) break;
      }
    });
    const callsAfter = sim.calls();
    const delta = (key: string) => (callsAfter[key] ?? 0) - (callsBefore[key] ?? 0);

    const outcome = (
      await sql.query<{ status: string; n: number }>(
        "SELECT status, count(*)::int AS n FROM outbox_commands GROUP BY status ORDER BY status",
      )
    ).rows;
    const succeeded = outcome.find((r) => r.status === "succeeded")?.n ?? 0;
    const rows = boxes.reduce((n, b) => n + b.items, 0);
    const uploads = delta("POST orders/invoices");
    const callsNeeded = Math.ceil(settings.commands / BOXES_PER_CALL);
    const minimumSeconds = Math.ceil(callsNeeded / settings.limit);
    const result = {
      commands: settings.commands,
      succeeded,
      rows,
      callsNeeded,
      uploadCalls: uploads,
      readBacks: delta("GET ordersheets/{shipmentBoxId}"),
      allCalls: delta("total"),
      rowsPerCall: Math.round((rows / Math.max(1, uploads)) * 10) / 10,
      "429s": status.get(429) ?? 0,
      slowDowns: limiter.slowDowns,
      seconds: Math.round(drain.seconds * 10) / 10,
      inCallsSeconds: Math.round(inCalls.seconds * 10) / 10,
      outsideCallsSeconds: Math.round((drain.seconds - inCalls.seconds) * 10) / 10,
      minimumSeconds,
      ratio: ratio(drain.seconds, minimumSeconds),
      target: 1.1,
      met: drain.seconds <= 1.1 * minimumSeconds && (status.get(429) ?? 0) === 0,
    };
    printTable(
      `Outbound: ${settings.commands} invoice uploads, throttle ${settings.limit}/s, client ${settings.clientRps}/s`,
      [result],
    );
    printTable("Commands by final status", outcome);
    if (succeeded !== settings.commands)
      throw new Error(`${settings.commands - succeeded} commands did not succeed`);

    const path = await writeResult(
      settings.clientRps === settings.limit ? "outbound" : `outbound-client-${settings.clientRps}`,
      {
        benchmark: "outbound",
        issue: "8 §4",
        settings,
        boxesPerCall: BOXES_PER_CALL,
        result,
        drains: totals,
        responses: Object.fromEntries(status),
        simulatorCalls: Object.fromEntries(
          Object.keys(callsAfter)
            .map((k) => [k, delta(k)])
            .filter(([, n]) => n !== 0),
        ),
        machine: finishMachineInfo(bench.machine),
      },
    );
    console.log(`\nwrote ${path}`);
  } finally {
    client.close();
    syncClient.close();
    await sim.close();
    await bench.close();
  }
}

await main();

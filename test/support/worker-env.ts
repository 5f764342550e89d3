import { startSimulator, type Simulator, type SimulatorOptions } from "@cos/coupang-sim";
import { JOBS, STREAMS } from "@cos/queue";
import type { WorkerApp } from "@cos/worker";
import type { VendorKeys } from "./simulated-vendor.js";

/**
 * Starts a simulator serving `vendor` alone, its history anchored an hour ago (past the list lag,
 * so all of it is listed); `options` are the file's own (seed, orders, days, activity, …).
 */
export function simulatorFor(
  vendor: VendorKeys,
  options: Omit<SimulatorOptions, "vendors" | "anchor">,
): Promise<Simulator> {
  return startSimulator({ anchor: new Date(Date.now() - 3_600_000), ...options, vendors: [vendor] });
}

/** Where a test's worker runs: its database, the simulator, the vendor it serves, its queues. */
export interface WorkerPlace {
  db: { url: string };
  sim: { url: string };
  /** The vendor it serves, or a `COUPANG_VENDORS_FILE` (JSON list of vendors and keys) naming many. */
  vendor: VendorKeys | { vendorsFile: string };
  /** The deployment's queue prefix: a fresh one per worker, or one shared by restarts. */
  queuePrefix: string;
  /** Queues on Redis when given, else on BullMQ's Postgres backend. */
  redisUrl?: string | null | undefined;
}

/**
 * The worker's environment (as `loadConfig` and the daemon read it) for `place`, with `settings`
 * on top: the file's own (`SYNC_BACKFILL_DAYS`, `LOG_LEVEL`, a wrong `COUPANG_SECRET_KEY`, …).
 * Entries left undefined are dropped, so the result also suits `startDaemon`.
 */
export function workerEnv(
  place: WorkerPlace,
  settings: Record<string, string | undefined> = {},
): Record<string, string> {
  const env: Record<string, string | undefined> = {
    DATABASE_URL: place.db.url,
    ...(place.redisUrl ? { REDIS_URL: place.redisUrl } : {}),
    QUEUE_PREFIX: place.queuePrefix,
    COUPANG_BASE_URL: place.sim.url,
    ...("vendorsFile" in place.vendor
      ? { COUPANG_VENDORS_FILE: place.vendor.vendorsFile }
      : {
          COUPANG_VENDOR_ID: place.vendor.vendorId,
          COUPANG_ACCESS_KEY: place.vendor.accessKey,
          COUPANG_SECRET_KEY: place.vendor.secretKey,
        }),
    ...settings,
  };
  return Object.fromEntries(
    Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
}

/**
 * Resolves once the boot's live polls are done: every stream (of the app's one vendor) has a
 * succeeded run, and no poll job waits or runs (the schedulers' first jobs and the boot's own are
 * through). Read from the database and the queue rather than from `app.events`, whose first polls
 * may end before the caller gets the app. From then on the simulator's call counts are the test's.
 * @throws Error after `timeoutMs` without it.
 */
export async function bootPolls(app: WorkerApp, timeoutMs = 110_000): Promise<void> {
  const inbound = app.queues.find((q) => q.queue.name === JOBS.poll.queue)!.queue;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const succeeded = await app.prisma.syncRun.groupBy({ by: ["stream"], where: { status: "succeeded" } });
    const counts = await inbound.getJobCounts("waiting", "active");
    if (succeeded.length === STREAMS.length && (counts.waiting ?? 0) + (counts.active ?? 0) === 0) return;
    if (Date.now() > deadline) {
      throw new Error(
        `boot polls not done: ${succeeded.length} streams succeeded, ${JSON.stringify(counts)}`,
      );
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Buyers' claims on three of `vendorId`'s boxes delivered over ten days ago (older than a live
 * poll's few days, so only a resync brings them in): a return, a return then withdrawn, and an
 * exchange.
 */
export async function claimOldDeliveries(sim: Simulator, vendorId: string): Promise<void> {
  const event = (body: Record<string, unknown>) => sim.event({ vendorId, ...body });
  const [kept, withdrawn, exchanged] = sim
    .groundTruth(vendorId)
    .orders.filter(
      (o) =>
        o.status === "FINAL_DELIVERY" && Date.parse(`${o.orderedAt}+09:00`) < Date.now() - 10 * 86_400_000,
    )
    .map((o) => o.shipmentBoxId);
  await event({ type: "returnRequest", shipmentBoxId: kept });
  await event({
    type: "withdrawReturn",
    receiptId: (await event({ type: "returnRequest", shipmentBoxId: withdrawn })).receiptId,
  });
  await event({ type: "exchangeRequest", shipmentBoxId: exchanged });
}

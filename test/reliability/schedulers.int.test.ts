import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { Simulator } from "@cos/coupang-sim";
import { createPrisma, type PrismaClient } from "@cos/db";
import { bullQueue, createQueueFactory, STREAMS, type QueueBackendConfig } from "@cos/queue";
import { killAll, startDaemon, waitFor, type Daemon } from "../support/daemon.js";
import { createTestDatabase, type TestDatabase } from "../support/postgres.js";
import { simulatorFor, workerEnv } from "../support/worker-env.js";

// Issue 9, "Duplicate schedulers": the worker restarted 20 times in quick succession — killed,
// stopped, and started while the previous one still runs — leaves exactly one Job Scheduler per
// (vendor, stream), per vendor's reconciliation and outbox drain, and never ran two polls of one
// (vendor, stream) at once.

const VENDOR = { vendorId: "A00092020", accessKey: "ak-restarts", secretKey: "sk-restarts-secret" };
const RESTARTS = 20;
const POLL_EVERY_MS = 5_000;
/** The streams with a daily count reconciliation (returnWithdrawRequests has no census). */
const RECONCILED = ["ordersheets", "returnRequests", "exchangeRequests"];
const STARTED = /"msg":"worker started"/;

const redisUrl = inject("redisUrl");
let sim: Simulator;
let db: TestDatabase;
let prisma: PrismaClient;
beforeAll(async () => {
  sim = await simulatorFor(VENDOR, { seed: 92, orders: 300, days: 2 });
  db = await createTestDatabase();
  prisma = createPrisma(db.url, { max: 2 });
});
/** Every daemon started, so a failed test leaves none running. */
const daemons: Daemon[] = [];
afterAll(async () => {
  await killAll(daemons);
  await prisma?.$disconnect();
  await sim?.close();
  await db?.drop();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * How restart `i` ends the running worker: SIGKILL or SIGTERM before the next starts, or the
 * next started first and the old one stopped once the new one runs (two at once for a moment).
 * Some stops land during boot (before `worker started`), some while it works.
 */
const RESTART_PLAN = [
  { signal: "SIGKILL", overlap: false, afterStart: true },
  { signal: "SIGTERM", overlap: false, afterStart: true },
  { signal: "SIGKILL", overlap: true, afterStart: true },
  { signal: "SIGKILL", overlap: false, afterStart: false },
  { signal: "SIGTERM", overlap: true, afterStart: true },
  { signal: "SIGTERM", overlap: false, afterStart: false },
] as const;

const backends: Array<{ name: string; skip: boolean; config: (prefix: string) => QueueBackendConfig }> = [
  {
    name: "redis",
    skip: redisUrl === null,
    config: (prefix) => ({ kind: "redis", url: redisUrl!, prefix }),
  },
  {
    name: "postgres",
    skip: false,
    config: (prefix) => ({ kind: "postgres", url: db.url, schema: `${prefix}_bullmq` }),
  },
];

describe.each(backends)(
  "the worker restarted 20 times in quick succession on $name",
  ({ name, skip, config }) => {
    it.skipIf(skip)(
      "leaves one scheduler per (vendor, stream), reconciliation and drain, and never overlaps two polls",
      { timeout: 600_000 },
      async () => {
        const queuePrefix = `r${name.slice(0, 2)}${randomBytes(3).toString("hex")}`;
        const testStarted = new Date();
        const start = () => {
          const daemon = startDaemon(
            workerEnv(
              { db, sim, vendor: VENDOR, queuePrefix, redisUrl: name === "redis" ? redisUrl : null },
              {
                SYNC_BACKFILL_DAYS: "3",
                SYNC_POLL_INTERVAL_SECONDS: String(POLL_EVERY_MS / 1000),
                OUTBOX_DRAIN_INTERVAL_SECONDS: "1",
                SHUTDOWN_TIMEOUT_SECONDS: "3",
                HTTP_PORT: "off",
                LOG_LEVEL: "info",
              },
            ),
          );
          daemons.push(daemon);
          return daemon;
        };
        const exits: Array<number | string | null> = [];
        let current = start();
        for (let restart = 0; restart < RESTARTS; restart++) {
          const step = RESTART_PLAN[restart % RESTART_PLAN.length]!;
          if (step.afterStart) await current.waitForOutput(STARTED, 120_000);
          await sleep(300 + ((restart * 397) % 1_200));
          const old = current;
          if (step.overlap) {
            current = start();
            await current.waitForOutput(STARTED, 120_000);
            old.kill(step.signal);
          } else {
            old.kill(step.signal);
            // A stopped worker may still be closing while the next boots: overlap of another kind.
            current = start();
          }
          exits.push(await old.exited);
        }
        await current.waitForOutput(STARTED, 120_000);
        // Let the last worker poll every stream once, then stop it in order. A stream whose lease a
        // killed worker still holds is skipped until the lease's 2 minutes run out, so this can take
        // that long.
        const lastStarted = new Date();
        await waitFor("a finished poll of every stream by the last worker", 150_000, async () => {
          const done = await prisma.$queryRawUnsafe<Array<{ n: number }>>(
            `SELECT count(DISTINCT stream)::int AS n FROM sync_runs
             WHERE vendor_id = $1 AND started_at >= $2 AND finished_at IS NOT NULL`,
            VENDOR.vendorId,
            lastStarted,
          );
          return done[0]!.n === STREAMS.length;
        });
        current.kill("SIGTERM");
        expect(await current.exited).toBe(0);
        // A SIGTERM once the worker runs ends in order (0); one during boot may land before Node
        // has loaded main.ts and installed its handler, and end it by the signal.
        for (const [i, code] of exits.entries()) {
          const { signal, afterStart } = RESTART_PLAN[i % RESTART_PLAN.length]!;
          const expected = signal === "SIGKILL" ? ["SIGKILL"] : afterStart ? [0] : [0, "SIGTERM"];
          expect(expected, `restart ${i} (${signal}) exited with ${code}`).toContain(code);
        }

        const factory = createQueueFactory(config(queuePrefix));
        const queues = {
          inbound: factory.queue("inbound"),
          reconcile: factory.queue("reconcile"),
          outbound: factory.queue("outbound"),
        };
        try {
          const keys = async (queue: keyof typeof queues) =>
            (await queues[queue].getJobSchedulers()).map((s) => s.key).sort();
          expect(await keys("inbound")).toEqual(STREAMS.map((s) => `poll:${VENDOR.vendorId}:${s}`).sort());
          expect(await keys("reconcile")).toEqual(
            RECONCILED.map((s) => `reconcile:${VENDOR.vendorId}:${s}`).sort(),
          );
          expect(await keys("outbound")).toEqual([`drain:${VENDOR.vendorId}`]);
          expect((await queues.inbound.getJobSchedulers()).map((s) => s.every)).toEqual(
            STREAMS.map(() => POLL_EVERY_MS),
          );
          // One scheduler has one next job: duplicates would show as two scheduled polls waiting.
          const upcoming = await bullQueue(queues.inbound).getJobs(["delayed", "waiting", "prioritized"]);
          const scheduled = upcoming
            .filter((job) => (job.data as { trigger?: string }).trigger === "schedule")
            .map((job) => (job.data as { stream: string }).stream)
            .sort();
          expect(new Set(scheduled).size, `scheduled polls waiting: ${scheduled.join(", ")}`).toBe(
            scheduled.length,
          );
        } finally {
          await Promise.all(Object.values(queues).map((q) => q.close()));
          await factory.close();
        }

        // No two polls of one (vendor, stream) at once: per stream, each run ends before the next
        // starts. A run killed mid-poll ends when the next poll, under the lease, marks it abandoned;
        // one still `running` counts as never ending.
        const runs = await prisma.$queryRawUnsafe<
          Array<{ id: string; stream: string; status: string; started: Date; finished: Date | null }>
        >(
          `SELECT id::text, stream, status, started_at AS started, finished_at AS finished
           FROM sync_runs WHERE vendor_id = $1 AND started_at >= $2 ORDER BY stream, started_at, id`,
          VENDOR.vendorId,
          testStarted,
        );
        const overlaps: string[] = [];
        for (const stream of STREAMS) {
          const mine = runs.filter((r) => r.stream === stream);
          expect(mine.length, `runs of ${stream}`).toBeGreaterThan(0);
          for (let i = 1; i < mine.length; i++) {
            const [prev, next] = [mine[i - 1]!, mine[i]!];
            if (prev.finished === null || prev.finished > next.started)
              overlaps.push(
                `${stream}: run ${prev.id} (${prev.status}, ${prev.started.toISOString()}–${prev.finished?.toISOString() ?? "…"}) ` +
                  `and run ${next.id} (${next.status}, from ${next.started.toISOString()})`,
              );
          }
        }
        console.log(
          `${name}: ${RESTARTS} restarts (${exits.filter((c) => c === "SIGKILL").length} SIGKILL), ` +
            `${runs.length} poll runs: ${Object.entries(
              runs.reduce<Record<string, number>>(
                (a, r) => ({ ...a, [r.status]: (a[r.status] ?? 0) + 1 }),
                {},
              ),
            )
              .map(([s, n]) => `${s} ${n}`)
              .join(", ")}`,
        );
        expect(overlaps).toEqual([]);
      },
    );
  },
);

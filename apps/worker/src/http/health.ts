import type { WorkerApp } from "../app.js";

/** One readiness check: `ok`, or `failed` with why. */
export type Check = { status: "ok" } | { status: "failed"; reason: string };

/** `GET /health/ready`'s body: `ready` when every check is ok (HTTP 200), else `not_ready` (503). */
export interface Readiness {
  status: "ready" | "not_ready";
  checks: { database: Check; queue: Check; workers: Check; schedulers: Check };
}

/** A check that does not answer within this long has failed: a hung dependency is not ready. */
const CHECK_TIMEOUT_MS = 3_000;

/** Runs one check: `run` resolves to why it failed, or undefined when it passed. */
async function check(run: () => string | undefined | Promise<string | undefined>): Promise<Check> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`no answer within ${CHECK_TIMEOUT_MS / 1000} s`), CHECK_TIMEOUT_MS);
  });
  try {
    const reason = await Promise.race([Promise.resolve().then(run), timeout]);
    return reason === undefined ? { status: "ok" } : { status: "failed", reason };
  } catch (err) {
    return { status: "failed", reason: err instanceof Error ? err.message : String(err) };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Whether the worker can do its work (pitfalls W-3): Postgres answers a query; the queue backend
 * (Redis, or BullMQ's Postgres schema) answers a job count; every BullMQ worker of the app is
 * running; and every Job Scheduler the worker upserted at boot still exists (a Redis that lost
 * its data, or a second deployment with other vendors on the same QUEUE_PREFIX, removes them).
 * The checks run at once, each bounded by 3 s; a failed one names what failed.
 */
export async function readiness(app: WorkerApp): Promise<Readiness> {
  const [database, queue, workers, schedulers] = await Promise.all([
    check(async () => {
      await app.prisma.$queryRaw`SELECT 1`;
      return undefined;
    }),
    check(async () => {
      await Promise.all(app.queues.map((q) => q.queue.getJobCounts("wait")));
      return undefined;
    }),
    check(() => {
      const stopped = app.queues.filter((q) => !q.worker.isRunning()).map((q) => q.worker.name);
      return stopped.length === 0 ? undefined : `not running: ${stopped.join(", ")}`;
    }),
    check(async () => {
      const missing: string[] = [];
      for (const q of app.queues) {
        if (q.schedulerIds.length === 0) continue;
        const present = new Set((await q.queue.getJobSchedulers()).map((s) => s.key));
        missing.push(...q.schedulerIds.filter((id) => !present.has(id)).map((id) => `${q.queue.name}/${id}`));
      }
      return missing.length === 0 ? undefined : `missing: ${missing.join(", ")}`;
    }),
  ]);
  const checks = { database, queue, workers, schedulers };
  const ready = Object.values(checks).every((c) => c.status === "ok");
  return { status: ready ? "ready" : "not_ready", checks };
}

// `npm run reliability:crash -- --runs 100 [--seed 9] [--orders 400]`: the crash harness
// (crash-harness.ts) on a scratch database of its own, with Redis when it answers (REDIS_URL or
// the local server), else BullMQ's Postgres backend. Prints the figures docs/reliability.md
// quotes; exits 1 when it found a loss.
import { parseArgs } from "node:util";
import { Redis } from "ioredis";
import { createScratchDatabase } from "@cos/db";
import { runCrashHarness } from "./crash-harness.js";

const { values } = parseArgs({
  options: {
    runs: { type: "string", default: "100" },
    seed: { type: "string", default: "9" },
    orders: { type: "string", default: "400" },
  },
});
/** A positive integer flag, or a clear error naming it. */
function positive(name: string, value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1)
    throw new Error(`--${name} must be a positive integer, got ${value}`);
  return n;
}
const runs = positive("runs", values.runs);
const seed = positive("seed", values.seed);
const orders = positive("orders", values.orders);

/** REDIS_URL or the local server when it answers a PING, else null. */
async function reachableRedis(): Promise<string | null> {
  const url = process.env.REDIS_URL || "redis://127.0.0.1:6379";
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 1_500,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  redis.on("error", () => {});
  try {
    await redis.connect();
    return (await redis.ping()) === "PONG" ? url : null;
  } catch {
    return null;
  } finally {
    redis.disconnect();
  }
}

const db = await createScratchDatabase(
  process.env.DATABASE_URL || "postgresql://postgres@127.0.0.1:5432/postgres",
  {
    prefix: "cos_crash",
  },
);
try {
  const redisUrl = await reachableRedis();
  console.log(
    `crash harness: ${runs} runs, seed ${seed}, ${orders} orders, queues on ${redisUrl ? "Redis" : "Postgres"}`,
  );
  const report = await runCrashHarness({
    runs,
    seed,
    orders,
    databaseUrl: db.url,
    redisUrl,
    log: console.log,
  });
  const tally = (counts: Record<string, number>) =>
    Object.entries(counts)
      .map(([k, n]) => `${k} ${n}`)
      .join(", ");
  console.log(
    [
      "",
      `runs: ${report.runs}, kills: ${report.kills} (${report.killsDuringBoot} during boot), time: ${report.seconds} s`,
      `commands: ${Object.values(report.commands).reduce((a, b) => a + b, 0)} (${tally(report.commands)})`,
      `writes applied: ${report.writes.applied} (${report.writes.unanswered} unanswered), API calls: ${report.apiCalls}`,
      `rows (db/truth): ${Object.entries(report.rows)
        .map(([k, r]) => `${k} ${r.db}/${r.truth}`)
        .join(", ")}`,
      `change events: ${tally(report.events)}`,
      `losses: ${report.losses.length}`,
      ...report.losses.map((l) => `  ${l}`),
    ].join("\n"),
  );
  process.exitCode = report.losses.length === 0 ? 0 : 1;
} finally {
  await db.drop();
}

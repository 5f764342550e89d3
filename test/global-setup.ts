import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import pg from "pg";
import type { TestProject } from "vitest/node";
import "./support/context.js";

const LOCAL_POSTGRES = "postgresql://postgres@127.0.0.1:5432/postgres";
const LOCAL_REDIS = "redis://127.0.0.1:6379";

async function postgresReachable(url: string): Promise<boolean> {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await c.connect();
    await c.end();
    return true;
  } catch {
    return false;
  }
}

async function redisReachable(url: string): Promise<boolean> {
  const r = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 1500,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  r.on("error", () => {});
  try {
    await r.connect();
    return (await r.ping()) === "PONG";
  } catch {
    return false;
  } finally {
    r.disconnect();
  }
}

/**
 * Finds the services for the integration project once per run: DATABASE_URL and REDIS_URL when
 * set, else the servers on their default local ports. Without any Postgres it starts an embedded
 * one; without Redis it says which suites it skips (they run on BullMQ's Postgres backend).
 * With COS_TEST_REQUIRE_SERVICES=1 (CI) a missing service fails the run instead.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const require = process.env.COS_TEST_REQUIRE_SERVICES === "1";
  const cleanups: Array<() => Promise<void>> = [];

  let postgresUrl = process.env.DATABASE_URL || LOCAL_POSTGRES;
  if (!(await postgresReachable(postgresUrl))) {
    if (require || process.env.DATABASE_URL) throw new Error(`Postgres is not reachable at ${postgresUrl}`);
    const { embeddedDataDir, startEmbeddedPostgres } = await import("@cos/db");
    const dir = await mkdtemp(join(tmpdir(), "cos-test-pg-"));
    // mkdtemp makes a mode-700 folder: as root, the server's postgres user may need another.
    const dataDir = await embeddedDataDir(join(dir, "data"));
    const embedded = await startEmbeddedPostgres({ dataDir });
    postgresUrl = embedded.url;
    console.log(`[integration] no Postgres at ${LOCAL_POSTGRES}: using an embedded one`);
    cleanups.push(async () => {
      await embedded.stop();
      await rm(dataDir, { recursive: true, force: true });
      await rm(dir, { recursive: true, force: true });
    });
  }
  project.provide("postgresAdminUrl", postgresUrl);

  const redisUrl = process.env.REDIS_URL || LOCAL_REDIS;
  if (await redisReachable(redisUrl)) {
    project.provide("redisUrl", redisUrl);
  } else {
    if (require || process.env.REDIS_URL) throw new Error(`Redis is not reachable at ${redisUrl}`);
    project.provide("redisUrl", null);
    console.log(
      `[integration] no Redis at ${redisUrl}: SKIPPING the Redis-backend suites ("… on redis"); ` +
        "the same queue tests run on BullMQ's Postgres backend.",
    );
  }
  return async () => {
    for (const c of cleanups.reverse()) await c();
  };
}

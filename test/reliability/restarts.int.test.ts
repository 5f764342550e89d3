import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSimulator, type Simulator } from "@cos/coupang-sim";
import {
  createPrisma,
  createScratchDatabase,
  embeddedDataDir,
  startEmbeddedPostgres,
  type EmbeddedPostgresHandle,
  type PrismaClient,
  type ScratchDatabase,
} from "@cos/db";
import { Prng } from "../../apps/coupang-sim/src/world/prng.js";
import { createWorkerEvents, startWorker, type WorkerApp } from "../../apps/worker/src/app.js";
import { loadConfig } from "../../apps/worker/src/config.js";
import { createLogger } from "../../apps/worker/src/logger.js";
import { waitFor } from "../support/daemon.js";
import { compareKinds, duplicateRows } from "../support/ground-truth.js";
import { freePort, ownRedis, type OwnRedis } from "../support/own-redis.js";
import { checkWrites, harnessEnv, insertCommands, VENDOR } from "./crash-harness.js";

// Issue 9, "Service restarts": Redis, then Postgres, is stopped for about 5 s in the middle of
// work (polls running, commands in the outbox) and started again. The worker must reconnect and
// resume within 60 s, lose nothing, and producers must fail fast, naming the service, instead of
// hanging. The machine's shared servers (5432, 6379) are never touched: this file starts its own
// redis-server (AOF, as the README requires) and its own embedded Postgres on free ports.

const CLI_MAIN = fileURLToPath(new URL("../../apps/cli/src/main.ts", import.meta.url));
const STREAMS = ["ordersheets", "returnRequests", "exchangeRequests", "returnWithdrawRequests"];
const UNSETTLED = ["pending", "in_flight", "unknown"];
const DOWN_MS = 5_000;
const RECOVERY_LIMIT_MS = 60_000;
/** A producer call (in-process) must answer within this, service down. */
const PRODUCER_LIMIT_MS = 5_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The embedded Postgres, stopped and started again on the same data directory and port. */
interface OwnPostgres {
  readonly adminUrl: string;
  /** Starts it (a no-op while it runs). */
  start(): Promise<void>;
  stop(): Promise<void>;
}

async function ownPostgres(dir: string): Promise<OwnPostgres> {
  const dataDir = await embeddedDataDir(join(dir, "data"));
  const port = await freePort();
  let handle: EmbeddedPostgresHandle | undefined;
  const start = async () => {
    handle ??= await startEmbeddedPostgres({ dataDir, port, database: "restarts" });
  };
  await start();
  return {
    adminUrl: handle!.url,
    start,
    async stop() {
      await handle?.stop();
      handle = undefined;
    },
  };
}

/** The CLI as an operator runs it (a child process), timed. */
function cli(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string; ms: number }> {
  const started = Date.now();
  const child = spawn(process.execPath, ["--import", "tsx", CLI_MAIN, ...args], {
    env: { PATH: process.env.PATH ?? "", ...env },
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) =>
    child.on("exit", (code) => resolve({ code, stdout, stderr, ms: Date.now() - started })),
  );
}

/** Runs `call`, and returns how long it took and what it threw (or null). */
async function timed(call: () => Promise<unknown>): Promise<{ ms: number; error: Error | null }> {
  const started = Date.now();
  try {
    await call();
    return { ms: Date.now() - started, error: null };
  } catch (err) {
    return { ms: Date.now() - started, error: err as Error };
  }
}

let redis: OwnRedis | undefined;
let postgres: OwnPostgres | undefined;
let skipReason: string | null = null;
let dir = "";
let db: ScratchDatabase | undefined;
let sim: Simulator | undefined;
let prisma: PrismaClient | undefined;
let app: WorkerApp | undefined;
const log: string[] = [];
/** Set when the world stops: the simulator's clock stays there. */
let frozenAt: Date | null = null;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "cos-restarts-"));
  try {
    redis = ownRedis(await freePort(), dir);
    await redis.start();
    postgres = await ownPostgres(dir);
  } catch (err) {
    skipReason = `cannot start a Redis and a Postgres of its own: ${(err as Error).message.split("\n")[0]}`;
    if (process.env.COS_TEST_REQUIRE_SERVICES === "1") throw err;
    console.log(`[restarts] SKIPPING the service-restart suite: ${skipReason}`);
    return;
  }
  db = await createScratchDatabase(postgres.adminUrl, { prefix: "cos_restarts", migrate: true });
  prisma = createPrisma(db.url, { max: 2 });
  sim = await startSimulator({
    seed: 19,
    orders: 200,
    days: 2,
    anchor: new Date(Date.now() - 300_000),
    vendors: [VENDOR],
    listLagMinutes: 1,
    activity: { newOrdersPerHour: 600, buyerCancelShare: 0.1, addressChangeShare: 0.1 },
    now: () => frozenAt ?? new Date(),
    signatureSkewSeconds: 3_600,
    faults: [{ endpoint: "orders/invoices", kind: "latency", latencyMs: 300 }],
  });
}, 120_000);

afterAll(async () => {
  // A failed test may leave a service stopped: the worker closes in order only with both up.
  await redis?.start().catch(() => {});
  await postgres?.start().catch(() => {});
  await app?.close();
  await prisma?.$disconnect().catch(() => {});
  await sim?.close();
  await db?.drop().catch(() => {});
  await postgres?.stop();
  await redis?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
}, 60_000);

describe("Redis and Postgres restarted in the middle of work", () => {
  it(
    "the worker resumes within 60 s, producers fail fast naming the service, nothing is lost",
    {
      timeout: 300_000,
    },
    async (ctx) => {
      if (skipReason !== null) ctx.skip(skipReason);
      const env = harnessEnv({
        databaseUrl: db!.url,
        redisUrl: redis!.url,
        queuePrefix: `rs${randomBytes(3).toString("hex")}`,
        simUrl: sim!.url,
      });
      const logger = createLogger("info", { write: (line: string) => void log.push(line) });
      const polls: number[] = [];
      // Heard from before the start: the first polls may end before startWorker resolves.
      const events = createWorkerEvents();
      events.on("poll", (outcome) => {
        if (outcome.ok) polls.push(Date.now());
      });
      app = await startWorker(loadConfig(env), logger, { events });
      const rng = new Prng(19);
      let invoice = 880_000_000_000;
      const nextInvoice = () => String(invoice++);
      const unsettled = async () => {
        const [row] = await prisma!.$queryRawUnsafe<Array<{ n: number }>>(
          `SELECT count(*)::int AS n FROM outbox_commands WHERE status = ANY($1)`,
          UNSETTLED,
        );
        return row!.n;
      };
      /** A box in `status` that no command names yet, with its first item. */
      const freeBox = async (status: string) => {
        const [box] = await prisma!.$queryRawUnsafe<Array<{ box: string; order: string; item: string }>>(
          `SELECT b.shipment_box_id::text AS box, b.order_id::text AS order, min(i.vendor_item_id)::text AS item
           FROM shipment_boxes b JOIN order_items i USING (shipment_box_id)
          WHERE b.vendor_id = $1 AND b.status = $2
            AND NOT EXISTS (SELECT 1 FROM outbox_commands c WHERE c.shipment_box_id = b.shipment_box_id)
          GROUP BY 1, 2 HAVING count(*) = 1 ORDER BY 1 LIMIT 1`,
          VENDOR.vendorId,
          status,
        );
        if (!box) throw new Error(`no free ${status} box with one item`);
        return box;
      };
      const dump = () => log.slice(-40).join("");

      // Work under way: the backfill has run, and commands wait in the outbox.
      await waitFor("a first poll of every stream", 120_000, () =>
        Promise.resolve(polls.length >= STREAMS.length),
      );

      const figures: Record<string, unknown> = {};
      for (const service of ["redis", "postgres"] as const) {
        const name = service === "redis" ? "Redis" : "Postgres";
        const inserted = await insertCommands(prisma!, rng, nextInvoice);
        const instruct = await freeBox("INSTRUCT");
        const accept = await freeBox("ACCEPT");
        await sleep(500);
        const stoppedAt = Date.now();
        await (service === "redis" ? redis!.stop() : postgres!.stop());
        // Let the worker's connections notice: a producer call then meets a closed socket, the
        // case a caller sees during an outage.
        await sleep(1_000);

        const pollNow = await timed(() => app!.pollNow(VENDOR.vendorId, "ordersheets"));
        const enqueue = await timed(() =>
          app!.enqueueCommand({
            vendorId: VENDOR.vendorId,
            kind: "ACKNOWLEDGE",
            shipmentBoxId: accept.box,
            orderId: accept.order,
            createdBy: "restarts-test",
          }),
        );
        const [status, upload] = await Promise.all([
          cli(["status", "--json"], env),
          cli(
            [
              ...["commands", "upload-invoice", "--vendor", VENDOR.vendorId, "--box", instruct.box],
              ...["--order", instruct.order, "--item", instruct.item, "--carrier", "CJGLS"],
              ...["--invoice", nextInvoice()],
            ],
            env,
          ),
        ]);
        const producers = {
          pollNow: { ms: pollNow.ms, error: pollNow.error?.message ?? null },
          enqueueCommand: { ms: enqueue.ms, error: enqueue.error?.message ?? null },
          cliStatus: { ms: status.ms, code: status.code, stderr: status.stderr.trim().split("\n")[0] ?? "" },
          cliUpload: { ms: upload.ms, code: upload.code, stderr: upload.stderr.trim().split("\n")[0] ?? "" },
        };
        console.log(`[restarts] ${name} down: ${JSON.stringify(producers)}`);
        for (const call of [pollNow, enqueue]) expect(call.ms).toBeLessThan(PRODUCER_LIMIT_MS);
        if (service === "redis") {
          // Queueing needs Redis: the call fails at once, naming it.
          expect(pollNow.error?.message).toMatch(/Redis/);
          // The command is stored in Postgres: the drain scheduler sends it once Redis is back.
          expect(enqueue.error).toBeNull();
          // The CLI needs only Postgres: it works through a Redis outage.
          expect(status.code, status.stderr).toBe(0);
          expect(upload.code, upload.stderr).toBe(0);
        } else {
          expect(pollNow.error).toBeNull();
          expect(enqueue.error?.message).toMatch(/Postgres/);
          for (const run of [status, upload]) {
            expect(run.code, run.stderr).toBe(69);
            expect(run.stderr).toMatch(/cannot reach Postgres at DATABASE_URL/);
          }
        }
        // A CLI run costs a Node start with tsx (seconds on a loaded machine), not a wait for the service.
        for (const run of [status, upload]) expect(run.ms).toBeLessThan(30_000);

        await sleep(Math.max(0, stoppedAt + DOWN_MS - Date.now()));
        const downMs = Date.now() - stoppedAt;
        await (service === "redis" ? redis!.start() : postgres!.start());
        const restartedAt = Date.now();
        try {
          // As many polls as there are streams completed: jobs taken from the queue after the
          // restart, not only one that was running through it.
          const after = () => polls.filter((t) => t > restartedAt);
          await waitFor(`${STREAMS.length} polls completing after ${name} restarted`, RECOVERY_LIMIT_MS, () =>
            Promise.resolve(after().length >= STREAMS.length),
          );
          const pollMs = after()[STREAMS.length - 1]! - restartedAt;
          // Commands queued before and during the outage: every one final again.
          if (service === "postgres") {
            expect(
              (
                await app.enqueueCommand({
                  vendorId: VENDOR.vendorId,
                  kind: "ACKNOWLEDGE",
                  shipmentBoxId: accept.box,
                  orderId: accept.order,
                  createdBy: "restarts-test",
                })
              ).created,
            ).toBe(true);
          }
          await waitFor(
            `every command final after ${name} restarted`,
            RECOVERY_LIMIT_MS,
            async () => (await unsettled()) === 0,
          );
          const drainMs = Date.now() - restartedAt;
          figures[service] = { downMs, inserted, pollMs, drainMs, producers };
          console.log(`[restarts] ${name} back: ${JSON.stringify(figures[service])}`);
          expect(pollMs).toBeLessThan(RECOVERY_LIMIT_MS);
          expect(drainMs).toBeLessThan(RECOVERY_LIMIT_MS);
        } catch (err) {
          throw new Error(`${(err as Error).message}; the worker's last log lines:\n${dump()}`, {
            cause: err,
          });
        }
      }

      // Nothing lost: the world stops, every command is final, each stream completes a warm poll,
      // and the database equals the simulator's ground truth.
      frozenAt = new Date();
      await waitFor("every command final", RECOVERY_LIMIT_MS, async () => (await unsettled()) === 0);
      const settledAt = new Date();
      // Due at once rather than at its 1-minute interval: the next poll of each stream re-reads the
      // days where rows could still change.
      await prisma!.$executeRawUnsafe(
        `UPDATE sync_checkpoints SET tier_runs = tier_runs - 'warm' WHERE vendor_id = $1`,
        VENDOR.vendorId,
      );
      await waitFor("a warm poll of every stream", 120_000, async () => {
        const [row] = await prisma!.$queryRawUnsafe<Array<{ n: number }>>(
          `SELECT count(*)::int AS n FROM sync_checkpoints
          WHERE vendor_id = $1 AND cursor IS NULL AND (tier_runs->>'warm')::timestamptz > $2`,
          VENDOR.vendorId,
          settledAt,
        );
        return row!.n === STREAMS.length;
      });
      await app.close();
      app = undefined;
      const losses: string[] = [];
      const commands = await checkWrites(prisma!, sim!, losses);
      const rows: Record<string, string> = {};
      for (const c of await compareKinds(prisma!, sim!.groundTruth(VENDOR.vendorId))) {
        rows[c.kind] = `${c.dbRows}/${c.truthRows}`;
        const wrong = [...c.missing, ...c.extra, ...c.rawMismatches, ...c.columnMismatches];
        if (wrong.length > 0) losses.push(`${c.kind}: ${wrong.slice(0, 5).join(", ")}`);
      }
      for (const d of await duplicateRows(prisma!, VENDOR.vendorId)) losses.push(`duplicate row: ${d}`);
      console.log(`[restarts] commands ${JSON.stringify(commands)}, rows (db/truth) ${JSON.stringify(rows)}`);
      expect(losses).toEqual([]);
      expect(commands.succeeded ?? 0).toBeGreaterThan(0);
    },
  );
});

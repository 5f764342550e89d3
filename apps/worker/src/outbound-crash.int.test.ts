import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OrderSheet, Simulator } from "@cos/coupang-sim";
import { createPrisma, type PrismaClient } from "@cos/db";
import { killAll, startDaemon, waitFor, type Daemon } from "../../../test/support/daemon.js";
import { createTestDatabase, type TestDatabase } from "../../../test/support/postgres.js";
import { simulatorFor, workerEnv } from "../../../test/support/worker-env.js";

// Issue 6: "A worker killed with SIGKILL during uploads loses nothing and doubles nothing after it
// restarts." The daemon runs as a child process against the simulator, is killed while commands
// are in flight, restarted, killed again, and finally left to finish.

const VENDOR = { vendorId: "A00061111", accessKey: "ak-crash", secretKey: "sk-crash-secret" };
/** The drain's lease: how long a killed worker's in_flight commands wait before they are read back. */
const LEASE_SECONDS = 8;
const UNSETTLED = ["pending", "in_flight", "unknown"];

let sim: Simulator;
let db: TestDatabase;
let prisma: PrismaClient;
beforeAll(async () => {
  sim = await simulatorFor(VENDOR, { seed: 61, orders: 600, days: 1 });
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

const queuePrefix = `k${randomBytes(3).toString("hex")}`;

/** Starts the daemon as the Dockerfile does, every run one deployment (same queue prefix). */
function startWorker(): Daemon {
  const daemon = startDaemon(
    workerEnv(
      { db, sim, vendor: VENDOR, queuePrefix },
      {
        COUPANG_REQUESTS_PER_SECOND: "10",
        SYNC_BACKFILL_DAYS: "2",
        SYNC_POLL_INTERVAL_SECONDS: "3600",
        OUTBOX_DRAIN_INTERVAL_SECONDS: "1",
        OUTBOX_LEASE_SECONDS: String(LEASE_SECONDS),
        SHUTDOWN_TIMEOUT_SECONDS: "5",
        LOG_LEVEL: "info",
      },
    ),
  );
  daemons.push(daemon);
  return daemon;
}

/** Commands per status. */
async function statusCounts(): Promise<Record<string, number>> {
  const rows = await prisma.$queryRawUnsafe<Array<{ status: string; n: number }>>(
    `SELECT status, count(*)::int AS n FROM outbox_commands GROUP BY status`,
  );
  return Object.fromEntries(rows.map((r) => [r.status, r.n]));
}

const invoiceWrites = () => sim.writes({ endpoint: "orders/invoices" });
const readBacks = () => sim.calls()["GET ordersheets/{shipmentBoxId}"] ?? 0;

/** The consumers' SQL contract (docs/database.md "Outbound commands"), 100 rows a statement. */
async function insertCommands(
  rows: ReadonlyArray<{ kind: string; box: OrderSheet; payload: Record<string, string> }>,
): Promise<void> {
  for (let i = 0; i < rows.length; i += 100) {
    const chunk = rows.slice(i, i + 100);
    const params: unknown[] = [];
    const values = chunk.map((row) => {
      params.push(
        VENDOR.vendorId,
        row.kind,
        row.box.shipmentBoxId.toString(),
        row.box.orderId.toString(),
        JSON.stringify(row.payload),
      );
      const n = params.length;
      return `($${n - 4}, $${n - 3}, $${n - 2}::bigint, $${n - 1}::bigint, $${n}::jsonb, 'sql:crash-test')`;
    });
    await prisma.$executeRawUnsafe(
      `INSERT INTO outbox_commands (vendor_id, kind, shipment_box_id, order_id, payload, created_by)
       VALUES ${values.join(", ")} ON CONFLICT (dedupe_key) DO NOTHING`,
      ...params,
    );
  }
}

describe("a worker killed with SIGKILL during uploads", () => {
  it("loses nothing and doubles nothing after it restarts", { timeout: 600_000 }, async () => {
    const started = Date.now();
    const truth = sim.groundTruth();
    const open = (box: OrderSheet) => box.orderItems.some((item) => item.canceled !== true);
    const instruct = truth.orders.filter((b) => b.status === "INSTRUCT" && open(b));
    const accept = truth.orders.filter((b) => b.status === "ACCEPT" && open(b));
    const uploads = [...instruct, ...accept.slice(0, 40)].map((box, k) => ({
      kind: "UPLOAD_INVOICE",
      box,
      payload: { deliveryCompanyCode: "CJGLS", invoiceNumber: String(880_000_000_000 + k) },
    }));
    const acks = accept.slice(40).map((box) => ({ kind: "ACKNOWLEDGE", box, payload: {} }));
    expect(uploads.length).toBeGreaterThanOrEqual(200);
    expect(acks.length).toBeGreaterThanOrEqual(40);

    // The first run syncs the boxes, so a success can be seen on the local copy too.
    let daemon = startWorker();
    const visible = truth.orders.length;
    await waitFor(`${visible} boxes synced`, 120_000, async () => {
      const [row] = await prisma.$queryRawUnsafe<Array<{ n: number }>>(
        `SELECT count(*)::int AS n FROM shipment_boxes WHERE vendor_id = $1`,
        VENDOR.vendorId,
      );
      return (row?.n ?? 0) >= visible;
    });

    // Every invoice call takes 1.5 s, so kills land mid-call; a quarter of them are applied but
    // never answered (the connection is cut after 2 s).
    sim.faults.add({ endpoint: "orders/invoices", kind: "latency", latencyMs: 1_500 });
    sim.faults.add({
      endpoint: "orders/invoices",
      kind: "timeoutAfterWrite",
      mode: "hang",
      holdMs: 2_000,
      probability: 0.25,
    });
    await insertCommands([...acks, ...uploads]);

    const timeline: string[] = [];
    const mark = (what: string) => timeline.push(`${((Date.now() - started) / 1000).toFixed(1)} s: ${what}`);
    mark(`${visible} boxes synced, ${acks.length + uploads.length} commands inserted`);
    /** Kills the daemon with SIGKILL once `when` holds and commands are in flight, then starts another. */
    const killWhen = async (after: string, when: () => boolean) => {
      await waitFor(`${after} with commands in flight`, 180_000, async () => {
        if (!when()) return false;
        return ((await statusCounts()).in_flight ?? 0) > 0;
      });
      daemon.kill("SIGKILL");
      expect(await daemon.exited).toBe("SIGKILL");
      const counts = await statusCounts();
      mark(
        `SIGKILL after ${after}: ${counts.in_flight ?? 0} in flight, ${counts.succeeded ?? 0} succeeded, ` +
          `${invoiceWrites().length} invoice writes, ${readBacks()} read-backs so far`,
      );
      daemon = startWorker();
    };
    // 1: mid-upload, the first invoice batch applied; 2: while a restarted worker reads back what
    // the killed one left in flight; 3: once it sends again.
    await killWhen("the first invoice write", () => invoiceWrites().length > 0);
    const readsBefore = readBacks();
    await killWhen("20 read-backs", () => readBacks() >= readsBefore + 20);
    const writesBefore = invoiceWrites().length;
    await killWhen("a resent invoice", () => invoiceWrites().length > writesBefore);

    try {
      await waitFor("every command final", 300_000, async () => {
        const counts = await statusCounts();
        return UNSETTLED.every((s) => (counts[s] ?? 0) === 0);
      });
    } catch (error) {
      console.log(daemon.output());
      throw error;
    }
    mark("every command final");
    daemon.kill("SIGTERM");
    expect(await daemon.exited).toBe(0);

    const commands = await prisma.$queryRawUnsafe<
      Array<{
        kind: string;
        box: string;
        status: string;
        code: string | null;
        attempts: number;
        invoice: string | null;
      }>
    >(
      `SELECT kind, shipment_box_id::text AS box, status, last_result_code AS code, attempts,
              payload->>'invoiceNumber' AS invoice
       FROM outbox_commands ORDER BY id`,
    );
    const tally = (values: Array<string | number>) =>
      Object.entries(
        values.reduce<Record<string, number>>((acc, v) => ({ ...acc, [v]: (acc[v] ?? 0) + 1 }), {}),
      )
        .map(([k, n]) => `${k}: ${n}`)
        .join(", ");
    const outcomes = await prisma.$queryRawUnsafe<Array<{ outcome: string; n: number }>>(
      `SELECT outcome, count(*)::int AS n FROM outbox_attempts GROUP BY outcome ORDER BY outcome`,
    );
    const writes = invoiceWrites();
    console.log(
      [
        `SIGKILL during uploads: ${timeline.filter((t) => t.includes("SIGKILL")).length} kills, ${commands.length} commands`,
        ...timeline.map((t) => `  ${t}`),
        `  statuses: ${tally(commands.map((c) => `${c.kind} ${c.status}${c.code ? ` ${c.code}` : ""}`))}`,
        `  attempts per command: ${tally(commands.map((c) => c.attempts))}`,
        `  attempt log: ${outcomes.map((a) => `${a.outcome} ${a.n}`).join(", ")}`,
        `  invoice writes: ${writes.length} (${writes.filter((w) => !w.delivered).length} unanswered), read-backs: ${readBacks()}`,
      ].join("\n"),
    );

    const local = new Map(
      (
        await prisma.$queryRawUnsafe<Array<{ box: string; status: string; invoice: string | null }>>(
          `SELECT shipment_box_id::text AS box, status, invoice_number AS invoice FROM shipment_boxes`,
        )
      ).map((r) => [r.box, r]),
    );
    const remote = new Map(sim.groundTruth().orders.map((b) => [b.shipmentBoxId.toString(), b]));
    const byKind = (kind: string) => commands.filter((c) => c.kind === kind);

    // No command lost: each one inserted is there (plus the acknowledgements the uploads on
    // ACCEPT boxes asked for), and each ended succeeded, or rejected with a code.
    expect(byKind("UPLOAD_INVOICE")).toHaveLength(uploads.length);
    expect(byKind("ACKNOWLEDGE")).toHaveLength(acks.length + 40);
    for (const c of commands) {
      expect(["succeeded", "rejected"], `${c.kind} of box ${c.box}`).toContain(c.status);
      if (c.status === "rejected") expect(c.code, `${c.kind} of box ${c.box}`).toMatch(/\S/);
    }

    // Nothing doubled: per box, one applied invoice write for a succeeded upload and none for any
    // other, the invoice on the box at Coupang and locally; one acknowledgement per acknowledged box.
    for (const c of byKind("UPLOAD_INVOICE")) {
      const applied = sim.writes({ endpoint: "orders/invoices", target: c.box });
      expect(applied, `box ${c.box}`).toHaveLength(c.status === "succeeded" ? 1 : 0);
      if (c.status !== "succeeded") continue;
      expect(remote.get(c.box)?.invoiceNumber, `box ${c.box} at Coupang`).toBe(c.invoice);
      expect(local.get(c.box), `box ${c.box} locally`).toMatchObject({
        status: "DEPARTURE",
        invoice: c.invoice,
      });
    }
    for (const c of byKind("ACKNOWLEDGE")) {
      const applied = sim.writes({ endpoint: "ordersheets/acknowledgement", target: c.box });
      expect(applied, `box ${c.box}`).toHaveLength(c.status === "succeeded" ? 1 : 0);
      expect(local.get(c.box)?.status, `box ${c.box} locally`).not.toBe("ACCEPT");
    }
  });
});

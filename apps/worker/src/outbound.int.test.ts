import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { CoupangClient } from "@cos/coupang";
import type { Simulator } from "@cos/coupang-sim";
import { createPrisma, type PrismaClient } from "@cos/db";
import { vendorStatus } from "@cos/ops";
import { createWorkerEvents, startWorker, type PollOutcome } from "./app.js";
import { loadConfig } from "./config.js";
import { createLogger } from "./logger.js";
import type { DrainOutcome } from "./outbound.js";
import { createTestDatabase, type TestDatabase } from "../../../test/support/postgres.js";
import { simulatorFor, workerEnv } from "../../../test/support/worker-env.js";

const VENDOR = { vendorId: "A00088888", accessKey: "ak-o", secretKey: "sk-o-secret-value" };
const redisUrl = inject("redisUrl");

let sim: Simulator;
let client: CoupangClient;
beforeAll(async () => {
  sim = await simulatorFor(VENDOR, { seed: 12, orders: 20, days: 3, activity: "none" });
  // The test's own hands on Coupang: finding boxes, and the write of a worker that then crashed.
  client = new CoupangClient({ baseUrl: sim.url, ...VENDOR, requestsPerSecond: 1000 });
});
afterAll(async () => {
  client?.close();
  await sim?.close();
});

interface Box {
  shipmentBoxId: bigint;
  orderId: bigint;
}

/** A new paid order's first box, ACCEPT in the simulator (see `Simulator.event`). */
async function acceptBox(): Promise<Box> {
  const order = await sim.event({ vendorId: VENDOR.vendorId, type: "order" });
  const sheet = (await client.getOrderSheet(BigInt(String((order.shipmentBoxIds as unknown[])[0])))).value;
  return { shipmentBoxId: sheet.shipmentBoxId, orderId: sheet.orderId };
}

/** An acknowledged box (INSTRUCT), ready for an invoice. */
async function instructBox(): Promise<Box> {
  const box = await acceptBox();
  await client.acknowledgeOrders([box.shipmentBoxId]);
  return box;
}

let invoiceSeq = 710_000_000_000;
/** A CJGLS invoice number (12 digits) never used before in this file. */
const invoiceNumber = () => String(invoiceSeq++);

/** The simulator's applied writes of an endpoint that name the box. */
const writesOf = (endpoint: string, box: Box) =>
  sim.writes({ endpoint, target: box.shipmentBoxId.toString() });

interface CommandRow {
  id: bigint;
  status: string;
  attempts: number;
  code: string | null;
}

/** The commands of a box, in id order. */
function commandsOf(prisma: PrismaClient, box: Box): Promise<CommandRow[]> {
  return prisma.$queryRawUnsafe<CommandRow[]>(
    `SELECT id, status, attempts, last_result_code AS code FROM outbox_commands
     WHERE shipment_box_id = $1::bigint ORDER BY id`,
    box.shipmentBoxId.toString(),
  );
}

/** Polls until the box's only command is final; returns it with how long that took (ms). */
async function finished(prisma: PrismaClient, box: Box): Promise<{ command: CommandRow; ms: number }> {
  const started = Date.now();
  for (;;) {
    const [command, ...more] = await commandsOf(prisma, box);
    expect(more).toEqual([]);
    if (command && !["pending", "in_flight", "unknown"].includes(command.status))
      return { command, ms: Date.now() - started };
    if (Date.now() - started > 15_000) throw new Error(`command still ${command?.status ?? "absent"}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A consumer's command, inserted with plain SQL as docs/database.md documents it. */
async function insertUpload(prisma: PrismaClient, box: Box, number: string): Promise<void> {
  await prisma.$executeRawUnsafe(
    `INSERT INTO outbox_commands (vendor_id, kind, shipment_box_id, order_id, payload, created_by)
     VALUES ($1, 'UPLOAD_INVOICE', $2::bigint, $3::bigint, $4::jsonb, 'sql:test-wms')
     ON CONFLICT (dedupe_key) DO NOTHING`,
    VENDOR.vendorId,
    box.shipmentBoxId.toString(),
    box.orderId.toString(),
    JSON.stringify({ deliveryCompanyCode: "CJGLS", invoiceNumber: number }),
  );
}

/** The same command as a worker left it: in a given status, after `attempts` tries, due at `dueAt`. */
async function insertUploadAs(
  prisma: PrismaClient,
  box: Box,
  number: string,
  state: { status: string; attempts: number; dueAt: Date },
): Promise<void> {
  await prisma.$executeRawUnsafe(
    `INSERT INTO outbox_commands (vendor_id, kind, shipment_box_id, order_id, payload, created_by, status, attempts, next_attempt_at)
     VALUES ($1, 'UPLOAD_INVOICE', $2::bigint, $3::bigint, $4::jsonb, 'sql:test-wms', $5, $6, $7::timestamptz)`,
    VENDOR.vendorId,
    box.shipmentBoxId.toString(),
    box.orderId.toString(),
    JSON.stringify({ deliveryCompanyCode: "CJGLS", invoiceNumber: number }),
    state.status,
    state.attempts,
    state.dueAt,
  );
}

const backends = [
  { name: "postgres", skip: false, redis: undefined as string | undefined },
  { name: "redis", skip: redisUrl === null, redis: redisUrl ?? undefined },
];

describe.each(backends)("the outbox in the worker on BullMQ's $name backend", ({ skip, redis }) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db?.drop();
  });

  const queuePrefix = `t${randomBytes(4).toString("hex")}`;
  const config = ({ secretKey = VENDOR.secretKey, drainIntervalSeconds = 1 } = {}) =>
    loadConfig(
      workerEnv(
        { db, sim, vendor: VENDOR, queuePrefix, redisUrl: redis },
        {
          COUPANG_SECRET_KEY: secretKey,
          SYNC_POLL_INTERVAL_SECONDS: "3600",
          SYNC_BACKFILL_DAYS: "4",
          OUTBOX_DRAIN_INTERVAL_SECONDS: String(drainIntervalSeconds),
          LOG_LEVEL: "silent",
        },
      ),
    );

  it.skipIf(skip)(
    "executes a consumer's SQL insert at once, and makes one command and one write of two enqueues",
    async () => {
      // No scheduler tick in this test after the boot's: only NOTIFY can wake the drain.
      const app = await startWorker(config({ drainIntervalSeconds: 3600 }), createLogger("silent"));
      try {
        const box = await instructBox();
        await new Promise((r) => setTimeout(r, 500));
        const number = invoiceNumber();
        await insertUpload(app.prisma, box, number);
        const { command, ms } = await finished(app.prisma, box);
        expect(command).toMatchObject({ status: "succeeded", attempts: 1, code: "OK" });
        // A read-back (the box is not synced yet) and the upload, paced by the limiter.
        expect(ms).toBeLessThan(2_000);
        expect(writesOf("orders/invoices", box)).toHaveLength(1);
        expect((await client.getOrderSheet(box.shipmentBoxId)).value.invoiceNumber).toBe(number);

        const acceptBox2 = await acceptBox();
        const input = {
          kind: "ACKNOWLEDGE" as const,
          vendorId: VENDOR.vendorId,
          shipmentBoxId: acceptBox2.shipmentBoxId,
          orderId: acceptBox2.orderId,
          createdBy: "test",
        };
        const first = await app.enqueueCommand(input);
        const second = await app.enqueueCommand(input);
        expect([first.created, second.created, second.command.id]).toEqual([true, false, first.command.id]);
        expect((await finished(app.prisma, acceptBox2)).command).toMatchObject({
          id: first.command.id,
          status: "succeeded",
          attempts: 1,
        });
        await new Promise((r) => setTimeout(r, 1_500));
        expect(writesOf("ordersheets/acknowledgement", acceptBox2)).toHaveLength(1);
        expect(await commandsOf(app.prisma, acceptBox2)).toHaveLength(1);

        await expect(app.enqueueCommand({ ...input, vendorId: "A00000001" })).rejects.toThrow(
          'outbox command: vendorId "A00000001": not configured in this worker',
        );
      } finally {
        await app.close();
      }
    },
  );

  it.skipIf(skip)("runs a command no NOTIFY announced (an operator's re-arm) on its scheduler", async () => {
    const app = await startWorker(config(), createLogger("silent"));
    try {
      const box = await instructBox();
      const number = invoiceNumber();
      await insertUploadAs(app.prisma, box, number, { status: "dead", attempts: 8, dueAt: new Date() });
      await new Promise((r) => setTimeout(r, 1_500));
      expect(writesOf("orders/invoices", box)).toHaveLength(0);
      // An UPDATE NOTIFYs nothing: only the scheduler's tick can find it.
      await app.prisma.$executeRawUnsafe(
        `UPDATE outbox_commands SET status = 'pending', attempts = 0 WHERE shipment_box_id = $1::bigint`,
        box.shipmentBoxId.toString(),
      );
      expect((await finished(app.prisma, box)).command).toMatchObject({ status: "succeeded", attempts: 1 });
      expect(writesOf("orders/invoices", box)).toHaveLength(1);
    } finally {
      await app.close();
    }
  });

  it.skipIf(skip)(
    "opens the vendor's circuit (shared with the polls) when a drain meets a block",
    async () => {
      const app = await startWorker(config(), createLogger("silent"));
      const rule = sim.faults.add({ endpoint: "orders/invoices", kind: "status", status: 403 });
      try {
        const box = await instructBox();
        const drained = new Promise<DrainOutcome>((resolve) => {
          const on = (o: DrainOutcome) => {
            if (o.outcome === "drained" && o.result.claimed > 0) {
              app.events.off("drain", on);
              resolve(o);
            }
          };
          app.events.on("drain", on);
        });
        await insertUpload(app.prisma, box, invoiceNumber());
        const first = await drained;
        expect(first.outcome === "drained" && first.result.stoppedBy?.kind).toBe("blocked");
        const skipped = new Promise<DrainOutcome>((resolve) => {
          const on = (o: DrainOutcome) => {
            if (o.outcome === "skipped") {
              app.events.off("drain", on);
              resolve(o);
            }
          };
          app.events.on("drain", on);
        });
        await insertUpload(app.prisma, await instructBox(), invoiceNumber());
        expect(await skipped).toMatchObject({ outcome: "skipped", reason: expect.stringMatching(/403/) });
        expect(writesOf("orders/invoices", box)).toHaveLength(0);
        await app.prisma.$executeRawUnsafe(`DELETE FROM outbox_commands`);
      } finally {
        sim.faults.remove(rule.id);
        await app.close();
      }
    },
  );

  it.skipIf(skip)("leaves a command unclaimed while the vendor's circuit is open", async () => {
    // Heard from before the start: the first polls may end before startWorker resolves.
    const events = createWorkerEvents();
    const failed = new Promise<void>((resolve) => {
      const on = (o: PollOutcome) => {
        if (!o.ok && o.final) {
          events.off("poll", on);
          resolve();
        }
      };
      events.on("poll", on);
    });
    const app = await startWorker(config({ secretKey: "a-wrong-secret" }), createLogger("silent"), {
      events,
    });
    try {
      await failed;
      const box = await instructBox();
      const skipped = new Promise<DrainOutcome>((resolve) => app.events.once("drain", resolve));
      await insertUpload(app.prisma, box, invoiceNumber());
      expect(await skipped).toMatchObject({
        vendorId: VENDOR.vendorId,
        outcome: "skipped",
        reason: expect.stringMatching(/^the vendor's circuit is open until .*401/),
      });
      await new Promise((r) => setTimeout(r, 1_500));
      const [command] = await commandsOf(app.prisma, box);
      expect(command).toMatchObject({ status: "pending", attempts: 0, code: null });
      const [{ n }] = await app.prisma.$queryRawUnsafe<[{ n: bigint }]>(
        `SELECT count(*) AS n FROM outbox_attempts WHERE command_id = $1::bigint`,
        command!.id.toString(),
      );
      expect(n).toBe(0n);
      expect(writesOf("orders/invoices", box)).toHaveLength(0);
      await app.prisma.$executeRawUnsafe(
        `DELETE FROM outbox_commands WHERE id = $1::bigint`,
        command!.id.toString(),
      );
    } finally {
      await app.close();
    }
  });

  it.skipIf(skip)("warns of the pending commands of a vendor it is not configured for", async () => {
    const other = "A00088889";
    const box = await instructBox();
    const prisma = createPrisma(db.url);
    /** Pending acknowledgements of `other`, with dedupe keys other-<from> … other-<to>. */
    const insert = (from: number, to: number) =>
      prisma.$executeRawUnsafe(
        `INSERT INTO outbox_commands (vendor_id, kind, shipment_box_id, order_id, dedupe_key, created_by)
         SELECT $1, 'ACKNOWLEDGE', $2::bigint, $3::bigint, 'other-' || g, 'sql:test' FROM generate_series($4::int, $5::int) g`,
        other,
        box.shipmentBoxId.toString(),
        box.orderId.toString(),
        from,
        to,
      );
    type Line = { msg: string; vendorId?: string; pending?: number };
    const lines: Line[] = [];
    const log = createLogger("warn", { write: (line: string) => void lines.push(JSON.parse(line) as Line) });
    const warnings = () => lines.filter((l) => l.vendorId === other).map((l) => [l.pending, l.msg]);
    const message = (n: number) =>
      `vendor ${other} has ${n} pending outbox commands but is not configured in this worker: they are not sent`;
    try {
      await prisma.vendorAccount.create({ data: { vendorId: other, name: "not here" } });
      await insert(1, 2);
      // Queues of its own: a scheduler an earlier test left with a longer interval ticks late.
      const app = await startWorker({ ...config(), queuePrefix: `${queuePrefix}w` }, log);
      try {
        expect(warnings()).toEqual([[2, message(2)]]);
        // The first vendor's ticks (every second here) tell a new count once, not every tick.
        await new Promise((r) => setTimeout(r, 2_500));
        expect(warnings()).toHaveLength(1);
        await insert(3, 3);
        for (let i = 0; i < 60 && warnings().length < 2; i++) await new Promise((r) => setTimeout(r, 100));
        await new Promise((r) => setTimeout(r, 1_500));
        expect(warnings()).toEqual([
          [2, message(2)],
          [3, message(3)],
        ]);
        expect(
          await prisma.$queryRawUnsafe(
            `SELECT count(*)::int AS n FROM outbox_commands WHERE vendor_id = $1 AND status = 'pending'`,
            other,
          ),
        ).toEqual([{ n: 3 }]);
        // The status shows them undrained: due for longer than any drain interval.
        const [status] = (await vendorStatus(prisma, { vendorId: other })).vendors;
        expect(status!.outbox.counts.pending).toBe(3);
        expect(status!.outbox.oldestDueAgeSeconds).toBeGreaterThanOrEqual(4);
      } finally {
        await app.close();
      }
    } finally {
      await prisma.$executeRawUnsafe(`DELETE FROM outbox_commands WHERE vendor_id = $1`, other);
      await prisma.$executeRawUnsafe(`DELETE FROM vendor_accounts WHERE vendor_id = $1`, other);
      await prisma.$disconnect();
    }
  });

  it.skipIf(skip)(
    "after a restart, reads back a command a crashed worker left in flight and finishes it without a second write",
    async () => {
      const box = await instructBox();
      const number = invoiceNumber();
      const first = await startWorker(config(), createLogger("silent"));
      await first.close();
      // The crashed worker's write reached Coupang; its verdict never reached the database, and
      // its lease has run out.
      // One row per item of the box, as the worker sends them (coupang-api.md §4.1).
      const sheet = (await client.getOrderSheet(box.shipmentBoxId)).value;
      await client.uploadInvoices(
        sheet.orderItems.map((item) => ({
          shipmentBoxId: box.shipmentBoxId,
          orderId: box.orderId,
          vendorItemId: item.vendorItemId,
          deliveryCompanyCode: "CJGLS",
          invoiceNumber: number,
        })),
      );
      const admin = createPrisma(db.url, { max: 1 });
      try {
        const dueAt = new Date(Date.now() - 1_000);
        await insertUploadAs(admin, box, number, { status: "in_flight", attempts: 1, dueAt });
      } finally {
        await admin.$disconnect();
      }
      const app = await startWorker(config(), createLogger("silent"));
      try {
        const { command } = await finished(app.prisma, box);
        // The crashed claim logged no call, so taking it over spends no try (a crash loop must
        // not kill commands); the read-back comes before anything is resent all the same.
        expect(command).toMatchObject({ status: "succeeded", attempts: 1, code: "READ_BACK" });
        expect(writesOf("orders/invoices", box)).toHaveLength(1);
        const log = await app.prisma.$queryRawUnsafe<Array<{ attempt: number; outcome: string }>>(
          `SELECT attempt, outcome FROM outbox_attempts WHERE command_id = $1::bigint ORDER BY id`,
          command.id.toString(),
        );
        expect(log).toEqual([{ attempt: 1, outcome: "read_back_applied" }]);
      } finally {
        await app.close();
      }
    },
  );
});

import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { CoupangClient, parseJson } from "@cos/coupang";
import { startSimulator, type Simulator } from "@cos/coupang-sim";
import {
  appendChangeEvents,
  ensureVendorAccount,
  OUTBOX_CHANNEL,
  upsertShipmentBoxes,
  withTransaction,
  type PrismaClient,
} from "@cos/db";
import { normalizeOrderSheet } from "@cos/sync";
import { enqueueCommand } from "./command.js";
import { drainOutbox, type DrainOutboxOptions } from "./drain.js";
import { cancelCommand, rearmCommand } from "./operator.js";
import { useTestDatabase } from "../../../test/support/database.js";

const VENDOR = { vendorId: "A00000066", accessKey: "ak-66", secretKey: "sk-66" };
const ANCHOR = new Date("2025-03-10T03:00:00Z");
const HOUR = 3_600_000;

let sim: Simulator;
let prisma: PrismaClient;
let client: CoupangClient;
const fixture = useTestDatabase();

beforeAll(async () => {
  sim = await startSimulator({
    seed: 21,
    orders: 50,
    days: 5,
    anchor: ANCHOR,
    activity: "none",
    clock: "simulated",
    vendors: [VENDOR],
  });
  prisma = fixture.prisma;
  await ensureVendorAccount(prisma, { vendorId: VENDOR.vendorId, name: null });
  // A short write timeout stands in for the gateway's 90 s; a tiny limiter pause keeps a 429 from stalling the test in real time.
  client = new CoupangClient({
    baseUrl: sim.url,
    ...VENDOR,
    requestsPerSecond: 1000,
    timeoutMs: 1000,
    rateLimitPauseMs: 1,
  });
});
afterAll(async () => {
  client?.close();
  await sim?.close();
});
beforeEach(async () => {
  sim.faults.clear();
  await fixture.truncate("outbox_commands", "change_events", "shipment_boxes");
});

/** A buyer's event in the simulator (see `Simulator.event`), IDs as bigint. */
const event = (body: Record<string, unknown>) => sim.event({ vendorId: VENDOR.vendorId, ...body });

interface Box {
  shipmentBoxId: bigint;
  orderId: bigint;
  items: bigint[];
}

/** New paid orders until there are `n` ACCEPT boxes (an order has one or two). */
async function acceptBoxes(n: number, minItems = 1): Promise<Box[]> {
  const boxes: Box[] = [];
  while (boxes.length < n) {
    const order = await event({ type: "order" });
    for (const id of order.shipmentBoxIds as unknown[]) {
      const sheet = (await client.getOrderSheet(BigInt(String(id)))).value;
      if (sheet.orderItems.length < minItems || boxes.length === n) continue;
      boxes.push({
        shipmentBoxId: sheet.shipmentBoxId,
        orderId: sheet.orderId,
        items: sheet.orderItems.map((i) => i.vendorItemId),
      });
    }
  }
  return boxes;
}

/** INSTRUCT boxes, synced locally as a poll would have: ACCEPT ones acknowledged straight through the client. */
async function instructBoxes(n: number, minItems = 1): Promise<Box[]> {
  const boxes = await acceptBoxes(n, minItems);
  await client.acknowledgeOrders(boxes.map((b) => b.shipmentBoxId));
  for (const box of boxes) await syncLocally(box);
  return boxes;
}

let invoiceSeq = 500_000_000_000;
/** A CJGLS invoice number (12 digits) never used before in this file. */
const invoiceNumber = () => String(invoiceSeq++);

const ack = (box: Box) =>
  enqueueCommand(
    prisma,
    {
      kind: "ACKNOWLEDGE",
      vendorId: VENDOR.vendorId,
      shipmentBoxId: box.shipmentBoxId,
      orderId: box.orderId,
      createdBy: "test",
    },
    { now: sim.clock.now() },
  );
const upload = (box: Box, number: string, extra: Record<string, unknown> = {}) =>
  enqueueCommand(
    prisma,
    {
      kind: "UPLOAD_INVOICE",
      vendorId: VENDOR.vendorId,
      shipmentBoxId: box.shipmentBoxId.toString(),
      orderId: box.orderId.toString(),
      deliveryCompanyCode: "CJGLS",
      invoiceNumber: number,
      createdBy: "test",
      ...extra,
    },
    { now: sim.clock.now() },
  );

const drain = (extra: Partial<DrainOutboxOptions> = {}) =>
  drainOutbox({
    prisma,
    client,
    vendorId: VENDOR.vendorId,
    now: () => sim.clock.now(),
    random: () => 0,
    ...extra,
  });

type Row = { id: bigint; kind: string; status: string; attempts: number; code: string | null; box: string };
async function commands(): Promise<Row[]> {
  return prisma.$queryRawUnsafe<Row[]>(
    `SELECT id, kind, status, attempts, last_result_code AS code, shipment_box_id::text AS box
     FROM outbox_commands ORDER BY id`,
  );
}
async function attemptLog(
  id: bigint,
): Promise<Array<{ attempt: number; outcome: string; code: string | null }>> {
  return prisma.$queryRawUnsafe(
    `SELECT attempt, outcome, result_code AS code FROM outbox_attempts WHERE command_id = $1::bigint ORDER BY attempt`,
    id.toString(),
  );
}

/** The simulator's applied writes of an endpoint that name `box`. */
const writesOf = (endpoint: string, box: Box) =>
  sim.writes({ endpoint, target: box.shipmentBoxId.toString() });

/** No box got an invoice twice: the write log names each box at most once per invoice endpoint. */
function expectNoInvoiceAppliedTwice(): void {
  const targets = sim.writes({ endpoint: "orders/invoices" }).flatMap((w) => w.targets);
  expect(targets.length).toBe(new Set(targets).size);
}

/** Stores a box as a poll would have (status, invoice, items), so the local copy can be checked. */
async function syncLocally(box: Box): Promise<void> {
  const sheet = (await client.getOrderSheet(box.shipmentBoxId)).value;
  await prisma.$executeRawUnsafe(
    `INSERT INTO shipment_boxes (shipment_box_id, vendor_id, order_id, status, invoice_number, raw, raw_hash)
     VALUES ($1::bigint, $2, $3::bigint, $4, NULL, '{}', repeat('0', 64))`,
    box.shipmentBoxId.toString(),
    VENDOR.vendorId,
    box.orderId.toString(),
    sheet.status,
  );
  for (const item of box.items) {
    await prisma.$executeRawUnsafe(
      `INSERT INTO order_items (shipment_box_id, vendor_item_id, vendor_id, order_id, shipping_count, raw, raw_hash)
       VALUES ($1::bigint, $2::bigint, $3, $4::bigint, 1, '{}', repeat('0', 64))`,
      box.shipmentBoxId.toString(),
      item.toString(),
      VENDOR.vendorId,
      box.orderId.toString(),
    );
  }
}

/** Writes boxes as Coupang serves them now, the way a poll does (normalizer, upsert, change feed in one transaction). */
async function pollBoxes(boxes: readonly Box[]): Promise<void> {
  const rows = await Promise.all(
    boxes.map(async (box) =>
      normalizeOrderSheet(VENDOR.vendorId, await client.getOrderSheet(box.shipmentBoxId)),
    ),
  );
  await withTransaction(prisma, async (tx) => {
    await appendChangeEvents(tx, (await upsertShipmentBoxes(tx, rows)).events);
  });
}

/** The change feed after event `afterId`, in order. */
function feedAfter(
  afterId: bigint,
): Promise<Array<{ id: bigint; entity: string; entityId: string; kind: string; fields: string[] }>> {
  return prisma.$queryRawUnsafe(
    `SELECT id, entity, entity_id AS "entityId", kind, changed_fields AS fields FROM change_events
     WHERE id > $1::bigint ORDER BY id`,
    afterId.toString(),
  );
}

describe("enqueueCommand and the SQL contract", () => {
  it("makes one command of two identical enqueues", async () => {
    const [box] = await acceptBoxes(1);
    const first = await upload(box!, "612345678901");
    const second = await upload(box!, "612345678901");
    expect(first.created).toBe(true);
    expect(second).toEqual({ command: first.command, created: false });
    expect(first.command).toMatchObject({
      kind: "UPLOAD_INVOICE",
      status: "pending",
      attempts: 0,
      dedupeKey: `UPLOAD_INVOICE:${box!.shipmentBoxId}::612345678901`,
      payload: { deliveryCompanyCode: "CJGLS", invoiceNumber: "612345678901" },
      createdBy: "test",
    });
    expect(await commands()).toHaveLength(1);
  });

  it("accepts a consumer's SQL insert, NOTIFYs it, and dedupes it against enqueueCommand", async () => {
    const [box] = await acceptBoxes(1);
    const notified = new Promise<string>((resolve) => {
      fixture.sql.once("notification", (message) => resolve(`${message.channel}:${message.payload}`));
    });
    await fixture.sql.query(`LISTEN ${OUTBOX_CHANNEL}`);
    await prisma.$executeRawUnsafe(
      `INSERT INTO outbox_commands (vendor_id, kind, shipment_box_id, order_id, payload, created_by)
       VALUES ($1, 'UPLOAD_INVOICE', $2::bigint, $3::bigint, '{"deliveryCompanyCode":"CJGLS","invoiceNumber":"622345678901"}', 'sql:wms')`,
      VENDOR.vendorId,
      box!.shipmentBoxId.toString(),
      box!.orderId.toString(),
    );
    expect(await notified).toBe(`coupang_outbox:${VENDOR.vendorId}`);
    await fixture.sql.query(`UNLISTEN ${OUTBOX_CHANNEL}`);
    const again = await upload(box!, "622345678901");
    expect(again.created).toBe(false);
    expect(again.command.createdBy).toBe("sql:wms");
    expect(again.command.dedupeKey).toBe(`UPLOAD_INVOICE:${box!.shipmentBoxId}::622345678901`);
  });

  it("refuses a bad SQL insert with the reason, and rejects a bad carrier at the drain unsent", async () => {
    const [box] = await acceptBoxes(1);
    const insert = (kind: string, payload: string, status = "pending") =>
      fixture.sql.query(
        `INSERT INTO outbox_commands (vendor_id, kind, shipment_box_id, order_id, payload, status, created_by)
         VALUES ($1, $2, $3, $4, $5::jsonb, $6, 'sql:wms')`,
        [VENDOR.vendorId, kind, box!.shipmentBoxId.toString(), box!.orderId.toString(), payload, status],
      );
    await expect(insert("SHIP", "{}")).rejects.toThrow(/outbox_commands_kind_check/);
    await expect(insert("ACKNOWLEDGE", "{}", "done")).rejects.toThrow(/outbox_commands_status_check/);
    await expect(insert("UPLOAD_INVOICE", '{"deliveryCompanyCode":"CJGLS"}')).rejects.toThrow(
      "outbox_commands: UPLOAD_INVOICE needs payload.invoiceNumber as text, got null",
    );
    await insert("UPLOAD_INVOICE", '{"deliveryCompanyCode":"LOTTE","invoiceNumber":"632345678901"}');
    const calls = sim.calls().total ?? 0;
    // The insert is due at the database's now, the real one.
    const result = await drain({ now: () => new Date() });
    expect(result.statuses).toEqual({ rejected: 1 });
    expect(sim.calls().total ?? 0).toBe(calls);
    const [row] = await prisma.$queryRawUnsafe<Array<{ status: string; code: string; message: string }>>(
      `SELECT status, last_result_code AS code, last_result_message AS message FROM outbox_commands`,
    );
    expect(row).toEqual({
      status: "rejected",
      code: "INVALID_COMMAND",
      message:
        'outbox command: deliveryCompanyCode "LOTTE": carrier code LOTTE is not accepted by Coupang: use HYUNDAI for 롯데택배',
    });
  });
  it("refuses control and invisible characters in every text field, at enqueue and in a SQL insert", async () => {
    const [box] = await acceptBoxes(1);
    const direct = {
      kind: "UPLOAD_INVOICE",
      vendorId: VENDOR.vendorId,
      shipmentBoxId: box!.shipmentBoxId,
      orderId: box!.orderId,
      deliveryCompanyCode: "DIRECT",
      invoiceNumber: "\u001b[2J\nrm -rf",
      createdBy: "test",
    } as const;
    await expect(enqueueCommand(prisma, direct)).rejects.toThrow(
      'outbox command: invoiceNumber "\\u001b[2J\\nrm -rf": printable text: U+001B at character 1 is a control or invisible character',
    );
    await expect(
      enqueueCommand(prisma, { ...direct, invoiceNumber: "A-1", createdBy: "wms\u202egnp.exe" }),
    ).rejects.toThrow("outbox command: createdBy");
    await expect(
      enqueueCommand(prisma, {
        kind: "CANCEL",
        vendorId: VENDOR.vendorId,
        shipmentBoxId: box!.shipmentBoxId,
        orderId: box!.orderId,
        middleCancelCode: "CCTTER",
        userId: "seller\u200b",
        createdBy: "test",
      }),
    ).rejects.toThrow("U+200B at character 7");

    const insert = (payload: Record<string, unknown>, createdBy = "sql:wms", kind = "UPLOAD_INVOICE") =>
      fixture.sql.query(
        `INSERT INTO outbox_commands (vendor_id, kind, shipment_box_id, order_id, payload, created_by)
         VALUES ($1, $2, $3, $4, $5::jsonb, $6)`,
        [
          VENDOR.vendorId,
          kind,
          box!.shipmentBoxId.toString(),
          box!.orderId.toString(),
          JSON.stringify(payload),
          createdBy,
        ],
      );
    await expect(
      insert({ deliveryCompanyCode: "DIRECT", invoiceNumber: "\u001b[2J\nrm -rf" }),
    ).rejects.toThrow(
      'outbox_commands: payload.invoiceNumber "\\u001b[2J\\nrm -rf": printable text: U+001B at character 1 is a control or invisible character',
    );
    await expect(
      insert({ deliveryCompanyCode: "CJGLS\u0085", invoiceNumber: "123412341234" }),
    ).rejects.toThrow("outbox_commands: payload.deliveryCompanyCode");
    await expect(
      insert({ deliveryCompanyCode: "DIRECT", invoiceNumber: "A-1" }, "wms\u2028"),
    ).rejects.toThrow("outbox_commands: created_by");
    await expect(
      insert(
        { middleCancelCode: "CCTTER", userId: "seller", items: [{ vendorItemId: "1\t", receiptCount: 1 }] },
        "sql:wms",
        "CANCEL",
      ),
    ).rejects.toThrow("outbox_commands: payload.items[0].vendorItemId");
    expect(await commands()).toEqual([]);
    // Text in other scripts, emoji and inner spaces is printable.
    await insert({ deliveryCompanyCode: "DIRECT", invoiceNumber: "배송 1호 📦" }, "sql:창고");
    expect(await commands()).toHaveLength(1);
  });
});

describe("executors", () => {
  it("acknowledges 120 boxes in 3 calls of at most 50", async () => {
    const boxes = await acceptBoxes(120);
    for (const box of boxes) await ack(box);
    const before = sim.writes({ endpoint: "ordersheets/acknowledgement" }).length;
    const result = await drain();
    expect(result).toMatchObject({ claimed: 120, statuses: { succeeded: 120 }, calls: 3, pausedUntil: null });
    const writes = sim.writes({ endpoint: "ordersheets/acknowledgement" }).slice(before);
    expect(writes.map((w) => w.targets.length)).toEqual([50, 50, 20]);
    expect(new Set(writes.flatMap((w) => w.targets)).size).toBe(120);
    expect(
      (await commands()).every((c) => c.status === "succeeded" && c.attempts === 1 && c.code === "OK"),
    ).toBe(true);
  });

  it("acknowledges an ACCEPT box before uploading its invoice, and updates the local box and the feed", async () => {
    const [box] = await acceptBoxes(1);
    await syncLocally(box!);
    const number = invoiceNumber();
    const { command } = await upload(box!, number);
    const result = await drain();
    expect(result.statuses).toEqual({ succeeded: 2 });
    const acks = writesOf("ordersheets/acknowledgement", box!);
    const invoices = writesOf("orders/invoices", box!);
    expect(acks).toHaveLength(1);
    expect(invoices).toHaveLength(1);
    expect(acks[0]!.seq).toBeLessThan(invoices[0]!.seq);
    expect(await commands()).toEqual([
      {
        id: command.id,
        kind: "UPLOAD_INVOICE",
        status: "succeeded",
        attempts: 1,
        code: "OK",
        box: `${box!.shipmentBoxId}`,
      },
      expect.objectContaining({ kind: "ACKNOWLEDGE", status: "succeeded", attempts: 1, code: "OK" }),
    ]);
    const [auto] = await prisma.$queryRawUnsafe<Array<{ createdBy: string }>>(
      `SELECT created_by AS "createdBy" FROM outbox_commands WHERE kind = 'ACKNOWLEDGE'`,
    );
    expect(auto!.createdBy).toBe(`outbox: before upload command ${command.id}`);
    expect(
      await prisma.$queryRawUnsafe(
        `SELECT status, invoice_number AS "invoiceNumber" FROM shipment_boxes WHERE shipment_box_id = $1::bigint`,
        box!.shipmentBoxId.toString(),
      ),
    ).toEqual([{ status: "DEPARTURE", invoiceNumber: number }]);
    expect(
      await prisma.$queryRawUnsafe(
        `SELECT entity_id AS id, kind, old_status AS "old", new_status AS "new", changed_fields AS fields FROM change_events ORDER BY id`,
      ),
    ).toEqual([
      {
        id: `${box!.shipmentBoxId}`,
        kind: "status_changed",
        old: "ACCEPT",
        new: "INSTRUCT",
        fields: ["status"],
      },
      {
        id: `${box!.shipmentBoxId}`,
        kind: "status_changed",
        old: "INSTRUCT",
        new: "DEPARTURE",
        fields: ["status", "invoiceNumber"],
      },
    ]);
  });

  it("reads back after a timeout once the write was applied, and never uploads twice", async () => {
    const [box] = await instructBoxes(1);
    const { command } = await upload(box!, invoiceNumber());
    sim.faults.add({ endpoint: "orders/invoices", kind: "timeoutAfterWrite", count: 1 });
    const first = await drain();
    expect(first.statuses).toEqual({ unknown: 1 });
    expect(await commands()).toEqual([expect.objectContaining({ status: "unknown", attempts: 1 })]);
    sim.clock.advance(HOUR);
    const second = await drain();
    expect(second).toMatchObject({ statuses: { succeeded: 1 }, calls: 1 });
    expect(await commands()).toEqual([
      expect.objectContaining({ status: "succeeded", attempts: 2, code: "READ_BACK" }),
    ]);
    expect((await attemptLog(command.id)).map((a) => [a.attempt, a.outcome])).toEqual([
      [1, "unknown"],
      [2, "read_back_applied"],
    ]);
    const writes = writesOf("orders/invoices", box!);
    expect(writes.map((w) => w.delivered)).toEqual([false]);
    expectNoInvoiceAppliedTwice();
  });

  it("retries after a 500 before the write: read back, one applied write", async () => {
    const [box] = await instructBoxes(1);
    const { command } = await upload(box!, invoiceNumber());
    sim.faults.add({ endpoint: "orders/invoices", kind: "status", status: 500, count: 1 });
    expect((await drain()).statuses).toEqual({ unknown: 1 });
    sim.clock.advance(HOUR);
    expect((await drain()).statuses).toEqual({ succeeded: 1 });
    expect((await attemptLog(command.id)).map((a) => [a.outcome, a.code])).toEqual([
      ["unknown", "CoupangRetryableError"],
      ["read_back_open", "INSTRUCT"],
      ["succeeded", "OK"],
    ]);
    expect(writesOf("orders/invoices", box!).map((w) => w.delivered)).toEqual([true]);
    expectNoInvoiceAppliedTwice();
  });

  it("decides per row: one succeeds, one is rejected with Coupang's code, only the retryRequired one is resent", async () => {
    const [fine, victim, other] = [
      ...(await instructBoxes(1)),
      ...(await instructBoxes(1)),
      ...(await instructBoxes(1)),
    ];
    // `multi` has two items; a stop request for one of them makes its box's rows retryRequired (§4.1).
    const [multi] = await instructBoxes(1, 2);
    const { receiptId } = await event({
      type: "stopShipmentRequest",
      shipmentBoxId: multi!.shipmentBoxId,
      vendorItemIds: [multi!.items[0]],
    });
    // `taken` goes to another recipient's box first, so `other` may not reuse it (B-10).
    const taken = invoiceNumber();
    await client.uploadInvoices(
      victim!.items.map((vendorItemId) => ({
        shipmentBoxId: victim!.shipmentBoxId,
        orderId: victim!.orderId,
        vendorItemId,
        deliveryCompanyCode: "CJGLS",
        invoiceNumber: taken,
      })),
    );
    const good = await upload(fine!, invoiceNumber());
    const retried = await upload(multi!, invoiceNumber());
    const refused = await upload(other!, taken);
    expect((await drain()).statuses).toEqual({ succeeded: 1, pending: 1, rejected: 1 });
    const byId = new Map((await commands()).map((c) => [c.id, c]));
    expect(byId.get(good.command.id)).toMatchObject({ status: "succeeded", code: "OK" });
    expect(byId.get(retried.command.id)).toMatchObject({
      status: "pending",
      attempts: 1,
      code: "ORDER_DELIVERY_PARTIAL_STOP_REQUESTED",
    });
    expect(byId.get(refused.command.id)).toMatchObject({
      status: "rejected",
      code: "NOT_ALLOW_INVOICE_NUMBER_RE_UPLOAD",
    });
    expect((await attemptLog(refused.command.id)).map((a) => a.outcome)).toEqual([
      "failed",
      "read_back_open",
    ]);

    await event({ type: "withdrawReturn", receiptId });
    sim.clock.advance(HOUR);
    const calls = sim.calls()["POST orders/invoices"];
    expect((await drain()).statuses).toEqual({ succeeded: 1 });
    expect(sim.calls()["POST orders/invoices"]).toBe((calls ?? 0) + 1);
    const last = sim.writes({ endpoint: "orders/invoices" }).at(-1)!;
    expect(last.targets).toEqual([`shipmentBoxId:${multi!.shipmentBoxId}`]);
    expect(
      (
        parseJson(last.body) as { orderSheetInvoiceApplyDtos: Array<{ shipmentBoxId: bigint }> }
      ).orderSheetInvoiceApplyDtos.map((row) => row.shipmentBoxId),
    ).toEqual(multi!.items.map(() => multi!.shipmentBoxId));
    expect(await commands()).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ id: retried.command.id, status: "succeeded", attempts: 2 }),
      ]),
    );
    expectNoInvoiceAppliedTwice();
  });

  it("resolves DUPLICATE_INVOICE_NUMBER by reading the box back", async () => {
    const [box] = await instructBoxes(1);
    const number = invoiceNumber();
    await upload(box!, number);
    expect((await drain()).statuses).toEqual({ succeeded: 1 });
    // An update to the invoice the box already has: Coupang answers DUPLICATE_INVOICE_NUMBER (§4.1).
    const { command } = await enqueueCommand(
      prisma,
      {
        kind: "UPDATE_INVOICE",
        vendorId: VENDOR.vendorId,
        shipmentBoxId: box!.shipmentBoxId,
        orderId: box!.orderId,
        deliveryCompanyCode: "CJGLS",
        invoiceNumber: number,
        createdBy: "test",
      },
      { now: sim.clock.now() },
    );
    expect((await drain()).statuses).toEqual({ succeeded: 1 });
    expect((await commands()).find((c) => c.id === command.id)).toMatchObject({
      status: "succeeded",
      code: "DUPLICATE_INVOICE_NUMBER",
    });
    expect((await attemptLog(command.id)).map((a) => [a.outcome, a.code])).toEqual([
      ["failed", "DUPLICATE_INVOICE_NUMBER"],
      ["read_back_applied", "DEPARTURE"],
    ]);
    expect(writesOf("orders/updateInvoices", box!)).toHaveLength(0);
  });

  it("makes a command dead when its attempts are spent, and a re-armed one succeeds", async () => {
    const [box] = await instructBoxes(1);
    const { command } = await upload(box!, invoiceNumber(), { maxAttempts: 2 });
    sim.faults.add({ endpoint: "orders/invoices", kind: "status", status: 502, count: 2 });
    expect((await drain()).statuses).toEqual({ unknown: 1 });
    sim.clock.advance(HOUR);
    // The last try's answer was lost too: one more read before it is dead, nothing resent.
    expect((await drain()).statuses).toEqual({ unknown: 1 });
    sim.clock.advance(HOUR);
    expect(await drain()).toMatchObject({ statuses: { dead: 1 }, calls: 1 });
    expect(await commands()).toEqual([
      expect.objectContaining({ status: "dead", attempts: 3, code: "ATTEMPTS_SPENT" }),
    ]);
    sim.clock.advance(HOUR);
    expect((await drain()).claimed).toBe(0);

    // A re-arm NOTIFYs as an insert does, so a worker drains it at once.
    const notified = new Promise<string>((resolve) => {
      fixture.sql.once("notification", (message) => resolve(`${message.channel}:${message.payload}`));
    });
    await fixture.sql.query(`LISTEN ${OUTBOX_CHANNEL}`);
    await rearmCommand(prisma, command.id, sim.clock.now());
    expect(await notified).toBe(`coupang_outbox:${VENDOR.vendorId}`);
    await fixture.sql.query(`UNLISTEN ${OUTBOX_CHANNEL}`);
    expect(await commands()).toEqual([
      expect.objectContaining({ status: "unknown", attempts: 0, code: "REARMED" }),
    ]);
    expect((await drain()).statuses).toEqual({ succeeded: 1 });
    expect((await attemptLog(command.id)).map((a) => a.outcome)).toEqual([
      "unknown",
      "read_back_open",
      "unknown",
      "read_back_open",
      "read_back_open",
      "succeeded",
    ]);
    expect(writesOf("orders/invoices", box!)).toHaveLength(1);
  });

  it("reads back a last try whose answer was lost: applied, it has succeeded, not died", async () => {
    const [box] = await instructBoxes(1);
    const { command } = await upload(box!, invoiceNumber(), { maxAttempts: 1 });
    sim.faults.add({ endpoint: "orders/invoices", kind: "timeoutAfterWrite", mode: "reset", count: 1 });
    expect((await drain()).statuses).toEqual({ unknown: 1 });
    sim.clock.advance(HOUR);
    expect(await drain()).toMatchObject({ statuses: { succeeded: 1 }, calls: 1 });
    expect((await attemptLog(command.id)).map((a) => a.outcome)).toEqual(["unknown", "read_back_applied"]);
    expect(writesOf("orders/invoices", box!)).toHaveLength(1);
  });

  it("spends no attempt of an upload while its box's acknowledgement is retried", async () => {
    const [box] = await acceptBoxes(1);
    await syncLocally(box!);
    const { command } = await upload(box!, invoiceNumber());
    sim.faults.add({ endpoint: "ordersheets/acknowledgement", kind: "status", status: 500, count: 1 });
    expect((await drain()).statuses).toEqual({ unknown: 1, pending: 1 });
    expect((await commands()).find((c) => c.id === command.id)).toMatchObject({
      status: "pending",
      attempts: 0,
      code: "WAITING_FOR_ACKNOWLEDGEMENT",
    });
    sim.clock.advance(HOUR);
    expect((await drain()).statuses).toEqual({ succeeded: 2 });
    expect((await commands()).find((c) => c.id === command.id)).toMatchObject({
      status: "succeeded",
      attempts: 1,
    });
    expect(writesOf("orders/invoices", box!)).toHaveLength(1);
  });

  it("cancels an upload unsent when the acknowledgement it waits for is cancelled by an operator", async () => {
    const [box] = await acceptBoxes(1);
    await syncLocally(box!);
    const { command } = await upload(box!, invoiceNumber());
    sim.faults.add({ endpoint: "ordersheets/acknowledgement", kind: "status", status: 429, count: 1 });
    expect((await drain()).statuses).toEqual({ pending: 2 });
    const ackRow = (await commands()).find((c) => c.kind === "ACKNOWLEDGE")!;
    expect((await commands()).find((c) => c.id === command.id)).toMatchObject({
      status: "pending",
      attempts: 0,
      code: "WAITING_FOR_ACKNOWLEDGEMENT",
    });
    await cancelCommand(prisma, ackRow.id, "the box ships from another warehouse", sim.clock.now());
    sim.clock.advance(HOUR);
    expect(await drain()).toMatchObject({ claimed: 1, statuses: { cancelled: 1 }, calls: 0 });
    const [row] = await prisma.$queryRawUnsafe<Array<Record<string, unknown>>>(
      `SELECT status, attempts, last_result_code AS code, last_result_message AS message
       FROM outbox_commands WHERE id = $1::bigint`,
      command.id.toString(),
    );
    expect(row).toEqual({
      status: "cancelled",
      attempts: 0,
      code: "ACKNOWLEDGEMENT_CANCELLED",
      message: `box ${box!.shipmentBoxId} is ACCEPT and its acknowledgement command ${ackRow.id} ended cancelled (CANCELLED: the box ships from another warehouse): the invoice was not sent`,
    });
    expect(writesOf("ordersheets/acknowledgement", box!)).toHaveLength(0);
    expect(writesOf("orders/invoices", box!)).toHaveLength(0);
    sim.clock.advance(HOUR);
    expect((await drain()).claimed).toBe(0);
  });

  it("rejects an upload unsent when the acknowledgement it waits for is rejected in the same drain", async () => {
    const [box] = await acceptBoxes(1);
    await syncLocally(box!);
    const { command } = await upload(box!, invoiceNumber());
    sim.faults.add({ endpoint: "ordersheets/acknowledgement", kind: "status", status: 400, count: 1 });
    expect(await drain()).toMatchObject({ statuses: { rejected: 2 }, calls: 1 });
    const rows = await commands();
    const ackRow = rows.find((c) => c.kind === "ACKNOWLEDGE")!;
    expect(ackRow).toMatchObject({ status: "rejected", attempts: 1, code: "HTTP_400" });
    expect(rows.find((c) => c.id === command.id)).toMatchObject({
      status: "rejected",
      attempts: 0,
      code: "ACKNOWLEDGEMENT_REJECTED",
    });
    const [{ message }] = (await prisma.$queryRawUnsafe<Array<{ message: string }>>(
      `SELECT last_result_message AS message FROM outbox_commands WHERE id = $1::bigint`,
      command.id.toString(),
    )) as [{ message: string }];
    expect(message).toMatch(
      new RegExp(
        `^box ${box!.shipmentBoxId} is ACCEPT and its acknowledgement command ${ackRow.id} ended rejected \\(HTTP_400: .+\\): the invoice was not sent$`,
      ),
    );
    expect(await attemptLog(command.id)).toEqual([]);
    expect(writesOf("orders/invoices", box!)).toHaveLength(0);
  });

  it("spends no attempt on a 429 and pauses the vendor", async () => {
    const [box] = await instructBoxes(1);
    const { command } = await upload(box!, invoiceNumber());
    sim.faults.add({ endpoint: "orders/invoices", kind: "status", status: 429, count: 1 });
    const now = sim.clock.now();
    const first = await drain();
    expect(first).toMatchObject({ statuses: { pending: 1 }, pausedUntil: new Date(now.getTime() + 60_000) });
    const [row] = await prisma.$queryRawUnsafe<Array<{ status: string; attempts: number; next: Date }>>(
      `SELECT status, attempts, next_attempt_at AS next FROM outbox_commands`,
    );
    expect(row).toEqual({ status: "pending", attempts: 0, next: new Date(now.getTime() + 60_000) });
    expect((await commands())[0]?.code).toBe("RATE_LIMITED");
    expect((await drain()).claimed).toBe(0);
    sim.clock.advance(60_000);
    expect((await drain()).statuses).toEqual({ succeeded: 1 });
    expect(await commands()).toEqual([expect.objectContaining({ status: "succeeded", attempts: 1 })]);
    expect((await attemptLog(command.id)).map((a) => [a.outcome, a.code])).toEqual([
      ["deferred", "CoupangRateLimitError"],
      ["succeeded", "OK"],
    ]);
  });

  it("names a box once per acknowledgement: its commands share the row, and a repeat rejects nothing", async () => {
    const [x, y] = await acceptBoxes(2);
    // One consumer transaction: box Y asked for twice under two dedupe keys.
    await prisma.$executeRawUnsafe(
      `INSERT INTO outbox_commands (vendor_id, kind, shipment_box_id, order_id, dedupe_key, created_by)
       VALUES ($1, 'ACKNOWLEDGE', $2::bigint, $3::bigint, 'r1-a', 'sql:wms'),
              ($1, 'ACKNOWLEDGE', $4::bigint, $5::bigint, 'r1-b', 'sql:wms'),
              ($1, 'ACKNOWLEDGE', $4::bigint, $5::bigint, 'r1-c', 'sql:wms')`,
      VENDOR.vendorId,
      x!.shipmentBoxId.toString(),
      x!.orderId.toString(),
      y!.shipmentBoxId.toString(),
      y!.orderId.toString(),
    );
    const before = sim.writes({ endpoint: "ordersheets/acknowledgement" }).length;
    // The inserts are due at the database's now, the real one.
    expect(await drain({ now: () => new Date() })).toMatchObject({ statuses: { succeeded: 3 }, calls: 1 });
    const writes = sim.writes({ endpoint: "ordersheets/acknowledgement" }).slice(before);
    expect(writes).toHaveLength(1);
    expect((parseJson(writes[0]!.body) as { shipmentBoxIds: bigint[] }).shipmentBoxIds).toEqual([
      x!.shipmentBoxId,
      y!.shipmentBoxId,
    ]);
    expect((await commands()).map((c) => [c.box, c.status, c.code])).toEqual([
      [`${x!.shipmentBoxId}`, "succeeded", "OK"],
      [`${y!.shipmentBoxId}`, "succeeded", "OK"],
      [`${y!.shipmentBoxId}`, "succeeded", "OK"],
    ]);
    for (const box of [x!, y!])
      expect((await client.getOrderSheet(box.shipmentBoxId)).value.status).toBe("INSTRUCT");
  });

  it("halves a batch refused whole (HTTP 400) until the refused box is alone: only it is rejected", async () => {
    const boxes = await instructBoxes(3);
    const ids = [];
    for (const box of boxes) ids.push((await upload(box, invoiceNumber())).command.id);
    // Coupang refuses the whole body for one bad row (§10): here [A,B,C], then [A,B], then [A].
    sim.faults.add({ endpoint: "orders/invoices", kind: "status", status: 400, count: 3 });
    const before = sim.calls()["POST orders/invoices"] ?? 0;
    expect(await drain()).toMatchObject({ statuses: { rejected: 1, succeeded: 2 }, calls: 5 });
    expect(sim.calls()["POST orders/invoices"]).toBe(before + 5);
    const byId = new Map((await commands()).map((c) => [c.id, c]));
    expect(ids.map((id) => [byId.get(id)?.status, byId.get(id)?.code])).toEqual([
      ["rejected", "HTTP_400"],
      ["succeeded", "OK"],
      ["succeeded", "OK"],
    ]);
    expect((await attemptLog(ids[0]!)).map((a) => a.outcome)).toEqual(["split", "split", "rejected"]);
    expect((await attemptLog(ids[1]!)).map((a) => a.outcome)).toEqual(["split", "split", "succeeded"]);
    expect((await attemptLog(ids[2]!)).map((a) => a.outcome)).toEqual(["split", "succeeded"]);
    expect(writesOf("orders/invoices", boxes[0]!)).toHaveLength(0);
    expectNoInvoiceAppliedTwice();
  });

  it("records a 403 block as BLOCKED, not RATE_LIMITED, for the command refused and those held back", async () => {
    const [accept] = await acceptBoxes(1);
    const [instruct] = await instructBoxes(1);
    await ack(accept!);
    await upload(instruct!, invoiceNumber());
    sim.faults.add({ endpoint: "ordersheets/acknowledgement", kind: "status", status: 403, count: 1 });
    const result = await drain();
    expect(result).toMatchObject({ statuses: { pending: 2 }, calls: 1 });
    expect(result.stoppedBy?.name).toBe("CoupangBlockedError");
    expect((await commands()).map((c) => [c.kind, c.status, c.attempts, c.code])).toEqual([
      ["ACKNOWLEDGE", "pending", 0, "BLOCKED"],
      ["UPLOAD_INVOICE", "pending", 0, "BLOCKED"],
    ]);
  });
});

describe("timestamps", () => {
  const LATENCY_MS = 200;

  interface Timeline {
    created: Date;
    updated: Date;
    finished: Date | null;
    attempts: Array<{ outcome: string; started: Date; finished: Date }>;
  }
  /** A command's instants as stored, its attempts in order. */
  async function timeline(id: bigint): Promise<Timeline> {
    const [row] = await prisma.$queryRawUnsafe<Array<Omit<Timeline, "attempts">>>(
      `SELECT created_at AS created, updated_at AS updated, finished_at AS finished FROM outbox_commands
       WHERE id = $1::bigint`,
      id.toString(),
    );
    const attempts = await prisma.$queryRawUnsafe<Timeline["attempts"]>(
      `SELECT outcome, started_at AS started, finished_at AS finished FROM outbox_attempts
       WHERE command_id = $1::bigint ORDER BY attempt`,
      id.toString(),
    );
    return { ...row!, attempts };
  }
  /** `instants` as ISO texts (which sort as the instants do), for a readable failure. */
  const texts = (instants: ReadonlyArray<Date | null>) => instants.map((at) => at?.toISOString() ?? "null");
  /** Each call took at least the simulator's latency: the instants around it were read around it. */
  const expectTimed = (t: Timeline) =>
    expect(t.attempts.map((a) => a.finished.getTime() - a.started.getTime() >= LATENCY_MS)).toEqual(
      t.attempts.map(() => true),
    );
  // The system clock, as the worker drains: the commands' created_at is the database's (same host).
  const drainNow = () => drain({ now: undefined });

  it("orders an upload's and its automatic acknowledgement's instants as they happened", async () => {
    const [box] = await acceptBoxes(1);
    await syncLocally(box!);
    const { command } = await upload(box!, invoiceNumber());
    sim.faults.add({ kind: "latency", latencyMs: LATENCY_MS });
    expect(await drainNow()).toMatchObject({ statuses: { succeeded: 2 }, calls: 2 });
    const ackRow = (await commands()).find((c) => c.kind === "ACKNOWLEDGE")!;
    const up = await timeline(command.id);
    const ack = await timeline(ackRow.id);
    expect(up.attempts.map((a) => a.outcome)).toEqual(["succeeded"]);
    expect(ack.attempts.map((a) => a.outcome)).toEqual(["succeeded"]);
    expectTimed(up);
    expectTimed(ack);
    // The acknowledgement is created for the upload, sent and recorded, and only then is the upload sent.
    const chain = texts([
      up.created,
      ack.created,
      ack.attempts[0]!.started,
      ack.attempts[0]!.finished,
      ack.finished,
      up.attempts[0]!.started,
      up.attempts[0]!.finished,
      up.finished,
    ]);
    expect(chain).toEqual([...chain].sort());
    expect(texts([up.updated, ack.updated])).toEqual(texts([up.finished, ack.finished]));
  });

  it("orders a plain acknowledgement's instants as they happened", async () => {
    const [box] = await acceptBoxes(1);
    const { command } = await ack(box!);
    sim.faults.add({ kind: "latency", latencyMs: LATENCY_MS });
    expect(await drainNow()).toMatchObject({ statuses: { succeeded: 1 }, calls: 1 });
    const t = await timeline(command.id);
    expect(t.attempts.map((a) => a.outcome)).toEqual(["succeeded"]);
    expectTimed(t);
    const chain = texts([t.created, t.attempts[0]!.started, t.attempts[0]!.finished, t.finished]);
    expect(chain).toEqual([...chain].sort());
    expect(texts([t.updated])).toEqual(texts([t.finished]));
  });
});

describe("CANCEL", () => {
  const cancel = (box: Box, extra: Record<string, unknown> = {}, now = sim.clock.now()) =>
    enqueueCommand(
      prisma,
      {
        kind: "CANCEL",
        vendorId: VENDOR.vendorId,
        shipmentBoxId: box.shipmentBoxId,
        orderId: box.orderId,
        middleCancelCode: "CCTTER",
        userId: "wing-seller",
        createdBy: "test",
        ...extra,
      },
      { now },
    );
  const cancelWrites = (box: Box) => writesOf("orders/{orderId}/cancel", box);
  const lastResult = async (id: bigint) =>
    (
      await prisma.$queryRawUnsafe<Array<{ status: string; code: string | null; message: string | null }>>(
        `SELECT status, last_result_code AS code, last_result_message AS message FROM outbox_commands WHERE id = $1::bigint`,
        id.toString(),
      )
    )[0];

  it("cancels a whole ACCEPT box once, and a SQL insert of the same cancel is the same command", async () => {
    const [box] = await acceptBoxes(1, 2);
    const { command } = await cancel(box!);
    expect(command).toMatchObject({
      dedupeKey: `CANCEL:${box!.shipmentBoxId}::`,
      vendorItemId: null,
      payload: { middleCancelCode: "CCTTER", userId: "wing-seller" },
    });
    const result = await drain();
    expect(result).toMatchObject({ claimed: 1, statuses: { succeeded: 1 }, calls: 2, pausedUntil: null });
    const writes = cancelWrites(box!);
    expect(writes).toHaveLength(1);
    const receipt = writes[0]!.targets.find((t) => t.startsWith("receiptId:"))!.slice("receiptId:".length);
    expect(await lastResult(command.id)).toEqual({
      status: "succeeded",
      code: "CANCEL",
      message: `receipt ${receipt} (CANCEL): ${box!.items.join(", ")}`,
    });
    expect((await attemptLog(command.id)).map((a) => [a.outcome, a.code])).toEqual([
      ["read_before_cancel", "ACCEPT"],
      ["succeeded", "CANCEL"],
    ]);
    const sheet = (await client.getOrderSheet(box!.shipmentBoxId)).value;
    expect(sheet.orderItems.map((i) => i.canceled)).toEqual(box!.items.map(() => true));

    // The insert trigger builds enqueueCommand's key: the same cancel enqueued again is this command.
    const items = [...box!.items].reverse().map((id) => ({ vendorItemId: id.toString(), receiptCount: 1 }));
    await prisma.$executeRawUnsafe(
      `INSERT INTO outbox_commands (vendor_id, kind, shipment_box_id, order_id, payload, created_by)
       VALUES ($1, 'CANCEL', $2::bigint, $3::bigint, $4::jsonb, 'sql:wms')`,
      VENDOR.vendorId,
      box!.shipmentBoxId.toString(),
      box!.orderId.toString(),
      JSON.stringify({ middleCancelCode: "CCTTER", userId: "wing-seller", items }),
    );
    const again = await cancel(box!, {
      items: box!.items.map((vendorItemId) => ({ vendorItemId, receiptCount: 1 })),
    });
    expect(again.created).toBe(false);
    const ascending = [...box!.items].sort((a, b) => (a < b ? -1 : 1));
    expect(again.command.dedupeKey).toBe(`CANCEL:${box!.shipmentBoxId}:${ascending.join(",")}:`);
    expect(again.command.createdBy).toBe("sql:wms");
  });

  it("reads back after a timeout once the cancel was applied, and never cancels twice", async () => {
    const [box] = await instructBoxes(1);
    const item = box!.items[0]!;
    const { command } = await cancel(box!, { items: [{ vendorItemId: item, receiptCount: 1 }] });
    sim.faults.add({ endpoint: "orders/{orderId}/cancel", kind: "timeoutAfterWrite", count: 1 });
    expect(await drain()).toMatchObject({ statuses: { unknown: 1 }, calls: 2 });
    sim.clock.advance(HOUR);
    expect(await drain()).toMatchObject({ statuses: { succeeded: 1 }, calls: 1 });
    expect(await lastResult(command.id)).toEqual({
      status: "succeeded",
      code: "READ_BACK",
      message: "read back: every item sent is cancelled",
    });
    expect((await attemptLog(command.id)).map((a) => [a.attempt, a.outcome, a.code])).toEqual([
      [1, "read_before_cancel", "INSTRUCT"],
      [2, "unknown", "CoupangRetryableError"],
      [3, "read_back_applied", "INSTRUCT"],
    ]);
    expect(cancelWrites(box!).map((w) => w.delivered)).toEqual([false]);
  });

  it("rejects a cancel of a shipped box locally, without a call", async () => {
    const [box] = await acceptBoxes(1);
    await client.acknowledgeOrders([box!.shipmentBoxId]);
    await client.uploadInvoices(
      box!.items.map((vendorItemId) => ({
        shipmentBoxId: box!.shipmentBoxId,
        orderId: box!.orderId,
        vendorItemId,
        deliveryCompanyCode: "CJGLS",
        invoiceNumber: invoiceNumber(),
      })),
    );
    await syncLocally(box!);
    const { command } = await cancel(box!);
    const calls = sim.calls().total ?? 0;
    expect(await drain()).toMatchObject({ statuses: { rejected: 1 }, calls: 0 });
    expect(sim.calls().total ?? 0).toBe(calls);
    expect(await lastResult(command.id)).toEqual({
      status: "rejected",
      code: "CANCEL_NOT_ALLOWED",
      message: `box ${box!.shipmentBoxId} is DEPARTURE (local copy): Coupang cancels only ACCEPT or INSTRUCT boxes`,
    });
    expect(cancelWrites(box!)).toHaveLength(0);
  });

  it("holds an invoice upload of the box while the cancel is live, then cancels it unsent once nothing is left (M-8)", async () => {
    const [early, late] = [...(await instructBoxes(1)), ...(await instructBoxes(1))];
    // `early`: the upload is due with the cancel; `late`: the upload is due only in an hour.
    const sameDrain = await upload(early!, invoiceNumber());
    const notDue = await enqueueCommand(
      prisma,
      {
        kind: "UPLOAD_INVOICE",
        vendorId: VENDOR.vendorId,
        shipmentBoxId: late!.shipmentBoxId,
        orderId: late!.orderId,
        deliveryCompanyCode: "CJGLS",
        invoiceNumber: invoiceNumber(),
        createdBy: "test",
      },
      { now: new Date(sim.clock.now().getTime() + HOUR) },
    );
    const first = await cancel(early!);
    const second = await cancel(late!);
    expect((await drain()).statuses).toEqual({ pending: 1, succeeded: 2 });
    expect(await lastResult(sameDrain.command.id)).toEqual({
      status: "pending",
      code: "SERIALIZED",
      message: `cancel command ${first.command.id} is in flight on box ${early!.shipmentBoxId}: the UPLOAD_INVOICE command waits for it (a cancel and an invoice of one box never run at once)`,
    });
    expect((await lastResult(notDue.command.id))?.status).toBe("pending");
    expect((await lastResult(first.command.id))?.status).toBe("succeeded");
    expect((await lastResult(second.command.id))?.status).toBe("succeeded");
    sim.clock.advance(2 * HOUR);
    // Both cancels cancelled every item (recorded on the local items): nothing is left to ship.
    expect((await drain()).statuses).toEqual({ cancelled: 2 });
    for (const [command, box] of [
      [sameDrain.command, early!],
      [notDue.command, late!],
    ] as const) {
      expect(await lastResult(command.id)).toEqual({
        status: "cancelled",
        code: "BOX_CANCELLED",
        message: `every item of box ${box.shipmentBoxId} is cancelled`,
      });
      expect(await attemptLog(command.id)).toEqual([]);
      // Never sent: the claim's attempt is given back.
      expect((await commands()).find((c) => c.id === command.id)?.attempts).toBe(0);
      expect(writesOf("orders/invoices", box)).toHaveLength(0);
    }
  });

  it("makes a cancel wait for an upload of its box whose answer was lost, then judges the box as read", async () => {
    const [box] = await instructBoxes(1);
    const number = invoiceNumber();
    const uploaded = await upload(box!, number);
    sim.faults.add({ endpoint: "orders/invoices", kind: "timeoutAfterWrite", count: 1 });
    expect((await drain()).statuses).toEqual({ unknown: 1 });
    const { command } = await cancel(box!);
    expect((await drain()).statuses).toEqual({ pending: 1 });
    expect(await lastResult(command.id)).toEqual({
      status: "pending",
      code: "SERIALIZED",
      message: `UPLOAD_INVOICE command ${uploaded.command.id} of box ${box!.shipmentBoxId} is unknown: the cancel waits for it`,
    });
    sim.clock.advance(HOUR);
    expect((await drain()).statuses).toEqual({ succeeded: 1, rejected: 1 });
    expect(await lastResult(uploaded.command.id)).toMatchObject({ status: "succeeded", code: "READ_BACK" });
    expect(await lastResult(command.id)).toEqual({
      status: "rejected",
      code: "CANCEL_NOT_ALLOWED",
      message: `box ${box!.shipmentBoxId} is DEPARTURE (read from Coupang): Coupang cancels only ACCEPT or INSTRUCT boxes`,
    });
    expect(cancelWrites(box!)).toHaveLength(0);
  });

  it("rejects a quantity over what is cancellable with Coupang's message, and sends it once", async () => {
    const [box] = await instructBoxes(1);
    const item = box!.items[0]!;
    const sheet = (await client.getOrderSheet(box!.shipmentBoxId)).value;
    const open = sheet.orderItems.find((i) => i.vendorItemId === item)!.shippingCount!;
    const { command } = await cancel(box!, { items: [{ vendorItemId: item, receiptCount: open + 1 }] });
    const sent = sim.calls()["POST orders/{orderId}/cancel"] ?? 0;
    expect(await drain()).toMatchObject({ statuses: { rejected: 1 }, calls: 2 });
    const row = await lastResult(command.id);
    expect(row).toMatchObject({ status: "rejected", code: "400" });
    expect(row!.message).toMatch(
      new RegExp(
        `^\\[요청번호\\] [0-9a-f-]{36}\\r\\n\\[${item}\\]<= 취소 가능 수량\\(${open}\\)을 초과했습니다\\.$`,
      ),
    );
    sim.clock.advance(HOUR);
    expect((await drain()).claimed).toBe(0);
    expect(sim.calls()["POST orders/{orderId}/cancel"]).toBe(sent + 1);
    expect(cancelWrites(box!)).toHaveLength(0);
  });

  /** A box's status with one item's quantities. */
  interface ItemCopy {
    box: string;
    status: string;
    item: string;
    cancelCount: number | undefined;
    holdCountForCancel: number | undefined;
    canceled: boolean | null | undefined;
  }
  /** The local boxes' status and their items' quantities, as stored. */
  const localCopy = async (boxes: readonly Box[]) =>
    prisma.$queryRawUnsafe<ItemCopy[]>(
      `SELECT b.shipment_box_id::text AS box, b.status, i.vendor_item_id::text AS item, i.cancel_count AS "cancelCount",
              i.hold_count_for_cancel AS "holdCountForCancel", i.canceled
       FROM shipment_boxes b JOIN order_items i USING (shipment_box_id)
       WHERE b.shipment_box_id = ANY($1::bigint[]) ORDER BY 1, 3`,
      boxes.map((b) => b.shipmentBoxId.toString()),
    );
  /** The same, as Coupang serves the boxes now: what a poll would store. */
  const coupangCopy = async (boxes: readonly Box[]) => {
    const rows: ItemCopy[] = [];
    for (const box of boxes) {
      const sheet = (await client.getOrderSheet(box.shipmentBoxId)).value;
      for (const item of sheet.orderItems) {
        rows.push({
          box: box.shipmentBoxId.toString(),
          status: sheet.status,
          item: item.vendorItemId.toString(),
          cancelCount: item.cancelCount,
          holdCountForCancel: item.holdCountForCancel,
          canceled: item.canceled,
        });
      }
    }
    return rows.sort((a, b) => `${a.box}:${a.item}`.localeCompare(`${b.box}:${b.item}`));
  };
  const lastEventId = async () =>
    (await prisma.$queryRawUnsafe<Array<{ id: bigint | null }>>(`SELECT max(id) AS id FROM change_events`))[0]
      ?.id ?? 0n;

  it("records a cancel on the local items and the feed at once, and the next poll changes nothing back", async () => {
    const [stopped] = await acceptBoxes(1, 2);
    await client.acknowledgeOrders([stopped!.shipmentBoxId]);
    const [whole] = await acceptBoxes(1);
    const boxes = [stopped!, whole!];
    await pollBoxes(boxes);
    const item = stopped!.items[0]!;
    await cancel(stopped!, { items: [{ vendorItemId: item, receiptCount: 1 }] });
    await cancel(whole!);
    const before = await lastEventId();

    expect((await drain()).statuses).toEqual({ succeeded: 2 });
    const truth = await coupangCopy(boxes);
    expect(await localCopy(boxes)).toEqual(truth);
    // INSTRUCT gets a stop-shipment and ACCEPT a cancel; neither box moves (§5.1).
    expect(new Set(truth.map((r) => `${r.box} ${r.status}`))).toEqual(
      new Set([`${stopped!.shipmentBoxId} INSTRUCT`, `${whole!.shipmentBoxId} ACCEPT`]),
    );
    const changed = truth.filter(
      (r) => r.box === whole!.shipmentBoxId.toString() || r.item === item.toString(),
    );
    const byId = (a: { entityId: string }, b: { entityId: string }) => a.entityId.localeCompare(b.entityId);
    expect((await feedAfter(before)).map(({ id: _id, ...e }) => e).sort(byId)).toEqual(
      changed.map((r) => ({
        entity: "order_item",
        entityId: `${r.box}:${r.item}`,
        kind: "updated",
        fields: r.canceled ? ["cancelCount", "canceled"] : ["cancelCount"],
      })),
    );

    // The next poll (a reconciliation reads the delisted whole box by key) writes what the cancel
    // wrote: no value moves back, no status changes; it only records the payload it had not seen.
    const recorded = await localCopy(boxes);
    const polled = await lastEventId();
    await pollBoxes(boxes);
    expect(await localCopy(boxes)).toEqual(recorded);
    const afterPoll = await feedAfter(polled);
    expect(afterPoll.length).toBeGreaterThan(0);
    expect(afterPoll.filter((e) => e.kind !== "updated")).toEqual([]);
  });

  it("records a cancel confirmed by reading back after a lost answer, from the box as read", async () => {
    const [box] = await acceptBoxes(1);
    await pollBoxes([box!]);
    const stored = await localCopy([box!]);
    await cancel(box!);
    sim.faults.add({ endpoint: "orders/{orderId}/cancel", kind: "timeoutAfterWrite", count: 1 });
    expect((await drain()).statuses).toEqual({ unknown: 1 });
    // Nothing is recorded while it is not known whether the cancel took effect.
    expect(await localCopy([box!])).toEqual(stored);
    sim.clock.advance(HOUR);
    expect(await drain()).toMatchObject({ statuses: { succeeded: 1 }, calls: 1 });
    expect(await localCopy([box!])).toEqual(await coupangCopy([box!]));
    expect((await localCopy([box!])).every((r) => r.canceled === true)).toBe(true);
  });

  /** The vendorItemIds of the rows of the last invoice upload that named `box`, as sent, ascending. */
  const sentItems = (box: Box) =>
    (
      parseJson(writesOf("orders/invoices", box).at(-1)!.body) as {
        orderSheetInvoiceApplyDtos: Array<{ shipmentBoxId: unknown; vendorItemId: unknown }>;
      }
    ).orderSheetInvoiceApplyDtos
      .map((row) => {
        expect(String(row.shipmentBoxId)).toBe(box.shipmentBoxId.toString());
        return String(row.vendorItemId);
      })
      .sort();
  const ascending = (ids: readonly bigint[]) => ids.map(String).sort();

  it("ships what a partial cancel left: the upload waits while the cancel is live, then is sent", async () => {
    // A box whose first item has several units; one unit is cancelled, the rest still ships.
    let box: Box | undefined;
    let units = 0;
    while (units < 2) {
      [box] = await acceptBoxes(1);
      units = (await client.getOrderSheet(box!.shipmentBoxId)).value.orderItems[0]!.shippingCount ?? 0;
    }
    await client.acknowledgeOrders([box!.shipmentBoxId]);
    await pollBoxes([box!]);
    const item = box!.items[0]!;
    const cancelled = await cancel(box!, { items: [{ vendorItemId: item, receiptCount: 1 }] });
    const waiting = await upload(box!, invoiceNumber());
    expect((await drain()).statuses).toEqual({ succeeded: 1, pending: 1 });
    expect(await lastResult(cancelled.command.id)).toMatchObject({
      status: "succeeded",
      code: "STOP_SHIPMENT",
    });
    expect(await lastResult(waiting.command.id)).toMatchObject({ status: "pending", code: "SERIALIZED" });
    expect((await localCopy([box!])).find((r) => r.item === item.toString())).toMatchObject({
      cancelCount: 1,
      canceled: false,
    });

    sim.clock.advance(HOUR);
    expect((await drain()).statuses).toEqual({ succeeded: 1 });
    expect(await lastResult(waiting.command.id)).toMatchObject({ status: "succeeded", code: "OK" });
    expect(sentItems(box!)).toEqual(ascending(box!.items));
    expect((await client.getOrderSheet(box!.shipmentBoxId)).value.status).toBe("DEPARTURE");

    // A later upload of the same box is judged by the box as it is, not by the finished cancel.
    const [other] = await instructBoxes(1, 2);
    const gone = other!.items[0]!;
    const count = (await client.getOrderSheet(other!.shipmentBoxId)).value.orderItems.find(
      (i) => i.vendorItemId === gone,
    )!.shippingCount!;
    await cancel(other!, { items: [{ vendorItemId: gone, receiptCount: count }] });
    expect((await drain()).statuses).toEqual({ succeeded: 1 });
    const later = await upload(other!, invoiceNumber());
    expect((await drain()).statuses).toEqual({ succeeded: 1 });
    expect(await lastResult(later.command.id)).toMatchObject({ status: "succeeded", code: "OK" });
    // The fully cancelled item has no row; the one still open has.
    expect(sentItems(other!)).toEqual(ascending(other!.items.slice(1)));
  });
});

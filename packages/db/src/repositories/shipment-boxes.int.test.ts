import { createHash } from "node:crypto";
import type pg from "pg";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { useTestDatabase } from "../../../../test/support/database.js";
import type { PrismaClient } from "../generated/prisma/client.js";
import { makeBox, makeItem } from "../test-support/fixtures.js";
import { withTransaction } from "../transaction.js";
import { type ShipmentBoxRow, upsertShipmentBoxes } from "./shipment-boxes.js";
import type { SqlClient } from "./sql.js";
import { ensureVendorAccount } from "./vendors.js";

const VENDOR = "A00012345";

const fixture = useTestDatabase({ poolSize: 25 });
let prisma: PrismaClient;
let sql: pg.Client;

beforeAll(() => {
  prisma = fixture.prisma;
  sql = fixture.sql;
});

beforeEach(async () => {
  await sql.query("TRUNCATE shipment_boxes, order_items, vendor_accounts CASCADE");
  await ensureVendorAccount(prisma, { vendorId: VENDOR, name: "test vendor" });
});

const upsert = (boxes: ShipmentBoxRow[]) => withTransaction(prisma, (tx) => upsertShipmentBoxes(tx, boxes));

/** Every stored row version, identified by its xmin: unchanged xmin = the row was not rewritten. */
async function snapshot() {
  const boxes = await sql.query<{
    id: string;
    status: string;
    xmin: string;
    updated_at: Date;
    first_seen_at: Date;
  }>(
    "SELECT shipment_box_id::text AS id, status, xmin::text, updated_at, first_seen_at FROM shipment_boxes ORDER BY 1",
  );
  const items = await sql.query<{ id: string; xmin: string; updated_at: Date; raw_hash: string }>(
    `SELECT shipment_box_id::text || '/' || vendor_item_id::text AS id, xmin::text, updated_at, raw_hash
     FROM order_items ORDER BY 1`,
  );
  return { boxes: boxes.rows, items: items.rows };
}

describe("upsertShipmentBoxes", () => {
  it("stores an 18-digit shipmentBoxId with every digit (SQL text and Prisma bigint)", async () => {
    const id = 999999999999999999n;
    const box = makeBox(id, { orderId: 888888888888888888n }, [999999999999999998n]);
    expect(await upsert([box])).toMatchObject({
      boxesInserted: 1,
      boxesUpdated: 0,
      itemsInserted: 1,
      itemsUpdated: 0,
    });

    const { rows } = await sql.query<Record<string, string>>(
      `SELECT b.shipment_box_id::text AS box, b.order_id::text AS "order", i.vendor_item_id::text AS item,
              b.raw -> 'shipmentBoxId' #>> '{}' AS raw_box, b.raw -> 'orderItems' -> 0 ->> 'vendorItemId' AS raw_item
       FROM shipment_boxes b JOIN order_items i USING (shipment_box_id)`,
    );
    expect(rows).toEqual([
      {
        box: "999999999999999999",
        order: "888888888888888888",
        item: "999999999999999998",
        raw_box: "999999999999999999",
        raw_item: "999999999999999998",
      },
    ]);
    const viaPrisma = await prisma.shipmentBox.findUniqueOrThrow({
      where: { shipmentBoxId: id },
      include: { items: true },
    });
    expect(viaPrisma.shipmentBoxId).toBe(999999999999999999n);
    expect(viaPrisma.orderId).toBe(888888888888888888n);
    expect(viaPrisma.items[0]!.vendorItemId).toBe(999999999999999998n);
  });

  it("writes every column, and reads back the same values through Prisma", async () => {
    const item = makeItem(1001n, 2001n, {
      invoiceNumberUploadAt: new Date("2026-11-29T05:00:00.123Z"),
      confirmedAt: new Date("2026-12-03T00:00:01Z"),
    });
    const full = makeBox(1001n, {
      invoiceNumber: "123456789012",
      inTransitAt: new Date("2026-11-30T09:00:00Z"),
      deliveredAt: new Date("2026-12-01T10:00:00Z"),
      items: [item],
    });
    const nullable = Object.fromEntries(
      Object.entries(makeBox(1002n, {}, [])).map(([k, v]) =>
        ["shipmentBoxId", "vendorId", "orderId", "status", "raw", "rawHash", "items"].includes(k)
          ? [k, v]
          : [k, null],
      ),
    ) as unknown as ShipmentBoxRow;
    await upsert([full, nullable]);

    const stored = await prisma.shipmentBox.findMany({
      include: { items: true },
      orderBy: { shipmentBoxId: "asc" },
    });
    const { items, raw, ...expectedBox } = full;
    const {
      items: storedItems,
      raw: storedRaw,
      firstSeenAt,
      updatedAt,
      piiErasedAt,
      ...storedBox
    } = stored[0]!;
    expect(piiErasedAt).toBeNull();
    expect(storedBox).toEqual(expectedBox);
    expect(storedRaw).toEqual(JSON.parse(raw));
    expect(firstSeenAt).toBeInstanceOf(Date);
    expect(updatedAt).toBeInstanceOf(Date);
    const { raw: itemRaw, ...expectedItem } = items[0]!;
    const { raw: storedItemRaw, firstSeenAt: _f, updatedAt: _u, ...storedItem } = storedItems[0]!;
    expect(storedItem).toEqual(expectedItem);
    expect(storedItemRaw).toEqual(JSON.parse(itemRaw));

    const { items: _i, raw: _r, ...nullBox } = nullable;
    expect(stored[1]).toMatchObject(nullBox);
  });

  it("changes nothing when the same batch is upserted again", async () => {
    const batch = [makeBox(1n, {}, [11n, 12n]), makeBox(2n, { status: "INSTRUCT" }, [21n])];
    expect(await upsert(batch)).toMatchObject({
      boxesInserted: 2,
      boxesUpdated: 0,
      itemsInserted: 3,
      itemsUpdated: 0,
    });
    const before = await snapshot();
    expect(await upsert(batch)).toMatchObject({
      boxesInserted: 0,
      boxesUpdated: 0,
      itemsInserted: 0,
      itemsUpdated: 0,
    });
    expect(await snapshot()).toEqual(before);
  });

  it("updates a box whose payload changed, keeping first_seen_at and unchanged items", async () => {
    const items = [makeItem(1n, 11n), makeItem(1n, 12n)];
    await upsert([makeBox(1n, { items })]);
    const before = await snapshot();
    const changedItem = makeItem(1n, 12n, { cancelCount: 1 });
    const next = makeBox(1n, { status: "INSTRUCT", items: [items[0]!, changedItem] });
    expect(await upsert([next])).toMatchObject({
      boxesInserted: 0,
      boxesUpdated: 1,
      itemsInserted: 0,
      itemsUpdated: 1,
    });
    const after = await snapshot();
    expect(after.boxes[0]).toMatchObject({
      status: "INSTRUCT",
      first_seen_at: before.boxes[0]!.first_seen_at,
    });
    expect(after.boxes[0]!.updated_at.getTime()).toBeGreaterThan(before.boxes[0]!.updated_at.getTime());
    expect(after.items[0]).toEqual(before.items[0]); // 1/11 untouched
    expect(after.items[1]!.raw_hash).toBe(changedItem.rawHash);
  });

  it("never moves a status backwards on a stale read, and ignores that read's items", async () => {
    await upsert([makeBox(1n, { status: "DEPARTURE", invoiceNumber: "1234" })]);
    const before = await snapshot();
    const stale = makeBox(1n, { status: "ACCEPT", items: [makeItem(1n, 9000000001n, { cancelCount: 1 })] });
    expect(await upsert([stale])).toMatchObject({
      boxesInserted: 0,
      boxesUpdated: 0,
      itemsInserted: 0,
      itemsUpdated: 0,
    });
    expect(await snapshot()).toEqual(before);
  });

  it("never moves a box to another vendor that lists the same shipmentBoxId", async () => {
    await ensureVendorAccount(prisma, { vendorId: "B00000002", name: "other" });
    await upsert([makeBox(7n, { status: "ACCEPT" })]);
    const result = await upsert([makeBox(7n, { status: "INSTRUCT", vendorId: "B00000002" })]);
    expect(result.events).toEqual([]);
    const { rows } = await sql.query<{ vendor_id: string; status: string }>(
      "SELECT vendor_id, status FROM shipment_boxes",
    );
    expect(rows).toEqual([{ vendor_id: VENDOR, status: "ACCEPT" }]);
  });

  it("reports a stale read it ignored, and writes no change event for it", async () => {
    await upsert([makeBox(1n, { status: "DEPARTURE", invoiceNumber: "1234" })]);
    const result = await upsert([makeBox(1n, { status: "ACCEPT" })]);
    expect(result.staleReads).toEqual([
      { shipmentBoxId: "1", storedStatus: "DEPARTURE", readStatus: "ACCEPT" },
    ]);
    expect(result.events).toEqual([]);
  });

  it("drafts one change event per created, status-changed or updated row, with the fields that changed", async () => {
    const created = await upsert([makeBox(5n, {}, [51n])]);
    expect(created.events).toEqual([
      {
        vendorId: VENDOR,
        entity: "shipment_box",
        entityId: "5",
        kind: "created",
        oldStatus: null,
        newStatus: "ACCEPT",
        changedFields: [],
      },
      {
        vendorId: VENDOR,
        entity: "order_item",
        entityId: "5:51",
        kind: "created",
        oldStatus: null,
        newStatus: null,
        changedFields: [],
      },
    ]);
    const moved = await upsert([makeBox(5n, { status: "INSTRUCT" }, [51n])]);
    expect(moved.events).toEqual([
      {
        vendorId: VENDOR,
        entity: "shipment_box",
        entityId: "5",
        kind: "status_changed",
        oldStatus: "ACCEPT",
        newStatus: "INSTRUCT",
        changedFields: ["status"],
      },
    ]);
    const edited = await upsert([makeBox(5n, { status: "INSTRUCT", receiverAddr2: "202동 2002호" }, [51n])]);
    expect(edited.events).toEqual([
      {
        vendorId: VENDOR,
        entity: "shipment_box",
        entityId: "5",
        kind: "updated",
        oldStatus: "INSTRUCT",
        newStatus: "INSTRUCT",
        changedFields: ["receiverAddr2"],
      },
    ]);
    expect(created.staleReads.concat(moved.staleReads, edited.staleReads)).toEqual([]);
  });

  it("lets an invoice update move a box back to DEPARTURE, but not a stale read of the old invoice", async () => {
    const first = withInvoiceUpload(
      makeBox(9n, { status: "DEPARTURE", invoiceNumber: "111111111111" }),
      "2026-11-20T10:00:00",
    );
    const delivered = withInvoiceUpload(
      makeBox(9n, { status: "FINAL_DELIVERY", invoiceNumber: "111111111111" }),
      "2026-11-20T10:00:00",
    );
    const updated = withInvoiceUpload(
      makeBox(9n, { status: "DEPARTURE", invoiceNumber: "222222222222" }),
      "2026-11-25T09:00:00",
    );
    await upsert([first]);
    await upsert([delivered]);
    const accepted = await upsert([updated]);
    expect(accepted.events.map((e) => [e.kind, e.oldStatus, e.newStatus])).toEqual([
      ["status_changed", "FINAL_DELIVERY", "DEPARTURE"],
    ]);
    const stale = await upsert([first]);
    expect(stale.staleReads).toEqual([
      { shipmentBoxId: "9", storedStatus: "DEPARTURE", readStatus: "DEPARTURE" },
    ]);
    expect((await snapshot()).boxes[0]!.status).toBe("DEPARTURE");
    const { rows } = await sql.query<{ invoice: string }>(
      "SELECT invoice_number AS invoice FROM shipment_boxes",
    );
    expect(rows).toEqual([{ invoice: "222222222222" }]);
  });

  it("moves both ways between DELIVERING and NONE_TRACKING (same rank), and through unknown statuses", async () => {
    await upsert([makeBox(1n, { status: "DELIVERING" })]);
    for (const status of ["NONE_TRACKING", "DELIVERING", "SOME_NEW_STATUS", "INSTRUCT", "FINAL_DELIVERY"]) {
      expect((await upsert([makeBox(1n, { status })])).boxesUpdated, status).toBe(1);
      expect((await snapshot()).boxes[0]!.status).toBe(status);
    }
  });

  it("removes an item its box no longer lists (a split shipment), with a removed event", async () => {
    await upsert([makeBox(1n, {}, [11n, 12n]), makeBox(2n, {}, [21n])]);
    const result = await upsert([makeBox(1n, { status: "INSTRUCT" }, [11n]), makeBox(2n, {}, [21n])]);
    expect((await snapshot()).items.map((i) => i.id)).toEqual(["1/11", "2/21"]);
    expect(result.events.filter((e) => e.entity === "order_item")).toEqual([
      {
        vendorId: VENDOR,
        entity: "order_item",
        entityId: "1:12",
        kind: "removed",
        oldStatus: null,
        newStatus: null,
        changedFields: [],
      },
    ]);
  });

  it("keeps the items of a box whose read was stale", async () => {
    await upsert([makeBox(1n, { status: "INSTRUCT" }, [11n, 12n])]);
    const result = await upsert([makeBox(1n, { status: "ACCEPT" }, [11n])]);
    expect((await snapshot()).items.map((i) => i.id)).toEqual(["1/11", "1/12"]);
    expect(result.events).toEqual([]);
  });

  it("accepts the same box twice in one batch and keeps the higher status", async () => {
    const result = await upsert([makeBox(1n, { status: "INSTRUCT" }), makeBox(1n, { status: "ACCEPT" })]);
    expect(result).toMatchObject({ boxesInserted: 1, boxesUpdated: 0, itemsInserted: 1, itemsUpdated: 0 });
    expect((await snapshot()).boxes[0]!.status).toBe("INSTRUCT");
  });

  it("survives 20 concurrent upserts of one box: one row, highest status, no error (W-7)", async () => {
    const statuses = ["ACCEPT", "INSTRUCT", "DEPARTURE", "DELIVERING", "FINAL_DELIVERY"];
    const versions = Array.from({ length: 20 }, (_, i) =>
      makeBox(777n, {
        status: statuses[i % statuses.length]!,
        items: [makeItem(777n, 1n, { cancelCount: i })],
      }),
    );
    const results = await Promise.allSettled(versions.map((v) => upsert([v])));
    expect(results.filter((r) => r.status === "rejected")).toEqual([]);
    const { boxes, items } = await snapshot();
    expect(boxes).toHaveLength(1);
    expect(boxes[0]!.status).toBe("FINAL_DELIVERY");
    expect(items).toHaveLength(1);
    // The items are those of a FINAL_DELIVERY version: never a stale version's lines.
    const finalItemHashes = versions
      .filter((v) => v.status === "FINAL_DELIVERY")
      .map((v) => v.items[0]!.rawHash);
    expect(finalItemHashes).toContain(items[0]!.raw_hash);
    const inserted = results.reduce((n, r) => n + (r.status === "fulfilled" ? r.value.boxesInserted : 0), 0);
    expect(inserted).toBe(1);
  });

  it("writes a box and its items together or not at all (injected throw)", async () => {
    await expect(
      withTransaction(prisma, async (tx) => {
        await upsertShipmentBoxes(tx, [makeBox(1n, {}, [11n, 12n])]);
        throw new Error("crash between header and lines");
      }),
    ).rejects.toThrow("crash between header and lines");
    expect(await snapshot()).toEqual({ boxes: [], items: [] });
  });

  it("refuses a box of an unknown vendor, and an item filed under another box", async () => {
    await expect(upsert([makeBox(1n, { vendorId: "NOPE" })])).rejects.toThrow(
      /shipment_boxes_vendor_id_fkey|foreign key/i,
    );
    const misfiled = makeBox(1n, { items: [makeItem(2n, 11n)] });
    await expect(upsert([misfiled])).rejects.toThrow(
      /boxes\[0\]\.items\[0\]\.shipmentBoxId 2 differs from its box 1/,
    );
    expect(await snapshot()).toEqual({ boxes: [], items: [] });
  });

  it("returns zeros for an empty batch", async () => {
    expect(await upsert([])).toMatchObject({
      boxesInserted: 0,
      boxesUpdated: 0,
      itemsInserted: 0,
      itemsUpdated: 0,
    });
  });

  it("writes 1,000 boxes × 2 items in three statements (lock boxes, upsert boxes, upsert items)", async () => {
    const batch = Array.from({ length: 1000 }, (_, i) =>
      makeBox(100_000_000_000_000_000n + BigInt(i), {}, [1n, 2n]),
    );
    let statements = 0;
    const counted = (tx: SqlClient): SqlClient => ({
      $queryRawUnsafe: ((query: string, ...values: unknown[]) => {
        statements++;
        return tx.$queryRawUnsafe(query, ...values);
      }) as SqlClient["$queryRawUnsafe"],
      $executeRawUnsafe: ((query: string, ...values: unknown[]) => {
        statements++;
        return tx.$executeRawUnsafe(query, ...values);
      }) as SqlClient["$executeRawUnsafe"],
    });
    const timed = async () => {
      const started = performance.now();
      const result = await withTransaction(prisma, (tx) => upsertShipmentBoxes(counted(tx), batch));
      return { result, ms: performance.now() - started };
    };
    const first = await timed();
    expect(first.result).toMatchObject({
      boxesInserted: 1000,
      boxesUpdated: 0,
      itemsInserted: 2000,
      itemsUpdated: 0,
    });
    expect(statements).toBe(3);
    expect(first.result.events).toHaveLength(3000);
    const second = await timed();
    expect(second.result).toMatchObject({
      boxesInserted: 0,
      boxesUpdated: 0,
      itemsInserted: 0,
      itemsUpdated: 0,
    });
    expect(statements).toBe(6);
    expect(second.result.events).toEqual([]);
    console.log(
      `1,000 boxes × 2 items: first upsert ${first.ms.toFixed(0)} ms, identical re-upsert ${second.ms.toFixed(0)} ms (3 statements each)`,
    );
  });
});

/** The box with every item's `invoiceNumberUploadDate` set in its raw payload (KST text, as v4 sends). */
function withInvoiceUpload(box: ShipmentBoxRow, uploadedAt: string): ShipmentBoxRow {
  const raw = JSON.parse(box.raw) as { orderItems: Array<Record<string, unknown>> };
  for (const item of raw.orderItems) item.invoiceNumberUploadDate = uploadedAt;
  const text = JSON.stringify(raw);
  return { ...box, raw: text, rawHash: createHash("sha256").update(text).digest("hex") };
}

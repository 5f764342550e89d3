import type pg from "pg";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { useTestDatabase } from "../../../../test/support/database.js";
import type { PrismaClient } from "../generated/prisma/client.js";
import { makeReturnItem, makeReturnRequest, makeReturnWithdrawal } from "../test-support/fixtures.js";
import { withTransaction } from "../transaction.js";
import {
  type ReturnRequestRow,
  type ReturnWithdrawalRow,
  upsertReturnRequests,
  upsertReturnWithdrawals,
} from "./returns.js";
import { ensureVendorAccount } from "./vendors.js";

const VENDOR = "A00012345";

const fixture = useTestDatabase({ poolSize: 8 });
let prisma: PrismaClient;
let sql: pg.Client;

beforeAll(() => {
  prisma = fixture.prisma;
  sql = fixture.sql;
});

beforeEach(async () => {
  await sql.query("TRUNCATE return_requests, return_items, return_withdrawals, vendor_accounts CASCADE");
  await ensureVendorAccount(prisma, { vendorId: VENDOR, name: "test vendor" });
});

const upsert = (rows: ReturnRequestRow[]) => withTransaction(prisma, (tx) => upsertReturnRequests(tx, rows));
const withdraw = (rows: ReturnWithdrawalRow[]) =>
  withTransaction(prisma, (tx) => upsertReturnWithdrawals(tx, rows));

/** Every stored row version by xmin: an unchanged xmin means the row was not rewritten. */
async function versions() {
  const { rows } = await sql.query<{ id: string; xmin: string }>(
    `SELECT 'r' || receipt_id AS id, xmin::text FROM return_requests
     UNION ALL SELECT 'i' || receipt_id || '/' || vendor_item_id, xmin::text FROM return_items
     UNION ALL SELECT 'w' || cancel_id, xmin::text FROM return_withdrawals ORDER BY 1`,
  );
  return rows;
}

describe("upsertReturnRequests", () => {
  it("inserts a receipt and its items with every column, read back through Prisma", async () => {
    const request = makeReturnRequest(999999999999999999n, {}, [70000000001n, 70000000002n]);
    const result = await upsert([request]);
    expect(result).toMatchObject({
      requestsInserted: 1,
      requestsUpdated: 0,
      itemsInserted: 2,
      itemsUpdated: 0,
    });
    expect(result.staleReads).toEqual([]);
    expect(result.events.map((e) => [e.entity, e.entityId, e.kind, e.oldStatus, e.newStatus])).toEqual([
      ["return_request", "999999999999999999", "created", null, "RETURNS_UNCHECKED"],
      ["return_item", "999999999999999999:70000000001", "created", null, null],
      ["return_item", "999999999999999999:70000000002", "created", null, null],
    ]);

    const stored = await prisma.returnRequest.findUniqueOrThrow({
      where: { receiptId: 999999999999999999n },
      include: { items: { orderBy: { vendorItemId: "asc" } } },
    });
    const { items, raw, ...expected } = request;
    const {
      items: storedItems,
      raw: storedRaw,
      firstSeenAt,
      updatedAt,
      withdrawnAt,
      piiErasedAt,
      ...rest
    } = stored;
    expect(piiErasedAt).toBeNull();
    expect(rest).toEqual(expected);
    expect(storedRaw).toEqual(JSON.parse(raw));
    expect(withdrawnAt).toBeNull();
    expect([firstSeenAt, updatedAt].every((d) => d instanceof Date)).toBe(true);
    const { raw: itemRaw, ...expectedItem } = items[0]!;
    const { raw: _r, firstSeenAt: _f, updatedAt: _u, ...storedItem } = storedItems[0]!;
    expect(storedItem).toEqual(expectedItem);
    expect(_r).toEqual(JSON.parse(itemRaw));
  });

  it("writes nothing when the same batch is upserted again", async () => {
    const batch = [makeReturnRequest(1n), makeReturnRequest(2n, {}, [7n, 8n])];
    await upsert(batch);
    const before = await versions();
    const again = await upsert(batch);
    expect(again).toEqual({
      requestsInserted: 0,
      requestsUpdated: 0,
      itemsInserted: 0,
      itemsUpdated: 0,
      events: [],
      staleReads: [],
    });
    expect(await versions()).toEqual(before);
  });

  it("records one status_changed event for a status move, with the fields that changed", async () => {
    await upsert([makeReturnRequest(1n)]);
    const moved = makeReturnRequest(1n, {
      receiptStatus: "VENDOR_WAREHOUSE_CONFIRM",
      modifiedAt: new Date("2026-11-30T00:00:00Z"),
    });
    const result = await upsert([moved]);
    expect(result).toMatchObject({ requestsUpdated: 1, itemsInserted: 0, itemsUpdated: 0 });
    expect(result.events).toEqual([
      {
        vendorId: VENDOR,
        entity: "return_request",
        entityId: "1",
        kind: "status_changed",
        oldStatus: "RETURNS_UNCHECKED",
        newStatus: "VENDOR_WAREHOUSE_CONFIRM",
        changedFields: ["modifiedAt", "receiptStatus"],
      },
    ]);
    const { rows } = await sql.query("SELECT receipt_status FROM return_requests");
    expect(rows).toEqual([{ receipt_status: "VENDOR_WAREHOUSE_CONFIRM" }]);
  });

  it("refuses a stale lower status, leaves its items alone and reports it", async () => {
    await upsert([makeReturnRequest(1n, { receiptStatus: "RETURNS_COMPLETED" })]);
    const before = await versions();
    const stale = makeReturnRequest(1n, {
      receiptStatus: "RETURNS_UNCHECKED",
      items: [makeReturnItem(1n, 70000000001n, { cancelCount: 2 })],
    });
    const result = await upsert([stale]);
    expect(result).toMatchObject({ requestsUpdated: 0, itemsUpdated: 0, events: [] });
    expect(result.staleReads).toEqual([
      { entityId: "1", storedStatus: "RETURNS_COMPLETED", readStatus: "RETURNS_UNCHECKED" },
    ]);
    expect(await versions()).toEqual(before);
  });

  it("keeps the higher status when one batch holds a receipt twice", async () => {
    const result = await upsert([
      makeReturnRequest(1n, { receiptStatus: "REQUEST_COUPANG_CHECK" }),
      makeReturnRequest(1n, { receiptStatus: "RELEASE_STOP_UNCHECKED" }),
    ]);
    expect(result.requestsInserted).toBe(1);
    const { rows } = await sql.query("SELECT receipt_status FROM return_requests");
    expect(rows).toEqual([{ receipt_status: "REQUEST_COUPANG_CHECK" }]);
  });

  it("survives concurrent upserts of one receipt: one row, the highest status, no error", async () => {
    const statuses = [
      "RELEASE_STOP_UNCHECKED",
      "RETURNS_UNCHECKED",
      "VENDOR_WAREHOUSE_CONFIRM",
      "RETURNS_COMPLETED",
    ];
    await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        upsert([makeReturnRequest(1n, { receiptStatus: statuses[i % 4]! })]),
      ),
    );
    const { rows } = await sql.query("SELECT receipt_status FROM return_requests");
    expect(rows).toEqual([{ receipt_status: "RETURNS_COMPLETED" }]);
  });

  it("refuses an item filed under another receipt", async () => {
    const wrong = makeReturnRequest(1n, { items: [makeReturnItem(2n, 7n)] });
    await expect(upsert([wrong])).rejects.toThrow(/receiptId 2 differs from its receipt 1/);
  });
});

describe("upsertReturnWithdrawals", () => {
  it("stores a withdrawal with its bigint[] of vendorItemIds, once", async () => {
    const w = makeReturnWithdrawal(5n);
    const first = await withdraw([w]);
    expect(first).toMatchObject({ withdrawalsInserted: 1, requestsMarkedWithdrawn: 0, staleReads: [] });
    expect(first.events).toMatchObject([{ entity: "return_withdrawal", entityId: "5", kind: "created" }]);
    const stored = await prisma.returnWithdrawal.findUniqueOrThrow({ where: { cancelId: 5n } });
    expect(stored.vendorItemIds).toEqual([70000000001n, 999999999999999999n]);
    expect(stored.withdrawnAt).toEqual(new Date("2026-11-30T01:00:00Z"));
    const before = await versions();
    expect(await withdraw([w])).toEqual({
      withdrawalsInserted: 0,
      withdrawalsUpdated: 0,
      requestsMarkedWithdrawn: 0,
      events: [],
      staleReads: [],
    });
    expect(await versions()).toEqual(before);
  });

  it("marks its stored return request withdrawn, with a withdrawn event, and only once", async () => {
    await upsert([makeReturnRequest(5n), makeReturnRequest(6n)]);
    const result = await withdraw([makeReturnWithdrawal(5n)]);
    expect(result.requestsMarkedWithdrawn).toBe(1);
    expect(result.events).toEqual([
      expect.objectContaining({ entity: "return_withdrawal", entityId: "5", kind: "created" }),
      {
        vendorId: VENDOR,
        entity: "return_request",
        entityId: "5",
        kind: "withdrawn",
        oldStatus: "RETURNS_UNCHECKED",
        newStatus: "RETURNS_UNCHECKED",
        changedFields: ["withdrawn_at"],
      },
    ]);
    const { rows } = await sql.query<{ id: string; withdrawn_at: Date | null }>(
      "SELECT receipt_id::text AS id, withdrawn_at FROM return_requests ORDER BY 1",
    );
    expect(rows).toEqual([
      { id: "5", withdrawn_at: new Date("2026-11-30T01:00:00Z") },
      { id: "6", withdrawn_at: null },
    ]);
    // A later read of the receipt (its payload changed) keeps the mark.
    await upsert([makeReturnRequest(5n, { cancelReason: "changed" })]);
    const after = await sql.query("SELECT withdrawn_at FROM return_requests WHERE receipt_id = 5");
    expect(after.rows).toEqual([{ withdrawn_at: new Date("2026-11-30T01:00:00Z") }]);
  });

  it("never files a receipt or a withdrawal of one vendor under another", async () => {
    const OTHER = "B00000002";
    await ensureVendorAccount(prisma, { vendorId: OTHER, name: "other" });
    await upsert([makeReturnRequest(5n)]);
    const before = await versions();
    // Another vendor's answer naming the same receipt: it neither takes the receipt over nor
    // marks it withdrawn (its own withdrawal row is kept under its own vendor).
    const taken = await upsert([makeReturnRequest(5n, { vendorId: OTHER, cancelReason: "stray" })]);
    expect(taken).toMatchObject({ requestsInserted: 0, requestsUpdated: 0, events: [] });
    const result = await withdraw([makeReturnWithdrawal(5n, { vendorId: OTHER })]);
    expect(result.requestsMarkedWithdrawn).toBe(0);
    expect(result.events.map((e) => [e.vendorId, e.entity, e.kind])).toEqual([
      [OTHER, "return_withdrawal", "created"],
    ]);
    expect((await versions()).filter((v) => !v.id.startsWith("w"))).toEqual(before);
    const { rows } = await sql.query("SELECT vendor_id, withdrawn_at FROM return_requests");
    expect(rows).toEqual([{ vendor_id: VENDOR, withdrawn_at: null }]);
  });

  it("marks a receipt read after its withdrawal when the receipt is first inserted", async () => {
    await withdraw([makeReturnWithdrawal(7n)]);
    const result = await upsert([makeReturnRequest(7n)]);
    expect(result.events.map((e) => [e.entity, e.kind])).toEqual([
      ["return_request", "created"],
      ["return_item", "created"],
      ["return_request", "withdrawn"],
    ]);
    const { rows } = await sql.query("SELECT withdrawn_at FROM return_requests WHERE receipt_id = 7");
    expect(rows).toEqual([{ withdrawn_at: new Date("2026-11-30T01:00:00Z") }]);
  });
});

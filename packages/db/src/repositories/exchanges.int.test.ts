import type pg from "pg";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { useTestDatabase } from "../../../../test/support/database.js";
import type { PrismaClient } from "../generated/prisma/client.js";
import { makeExchangeItem, makeExchangeRequest } from "../test-support/fixtures.js";
import { withTransaction } from "../transaction.js";
import { type ExchangeRequestRow, upsertExchangeRequests } from "./exchanges.js";
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
  await sql.query("TRUNCATE exchange_requests, exchange_items, vendor_accounts CASCADE");
  await ensureVendorAccount(prisma, { vendorId: VENDOR, name: "test vendor" });
});

const upsert = (rows: ExchangeRequestRow[]) =>
  withTransaction(prisma, (tx) => upsertExchangeRequests(tx, rows));

/** Every stored row version by xmin: an unchanged xmin means the row was not rewritten. */
async function versions() {
  const { rows } = await sql.query<{ id: string; xmin: string }>(
    `SELECT 'x' || exchange_id AS id, xmin::text FROM exchange_requests
     UNION ALL SELECT 'i' || exchange_item_id, xmin::text FROM exchange_items ORDER BY 1`,
  );
  return rows;
}

describe("upsertExchangeRequests", () => {
  it("inserts an exchange and its items with every column, read back through Prisma", async () => {
    const exchange = makeExchangeRequest(
      500000001n,
      { newShipmentBoxId: 999999999999999999n, collectCompletedAt: new Date("2026-11-30T02:00:00Z") },
      [1000001n, 1000002n],
    );
    const result = await upsert([exchange]);
    expect(result).toMatchObject({
      requestsInserted: 1,
      requestsUpdated: 0,
      itemsInserted: 2,
      itemsUpdated: 0,
    });
    expect(result.events.map((e) => [e.entity, e.entityId, e.kind, e.newStatus])).toEqual([
      ["exchange_request", "500000001", "created", "RECEIPT"],
      ["exchange_item", "1000001", "created", null],
      ["exchange_item", "1000002", "created", null],
    ]);
    const stored = await prisma.exchangeRequest.findUniqueOrThrow({
      where: { exchangeId: 500000001n },
      include: { items: { orderBy: { exchangeItemId: "asc" } } },
    });
    const { items, raw, ...expected } = exchange;
    const {
      items: storedItems,
      raw: storedRaw,
      firstSeenAt: _f,
      updatedAt: _u,
      piiErasedAt,
      ...rest
    } = stored;
    expect(piiErasedAt).toBeNull();
    expect(rest).toEqual(expected);
    expect(storedRaw).toEqual(JSON.parse(raw));
    const { raw: itemRaw, ...expectedItem } = items[1]!;
    const { raw: storedItemRaw, firstSeenAt: _g, updatedAt: _v, ...storedItem } = storedItems[1]!;
    expect(storedItem).toEqual(expectedItem);
    expect(storedItem.targetPackageId).toBe(-1n);
    expect(storedItemRaw).toEqual(JSON.parse(itemRaw));
  });

  it("writes nothing when the same batch is upserted again", async () => {
    const batch = [makeExchangeRequest(1n), makeExchangeRequest(2n, {}, [20n, 21n])];
    await upsert(batch);
    const before = await versions();
    expect(await upsert(batch)).toEqual({
      requestsInserted: 0,
      requestsUpdated: 0,
      itemsInserted: 0,
      itemsUpdated: 0,
      events: [],
      staleReads: [],
    });
    expect(await versions()).toEqual(before);
  });

  it("records one status_changed event for a status move", async () => {
    await upsert([makeExchangeRequest(1n)]);
    const result = await upsert([
      makeExchangeRequest(1n, { exchangeStatus: "PROGRESS", collectStatus: "CompleteCollect" }),
    ]);
    expect(result).toMatchObject({ requestsUpdated: 1, itemsUpdated: 0, staleReads: [] });
    expect(result.events).toEqual([
      {
        vendorId: VENDOR,
        entity: "exchange_request",
        entityId: "1",
        kind: "status_changed",
        oldStatus: "RECEIPT",
        newStatus: "PROGRESS",
        changedFields: ["collectStatus", "exchangeStatus"],
      },
    ]);
  });

  it("refuses a stale lower status, leaves its items alone and reports it", async () => {
    await upsert([makeExchangeRequest(1n, { exchangeStatus: "SUCCESS" })]);
    const before = await versions();
    const stale = makeExchangeRequest(1n, {
      exchangeStatus: "PROGRESS",
      items: [makeExchangeItem(1n, 1000001n, { quantity: 2 })],
    });
    const result = await upsert([stale]);
    expect(result).toMatchObject({ requestsUpdated: 0, itemsUpdated: 0, events: [] });
    expect(result.staleReads).toEqual([{ entityId: "1", storedStatus: "SUCCESS", readStatus: "PROGRESS" }]);
    expect(await versions()).toEqual(before);
  });

  it("lets an exchange move between its equal-rank ends (SUCCESS, REJECT, CANCEL)", async () => {
    await upsert([makeExchangeRequest(1n, { exchangeStatus: "SUCCESS" })]);
    const result = await upsert([makeExchangeRequest(1n, { exchangeStatus: "CANCEL" })]);
    expect(result.events.map((e) => [e.kind, e.oldStatus, e.newStatus])).toEqual([
      ["status_changed", "SUCCESS", "CANCEL"],
    ]);
  });

  it("refuses an item filed under another exchange", async () => {
    const wrong = makeExchangeRequest(1n, { items: [makeExchangeItem(2n, 9n)] });
    await expect(upsert([wrong])).rejects.toThrow(/exchangeId 2 differs from its exchange 1/);
  });
});

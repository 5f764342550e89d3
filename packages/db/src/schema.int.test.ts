// Proves that prisma/migrations, applied by our own applier, builds exactly the database that
// schema.prisma describes — the check `prisma migrate diff` would do if its engine could run here.
import { readFile } from "node:fs/promises";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../../../test/support/postgres.js";
import { createPrisma } from "./client.js";
import { Prisma } from "./generated/prisma/client.js";
import { type ExpectedTable, expectedTables, parsePrismaSchema } from "./test-support/prisma-schema.js";

const schemaText = await readFile(new URL("../../../prisma/schema.prisma", import.meta.url), "utf8");
const models = parsePrismaSchema(schemaText);
const expected = expectedTables(models);

let db: TestDatabase;
let client: pg.Client;

beforeAll(async () => {
  db = await createTestDatabase();
  client = new pg.Client({ connectionString: db.url });
  await client.connect();
});

afterAll(async () => {
  await client?.end();
  await db?.drop();
});

async function columnsOf(table: string) {
  const { rows } = await client.query<{
    name: string;
    type: string;
    nullable: boolean;
    default: string | null;
  }>(
    `SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type, NOT a.attnotnull AS nullable,
            pg_get_expr(d.adbin, d.adrelid) AS default
     FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
     WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped
     ORDER BY a.attnum`,
    [`public.${table}`],
  );
  return rows;
}

/** Column names of an int2vector of attnums, in key order. */
const KEY_COLUMNS = (keys: string, rel: string) =>
  `(SELECT array_agg(a.attname::text ORDER BY k.ord) FROM unnest(${keys}) WITH ORDINALITY k(attnum, ord)
    JOIN pg_attribute a ON a.attrelid = ${rel} AND a.attnum = k.attnum)`;

async function primaryKeyOf(table: string) {
  const { rows } = await client.query<{ name: string; columns: string[] }>(
    `SELECT c.conname AS name, ${KEY_COLUMNS("c.conkey", "c.conrelid")} AS columns
     FROM pg_constraint c WHERE c.conrelid = $1::regclass AND c.contype = 'p'`,
    [`public.${table}`],
  );
  return rows;
}

async function indexesOf(table: string) {
  const { rows } = await client.query<{ name: string; columns: string[]; unique: boolean; method: string }>(
    `SELECT i.relname AS name, ${KEY_COLUMNS("x.indkey::int2[]", "x.indrelid")} AS columns,
            x.indisunique AS unique, am.amname AS method
     FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_am am ON am.oid = i.relam
     WHERE x.indrelid = $1::regclass AND NOT x.indisprimary
     ORDER BY i.relname`,
    [`public.${table}`],
  );
  return rows;
}

const ACTIONS: Record<string, string> = {
  a: "NoAction",
  r: "Restrict",
  c: "Cascade",
  n: "SetNull",
  d: "SetDefault",
};

async function foreignKeysOf(table: string) {
  const { rows } = await client.query<{
    name: string;
    columns: string[];
    referencedTable: string;
    referencedColumns: string[];
    del: string;
    upd: string;
  }>(
    `SELECT c.conname AS name, ${KEY_COLUMNS("c.conkey", "c.conrelid")} AS columns,
            (SELECT relname FROM pg_class WHERE oid = c.confrelid) AS "referencedTable",
            ${KEY_COLUMNS("c.confkey", "c.confrelid")} AS "referencedColumns",
            c.confdeltype AS del, c.confupdtype AS upd
     FROM pg_constraint c WHERE c.conrelid = $1::regclass AND c.contype = 'f'
     ORDER BY c.conname`,
    [`public.${table}`],
  );
  return rows.map(({ del, upd, ...fk }) => ({ ...fk, onDelete: ACTIONS[del], onUpdate: ACTIONS[upd] }));
}

const byName = <T extends { name: string }>(list: T[]) =>
  [...list].sort((a, b) => a.name.localeCompare(b.name));

describe("migrated database = schema.prisma", () => {
  it("the parser saw exactly the models and scalar fields the generated client has", () => {
    expect(models.map((m) => m.name)).toEqual(Object.values(Prisma.ModelName));
    const scalarEnums = Prisma as unknown as Record<string, Record<string, string>>;
    for (const table of expected) {
      const fieldNames = models.find((m) => m.name === table.model)!.fields.map((f) => f.name);
      const scalarFields = Object.values(scalarEnums[`${table.model}ScalarFieldEnum`]!);
      expect(
        fieldNames.filter((f) => scalarFields.includes(f)),
        table.model,
      ).toEqual(scalarFields);
      expect(table.columns, table.model).toHaveLength(scalarFields.length);
    }
  });

  it("has one table per model, plus Prisma's migration history, and nothing else", async () => {
    const { rows } = await client.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`,
    );
    expect(rows.map((r) => r.table_name).sort()).toEqual(
      [...expected.map((t) => t.name), "_prisma_migrations"].sort(),
    );
  });

  describe.each(expected.map((t): [string, ExpectedTable] => [t.name, t]))("%s", (name, table) => {
    it("has every field's column with its type, nullability and default, in field order", async () => {
      expect(await columnsOf(name)).toEqual(table.columns);
    });

    it("has the primary key", async () => {
      expect(await primaryKeyOf(name)).toEqual([table.primaryKey]);
    });

    it("has exactly the declared indexes (btree)", async () => {
      const actual = await indexesOf(name);
      expect(actual.map(({ method }) => method).every((m) => m === "btree")).toBe(true);
      expect(actual.map(({ method: _, ...rest }) => rest)).toEqual(byName(table.indexes));
    });

    it("has exactly the declared foreign keys with Prisma's referential actions", async () => {
      expect(await foreignKeysOf(name)).toEqual(byName(table.foreignKeys));
    });
  });

  // Concrete expectations, independent of the parser: if parser and migration were wrong in the
  // same way, these still fail.
  it("stores the project's key decisions as intended", async () => {
    const boxes = await columnsOf("shipment_boxes");
    const col = (rows: typeof boxes, name: string) => rows.find((c) => c.name === name);
    expect(col(boxes, "shipment_box_id")).toEqual({
      name: "shipment_box_id",
      type: "bigint",
      nullable: false,
      default: null,
    });
    expect(col(boxes, "paid_at")).toMatchObject({ type: "timestamp(6) with time zone", nullable: true });
    expect(col(boxes, "raw")).toMatchObject({ type: "jsonb", nullable: false });
    expect(col(boxes, "raw_hash")).toMatchObject({ type: "character(64)", nullable: false });
    expect(col(boxes, "shipping_price")).toMatchObject({ type: "bigint", nullable: true });
    expect(col(boxes, "updated_at")).toMatchObject({ default: "CURRENT_TIMESTAMP", nullable: false });

    const items = await columnsOf("order_items");
    expect(col(items, "estimated_shipping_date")).toMatchObject({ type: "date", nullable: true });
    expect(col(items, "cancel_count")).toEqual({
      name: "cancel_count",
      type: "integer",
      nullable: false,
      default: "0",
    });
    expect(await primaryKeyOf("order_items")).toEqual([
      { name: "order_items_pkey", columns: ["shipment_box_id", "vendor_item_id"] },
    ]);
    expect(await foreignKeysOf("order_items")).toEqual([
      {
        name: "order_items_shipment_box_id_fkey",
        columns: ["shipment_box_id"],
        referencedTable: "shipment_boxes",
        referencedColumns: ["shipment_box_id"],
        onDelete: "Cascade",
        onUpdate: "Cascade",
      },
    ]);
    expect(col(await columnsOf("sync_runs"), "id")).toEqual({
      name: "id",
      type: "bigint",
      nullable: false,
      default: "nextval('sync_runs_id_seq'::regclass)",
    });
    expect((await indexesOf("shipment_boxes")).map((i) => i.name)).toEqual([
      "shipment_boxes_order_id_idx",
      "shipment_boxes_vendor_id_status_ordered_at_idx",
    ]);
  });

  it("is readable and writable through the generated client for every model", async () => {
    // The client maps every field to a column by its own @map reading of the schema: a column the
    // migration named differently would fail here.
    const prisma = createPrisma(db.url, { max: 2 });
    try {
      await prisma.vendorAccount.create({ data: { vendorId: "A0001", name: "client check" } });
      const created = await prisma.syncRun.create({
        data: { vendorId: "A0001", stream: "ordersheets", trigger: "manual", status: "running" },
      });
      expect(typeof created.id).toBe("bigint");
      const readers: Record<string, () => Promise<unknown[]>> = {
        VendorAccount: () => prisma.vendorAccount.findMany({ take: 1 }),
        ShipmentBox: () => prisma.shipmentBox.findMany({ take: 1 }),
        OrderItem: () => prisma.orderItem.findMany({ take: 1 }),
        SyncCheckpoint: () => prisma.syncCheckpoint.findMany({ take: 1 }),
        SyncLease: () => prisma.syncLease.findMany({ take: 1 }),
        SyncRun: () => prisma.syncRun.findMany({ take: 1 }),
        ChangeEvent: () => prisma.changeEvent.findMany({ take: 1 }),
        Resync: () => prisma.resync.findMany({ take: 1 }),
        ResyncWindow: () => prisma.resyncWindow.findMany({ take: 1 }),
        QuarantinedRecord: () => prisma.quarantinedRecord.findMany({ take: 1 }),
        ReturnRequest: () => prisma.returnRequest.findMany({ take: 1 }),
        ReturnItem: () => prisma.returnItem.findMany({ take: 1 }),
        ReturnWithdrawal: () => prisma.returnWithdrawal.findMany({ take: 1 }),
        ExchangeRequest: () => prisma.exchangeRequest.findMany({ take: 1 }),
        ExchangeItem: () => prisma.exchangeItem.findMany({ take: 1 }),
        SyncFailedSlice: () => prisma.syncFailedSlice.findMany({ take: 1 }),
        ReconcileGap: () => prisma.reconcileGap.findMany({ take: 1 }),
        OutboxCommand: () => prisma.outboxCommand.findMany({ take: 1 }),
        OutboxAttempt: () => prisma.outboxAttempt.findMany({ take: 1 }),
      };
      expect(Object.keys(readers)).toEqual(Object.values(Prisma.ModelName));
      for (const read of Object.values(readers)) await expect(read()).resolves.toBeInstanceOf(Array);
    } finally {
      await prisma.$disconnect();
    }
  });
});

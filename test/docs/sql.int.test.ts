import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../support/postgres.js";

/**
 * The SQL the documentation shows is run here against a database migrated from prisma/migrations
 * and seeded with a little of everything: docs/database.md (the consumers' contract: tables,
 * keys, queries, the outbox insert and the roles) and docs/operations.md (the runbook's queries).
 * A renamed column or table fails this file, not a reader.
 */

const DOCS = ["docs/database.md", "docs/operations.md"] as const;
const VENDOR = "A00012345";
/** 18 digits, past 2^53: read back as text, every digit must survive. */
const ACCEPT_BOX = "300000000000012345";
const INSTRUCT_BOX = "300000000000012346";

/** The ```sql blocks of a Markdown file, in order. */
async function sqlBlocks(file: string): Promise<string[]> {
  const text = await readFile(new URL(`../../${file}`, import.meta.url), "utf8");
  return [...text.matchAll(/```sql\n([\s\S]*?)```/g)].map((m) => m[1]!.trim());
}

/** The one block of `blocks` that contains `marker`. */
function blockWith(blocks: readonly string[], marker: string): string {
  const found = blocks.filter((b) => b.includes(marker));
  if (found.length !== 1)
    throw new Error(`expected one SQL block with ${JSON.stringify(marker)}, found ${found.length}`);
  return found[0]!;
}

const isRoleBlock = (sql: string) => /\bCREATE ROLE\b/.test(sql);

/** A little of every table, with the IDs the documentation's examples use. */
const SEED = `
INSERT INTO vendor_accounts (vendor_id, name) VALUES ('${VENDOR}', 'docs seller');
INSERT INTO shipment_boxes (shipment_box_id, vendor_id, order_id, status, ordered_at, paid_at, raw, raw_hash) VALUES
  (${ACCEPT_BOX}, '${VENDOR}', 9000000000001, 'ACCEPT', now() - interval '2 hours', now() - interval '2 hours', '{"isCod": false}', repeat('a', 64)),
  (${INSTRUCT_BOX}, '${VENDOR}', 9000000000002, 'INSTRUCT', now() - interval '1 day', now() - interval '1 day', '{}', repeat('b', 64));
INSERT INTO order_items (shipment_box_id, vendor_item_id, vendor_id, order_id, vendor_item_name, shipping_count, cancel_count, hold_count_for_cancel, raw, raw_hash) VALUES
  (${ACCEPT_BOX}, 70000000001, '${VENDOR}', 9000000000001, 'socks', 1, 0, 0, '{}', repeat('c', 64)),
  (${INSTRUCT_BOX}, 70000000002, '${VENDOR}', 9000000000002, 'mug', 3, 1, 0, '{}', repeat('d', 64));
INSERT INTO change_events (vendor_id, entity, entity_id, kind, old_status, new_status, changed_fields) VALUES
  ('${VENDOR}', 'shipment_box', '${ACCEPT_BOX}', 'created', NULL, 'ACCEPT', '{}'),
  ('${VENDOR}', 'order_item', '${ACCEPT_BOX}:70000000001', 'created', NULL, NULL, '{}'),
  ('${VENDOR}', 'shipment_box', '${INSTRUCT_BOX}', 'status_changed', 'ACCEPT', 'INSTRUCT', '{status}');
INSERT INTO sync_checkpoints (vendor_id, stream, synced_through) VALUES ('${VENDOR}', 'ordersheets', now() - interval '3 minutes');
INSERT INTO sync_runs (vendor_id, stream, trigger, status, finished_at, plan, api_calls, error) VALUES
  ('${VENDOR}', 'ordersheets', 'schedule', 'succeeded', now(),
   '{"queries": [{"tier": "hot", "status": "ACCEPT", "createdAtFrom": "2026-11-29", "createdAtTo": "2026-11-30", "cost": 1, "reason": "new orders"}]}', 1, NULL),
  ('${VENDOR}', 'returnRequests', 'schedule', 'failed', now(), NULL, 2, 'CoupangRateLimitError: 429 Too Many Requests (vendor ${VENDOR})');
INSERT INTO sync_leases (vendor_id, stream, owner, expires_at) VALUES ('${VENDOR}', 'ordersheets', 'worker-1', now() + interval '1 minute');
INSERT INTO reconcile_gaps (vendor_id, stream, day, status, remote_count, local_count, detail) VALUES
  ('${VENDOR}', 'ordersheets', current_date - 2, 'INSTRUCT', 5, 4, '{"listedNotStored": ["${INSTRUCT_BOX}"], "storedNotListed": []}');
INSERT INTO sync_failed_slices (vendor_id, stream, status, created_at_from, created_at_to, error_kind, error_message, first_failed_at, last_failed_at, next_retry_at) VALUES
  ('${VENDOR}', 'ordersheets', 'DEPARTURE', '2026-11-20', '2026-11-20', 'paging_loop', 'nextToken repeated', now() - interval '1 hour', now() - interval '5 minutes', now() + interval '10 minutes');
INSERT INTO quarantined_records (vendor_id, stream, entity_key, reason, raw) VALUES
  ('${VENDOR}', 'ordersheets', '300000000000099999', 'orderItems[0].shippingCount: expected a number', '{}');
INSERT INTO return_requests (receipt_id, vendor_id, order_id, receipt_type, receipt_status, requested_at, raw, raw_hash) VALUES
  (500000001, '${VENDOR}', 9000000000002, 'RETURN', 'RETURNS_UNCHECKED', now() - interval '3 hours', '{}', repeat('e', 64));
INSERT INTO return_items (receipt_id, vendor_item_id, vendor_id, shipment_box_id, cancel_count, raw, raw_hash) VALUES
  (500000001, 70000000002, '${VENDOR}', ${INSTRUCT_BOX}, 1, '{}', repeat('f', 64));
INSERT INTO exchange_requests (exchange_id, vendor_id, order_id, exchange_status, requested_at, new_shipment_box_id, raw, raw_hash) VALUES
  (600000001, '${VENDOR}', 9000000000002, 'PROGRESS', now() - interval '4 hours', 300000000000077777, '{}', repeat('g', 64));
INSERT INTO exchange_items (exchange_item_id, exchange_id, vendor_id, target_item_id, target_item_name, quantity, original_shipment_box_id, raw, raw_hash) VALUES
  (610000001, 600000001, '${VENDOR}', 70000000002, 'mug', 1, ${INSTRUCT_BOX}, '{}', repeat('h', 64));
INSERT INTO resyncs (vendor_id, streams, range_from, range_to, status, windows_total, windows_done) VALUES
  ('${VENDOR}', '{ordersheets}', now() - interval '90 days', now(), 'running', 4, 1);
INSERT INTO resync_windows (resync_id, index, stream, created_at_from, created_at_to, done)
  SELECT id, 0, 'ordersheets', '2026-09-01', '2026-09-30', true FROM resyncs;
INSERT INTO outbox_commands (vendor_id, kind, shipment_box_id, order_id, payload, created_by, status, attempts, last_result_code)
  VALUES ('${VENDOR}', 'ACKNOWLEDGE', ${ACCEPT_BOX}, 9000000000001, '{}', 'docs-test', 'dead', 8, '500');
INSERT INTO outbox_attempts (command_id, attempt, started_at, finished_at, request, outcome, http_status)
  SELECT id, 8, now() - interval '1 minute', now(), '{}', 'retry', 500 FROM outbox_commands;
`;

describe("the SQL of the documentation", () => {
  let db: TestDatabase;
  let sql: pg.Client;
  const blocks = new Map<string, string[]>();
  const suffix = randomBytes(4).toString("hex");
  const reader = `cos_reader_${suffix}`;
  const writer = `cos_outbox_writer_${suffix}`;
  const extra: pg.Client[] = [];

  /** A connection as `role`, with the password the documentation gives it. */
  async function connectAs(role: string): Promise<pg.Client> {
    const url = new URL(db.url);
    url.username = role;
    url.password = "change-me";
    const client = new pg.Client({ connectionString: url.toString() });
    await client.connect();
    extra.push(client);
    return client;
  }

  /** Runs `text` in a transaction that is rolled back, so every block sees the seed alone. */
  async function runRolledBack(text: string): Promise<pg.QueryResult<Record<string, unknown>>> {
    await sql.query("BEGIN");
    try {
      return await sql.query<Record<string, unknown>>(text, text.includes("$1") ? [0] : undefined);
    } finally {
      await sql.query("ROLLBACK");
    }
  }

  beforeAll(async () => {
    for (const file of DOCS) blocks.set(file, await sqlBlocks(file));
    db = await createTestDatabase();
    sql = new pg.Client({ connectionString: db.url });
    await sql.connect();
    await sql.query(SEED);
  });

  afterAll(async () => {
    for (const client of extra) await client.end().catch(() => {});
    await sql?.end();
    await db?.drop();
    // Roles belong to the cluster: once the database (all they were granted) is gone, drop them.
    const admin = new pg.Client({ connectionString: db.url.replace(/\/[^/?]+(\?|$)/, "/postgres$1") });
    await admin.connect();
    try {
      await admin.query(`DROP ROLE IF EXISTS ${writer}`);
      await admin.query(`DROP ROLE IF EXISTS ${reader}`);
    } finally {
      await admin.end();
    }
  });

  it("lists every table with its primary key", async () => {
    const text = await readFile(new URL("../../docs/database.md", import.meta.url), "utf8");
    const documented = new Map(
      [...text.matchAll(/^\| `([a-z_]+)` +\| ([^|]+?) +\|/gm)].map((m) => [
        m[1]!,
        [...m[2]!.matchAll(/`([a-z_]+)`/g)].map((k) => k[1]!),
      ]),
    );
    const { rows } = await sql.query<{ table: string; key: string[] }>(
      `SELECT c.relname AS table,
              array_agg(a.attname::text ORDER BY array_position(i.indkey::int2[], a.attnum)) AS key
         FROM pg_index i
         JOIN pg_class c ON c.oid = i.indrelid
         JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
         JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = ANY (i.indkey)
        WHERE i.indisprimary
        GROUP BY c.relname ORDER BY c.relname`,
    );
    expect(rows).toHaveLength(20);
    // The change feed's column table also matches the pattern; only table names are compared.
    const tables = Object.fromEntries(rows.map((r) => [r.table, documented.get(r.table)]));
    expect(tables).toEqual(Object.fromEntries(rows.map((r) => [r.table, r.key])));
  });

  it("names every foreign key in 'Keys and references'", async () => {
    const text = await readFile(new URL("../../docs/database.md", import.meta.url), "utf8");
    const paragraph = text.slice(
      text.indexOf("Keys and references"),
      text.indexOf("Status moves only forward"),
    );
    const vendorSentence = paragraph.slice(0, paragraph.indexOf("Lines belong"));
    const { rows } = await sql.query<{ child: string; parent: string; on_delete: string }>(
      `SELECT c.conrelid::regclass::text AS child, c.confrelid::regclass::text AS parent,
              c.confdeltype AS on_delete
         FROM pg_constraint c WHERE c.contype = 'f' ORDER BY 1`,
    );
    expect(rows.length).toBe(13);
    for (const fk of rows) {
      if (fk.parent === "vendor_accounts") {
        expect(vendorSentence, fk.child).toContain(`\`${fk.child}\``);
        expect(fk.on_delete, fk.child).toBe("r");
      } else {
        // A line's parent: one arrow in the paragraph, and deleted with it.
        expect(paragraph.replace(/\s+/g, " "), fk.child).toContain(`\`${fk.child}\` → \`${fk.parent}\``);
        expect(fk.on_delete, fk.child).toBe("c");
      }
    }
  });

  it("runs every query of both pages against the migrated schema", async () => {
    let ran = 0;
    for (const [file, list] of blocks) {
      for (const text of list.filter((b) => !isRoleBlock(b))) {
        await expect(runRolledBack(text), `${file}:\n${text}`).resolves.toBeDefined();
        ran++;
      }
    }
    expect(ran).toBeGreaterThanOrEqual(20);
  });

  it("answers the example queries with the seeded rows, IDs to the last digit", async () => {
    const list = blocks.get("docs/database.md")!;
    const toAcknowledge = await runRolledBack(blockWith(list, "WHERE status = 'ACCEPT' ORDER BY paid_at"));
    expect(toAcknowledge.rows).toEqual([
      { shipment_box_id: ACCEPT_BOX, order_id: "9000000000001", paid_at: expect.any(Date) },
    ]);
    const toShip = await runRolledBack(blockWith(list, "quantity_to_ship"));
    expect(toShip.rows.map((r) => [r.shipment_box_id, r.vendor_item_id, r.quantity_to_ship])).toEqual([
      [INSTRUCT_BOX, "70000000002", 2],
    ]);
    const feed = await runRolledBack(blockWith(list, "WHERE id > $1 ORDER BY id LIMIT 1000"));
    expect(feed.rows.map((r) => [r.entity, r.entity_id, r.kind])).toEqual([
      ["shipment_box", ACCEPT_BOX, "created"],
      ["order_item", `${ACCEPT_BOX}:70000000001`, "created"],
      ["shipment_box", INSTRUCT_BOX, "status_changed"],
    ]);
    const history = await runRolledBack(blockWith(list, "LIKE '300000000000012345:%'"));
    expect(history.rows.map((r) => r.entity_id)).toEqual([ACCEPT_BOX, `${ACCEPT_BOX}:70000000001`]);
    const plan = await runRolledBack(blockWith(list, "jsonb_array_elements(r.plan->'queries')"));
    expect(plan.rows).toMatchObject([{ tier: "hot", query_status: "ACCEPT", expected_calls: 1 }]);
    const gaps = await runRolledBack(blockWith(list, "FROM reconcile_gaps WHERE resolved_at IS NULL"));
    expect(gaps.rows).toMatchObject([{ stream: "ordersheets", remote_count: 5, local_count: 4 }]);
    const returns = await runRolledBack(blockWith(list, "JOIN return_items ri USING (receipt_id)"));
    expect(returns.rows).toMatchObject([
      { receipt_id: "500000001", shipment_box_id: INSTRUCT_BOX, box_status: "INSTRUCT" },
    ]);
    const exchanges = await runRolledBack(blockWith(list, "e.new_shipment_box_id IS NOT NULL"));
    expect(exchanges.rows).toMatchObject([{ new_shipment_box_id: "300000000000077777", quantity: 1 }]);
    const tries = await runRolledBack(blockWith(list, "LEFT JOIN outbox_attempts a ON a.command_id = c.id"));
    expect(tries.rows).toMatchObject([{ kind: "ACKNOWLEDGE", status: "dead", attempt: 8, http_status: 500 }]);
  });

  it("takes the documented outbox insert once, fills the dedupe key and notifies the worker", async () => {
    const insert = blockWith(blocks.get("docs/database.md")!, "ON CONFLICT (dedupe_key) DO NOTHING");
    const listener = new pg.Client({ connectionString: db.url });
    await listener.connect();
    extra.push(listener);
    const notified = new Promise<string | undefined>((resolve) =>
      listener.on("notification", (n) => resolve(n.payload)),
    );
    await listener.query("LISTEN coupang_outbox");
    await sql.query("BEGIN");
    try {
      expect((await sql.query(insert)).rowCount).toBe(1);
      expect((await sql.query(insert)).rowCount).toBe(0);
      const { rows } = await sql.query(
        `SELECT dedupe_key, status, shipment_box_id::text FROM outbox_commands WHERE kind = 'UPLOAD_INVOICE'`,
      );
      expect(rows).toEqual([
        {
          dedupe_key: `UPLOAD_INVOICE:${ACCEPT_BOX}::123412341234`,
          status: "pending",
          shipment_box_id: ACCEPT_BOX,
        },
      ]);
      await sql.query("COMMIT");
    } catch (err) {
      await sql.query("ROLLBACK");
      throw err;
    }
    expect(await notified).toBe(VENDOR);
    await sql.query(`DELETE FROM outbox_commands WHERE kind = 'UPLOAD_INVOICE'`);
  });

  it("gives the reader SELECT only, and the outbox writer INSERT on outbox_commands besides", async () => {
    const list = blocks.get("docs/database.md")!.filter(isRoleBlock);
    expect(list).toHaveLength(2);
    const databaseName = new URL(db.url).pathname.slice(1);
    for (const text of list) {
      await sql.query(
        text
          .replace(/\bcos_reader\b/g, reader)
          .replace(/\bcos_outbox_writer\b/g, writer)
          .replace(/\bcoupang_sync\b/g, `"${databaseName}"`),
      );
    }
    const asReader = await connectAs(reader);
    const boxes = await asReader.query<{ shipment_box_id: string }>(
      `SELECT shipment_box_id::text FROM shipment_boxes ORDER BY 1`,
    );
    expect(boxes.rows.map((r) => r.shipment_box_id)).toEqual([ACCEPT_BOX, INSTRUCT_BOX]);
    await expect(asReader.query(`UPDATE shipment_boxes SET status = 'ACCEPT'`)).rejects.toMatchObject({
      code: "42501",
    });
    await expect(asReader.query(`DELETE FROM change_events`)).rejects.toMatchObject({ code: "42501" });
    const insert = blockWith(blocks.get("docs/database.md")!, "ON CONFLICT (dedupe_key) DO NOTHING");
    await expect(asReader.query(insert)).rejects.toMatchObject({ code: "42501" });
    await asReader.query("LISTEN coupang_sync_changes");

    // A table a later migration adds (created by the migrating role) is readable at once.
    await sql.query(
      `CREATE TABLE docs_later_table (id int PRIMARY KEY); INSERT INTO docs_later_table VALUES (7)`,
    );
    expect((await asReader.query(`SELECT id FROM docs_later_table`)).rows).toEqual([{ id: 7 }]);
    await sql.query(`DROP TABLE docs_later_table`);

    const asWriter = await connectAs(writer);
    expect((await asWriter.query(insert)).rowCount).toBe(1);
    expect((await asWriter.query(`SELECT count(*)::int AS n FROM outbox_commands`)).rows).toEqual([{ n: 2 }]);
    await expect(asWriter.query(`UPDATE outbox_commands SET status = 'pending'`)).rejects.toMatchObject({
      code: "42501",
    });
    await expect(
      asWriter.query(
        `INSERT INTO outbox_attempts (command_id, attempt, started_at, finished_at, request, outcome)
         SELECT id, 1, now(), now(), '{}', 'ok' FROM outbox_commands LIMIT 1`,
      ),
    ).rejects.toMatchObject({ code: "42501" });
  });
});

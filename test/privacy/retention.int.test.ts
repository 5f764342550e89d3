// PII retention (issue 9, "Secrets and privacy"): the demo's world synced into a real database,
// aged, erased by @cos/db `erasePersonalData` (the worker's daily job and the CLI's `retention`),
// then polled again from scratch: the erased data stays erased and the order facts stay exact.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CoupangClient } from "@cos/coupang";
import {
  ensureVendorAccount,
  erasePersonalData,
  EXCHANGE_REQUEST_PII,
  RETURN_REQUEST_PII,
  SHIPMENT_BOX_PII,
  type PiiSpec,
} from "@cos/db";
import { runStream, STREAM_NAMES, streamAdapter } from "@cos/sync";
import { run } from "../../apps/cli/src/main.js";
import { DEMO_VENDOR, startDemoWorld, type DemoWorld } from "../../apps/worker/src/demo-world.js";
import { useTestDatabase } from "../support/database.js";
import { testPlan } from "../support/simulated-vendor.js";

const DAY = 86_400_000;
const db = useTestDatabase();
let world: DemoWorld;
let client: CoupangClient;

beforeAll(async () => {
  world = await startDemoWorld({ seed: 9, orders: 400, days: 6 });
  await ensureVendorAccount(db.prisma, { vendorId: DEMO_VENDOR.vendorId, name: null });
  client = new CoupangClient({ baseUrl: world.sim.url, ...DEMO_VENDOR, requestsPerSecond: 1000 });
});
afterAll(async () => {
  client?.close();
  await world?.sim.close();
});

/** Polls every stream once; returns the rows written. */
async function syncAll(): Promise<number> {
  let written = 0;
  for (const stream of STREAM_NAMES) {
    const report = await runStream(
      {
        prisma: db.prisma,
        vendorId: DEMO_VENDOR.vendorId,
        config: testPlan({ backfillMs: 10 * DAY }),
        trigger: "manual",
        now: () => world.sim.clock.now(),
      },
      streamAdapter(stream, { source: client, prisma: db.prisma }),
    );
    expect(report.outcome).toBe("completed");
    written += report.boxesInserted + report.boxesUpdated + report.itemsInserted + report.itemsUpdated;
  }
  return written;
}

const query = async <T>(text: string): Promise<T[]> => (await db.sql.query(text)).rows as T[];
const count = async (text: string): Promise<number> => Number((await query<{ n: string }>(text))[0]!.n);

/** SQL: how many of `table`'s erased rows still hold a value at a PII column or path. */
function piiLeftSql(table: string, spec: PiiSpec): string {
  const held = [
    ...spec.columns.map((c) => `t."${c}" IS NOT NULL`),
    ...spec.paths.map((p) => `jsonb_typeof(t.raw #> '{${p.join(",")}}') NOT IN ('null')`),
  ];
  return `SELECT count(*) AS n FROM ${table} t WHERE t.pii_erased_at IS NOT NULL AND (${held.join(" OR ")})`;
}

/** SQL: how many erased rows of `table` lost a PII key of their `raw` (keys must stay). */
function keysLostSql(table: string, snapshot: string, key: string, spec: PiiSpec): string {
  const lost = spec.paths.map(
    (p) => `(s.raw #> '{${p.join(",")}}' IS NOT NULL AND t.raw #> '{${p.join(",")}}' IS NULL)`,
  );
  return `SELECT count(*) AS n FROM ${table} t JOIN ${snapshot} s USING (${key})
           WHERE t.pii_erased_at IS NOT NULL AND (${lost.join(" OR ")})`;
}

/** SQL: erased rows of `table` whose raw, PII paths removed, differs from the snapshot's. */
function factsChangedSql(table: string, snapshot: string, key: string, spec: PiiSpec): string {
  const strip = (raw: string) => spec.paths.reduce((e, p) => `(${e} #- '{${p.join(",")}}')`, raw);
  return `SELECT count(*) AS n FROM ${table} t JOIN ${snapshot} s USING (${key})
           WHERE t.pii_erased_at IS NOT NULL
             AND (${strip("t.raw")} IS DISTINCT FROM ${strip("s.raw")} OR t.raw_hash IS DISTINCT FROM s.raw_hash)`;
}

const TABLES = [
  { table: "shipment_boxes", key: "shipment_box_id", spec: SHIPMENT_BOX_PII },
  { table: "return_requests", key: "receipt_id", spec: RETURN_REQUEST_PII },
  { table: "exchange_requests", key: "exchange_id", spec: EXCHANGE_REQUEST_PII },
] as const;

/** The figures docs/reliability.md reports. */
const figures: Record<string, number> = {};

describe("PII retention", () => {
  let fresh: string;
  let expected: { shipment_boxes: number; return_requests: number; exchange_requests: number };

  it("erases the personal data of closed orders and claims older than N days, and keeps the facts", async () => {
    expect(await syncAll()).toBeGreaterThan(0);
    for (const { table } of TABLES) {
      await db.sql.query(`CREATE TABLE snap_${table} AS SELECT * FROM ${table}`);
      await db.sql.query(`UPDATE ${table} SET updated_at = now() - interval '40 days'`);
    }
    await db.sql.query(`CREATE TABLE snap_order_items AS SELECT * FROM order_items`);
    await db.sql.query(`UPDATE order_items SET updated_at = now() - interval '40 days'`);
    // One delivered box changed recently: not due yet.
    [{ id: fresh }] = (await query<{ id: string }>(
      `UPDATE shipment_boxes SET updated_at = now() - interval '2 days'
        WHERE shipment_box_id = (SELECT min(shipment_box_id) FROM shipment_boxes WHERE status = 'FINAL_DELIVERY')
        RETURNING shipment_box_id::text AS id`,
    )) as [{ id: string }];

    // What is due, counted another way than the implementation: per box, its lines' cancel flags.
    expected = {
      shipment_boxes: await count(
        `SELECT count(*) AS n FROM (
           SELECT b.shipment_box_id FROM shipment_boxes b JOIN order_items i USING (shipment_box_id)
            WHERE b.shipment_box_id <> ${fresh}
            GROUP BY b.shipment_box_id, b.status
           HAVING b.status = 'FINAL_DELIVERY' OR bool_and(COALESCE(i.canceled, false))) due`,
      ),
      return_requests: await count(
        `SELECT count(*) AS n FROM return_requests
          WHERE receipt_status = 'RETURNS_COMPLETED' OR withdrawn_at IS NOT NULL OR receipt_type = 'CANCEL'`,
      ),
      exchange_requests: await count(
        `SELECT count(*) AS n FROM exchange_requests WHERE exchange_status IN ('SUCCESS', 'REJECT', 'CANCEL')`,
      ),
    };
    for (const n of Object.values(expected)) expect(n).toBeGreaterThan(0);
    const total = expected.shipment_boxes + expected.return_requests + expected.exchange_requests;

    // The CLI's dry run counts and changes nothing.
    const lines: string[] = [];
    const env = {
      DATABASE_URL: db.url,
      COUPANG_VENDOR_ID: DEMO_VENDOR.vendorId,
      COUPANG_ACCESS_KEY: DEMO_VENDOR.accessKey,
      COUPANG_SECRET_KEY: DEMO_VENDOR.secretKey,
      PII_RETENTION_DAYS: "30",
    };
    const out = { log: (l: string) => lines.push(l), err: (l: string) => lines.push(l), tty: false };
    expect(await run(["retention", "--dry-run", "--json"], out, env)).toBe(0);
    const dry = JSON.parse(lines.join("\n")) as {
      dryRun: boolean;
      days: number;
      tables: unknown;
      total: number;
    };
    expect(dry).toMatchObject({ dryRun: true, days: 30, tables: expected, total });
    expect(await count(`SELECT count(*) AS n FROM shipment_boxes WHERE pii_erased_at IS NOT NULL`)).toBe(0);
    expect(await run(["retention", "--days", "0"], out, env)).toBe(65);

    // The real run, in small batches so several transactions take part.
    const report = await erasePersonalData(db.prisma, {
      before: new Date(Date.now() - 30 * DAY),
      batchSize: 7,
    });
    expect(report.tables).toEqual(expected);
    expect(report.total).toBe(total);

    for (const { table, key, spec } of TABLES) {
      expect(await count(`SELECT count(*) AS n FROM ${table} WHERE pii_erased_at IS NOT NULL`)).toBe(
        expected[table],
      );
      expect(await count(piiLeftSql(table, spec)), `${table}: PII left`).toBe(0);
      expect(await count(keysLostSql(table, `snap_${table}`, key, spec)), `${table}: keys lost`).toBe(0);
      expect(await count(factsChangedSql(table, `snap_${table}`, key, spec)), `${table}: facts`).toBe(0);
      // No erased row's text holds any of its former personal values.
      const values = spec.paths.map((p) => `s.raw #>> '{${p.join(",")}}'`);
      expect(
        await count(
          `SELECT count(*) AS n FROM ${table} t JOIN snap_${table} s USING (${key}),
                  unnest(ARRAY[${values.join(", ")}]) v
            WHERE t.pii_erased_at IS NOT NULL AND length(v) > 2 AND strpos(row_to_json(t)::text, v) > 0`,
        ),
        `${table}: former values found`,
      ).toBe(0);
    }
    // Typed order facts are kept: statuses, amounts, dates, and every line untouched.
    expect(
      await count(
        `SELECT count(*) AS n FROM shipment_boxes t JOIN snap_shipment_boxes s USING (shipment_box_id)
          WHERE (t.status, t.order_id, t.ordered_at, t.paid_at, t.shipping_price, t.invoice_number, t.delivered_at)
                IS DISTINCT FROM (s.status, s.order_id, s.ordered_at, s.paid_at, s.shipping_price, s.invoice_number, s.delivered_at)`,
      ),
    ).toBe(0);
    expect(
      await count(
        `SELECT count(*) AS n FROM order_items t FULL JOIN snap_order_items s USING (shipment_box_id, vendor_item_id)
          WHERE t.raw IS DISTINCT FROM s.raw OR t.order_price IS DISTINCT FROM s.order_price`,
      ),
    ).toBe(0);
    // The box changed two days ago keeps its receiver; every erasure is in the change feed.
    const [kept] = await query<{ receiver_name: string | null; pii_erased_at: Date | null }>(
      `SELECT receiver_name, pii_erased_at FROM shipment_boxes WHERE shipment_box_id = ${fresh}`,
    );
    expect(kept?.pii_erased_at).toBeNull();
    expect(kept?.receiver_name).toMatch(/\S/);
    expect(await count(`SELECT count(*) AS n FROM change_events WHERE kind = 'erased'`)).toBe(total);
    const [event] = await query<{ changed_fields: string[] }>(
      `SELECT changed_fields FROM change_events WHERE kind = 'erased' AND entity = 'shipment_box' LIMIT 1`,
    );
    expect(event?.changed_fields).toEqual([
      "orderer",
      "overseaShippingInfoDto",
      "parcelPrintMessage",
      "receiver",
    ]);

    // Idempotent: nothing is due any more.
    expect((await erasePersonalData(db.prisma, { before: new Date(Date.now() - 30 * DAY) })).total).toBe(0);
    figures.erased = total;
    Object.assign(figures, expected);
  });

  it("keeps erased rows erased when a poll reads them again, unchanged or changed", async () => {
    const piiLeft = async () => {
      let n = 0;
      for (const { table, spec } of TABLES) n += await count(piiLeftSql(table, spec));
      return n;
    };
    const erased = async () =>
      count(
        `SELECT (SELECT count(*) FROM shipment_boxes WHERE pii_erased_at IS NOT NULL)
              + (SELECT count(*) FROM return_requests WHERE pii_erased_at IS NOT NULL)
              + (SELECT count(*) FROM exchange_requests WHERE pii_erased_at IS NOT NULL) AS n`,
      );
    const before = await erased();
    // Forget the checkpoints: the next polls backfill and read every box and claim again.
    await db.sql.query(`DELETE FROM sync_checkpoints`);
    const eventsBefore = await count(`SELECT count(*) AS n FROM change_events`);
    expect(await syncAll()).toBe(0);
    expect(await count(`SELECT count(*) AS n FROM change_events`)).toBe(eventsBefore);
    expect(await piiLeft()).toBe(0);

    // A read that differs (as if Coupang changed another field): written, still erased.
    for (const { table } of TABLES)
      await db.sql.query(`UPDATE ${table} SET raw_hash = repeat('0', 64) WHERE pii_erased_at IS NOT NULL`);
    await db.sql.query(`DELETE FROM sync_checkpoints`);
    const rewritten = await syncAll();
    expect(rewritten).toBeGreaterThan(0);
    expect(await piiLeft()).toBe(0);
    expect(await erased()).toBe(before);
    // The rows took the read again (its hash), and no event names erased data as changed.
    expect(await count(`SELECT count(*) AS n FROM shipment_boxes WHERE raw_hash = repeat('0', 64)`)).toBe(0);
    expect(
      await count(
        `SELECT count(*) AS n FROM change_events
          WHERE id > ${eventsBefore} AND changed_fields && ARRAY['orderer', 'receiver', 'exchangeAddressDtoV1', 'requesterName']`,
      ),
    ).toBe(0);
    for (const { table, key, spec } of TABLES) {
      expect(await count(factsChangedSql(table, `snap_${table}`, key, spec)), `${table}: facts`).toBe(0);
    }
    figures.rePolledRows = rewritten;
    console.log(`retention figures: ${JSON.stringify(figures)}`);
  });
});

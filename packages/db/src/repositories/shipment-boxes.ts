import {
  type ColumnKind,
  type ColumnSpecs,
  type SqlClient,
  columnList,
  encodeRow,
  quoteIdent,
  recordsetDefinition,
  recordsetValue,
} from "./sql.js";

/**
 * One line of a shipment box: every data column of `order_items` (coupang-api.md §4.1). IDs are
 * 64-bit (`bigint`), money is KRW (`bigint`), instants are `Date`s (Coupang's KST wall clock
 * already converted), `estimatedShippingDate`/`plannedShippingDate` are calendar dates given as a
 * `Date` at 00:00:00 UTC (Prisma's @db.Date convention). `raw` is the item's canonical JSON text
 * and `rawHash` the sha256 hex of it. `first_seen_at`/`updated_at` are kept by the database.
 */
export interface OrderItemRow {
  shipmentBoxId: bigint;
  vendorItemId: bigint;
  vendorId: string;
  orderId: bigint;
  vendorItemName: string | null;
  vendorItemPackageId: bigint | null;
  vendorItemPackageName: string | null;
  productId: bigint | null;
  sellerProductId: bigint | null;
  sellerProductName: string | null;
  sellerProductItemName: string | null;
  firstSellerProductItemName: string | null;
  externalVendorSkuCode: string | null;
  shippingCount: number;
  cancelCount: number;
  holdCountForCancel: number;
  salesPrice: bigint | null;
  orderPrice: bigint | null;
  discountPrice: bigint | null;
  instantCouponDiscount: bigint | null;
  downloadableCouponDiscount: bigint | null;
  coupangDiscount: bigint | null;
  estimatedShippingDate: Date | null;
  plannedShippingDate: Date | null;
  invoiceNumberUploadAt: Date | null;
  confirmedAt: Date | null;
  deliveryChargeTypeName: string | null;
  pricingBadge: boolean | null;
  usedProduct: boolean | null;
  upBundleItem: boolean | null;
  canceled: boolean | null;
  raw: string;
  rawHash: string;
}

/**
 * One PO (ordersheet) = one shipment box (coupang-api.md §2.1): every data column of
 * `shipment_boxes`, typed as in {@link OrderItemRow}, plus the box's `items`. `raw` is the whole
 * ordersheet's canonical JSON text and `rawHash` the sha256 hex of it.
 */
export interface ShipmentBoxRow {
  shipmentBoxId: bigint;
  vendorId: string;
  orderId: bigint;
  status: string;
  orderedAt: Date | null;
  paidAt: Date | null;
  ordererName: string | null;
  ordererEmail: string | null;
  ordererSafeNumber: string | null;
  receiverName: string | null;
  receiverSafeNumber: string | null;
  receiverAddr1: string | null;
  receiverAddr2: string | null;
  receiverPostCode: string | null;
  shippingPrice: bigint | null;
  remotePrice: bigint | null;
  remoteArea: boolean | null;
  parcelPrintMessage: string | null;
  splitShipping: boolean | null;
  ableSplitShipping: boolean | null;
  deliveryCompanyName: string | null;
  invoiceNumber: string | null;
  inTransitAt: Date | null;
  deliveredAt: Date | null;
  refer: string | null;
  shipmentType: string | null;
  raw: string;
  rawHash: string;
  items: OrderItemRow[];
}

/**
 * One detected change, to be appended to the change feed by {@link appendChangeEvents} in the
 * same transaction. `entityId` is the decimal shipmentBoxId, or `shipmentBoxId:vendorItemId` for an
 * item. `changedFields` are the top-level payload fields that differ (empty for `created`).
 */
export interface ChangeEventDraft {
  vendorId: string;
  entity: "shipment_box" | "order_item";
  entityId: string;
  kind: "created" | "status_changed" | "updated";
  oldStatus: string | null;
  newStatus: string | null;
  changedFields: string[];
}

/** A read that was not applied because it would move a box's status backwards. */
export interface StaleRead {
  shipmentBoxId: string;
  storedStatus: string;
  readStatus: string;
}

/**
 * What {@link upsertShipmentBoxes} wrote: counts per table, the change events to append, and the
 * stale reads it ignored. Unchanged rows count nowhere.
 */
export interface UpsertShipmentBoxesResult {
  boxesInserted: number;
  boxesUpdated: number;
  itemsInserted: number;
  itemsUpdated: number;
  events: ChangeEventDraft[];
  staleReads: StaleRead[];
}

/**
 * Forward order of a shipment box's status (coupang-api.md §2: ACCEPT → INSTRUCT → DEPARTURE →
 * DELIVERING → FINAL_DELIVERY). NONE_TRACKING (shipped without tracking) ranks with DELIVERING, so
 * moves between the two are allowed both ways. Statuses not listed are unordered: the guard never
 * blocks a write from or to them, so a status Coupang adds later is not frozen out.
 *
 * The one whitelisted backward move: back to DEPARTURE with a newer invoice upload, which is what
 * an invoice update does (coupang-api.md §4.2: "the status goes back to DEPARTURE"). Conversely a
 * read whose newest `invoiceNumberUploadDate` is older than the stored one is stale at any rank.
 */
export const SHIPMENT_BOX_STATUS_RANK: Readonly<Record<string, number>> = Object.freeze({
  ACCEPT: 1,
  INSTRUCT: 2,
  DEPARTURE: 3,
  DELIVERING: 4,
  NONE_TRACKING: 4,
  FINAL_DELIVERY: 5,
});

const BOX_SPECS: ColumnSpecs<Omit<ShipmentBoxRow, "items">> = {
  shipmentBoxId: { column: "shipment_box_id", kind: "bigint" },
  vendorId: { column: "vendor_id", kind: "text" },
  orderId: { column: "order_id", kind: "bigint" },
  status: { column: "status", kind: "text" },
  orderedAt: { column: "ordered_at", kind: "timestamptz" },
  paidAt: { column: "paid_at", kind: "timestamptz" },
  ordererName: { column: "orderer_name", kind: "text" },
  ordererEmail: { column: "orderer_email", kind: "text" },
  ordererSafeNumber: { column: "orderer_safe_number", kind: "text" },
  receiverName: { column: "receiver_name", kind: "text" },
  receiverSafeNumber: { column: "receiver_safe_number", kind: "text" },
  receiverAddr1: { column: "receiver_addr1", kind: "text" },
  receiverAddr2: { column: "receiver_addr2", kind: "text" },
  receiverPostCode: { column: "receiver_post_code", kind: "text" },
  shippingPrice: { column: "shipping_price", kind: "bigint" },
  remotePrice: { column: "remote_price", kind: "bigint" },
  remoteArea: { column: "remote_area", kind: "bool" },
  parcelPrintMessage: { column: "parcel_print_message", kind: "text" },
  splitShipping: { column: "split_shipping", kind: "bool" },
  ableSplitShipping: { column: "able_split_shipping", kind: "bool" },
  deliveryCompanyName: { column: "delivery_company_name", kind: "text" },
  invoiceNumber: { column: "invoice_number", kind: "text" },
  inTransitAt: { column: "in_transit_at", kind: "timestamptz" },
  deliveredAt: { column: "delivered_at", kind: "timestamptz" },
  refer: { column: "refer", kind: "text" },
  shipmentType: { column: "shipment_type", kind: "text" },
  raw: { column: "raw", kind: "jsonb" },
  rawHash: { column: "raw_hash", kind: "sha256" },
};

const ITEM_SPECS: ColumnSpecs<OrderItemRow> = {
  shipmentBoxId: { column: "shipment_box_id", kind: "bigint" },
  vendorItemId: { column: "vendor_item_id", kind: "bigint" },
  vendorId: { column: "vendor_id", kind: "text" },
  orderId: { column: "order_id", kind: "bigint" },
  vendorItemName: { column: "vendor_item_name", kind: "text" },
  vendorItemPackageId: { column: "vendor_item_package_id", kind: "bigint" },
  vendorItemPackageName: { column: "vendor_item_package_name", kind: "text" },
  productId: { column: "product_id", kind: "bigint" },
  sellerProductId: { column: "seller_product_id", kind: "bigint" },
  sellerProductName: { column: "seller_product_name", kind: "text" },
  sellerProductItemName: { column: "seller_product_item_name", kind: "text" },
  firstSellerProductItemName: { column: "first_seller_product_item_name", kind: "text" },
  externalVendorSkuCode: { column: "external_vendor_sku_code", kind: "text" },
  shippingCount: { column: "shipping_count", kind: "int" },
  cancelCount: { column: "cancel_count", kind: "int" },
  holdCountForCancel: { column: "hold_count_for_cancel", kind: "int" },
  salesPrice: { column: "sales_price", kind: "bigint" },
  orderPrice: { column: "order_price", kind: "bigint" },
  discountPrice: { column: "discount_price", kind: "bigint" },
  instantCouponDiscount: { column: "instant_coupon_discount", kind: "bigint" },
  downloadableCouponDiscount: { column: "downloadable_coupon_discount", kind: "bigint" },
  coupangDiscount: { column: "coupang_discount", kind: "bigint" },
  estimatedShippingDate: { column: "estimated_shipping_date", kind: "date" },
  plannedShippingDate: { column: "planned_shipping_date", kind: "date" },
  invoiceNumberUploadAt: { column: "invoice_number_upload_at", kind: "timestamptz" },
  confirmedAt: { column: "confirmed_at", kind: "timestamptz" },
  deliveryChargeTypeName: { column: "delivery_charge_type_name", kind: "text" },
  pricingBadge: { column: "pricing_badge", kind: "bool" },
  usedProduct: { column: "used_product", kind: "bool" },
  upBundleItem: { column: "up_bundle_item", kind: "bool" },
  canceled: { column: "canceled", kind: "bool" },
  raw: { column: "raw", kind: "jsonb" },
  rawHash: { column: "raw_hash", kind: "sha256" },
};

const BOX_COLUMNS = columnList(BOX_SPECS);
const ITEM_COLUMNS = columnList(ITEM_SPECS);

/** Extra recordset column of the items batch: the raw_hash of the box version the item came with. */
const BOX_RAW_HASH = { column: "box_raw_hash", kind: "sha256" } as const;

function statusRankSql(expr: string): string {
  const arms = Object.entries(SHIPMENT_BOX_STATUS_RANK).map(([status, rank]) => {
    if (!/^[A-Z_]+$/.test(status)) throw new Error(`Unexpected status literal: ${status}`);
    return `WHEN '${status}' THEN ${rank}`;
  });
  // No ELSE: an unknown status ranks NULL, and the guard below treats NULL comparisons as "allowed".
  return `(CASE ${expr} ${arms.join(" ")} END)`;
}

/** The newest `invoiceNumberUploadDate` among a payload's items (KST text sorts as time does). */
function latestInvoiceUploadSql(raw: string): string {
  return `(SELECT max(i->>'invoiceNumberUploadDate') FROM jsonb_array_elements(COALESCE(${raw}->'orderItems', '[]'::jsonb)) AS i)`;
}

/**
 * The advisory-lock namespace (first key of the two-int form) of shipment box writes. Every writer
 * of `shipment_boxes` takes `pg_advisory_xact_lock(SHIPMENT_BOX_LOCK, hashtext(id::text))` for each
 * box before it reads or writes it; hash collisions only make two writers wait for each other.
 */
export const SHIPMENT_BOX_LOCK = 1668249968;

interface UpsertStatements {
  /** Serializes writers of the batch's keys, in key order, before the upsert takes its snapshot. */
  lock: string | null;
  /** The upsert, returning one row per written row (`written`) and per ignored stale read (`stale`). */
  upsert: string;
}

/**
 * The guard of an update as SQL over two row aliases: `stored` (the row in the table) and
 * `incoming` (the proposed row). Evaluated twice with the same meaning: by `ON CONFLICT … WHERE`
 * (as the table and `EXCLUDED`) and in the upsert's `cur` CTE to report what it decided.
 */
type Guard = (stored: string, incoming: string) => string;

/**
 * Builds the two statements of a batch upsert from `jsonb_to_recordset($1)`.
 *
 * The lock comes first and alone, as advisory locks on the keys (they cover keys with no row yet,
 * which `FOR UPDATE` cannot): once it returns, no other writer holds any key of the batch, so the
 * upsert's snapshot shows their final state. The `cur` CTE then reads stored and incoming versions
 * side by side in one index-driven join and evaluates the same guard as `ON CONFLICT`, so the
 * result — what was created, which status moved, which top-level payload fields changed, which
 * reads the guard refused — needs no join against the inserted rows.
 */
function upsertStatements(options: {
  table: string;
  columns: { column: string; kind: ColumnKind }[];
  extraInput: { column: string; kind: ColumnKind }[];
  key: string[];
  where: string[];
  guard: Guard;
  status: boolean;
  /** The key to lock per row (an expression over alias `r`), or null when a parent's lock covers it. */
  lockKey: string | null;
}): UpsertStatements {
  const table = quoteIdent(options.table);
  const cols = options.columns.map((c) => quoteIdent(c.column));
  const keys = options.key.map(quoteIdent);
  const on = (a: string, b: string) => keys.map((k) => `${a}.${k} = ${b}.${k}`).join(" AND ");
  const updatable = options.columns.filter((c) => !options.key.includes(c.column));
  const set = [
    ...updatable.map((c) => `${quoteIdent(c.column)} = EXCLUDED.${quoteIdent(c.column)}`),
    `"updated_at" = now()`,
  ];
  const input = `SELECT ${[...options.columns, ...options.extraInput].map((c) => `${recordsetValue(c)} AS ${quoteIdent(c.column)}`).join(", ")}
    FROM jsonb_to_recordset($1::jsonb) AS ${recordsetDefinition([...options.columns, ...options.extraInput])}
    ${options.where.length > 0 ? `WHERE ${options.where.join(" AND ")}` : ""}`;
  const status = (alias: string) => (options.status ? `${alias}."status"` : "NULL::text");
  const guard = options.guard;
  return {
    // Locks are taken in key order (the subquery's), so two batches cannot deadlock each other.
    lock:
      options.lockKey === null
        ? null
        : `SELECT count(pg_advisory_xact_lock(${SHIPMENT_BOX_LOCK}, hashtext(k::text)))
           FROM (SELECT DISTINCT ${options.lockKey} AS k FROM (${input}) r ORDER BY 1) keys`,
    upsert: `WITH r AS (${input}),
cur AS (
  SELECT ${keys.map((k) => `r.${k}::text`).join(` || ':' || `)} AS entity_id,
    t.${keys[0]} IS NULL AS inserted, ${status("t")} AS old_status, ${status("r")} AS new_status,
    t."raw" AS old_raw, r."raw" AS new_raw, (t."raw_hash" IS DISTINCT FROM r."raw_hash") AS differs,
    COALESCE(${guard("t", "r")}, false) AS allowed
  FROM r LEFT JOIN ${table} t ON ${on("t", "r")}
),
upserted AS (
  INSERT INTO ${table} (${cols.join(", ")})
  SELECT ${cols.map((c) => `r.${c}`).join(", ")} FROM r
  ORDER BY ${keys.map((k) => `r.${k}`).join(", ")}
  ON CONFLICT (${keys.join(", ")}) DO UPDATE SET ${set.join(", ")}
  WHERE ${guard(table, "EXCLUDED")}
)
SELECT CASE WHEN inserted OR allowed THEN 'written' ELSE 'stale' END AS what, entity_id, inserted, old_status, new_status,
  CASE WHEN inserted OR NOT allowed THEN '{}'::text[] ELSE ARRAY(
    SELECT key FROM jsonb_each(new_raw) n FULL JOIN jsonb_each(old_raw) p USING (key)
    WHERE n.value IS DISTINCT FROM p.value ORDER BY key
  ) END AS changed_fields
FROM cur WHERE inserted OR differs`,
  };
}

const BOX_STATEMENTS = upsertStatements({
  table: "shipment_boxes",
  columns: BOX_COLUMNS,
  extraInput: [],
  key: ["shipment_box_id"],
  where: [],
  status: true,
  lockKey: `r."shipment_box_id"`,
  guard: (stored, incoming) =>
    [
      // Identical payload: nothing to do, and updated_at stays as it was.
      `${stored}."raw_hash" IS DISTINCT FROM ${incoming}."raw_hash"`,
      // A read carrying an older invoice upload than the stored one is stale, whatever its status.
      `NOT COALESCE(${latestInvoiceUploadSql(`${incoming}."raw"`)} < ${latestInvoiceUploadSql(`${stored}."raw"`)}, false)`,
      // A stale read (lower rank than stored) never moves the status backwards, except the
      // whitelisted move of an invoice update: back to DEPARTURE with a newer invoice upload.
      `(NOT COALESCE(${statusRankSql(`${incoming}."status"`)} < ${statusRankSql(`${stored}."status"`)}, false)
        OR (${incoming}."status" = 'DEPARTURE'
            AND ${latestInvoiceUploadSql(`${incoming}."raw"`)} > ${latestInvoiceUploadSql(`${stored}."raw"`)}))`,
    ].join(" AND "),
});

const ITEM_STATEMENTS = upsertStatements({
  table: "order_items",
  columns: ITEM_COLUMNS,
  extraInput: [BOX_RAW_HASH],
  key: ["shipment_box_id", "vendor_item_id"],
  // Items are written only when the stored box is the version they came with, i.e. the box was
  // just written or was already identical. Items of a stale box version are skipped with it. The
  // box statements locked every box of the batch, so no other transaction can change that answer
  // before commit.
  where: [
    `EXISTS (SELECT 1 FROM "shipment_boxes" b WHERE b."shipment_box_id" = r."shipment_box_id" AND b."raw_hash" = r."box_raw_hash")`,
  ],
  status: false,
  // Items are written only with their box, whose lock this transaction already holds.
  lockKey: null,
  guard: (stored, incoming) => `${stored}."raw_hash" IS DISTINCT FROM ${incoming}."raw_hash"`,
});

function rank(status: string): number | undefined {
  return SHIPMENT_BOX_STATUS_RANK[status];
}

/**
 * One version per box: Postgres refuses to update a row twice in one statement, and the highest
 * status is the one the database would keep anyway (ties: the later entry wins).
 */
function dedupeBoxes(boxes: readonly ShipmentBoxRow[]): ShipmentBoxRow[] {
  const byId = new Map<bigint, ShipmentBoxRow>();
  for (const box of boxes) {
    const kept = byId.get(box.shipmentBoxId);
    const keptRank = kept === undefined ? undefined : rank(kept.status);
    const newRank = rank(box.status);
    if (keptRank !== undefined && newRank !== undefined && newRank < keptRank) continue;
    byId.set(box.shipmentBoxId, box);
  }
  return [...byId.values()];
}

/**
 * Writes a batch of shipment boxes and their items: the only write path of ordersheet sync.
 * Three statements (lock the boxes, upsert boxes, upsert items) whatever the batch size; call it inside
 * {@link withTransaction} so a box and its items commit together with the page's checkpoint, and
 * pass the returned `events` to {@link appendChangeEvents} last in that transaction.
 *
 * - Keyed on Coupang's IDs with `INSERT … ON CONFLICT`, so concurrent writers of the same box never
 *   raise a unique violation (pitfalls W-7).
 * - Idempotent: a row whose `raw_hash` equals the stored one is not touched (`updated_at` kept).
 * - Monotonic: a box is not updated when its incoming status ranks below the stored one
 *   ({@link SHIPMENT_BOX_STATUS_RANK}, with its one whitelisted move); that box's items are left
 *   alone too, and the read is reported in `staleReads`.
 * - Items missing from a box's new version are kept, never deleted.
 * - The vendor must exist ({@link ensureVendorAccount}); otherwise the foreign key fails.
 *
 * @param tx the transaction client given by {@link withTransaction}.
 * @returns how many rows were inserted and updated per table, the change events, the stale reads.
 * @throws RangeError for a value that cannot be stored as given (see `encodeValue`), Error when an
 *   item's shipmentBoxId differs from its box's, and Prisma's error for a database failure
 *   (e.g. invalid JSON in `raw`, unknown vendor), after which the transaction is rolled back.
 */
export async function upsertShipmentBoxes(
  tx: SqlClient,
  boxes: readonly ShipmentBoxRow[],
): Promise<UpsertShipmentBoxesResult> {
  const result: UpsertShipmentBoxesResult = {
    boxesInserted: 0,
    boxesUpdated: 0,
    itemsInserted: 0,
    itemsUpdated: 0,
    events: [],
    staleReads: [],
  };
  if (boxes.length === 0) return result;

  const chosen = dedupeBoxes(boxes);
  const boxRecords = chosen.map((box, i) => encodeRow(box, BOX_COLUMNS, `boxes[${i}]`));
  const items = new Map<string, Record<string, unknown>>();
  chosen.forEach((box, i) => {
    box.items.forEach((item, j) => {
      const where = `boxes[${i}].items[${j}]`;
      if (item.shipmentBoxId !== box.shipmentBoxId) {
        throw new Error(
          `${where}.shipmentBoxId ${item.shipmentBoxId} differs from its box ${box.shipmentBoxId}`,
        );
      }
      const record = encodeRow(item, ITEM_COLUMNS, where);
      record[BOX_RAW_HASH.column] = box.rawHash;
      // Same key twice in one box: the later line wins, as for boxes.
      items.set(`${item.shipmentBoxId}/${item.vendorItemId}`, record);
    });
  });

  const vendorOf = new Map(chosen.map((box) => [box.shipmentBoxId.toString(), box.vendorId]));
  const boxRows = await runUpsert(tx, BOX_STATEMENTS, boxRecords);
  const itemRows = items.size > 0 ? await runUpsert(tx, ITEM_STATEMENTS, [...items.values()]) : [];
  for (const [entity, rows] of [
    ["shipment_box", boxRows],
    ["order_item", itemRows],
  ] as const) {
    for (const row of rows) {
      if (row.what === "stale") {
        // Only boxes carry the guard; an item is skipped with its stale box, not on its own.
        if (entity === "shipment_box") {
          result.staleReads.push({
            shipmentBoxId: row.entity_id,
            storedStatus: row.old_status!,
            readStatus: row.new_status!,
          });
        }
        continue;
      }
      if (entity === "shipment_box") result[row.inserted ? "boxesInserted" : "boxesUpdated"]++;
      else result[row.inserted ? "itemsInserted" : "itemsUpdated"]++;
      result.events.push({
        vendorId: vendorOf.get(row.entity_id.split(":")[0]!)!,
        entity,
        entityId: row.entity_id,
        kind: row.inserted ? "created" : row.old_status !== row.new_status ? "status_changed" : "updated",
        oldStatus: row.inserted ? null : row.old_status,
        newStatus: row.new_status,
        changedFields: row.changed_fields,
      });
    }
  }
  return result;
}

interface UpsertRow {
  what: "written" | "stale";
  entity_id: string;
  inserted: boolean;
  old_status: string | null;
  new_status: string | null;
  changed_fields: string[];
}

async function runUpsert(
  tx: SqlClient,
  statements: UpsertStatements,
  records: unknown[],
): Promise<UpsertRow[]> {
  const batch = JSON.stringify(records);
  if (statements.lock) await tx.$queryRawUnsafe(statements.lock, batch);
  return tx.$queryRawUnsafe<UpsertRow[]>(statements.upsert, batch);
}

/**
 * A vendor's boxes per KST creation day (`yyyy-MM-dd`) and status, for boxes created at or after
 * `since`: what the planner reads to spend calls only where a box could still change.
 */
export async function boxCountsByDay(
  db: SqlClient,
  vendorId: string,
  since: Date,
): Promise<Map<string, Map<string, number>>> {
  const rows = await db.$queryRawUnsafe<Array<{ day: string; status: string; boxes: number }>>(
    `SELECT to_char(ordered_at AT TIME ZONE 'Asia/Seoul', 'YYYY-MM-DD') AS day, status, count(*)::int AS boxes
       FROM shipment_boxes WHERE vendor_id = $1 AND ordered_at >= $2::timestamptz
      GROUP BY 1, 2`,
    vendorId,
    since.toISOString(),
  );
  const byDay = new Map<string, Map<string, number>>();
  for (const r of rows) {
    const day = byDay.get(r.day) ?? new Map<string, number>();
    day.set(r.status, r.boxes);
    byDay.set(r.day, day);
  }
  return byDay;
}

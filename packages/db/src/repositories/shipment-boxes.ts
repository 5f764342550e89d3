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

/** Counts of rows written by {@link upsertShipmentBoxes}; unchanged and stale rows count nowhere. */
export interface UpsertShipmentBoxesResult {
  boxesInserted: number;
  boxesUpdated: number;
  itemsInserted: number;
  itemsUpdated: number;
}

/**
 * Forward order of a shipment box's status (coupang-api.md §2: ACCEPT → INSTRUCT → DEPARTURE →
 * DELIVERING → FINAL_DELIVERY). NONE_TRACKING (shipped without tracking) ranks with DELIVERING, so
 * moves between the two are allowed both ways. Statuses not listed are unordered: the guard never
 * blocks a write from or to them, so a status Coupang adds later is not frozen out.
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

/**
 * Builds `INSERT … SELECT … FROM jsonb_to_recordset($1) … ON CONFLICT … DO UPDATE … WHERE …`
 * returning one row of counts. `xmax = 0` in RETURNING tells a fresh insert from an update.
 * Rows are inserted in key order so concurrent batches lock shared rows in the same order and
 * cannot deadlock each other.
 */
function upsertSql(options: {
  table: string;
  columns: { column: string; kind: ColumnKind }[];
  extraInput: { column: string; kind: ColumnKind }[];
  key: string[];
  where: string[];
  guard: string;
}): string {
  const table = quoteIdent(options.table);
  const cols = options.columns.map((c) => quoteIdent(c.column));
  const keys = options.key.map(quoteIdent);
  const updatable = options.columns.filter((c) => !options.key.includes(c.column));
  const set = [
    ...updatable.map((c) => `${quoteIdent(c.column)} = EXCLUDED.${quoteIdent(c.column)}`),
    `"updated_at" = now()`,
  ];
  return `WITH upserted AS (
  INSERT INTO ${table} (${cols.join(", ")})
  SELECT ${options.columns.map(recordsetValue).join(", ")}
  FROM jsonb_to_recordset($1::jsonb) AS ${recordsetDefinition([...options.columns, ...options.extraInput])}
  ${options.where.length > 0 ? `WHERE ${options.where.join(" AND ")}` : ""}
  ORDER BY ${options.key.map((k) => `r.${quoteIdent(k)}`).join(", ")}
  ON CONFLICT (${keys.join(", ")}) DO UPDATE SET ${set.join(", ")}
  WHERE ${options.guard}
  RETURNING (xmax = 0) AS inserted
)
SELECT (count(*) FILTER (WHERE inserted))::int AS inserted, (count(*) FILTER (WHERE NOT inserted))::int AS updated
FROM upserted`;
}

const UPSERT_BOXES_SQL = upsertSql({
  table: "shipment_boxes",
  columns: BOX_COLUMNS,
  extraInput: [],
  key: ["shipment_box_id"],
  where: [],
  guard: [
    // Identical payload: nothing to do, and updated_at stays as it was.
    `"shipment_boxes"."raw_hash" IS DISTINCT FROM EXCLUDED."raw_hash"`,
    // A stale read (lower rank than stored) never moves the status backwards.
    `NOT COALESCE(${statusRankSql(`EXCLUDED."status"`)} < ${statusRankSql(`"shipment_boxes"."status"`)}, false)`,
  ].join(" AND "),
});

const UPSERT_ITEMS_SQL = upsertSql({
  table: "order_items",
  columns: ITEM_COLUMNS,
  extraInput: [BOX_RAW_HASH],
  key: ["shipment_box_id", "vendor_item_id"],
  // Items are written only when the stored box is the version they came with, i.e. the box was
  // just written or was already identical. Items of a stale box version are skipped with it. The
  // box statement locked every box row of the batch (ON CONFLICT locks even rows it leaves
  // alone), so no other transaction can change that answer before commit.
  where: [
    `EXISTS (SELECT 1 FROM "shipment_boxes" b WHERE b."shipment_box_id" = r."shipment_box_id" AND b."raw_hash" = r."box_raw_hash")`,
  ],
  guard: `"order_items"."raw_hash" IS DISTINCT FROM EXCLUDED."raw_hash"`,
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
 * Two statements (one per table) whatever the batch size; call it inside {@link withTransaction}
 * so a box and its items commit together with the page's checkpoint.
 *
 * - Keyed on Coupang's IDs with `INSERT … ON CONFLICT`, so concurrent writers of the same box never
 *   raise a unique violation (pitfalls W-7).
 * - Idempotent: a row whose `raw_hash` equals the stored one is not touched (`updated_at` kept).
 * - Monotonic: a box is not updated when its incoming status ranks below the stored one
 *   ({@link SHIPMENT_BOX_STATUS_RANK}); that box's items are left alone too.
 * - Items missing from a box's new version are kept, never deleted.
 * - The vendor must exist ({@link ensureVendorAccount}); otherwise the foreign key fails.
 *
 * @param tx the transaction client given by {@link withTransaction}.
 * @returns how many rows were inserted and updated per table.
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

  const [boxCounts] = await tx.$queryRawUnsafe<Counts[]>(UPSERT_BOXES_SQL, JSON.stringify(boxRecords));
  result.boxesInserted = boxCounts?.inserted ?? 0;
  result.boxesUpdated = boxCounts?.updated ?? 0;
  if (items.size > 0) {
    const [itemCounts] = await tx.$queryRawUnsafe<Counts[]>(
      UPSERT_ITEMS_SQL,
      JSON.stringify([...items.values()]),
    );
    result.itemsInserted = itemCounts?.inserted ?? 0;
    result.itemsUpdated = itemCounts?.updated ?? 0;
  }
  return result;
}

interface Counts {
  inserted: number;
  updated: number;
}

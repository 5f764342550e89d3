import { SHIPMENT_BOX_PII } from "./pii.js";
import { type ColumnSpecs, type SqlClient, columnList, countsByKstDay, encodeRow } from "./sql.js";
import {
  type ChangeEventDraft,
  dedupeByRank,
  rankGuard,
  statusRankSql,
  upsertFamily,
  upsertStatements,
} from "./upsert.js";

export type { ChangeEventDraft } from "./upsert.js";

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

/**
 * The columns of `shipment_boxes` a {@link ShipmentBoxRow} fills, in the upsert's order, with the
 * field feeding each and its encoding (see `encodeRow`): for writers that bypass the upsert, such
 * as the ingest benchmark's `COPY`.
 */
export const SHIPMENT_BOX_COLUMNS = columnList(BOX_SPECS);
/** The columns of `order_items` an {@link OrderItemRow} fills; see {@link SHIPMENT_BOX_COLUMNS}. */
export const ORDER_ITEM_COLUMNS = columnList(ITEM_SPECS);

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

const BOX_STATEMENTS = upsertStatements({
  table: "shipment_boxes",
  columns: SHIPMENT_BOX_COLUMNS,
  key: ["shipment_box_id"],
  statusColumn: "status",
  lock: { namespace: SHIPMENT_BOX_LOCK, key: `r."shipment_box_id"` },
  pii: SHIPMENT_BOX_PII,
  guard: (stored, incoming) =>
    [
      // Identical payload: nothing to do, and updated_at stays as it was.
      `${stored}."raw_hash" IS DISTINCT FROM ${incoming}."raw_hash"`,
      // A box belongs to the vendor that first listed it: another vendor's read of the same ID
      // (a misconfigured account, a stray payload) never takes it over.
      `${stored}."vendor_id" = ${incoming}."vendor_id"`,
      // A read carrying an older invoice upload than the stored one is stale, whatever its status.
      `NOT COALESCE(${latestInvoiceUploadSql(`${incoming}."raw"`)} < ${latestInvoiceUploadSql(`${stored}."raw"`)}, false)`,
      // A stale read (lower rank than stored) never moves the status backwards, except the
      // whitelisted move of an invoice update: back to DEPARTURE with a newer invoice upload.
      `(NOT COALESCE(${statusRankSql(SHIPMENT_BOX_STATUS_RANK, `${incoming}."status"`)} < ${statusRankSql(SHIPMENT_BOX_STATUS_RANK, `${stored}."status"`)}, false)
        OR (${incoming}."status" = 'DEPARTURE'
            AND ${latestInvoiceUploadSql(`${incoming}."raw"`)} > ${latestInvoiceUploadSql(`${stored}."raw"`)}))`,
    ].join(" AND "),
});

const ITEM_STATEMENTS = upsertStatements({
  table: "order_items",
  columns: ORDER_ITEM_COLUMNS,
  key: ["shipment_box_id", "vendor_item_id"],
  // Items are written only with the box version they came with (see UpsertSpec.parent).
  parent: { table: "shipment_boxes", key: "shipment_box_id" },
  statusColumn: null,
  // Items are written only with their box, whose lock this transaction already holds.
  lock: null,
  guard: rankGuard(null, {}),
});

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
 * - Items missing from a box's new version are deleted (a split shipment), with `removed` events.
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
  const { parents, children } = await upsertFamily(tx, {
    // One version per box, the highest status (see dedupeByRank).
    parents: dedupeByRank(
      boxes,
      (box) => box.shipmentBoxId,
      (box) => box.status,
      SHIPMENT_BOX_STATUS_RANK,
    ),
    label: "boxes",
    parentStatements: BOX_STATEMENTS,
    childStatements: ITEM_STATEMENTS,
    encodeParent: (box, where) => encodeRow(box, SHIPMENT_BOX_COLUMNS, where),
    childrenOf: (box) => box.items,
    link: {
      field: "shipmentBoxId",
      noun: "box",
      parentKey: (box) => box.shipmentBoxId,
      childParentKey: (item) => item.shipmentBoxId,
    },
    encodeChild: (item, where) => encodeRow(item, ORDER_ITEM_COLUMNS, where),
    childKey: (item) => `${item.shipmentBoxId}/${item.vendorItemId}`,
    entities: { parent: "shipment_box", child: "order_item" },
  });
  return {
    boxesInserted: parents.inserted,
    boxesUpdated: parents.updated,
    itemsInserted: children.inserted,
    itemsUpdated: children.updated,
    events: [...parents.events, ...children.events],
    staleReads: parents.staleReads.map((stale) => ({
      shipmentBoxId: stale.entityId,
      storedStatus: stale.storedStatus,
      readStatus: stale.readStatus,
    })),
  };
}

/**
 * A vendor's boxes per KST creation day (`yyyy-MM-dd`) and status, for boxes created at or after
 * `since`: what the planner reads to spend calls only where a box could still change.
 */
export function boxCountsByDay(
  db: SqlClient,
  vendorId: string,
  since: Date,
): Promise<Map<string, Map<string, number>>> {
  return countsByKstDay(
    db,
    { table: "shipment_boxes", dayColumn: "ordered_at", statusColumn: "status" },
    vendorId,
    since,
  );
}

import { EXCHANGE_REQUEST_PII } from "./pii.js";
import { type ColumnSpecs, type SqlClient, columnList, countsByKstDay, encodeRow } from "./sql.js";
import {
  type ChangeEventDraft,
  type StatusStaleRead,
  dedupeByRank,
  rankGuard,
  upsertFamily,
  upsertStatements,
} from "./upsert.js";

/**
 * One `exchangeItemDtoV1s[]` line of an exchange (coupang-api.md §8.1): every data column of
 * `exchange_items`. `orderItemId` is the vendorItemId ordered; `targetItemId` equals it (only the
 * same item can be exchanged). Package IDs may be `-1` as Coupang sends them. Unit prices are KRW;
 * `requestedAt`/`modifiedAt` are Coupang's `createdAt`/`modifiedAt` as instants.
 * `originalShipmentBoxId` is the box the item first shipped in. `raw`/`rawHash`: the item's
 * canonical JSON text and its sha256 hex.
 */
export interface ExchangeItemRow {
  exchangeItemId: bigint;
  exchangeId: bigint;
  vendorId: string;
  orderItemId: bigint | null;
  orderItemUnitPrice: bigint | null;
  orderItemName: string | null;
  orderPackageId: bigint | null;
  orderPackageName: string | null;
  targetItemId: bigint | null;
  targetItemUnitPrice: bigint | null;
  targetItemName: string | null;
  targetPackageId: bigint | null;
  targetPackageName: string | null;
  quantity: number | null;
  orderItemDeliveryComplete: boolean | null;
  orderItemReturnComplete: boolean | null;
  targetItemDeliveryComplete: boolean | null;
  requestedAt: Date | null;
  modifiedAt: Date | null;
  originalShipmentBoxId: bigint | null;
  raw: string;
  rawHash: string;
}

/**
 * One exchange request (coupang-api.md §8.1): every data column of `exchange_requests`, plus its
 * `items`. `requestedAt`/`modifiedAt` are Coupang's `createdAt`/`modifiedAt`,
 * `collectCompletedAt` its `collectCompleteDate` (instants); `exchangeAmount` is KRW;
 * `newShipmentBoxId` is the replacement shipment's box (from `deliveryInvoiceGroupDtos`, null
 * until Coupang creates it). `raw`/`rawHash`: the whole request's canonical JSON and its sha256.
 */
export interface ExchangeRequestRow {
  exchangeId: bigint;
  vendorId: string;
  orderId: bigint | null;
  exchangeStatus: string;
  orderDeliveryStatusCode: string | null;
  referType: string | null;
  faultType: string | null;
  exchangeAmount: bigint | null;
  reasonCode: string | null;
  reasonCodeText: string | null;
  reasonEtcDetail: string | null;
  cancelReason: string | null;
  createdByType: string | null;
  modifiedByType: string | null;
  requestedAt: Date | null;
  modifiedAt: Date | null;
  collectStatus: string | null;
  deliveryStatus: string | null;
  collectCompletedAt: Date | null;
  newShipmentBoxId: bigint | null;
  successable: boolean | null;
  rejectable: boolean | null;
  deliveryInvoiceModifiable: boolean | null;
  raw: string;
  rawHash: string;
  items: ExchangeItemRow[];
}

/**
 * What {@link upsertExchangeRequests} wrote: counts per table, the change events to append, and
 * the stale reads it ignored (`entityId` = the exchangeId). Unchanged rows count nowhere.
 */
export interface UpsertExchangeRequestsResult {
  requestsInserted: number;
  requestsUpdated: number;
  itemsInserted: number;
  itemsUpdated: number;
  events: ChangeEventDraft[];
  staleReads: StatusStaleRead[];
}

/**
 * Forward order of `exchangeStatus` (coupang-api.md §8.1): received → the seller has the returned
 * item → one of the three ends (done, refused by the seller, withdrawn by the buyer). The ends
 * rank equal, so a move between them is not refused: Coupang's own word decides. Unlisted
 * statuses are never blocked.
 */
export const EXCHANGE_STATUS_RANK: Readonly<Record<string, number>> = Object.freeze({
  RECEIPT: 1,
  PROGRESS: 2,
  SUCCESS: 3,
  REJECT: 3,
  CANCEL: 3,
});

/** The advisory-lock namespace of exchange writes, keyed by exchangeId. */
export const EXCHANGE_REQUEST_LOCK = 1668249970;

const REQUEST_SPECS: ColumnSpecs<Omit<ExchangeRequestRow, "items">> = {
  exchangeId: { column: "exchange_id", kind: "bigint" },
  vendorId: { column: "vendor_id", kind: "text" },
  orderId: { column: "order_id", kind: "bigint" },
  exchangeStatus: { column: "exchange_status", kind: "text" },
  orderDeliveryStatusCode: { column: "order_delivery_status_code", kind: "text" },
  referType: { column: "refer_type", kind: "text" },
  faultType: { column: "fault_type", kind: "text" },
  exchangeAmount: { column: "exchange_amount", kind: "bigint" },
  reasonCode: { column: "reason_code", kind: "text" },
  reasonCodeText: { column: "reason_code_text", kind: "text" },
  reasonEtcDetail: { column: "reason_etc_detail", kind: "text" },
  cancelReason: { column: "cancel_reason", kind: "text" },
  createdByType: { column: "created_by_type", kind: "text" },
  modifiedByType: { column: "modified_by_type", kind: "text" },
  requestedAt: { column: "requested_at", kind: "timestamptz" },
  modifiedAt: { column: "modified_at", kind: "timestamptz" },
  collectStatus: { column: "collect_status", kind: "text" },
  deliveryStatus: { column: "delivery_status", kind: "text" },
  collectCompletedAt: { column: "collect_completed_at", kind: "timestamptz" },
  newShipmentBoxId: { column: "new_shipment_box_id", kind: "bigint" },
  successable: { column: "successable", kind: "bool" },
  rejectable: { column: "rejectable", kind: "bool" },
  deliveryInvoiceModifiable: { column: "delivery_invoice_modifiable", kind: "bool" },
  raw: { column: "raw", kind: "jsonb" },
  rawHash: { column: "raw_hash", kind: "sha256" },
};

const ITEM_SPECS: ColumnSpecs<ExchangeItemRow> = {
  exchangeItemId: { column: "exchange_item_id", kind: "bigint" },
  exchangeId: { column: "exchange_id", kind: "bigint" },
  vendorId: { column: "vendor_id", kind: "text" },
  orderItemId: { column: "order_item_id", kind: "bigint" },
  orderItemUnitPrice: { column: "order_item_unit_price", kind: "bigint" },
  orderItemName: { column: "order_item_name", kind: "text" },
  orderPackageId: { column: "order_package_id", kind: "bigint" },
  orderPackageName: { column: "order_package_name", kind: "text" },
  targetItemId: { column: "target_item_id", kind: "bigint" },
  targetItemUnitPrice: { column: "target_item_unit_price", kind: "bigint" },
  targetItemName: { column: "target_item_name", kind: "text" },
  targetPackageId: { column: "target_package_id", kind: "bigint" },
  targetPackageName: { column: "target_package_name", kind: "text" },
  quantity: { column: "quantity", kind: "int" },
  orderItemDeliveryComplete: { column: "order_item_delivery_complete", kind: "bool" },
  orderItemReturnComplete: { column: "order_item_return_complete", kind: "bool" },
  targetItemDeliveryComplete: { column: "target_item_delivery_complete", kind: "bool" },
  requestedAt: { column: "requested_at", kind: "timestamptz" },
  modifiedAt: { column: "modified_at", kind: "timestamptz" },
  originalShipmentBoxId: { column: "original_shipment_box_id", kind: "bigint" },
  raw: { column: "raw", kind: "jsonb" },
  rawHash: { column: "raw_hash", kind: "sha256" },
};

const REQUEST_COLUMNS = columnList(REQUEST_SPECS);
const ITEM_COLUMNS = columnList(ITEM_SPECS);

const REQUEST_STATEMENTS = upsertStatements({
  table: "exchange_requests",
  columns: REQUEST_COLUMNS,
  key: ["exchange_id"],
  statusColumn: "exchange_status",
  lock: { namespace: EXCHANGE_REQUEST_LOCK, key: `r."exchange_id"` },
  guard: rankGuard("exchange_status", EXCHANGE_STATUS_RANK),
  pii: EXCHANGE_REQUEST_PII,
});

const ITEM_STATEMENTS = upsertStatements({
  table: "exchange_items",
  columns: ITEM_COLUMNS,
  key: ["exchange_item_id"],
  parent: { table: "exchange_requests", key: "exchange_id" },
  statusColumn: null,
  // Items are written only with their exchange, whose lock this transaction already holds.
  lock: null,
  guard: rankGuard(null, {}),
});

/**
 * Writes a batch of exchange requests and their items (coupang-api.md §8.1), with the same
 * contract as `upsertShipmentBoxes`: call it inside `withTransaction`, and pass the returned
 * `events` to `appendChangeEvents` last in that transaction. Three statements per batch.
 *
 * - Keyed on exchangeId (items on exchangeItemId) with `INSERT … ON CONFLICT`, under a
 *   per-exchange advisory lock ({@link EXCHANGE_REQUEST_LOCK}).
 * - Idempotent: a row whose `raw_hash` equals the stored one is not touched.
 * - Monotonic: an exchange whose incoming `exchangeStatus` ranks below the stored one
 *   ({@link EXCHANGE_STATUS_RANK}) is not updated, nor are its items; it is reported in
 *   `staleReads`.
 * - Items missing from an exchange's new version are deleted (`removed` events). The vendor must exist.
 *
 * @returns counts per table, the change events, the stale reads.
 * @throws RangeError for a value that cannot be stored as given, Error when an item's exchangeId
 *   differs from its exchange's, and Prisma's error for a database failure (then roll back).
 */
export async function upsertExchangeRequests(
  tx: SqlClient,
  requests: readonly ExchangeRequestRow[],
): Promise<UpsertExchangeRequestsResult> {
  const { parents, children } = await upsertFamily(tx, {
    parents: dedupeByRank(
      requests,
      (r) => r.exchangeId,
      (r) => r.exchangeStatus,
      EXCHANGE_STATUS_RANK,
    ),
    label: "exchanges",
    parentStatements: REQUEST_STATEMENTS,
    childStatements: ITEM_STATEMENTS,
    encodeParent: (request, where) => encodeRow(request, REQUEST_COLUMNS, where),
    childrenOf: (request) => request.items,
    link: {
      field: "exchangeId",
      noun: "exchange",
      parentKey: (request) => request.exchangeId,
      childParentKey: (item) => item.exchangeId,
    },
    encodeChild: (item, where) => encodeRow(item, ITEM_COLUMNS, where),
    childKey: (item) => item.exchangeItemId.toString(),
    entities: { parent: "exchange_request", child: "exchange_item" },
  });
  return {
    requestsInserted: parents.inserted,
    requestsUpdated: parents.updated,
    itemsInserted: children.inserted,
    itemsUpdated: children.updated,
    events: [...parents.events, ...children.events],
    staleReads: parents.staleReads,
  };
}

/**
 * A vendor's exchange requests per KST day of `requested_at` (Coupang's `createdAt`, what the list
 * filters by) and `exchange_status`, for exchanges requested at or after `since`: day → status →
 * exchanges. What the planner reads to spend calls only where an exchange could still change.
 */
export function exchangeRequestCountsByDay(
  db: SqlClient,
  vendorId: string,
  since: Date,
): Promise<Map<string, Map<string, number>>> {
  return countsByKstDay(
    db,
    { table: "exchange_requests", dayColumn: "requested_at", statusColumn: "exchange_status" },
    vendorId,
    since,
  );
}

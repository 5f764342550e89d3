import { RETURN_REQUEST_PII } from "./pii.js";
import { type ColumnSpecs, type SqlClient, columnList, encodeRow } from "./sql.js";
import {
  type ChangeEventDraft,
  type StatusStaleRead,
  dedupeByRank,
  rankGuard,
  runUpsert,
  tallyRows,
  upsertFamily,
  upsertStatements,
} from "./upsert.js";

/**
 * One `returnItems[]` line of a return/cancel receipt (coupang-api.md §6.1): every data column of
 * `return_items`. IDs are `bigint`; `shipmentBoxId` is the original box; counts are quantities.
 * `raw` is the item's canonical JSON text and `rawHash` the sha256 hex of it.
 */
export interface ReturnItemRow {
  receiptId: bigint;
  vendorItemId: bigint;
  vendorId: string;
  shipmentBoxId: bigint | null;
  vendorItemName: string | null;
  vendorItemPackageId: bigint | null;
  vendorItemPackageName: string | null;
  sellerProductId: bigint | null;
  sellerProductName: string | null;
  purchaseCount: number | null;
  cancelCount: number | null;
  releaseStatus: string | null;
  cancelCompleteUser: string | null;
  raw: string;
  rawHash: string;
}

/**
 * One return or cancel receipt (coupang-api.md §6.1): every data column of `return_requests`
 * except `withdrawn_at`, which only a withdrawal sets ({@link upsertReturnWithdrawals}). Coupang's
 * `createdAt`/`modifiedAt` are `requestedAt`/`modifiedAt`, instants (KST already converted);
 * `returnShippingCharge` is KRW (positive = the seller pays, [L]). `raw` is the whole receipt's
 * canonical JSON text and `rawHash` its sha256 hex.
 */
export interface ReturnRequestRow {
  receiptId: bigint;
  vendorId: string;
  orderId: bigint | null;
  paymentId: bigint | null;
  receiptType: string | null;
  receiptStatus: string;
  requestedAt: Date | null;
  modifiedAt: Date | null;
  requesterName: string | null;
  requesterPhoneNumber: string | null;
  requesterAddress: string | null;
  requesterAddressDetail: string | null;
  requesterZipCode: string | null;
  cancelReasonCategory1: string | null;
  cancelReasonCategory2: string | null;
  cancelReason: string | null;
  cancelCountSum: number | null;
  returnDeliveryId: bigint | null;
  returnDeliveryType: string | null;
  releaseStopStatus: string | null;
  faultByType: string | null;
  preRefund: boolean | null;
  completeConfirmType: string | null;
  completeConfirmedAt: Date | null;
  reasonCode: string | null;
  reasonCodeText: string | null;
  returnShippingCharge: bigint | null;
  raw: string;
  rawHash: string;
  items: ReturnItemRow[];
}

/**
 * One withdrawn return (coupang-api.md §7): every data column of `return_withdrawals`.
 * `cancelId` is the withdrawn return's receiptId; `withdrawnAt` is Coupang's `createdAt`, the
 * time of withdrawal. `raw`/`rawHash` as for the other rows.
 */
export interface ReturnWithdrawalRow {
  cancelId: bigint;
  vendorId: string;
  orderId: bigint | null;
  refundDeliveryDuty: string | null;
  withdrawnAt: Date | null;
  vendorItemIds: bigint[];
  raw: string;
  rawHash: string;
}

/**
 * What {@link upsertReturnRequests} wrote: counts per table, the change events to append, and the
 * stale reads it ignored (`entityId` = the receiptId). Unchanged rows count nowhere.
 */
export interface UpsertReturnRequestsResult {
  requestsInserted: number;
  requestsUpdated: number;
  itemsInserted: number;
  itemsUpdated: number;
  events: ChangeEventDraft[];
  staleReads: StatusStaleRead[];
}

/**
 * What {@link upsertReturnWithdrawals} wrote: withdrawal rows inserted and updated, how many
 * stored return requests it newly marked withdrawn, and the change events. A withdrawal has no
 * status, so nothing is ever stale (`staleReads` is always empty, kept for the common shape).
 */
export interface UpsertReturnWithdrawalsResult {
  withdrawalsInserted: number;
  withdrawalsUpdated: number;
  requestsMarkedWithdrawn: number;
  events: ChangeEventDraft[];
  staleReads: StatusStaleRead[];
}

/**
 * Forward order of a return receipt's `receiptStatus` (coupang-api.md §6.1): stop-shipment
 * requested → return received → at the seller's warehouse → Coupang check requested → completed.
 * Statuses not listed are unordered and never blocked (see `statusRankSql`).
 */
export const RECEIPT_STATUS_RANK: Readonly<Record<string, number>> = Object.freeze({
  RELEASE_STOP_UNCHECKED: 1,
  RETURNS_UNCHECKED: 2,
  VENDOR_WAREHOUSE_CONFIRM: 3,
  REQUEST_COUPANG_CHECK: 4,
  RETURNS_COMPLETED: 5,
});

/**
 * The advisory-lock namespace of return receipts, keyed by receiptId. Withdrawals take it too,
 * with their cancelId (= the receiptId), because a withdrawal writes that receipt's
 * `withdrawn_at`: a receipt and its withdrawal are then never written by two transactions at once.
 */
export const RETURN_REQUEST_LOCK = 1668249969;

const REQUEST_SPECS: ColumnSpecs<Omit<ReturnRequestRow, "items">> = {
  receiptId: { column: "receipt_id", kind: "bigint" },
  vendorId: { column: "vendor_id", kind: "text" },
  orderId: { column: "order_id", kind: "bigint" },
  paymentId: { column: "payment_id", kind: "bigint" },
  receiptType: { column: "receipt_type", kind: "text" },
  receiptStatus: { column: "receipt_status", kind: "text" },
  requestedAt: { column: "requested_at", kind: "timestamptz" },
  modifiedAt: { column: "modified_at", kind: "timestamptz" },
  requesterName: { column: "requester_name", kind: "text" },
  requesterPhoneNumber: { column: "requester_phone_number", kind: "text" },
  requesterAddress: { column: "requester_address", kind: "text" },
  requesterAddressDetail: { column: "requester_address_detail", kind: "text" },
  requesterZipCode: { column: "requester_zip_code", kind: "text" },
  cancelReasonCategory1: { column: "cancel_reason_category1", kind: "text" },
  cancelReasonCategory2: { column: "cancel_reason_category2", kind: "text" },
  cancelReason: { column: "cancel_reason", kind: "text" },
  cancelCountSum: { column: "cancel_count_sum", kind: "int" },
  returnDeliveryId: { column: "return_delivery_id", kind: "bigint" },
  returnDeliveryType: { column: "return_delivery_type", kind: "text" },
  releaseStopStatus: { column: "release_stop_status", kind: "text" },
  faultByType: { column: "fault_by_type", kind: "text" },
  preRefund: { column: "pre_refund", kind: "bool" },
  completeConfirmType: { column: "complete_confirm_type", kind: "text" },
  completeConfirmedAt: { column: "complete_confirmed_at", kind: "timestamptz" },
  reasonCode: { column: "reason_code", kind: "text" },
  reasonCodeText: { column: "reason_code_text", kind: "text" },
  returnShippingCharge: { column: "return_shipping_charge", kind: "bigint" },
  raw: { column: "raw", kind: "jsonb" },
  rawHash: { column: "raw_hash", kind: "sha256" },
};

const ITEM_SPECS: ColumnSpecs<ReturnItemRow> = {
  receiptId: { column: "receipt_id", kind: "bigint" },
  vendorItemId: { column: "vendor_item_id", kind: "bigint" },
  vendorId: { column: "vendor_id", kind: "text" },
  shipmentBoxId: { column: "shipment_box_id", kind: "bigint" },
  vendorItemName: { column: "vendor_item_name", kind: "text" },
  vendorItemPackageId: { column: "vendor_item_package_id", kind: "bigint" },
  vendorItemPackageName: { column: "vendor_item_package_name", kind: "text" },
  sellerProductId: { column: "seller_product_id", kind: "bigint" },
  sellerProductName: { column: "seller_product_name", kind: "text" },
  purchaseCount: { column: "purchase_count", kind: "int" },
  cancelCount: { column: "cancel_count", kind: "int" },
  releaseStatus: { column: "release_status", kind: "text" },
  cancelCompleteUser: { column: "cancel_complete_user", kind: "text" },
  raw: { column: "raw", kind: "jsonb" },
  rawHash: { column: "raw_hash", kind: "sha256" },
};

const WITHDRAWAL_SPECS: ColumnSpecs<ReturnWithdrawalRow> = {
  cancelId: { column: "cancel_id", kind: "bigint" },
  vendorId: { column: "vendor_id", kind: "text" },
  orderId: { column: "order_id", kind: "bigint" },
  refundDeliveryDuty: { column: "refund_delivery_duty", kind: "text" },
  withdrawnAt: { column: "withdrawn_at", kind: "timestamptz" },
  vendorItemIds: { column: "vendor_item_ids", kind: "bigint_array" },
  raw: { column: "raw", kind: "jsonb" },
  rawHash: { column: "raw_hash", kind: "sha256" },
};

const REQUEST_COLUMNS = columnList(REQUEST_SPECS);
const ITEM_COLUMNS = columnList(ITEM_SPECS);
const WITHDRAWAL_COLUMNS = columnList(WITHDRAWAL_SPECS);

const REQUEST_STATEMENTS = upsertStatements({
  table: "return_requests",
  columns: REQUEST_COLUMNS,
  key: ["receipt_id"],
  statusColumn: "receipt_status",
  lock: { namespace: RETURN_REQUEST_LOCK, key: `r."receipt_id"` },
  guard: rankGuard("receipt_status", RECEIPT_STATUS_RANK),
  pii: RETURN_REQUEST_PII,
});

const ITEM_STATEMENTS = upsertStatements({
  table: "return_items",
  columns: ITEM_COLUMNS,
  key: ["receipt_id", "vendor_item_id"],
  parent: { table: "return_requests", key: "receipt_id" },
  statusColumn: null,
  // Items are written only with their receipt, whose lock this transaction already holds.
  lock: null,
  guard: rankGuard(null, {}),
});

const WITHDRAWAL_STATEMENTS = upsertStatements({
  table: "return_withdrawals",
  columns: WITHDRAWAL_COLUMNS,
  key: ["cancel_id"],
  statusColumn: null,
  lock: { namespace: RETURN_REQUEST_LOCK, key: `r."cancel_id"` },
  guard: rankGuard(null, {}),
});

/**
 * Copies `withdrawn_at` from `return_withdrawals` onto the stored receipts among `$1` (a jsonb
 * array of decimal receiptIds), where it differs. Run after either side is written, so the mark
 * lands whichever of a receipt and its withdrawal is read first. A withdrawal without a time
 * (`createdAt` absent) still marks the receipt, with the time it was first seen here.
 */
const MARK_WITHDRAWN = `UPDATE "return_requests" t
     SET "withdrawn_at" = COALESCE(w."withdrawn_at", t."withdrawn_at", w."first_seen_at"), "updated_at" = now()
    FROM "return_withdrawals" w
   WHERE w."cancel_id" = t."receipt_id"
     AND w."vendor_id" = t."vendor_id"
     AND t."receipt_id" IN (SELECT jsonb_array_elements_text($1::jsonb)::bigint)
     AND t."withdrawn_at" IS DISTINCT FROM COALESCE(w."withdrawn_at", t."withdrawn_at", w."first_seen_at")
  RETURNING t."receipt_id"::text AS receipt_id, t."vendor_id" AS vendor_id, t."receipt_status" AS status`;

async function markWithdrawn(tx: SqlClient, receiptIds: readonly bigint[]): Promise<ChangeEventDraft[]> {
  if (receiptIds.length === 0) return [];
  const rows = await tx.$queryRawUnsafe<Array<{ receipt_id: string; vendor_id: string; status: string }>>(
    MARK_WITHDRAWN,
    JSON.stringify(receiptIds.map(String)),
  );
  return rows
    .sort((a, b) => (BigInt(a.receipt_id) < BigInt(b.receipt_id) ? -1 : 1))
    .map((row) => ({
      vendorId: row.vendor_id,
      entity: "return_request",
      entityId: row.receipt_id,
      kind: "withdrawn",
      oldStatus: row.status,
      newStatus: row.status,
      changedFields: ["withdrawn_at"],
    }));
}

/**
 * Writes a batch of return/cancel receipts and their items (coupang-api.md §6.1), with the same
 * contract as `upsertShipmentBoxes`: call it inside `withTransaction`, and pass the returned
 * `events` to `appendChangeEvents` last in that transaction.
 *
 * - Keyed on receiptId (items on receiptId + vendorItemId) with `INSERT … ON CONFLICT`, under a
 *   per-receipt advisory lock ({@link RETURN_REQUEST_LOCK}).
 * - Idempotent: a row whose `raw_hash` equals the stored one is not touched.
 * - Monotonic: a receipt whose incoming `receiptStatus` ranks below the stored one
 *   ({@link RECEIPT_STATUS_RANK}) is not updated, nor are its items; it is reported in
 *   `staleReads`.
 * - A receipt already withdrawn (its withdrawal stored first) is marked `withdrawn_at` on insert,
 *   with a `withdrawn` event; a later read never clears the mark.
 * - Items missing from a receipt's new version are deleted (`removed` events). The vendor must exist.
 *
 * @returns counts per table, the change events, the stale reads.
 * @throws RangeError for a value that cannot be stored as given, Error when an item's receiptId
 *   differs from its receipt's, and Prisma's error for a database failure (then roll back).
 */
export async function upsertReturnRequests(
  tx: SqlClient,
  requests: readonly ReturnRequestRow[],
): Promise<UpsertReturnRequestsResult> {
  const { parents, children } = await upsertFamily(tx, {
    parents: dedupeByRank(
      requests,
      (r) => r.receiptId,
      (r) => r.receiptStatus,
      RECEIPT_STATUS_RANK,
    ),
    label: "requests",
    parentStatements: REQUEST_STATEMENTS,
    childStatements: ITEM_STATEMENTS,
    encodeParent: (request, where) => encodeRow(request, REQUEST_COLUMNS, where),
    childrenOf: (request) => request.items,
    link: {
      field: "receiptId",
      noun: "receipt",
      parentKey: (request) => request.receiptId,
      childParentKey: (item) => item.receiptId,
    },
    encodeChild: (item, where) => encodeRow(item, ITEM_COLUMNS, where),
    childKey: (item) => `${item.receiptId}/${item.vendorItemId}`,
    entities: { parent: "return_request", child: "return_item" },
  });
  const created = parents.events.filter((e) => e.kind === "created").map((e) => BigInt(e.entityId));
  const withdrawn = await markWithdrawn(tx, created);
  return {
    requestsInserted: parents.inserted,
    requestsUpdated: parents.updated,
    itemsInserted: children.inserted,
    itemsUpdated: children.updated,
    events: [...parents.events, ...children.events, ...withdrawn],
    staleReads: parents.staleReads,
  };
}

/**
 * Writes a batch of withdrawn returns (coupang-api.md §7) and marks each stored return request
 * with that receiptId: `withdrawn_at` is set, and a `withdrawn` event for the `return_request` is
 * recorded beside the withdrawal's own `created`/`updated` event. Same transaction contract as
 * {@link upsertReturnRequests}; idempotent by `raw_hash` (a repeated read writes and reports
 * nothing). Two statements per batch plus the mark.
 *
 * @returns counts, the change events, and an always-empty `staleReads`.
 * @throws RangeError for a value that cannot be stored as given, Prisma's error for a database
 *   failure (e.g. unknown vendor).
 */
export async function upsertReturnWithdrawals(
  tx: SqlClient,
  withdrawals: readonly ReturnWithdrawalRow[],
): Promise<UpsertReturnWithdrawalsResult> {
  // One version per cancelId: the later entry wins (a withdrawal has no status to rank).
  const chosen = dedupeByRank(
    withdrawals,
    (w) => w.cancelId,
    () => null,
    {},
  );
  const records = chosen.map((w, i) => encodeRow(w, WITHDRAWAL_COLUMNS, `withdrawals[${i}]`));
  const tally = tallyRows("return_withdrawal", await runUpsert(tx, WITHDRAWAL_STATEMENTS, records));
  const withdrawn = await markWithdrawn(
    tx,
    tally.events.map((e) => BigInt(e.entityId)),
  );
  return {
    withdrawalsInserted: tally.inserted,
    withdrawalsUpdated: tally.updated,
    requestsMarkedWithdrawn: withdrawn.length,
    events: [...tally.events, ...withdrawn],
    staleReads: tally.staleReads,
  };
}

/**
 * A vendor's return receipts per KST day of `requested_at` (Coupang's `createdAt`, what the list
 * filters by), receipt type and status, for receipts requested at or after `since`: what the
 * planner reads to spend calls only where a receipt could still change.
 */
export async function returnRequestCountsByDay(
  db: SqlClient,
  vendorId: string,
  since: Date,
): Promise<Array<{ day: string; receiptType: string | null; receiptStatus: string; receipts: number }>> {
  const rows = await db.$queryRawUnsafe<
    Array<{ day: string; type: string | null; status: string; n: number }>
  >(
    `SELECT to_char(requested_at AT TIME ZONE 'Asia/Seoul', 'YYYY-MM-DD') AS day, receipt_type AS type,
            receipt_status AS status, count(*)::int AS n
       FROM return_requests WHERE vendor_id = $1 AND requested_at >= $2::timestamptz
      GROUP BY 1, 2, 3`,
    vendorId,
    since.toISOString(),
  );
  return rows.map((r) => ({ day: r.day, receiptType: r.type, receiptStatus: r.status, receipts: r.n }));
}

/**
 * The stored receipts a withdrawal could still be missing for (coupang-api.md §7): not withdrawn,
 * not completed, not an instant cancel (a `cancelType=CANCEL` receipt is never a return to
 * withdraw). A buyer can only withdraw before pickup, but the call centre can override that, so
 * every status short of RETURNS_COMPLETED counts.
 */
const OPEN_RECEIPT = `withdrawn_at IS NULL AND receipt_status <> 'RETURNS_COMPLETED'
       AND receipt_type IS DISTINCT FROM 'CANCEL'`;

/**
 * What the returnWithdrawRequests stream plans from, per KST day (`yyyy-MM-dd`): `withdrawals`,
 * the vendor's stored withdrawals by day of `withdrawn_at` (the day the period list files them
 * under), and `openReceipts`, its open receipts (see {@link openReturnReceiptIds}) by day of
 * `requested_at`. Only rows whose day column is at or after `since`; a day with neither is absent.
 */
export async function returnWithdrawalCountsByDay(
  db: SqlClient,
  vendorId: string,
  since: Date,
): Promise<Array<{ day: string; withdrawals: number; openReceipts: number }>> {
  const rows = await db.$queryRawUnsafe<Array<{ day: string; withdrawals: number; open: number }>>(
    `WITH w AS (
       SELECT to_char(withdrawn_at AT TIME ZONE 'Asia/Seoul', 'YYYY-MM-DD') AS day, count(*)::int AS n
         FROM return_withdrawals WHERE vendor_id = $1 AND withdrawn_at >= $2::timestamptz GROUP BY 1
     ), o AS (
       SELECT to_char(requested_at AT TIME ZONE 'Asia/Seoul', 'YYYY-MM-DD') AS day, count(*)::int AS n
         FROM return_requests WHERE vendor_id = $1 AND requested_at >= $2::timestamptz AND ${OPEN_RECEIPT}
        GROUP BY 1
     )
     SELECT day, COALESCE(w.n, 0) AS withdrawals, COALESCE(o.n, 0) AS open
       FROM w FULL JOIN o USING (day) ORDER BY day`,
    vendorId,
    since.toISOString(),
  );
  return rows.map((r) => ({ day: r.day, withdrawals: r.withdrawals, openReceipts: r.open }));
}

/**
 * A vendor's open receipts (not withdrawn, not RETURNS_COMPLETED, not receiptType CANCEL) whose
 * `requested_at` falls on the KST days `fromDay`…`toDay` (`yyyy-MM-dd`, both included), with a
 * receiptId above `after` (null = from the first), ascending, at most `limit`: the receiptIds
 * to look up in returnWithdrawList (coupang-api.md §7), one chunk at a time. A receipt without
 * `requested_at` is on no day and never listed.
 * @throws Prisma's error for a day that is not a date.
 */
export async function openReturnReceiptIds(
  db: SqlClient,
  vendorId: string,
  query: { fromDay: string; toDay: string; after: bigint | null; limit: number },
): Promise<bigint[]> {
  const rows = await db.$queryRawUnsafe<Array<{ id: string }>>(
    `SELECT receipt_id::text AS id FROM return_requests
      WHERE vendor_id = $1 AND ${OPEN_RECEIPT}
        AND requested_at >= ($2::date::timestamp AT TIME ZONE 'Asia/Seoul')
        AND requested_at < (($3::date + 1)::timestamp AT TIME ZONE 'Asia/Seoul')
        AND receipt_id > $4::bigint
      ORDER BY receipt_id LIMIT $5::int`,
    vendorId,
    query.fromDay,
    query.toDay,
    (query.after ?? 0n).toString(),
    query.limit,
  );
  return rows.map((r) => BigInt(r.id));
}

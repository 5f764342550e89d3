// The local side of the daily count reconciliation (pitfalls M-9): per stream, the stored
// entities Coupang's list should still show, with the KST day its list filters by and the stored
// status, so a reconciliation can count them per (day, status) and name the ones that disagree.
import type { SqlClient } from "./sql.js";

/** One stored entity as a census sees it: its key in decimal, KST `yyyy-MM-dd` day, and status. */
export interface LocalCensusRow {
  key: string;
  day: string;
  status: string;
}

/** A stored return receipt as a census sees it; `receiptType` decides its query status. */
export interface ReturnCensusRow extends LocalCensusRow {
  receiptType: string | null;
}

const KST_DAY = (column: string) => `to_char(${column} AT TIME ZONE 'Asia/Seoul', 'YYYY-MM-DD')`;

/**
 * The vendor's shipment boxes ordered in [from, to) (UTC instants; `ordered_at` is what the
 * ordersheets list filters by, coupang-api.md §2.1), with their status. A box whose every item is
 * cancelled is left out: Coupang drops it from the list (§10 known quirks), so it is no longer
 * one of the list's counts; a box read without items counts.
 */
export function shipmentBoxCensus(
  db: SqlClient,
  vendorId: string,
  from: Date,
  to: Date,
): Promise<LocalCensusRow[]> {
  return db.$queryRawUnsafe<LocalCensusRow[]>(
    `SELECT b.shipment_box_id::text AS key, ${KST_DAY("b.ordered_at")} AS day, b.status
       FROM shipment_boxes b
      WHERE b.vendor_id = $1 AND b.ordered_at >= $2::timestamptz AND b.ordered_at < $3::timestamptz
        AND (EXISTS (SELECT 1 FROM order_items i
                      WHERE i.shipment_box_id = b.shipment_box_id AND i.canceled IS NOT TRUE)
             OR NOT EXISTS (SELECT 1 FROM order_items i WHERE i.shipment_box_id = b.shipment_box_id))
      ORDER BY b.shipment_box_id`,
    vendorId,
    from.toISOString(),
    to.toISOString(),
  );
}

/**
 * The vendor's return and cancel receipts requested in [from, to) (UTC instants; `requested_at` is
 * Coupang's `createdAt`, what returnRequests filters by, §6.1), with type and status. A receipt
 * the buyer withdrew is left out: Coupang drops it from returnRequests (§7).
 */
export function returnRequestCensus(
  db: SqlClient,
  vendorId: string,
  from: Date,
  to: Date,
): Promise<ReturnCensusRow[]> {
  return db.$queryRawUnsafe<ReturnCensusRow[]>(
    `SELECT receipt_id::text AS key, ${KST_DAY("requested_at")} AS day, receipt_status AS status,
            receipt_type AS "receiptType"
       FROM return_requests
      WHERE vendor_id = $1 AND requested_at >= $2::timestamptz AND requested_at < $3::timestamptz
        AND withdrawn_at IS NULL
      ORDER BY receipt_id`,
    vendorId,
    from.toISOString(),
    to.toISOString(),
  );
}

/**
 * The vendor's exchanges requested in [from, to) (UTC instants; `requested_at` is Coupang's
 * `createdAt`, what exchangeRequests filters by, §8.1), with their `exchangeStatus`.
 */
export function exchangeRequestCensus(
  db: SqlClient,
  vendorId: string,
  from: Date,
  to: Date,
): Promise<LocalCensusRow[]> {
  return db.$queryRawUnsafe<LocalCensusRow[]>(
    `SELECT exchange_id::text AS key, ${KST_DAY("requested_at")} AS day, exchange_status AS status
       FROM exchange_requests
      WHERE vendor_id = $1 AND requested_at >= $2::timestamptz AND requested_at < $3::timestamptz
      ORDER BY exchange_id`,
    vendorId,
    from.toISOString(),
    to.toISOString(),
  );
}

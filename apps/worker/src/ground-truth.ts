import { serializeCoupangJson, type GroundTruth } from "@cos/coupang-sim";
import type { PrismaClient } from "@cos/db";

/**
 * The database beside the simulator's ground truth, entity kind by entity kind: the demo's check
 * and the acceptance tests' (test/support/ground-truth.ts). Every stored row is compared with the
 * record the simulator serves now: its raw payload as jsonb (every field, every digit of every
 * ID) and its key normalized columns, recomputed in SQL from that payload (KST wall-clock times
 * as instants, `""` as absent), so a column the normalizer got wrong shows even when the raw
 * payload is right.
 */

/** The tables compared, by the change feed's entity name. */
export type EntityKind =
  | "shipment_box"
  | "order_item"
  | "return_request"
  | "return_item"
  | "return_withdrawal"
  | "exchange_request"
  | "exchange_item";

/** One entity kind of the database beside the ground truth. Keys are decimal IDs joined by `:`. */
export interface KindComparison {
  kind: EntityKind;
  truthRows: number;
  dbRows: number;
  /** In the ground truth, not in the database. */
  missing: string[];
  /** In the database, unknown to the ground truth. */
  extra: string[];
  /**
   * In the database, no longer served, for a reason the ground truth gives: boxes Coupang dropped
   * from the list (fully cancelled or returned, `delisted`) and their items; withdrawn receipts
   * and their items (§7). Their rows keep the last version served, so they are not compared.
   */
  gone: string[];
  /** Rows whose raw payload differs from what the simulator serves. */
  rawMismatches: string[];
  /** `key column` of every normalized column that differs from its payload field. */
  columnMismatches: string[];
  equal: boolean;
}

/**
 * One comparable record of the ground truth: its key, the payload as the API serializes it, and
 * the key of its parent when the payload does not hold it (an exchange item's exchangeId).
 */
interface TruthRow {
  key: string;
  raw: unknown;
  parent?: string;
}

/**
 * How to compare one kind: its table, its key as SQL text over the row `d`, its ground-truth rows,
 * the keys the truth says are gone, and per normalized column a SQL condition, over `d` and the
 * served payload `t.raw`, that is true when they differ.
 */
interface KindSpec {
  kind: EntityKind;
  table: string;
  key: string;
  truth(gt: GroundTruth): TruthRow[];
  gone(gt: GroundTruth): Set<string>;
  columns: Record<string, string>;
}

/** SQL text of a payload field (`a.b` paths), `""` and absent as NULL. */
const field = (path: string) => `nullif(t.raw #>> '{${path.split(".").join(",")}}', '')`;
/** The column differs from a text field. */
const text = (column: string, path: string) => `d.${column} IS DISTINCT FROM ${field(path)}`;
/** The column differs from a numeric field (IDs, counts). */
const num = (column: string, path: string) => `d.${column} IS DISTINCT FROM ${field(path)}::numeric`;
/** The column (timestamptz) differs from a KST wall-clock field (`T` or space separated, coupang-api.md §11). */
const kst = (column: string, path: string) =>
  `d.${column} IS DISTINCT FROM ${field(path)}::timestamp AT TIME ZONE 'Asia/Seoul'`;

const none = () => new Set<string>();
const key2 = (a: unknown, b: unknown) => `${String(a)}:${String(b)}`;
type Json = Record<string, unknown>;

/** Receipts withdrawn (§7): gone from returnRequests, listed by returnWithdrawRequests. */
const withdrawnReceipts = (gt: GroundTruth) => new Set(gt.returnWithdrawals.map((w) => String(w.cancelId)));

const SPECS: readonly KindSpec[] = [
  {
    kind: "shipment_box",
    table: "shipment_boxes",
    key: "d.shipment_box_id::text",
    truth: (gt) => gt.orders.map((o) => ({ key: String(o.shipmentBoxId), raw: o })),
    gone: (gt) => new Set(gt.delisted.map((o) => String(o.shipmentBoxId))),
    columns: {
      order_id: num("order_id", "orderId"),
      status: text("status", "status"),
      ordered_at: kst("ordered_at", "orderedAt"),
      paid_at: kst("paid_at", "paidAt"),
      receiver_addr1: text("receiver_addr1", "receiver.addr1"),
      receiver_post_code: text("receiver_post_code", "receiver.postCode"),
      shipping_price: num("shipping_price", "shippingPrice"),
      delivery_company_name: text("delivery_company_name", "deliveryCompanyName"),
      invoice_number: text("invoice_number", "invoiceNumber"),
      in_transit_at: kst("in_transit_at", "inTrasitDateTime"),
      delivered_at: kst("delivered_at", "deliveredDate"),
    },
  },
  {
    kind: "order_item",
    table: "order_items",
    key: "d.shipment_box_id::text || ':' || d.vendor_item_id::text",
    truth: (gt) =>
      gt.orders.flatMap((o) =>
        (o.orderItems as unknown as Json[]).map((i) => ({
          key: key2(o.shipmentBoxId, i.vendorItemId),
          raw: i,
        })),
      ),
    gone: (gt) =>
      new Set(
        gt.delisted.flatMap((o) =>
          (o.orderItems as unknown as Json[]).map((i) => key2(o.shipmentBoxId, i.vendorItemId)),
        ),
      ),
    columns: {
      shipping_count: num("shipping_count", "shippingCount"),
      cancel_count: num("cancel_count", "cancelCount"),
      hold_count_for_cancel: num("hold_count_for_cancel", "holdCountForCancel"),
      sales_price: num("sales_price", "salesPrice"),
      invoice_number_upload_at: kst("invoice_number_upload_at", "invoiceNumberUploadDate"),
      confirmed_at: kst("confirmed_at", "confirmDate"),
    },
  },
  {
    kind: "return_request",
    table: "return_requests",
    key: "d.receipt_id::text",
    truth: (gt) => gt.returnRequests.map((r) => ({ key: String(r.receiptId), raw: r })),
    gone: withdrawnReceipts,
    columns: {
      order_id: num("order_id", "orderId"),
      receipt_type: text("receipt_type", "receiptType"),
      receipt_status: text("receipt_status", "receiptStatus"),
      requested_at: kst("requested_at", "createdAt"),
      modified_at: kst("modified_at", "modifiedAt"),
      cancel_count_sum: num("cancel_count_sum", "cancelCountSum"),
      release_stop_status: text("release_stop_status", "releaseStopStatus"),
      complete_confirmed_at: kst("complete_confirmed_at", "completeConfirmDate"),
      // A served receipt is never withdrawn: the list drops withdrawn ones (§7).
      withdrawn_at: "d.withdrawn_at IS NOT NULL",
    },
  },
  {
    kind: "return_item",
    table: "return_items",
    key: "d.receipt_id::text || ':' || d.vendor_item_id::text",
    truth: (gt) =>
      gt.returnRequests.flatMap((r) =>
        (r.returnItems as unknown as Json[]).map((i) => ({ key: key2(r.receiptId, i.vendorItemId), raw: i })),
      ),
    gone: (gt) => {
      const withdrawn = withdrawnReceipts(gt);
      // The items of a withdrawn receipt: the withdrawal names its vendorItemIds.
      return new Set(
        gt.returnWithdrawals.flatMap((w) =>
          withdrawn.has(String(w.cancelId))
            ? (w.vendorItemIds as unknown as unknown[]).map((v) => key2(w.cancelId, v))
            : [],
        ),
      );
    },
    columns: {
      shipment_box_id: num("shipment_box_id", "shipmentBoxId"),
      purchase_count: num("purchase_count", "purchaseCount"),
      cancel_count: num("cancel_count", "cancelCount"),
      release_status: text("release_status", "releaseStatus"),
    },
  },
  {
    kind: "return_withdrawal",
    table: "return_withdrawals",
    key: "d.cancel_id::text",
    truth: (gt) => gt.returnWithdrawals.map((w) => ({ key: String(w.cancelId), raw: w })),
    gone: none,
    columns: {
      order_id: num("order_id", "orderId"),
      refund_delivery_duty: text("refund_delivery_duty", "refundDeliveryDuty"),
      withdrawn_at: kst("withdrawn_at", "createdAt"),
      vendor_item_ids:
        "d.vendor_item_ids IS DISTINCT FROM ARRAY(SELECT jsonb_array_elements_text(t.raw->'vendorItemIds')::bigint)",
    },
  },
  {
    kind: "exchange_request",
    table: "exchange_requests",
    key: "d.exchange_id::text",
    truth: (gt) => gt.exchanges.map((x) => ({ key: String(x.exchangeId), raw: x })),
    gone: none,
    columns: {
      order_id: num("order_id", "orderId"),
      exchange_status: text("exchange_status", "exchangeStatus"),
      requested_at: kst("requested_at", "createdAt"),
      modified_at: kst("modified_at", "modifiedAt"),
      collect_status: text("collect_status", "collectStatus"),
      delivery_status: text("delivery_status", "deliveryStatus"),
      collect_completed_at: kst("collect_completed_at", "collectCompleteDate"),
      new_shipment_box_id: num("new_shipment_box_id", "deliveryInvoiceGroupDtos.0.shipmentBoxId"),
    },
  },
  {
    kind: "exchange_item",
    table: "exchange_items",
    key: "d.exchange_item_id::text",
    truth: (gt) =>
      gt.exchanges.flatMap((x) =>
        (x.exchangeItemDtoV1s as unknown as Json[]).map((i) => ({
          key: String(i.exchangeItemId),
          raw: i,
          parent: String(x.exchangeId),
        })),
      ),
    gone: none,
    columns: {
      exchange_id: "d.exchange_id IS DISTINCT FROM t.parent::numeric",
      order_item_id: num("order_item_id", "orderItemId"),
      quantity: num("quantity", "quantity"),
      original_shipment_box_id: num("original_shipment_box_id", "originalShipmentBoxId"),
    },
  },
];

/** Truth rows per query: one JSON text of a large world would pass the string length limit. */
const CHUNK = 2_000;

/**
 * Compares one vendor's rows of the given kinds (default: all) with the simulator's ground truth
 * `gt` (take it at the instant to compare at: `sim.groundTruth(vendorId)`), as
 * {@link KindComparison}s in the order asked. Read-only; a few queries per kind and 2,000 rows.
 * @throws Prisma's error when a query fails (e.g. the migrations were not applied).
 */
export async function compareKinds(
  prisma: PrismaClient,
  gt: GroundTruth,
  kinds: readonly EntityKind[] = SPECS.map((s) => s.kind),
): Promise<KindComparison[]> {
  const out: KindComparison[] = [];
  for (const kind of kinds)
    out.push(
      await compareKind(
        prisma,
        gt,
        SPECS.find((s) => s.kind === kind)!,
      ),
    );
  return out;
}

async function compareKind(prisma: PrismaClient, gt: GroundTruth, spec: KindSpec): Promise<KindComparison> {
  const truth = spec.truth(gt);
  const differs = Object.entries(spec.columns)
    .map(([name, cond]) => `CASE WHEN ${cond} THEN '${name}' END`)
    .join(", ");
  const missing: string[] = [];
  const rawMismatches: string[] = [];
  const columnMismatches: string[] = [];
  for (let at = 0; at < truth.length; at += CHUNK) {
    const rows = await prisma.$queryRawUnsafe<
      Array<{ key: string; found: boolean; raw_differs: boolean; cols: string[] }>
    >(
      `WITH t AS (
         SELECT e->>'key' AS key, e->'raw' AS raw, e->>'parent' AS parent
           FROM jsonb_array_elements($1::jsonb) AS e
       )
       SELECT t.key, d.vendor_id IS NOT NULL AS found, d.raw IS DISTINCT FROM t.raw AS raw_differs,
              array_remove(ARRAY[${differs}], NULL) AS cols
         FROM t LEFT JOIN ${spec.table} d ON ${spec.key} = t.key AND d.vendor_id = $2`,
      serializeCoupangJson(truth.slice(at, at + CHUNK)),
      gt.vendorId,
    );
    for (const r of rows) {
      if (!r.found) missing.push(r.key);
      else {
        if (r.raw_differs) rawMismatches.push(r.key);
        for (const c of r.cols) columnMismatches.push(`${r.key} ${c}`);
      }
    }
  }
  const dbKeys = await prisma.$queryRawUnsafe<Array<{ key: string }>>(
    `SELECT ${spec.key} AS key FROM ${spec.table} d WHERE d.vendor_id = $1`,
    gt.vendorId,
  );
  const known = new Set(truth.map((r) => r.key));
  const goneKeys = spec.gone(gt);
  const gone: string[] = [];
  const extra: string[] = [];
  for (const { key } of dbKeys) {
    if (known.has(key)) continue;
    (goneKeys.has(key) ? gone : extra).push(key);
  }
  return {
    kind: spec.kind,
    truthRows: truth.length,
    dbRows: dbKeys.length,
    missing,
    extra,
    gone,
    rawMismatches,
    columnMismatches,
    equal: missing.length + extra.length + rawMismatches.length + columnMismatches.length === 0,
  };
}

import {
  ORDER_STATUSES,
  type CoupangClient,
  type OrderSheetPage,
  type OrderStatus,
  type RejectedRecord,
} from "@cos/coupang";
import {
  boxCountsByDay,
  shipmentBoxCensus,
  upsertShipmentBoxes,
  type ChangeEventDraft,
  type ShipmentBoxRow,
  type Tx,
} from "@cos/db";
import { normalizeOrderSheet } from "./normalize.js";
import { normalizeRecords, quarantineRejected, rawKeyOf } from "./page-write.js";
import { REACHABLE, type OrderSheetsPlanConfig } from "./planner.js";
import { censusEntry, rejectedCensus } from "./reconcile.js";
import { runStream, type PageTally, type PollInput, type StreamAdapter, type SyncReport } from "./stream.js";

export { appendPageEvents, emptyTally, skippedReport, type PageTally, type SyncReport } from "./stream.js";

export const ORDERSHEETS_STREAM = "ordersheets";

/**
 * The client calls the ordersheets stream needs; `CoupangClient` satisfies it. The single read
 * (§2.2) serves the reconciliation's re-fetch by key; without it a box is only re-listed.
 */
export type OrderSheetSource = Pick<CoupangClient, "orderSheetPages"> &
  Partial<Pick<CoupangClient, "getOrderSheet">>;

export interface SyncOrderSheetsInput extends PollInput {
  source: OrderSheetSource;
  config: OrderSheetsPlanConfig;
}

/**
 * The ordersheets stream (coupang-api.md §2.1) as a {@link StreamAdapter}: all six statuses,
 * daily windows of ≤ 31 days paged by `nextToken`, 50 per page; the warm tier follows
 * {@link REACHABLE} over the local boxes per order day. Reconciled per KST day of `orderedAt` (what
 * the list filters by) and status, a box re-fetched by `shipmentBoxId` (§2.2).
 */
export function orderSheetsAdapter(source: OrderSheetSource): StreamAdapter<OrderSheetPage> {
  return {
    name: ORDERSHEETS_STREAM,
    statuses: ORDER_STATUSES,
    reachable: REACHABLE,
    localCounts: boxCountsByDay,
    pages: (query, nextToken) => {
      if (!(ORDER_STATUSES as readonly string[]).includes(query.status)) {
        throw new Error(`ordersheets: unknown status ${query.status} in the plan`);
      }
      return source.orderSheetPages({
        status: query.status as OrderStatus,
        createdAtFrom: query.createdAtFrom,
        createdAtTo: query.createdAtTo,
        maxPerPage: 50,
        ...(nextToken ? { nextToken } : {}),
      });
    },
    writePage: writeOrderSheetPage,
    reconcile: {
      census: (page) => [
        ...page.orders.flatMap((o) =>
          censusEntry(String(o.value.shipmentBoxId), o.value.orderedAt, o.value.status),
        ),
        ...rejectedCensus(page.rejected, { keyField: "shipmentBoxId", dayField: "orderedAt" }, (raw) =>
          rawKeyOf(raw, "status"),
        ),
      ],
      local: shipmentBoxCensus,
      ...(source.getOrderSheet
        ? {
            fetch: async (key: string) => ({
              orders: [await source.getOrderSheet!(key)],
              rejected: [],
              nextToken: undefined,
            }),
          }
        : {}),
    },
  };
}

/**
 * Polls the ordersheets list of one vendor with {@link runStream}: plans the windows (or resumes
 * the cursor of an interrupted poll), pages through every (window, status), and commits each
 * page's boxes, items, quarantined records, the advanced cursor and the page's change events in
 * one transaction. `synced_through` moves only when a window is complete for all six statuses,
 * and never past `now − lag`. Runs under the (vendor, stream) lease, or not at all (`skipped`).
 *
 * @throws CoupangError from the client (auth, rate limit, blocked, …); the rows of pages already
 *   committed stay, and the cursor resumes after them.
 */
export function syncOrderSheets(input: SyncOrderSheetsInput): Promise<SyncReport> {
  return runStream(input, orderSheetsAdapter(input.source));
}

/**
 * Writes one page of ordersheets in the caller's transaction: normalizes it
 * ({@link normalizeOrderSheetPage}), then upserts its boxes and items and quarantines what cannot
 * be stored ({@link writeNormalizedOrderSheets}), adding to `tally`. The one write path of the
 * live poll and of a resync.
 * @returns the change events, for {@link appendPageEvents} as the transaction's last statement.
 */
export function writeOrderSheetPage(
  tx: Tx,
  vendorId: string,
  page: OrderSheetPage,
  tally: PageTally,
): Promise<ChangeEventDraft[]> {
  return writeNormalizedOrderSheets(tx, vendorId, normalizeOrderSheetPage(vendorId, page), tally);
}

/** A page of ordersheets normalized: the rows to upsert, and the records to quarantine. */
export interface NormalizedOrderSheets {
  rows: ShipmentBoxRow[];
  rejected: RejectedRecord[];
}

/**
 * The second step of {@link writeOrderSheetPage}, in the caller's transaction: upserts the
 * normalized boxes and their items, quarantines the rejected records, and adds to `tally`.
 * @returns the change events, for {@link appendPageEvents} as the transaction's last statement.
 */
export async function writeNormalizedOrderSheets(
  tx: Tx,
  vendorId: string,
  { rows, rejected }: NormalizedOrderSheets,
  tally: PageTally,
): Promise<ChangeEventDraft[]> {
  const counts = await upsertShipmentBoxes(tx, rows);
  tally.boxesInserted += counts.boxesInserted;
  tally.boxesUpdated += counts.boxesUpdated;
  tally.itemsInserted += counts.itemsInserted;
  tally.itemsUpdated += counts.itemsUpdated;
  tally.staleReads += counts.staleReads.length;
  await quarantineRejected(tx, vendorId, ORDERSHEETS_STREAM, "shipmentBoxId", rejected, tally);
  return counts.events;
}

/**
 * The first step of {@link writeOrderSheetPage}: normalizes the valid records of a page (CPU
 * only); a record that validates but cannot be stored joins the page's rejected records, so one
 * bad record never holds back the rest of the page. Should a box appear twice in a page (a
 * duplicated page), the later copy wins.
 */
export function normalizeOrderSheetPage(vendorId: string, page: OrderSheetPage): NormalizedOrderSheets {
  const { rows, rejected } = normalizeRecords(vendorId, page.orders, page.rejected, normalizeOrderSheet);
  const byBox = new Map(rows.map((row) => [row.shipmentBoxId, row]));
  return { rows: [...byBox.values()], rejected };
}

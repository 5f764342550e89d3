import { serializeCoupangJson, type GroundTruth } from "@cos/coupang-sim";
import { returnQueryStatusOf } from "@cos/sync";

/**
 * The fewest list calls that could read the same data (docs/sync.md "API calls against the
 * minimum"): what the week's acceptance test and the API-efficiency benchmark compare the sync's
 * calls with. Pure functions of the simulator's ground truth.
 */

const DAY = 86_400_000;

/** Rows per page of each stream's list, as its adapter asks (withdrawals: §7's maximum). */
export const PAGE: Readonly<Record<string, number>> = {
  ordersheets: 50,
  returnRequests: 50,
  exchangeRequests: 50,
  returnWithdrawRequests: 100,
};

/** The longest window of each list, in KST days (§2.1, §6.1, §7, §8.1). */
export const SPAN_DAYS: Readonly<Record<string, number>> = {
  ordersheets: 31,
  returnRequests: 31,
  exchangeRequests: 7,
  returnWithdrawRequests: 7,
};

/** Per stream, every listed record: its key → the query status it is listed under and its payload text. */
export type ListSnapshot = Map<string, Map<string, { status: string; hash: string }>>;

/**
 * Per stream, every record the lists serve now: its key → the query status it is listed under
 * (a receipt's primary one; "ALL" for exchanges, read without a status; "WITHDRAWN" for
 * withdrawals, read by period) and its payload text.
 */
export function snapshot(gt: GroundTruth): ListSnapshot {
  const json = (v: unknown) => serializeCoupangJson(v);
  const map = (rows: Array<[string, string, unknown]>) =>
    new Map(rows.map(([key, status, raw]) => [key, { status, hash: json(raw) }]));
  return new Map([
    ["ordersheets", map(gt.orders.map((o) => [String(o.shipmentBoxId), o.status, o]))],
    [
      "returnRequests",
      map(
        gt.returnRequests.map((r) => [
          String(r.receiptId),
          returnQueryStatusOf(String(r.receiptType), String(r.receiptStatus)),
          r,
        ]),
      ),
    ],
    // An exchange list without a status answers every status (§8.1): one list.
    ["exchangeRequests", map(gt.exchanges.map((x) => [String(x.exchangeId), "ALL", x]))],
    // Withdrawals by period: the adapter's `WITHDRAWN` query (§7).
    ["returnWithdrawRequests", map(gt.returnWithdrawals.map((w) => [String(w.cancelId), "WITHDRAWN", w]))],
  ]);
}

/**
 * The lower bound of one step's calls: an oracle that knows which lists changed since the last
 * step reads only those, once each, in one window, and pages only through the changed records:
 * per (stream, query status) with a new or changed record, ceil(changed / page) ≥ 1 calls.
 * Whoever keeps the copy as fresh as one step makes at least this many calls; ours also pays to
 * find out what changed (every hot status every step) and re-reads unchanged records in a page.
 */
export function stepLowerBound(
  before: ListSnapshot,
  after: ListSnapshot,
  streams: readonly string[],
): Record<string, number> {
  const out: Record<string, number> = {};
  for (const stream of streams) {
    const changed = new Map<string, number>();
    for (const [key, now] of after.get(stream) ?? []) {
      if (before.get(stream)?.get(key)?.hash === now.hash) continue;
      changed.set(now.status, (changed.get(now.status) ?? 0) + 1);
    }
    out[stream] = [...changed.values()].reduce((n, c) => n + Math.ceil(c / PAGE[stream]!), 0);
  }
  return out;
}

/** The query statuses a full sync of each stream asks, and each record's day and status among them. */
function listedRecords(
  gt: GroundTruth,
): Record<string, { statuses: string[]; records: Array<{ day: string; status: string }> }> {
  return {
    ordersheets: {
      statuses: ["ACCEPT", "INSTRUCT", "DEPARTURE", "DELIVERING", "FINAL_DELIVERY", "NONE_TRACKING"],
      records: gt.orders.map((o) => ({ day: String(o.orderedAt).slice(0, 10), status: o.status })),
    },
    returnRequests: {
      statuses: ["UC", "PR", "CC", "CANCEL"],
      records: gt.returnRequests.map((r) => {
        const q = returnQueryStatusOf(String(r.receiptType), String(r.receiptStatus));
        return { day: String(r.createdAt).slice(0, 10), status: q === "RU" ? "UC" : q };
      }),
    },
    exchangeRequests: {
      statuses: ["ALL"],
      records: gt.exchanges.map((x) => ({ day: String(x.createdAt).slice(0, 10), status: "ALL" })),
    },
    returnWithdrawRequests: {
      statuses: ["WITHDRAWN"],
      records: gt.returnWithdrawals.map((w) => ({
        day: String(w.createdAt).slice(0, 10),
        status: "WITHDRAWN",
      })),
    },
  };
}

/**
 * The fewest calls that read all of `gt` once (a full sync of the same data), per stream and
 * query status: the records' creation days cut into windows of the list's longest span (from the
 * first record's day), and per window and status max(1, ceil(n / page)). Statuses the list needs
 * asked one by one: ordersheets' six (a status is required, §2.1); returnRequests' UC (which holds
 * RU), PR, CC and CANCEL (§6.1); exchanges in one list without a status (§8.1), withdrawals in one
 * list by period (§7, the adapter's `WITHDRAWN`).
 * @returns stream → query status → calls.
 */
export function fullSyncMinimumByStatus(
  gt: GroundTruth,
  streams: readonly string[],
): Record<string, Record<string, number>> {
  const perStream = listedRecords(gt);
  const out: Record<string, Record<string, number>> = {};
  for (const stream of streams) {
    const { statuses, records } = perStream[stream]!;
    const byStatus: Record<string, number> = Object.fromEntries(statuses.map((s) => [s, 0]));
    out[stream] = byStatus;
    const sorted = records.map((r) => r.day).sort();
    if (sorted.length === 0) {
      for (const status of statuses) byStatus[status] = 1;
      continue;
    }
    const first = Date.parse(`${sorted[0]}T00:00:00Z`);
    const window = (day: string) =>
      Math.floor((Date.parse(`${day}T00:00:00Z`) - first) / (SPAN_DAYS[stream]! * DAY));
    const windows = window(sorted.at(-1)!) + 1;
    for (let w = 0; w < windows; w++) {
      for (const status of statuses) {
        const n = records.filter((r) => r.status === status && window(r.day) === w).length;
        byStatus[status]! += Math.max(1, Math.ceil(n / PAGE[stream]!));
      }
    }
  }
  return out;
}

/** {@link fullSyncMinimumByStatus} summed per stream. */
export function fullSyncMinimum(gt: GroundTruth, streams: readonly string[]): Record<string, number> {
  return Object.fromEntries(
    Object.entries(fullSyncMinimumByStatus(gt, streams)).map(([stream, byStatus]) => [
      stream,
      Object.values(byStatus).reduce((n, c) => n + c, 0),
    ]),
  );
}

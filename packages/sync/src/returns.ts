import type { CoupangClient, ReturnRequestPage, ReturnStatusFilter } from "@cos/coupang";
import {
  returnRequestCensus,
  returnRequestCountsByDay,
  upsertReturnRequests,
  type ChangeEventDraft,
  type PrismaClient,
  type Tx,
} from "@cos/db";
import { normalizeReturnRequest } from "./normalize-returns.js";
import { rawKeyOf, writeRequestPage } from "./page-write.js";
import { planStream, type PlanInput, type PlanConfig, type StreamPlan } from "./planner.js";
import { censusEntry, rejectedCensus } from "./reconcile.js";
import { runStream, type PageTally, type PollInput, type StreamAdapter, type SyncReport } from "./stream.js";

export const RETURN_REQUESTS_STREAM = "returnRequests";

/**
 * The query statuses of returnRequests (coupang-api.md §6.1): the return filters RU, UC, CC, PR,
 * and `CANCEL`, which stands for `cancelType=CANCEL` without a status (orders cancelled while
 * payment-complete).
 */
export const RETURN_QUERY_STATUSES = ["RU", "UC", "CC", "PR", "CANCEL"] as const;
export type ReturnQueryStatus = (typeof RETURN_QUERY_STATUSES)[number];

/**
 * The warm tier's rule for receipts: per local query status (see {@link returnQueryStatusOf}),
 * the filters a receipt there may still be listed under. A stop-shipment request (RU, also
 * listed under UC) may be stopped (CC) or become a return (UC → PR → CC); a received return
 * (UC, including VENDOR_WAREHOUSE_CONFIRM) may move to PR or CC; PR settles to CC. Completed
 * returns (CC) and instant cancels (CANCEL, always RETURNS_COMPLETED) are final: left to cold.
 */
export const RETURN_REACHABLE: Readonly<Record<ReturnQueryStatus, readonly ReturnQueryStatus[]>> = {
  RU: ["RU", "UC", "PR", "CC"],
  UC: ["UC", "PR", "CC"],
  PR: ["PR", "CC"],
  CC: [],
  CANCEL: [],
};

/**
 * The query status a stored receipt is listed under (its primary one: a stop-shipment request,
 * listed under RU and UC alike, counts as RU). A status no filter lists is returned as it is,
 * and the planner then treats it as open.
 */
export function returnQueryStatusOf(receiptType: string | null, receiptStatus: string): string {
  if (receiptType === "CANCEL") return "CANCEL";
  switch (receiptStatus) {
    case "RELEASE_STOP_UNCHECKED":
      return "RU";
    case "RETURNS_UNCHECKED":
    case "VENDOR_WAREHOUSE_CONFIRM":
      return "UC";
    case "REQUEST_COUPANG_CHECK":
      return "PR";
    case "RETURNS_COMPLETED":
      return "CC";
    default:
      return receiptStatus;
  }
}

/**
 * The client calls the returnRequests stream needs; `CoupangClient` satisfies it. The single read
 * (§6.2) serves the reconciliation's re-fetch by key; without it a receipt is only re-listed.
 */
export type ReturnRequestSource = Pick<CoupangClient, "returnRequestPages"> &
  Partial<Pick<CoupangClient, "getReturnRequest">>;

export interface SyncReturnRequestsInput extends PollInput {
  source: ReturnRequestSource;
  config: PlanConfig;
}

/**
 * Plans a returnRequests poll: the tiers of `planOrderSheets` over {@link RETURN_QUERY_STATUSES},
 * the warm tier following {@link RETURN_REACHABLE}. `local` counts receipts per KST day of
 * `createdAt` and query status ({@link returnQueryStatusOf}).
 */
export function planReturnRequests(input: PlanInput): StreamPlan {
  return planStream({ ...input, statuses: RETURN_QUERY_STATUSES, reachable: RETURN_REACHABLE });
}

/**
 * Local receipts of a vendor per KST day of `requested_at` (Coupang's `createdAt`, what the list
 * filters by) and query status, since `since`.
 */
export async function returnCountsByDay(
  prisma: PrismaClient,
  vendorId: string,
  since: Date,
): Promise<Map<string, Map<string, number>>> {
  const rows = await returnRequestCountsByDay(prisma, vendorId, since);
  const byDay = new Map<string, Map<string, number>>();
  for (const r of rows) {
    const day = byDay.get(r.day) ?? new Map<string, number>();
    const status = returnQueryStatusOf(r.receiptType, r.receiptStatus);
    day.set(status, (day.get(status) ?? 0) + r.receipts);
    byDay.set(r.day, day);
  }
  return byDay;
}

/**
 * The returnRequests stream (coupang-api.md §6.1) as a {@link StreamAdapter}: daily mode,
 * windows of ≤ 31 days paged by `nextToken`, 50 per page; `CANCEL` is sent as
 * `cancelType=CANCEL` without a status. Reconciled per KST day of `createdAt` and query status
 * ({@link returnQueryStatusOf}: a stop-shipment request, listed under RU and UC, counts once, as
 * RU), a receipt re-fetched by `receiptId` (§6.2; Coupang serves no cancel receipt there).
 */
export function returnRequestsAdapter(source: ReturnRequestSource): StreamAdapter<ReturnRequestPage> {
  return {
    name: RETURN_REQUESTS_STREAM,
    statuses: RETURN_QUERY_STATUSES,
    reachable: RETURN_REACHABLE,
    localCounts: returnCountsByDay,
    pages: (query, nextToken) => {
      if (!(RETURN_QUERY_STATUSES as readonly string[]).includes(query.status)) {
        throw new Error(`returnRequests: unknown status ${query.status} in the plan`);
      }
      return source.returnRequestPages({
        createdAtFrom: query.createdAtFrom,
        createdAtTo: query.createdAtTo,
        ...(query.status === "CANCEL"
          ? { cancelType: "CANCEL" as const }
          : { status: query.status as ReturnStatusFilter }),
        maxPerPage: 50,
        ...(nextToken ? { nextToken } : {}),
      });
    },
    writePage: writeReturnRequestPage,
    reconcile: {
      census: (page) => [
        ...page.returns.flatMap((r) =>
          censusEntry(
            String(r.value.receiptId),
            r.value.createdAt,
            r.value.receiptStatus && returnQueryStatusOf(r.value.receiptType ?? null, r.value.receiptStatus),
          ),
        ),
        ...rejectedCensus(page.rejected, { keyField: "receiptId", dayField: "createdAt" }, (raw) => {
          const status = rawKeyOf(raw, "receiptStatus");
          return status && returnQueryStatusOf(rawKeyOf(raw, "receiptType"), status);
        }),
      ],
      local: async (prisma, vendorId, from, to) =>
        (await returnRequestCensus(prisma, vendorId, from, to)).map((r) => ({
          key: r.key,
          day: r.day,
          status: returnQueryStatusOf(r.receiptType, r.status),
        })),
      ...(source.getReturnRequest
        ? {
            fetch: async (key: string) => ({
              returns: [await source.getReturnRequest!(key)],
              rejected: [],
              nextToken: undefined,
            }),
          }
        : {}),
    },
  };
}

/**
 * Polls the returnRequests list of one vendor (returns by RU, UC, CC, PR and instant cancels)
 * with {@link runStream}: the same lease, plan, cursor and page transaction as ordersheets,
 * under the stream `returnRequests`.
 * @throws CoupangError from the client; committed pages stay and the cursor resumes after them.
 */
export function syncReturnRequests(input: SyncReturnRequestsInput): Promise<SyncReport> {
  return runStream(input, returnRequestsAdapter(input.source));
}

/**
 * Writes one page of return/cancel receipts in the caller's transaction: normalizes it, upserts
 * receipts and items (`boxes*`/`items*` of the tally count receipts and return items),
 * quarantines what cannot be stored. The same receipt read again under another filter (a
 * stop-shipment request is listed under RU and UC) writes nothing.
 * @returns the change events, for `appendPageEvents` as the transaction's last statement.
 */
export function writeReturnRequestPage(
  tx: Tx,
  vendorId: string,
  page: ReturnRequestPage,
  tally: PageTally,
): Promise<ChangeEventDraft[]> {
  return writeRequestPage(
    tx,
    vendorId,
    {
      stream: RETURN_REQUESTS_STREAM,
      keyField: "receiptId",
      records: page.returns,
      rejected: page.rejected,
      normalize: normalizeReturnRequest,
      upsert: upsertReturnRequests,
    },
    tally,
  );
}

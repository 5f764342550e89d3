import { type CoupangClient, type ExchangeRequestPage, type ExchangeStatus } from "@cos/coupang";
import {
  exchangeRequestCensus,
  exchangeRequestCountsByDay,
  upsertExchangeRequests,
  type ChangeEventDraft,
  type Tx,
} from "@cos/db";
import { normalizeExchangeRequest } from "./normalize-exchanges.js";
import { rawKeyOf, writeRequestPage } from "./page-write.js";
import {
  planStream,
  type PlanConfig,
  type PlanInput,
  type PlannedQuery,
  type StreamPlan,
} from "./planner.js";
import { censusEntry, rejectedCensus } from "./reconcile.js";
import { runStream, type PageTally, type PollInput, type StreamAdapter, type SyncReport } from "./stream.js";

export const EXCHANGE_REQUESTS_STREAM = "exchangeRequests";

/** The longest exchangeRequests window: 7 KST days, both ends inclusive (coupang-api.md §8.1). */
export const EXCHANGE_WINDOW_DAYS = 7;

/**
 * The query statuses of exchangeRequests (coupang-api.md §8.1), which are also the stored
 * `exchangeStatus`: received, the seller has the returned item, and the three ends.
 */
export const EXCHANGE_QUERY_STATUSES = [
  "RECEIPT",
  "PROGRESS",
  "SUCCESS",
  "REJECT",
  "CANCEL",
] as const satisfies readonly ExchangeStatus[];
export type ExchangeQueryStatus = (typeof EXCHANGE_QUERY_STATUSES)[number];

/**
 * The warm tier's rule for exchanges: per stored status, the statuses it may still be listed
 * under. A received exchange (RECEIPT) may be confirmed (PROGRESS) or end in any way; PROGRESS may
 * still end. SUCCESS, REJECT and CANCEL are final: left to cold.
 */
export const EXCHANGE_REACHABLE: Readonly<Record<ExchangeQueryStatus, readonly ExchangeQueryStatus[]>> = {
  RECEIPT: ["RECEIPT", "PROGRESS", "SUCCESS", "REJECT", "CANCEL"],
  PROGRESS: ["PROGRESS", "SUCCESS", "REJECT", "CANCEL"],
  SUCCESS: [],
  REJECT: [],
  CANCEL: [],
};

/** The client calls the exchangeRequests stream needs; `CoupangClient` satisfies it. */
export type ExchangeRequestSource = Pick<CoupangClient, "exchangeRequestPages">;

export interface SyncExchangeRequestsInput extends PollInput {
  source: ExchangeRequestSource;
  config: PlanConfig;
}

/**
 * Plans an exchangeRequests poll: the tiers of `planStream` over {@link EXCHANGE_QUERY_STATUSES}
 * in windows of at most {@link EXCHANGE_WINDOW_DAYS} days, the warm tier following
 * {@link EXCHANGE_REACHABLE}. `local` counts exchanges per KST day of `requested_at` and status.
 */
export function planExchangeRequests(input: PlanInput): StreamPlan {
  return planStream({
    ...input,
    statuses: EXCHANGE_QUERY_STATUSES,
    reachable: EXCHANGE_REACHABLE,
    maxWindowDays: EXCHANGE_WINDOW_DAYS,
  });
}

/**
 * The list query of one planned (window, status): the plan's KST days as the list's seconds,
 * `yyyy-MM-ddT00:00:00` of the first day to `yyyy-MM-ddT23:59:59` of the last.
 * @throws Error for a status that is not an exchange status (a plan of another stream).
 */
export function exchangeQueryOf(query: PlannedQuery): {
  createdAtFrom: string;
  createdAtTo: string;
  status: ExchangeStatus;
} {
  if (!(EXCHANGE_QUERY_STATUSES as readonly string[]).includes(query.status)) {
    throw new Error(`exchangeRequests: unknown status ${query.status} in the plan`);
  }
  return {
    createdAtFrom: `${query.createdAtFrom}T00:00:00`,
    createdAtTo: `${query.createdAtTo}T23:59:59`,
    status: query.status as ExchangeStatus,
  };
}

/**
 * The exchangeRequests stream (coupang-api.md §8.1) as a {@link StreamAdapter}: windows of ≤ 7
 * KST days sent as seconds ({@link exchangeQueryOf}), one query per status, paged by `nextToken`,
 * 50 per page. Reconciled per KST day of `createdAt` and `exchangeStatus`; the API has no single
 * read of an exchange, so a re-fetch only lists again.
 */
export function exchangeRequestsAdapter(source: ExchangeRequestSource): StreamAdapter<ExchangeRequestPage> {
  return {
    name: EXCHANGE_REQUESTS_STREAM,
    statuses: EXCHANGE_QUERY_STATUSES,
    reachable: EXCHANGE_REACHABLE,
    maxWindowDays: EXCHANGE_WINDOW_DAYS,
    localCounts: exchangeRequestCountsByDay,
    pages: (query, nextToken) =>
      source.exchangeRequestPages({
        ...exchangeQueryOf(query),
        maxPerPage: 50,
        ...(nextToken ? { nextToken } : {}),
      }),
    writePage: writeExchangeRequestPage,
    reconcile: {
      census: (page) => [
        ...page.exchanges.flatMap((x) =>
          censusEntry(String(x.value.exchangeId), x.value.createdAt, x.value.exchangeStatus),
        ),
        ...rejectedCensus(page.rejected, { keyField: "exchangeId", dayField: "createdAt" }, (raw) =>
          rawKeyOf(raw, "exchangeStatus"),
        ),
      ],
      local: exchangeRequestCensus,
    },
  };
}

/**
 * Polls the exchangeRequests list of one vendor with {@link runStream}: the same lease, plan,
 * cursor and page transaction as ordersheets, under the stream `exchangeRequests`.
 * @throws CoupangError from the client; committed pages stay and the cursor resumes after them.
 */
export function syncExchangeRequests(input: SyncExchangeRequestsInput): Promise<SyncReport> {
  return runStream(input, exchangeRequestsAdapter(input.source));
}

/**
 * Writes one page of exchanges in the caller's transaction: normalizes it, upserts exchanges and
 * their items (`boxes*`/`items*` of the tally count exchanges and exchange items), quarantines
 * what cannot be stored.
 * @returns the change events, for `appendPageEvents` as the transaction's last statement.
 */
export function writeExchangeRequestPage(
  tx: Tx,
  vendorId: string,
  page: ExchangeRequestPage,
  tally: PageTally,
): Promise<ChangeEventDraft[]> {
  return writeRequestPage(
    tx,
    vendorId,
    {
      stream: EXCHANGE_REQUESTS_STREAM,
      keyField: "exchangeId",
      records: page.exchanges,
      rejected: page.rejected,
      normalize: normalizeExchangeRequest,
      upsert: upsertExchangeRequests,
    },
    tally,
  );
}

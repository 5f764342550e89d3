import {
  EXCHANGE_STATUSES,
  type CoupangClient,
  type ExchangeRequestPage,
  type ExchangeStatus,
} from "@cos/coupang";
import {
  exchangeRequestCensus,
  exchangeRequestCountsByDay,
  upsertExchangeRequests,
  type ChangeEventDraft,
  type PrismaClient,
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
 * The query statuses of exchangeRequests: one, `ALL`, sent without `status`, which lists every
 * exchange status at once (coupang-api.md §8.1: "Leave it out to get every status"). One query
 * per window instead of one per status; the stored `exchangeStatus` still tells which days can
 * change ({@link EXCHANGE_REACHABLE}) and what the reconciliation counts.
 */
export const EXCHANGE_QUERY_STATUSES = ["ALL"] as const;
export type ExchangeQueryStatus = (typeof EXCHANGE_QUERY_STATUSES)[number];

/**
 * The stored `exchangeStatus` codes (coupang-api.md §8.1): received, the seller has the returned
 * item, and the three ends. What the reconciliation compares per KST day.
 */
const EXCHANGE_STORED_STATUSES = Object.keys(EXCHANGE_STATUSES) as readonly ExchangeStatus[];

/**
 * The warm tier's rule for exchanges, keyed as {@link exchangeCountsByDay} keys the local counts:
 * per stored status, the query it may still change under. A received exchange (RECEIPT) or one
 * whose returned item the seller has (PROGRESS) may still move, so its day is read again (`ALL`);
 * SUCCESS, REJECT and CANCEL are final: left to cold. `ALL` is the day's total, the cost of its
 * query, and opens no day by itself (a stored status absent from this map, one Coupang adds
 * later, counts as open: the planner's default).
 */
export const EXCHANGE_REACHABLE: Readonly<
  Record<ExchangeStatus | ExchangeQueryStatus, readonly ExchangeQueryStatus[]>
> = {
  RECEIPT: ["ALL"],
  PROGRESS: ["ALL"],
  SUCCESS: [],
  REJECT: [],
  CANCEL: [],
  ALL: [],
};

/** The client calls the exchangeRequests stream needs; `CoupangClient` satisfies it. */
export type ExchangeRequestSource = Pick<CoupangClient, "exchangeRequestPages">;

export interface SyncExchangeRequestsInput extends PollInput {
  source: ExchangeRequestSource;
  config: PlanConfig;
}

/**
 * Plans an exchangeRequests poll: the tiers of `planStream` over {@link EXCHANGE_QUERY_STATUSES}
 * (one query per window) in windows of at most {@link EXCHANGE_WINDOW_DAYS} days, the warm tier
 * following {@link EXCHANGE_REACHABLE}. `local` is keyed as {@link exchangeCountsByDay} keys it:
 * per KST day of `requested_at`, each stored status and `ALL`, their sum.
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
 * The stream's local counts per KST day (`yyyy-MM-dd`) of `requested_at` (Coupang's `createdAt`,
 * what the list filters by) since `since` (a UTC instant): day → stored `exchangeStatus` →
 * exchanges, plus `ALL` → every exchange of the day, which the one query of the day lists (the
 * planner's cost estimate reads the query status's count).
 */
export async function exchangeCountsByDay(
  prisma: PrismaClient,
  vendorId: string,
  since: Date,
): Promise<Map<string, Map<string, number>>> {
  const byDay = await exchangeRequestCountsByDay(prisma, vendorId, since);
  for (const counts of byDay.values()) {
    let all = 0;
    for (const n of counts.values()) all += n;
    counts.set("ALL", all);
  }
  return byDay;
}

/**
 * The list query of one planned (window, status): the plan's KST days as the list's seconds,
 * `yyyy-MM-ddT00:00:00` of the first day to `yyyy-MM-ddT23:59:59` of the last (coupang-api.md
 * §8.1). `ALL` sends no `status`, so every status is listed. A single exchange status is sent as
 * `status`: a plan saved in a cursor before exchanges were read in one query names them, and its
 * resume must not fail the stream.
 * @throws Error for any other status (a plan of another stream).
 */
export function exchangeQueryOf(query: PlannedQuery): {
  createdAtFrom: string;
  createdAtTo: string;
  status?: ExchangeStatus;
} {
  const window = {
    createdAtFrom: `${query.createdAtFrom}T00:00:00`,
    createdAtTo: `${query.createdAtTo}T23:59:59`,
  };
  if (query.status === "ALL") return window;
  if ((EXCHANGE_STORED_STATUSES as readonly string[]).includes(query.status)) {
    return { ...window, status: query.status as ExchangeStatus };
  }
  throw new Error(`exchangeRequests: unknown status ${query.status} in the plan`);
}

/**
 * The exchangeRequests stream (coupang-api.md §8.1) as a {@link StreamAdapter}: windows of ≤ 7
 * KST days sent as seconds ({@link exchangeQueryOf}), one query per window for every status,
 * paged by `nextToken`, 50 per page. Reconciled per KST day of `createdAt` and each
 * `exchangeStatus`, listed once per window; the API has no single read of an
 * exchange, so a re-fetch only lists again.
 */
export function exchangeRequestsAdapter(source: ExchangeRequestSource): StreamAdapter<ExchangeRequestPage> {
  return {
    name: EXCHANGE_REQUESTS_STREAM,
    statuses: EXCHANGE_QUERY_STATUSES,
    reachable: EXCHANGE_REACHABLE,
    maxWindowDays: EXCHANGE_WINDOW_DAYS,
    localCounts: exchangeCountsByDay,
    pages: (query, nextToken) =>
      source.exchangeRequestPages({
        ...exchangeQueryOf(query),
        maxPerPage: 50,
        ...(nextToken ? { nextToken } : {}),
      }),
    writePage: writeExchangeRequestPage,
    reconcile: {
      statuses: EXCHANGE_STORED_STATUSES,
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

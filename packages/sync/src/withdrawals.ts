import type { CoupangClient, ReturnWithdrawalList } from "@cos/coupang";
import {
  openReturnReceiptIds,
  returnWithdrawalCountsByDay,
  upsertReturnWithdrawals,
  type ChangeEventDraft,
  type PrismaClient,
  type Tx,
} from "@cos/db";
import { normalizeReturnWithdrawal } from "./normalize-returns.js";
import { writeRequestPage } from "./page-write.js";
import {
  planStream,
  type PlanInput,
  type PlanConfig,
  type PlannedQuery,
  type StreamPlan,
} from "./planner.js";
import { runStream, type PageTally, type PollInput, type StreamAdapter, type SyncReport } from "./stream.js";

export const RETURN_WITHDRAWALS_STREAM = "returnWithdrawRequests";

/** The longest returnWithdrawRequests window: 7 KST days, both ends included (coupang-api.md §7). */
export const WITHDRAWAL_WINDOW_DAYS = 7;

/** Withdrawals per period-list page: Coupang's maximum `sizePerPage` (coupang-api.md §7). */
const WITHDRAWALS_PER_PAGE = 100;

/** Receipts per returnWithdrawList call: Coupang's maximum of `cancelIds` (coupang-api.md §7). */
export const WITHDRAWAL_CHECK_CHUNK = 50;

/**
 * The query statuses of the withdrawn-returns stream (coupang-api.md §7). `WITHDRAWN` reads the
 * period list (GET returnWithdrawRequests) of the window's KST days of withdrawal. `CHECK` is
 * keyed: it sends the stored open receipts requested on the window's KST days to
 * returnWithdrawList, which catches a withdrawal the period list never showed us.
 */
export const WITHDRAWAL_QUERY_STATUSES = ["WITHDRAWN", "CHECK"] as const;
export type WithdrawalQueryStatus = (typeof WITHDRAWAL_QUERY_STATUSES)[number];

/** The statuses of {@link WITHDRAWAL_QUERY_STATUSES} that check stored receipts by key. */
export const WITHDRAWAL_KEYED_STATUSES = ["CHECK"] as const satisfies readonly WithdrawalQueryStatus[];

/**
 * The warm tier's rule: a stored withdrawal is final (its day is left to cold), and a day with
 * open receipts may still hide a withdrawal, found by `CHECK`. The local counts are keyed the
 * same way ({@link withdrawalCountsByDay}).
 */
export const WITHDRAWAL_REACHABLE: Readonly<Record<WithdrawalQueryStatus, readonly WithdrawalQueryStatus[]>> =
  {
    WITHDRAWN: [],
    CHECK: ["CHECK"],
  };

/**
 * The client calls the stream needs; `CoupangClient` satisfies it. `vendorId` is the vendor
 * whose stored receipts `CHECK` looks up: the client's own.
 */
export type ReturnWithdrawalSource = Pick<
  CoupangClient,
  "vendorId" | "returnWithdrawalPages" | "getReturnWithdrawals"
>;

/**
 * One page of the stream: withdrawals (valid and rejected) of a period-list page or of one
 * returnWithdrawList chunk. `nextToken` resumes the query: for `WITHDRAWN` the next `pageIndex`
 * as a decimal string, for `CHECK` the last receiptId already sent; undefined on the last page.
 */
export interface ReturnWithdrawalStreamPage extends ReturnWithdrawalList {
  nextToken: string | undefined;
}

export interface SyncReturnWithdrawalsInput extends PollInput {
  source: ReturnWithdrawalSource;
  config: PlanConfig;
}

/**
 * Plans a poll of withdrawn returns: `planStream` over {@link WITHDRAWAL_QUERY_STATUSES} in
 * windows of at most {@link WITHDRAWAL_WINDOW_DAYS} days. Hot reads `WITHDRAWN` only (`CHECK` is
 * keyed); warm checks the days with open receipts ({@link WITHDRAWAL_REACHABLE}); cold reads both
 * over its range. `local` is keyed as {@link withdrawalCountsByDay} keys it.
 */
export function planReturnWithdrawals(input: PlanInput): StreamPlan {
  return planStream({
    ...input,
    statuses: WITHDRAWAL_QUERY_STATUSES,
    reachable: WITHDRAWAL_REACHABLE,
    keyed: WITHDRAWAL_KEYED_STATUSES,
    maxWindowDays: WITHDRAWAL_WINDOW_DAYS,
  });
}

/**
 * The stream's local counts per KST day (`yyyy-MM-dd`) since `since`: `WITHDRAWN` = stored
 * withdrawals by day of `withdrawn_at`, `CHECK` = open receipts (not withdrawn, not completed, not
 * an instant cancel) by day of `requested_at`. A zero count is left out, so a day with no open
 * receipt cannot make warm check it.
 */
export async function withdrawalCountsByDay(
  prisma: PrismaClient,
  vendorId: string,
  since: Date,
): Promise<Map<string, Map<string, number>>> {
  const byDay = new Map<string, Map<string, number>>();
  for (const r of await returnWithdrawalCountsByDay(prisma, vendorId, since)) {
    const counts = new Map<string, number>();
    if (r.withdrawals > 0) counts.set("WITHDRAWN", r.withdrawals);
    if (r.openReceipts > 0) counts.set("CHECK", r.openReceipts);
    byDay.set(r.day, counts);
  }
  return byDay;
}

/**
 * The period-list query of a planned `WITHDRAWN` window: the plan's KST days are the list's
 * `dateFrom`/`dateTo` (days of withdrawal, both included), 100 per page, from the page a
 * cursor's token names (coupang-api.md §7).
 * @throws Error for a token that is not a positive decimal page index (a corrupt cursor).
 */
export function withdrawalQueryOf(
  query: PlannedQuery,
  nextToken: string | null,
): { dateFrom: string; dateTo: string; pageIndex: number; sizePerPage: number } {
  return {
    dateFrom: query.createdAtFrom,
    dateTo: query.createdAtTo,
    pageIndex: nextToken === null ? 1 : Number(positiveToken(nextToken, "page index")),
    sizePerPage: WITHDRAWALS_PER_PAGE,
  };
}

/**
 * The withdrawn-returns stream (coupang-api.md §7) as a {@link StreamAdapter}. `WITHDRAWN` pages
 * through GET returnWithdrawRequests by `pageIndex` ({@link withdrawalQueryOf}); `CHECK` reads
 * the vendor's open receipts of the window's days from `prisma`, ordered by receiptId, and looks
 * them up with POST returnWithdrawList, 50 per call (a receipt absent from the answer was not
 * withdrawn). A `CHECK` with nothing to check yields one empty page without any call, so the
 * runner still commits its cursor.
 * @throws Error (from `pages`) for a status of another stream or a corrupt cursor token.
 */
export function returnWithdrawalsAdapter(
  source: ReturnWithdrawalSource,
  prisma: PrismaClient,
): StreamAdapter<ReturnWithdrawalStreamPage> {
  return {
    name: RETURN_WITHDRAWALS_STREAM,
    statuses: WITHDRAWAL_QUERY_STATUSES,
    reachable: WITHDRAWAL_REACHABLE,
    keyedStatuses: WITHDRAWAL_KEYED_STATUSES,
    maxWindowDays: WITHDRAWAL_WINDOW_DAYS,
    localCounts: withdrawalCountsByDay,
    pages: (query, nextToken) => {
      switch (query.status) {
        case "WITHDRAWN":
          return withdrawnPages(source, withdrawalQueryOf(query, nextToken));
        case "CHECK":
          return checkPages(source, prisma, query, nextToken);
        default:
          throw new Error(`returnWithdrawRequests: unknown status ${query.status} in the plan`);
      }
    },
    writePage: writeReturnWithdrawalPage,
  };
}

/** A cursor token that must be a positive decimal integer; `what` names it in the error. */
function positiveToken(token: string, what: string): string {
  if (!/^[1-9]\d*$/.test(token)) {
    throw new Error(
      `returnWithdrawRequests: the cursor's ${what} ${JSON.stringify(token)} is not a positive integer`,
    );
  }
  return token;
}

async function* withdrawnPages(
  source: ReturnWithdrawalSource,
  query: ReturnType<typeof withdrawalQueryOf>,
): AsyncGenerator<ReturnWithdrawalStreamPage> {
  for await (const page of source.returnWithdrawalPages(query)) {
    yield {
      withdrawals: page.withdrawals,
      rejected: page.rejected,
      nextToken: page.nextPageIndex === undefined ? undefined : String(page.nextPageIndex),
    };
  }
}

async function* checkPages(
  source: ReturnWithdrawalSource,
  prisma: PrismaClient,
  query: PlannedQuery,
  nextToken: string | null,
): AsyncGenerator<ReturnWithdrawalStreamPage> {
  const start = nextToken === null ? null : BigInt(positiveToken(nextToken, "receiptId"));
  const chunkAfter = (after: bigint | null) =>
    openReturnReceiptIds(prisma, source.vendorId, {
      fromDay: query.createdAtFrom,
      toDay: query.createdAtTo,
      after,
      limit: WITHDRAWAL_CHECK_CHUNK,
    });
  let chunk = await chunkAfter(start);
  if (chunk.length === 0) {
    yield { withdrawals: [], rejected: [], nextToken: undefined };
    return;
  }
  while (chunk.length > 0) {
    const last = chunk.at(-1)!;
    const answer = await source.getReturnWithdrawals(chunk);
    // A record for a receipt not asked about is not evidence about ours: quarantined, not stored.
    const asked = new Set(chunk.map(String));
    const unasked = answer.withdrawals.filter((w) => !asked.has(String(w.value.cancelId)));
    const withdrawals = answer.withdrawals.filter((w) => asked.has(String(w.value.cancelId)));
    const rejected = [
      ...answer.rejected,
      ...unasked.map((w) => ({
        raw: w.raw,
        rawJson: w.rawJson,
        error: `cancelId: ${w.value.cancelId} was not among the receiptIds asked about`,
      })),
    ];
    // Reading the next chunk first gives the page an exact token: none when this was the last.
    const next = await chunkAfter(last);
    yield { withdrawals, rejected, nextToken: next.length > 0 ? String(last) : undefined };
    chunk = next;
  }
}

/**
 * Polls the withdrawn returns of one vendor with {@link runStream}: the same lease, plan, cursor
 * and page transaction as the other streams, under the stream `returnWithdrawRequests`.
 * @throws CoupangError from the client; committed pages stay and the cursor resumes after them.
 */
export function syncReturnWithdrawals(input: SyncReturnWithdrawalsInput): Promise<SyncReport> {
  return runStream(input, returnWithdrawalsAdapter(input.source, input.prisma));
}

/**
 * Writes one page of withdrawn returns in the caller's transaction: normalizes and upserts the
 * withdrawals (`boxes*` of the tally count withdrawals; there are no items), which marks the
 * stored receipts `withdrawn_at`, and quarantines what cannot be stored. Each new withdrawal
 * gives a `return_withdrawal` `created` event and, for a stored receipt, a `return_request`
 * `withdrawn` event; a repeated read writes nothing.
 * @returns the change events, for `appendPageEvents` as the transaction's last statement.
 */
export function writeReturnWithdrawalPage(
  tx: Tx,
  vendorId: string,
  page: ReturnWithdrawalStreamPage,
  tally: PageTally,
): Promise<ChangeEventDraft[]> {
  return writeRequestPage(
    tx,
    vendorId,
    {
      stream: RETURN_WITHDRAWALS_STREAM,
      keyField: "cancelId",
      records: page.withdrawals,
      rejected: page.rejected,
      normalize: normalizeReturnWithdrawal,
      upsert: async (t, rows) => {
        const counts = await upsertReturnWithdrawals(t, rows);
        return {
          requestsInserted: counts.withdrawalsInserted,
          requestsUpdated: counts.withdrawalsUpdated,
          itemsInserted: 0,
          itemsUpdated: 0,
          events: counts.events,
          staleReads: counts.staleReads,
        };
      },
    },
    tally,
  );
}

import { receiptMatches, receiptType, type Receipt } from "./claims.js";
import type { VendorBook } from "./book.js";
import { takePage } from "./paging.js";
import type {
  ExchangeRequest,
  ExchangeStatus,
  OrderSheet,
  OrderStatus,
  ReturnFilter,
  ReturnRequest,
  ReturnWithdrawal,
} from "./types.js";

/**
 * The list endpoints' semantics over a vendor's book: which items a validated query
 * selects, in which order, and where a page ends (coupang-api.md §2.1, §6.1, §7, §8.1).
 * Windows are [fromMs, toMs) in epoch ms; every list pages through {@link takePage}.
 */

/** A validated `ordersheets` query (§2.1): a status and an `orderedAt` window. */
export interface ListQuery {
  status: OrderStatus;
  /** Inclusive start of the `orderedAt` window, epoch ms. */
  fromMs: number;
  /** Exclusive end of the `orderedAt` window, epoch ms. */
  toMs: number;
  /** Page size 1–50 (daily mode); `undefined` in minute mode, which does not page. */
  maxPerPage?: number;
  /** Resume after this `shipmentBoxId` (the previous page's `nextToken`). */
  after?: bigint;
}

/** One page of a token-paged list, and the token of the next page when one follows. */
export interface ListPage<T = OrderSheet> {
  items: T[];
  /** The last item's ID when another page follows, else `undefined`. */
  next: bigint | undefined;
}

/**
 * The boxes of `query` as the PO list serves them at `nowMs`: ascending by shipmentBoxId,
 * only boxes paid at least `listLagMs` ago (§0.6) and not dropped from the list.
 */
export function listOrdersheets(
  book: VendorBook,
  query: ListQuery,
  nowMs: number,
  listLagMs: number,
): ListPage {
  const visibleUntil = nowMs - listLagMs;
  function* matching(): Generator<number> {
    for (const i of book.store.window(query.fromMs, query.toMs, query.after)) {
      if (book.listed(i, visibleUntil) && book.status(i) === query.status) yield i;
    }
  }
  const page = takePage(matching(), query.maxPerPage ?? Infinity);
  const last = page.items[page.items.length - 1];
  return {
    items: page.items.map((i) => book.render(i, nowMs)),
    next: page.more && last !== undefined ? book.boxId(last) : undefined,
  };
}

/** A validated `returnRequests` query (§6.1). */
export interface ReturnQuery {
  cancelType: "RETURN" | "CANCEL";
  /** RU, UC, CC or PR; absent with `cancelType=CANCEL` or with `orderId`. */
  status?: ReturnFilter;
  orderId?: bigint;
  /** Window over the receipt's `createdAt`, epoch ms. */
  fromMs: number;
  toMs: number;
  /** Page size; `undefined` in minute mode (`searchType=timeFrame`), which does not page. */
  maxPerPage?: number;
  after?: bigint;
}

/**
 * The receipts of `query`, ascending by receiptId. Withdrawn receipts are gone (§7);
 * `cancelType=CANCEL` selects instant cancels of ACCEPT orders, `RETURN` the rest.
 */
export function listReturns(book: VendorBook, query: ReturnQuery): ListPage<ReturnRequest> {
  const matches = (r: Receipt): boolean =>
    Number.isNaN(r.withdrawnAtMs) &&
    receiptType(r) === query.cancelType &&
    r.createdAtMs >= query.fromMs &&
    r.createdAtMs < query.toMs &&
    (query.after === undefined || r.receiptId > query.after) &&
    (query.status === undefined || receiptMatches(r, query.status)) &&
    (query.orderId === undefined || r.orderId === query.orderId);
  const page = takePage(book.receipts.filter(matches), query.maxPerPage ?? Infinity);
  return {
    items: page.items.map((r) => book.renderReceipt(r)),
    next: page.more ? page.items[page.items.length - 1]?.receiptId : undefined,
  };
}

/** Withdrawals whose withdrawal time lies in [fromMs, toMs), page `pageIndex` (1-based) of `size` (§7). */
export function listWithdrawals(
  book: VendorBook,
  fromMs: number,
  toMs: number,
  pageIndex: number,
  size: number,
): { items: ReturnWithdrawal[]; nextPageIndex: number | undefined } {
  const inWindow = book.withdrawals.filter((r) => r.withdrawnAtMs >= fromMs && r.withdrawnAtMs < toMs);
  const page = takePage(inWindow, size, (pageIndex - 1) * size);
  return {
    items: page.items.map((r) => book.renderWithdrawal(r)),
    nextPageIndex: page.more ? pageIndex + 1 : undefined,
  };
}

/** The withdrawals among `cancelIds`, in the order asked; IDs that were not withdrawn are left out (§7). */
export function withdrawalsByIds(book: VendorBook, cancelIds: readonly bigint[]): ReturnWithdrawal[] {
  return cancelIds.flatMap((id) => {
    const r = book.receiptById.get(id);
    return r !== undefined && !Number.isNaN(r.withdrawnAtMs) ? [book.renderWithdrawal(r)] : [];
  });
}

/** A validated `exchangeRequests` query (§8.1). */
export interface ExchangeQuery {
  fromMs: number;
  toMs: number;
  status?: ExchangeStatus;
  orderId?: bigint;
  maxPerPage: number;
  after?: bigint;
}

/** The exchanges of `query` created in the window, ascending by exchangeId, as served at `nowMs`. */
export function listExchanges(
  book: VendorBook,
  query: ExchangeQuery,
  nowMs: number,
): ListPage<ExchangeRequest> {
  const page = takePage(
    book.exchanges.filter(
      (x) =>
        x.createdAtMs >= query.fromMs &&
        x.createdAtMs < query.toMs &&
        (query.after === undefined || x.exchangeId > query.after) &&
        (query.status === undefined || x.status === query.status) &&
        (query.orderId === undefined || x.orderId === query.orderId),
    ),
    query.maxPerPage,
  );
  return {
    items: page.items.map((x) => book.renderExchange(x, nowMs)),
    next: page.more ? page.items[page.items.length - 1]?.exchangeId : undefined,
  };
}

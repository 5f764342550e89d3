import type { z } from "zod";
import {
  envelopeOf,
  listData,
  nestedList,
  objectData,
  objectOrListData,
  parseOne,
  readNextPageIndex,
  readNextToken,
  singleRecord,
} from "./envelope.js";
import type { CallContext } from "./envelope.js";
import { CoupangDataError } from "./errors.js";
import { InputCheck } from "./inputs.js";
import type { CoupangId } from "./inputs.js";
import { parseJson, stringifyJson } from "./json.js";
import { TokenBucketLimiter } from "./limiter/limiter.js";
import type { RateLimiter } from "./limiter/limiter.js";
import { paginate } from "./paging.js";
import type { PageOptions } from "./paging.js";
import { encodeQueryComponent } from "./query.js";
import type { DeliveryCompanyCode } from "./reference/carriers.js";
import { MIDDLE_CANCEL_CODES } from "./reference/cancel.js";
import type { MiddleCancelCode } from "./reference/cancel.js";
import { isCodeOf } from "./reference/codes.js";
import { BATCH_RESPONSE_CODES } from "./reference/result-codes.js";
import {
  EXCHANGE_REJECT_CODES,
  EXCHANGE_STATUSES,
  ORDER_STATUS_LABELS,
  RECEIPT_TYPES,
  RETURN_STATUS_FILTERS,
} from "./reference/statuses.js";
import type {
  ExchangeRejectCode,
  ExchangeStatus,
  ReceiptType,
  ReturnStatusFilter,
} from "./reference/statuses.js";
import { actionEnvelopeSchema, assembleActionResult } from "./schemas/action.js";
import type { ActionResult } from "./schemas/action.js";
import { batchRowSchema, batchSummarySchema } from "./schemas/batch.js";
import type { BatchResult } from "./schemas/batch.js";
import { assembleCancelResult, cancelEnvelopeSchema } from "./schemas/cancel.js";
import type { CancelResult } from "./schemas/cancel.js";
import { exchangeRequestSchema } from "./schemas/exchanges.js";
import type { ExchangeRequest } from "./schemas/exchanges.js";
import { deliveryHistoryEntrySchema, deliveryHistorySchema, orderSheetSchema } from "./schemas/ordersheet.js";
import type { DeliveryHistoryEntry, OrderSheet, OrderStatus } from "./schemas/ordersheet.js";
import { returnRequestSchema } from "./schemas/returns.js";
import type { ReturnRequest } from "./schemas/returns.js";
import { validateRecords } from "./schemas/validate.js";
import type { RejectedRecord, ValidRecord } from "./schemas/validate.js";
import { returnWithdrawalSchema } from "./schemas/withdrawals.js";
import type { ReturnWithdrawal } from "./schemas/withdrawals.js";
import {
  Transport,
  cpuMsSince,
  type CallSpec,
  type CoupangResponseEvent,
  type JsonResponse,
} from "./transport.js";

export type { CoupangResponseEvent } from "./transport.js";
export type { PageOptions } from "./paging.js";

/** Options of {@link CoupangClient}. */
export interface CoupangClientOptions {
  /** `https://api-gateway.coupang.com` in production (coupang-api.md §1), the simulator elsewhere. */
  baseUrl: string;
  /** The seller's vendor ID, e.g. `A00012345`; part of every path. */
  vendorId: string;
  accessKey: string;
  /** HMAC key; used only to sign, never logged or put into a message. */
  secretKey: string;
  /** `X-Requested-By` header (coupang-api.md §1); defaults to `vendorId`. */
  requestedBy?: string;
  /**
   * Per-attempt timeout of extended calls (lists and writes, sent with `X-EXTENDED-TIMEOUT:
   * 90000`), milliseconds; default 95 000, above the gateway's 90 s so its 504 arrives first.
   */
  timeoutMs?: number;
  /** Per-attempt timeout of the other calls (single lookups; the gateway gives up after 3 s), ms; default 30 000. */
  standardTimeoutMs?: number;
  /**
   * The per-vendor limiter every attempt passes through. Default: a {@link TokenBucketLimiter}
   * of this client alone at `requestsPerSecond`. Share one limiter among the clients of a
   * process, or a `RedisRateLimiter` among processes.
   */
  limiter?: RateLimiter;
  /** Rate of the default limiter, requests per second; default 5. Ignored when `limiter` is given. */
  requestsPerSecond?: number;
  /** How long a 429 without `Retry-After` pauses the vendor (limiter `pause`), ms; default 60 000. */
  rateLimitPauseMs?: number;
  /** The limiter `slowDown` applied when an answer carries `X-CAG-Warnings`; default half speed for 10 min. */
  warningSlowDown?: { factor: number; ms: number };
  /**
   * Called once per HTTP attempt (got's own retries included), e.g. for metrics. Must not throw:
   * an exception from it is ignored.
   */
  onResponse?: (event: CoupangResponseEvent) => void;
  /** Clock for the `signed-date` (tests); defaults to the system clock. */
  now?: () => Date;
  /**
   * The largest answer accepted, bytes; default 64 MiB (a page of 50 boxes is well under 1 MiB).
   * A larger one is cut off as it streams in and refused with `CoupangPayloadError`.
   */
  maxResponseBytes?: number;
}

/** Query of one PO list page in daily mode (coupang-api.md §2.1). */
export interface OrderSheetQuery {
  /** Required by Coupang; one of the six `ORDER_STATUSES`. */
  status: OrderStatus;
  /** First KST day of order creation, `yyyy-MM-dd`. */
  createdAtFrom: string;
  /** Last KST day, `yyyy-MM-dd`, inclusive; at most 31 days in all. */
  createdAtTo: string;
  /** 1–50, default 50. */
  maxPerPage?: number;
  /** The previous page's token; absent (or `""`) for the first page. Opaque. */
  nextToken?: string | undefined;
}

/** Query of the PO list in minute mode (`searchType=timeFrame`, coupang-api.md §2.1): no paging. */
export interface OrderSheetTimeFrameQuery {
  status: OrderStatus;
  /** KST `yyyy-MM-ddTHH:mm`, no offset. */
  createdAtFrom: string;
  /** KST `yyyy-MM-ddTHH:mm`, at most 24 h after `createdAtFrom`. */
  createdAtTo: string;
}

/**
 * What receiving one list answer cost this process, in CPU milliseconds (user + system, so a busy
 * machine does not inflate them as it does wall time): the transport's lossless JSON parse of the
 * body, then the schema validation of its records. HTTP time is in `CoupangResponseEvent`.
 */
export interface ReceiveTimings {
  parseCpuMs: number;
  validateCpuMs: number;
}

/** Valid POs and rejected raw records of one answer. */
export interface OrderSheetList {
  orders: Array<ValidRecord<OrderSheet>>;
  rejected: RejectedRecord[];
  /** Set by the client on every answer it receives; absent on lists built elsewhere (fakes, tests). */
  receiveTimings?: ReceiveTimings;
}

/** One PO list page: valid POs, rejected raw records, and the token of the next page. */
export interface OrderSheetPage extends OrderSheetList {
  /** `undefined` on the last page (Coupang sends `""` or nothing). */
  nextToken: string | undefined;
}

/** A box's delivery status history (coupang-api.md §2.4), entries newest first. */
export interface DeliveryHistory {
  shipmentBoxId: bigint;
  details: DeliveryHistoryEntry[];
  /** Entries that failed validation, with path and value. */
  rejected: RejectedRecord[];
  /** The `data` object as lossless JSON. */
  rawJson: string;
}

/**
 * One row of an invoice upload or update (coupang-api.md §4.1): one per **vendorItemId** of the
 * box; items of one box normally share the invoice number.
 */
export interface InvoiceRow {
  shipmentBoxId: CoupangId;
  orderId: CoupangId;
  vendorItemId: CoupangId;
  /** A carrier code of §4.3 (`HYUNDAI` for Lotte, `KGB` for Logen …). */
  deliveryCompanyCode: DeliveryCompanyCode;
  /**
   * Digits as the carrier's rule says (`checkInvoiceNumber`); `""` only for an item shipping later
   * in a split shipment, which then needs `estimatedShippingDate`.
   */
  invoiceNumber: string;
  /** `true` on every row of a split shipment (not possible with `DIRECT`); default `false`. */
  splitShipping?: boolean;
  /** `true` on the later call for the remaining items of a split box; default `false`. */
  preSplitShipped?: boolean;
  /** KST `yyyy-MM-dd` planned ship date of an item shipping later; default `""`. */
  estimatedShippingDate?: string;
}

/** One item to cancel (coupang-api.md §5.1). */
export interface CancelItem {
  vendorItemId: CoupangId;
  /** Quantity to cancel, > 0; an ACCEPT order allows only a full cancel. */
  receiptCount: number;
}

/** Arguments of {@link CoupangClient.cancelOrder} (coupang-api.md §5.1). `bigCancelCode` is always `CANERR`. */
export interface CancelOrderInput {
  orderId: CoupangId;
  /** Sent as the parallel arrays `vendorItemIds` / `receiptCounts`; items of one shipment box. */
  items: CancelItem[];
  middleCancelCode: MiddleCancelCode;
  /** The seller's WING login ID. */
  userId: string;
}

/** Query of one returnRequests page in daily mode (coupang-api.md §6.1). */
export interface ReturnRequestQuery {
  /** First KST day, `yyyy-MM-dd`. */
  createdAtFrom: string;
  /** Last KST day, `yyyy-MM-dd`, inclusive; at most 31 days in all. */
  createdAtTo: string;
  /** Return status filter; required in return mode unless `orderId` is given; not allowed with `cancelType: "CANCEL"`. */
  status?: ReturnStatusFilter;
  /** `RETURN` (Coupang's default) or `CANCEL` (orders cancelled while payment-complete). */
  cancelType?: ReceiptType;
  /** Not allowed with `cancelType: "CANCEL"`. */
  orderId?: CoupangId;
  /** 1–50; Coupang's default is 50. */
  maxPerPage?: number;
  nextToken?: string | undefined;
}

/** Query of returnRequests in minute mode (`searchType=timeFrame`, coupang-api.md §6.1): no paging, no orderId. */
export interface ReturnRequestTimeFrameQuery {
  /** KST `yyyy-MM-ddTHH:mm`, no offset. */
  createdAtFrom: string;
  /** KST `yyyy-MM-ddTHH:mm`, at most 31 days after `createdAtFrom`. */
  createdAtTo: string;
  /** Required in return mode; not allowed with `cancelType: "CANCEL"`. */
  status?: ReturnStatusFilter;
  cancelType?: ReceiptType;
}

/** Valid receipts and rejected raw records of one returnRequests answer. */
export interface ReturnRequestList {
  returns: Array<ValidRecord<ReturnRequest>>;
  rejected: RejectedRecord[];
}

/** One returnRequests page. */
export interface ReturnRequestPage extends ReturnRequestList {
  nextToken: string | undefined;
}

/** Query of one returnWithdrawRequests page (coupang-api.md §7). */
export interface ReturnWithdrawalQuery {
  /** First KST day of withdrawal, `yyyy-MM-dd`. */
  dateFrom: string;
  /** Last KST day, inclusive; at most 7 days in all. */
  dateTo: string;
  /** ≥ 1; default 1. */
  pageIndex?: number;
  /** 1–100; default 100 (Coupang's own default is 10). */
  sizePerPage?: number;
}

/** Valid withdrawals and rejected raw records of one answer. */
export interface ReturnWithdrawalList {
  withdrawals: Array<ValidRecord<ReturnWithdrawal>>;
  rejected: RejectedRecord[];
}

/** One returnWithdrawRequests page. */
export interface ReturnWithdrawalPage extends ReturnWithdrawalList {
  pageIndex: number;
  /** `undefined` on the last page (Coupang sends `""` or nothing). */
  nextPageIndex: number | undefined;
}

/** Query of one exchangeRequests page (coupang-api.md §8.1). */
export interface ExchangeRequestQuery {
  /** KST `yyyy-MM-ddTHH:mm:ss`, no offset. */
  createdAtFrom: string;
  /** KST `yyyy-MM-ddTHH:mm:ss`, at most 7 days after `createdAtFrom`. */
  createdAtTo: string;
  /** Leave out for every status. */
  status?: ExchangeStatus;
  orderId?: CoupangId;
  /** 1–100 (a client's cap [L]); left out by default, so Coupang's default of 10 applies. */
  maxPerPage?: number;
  nextToken?: string | undefined;
}

/** Valid exchanges and rejected raw records of one exchangeRequests page. */
export interface ExchangeRequestPage {
  exchanges: Array<ValidRecord<ExchangeRequest>>;
  rejected: RejectedRecord[];
  nextToken: string | undefined;
}

/** One replacement-shipment invoice of an exchange (coupang-api.md §8.2). */
export interface ExchangeInvoice {
  /** The **new** box from `deliveryInvoiceGroupDtos`, not `originalShipmentBoxId` (pitfall B-17). */
  shipmentBoxId: CoupangId;
  /** A carrier code of §4.3. */
  goodsDeliveryCode: DeliveryCompanyCode;
  invoiceNumber: string;
}

const API = "/v2/providers/openapi/apis/api";
const MAX_SPAN_DAYS = 31;
const MAX_ORDERSHEETS_PER_PAGE = 50;
const MAX_RETURNS_PER_PAGE = 50;
const MAX_EXCHANGES_PER_PAGE = 100;
const MAX_WITHDRAWALS_PER_PAGE = 100;
const MAX_ACK_BOXES = 50;
const MAX_CANCEL_IDS = 50;
const DAY_MS = 24 * 60 * 60 * 1000;

/** An answer read as an envelope, with the context for error messages. */
interface Answer {
  envelope: Record<string, unknown>;
  context: CallContext;
}

/**
 * A client of Coupang's WING OPEN API for one vendor (coupang-api.md): every endpoint the
 * order-sync worker needs, typed, with inputs checked before any call and answers validated.
 *
 * Transport (transport.ts): each attempt takes a token from the vendor's {@link RateLimiter},
 * then is signed with HMAC-SHA256 over the exact path and query sent; keep-alive sockets; lists
 * and writes are sent with `X-EXTENDED-TIMEOUT: 90000`. got retries GETs only (at most 2, ≤ 1 s
 * apart, on 500/502/503/504/521/524 and connection errors, never after a timeout); a write is
 * never retried by the client. A 401 is signed afresh and sent once more before it becomes a
 * `CoupangAuthError`. A 429 pauses the vendor in the limiter; `X-CAG-Warnings` slows it down.
 *
 * Answers: lossless JSON (64-bit IDs as `bigint`), list records validated one by one (bad ones
 * come back in `rejected`, never fail the page), business outcomes (per-row results, cancel
 * results, action results) returned as typed values, never thrown. Failures are thrown as one
 * `CoupangError` subclass (errors.ts). Call {@link close} to release the sockets.
 */
export class CoupangClient {
  readonly vendorId: string;
  private readonly transport: Transport;

  /** Throws a `RangeError` for a non-positive `requestsPerSecond` (default limiter). */
  constructor(options: CoupangClientOptions) {
    this.vendorId = options.vendorId;
    this.transport = new Transport({
      baseUrl: options.baseUrl.replace(/\/+$/, ""),
      vendorId: options.vendorId,
      accessKey: options.accessKey,
      secretKey: options.secretKey,
      requestedBy: options.requestedBy ?? options.vendorId,
      extendedTimeoutMs: options.timeoutMs ?? 95_000,
      standardTimeoutMs: options.standardTimeoutMs ?? 30_000,
      limiter:
        options.limiter ?? new TokenBucketLimiter({ requestsPerSecond: options.requestsPerSecond ?? 5 }),
      rateLimitPauseMs: options.rateLimitPauseMs ?? 60_000,
      warningSlowDown: options.warningSlowDown ?? { factor: 0.5, ms: 10 * 60_000 },
      onResponse: options.onResponse,
      now: options.now ?? (() => new Date()),
      maxResponseBytes: options.maxResponseBytes ?? 64 * 1024 * 1024,
    });
  }

  /**
   * Releases the keep-alive sockets and ends the calls still waiting for the rate limiter (a
   * paused vendor's wait lasts minutes): those, and any call after, throw
   * `CoupangRetryableError` with code `CLIENT_CLOSED`.
   */
  close(): void {
    this.transport.close();
  }

  // ── PO (order sheets), coupang-api.md §2 ────────────────────────────────────────────────

  /**
   * One page of the PO list in daily mode: `GET /v2/providers/openapi/apis/api/v4/vendors/{vendorId}/ordersheets`
   * (coupang-api.md §2.1, example §13.1). The v4 path answers with KST wall-clock times without
   * an offset and plain KRW numbers; the schema turns them into instants and numbers.
   *
   * Each record is validated on its own (`orders` / `rejected`); `nextToken` is `undefined` on
   * the last page; `receiveTimings` holds the CPU time of its parse and validation. Throws
   * `CoupangInputError` before calling when `status` is not one of the six,
   * a date is not `yyyy-MM-dd`, `createdAtFrom > createdAtTo`, the span exceeds 31 days (both
   * ends inclusive) or `maxPerPage` is not 1–50; `CoupangPayloadError` when the envelope has no
   * `data` array or an unreadable `nextToken`; otherwise the transport's `CoupangError`s.
   */
  async listOrderSheets(query: OrderSheetQuery): Promise<OrderSheetPage> {
    const path = this.path("v4", "ordersheets");
    const check = new InputCheck(this.context("GET", path));
    check.code("status", query.status, ORDER_STATUS_LABELS);
    check.dayWindow(
      ["createdAtFrom", "createdAtTo"],
      [query.createdAtFrom, query.createdAtTo],
      MAX_SPAN_DAYS,
    );
    const maxPerPage = check.pageSize(
      "maxPerPage",
      query.maxPerPage ?? MAX_ORDERSHEETS_PER_PAGE,
      MAX_ORDERSHEETS_PER_PAGE,
    );
    const { envelope, context, parseCpuMs } = await this.send({
      method: "GET",
      path,
      extended: true,
      query: [
        ["createdAtFrom", query.createdAtFrom],
        ["createdAtTo", query.createdAtTo],
        ["maxPerPage", maxPerPage],
        ["status", query.status],
        ["nextToken", query.nextToken === "" ? undefined : query.nextToken],
      ],
    });
    return {
      ...this.orderSheetList(envelope, context, parseCpuMs),
      nextToken: readNextToken(envelope, context),
    };
  }

  /**
   * Every page of a daily PO list query, following `nextToken` until Coupang sends `""` or none
   * (coupang-api.md §2.1); starts at `query.nextToken` when given (resuming a window). Each page
   * is yielded before the next is requested, so a caller can commit it first.
   *
   * Throws `CoupangPayloadError` after yielding a page whose token was already seen in this
   * listing (a loop) or when `maxPages` pages did not reach the end; `CoupangInputError` for a
   * `maxPages` that is not a positive integer; and whatever {@link listOrderSheets} throws.
   */
  orderSheetPages(
    query: OrderSheetQuery,
    options: PageOptions = {},
  ): AsyncGenerator<OrderSheetPage, void, undefined> {
    return this.tokenPages(query, (q) => this.listOrderSheets(q), this.path("v4", "ordersheets"), options);
  }

  /**
   * The PO list in minute mode: `GET …/v4/vendors/{vendorId}/ordersheets?searchType=timeFrame`
   * (coupang-api.md §2.1). No paging: one answer holds every PO of the window. Wide windows time
   * out even when empty; split with `splitMinuteWindows(from, to, OVERLAPPING_TEN_MINUTE_SLICES)`
   * (pitfall B-12).
   *
   * Throws `CoupangInputError` before calling for a bad `status`, a time that is not KST
   * `yyyy-MM-ddTHH:mm`, `createdAtFrom > createdAtTo` or a span over 24 h; `CoupangPayloadError`
   * when `data` is not an array; otherwise the transport's `CoupangError`s.
   */
  async listOrderSheetsByTimeFrame(query: OrderSheetTimeFrameQuery): Promise<OrderSheetList> {
    const path = this.path("v4", "ordersheets");
    const check = new InputCheck(this.context("GET", path));
    check.code("status", query.status, ORDER_STATUS_LABELS);
    check.timeWindow(
      ["createdAtFrom", "createdAtTo"],
      [query.createdAtFrom, query.createdAtTo],
      "minute",
      DAY_MS,
    );
    const { envelope, context, parseCpuMs } = await this.send({
      method: "GET",
      path,
      extended: true,
      query: [
        ["searchType", "timeFrame"],
        ["createdAtFrom", query.createdAtFrom],
        ["createdAtTo", query.createdAtTo],
        ["status", query.status],
      ],
    });
    return this.orderSheetList(envelope, context, parseCpuMs);
  }

  /**
   * One PO by shipment box: `GET …/v4/vendors/{vendorId}/ordersheets/{shipmentBoxId}`
   * (coupang-api.md §2.2); `data` is one object. Use it to refresh `receiver` after
   * acknowledging (pitfall B-14) and to read a box back after a write timed out.
   *
   * Throws `CoupangInputError` for an ID that is not a positive bigint or digit string;
   * `CoupangNotFoundError` for a 404 or an empty `data`; `CoupangPayloadError` naming the path and
   * value when the PO fails validation; otherwise the transport's `CoupangError`s.
   */
  async getOrderSheet(shipmentBoxId: CoupangId): Promise<ValidRecord<OrderSheet>> {
    const path = this.path(
      "v4",
      "ordersheets",
      this.id("GET", "shipmentBoxId", shipmentBoxId, "v4", "ordersheets", "{shipmentBoxId}"),
    );
    const { envelope, context } = await this.send({ method: "GET", path, extended: false });
    return this.parseRecord(orderSheetSchema, singleRecord(envelope, context, "PO"), context);
  }

  /**
   * Every PO (shipment box) of one order: `GET …/v4/vendors/{vendorId}/{orderId}/ordersheets`,
   * with `orderId` **before** `ordersheets` (coupang-api.md §2.3). The 2019 doc shows `data` as
   * one object; an array is accepted as well, and both become a list. After a split shipment the
   * shipped part has a new shipmentBoxId, found here (§4.1).
   *
   * Throws `CoupangInputError` for a bad ID; `CoupangPayloadError` when `data` is neither an
   * object nor an array; otherwise the transport's `CoupangError`s.
   */
  async getOrderSheetsByOrderId(orderId: CoupangId): Promise<OrderSheetList> {
    const id = this.id("GET", "orderId", orderId, "v4", "{orderId}", "ordersheets");
    const { envelope, context } = await this.send({
      method: "GET",
      path: this.path("v4", id, "ordersheets"),
      extended: false,
    });
    const { valid, rejected } = validateRecords(orderSheetSchema, objectOrListData(envelope, context));
    return { orders: valid, rejected };
  }

  /**
   * A box's delivery status history: `GET …/v4/vendors/{vendorId}/ordersheets/{shipmentBoxId}/history`
   * (coupang-api.md §2.4), `data: {shipmentBoxId, details: [{deliveryStatus, deliveryStatusDesc,
   * updatedAt}]}`, newest first; `updatedAt` is KST and becomes an instant. Entries are validated
   * one by one.
   *
   * Throws `CoupangInputError` for a bad ID; `CoupangPayloadError` when `data` is not an object,
   * has no valid `shipmentBoxId`, or `details` is not a list; otherwise the transport's errors.
   */
  async getDeliveryHistory(shipmentBoxId: CoupangId): Promise<DeliveryHistory> {
    const id = this.id(
      "GET",
      "shipmentBoxId",
      shipmentBoxId,
      "v4",
      "ordersheets",
      "{shipmentBoxId}",
      "history",
    );
    const { envelope, context } = await this.send({
      method: "GET",
      path: this.path("v4", "ordersheets", id, "history"),
      extended: false,
    });
    const data = objectData(envelope, context);
    const history = parseOne(deliveryHistorySchema, data, context, "data");
    const { valid, rejected } = validateRecords(
      deliveryHistoryEntrySchema,
      nestedList(data, "details", context, "data.details"),
    );
    return {
      shipmentBoxId: history.shipmentBoxId,
      details: valid.map((entry) => entry.value),
      rejected,
      rawJson: stringifyJson(data),
    };
  }

  // ── Writes on boxes and orders, coupang-api.md §3, §4, §5.1, §9 ────────────────────────

  /**
   * Acknowledges boxes (ACCEPT → INSTRUCT, "상품준비중 처리"):
   * `PUT …/v4/vendors/{vendorId}/ordersheets/acknowledgement` with `{vendorId, shipmentBoxIds}`
   * (coupang-api.md §3). Coupang answers HTTP 200 with one row per box; the ack may take up to
   * ~30 min to show in the lists (pitfall B-7). Re-read the box afterwards (B-14).
   *
   * Returns a {@link BatchResult}: decide per box, never from the summary. Throws
   * `CoupangInputError` for an empty list, more than 50 boxes, a bad or repeated ID;
   * `CoupangPayloadError` when `data` is not an object or `responseList` not a list; otherwise the
   * transport's `CoupangError`s (after a 504/521 the change may have been applied: read back first).
   */
  async acknowledgeOrders(shipmentBoxIds: readonly CoupangId[]): Promise<BatchResult> {
    const path = this.path("v4", "ordersheets", "acknowledgement");
    const ids = new InputCheck(this.context("PUT", path)).ids(
      "shipmentBoxIds",
      shipmentBoxIds,
      MAX_ACK_BOXES,
    );
    const answer = await this.send({
      method: "PUT",
      path,
      extended: true,
      body: { vendorId: this.vendorId, shipmentBoxIds: ids },
    });
    return this.batchResult(answer, ids);
  }

  /**
   * Uploads invoices (INSTRUCT → DEPARTURE): `POST …/v4/vendors/{vendorId}/orders/invoices` with
   * `{vendorId, orderSheetInvoiceApplyDtos: [{shipmentBoxId, orderId, vendorItemId,
   * deliveryCompanyCode, invoiceNumber, splitShipping, preSplitShipped, estimatedShippingDate}]}`
   * (coupang-api.md §4.1): one row per vendorItemId. A box that is not INSTRUCT answers
   * `INVALID_STATUS` (pitfall B-6); a number used within 6 months `NOT_ALLOW_INVOICE_NUMBER_RE_UPLOAD`
   * (B-10). See {@link acknowledgeOrders} for the result and the errors; the input checks are those
   * of {@link InvoiceRow} (carrier known, digits per carrier, split-shipping rules, no repeated
   * box/item pair).
   */
  uploadInvoices(rows: readonly InvoiceRow[]): Promise<BatchResult> {
    return this.sendInvoices("invoices", rows);
  }

  /**
   * Replaces invoices of boxes already shipped (DEPARTURE, DELIVERING, FINAL_DELIVERY,
   * NONE_TRACKING): `POST …/v4/vendors/{vendorId}/orders/updateInvoices`, body and answer as
   * {@link uploadInvoices} (coupang-api.md §4.2).
   */
  updateInvoices(rows: readonly InvoiceRow[]): Promise<BatchResult> {
    return this.sendInvoices("updateInvoices", rows);
  }

  /**
   * Cancels ordered items as the seller: `POST /v2/providers/openapi/apis/api/v5/vendors/{vendorId}/orders/{orderId}/cancel`
   * with `{orderId, vendorItemIds, receiptCounts, bigCancelCode: "CANERR", middleCancelCode,
   * vendorId, userId}` (coupang-api.md §5.1). An ACCEPT order is cancelled at once (full cancel
   * only); an INSTRUCT order gets a stop-shipment. Send one call per shipment box. Lowers the
   * seller's fulfilment score.
   *
   * Returns a {@link CancelResult} item by item, from the current `receiptMap` keyed by
   * receiptId or the 2019 plain object, with `failedVendorItemIds` and the per-item reasons of
   * `message`. A total failure (`code` "400" with an empty `receiptMap`, also when sent as HTTP
   * 400 with that body) is a result, not an exception. Throws `CoupangInputError` for a bad
   * orderId, no items, a bad or repeated vendorItemId, a count ≤ 0, an unknown
   * `middleCancelCode` or an empty `userId`; `CoupangDataError` for any other 400; otherwise the
   * transport's `CoupangError`s.
   */
  async cancelOrder(input: CancelOrderInput): Promise<CancelResult> {
    const check = new InputCheck(this.context("POST", this.path("v5", "orders", "{orderId}", "cancel")));
    const orderId = check.id("orderId", input.orderId);
    if (!Array.isArray(input.items) || input.items.length === 0)
      check.fail("items", input.items, "a non-empty array");
    const items = input.items.map((item, i) => ({
      vendorItemId: check.id(`items[${i}].vendorItemId`, item.vendorItemId),
      receiptCount: check.positiveCount(`items[${i}].receiptCount`, item.receiptCount),
    }));
    check.distinct(
      "items[].vendorItemId",
      items.map((item) => item.vendorItemId),
    );
    const middleCancelCode = check.code("middleCancelCode", input.middleCancelCode, MIDDLE_CANCEL_CODES);
    const userId = check.text("userId", input.userId);
    const spec: CallSpec = {
      method: "POST",
      path: this.path("v5", "orders", orderId, "cancel"),
      extended: true,
      body: {
        orderId,
        vendorItemIds: items.map((item) => item.vendorItemId),
        receiptCounts: items.map((item) => item.receiptCount),
        bigCancelCode: "CANERR",
        middleCancelCode,
        vendorId: this.vendorId,
        userId,
      },
    };
    let answer: Answer;
    try {
      answer = await this.send(spec);
    } catch (error) {
      const refused = error instanceof CoupangDataError ? this.cancelRefusal(error, spec) : undefined;
      if (refused === undefined) throw error;
      answer = refused;
    }
    const envelope = parseOne(cancelEnvelopeSchema, answer.envelope, answer.context, "$");
    return assembleCancelResult(envelope, items, stringifyJson(answer.envelope));
  }

  /**
   * Marks a box delivered whose tracking never finished ("장기미배송 배송완료 처리"):
   * `POST …/v4/vendors/{vendorId}/completeLongTermUndelivery` with `{shipmentBoxId,
   * invoiceNumber}` (coupang-api.md §9). Allowed for DEPARTURE/DELIVERING boxes 30 days after
   * DEPARTURE. Answers `{code:"200", message:"SUCCESS", data:true}`: `succeeded` reads `data`.
   *
   * Throws `CoupangInputError` for a bad ID or an empty invoice number; `CoupangDataError` for
   * Coupang's 400 (`배송완료 처리 실패. 배송상태: INSTRUCT`); otherwise the transport's errors.
   */
  async completeLongTermUndelivery(input: {
    shipmentBoxId: CoupangId;
    invoiceNumber: string;
  }): Promise<ActionResult> {
    const path = this.path("v4", "completeLongTermUndelivery");
    const check = new InputCheck(this.context("POST", path));
    const shipmentBoxId = check.id("shipmentBoxId", input.shipmentBoxId);
    const invoiceNumber = check.text("invoiceNumber", input.invoiceNumber);
    return this.action({ method: "POST", path, extended: true, body: { shipmentBoxId, invoiceNumber } });
  }

  // ── Return and cancel requests, coupang-api.md §5.3, §6 ──────────────────────────────────

  /**
   * One page of return/cancel receipts in daily mode: `GET …/v6/vendors/{vendorId}/returnRequests`
   * (coupang-api.md §6.1, example §13.2). Returns by `status` (RU, UC, CC, PR) or `orderId`; orders
   * cancelled while payment-complete with `cancelType: "CANCEL"` and neither of those. The answer
   * is read in the KR/legacy shape (KST times, KRW numbers) and in the internationalised v6 shape
   * (offset times, Money objects) alike; this client sends no `+09:00` offset, as the official v6
   * example does not (whether v6 requires it is not confirmed).
   *
   * Throws `CoupangInputError` before calling for dates that are not `yyyy-MM-dd`, a span over
   * 31 days, `createdAtFrom > createdAtTo`, an unknown `status` or `cancelType`, `status` or
   * `orderId` with `cancelType: "CANCEL"`, neither in return mode, a bad `orderId`, or a
   * `maxPerPage` outside 1–50; `CoupangPayloadError` for a malformed envelope; otherwise the
   * transport's `CoupangError`s.
   */
  async listReturnRequests(query: ReturnRequestQuery): Promise<ReturnRequestPage> {
    const path = this.path("v6", "returnRequests");
    const check = new InputCheck(this.context("GET", path));
    check.dayWindow(
      ["createdAtFrom", "createdAtTo"],
      [query.createdAtFrom, query.createdAtTo],
      MAX_SPAN_DAYS,
    );
    const filter = this.returnFilter(check, query, true);
    const maxPerPage =
      query.maxPerPage === undefined
        ? undefined
        : check.pageSize("maxPerPage", query.maxPerPage, MAX_RETURNS_PER_PAGE);
    const { envelope, context } = await this.send({
      method: "GET",
      path,
      extended: true,
      query: [
        ["createdAtFrom", query.createdAtFrom],
        ["createdAtTo", query.createdAtTo],
        ...filter,
        ["maxPerPage", maxPerPage],
        ["nextToken", query.nextToken === "" ? undefined : query.nextToken],
      ],
    });
    const { valid, rejected } = validateRecords(returnRequestSchema, listData(envelope, context));
    return { returns: valid, rejected, nextToken: readNextToken(envelope, context) };
  }

  /**
   * Every page of a daily returnRequests query, following `nextToken` (coupang-api.md §6.1); the
   * paging rules and errors of {@link orderSheetPages}.
   */
  returnRequestPages(
    query: ReturnRequestQuery,
    options: PageOptions = {},
  ): AsyncGenerator<ReturnRequestPage, void, undefined> {
    return this.tokenPages(
      query,
      (q) => this.listReturnRequests(q),
      this.path("v6", "returnRequests"),
      options,
    );
  }

  /**
   * Return/cancel receipts in minute mode: `GET …/v6/vendors/{vendorId}/returnRequests?searchType=timeFrame`
   * (coupang-api.md §6.1): no paging, no `orderId`, so return mode needs a `status`. The span
   * limit is 31 days as the current doc and its 7-day example say (a 2019 FAQ said 24 h; keep
   * windows short anyway, they time out).
   *
   * Throws `CoupangInputError` for times that are not KST `yyyy-MM-ddTHH:mm`, a span over 31 days,
   * a bad or missing `status`, or `status` with `cancelType: "CANCEL"`; otherwise as
   * {@link listReturnRequests}.
   */
  async listReturnRequestsByTimeFrame(query: ReturnRequestTimeFrameQuery): Promise<ReturnRequestList> {
    const path = this.path("v6", "returnRequests");
    const check = new InputCheck(this.context("GET", path));
    check.timeWindow(
      ["createdAtFrom", "createdAtTo"],
      [query.createdAtFrom, query.createdAtTo],
      "minute",
      MAX_SPAN_DAYS * DAY_MS,
    );
    const filter = this.returnFilter(check, query, false);
    const { envelope, context } = await this.send({
      method: "GET",
      path,
      extended: true,
      query: [
        ["searchType", "timeFrame"],
        ["createdAtFrom", query.createdAtFrom],
        ["createdAtTo", query.createdAtTo],
        ...filter,
      ],
    });
    const { valid, rejected } = validateRecords(returnRequestSchema, listData(envelope, context));
    return { returns: valid, rejected };
  }

  /**
   * One return receipt: `GET …/v6/vendors/{vendorId}/returnRequests/{receiptId}` (coupang-api.md
   * §6.2); `data` is an array of one. Takes a **return** receiptId only (cancel receipts are not
   * supported by Coupang). A withdrawn return is gone from here: check returnWithdrawList.
   *
   * Throws `CoupangInputError` for a bad ID; `CoupangNotFoundError` for a 404 or an empty `data`;
   * `CoupangPayloadError` naming path and value when the receipt fails validation; otherwise
   * the transport's `CoupangError`s.
   */
  async getReturnRequest(receiptId: CoupangId): Promise<ValidRecord<ReturnRequest>> {
    const id = this.id("GET", "receiptId", receiptId, "v6", "returnRequests", "{receiptId}");
    const { envelope, context } = await this.send({
      method: "GET",
      path: this.path("v6", "returnRequests", id),
      extended: false,
    });
    return this.parseRecord(returnRequestSchema, singleRecord(envelope, context, "return receipt"), context);
  }

  /**
   * Stops the shipment of a receipt not yet shipped ("출고중지완료"):
   * `PUT …/v4/vendors/{vendorId}/returnRequests/{receiptId}/stoppedShipment` with `{vendorId,
   * receiptId, cancelCount}` (coupang-api.md §5.3). For receipts in `RELEASE_STOP_UNCHECKED` (or
   * `RETURNS_UNCHECKED` with `releaseStatus` N); acts on the whole receipt: `cancelCount` must equal
   * its `cancelCountSum`. Answers `data: {resultCode: SUCCESS|FAIL, resultMessage}` → {@link ActionResult}.
   *
   * Throws `CoupangInputError` for a bad ID or a count ≤ 0; `CoupangDataError` for Coupang's 400
   * (`Product is already returned.`); otherwise the transport's `CoupangError`s.
   */
  async stopShipment(input: { receiptId: CoupangId; cancelCount: number }): Promise<ActionResult> {
    return this.returnAction("stoppedShipment", input.receiptId, (check) => ({
      cancelCount: check.positiveCount("cancelCount", input.cancelCount),
    }));
  }

  /**
   * Reports that a receipt's items had already shipped ("이미출고 처리"):
   * `PUT …/v4/vendors/{vendorId}/returnRequests/{receiptId}/completedShipment` with `{vendorId,
   * receiptId, deliveryCompanyCode, invoiceNumber}` (coupang-api.md §5.3). The receipt becomes a
   * return; the seller pays shipping both ways. The example answer nests `code`/`message` inside
   * `data`; {@link ActionResult} reads both places.
   *
   * Throws `CoupangInputError` for a bad ID, an unknown carrier or an invoice number that breaks
   * the carrier's digit rule; otherwise as {@link stopShipment}.
   */
  async markAlreadyShipped(input: {
    receiptId: CoupangId;
    deliveryCompanyCode: DeliveryCompanyCode;
    invoiceNumber: string;
  }): Promise<ActionResult> {
    return this.returnAction("completedShipment", input.receiptId, (check) => {
      const deliveryCompanyCode = check.carrier("deliveryCompanyCode", input.deliveryCompanyCode);
      return {
        deliveryCompanyCode,
        invoiceNumber: check.invoiceNumber("invoiceNumber", deliveryCompanyCode, input.invoiceNumber),
      };
    });
  }

  /**
   * Confirms that a returned item arrived ("입고 확인"):
   * `PUT …/v4/vendors/{vendorId}/returnRequests/{receiptId}/receiveConfirmation` with `{vendorId,
   * receiptId}` (coupang-api.md §6.3), for receipts in `RETURNS_UNCHECKED`; for a quick-refund item
   * it triggers the refund. Answers `{code:"200", message:"OK"}`. Errors as {@link stopShipment}.
   */
  async confirmReturnReceived(receiptId: CoupangId): Promise<ActionResult> {
    return this.returnAction("receiveConfirmation", receiptId, () => ({}));
  }

  /**
   * Approves a return ("반품요청 승인"): `PUT …/v4/vendors/{vendorId}/returnRequests/{receiptId}/approval`
   * with `{vendorId, receiptId, cancelCount}` (coupang-api.md §6.3), `cancelCount` being the whole
   * quantity of the receipt; for `VENDOR_WAREHOUSE_CONFIRM` cases. Errors as {@link stopShipment}.
   */
  async approveReturn(input: { receiptId: CoupangId; cancelCount: number }): Promise<ActionResult> {
    return this.returnAction("approval", input.receiptId, (check) => ({
      cancelCount: check.positiveCount("cancelCount", input.cancelCount),
    }));
  }

  // ── Withdrawn returns, coupang-api.md §7 ─────────────────────────────────────────────────

  /**
   * One page of withdrawn returns by period: `GET …/v4/vendors/{vendorId}/returnWithdrawRequests?dateFrom&dateTo&pageIndex&sizePerPage`
   * (coupang-api.md §7). A withdrawn return disappears from returnRequests: keep the receiptIds
   * seen and match them against `cancelId`. `nextPageIndex` is `undefined` on the last page.
   *
   * Throws `CoupangInputError` before calling for dates that are not `yyyy-MM-dd`, `dateFrom >
   * dateTo`, a span over 7 days (both inclusive), a `pageIndex` < 1 or a `sizePerPage` outside
   * 1–100; `CoupangPayloadError` for a malformed envelope or `nextPageIndex`; otherwise the
   * transport's `CoupangError`s.
   */
  async listReturnWithdrawals(query: ReturnWithdrawalQuery): Promise<ReturnWithdrawalPage> {
    const path = this.path("v4", "returnWithdrawRequests");
    const check = new InputCheck(this.context("GET", path));
    check.dayWindow(["dateFrom", "dateTo"], [query.dateFrom, query.dateTo], 7);
    const pageIndex = check.positiveCount("pageIndex", query.pageIndex ?? 1);
    const sizePerPage = check.pageSize(
      "sizePerPage",
      query.sizePerPage ?? MAX_WITHDRAWALS_PER_PAGE,
      MAX_WITHDRAWALS_PER_PAGE,
    );
    const { envelope, context } = await this.send({
      method: "GET",
      path,
      extended: true,
      query: [
        ["dateFrom", query.dateFrom],
        ["dateTo", query.dateTo],
        ["pageIndex", pageIndex],
        ["sizePerPage", sizePerPage],
      ],
    });
    const { valid, rejected } = validateRecords(returnWithdrawalSchema, listData(envelope, context));
    return { withdrawals: valid, rejected, pageIndex, nextPageIndex: readNextPageIndex(envelope, context) };
  }

  /**
   * Every page of a withdrawn-returns query from `query.pageIndex` (default 1), following
   * `nextPageIndex` until it is `""` or absent (coupang-api.md §7); a repeated page index or
   * `maxPages` pages without an end throw `CoupangPayloadError` (see {@link orderSheetPages}).
   */
  returnWithdrawalPages(
    query: ReturnWithdrawalQuery,
    options: PageOptions = {},
  ): AsyncGenerator<ReturnWithdrawalPage, void, undefined> {
    return paginate(
      {
        start: query.pageIndex ?? 1,
        fetch: (pageIndex) => this.listReturnWithdrawals({ ...query, pageIndex }),
        next: (page) => page.nextPageIndex,
        cursorName: "nextPageIndex",
        context: this.context("GET", this.path("v4", "returnWithdrawRequests")),
      },
      options,
    );
  }

  /**
   * Withdrawn returns by receipt: `POST …/v4/vendors/{vendorId}/returnWithdrawList` with
   * `{cancelIds: […]}` (coupang-api.md §7); a receiptId absent from the answer was not withdrawn.
   *
   * Throws `CoupangInputError` for an empty list, more than 50 IDs, a bad or repeated ID;
   * `CoupangPayloadError` when `data` is not an array; otherwise the transport's `CoupangError`s.
   */
  async getReturnWithdrawals(cancelIds: readonly CoupangId[]): Promise<ReturnWithdrawalList> {
    const path = this.path("v4", "returnWithdrawList");
    const ids = new InputCheck(this.context("POST", path)).ids("cancelIds", cancelIds, MAX_CANCEL_IDS);
    const { envelope, context } = await this.send({
      method: "POST",
      path,
      extended: true,
      body: { cancelIds: ids },
    });
    const { valid, rejected } = validateRecords(returnWithdrawalSchema, listData(envelope, context));
    return { withdrawals: valid, rejected };
  }

  // ── Exchanges, coupang-api.md §8 ─────────────────────────────────────────────────────────

  /**
   * One page of exchange requests: `GET …/v4/vendors/{vendorId}/exchangeRequests` (coupang-api.md
   * §8.1, example §13.3), times as KST `yyyy-MM-ddTHH:mm:ss`; split wider ranges with
   * `splitExchangeWindows`.
   *
   * Throws `CoupangInputError` before calling for times in another format, `createdAtFrom >
   * createdAtTo`, a span over 7 days, an unknown `status`, a bad `orderId` or a `maxPerPage`
   * outside 1–100; `CoupangPayloadError` for a malformed envelope; otherwise the transport's errors.
   */
  async listExchangeRequests(query: ExchangeRequestQuery): Promise<ExchangeRequestPage> {
    const path = this.path("v4", "exchangeRequests");
    const check = new InputCheck(this.context("GET", path));
    check.timeWindow(
      ["createdAtFrom", "createdAtTo"],
      [query.createdAtFrom, query.createdAtTo],
      "second",
      7 * DAY_MS,
    );
    const status =
      query.status === undefined ? undefined : check.code("status", query.status, EXCHANGE_STATUSES);
    const orderId = query.orderId === undefined ? undefined : check.id("orderId", query.orderId);
    const maxPerPage =
      query.maxPerPage === undefined
        ? undefined
        : check.pageSize("maxPerPage", query.maxPerPage, MAX_EXCHANGES_PER_PAGE);
    const { envelope, context } = await this.send({
      method: "GET",
      path,
      extended: true,
      query: [
        ["createdAtFrom", query.createdAtFrom],
        ["createdAtTo", query.createdAtTo],
        ["status", status],
        ["orderId", orderId],
        ["maxPerPage", maxPerPage],
        ["nextToken", query.nextToken === "" ? undefined : query.nextToken],
      ],
    });
    const { valid, rejected } = validateRecords(exchangeRequestSchema, listData(envelope, context));
    return { exchanges: valid, rejected, nextToken: readNextToken(envelope, context) };
  }

  /** Every page of an exchangeRequests query, following `nextToken`; rules and errors of {@link orderSheetPages}. */
  exchangeRequestPages(
    query: ExchangeRequestQuery,
    options: PageOptions = {},
  ): AsyncGenerator<ExchangeRequestPage, void, undefined> {
    return this.tokenPages(
      query,
      (q) => this.listExchangeRequests(q),
      this.path("v4", "exchangeRequests"),
      options,
    );
  }

  /**
   * Confirms receipt of the returned item of an exchange (RECEIPT → PROGRESS):
   * `PUT …/v4/vendors/{vendorId}/exchangeRequests/{exchangeId}/receiveConfirmation` with
   * `{exchangeId, vendorId}` (coupang-api.md §8.2); answers `{code:"200", message:"SUCCESS"}`.
   * Throws `CoupangInputError` for a bad ID; otherwise the transport's `CoupangError`s.
   */
  async confirmExchangeReceived(exchangeId: CoupangId): Promise<ActionResult> {
    const id = this.id(
      "PUT",
      "exchangeId",
      exchangeId,
      "v4",
      "exchangeRequests",
      "{exchangeId}",
      "receiveConfirmation",
    );
    return this.action({
      method: "PUT",
      path: this.path("v4", "exchangeRequests", id, "receiveConfirmation"),
      extended: true,
      body: { exchangeId: id, vendorId: this.vendorId },
    });
  }

  /**
   * Rejects an exchange: `PUT …/v4/vendors/{vendorId}/exchangeRequests/{exchangeId}/rejection`
   * with `{exchangeId, vendorId, exchangeRejectCode}` (coupang-api.md §8.2), the code being
   * `SOLDOUT` or `WITHDRAW` only; answers `data: {resultCode: SUCCESS|FAIL, resultMessage}`.
   * Throws `CoupangInputError` for a bad ID or another code; otherwise the transport's errors.
   */
  async rejectExchange(exchangeId: CoupangId, exchangeRejectCode: ExchangeRejectCode): Promise<ActionResult> {
    const path = this.path("v4", "exchangeRequests", "{exchangeId}", "rejection");
    const check = new InputCheck(this.context("PUT", path));
    const id = check.id("exchangeId", exchangeId);
    const code = check.code("exchangeRejectCode", exchangeRejectCode, EXCHANGE_REJECT_CODES);
    return this.action({
      method: "PUT",
      path: this.path("v4", "exchangeRequests", id, "rejection"),
      extended: true,
      body: { exchangeId: id, vendorId: this.vendorId, exchangeRejectCode: code },
    });
  }

  /**
   * Uploads the replacement-shipment invoice(s) of an exchange:
   * `POST …/v4/vendors/{vendorId}/exchangeRequests/{exchangeId}/invoices` with a **JSON array**
   * of `{exchangeId, vendorId, shipmentBoxId, goodsDeliveryCode, invoiceNumber}` (coupang-api.md
   * §8.2). Allowed after receive confirmation, once `collectStatus` is `CompleteCollect`, up to
   * ~10 min later; `shipmentBoxId` must be the new box of `deliveryInvoiceGroupDtos`
   * (`replacementShipmentBoxIds`), never `originalShipmentBoxId` (pitfall B-17): when the parsed
   * `exchange` is passed, an original box is refused before the call.
   *
   * Throws `CoupangInputError` for a bad ID, no invoices, a repeated box, an unknown carrier, an
   * invoice number that breaks its carrier's rule, or an original box; otherwise the transport's
   * errors. Answers `data: {resultCode, resultMessage}` → {@link ActionResult}.
   */
  async uploadExchangeInvoices(
    exchangeId: CoupangId,
    invoices: readonly ExchangeInvoice[],
    options: { exchange?: ExchangeRequest } = {},
  ): Promise<ActionResult> {
    const check = new InputCheck(
      this.context("POST", this.path("v4", "exchangeRequests", "{exchangeId}", "invoices")),
    );
    const id = check.id("exchangeId", exchangeId);
    if (!Array.isArray(invoices) || invoices.length === 0)
      check.fail("invoices", invoices, "a non-empty array");
    const originals = new Set(options.exchange?.exchangeItemDtoV1s.map((item) => item.originalShipmentBoxId));
    const body = invoices.map((invoice, i) => {
      const shipmentBoxId = check.id(`invoices[${i}].shipmentBoxId`, invoice.shipmentBoxId);
      if (originals.has(shipmentBoxId)) {
        check.fail(
          `invoices[${i}].shipmentBoxId`,
          shipmentBoxId,
          "the new box of deliveryInvoiceGroupDtos, not the item's originalShipmentBoxId (the box it first shipped in)",
        );
      }
      const goodsDeliveryCode = check.carrier(`invoices[${i}].goodsDeliveryCode`, invoice.goodsDeliveryCode);
      const invoiceNumber = check.invoiceNumber(
        `invoices[${i}].invoiceNumber`,
        goodsDeliveryCode,
        invoice.invoiceNumber,
      );
      return { exchangeId: id, vendorId: this.vendorId, shipmentBoxId, goodsDeliveryCode, invoiceNumber };
    });
    check.distinct(
      "invoices[].shipmentBoxId",
      body.map((row) => row.shipmentBoxId),
    );
    return this.action({
      method: "POST",
      path: this.path("v4", "exchangeRequests", id, "invoices"),
      extended: true,
      body,
    });
  }

  // ── Internals ─────────────────────────────────────────────────────────────────────────────

  /** `/v2/providers/openapi/apis/api/{version}/vendors/{vendorId}/…`; IDs as their digits. */
  /**
   * The pages of a list that Coupang pages with `nextToken`, from `query.nextToken` on (a resumed
   * listing) until `""` or none; the one pager of every such list (see `paginate`).
   */
  private tokenPages<
    Q extends { nextToken?: string | undefined },
    P extends { nextToken: string | undefined },
  >(
    query: Q,
    list: (query: Q) => Promise<P>,
    path: string,
    options: PageOptions,
  ): AsyncGenerator<P, void, undefined> {
    return paginate(
      {
        start: query.nextToken === "" ? undefined : query.nextToken,
        fetch: (nextToken) => list({ ...query, nextToken }),
        next: (page) => page.nextToken,
        cursorName: "nextToken",
        context: this.context("GET", path),
      },
      options,
    );
  }

  private path(version: "v4" | "v5" | "v6", ...segments: Array<string | bigint>): string {
    return `${API}/${version}/vendors/${encodeQueryComponent(this.vendorId)}/${segments.map(String).join("/")}`;
  }

  private context(method: string, path: string): CallContext {
    return { vendorId: this.vendorId, method, path };
  }

  /** Checks a path ID before the path can be built; errors name the path with `{field}` in it. */
  private id(
    method: string,
    field: string,
    value: CoupangId,
    version: "v4" | "v5" | "v6",
    ...template: string[]
  ): bigint {
    return new InputCheck(this.context(method, this.path(version, ...template))).id(field, value);
  }

  /** An answer's POs, each validated on its own, with what parsing and validating them cost. */
  private orderSheetList(
    envelope: Answer["envelope"],
    context: CallContext,
    parseCpuMs: number,
  ): OrderSheetList {
    const validating = process.cpuUsage();
    const { valid, rejected } = validateRecords(orderSheetSchema, listData(envelope, context));
    return { orders: valid, rejected, receiveTimings: { parseCpuMs, validateCpuMs: cpuMsSince(validating) } };
  }

  /** One call through the transport; the answer must be an envelope object. */
  private async send(spec: CallSpec): Promise<Answer & Pick<JsonResponse, "parseCpuMs">> {
    const { statusCode, body, parseCpuMs } = await this.transport.call(spec);
    const context: CallContext = {
      vendorId: this.vendorId,
      method: spec.method,
      path: spec.path,
      statusCode,
    };
    return { envelope: envelopeOf(body ?? {}, context), context, parseCpuMs };
  }

  private parseRecord<S extends z.ZodType>(
    schema: S,
    raw: unknown,
    context: CallContext,
  ): ValidRecord<z.output<S>> {
    return { value: parseOne(schema, raw, context, "data"), raw, rawJson: stringifyJson(raw) };
  }

  /** Reads `data: {responseCode, responseMessage, responseList}` of §3/§4 row by row. */
  private batchResult({ envelope, context }: Answer, requested: readonly bigint[]): BatchResult {
    const data = objectData(envelope, context);
    const summary = parseOne(batchSummarySchema, data, context, "data");
    const { valid, rejected } = validateRecords(
      batchRowSchema,
      nestedList(data, "responseList", context, "data.responseList"),
    );
    const rows = valid.map((row) => row.value);
    const answered = new Set(rows.map((row) => row.shipmentBoxId));
    const code = summary.responseCode;
    const key = String(code);
    return {
      outcome: isCodeOf(BATCH_RESPONSE_CODES, key) ? BATCH_RESPONSE_CODES[key] : "unknown",
      responseCode: code,
      responseMessage: summary.responseMessage,
      responseKey: summary.responseKey,
      rows,
      rejected,
      unanswered: [...new Set(requested)].filter((box) => !answered.has(box)),
    };
  }

  private async sendInvoices(
    endpoint: "invoices" | "updateInvoices",
    rows: readonly InvoiceRow[],
  ): Promise<BatchResult> {
    const path = this.path("v4", "orders", endpoint);
    const check = new InputCheck(this.context("POST", path));
    if (!Array.isArray(rows) || rows.length === 0)
      check.fail("orderSheetInvoiceApplyDtos", rows, "a non-empty array");
    const dtos = rows.map((row, i) => {
      const field = (name: string) => `orderSheetInvoiceApplyDtos[${i}].${name}`;
      const shipmentBoxId = check.id(field("shipmentBoxId"), row.shipmentBoxId);
      const orderId = check.id(field("orderId"), row.orderId);
      const vendorItemId = check.id(field("vendorItemId"), row.vendorItemId);
      const deliveryCompanyCode = check.carrier(field("deliveryCompanyCode"), row.deliveryCompanyCode);
      const splitShipping = row.splitShipping ?? false;
      const preSplitShipped = row.preSplitShipped ?? false;
      const estimatedShippingDate = row.estimatedShippingDate ?? "";
      if (preSplitShipped && !splitShipping)
        check.fail(field("preSplitShipped"), true, "only with splitShipping: true");
      if (splitShipping && deliveryCompanyCode === "DIRECT") {
        check.fail(
          field("deliveryCompanyCode"),
          "DIRECT",
          "DIRECT cannot be split (NOT_ALLOW_VENDOR_DIRECT)",
        );
      }
      if (estimatedShippingDate !== "") {
        if (!splitShipping) {
          check.fail(field("estimatedShippingDate"), estimatedShippingDate, `"" unless splitShipping: true`);
        }
        check.calendarDate(field("estimatedShippingDate"), estimatedShippingDate);
      }
      const shipsLater = splitShipping && row.invoiceNumber === "";
      if (shipsLater && estimatedShippingDate === "") {
        check.fail(
          field("estimatedShippingDate"),
          "",
          "a KST yyyy-MM-dd date for an item shipping later (empty invoiceNumber)",
        );
      }
      const invoiceNumber = shipsLater
        ? ""
        : check.invoiceNumber(field("invoiceNumber"), deliveryCompanyCode, row.invoiceNumber);
      return {
        shipmentBoxId,
        orderId,
        vendorItemId,
        deliveryCompanyCode,
        invoiceNumber,
        splitShipping,
        preSplitShipped,
        estimatedShippingDate,
      };
    });
    check.distinct(
      "orderSheetInvoiceApplyDtos[].(shipmentBoxId, vendorItemId)",
      dtos.map((dto) => `${dto.shipmentBoxId}/${dto.vendorItemId}`),
    );
    const answer = await this.send({
      method: "POST",
      path,
      extended: true,
      body: { vendorId: this.vendorId, orderSheetInvoiceApplyDtos: dtos },
    });
    return this.batchResult(
      answer,
      dtos.map((dto) => dto.shipmentBoxId),
    );
  }

  /**
   * The body of a 400 answer to a cancel, when it is the documented total-failure result (a
   * `data` object with `failedVendorItemIds`/`failedItemIds` or `receiptMap`), as an answer;
   * otherwise `undefined` (the 400 stays an error).
   */
  private cancelRefusal(error: CoupangDataError, spec: CallSpec): Answer | undefined {
    let body: unknown;
    try {
      body = parseJson(error.body ?? "");
    } catch {
      return undefined;
    }
    const data =
      typeof body === "object" && body !== null ? (body as Record<string, unknown>).data : undefined;
    const isResult =
      typeof data === "object" &&
      data !== null &&
      ["failedVendorItemIds", "failedItemIds", "receiptMap"].some((key) => key in data);
    if (!isResult) return undefined;
    return {
      envelope: body as Record<string, unknown>,
      context: {
        vendorId: this.vendorId,
        method: spec.method,
        path: spec.path,
        statusCode: error.statusCode,
      },
    };
  }

  /** The return/cancel filter of returnRequests (§6.1), checked; `withOrderId` only in daily mode. */
  private returnFilter(
    check: InputCheck,
    query: { status?: ReturnStatusFilter; cancelType?: ReceiptType; orderId?: CoupangId },
    withOrderId: boolean,
  ): Array<readonly [string, string | bigint | undefined]> {
    const cancelType =
      query.cancelType === undefined ? undefined : check.code("cancelType", query.cancelType, RECEIPT_TYPES);
    const orderId = query.orderId === undefined ? undefined : check.id("orderId", query.orderId);
    if (cancelType === "CANCEL") {
      if (query.status !== undefined) check.fail("status", query.status, "left out with cancelType=CANCEL");
      if (orderId !== undefined) check.fail("orderId", query.orderId, "left out with cancelType=CANCEL");
    } else if (query.status === undefined && (orderId === undefined || !withOrderId)) {
      check.fail(
        "status",
        undefined,
        withOrderId
          ? "one of RU, UC, CC, PR, or an orderId, for returns (cancelType RETURN)"
          : "one of RU, UC, CC, PR for returns in timeFrame mode (orderId is not supported there)",
      );
    }
    const status =
      query.status === undefined ? undefined : check.code("status", query.status, RETURN_STATUS_FILTERS);
    return [
      ["status", status],
      ["cancelType", cancelType],
      ["orderId", withOrderId ? orderId : undefined],
    ];
  }

  /** A PUT on one return receipt (§5.3, §6.3) with `{vendorId, receiptId, …extra}`. */
  private async returnAction(
    action: "stoppedShipment" | "completedShipment" | "receiveConfirmation" | "approval",
    receiptId: CoupangId,
    extra: (check: InputCheck) => Record<string, unknown>,
  ): Promise<ActionResult> {
    const check = new InputCheck(
      this.context("PUT", this.path("v4", "returnRequests", "{receiptId}", action)),
    );
    const id = check.id("receiptId", receiptId);
    const body = { vendorId: this.vendorId, receiptId: id, ...extra(check) };
    return this.action({
      method: "PUT",
      path: this.path("v4", "returnRequests", id, action),
      extended: true,
      body,
    });
  }

  private async action(spec: CallSpec): Promise<ActionResult> {
    const { envelope, context } = await this.send(spec);
    return assembleActionResult(
      parseOne(actionEnvelopeSchema, envelope, context, "$"),
      stringifyJson(envelope),
    );
  }
}

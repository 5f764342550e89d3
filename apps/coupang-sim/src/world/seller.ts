import { carrierByCode, carrierByGoodsflowCode, invoiceNumberFits, type Carrier } from "./carriers.js";
import type { VendorBook } from "./book.js";
import { MIDDLE_CANCEL_CODES, sellerCancelReason, type Exchange, type Receipt } from "./claims.js";
import { ApiError, Refused, badRequest, internalException } from "./errors.js";
import { parseKstDay } from "./kst.js";
import {
  completeReceipt,
  markPickedUp,
  openReceipt,
  receiveExchange,
  rejectExchange,
  releaseStop,
  setReceiptStatus,
} from "./lifecycle.js";
import { CANCELLED, RETURNED, type Line } from "./store.js";
import type { SimVendor } from "./types.js";

/**
 * The seller's side of the API: what each write endpoint checks and answers, following
 * coupang-api.md §3–§9 (result codes, messages, status codes). Every function works at the
 * instant `nowMs` (epoch ms) and returns an {@link Outcome}; parameter shapes were checked
 * by the HTTP layer.
 */

/** An answer to a write: HTTP status, Coupang body, and the targets it changed (for the write log). */
export interface Outcome {
  status: number;
  body: unknown;
  /** `"<kind>:<id>"` of every target the call changed, e.g. `shipmentBoxId:300…`; empty when nothing was. */
  applied: string[];
}

/** One row of a batch result (`responseList[]`, §3 and §4). */
export interface ResultRow {
  shipmentBoxId: bigint;
  succeed: boolean;
  resultCode: string;
  retryRequired: boolean;
  resultMessage: string | null;
}

const box = (id: bigint): string => `shipmentBoxId:${id}`;

/** A deterministic request number, formatted like the UUID Coupang prints in cancel messages (§5.1). */
function requestNumber(book: VendorBook): string {
  const rng = book.rng("request", book.requests++);
  const h = Array.from({ length: 4 }, () => rng.uint32().toString(16).padStart(8, "0")).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

// ---------------------------------------------------------------- §3 acknowledgement

const NOT_CHANGEABLE = "배송상태를 변경할 수 없습니다. 주문내역을 확인해주세요.";

/**
 * `PUT …/ordersheets/acknowledgement` (§3): ACCEPT → INSTRUCT per box. With an
 * acknowledgement visibility lag (B-7) the change is accepted now and becomes visible
 * later; acknowledging again meanwhile succeeds again. `responseCode` is 0 all, 1 some, 99
 * none succeeded. `shipmentBoxIds` has 1–50 entries (checked by the caller).
 * @param rowFault asked once per box first (a `rowFailure` fault): true fails the row with
 *   §3's retryable `NOT_FOUND_SHIPMENT_BOX` and leaves the box as it is.
 */
export function acknowledge(
  book: VendorBook,
  shipmentBoxIds: readonly bigint[],
  nowMs: number,
  rowFault: () => boolean = () => false,
): Outcome {
  const rows = shipmentBoxIds.map((id): ResultRow => {
    const i = rowFault() ? -1 : book.findBox(id, nowMs);
    if (i < 0) {
      return row(id, "NOT_FOUND_SHIPMENT_BOX", true, `shipmentBoxId (${id}) is not found.`);
    }
    if (book.status(i) !== "ACCEPT" || book.has(i, CANCELLED | RETURNED)) {
      return row(id, "INVALID_STATUS", false, NOT_CHANGEABLE);
    }
    const o = book.overlay(i);
    if (o.ackPending !== true) {
      if (book.link.ackVisibilityLagMs > 0) {
        o.ackPending = true;
        book.scheduleAt("ackVisible", nowMs + book.link.ackVisibilityLagMs, i, book.store.epoch[i] ?? 0);
      } else {
        makeAckVisible(book, i, nowMs);
      }
    }
    return {
      shipmentBoxId: id,
      succeed: true,
      resultCode: "OK",
      retryRequired: false,
      resultMessage: "request succeeded.",
    };
  });
  const ok = rows.filter((r) => r.succeed);
  const code = ok.length === rows.length ? 0 : ok.length === 0 ? 99 : 1;
  const message = ["All succeeded.", "Partial errors.", "All Failed."][code === 0 ? 0 : code === 1 ? 1 : 2];
  const key = BigInt.asIntN(64, (BigInt(book.rng("responseKey", book.requests++).uint32()) << 32n) | 0x5a5an);
  return {
    status: 200,
    body: {
      code: "200",
      message: "OK",
      data: {
        responseKey: key,
        responseCode: code,
        responseMessage: `apply instructStatus result - ${message}`,
        responseList: rows,
      },
    },
    applied: ok.map((r) => box(r.shipmentBoxId)),
  };
}

/** An acknowledged box becomes INSTRUCT at `atMs` (after the visibility lag, if any). */
export function makeAckVisible(book: VendorBook, i: number, atMs: number): void {
  book.overlay(i).ackPending = undefined;
  book.store.instructAtMs[i] = atMs;
  book.setStatus(i, "INSTRUCT", atMs);
}

function row(
  shipmentBoxId: bigint,
  resultCode: string,
  retryRequired: boolean,
  resultMessage: string,
): ResultRow {
  return { shipmentBoxId, succeed: false, resultCode, retryRequired, resultMessage };
}

// ---------------------------------------------------------------- §4 invoices

/** One `orderSheetInvoiceApplyDtos[]` row (§4.1), types already checked. */
export interface InvoiceRow {
  shipmentBoxId: bigint;
  orderId: bigint;
  vendorItemId: bigint;
  deliveryCompanyCode: string;
  invoiceNumber: string;
  splitShipping: boolean;
  preSplitShipped: boolean;
  /** `yyyy-MM-dd` for split-later items, else `""`. */
  estimatedShippingDate: string;
}

/** How long an invoice number stays taken for other recipients (§4.1: 6 months). */
const REUSE_WINDOW_MS = 183 * 24 * 3600 * 1000;

/**
 * Every invoice number uploaded through the API, across vendors (a carrier's numbers are
 * global), with its recipient, for the 6-month reuse rule (§4.1, B-10). Generated history
 * is not registered. `DIRECT` numbers are never checked.
 */
export class InvoiceRegistry {
  private readonly used = new Map<string, { recipient: string; atMs: number; shipmentBoxId: bigint }>();

  /** True when `number` of `code` went to another recipient within 6 months before `nowMs`. */
  takenByOther(
    code: string,
    number: string,
    recipient: string,
    shipmentBoxId: bigint,
    nowMs: number,
  ): boolean {
    const prior = this.used.get(`${code}:${number}`);
    return (
      prior !== undefined &&
      prior.shipmentBoxId !== shipmentBoxId &&
      prior.recipient !== recipient &&
      nowMs - prior.atMs < REUSE_WINDOW_MS
    );
  }

  /** Records that `number` of `code` went to `recipient` on `shipmentBoxId` at `nowMs`. */
  record(code: string, number: string, recipient: string, shipmentBoxId: bigint, nowMs: number): void {
    if (code !== "DIRECT") this.used.set(`${code}:${number}`, { recipient, atMs: nowMs, shipmentBoxId });
  }
}

// prettier-ignore
const INVOICE_RESULTS: Readonly<Record<string, readonly [boolean, string]>> = {
  NOT_FOUND_SHIPMENT_BOX: [false, "존재하지 않는 배송번호입니다."],
  INVALID_STATUS: [false, "배송진행상태가 유효하지 않습니다."],
  DUPLICATE_INVOICE_NUMBER: [true, "이미 저장된 송장번호가 있습니다."],
  INVALID_INVOICE_NUMBER: [true, "송장번호가 유효하지 않습니다."],
  ORDER_DELIVERY_CANCELED: [false, "취소된 주문건입니다."],
  ORDER_DELIVERY_PARTIAL_STOP_REQUESTED: [true, "출고중지 요청건입니다."],
  NOT_ALLOW_INVOICE_NUMBER_RE_UPLOAD: [false, "이미 저장된 송장번호가 있어, 송장번호 등록이 불가능합니다. (동일송장번호 업로드 조건 : 주문자/수취인정보 동일)"],
  NOT_FOUND_INVOICE_NUMBER: [false, "이미 출고 예정일이 등록된 상품이어서 운송장 번호를 입력하셔야 합니다."],
  NOT_FOUND_VENDOR_ITEM: [false, "합포장건 중 누락된 상품이 있습니다."],
  NOT_ALLOW_VENDOR_DIRECT: [false, "업체직송은 분리배송 할 수 없습니다."],
  PSD_NOT_ALLOW_TO_CHANGE: [false, "출고예정일은 최초 등록 이후 변경 할 수 없습니다."],
  NOT_ALLOW_SEPARATE_AFTER_NORMAL_DELIVERY: [false, "일반배송 접수 후 분리배송을 다시 할 수 없습니다."],
  IS_SEPARATE_MUST_BE_TRUE_WHEN_SEPARATE_DELIVERY: [false, "분리배송 접수 후 일반배송으로 처리 할 수 없습니다. 분리배송 여부를 Y로 수정하시기 바랍니다."],
  NOT_ALLOW_SEPARATE_WHEN_ONE_VENDOR_ITEM: [false, "상품이 한가지인 경우 분리배송 할 수 없습니다."],
  UNDEFINED_ERROR_OCCUR: [true, "알수없는 오류"],
};

/** A failed invoice row with the documented `retryRequired` and message (§4.1 table). */
class InvoiceFailure extends Error {
  constructor(readonly resultCode: string) {
    super(resultCode);
  }
}

/** Statuses `updateInvoices` accepts (§4.2). */
const UPDATABLE = new Set(["DEPARTURE", "DELIVERING", "FINAL_DELIVERY", "NONE_TRACKING"]);

/** The carrier of `code`; an unknown code is Coupang's 500 "internal exception" (§0.9, §4.1). */
function carrierOr500(code: string, lookup = carrierByCode): Carrier {
  const carrier = lookup(code);
  if (carrier === undefined) throw internalException();
  return carrier;
}

/** Refuses an invoice number the carrier cannot have issued, with Coupang's 500 (§4.1). */
function checkNumberOr500(carrier: Carrier, invoiceNumber: string): void {
  if (!invoiceNumberFits(carrier, invoiceNumber)) throw internalException();
}

/** The recipient identity the 6-month rule compares: name and full address. */
function recipientKey(book: VendorBook, i: number): string {
  const r = book.receiver(i);
  return [r.name, r.addr1, r.addr2, r.postCode].join("|");
}

/**
 * `POST …/orders/invoices` (`mode: "upload"`, §4.1) and `…/orders/updateInvoices`
 * (`mode: "update"`, §4.2). The whole call is a 500 "internal exception" when a row names
 * an unknown carrier code or an invoice number in a format the carrier does not issue;
 * otherwise HTTP 200 with one result per box (`responseCode` 0, 1 or 99). Uploads move
 * INSTRUCT → DEPARTURE (NONE_TRACKING for `DIRECT`) and support split shipments; updates
 * apply in DEPARTURE/DELIVERING/FINAL_DELIVERY/NONE_TRACKING and restart tracking.
 * @param rowFault asked once per box first (a `rowFailure` fault): true fails the box's row
 *   with §4.1's retryable `UNDEFINED_ERROR_OCCUR` and leaves the box as it is.
 */
export function applyInvoices(
  book: VendorBook,
  registry: InvoiceRegistry,
  rows: readonly InvoiceRow[],
  mode: "upload" | "update",
  nowMs: number,
  rowFault: () => boolean = () => false,
): Outcome {
  for (const r of rows) {
    const carrier = carrierOr500(r.deliveryCompanyCode);
    if (r.invoiceNumber !== "") checkNumberOr500(carrier, r.invoiceNumber);
  }
  const groups = new Map<bigint, InvoiceRow[]>();
  for (const r of rows) groups.set(r.shipmentBoxId, [...(groups.get(r.shipmentBoxId) ?? []), r]);
  const results: ResultRow[] = [];
  for (const [id, group] of groups) {
    try {
      if (rowFault()) throw new InvoiceFailure("UNDEFINED_ERROR_OCCUR");
      invoiceBox(book, registry, id, group, mode, nowMs);
      results.push({
        shipmentBoxId: id,
        succeed: true,
        resultCode: "OK",
        retryRequired: false,
        resultMessage: null,
      });
    } catch (error) {
      if (!(error instanceof InvoiceFailure)) throw error;
      const [retryRequired, message] = INVOICE_RESULTS[error.resultCode] ?? [true, "알수없는 오류"];
      const i = book.findBox(id, nowMs);
      const suffix =
        i < 0 ? ` [합포장번호 : ${id}]` : ` [합포장번호 : ${id}] [주문번호 : ${book.orderIdOf(i)}]`;
      results.push(row(id, error.resultCode, retryRequired, `${message}${suffix}`));
    }
  }
  const ok = results.filter((r) => r.succeed).length;
  const [responseCode, responseMessage] =
    ok === results.length ? [0, "SUCCESS"] : ok === 0 ? [99, "FAILED"] : [1, "PARTIAL_ERROR"];
  return {
    status: 200,
    body: { code: 200, message: "OK", data: { responseCode, responseMessage, responseList: results } },
    applied: results.filter((r) => r.succeed).map((r) => box(r.shipmentBoxId)),
  };
}

/** Judges and applies the rows of one box; throws {@link InvoiceFailure} with the row's result code. */
function invoiceBox(
  book: VendorBook,
  registry: InvoiceRegistry,
  id: bigint,
  rows: readonly InvoiceRow[],
  mode: "upload" | "update",
  nowMs: number,
): void {
  const fail = (code: string): never => {
    throw new InvoiceFailure(code);
  };
  const i = book.findBox(id, nowMs);
  if (i < 0 || rows.some((r) => r.orderId !== book.orderIdOf(i))) fail("NOT_FOUND_SHIPMENT_BOX");
  if (book.has(i, CANCELLED | RETURNED)) fail("ORDER_DELIVERY_CANCELED");
  const o = book.overlay(i);
  if (o.pendingStop !== undefined) {
    const stopsAll = book.activeLines(i).every((l) => l.open <= 0);
    fail(stopsAll ? "ORDER_DELIVERY_CANCELED" : "ORDER_DELIVERY_PARTIAL_STOP_REQUESTED");
  }
  const status = book.status(i);
  if (mode === "upload" ? status !== "INSTRUCT" : !UPDATABLE.has(status)) fail("INVALID_STATUS");

  const active = book.activeLines(i);
  const known = new Set(book.lines(i).map((l) => l.vendorItemId));
  const sent = rows.map((r) => r.vendorItemId);
  if (
    sent.some((v) => !known.has(v)) ||
    new Set(sent).size !== sent.length ||
    active.some((l) => !sent.includes(l.vendorItemId))
  ) {
    fail("NOT_FOUND_VENDOR_ITEM");
  }
  const mine = rows.filter((r) => active.some((l) => l.vendorItemId === r.vendorItemId));
  const split = mine.some((r) => r.splitShipping);
  const alreadySplit = o.splitShipping === true;
  if (split) {
    if (mode === "update") fail("NOT_ALLOW_SEPARATE_AFTER_NORMAL_DELIVERY");
    if (mine.some((r) => r.deliveryCompanyCode === "DIRECT")) fail("NOT_ALLOW_VENDOR_DIRECT");
    if (alreadySplit) {
      if (mine.some((r) => r.invoiceNumber === "")) fail("NOT_FOUND_INVOICE_NUMBER");
      if (
        mine.some((r) => r.estimatedShippingDate !== "" && r.estimatedShippingDate !== o.plannedShippingDate)
      ) {
        fail("PSD_NOT_ALLOW_TO_CHANGE");
      }
    } else {
      if (active.length === 1) fail("NOT_ALLOW_SEPARATE_WHEN_ONE_VENDOR_ITEM");
      // Each row either ships now (a number) or later (a date), never both (§4.1 split shipping).
      const later = mine.filter((r) => r.invoiceNumber === "");
      if (mine.some((r) => (r.invoiceNumber === "") === (r.estimatedShippingDate === "")))
        fail("INVALID_INVOICE_NUMBER");
      if (later.some((r) => parseKstDay(r.estimatedShippingDate) === undefined))
        fail("INVALID_INVOICE_NUMBER");
      if (new Set(later.map((r) => r.estimatedShippingDate)).size > 1) fail("PSD_NOT_ALLOW_TO_CHANGE");
    }
  } else {
    if (alreadySplit) fail("IS_SEPARATE_MUST_BE_TRUE_WHEN_SEPARATE_DELIVERY");
    if (mine.some((r) => r.invoiceNumber === "")) fail("INVALID_INVOICE_NUMBER");
    if (new Set(mine.map((r) => `${r.deliveryCompanyCode}:${r.invoiceNumber}`)).size > 1)
      fail("INVALID_INVOICE_NUMBER");
  }

  const shipments = new Map<string, InvoiceRow[]>();
  for (const r of mine.filter((r) => r.invoiceNumber !== "")) {
    const key = `${r.deliveryCompanyCode}:${r.invoiceNumber}`;
    shipments.set(key, [...(shipments.get(key) ?? []), r]);
  }
  const recipient = recipientKey(book, i);
  const current = book.invoiceOf(i);
  for (const [first] of shipments.values()) {
    if (first === undefined) continue;
    if (
      mode === "update" &&
      current?.invoiceNumber === first.invoiceNumber &&
      current.code === first.deliveryCompanyCode
    ) {
      fail("DUPLICATE_INVOICE_NUMBER");
    }
    if (
      first.deliveryCompanyCode !== "DIRECT" &&
      registry.takenByOther(first.deliveryCompanyCode, first.invoiceNumber, recipient, id, nowMs)
    ) {
      fail("NOT_ALLOW_INVOICE_NUMBER_RE_UPLOAD");
    }
  }

  const laterLines = lineOf(
    active,
    mine.filter((r) => r.invoiceNumber === ""),
  );
  const groups = [...shipments.values()];
  // Without split-later items the first shipment keeps the original box; every other gets a new one (§4.1).
  const stays = laterLines.length === 0 ? groups.shift() : undefined;
  for (const group of groups) {
    const derived = book.deriveBox(i, lineOf(active, group), "INSTRUCT", nowMs);
    book.overlay(derived).splitShipping = true;
    shipBox(book, registry, derived, group, recipient, nowMs);
  }
  if (split) {
    o.splitShipping = true;
    o.lines = stays !== undefined ? lineOf(active, stays) : laterLines;
  }
  if (stays !== undefined) shipBox(book, registry, i, stays, recipient, nowMs);
  else if (laterLines.length > 0)
    o.plannedShippingDate = mine.find((r) => r.invoiceNumber === "")?.estimatedShippingDate;
}

/** The open lines of `active` named by `rows`. */
function lineOf(active: readonly (Line & { open: number })[], rows: readonly InvoiceRow[]): Line[] {
  return active
    .filter((l) => rows.some((r) => r.vendorItemId === l.vendorItemId))
    .map((l) => ({ vendorItemId: l.vendorItemId, count: l.open }));
}

/** Ships box `i` with the invoice of `rows` and registers the number. */
function shipBox(
  book: VendorBook,
  registry: InvoiceRegistry,
  i: number,
  rows: readonly InvoiceRow[],
  recipient: string,
  nowMs: number,
): void {
  const first = rows[0];
  if (first === undefined) return;
  const carrier = carrierOr500(first.deliveryCompanyCode);
  book.ship(i, carrier, first.invoiceNumber, nowMs);
  registry.record(carrier.code, first.invoiceNumber, recipient, book.boxId(i), nowMs);
}

// ---------------------------------------------------------------- §5.1 cancel

/** The body of `POST …/v5/vendors/{vendorId}/orders/{orderId}/cancel` (§5.1), types checked. */
export interface CancelRequest {
  orderId: bigint | undefined;
  vendorItemIds: bigint[];
  receiptCounts: number[];
  bigCancelCode: string;
  middleCancelCode: string;
  vendorId: string;
  userId: string;
}

/**
 * Seller cancel (§5.1). Body errors are 400 `{code:400,message}` in Korean. Then per item:
 * an ACCEPT box must be cancelled whole (an instant CANCEL receipt); an INSTRUCT box may be
 * cancelled in part (a completed STOP_SHIPMENT receipt); any other status, an unknown item
 * or a count over what is cancellable fails that item. Some items failing: HTTP 200, code
 * `"200"`; all failing: HTTP 400, code `"400"`, empty `receiptMap`. `message` starts with a
 * request number and lists each failure as `[vendorItemId]<= reason`.
 */
export function cancelOrder(
  book: VendorBook,
  vendor: SimVendor,
  pathOrderId: bigint,
  req: CancelRequest,
  nowMs: number,
): Outcome {
  if (req.orderId === undefined) throw badRequest("주문번호(orderId)는 필수 입력값입니다.");
  if (req.orderId !== pathOrderId)
    throw badRequest("요청 경로의 주문번호와 본문의 주문번호(orderId)가 다릅니다.");
  if (req.vendorItemIds.length === 0 || req.receiptCounts.length === 0) {
    throw badRequest("취소할 상품(vendorItemIds)과 수량(receiptCounts)을 입력해 주세요.");
  }
  if (req.vendorItemIds.length !== req.receiptCounts.length) {
    throw badRequest("vendorItemIds와 receiptCounts의 개수가 다릅니다.");
  }
  if (req.receiptCounts.some((n) => !Number.isSafeInteger(n) || n <= 0)) {
    throw badRequest("취소 수량(receiptCounts)은 0보다 커야 합니다.");
  }
  if (req.bigCancelCode !== "CANERR") throw badRequest("bigCancelCode는 CANERR만 사용할 수 있습니다.");
  if (!(req.middleCancelCode in MIDDLE_CANCEL_CODES)) {
    throw badRequest("middleCancelCode는 CCTTER, CCPNER, CCPRER 중 하나여야 합니다.");
  }
  if (req.vendorId !== vendor.vendorId) throw badRequest("업체 ID(vendorId)가 일치하지 않습니다.");
  if (req.userId.trim() === "" || (vendor.userId !== undefined && req.userId !== vendor.userId)) {
    throw badRequest(`userId(${req.userId})는 해당 업체의 WING 계정이 아닙니다.`);
  }
  const boxes = book.boxesOfOrder(pathOrderId, nowMs);
  if (boxes.length === 0) throw badRequest(`결제 정보를 찾을 수 없습니다. (orderId: ${pathOrderId})`);

  const failures = new Map<bigint, string>();
  const perBox = new Map<number, Map<bigint, number>>();
  req.vendorItemIds.forEach((vendorItemId, k) => {
    const count = req.receiptCounts[k] ?? 0;
    const i = boxes.find((b) => book.activeLines(b).some((l) => l.vendorItemId === vendorItemId));
    if (i === undefined) return failures.set(vendorItemId, "주문에 없거나 이미 취소된 상품입니다.");
    const status = book.status(i);
    if (status !== "ACCEPT" && status !== "INSTRUCT") {
      return failures.set(
        vendorItemId,
        `결제완료 또는 상품준비중 상태의 상품만 취소할 수 있습니다. (현재: ${status})`,
      );
    }
    const open = book.activeLines(i).find((l) => l.vendorItemId === vendorItemId)?.open ?? 0;
    if (count > open) return failures.set(vendorItemId, `취소 가능 수량(${open})을 초과했습니다.`);
    const items = perBox.get(i) ?? new Map<bigint, number>();
    items.set(vendorItemId, (items.get(vendorItemId) ?? 0) + count);
    perBox.set(i, items);
  });

  const receiptMap: Record<string, unknown> = {};
  const applied: string[] = [];
  for (const [i, items] of perBox) {
    const accept = book.status(i) === "ACCEPT";
    const whole = book.activeLines(i).every((l) => items.get(l.vendorItemId) === l.open);
    if (accept && !whole) {
      for (const vendorItemId of items.keys())
        failures.set(vendorItemId, "결제완료 상태에서는 부분 취소는 불가능합니다.");
      continue;
    }
    const r = openReceipt(book, i, nowMs, {
      origin: accept ? "sellerCancel" : "sellerStop",
      status: "RETURNS_COMPLETED",
      lines: [...items].map(([vendorItemId, count]) => ({ vendorItemId, count })),
      reason: sellerCancelReason(req.middleCancelCode, !accept),
      releaseStopStatus: accept ? "비대상" : "처리(출고중지)",
      releaseStatus: accept ? "N" : "S",
      returnDeliveryType: accept ? "" : "연동택배",
    });
    receiptMap[String(r.receiptId)] = {
      receiptId: r.receiptId,
      receiptType: accept ? "CANCEL" : "STOP_SHIPMENT",
      vendorItemIds: [...items.keys()],
      totalCount: [...items.values()].reduce((a, b) => a + b, 0),
    };
    applied.push(box(book.boxId(i)), `receiptId:${r.receiptId}`);
  }
  const failed = req.vendorItemIds.filter((v) => failures.has(v));
  const lines = [
    `[요청번호] ${requestNumber(book)}`,
    ...failed.map((v) => `[${v}]<= ${failures.get(v) ?? ""}`),
  ];
  const total = applied.length === 0;
  return {
    status: total ? 400 : 200,
    body: {
      code: total ? "400" : "200",
      message: lines.join("\r\n"),
      data: { receiptMap, orderId: pathOrderId, failedVendorItemIds: failed },
    },
    applied,
  };
}

// ---------------------------------------------------------------- §5.3, §6.3 actions on receipts

/** The receipt `receiptId` the seller can act on: a return receipt, not withdrawn. 400 otherwise (§6.2). */
export function actionableReceipt(book: VendorBook, receiptId: bigint): Receipt {
  const r = book.receiptById.get(receiptId);
  if (
    r === undefined ||
    !Number.isNaN(r.withdrawnAtMs) ||
    r.origin === "buyerCancel" ||
    r.origin === "sellerCancel"
  ) {
    throw badRequest(`취소반품 접수내역이 존재하지 않습니다. (receiptId: ${receiptId})`);
  }
  return r;
}

const success = (resultMessage: string): unknown => ({
  code: "200",
  message: "OK",
  data: { resultCode: "SUCCESS", resultMessage },
});

/** A `cancelCount` that is not the receipt's total, with Coupang's message (§5.3). */
function checkCount(r: Receipt, cancelCount: number): void {
  const total = r.lines.reduce((n, l) => n + l.cancelCount, 0);
  if (cancelCount !== total) {
    throw new ApiError(500, {
      code: 500,
      message: "[INTERNAL_SERVER_ERROR] 취소반품접수수량과 cancelCount가 일치하지 않습니다.",
    });
  }
}

/**
 * `PUT …/returnRequests/{receiptId}/stoppedShipment` (§5.3): the seller stopped a box the
 * buyer asked to stop (RU) before it shipped. The held quantity is cancelled, the receipt
 * completed. 400 `Product is already returned.` when the receipt is not an open stop request.
 */
export function stopShipment(
  book: VendorBook,
  receiptId: bigint,
  cancelCount: number,
  nowMs: number,
): Outcome {
  const r = actionableReceipt(book, receiptId);
  if (r.status !== "RELEASE_STOP_UNCHECKED") throw badRequest("Product is already returned.");
  checkCount(r, cancelCount);
  r.releaseStopStatus = "처리(출고중지)";
  r.releaseStatus = "S";
  completeReceipt(book, r, nowMs, "VENDOR_CONFIRM");
  return { status: 200, body: success("출고중지 처리되었습니다."), applied: [`receiptId:${receiptId}`] };
}

/**
 * `PUT …/returnRequests/{receiptId}/completedShipment` (§5.3): the box the buyer asked to
 * stop has already shipped with this invoice. The receipt becomes a return awaiting pickup
 * (RETURNS_UNCHECKED); a box still INSTRUCT ships with the invoice. An unknown carrier or a
 * malformed number is a 500.
 */
export function completedShipment(
  book: VendorBook,
  registry: InvoiceRegistry,
  receiptId: bigint,
  deliveryCompanyCode: string,
  invoiceNumber: string,
  nowMs: number,
): Outcome {
  const r = actionableReceipt(book, receiptId);
  if (r.status !== "RELEASE_STOP_UNCHECKED") throw badRequest("Product is already returned.");
  const carrier = carrierOr500(deliveryCompanyCode);
  checkNumberOr500(carrier, invoiceNumber);
  releaseStop(book, r);
  for (const i of new Set(r.lines.map((l) => l.box))) {
    if (book.status(i) === "INSTRUCT") {
      book.ship(i, carrier, invoiceNumber, nowMs);
      registry.record(carrier.code, invoiceNumber, recipientKey(book, i), book.boxId(i), nowMs);
    }
  }
  r.origin = "return";
  r.releaseStopStatus = "처리(이미출고)";
  r.releaseStatus = "A";
  r.pickup = [{ deliveryCompanyCode: "CJGLS", deliveryInvoiceNo: "" }];
  setReceiptStatus(r, "RETURNS_UNCHECKED", nowMs);
  return {
    status: 200,
    body: { code: "200", message: "OK", data: { code: "200", message: "OK" } },
    applied: [`receiptId:${receiptId}`],
  };
}

/**
 * `PUT …/returnRequests/{receiptId}/receiveConfirmation` (§6.3): the returned goods arrived.
 * A quick-refund return completes at once; any other moves to VENDOR_WAREHOUSE_CONFIRM and
 * waits for approval. Only RETURNS_UNCHECKED receipts; 400 otherwise.
 */
export function receiveReturn(book: VendorBook, receiptId: bigint, nowMs: number): Outcome {
  const r = actionableReceipt(book, receiptId);
  if (r.status !== "RETURNS_UNCHECKED") {
    throw badRequest(`입고확인할 수 없는 상태입니다. (receiptStatus: ${r.status})`);
  }
  markPickedUp(book, r);
  if (r.preRefund) completeReceipt(book, r, nowMs, "VENDOR_CONFIRM");
  else setReceiptStatus(r, "VENDOR_WAREHOUSE_CONFIRM", nowMs);
  return { status: 200, body: { code: "200", message: "OK" }, applied: [`receiptId:${receiptId}`] };
}

/**
 * `PUT …/returnRequests/{receiptId}/approval` (§6.3): the seller approves a received return
 * (VENDOR_WAREHOUSE_CONFIRM → RETURNS_COMPLETED, CC); the returned quantity is cancelled on
 * the box, and a fully returned box leaves the PO list. `cancelCount` must be the total.
 */
export function approveReturn(
  book: VendorBook,
  receiptId: bigint,
  cancelCount: number,
  nowMs: number,
): Outcome {
  const r = actionableReceipt(book, receiptId);
  if (r.status !== "VENDOR_WAREHOUSE_CONFIRM") {
    throw badRequest(`반품 승인할 수 없는 상태입니다. (receiptStatus: ${r.status})`);
  }
  checkCount(r, cancelCount);
  completeReceipt(book, r, nowMs, "VENDOR_CONFIRM");
  return { status: 200, body: success("반품 승인 처리되었습니다."), applied: [`receiptId:${receiptId}`] };
}

// ---------------------------------------------------------------- §8.2 exchanges

/** The exchange `exchangeId`, or 400. */
export function exchangeOr400(book: VendorBook, exchangeId: bigint): Exchange {
  const x = book.exchangeById.get(exchangeId);
  if (x === undefined) throw badRequest(`교환 요청을 찾을 수 없습니다. (exchangeId: ${exchangeId})`);
  return x;
}

/**
 * `PUT …/exchangeRequests/{exchangeId}/receiveConfirmation` (§8.2): RECEIPT → PROGRESS; the
 * replacement box appears after the exchange-box lag. 400 in any other status.
 */
export function confirmExchangeReceipt(book: VendorBook, exchangeId: bigint, nowMs: number): Outcome {
  const x = exchangeOr400(book, exchangeId);
  try {
    const created = receiveExchange(book, x, nowMs);
    return {
      status: 200,
      body: { code: "200", message: "SUCCESS" },
      applied: [`exchangeId:${exchangeId}`, box(book.boxId(created))],
    };
  } catch (error) {
    if (error instanceof Refused)
      throw badRequest(`입고확인할 수 없는 교환 상태입니다. (exchangeStatus: ${x.status})`);
    throw error;
  }
}

/** Reject codes the exchange rejection accepts (§8.2). */
export const EXCHANGE_REJECT_CODES = ["SOLDOUT", "WITHDRAW"] as const;

/**
 * `PUT …/exchangeRequests/{exchangeId}/rejection` (§8.2): `exchangeRejectCode` SOLDOUT or
 * WITHDRAW (else 400). HTTP 200 with `data.resultCode` SUCCESS, or FAIL when the exchange
 * can no longer be rejected.
 */
export function rejectExchangeRequest(book: VendorBook, exchangeId: bigint, nowMs: number): Outcome {
  const x = exchangeOr400(book, exchangeId);
  try {
    rejectExchange(book, x, nowMs);
  } catch (error) {
    if (!(error instanceof Refused)) throw error;
    return {
      status: 200,
      body: { code: "200", message: "OK", data: { resultCode: "FAIL", resultMessage: error.message } },
      applied: [],
    };
  }
  return { status: 200, body: success("교환 거부 처리되었습니다."), applied: [`exchangeId:${exchangeId}`] };
}

/** One replacement-invoice row (§8.2), types checked. */
export interface ExchangeInvoiceRow {
  exchangeId: bigint;
  shipmentBoxId: bigint;
  goodsDeliveryCode: string;
  invoiceNumber: string;
}

/**
 * `POST …/exchangeRequests/{exchangeId}/invoices` (§8.2, B-17): ships the replacement box.
 * Only on the NEW shipmentBoxId of `deliveryInvoiceGroupDtos`, after receive confirmation and
 * the exchange-box lag; any other box (the original included) answers `resultCode: FAIL`
 * with Coupang's "status [X] is not suitable for applyInvoice" message. Unknown carrier or
 * malformed number: 500.
 */
export function exchangeInvoices(
  book: VendorBook,
  registry: InvoiceRegistry,
  exchangeId: bigint,
  rows: readonly ExchangeInvoiceRow[],
  nowMs: number,
): Outcome {
  const x = exchangeOr400(book, exchangeId);
  const carriers = rows.map((r) => {
    const carrier = carrierOr500(r.goodsDeliveryCode, carrierByGoodsflowCode);
    checkNumberOr500(carrier, r.invoiceNumber);
    return carrier;
  });
  const fail = (resultMessage: string): Outcome => ({
    status: 200,
    body: { code: "200", message: "OK", data: { resultCode: "FAIL", resultMessage } },
    applied: [],
  });
  if (rows.some((r) => r.exchangeId !== exchangeId))
    return fail(`exchangeId가 요청 경로와 다릅니다. (${exchangeId})`);
  const applied: string[] = [];
  for (const [k, r] of rows.entries()) {
    const i = book.findBox(r.shipmentBoxId, nowMs);
    if (x.status !== "PROGRESS" || i < 0 || i !== x.newBox || book.status(i) !== "INSTRUCT") {
      const status = i < 0 ? "NOT_FOUND" : book.status(i);
      return fail(
        `shipmentBoxId [${r.shipmentBoxId}] status [${status}] is not suitable for applyInvoice. Only INSTRUCT status shipment can be applied.`,
      );
    }
    const carrier = carriers[k] as Carrier;
    book.ship(i, carrier, r.invoiceNumber, nowMs);
    registry.record(carrier.code, r.invoiceNumber, recipientKey(book, i), r.shipmentBoxId, nowMs);
    applied.push(box(r.shipmentBoxId));
  }
  return {
    status: 200,
    body: {
      code: "200",
      message: "SUCCESS",
      data: { resultCode: "SUCCESS", resultMessage: "Invoice number save successfully" },
    },
    applied: [`exchangeId:${exchangeId}`, ...applied],
  };
}

// ---------------------------------------------------------------- §9 long-term undelivered

/** Days after DEPARTURE from which a stuck box may be completed (§9). */
const LONG_TERM_DAYS = 30;

/**
 * `POST …/completeLongTermUndelivery` (§9): sets FINAL_DELIVERY on a DEPARTURE or DELIVERING
 * box whose invoice was uploaded at least 30 days ago, when `invoiceNumber` is the box's.
 * 400 `배송완료 처리 실패. 배송상태: X` otherwise.
 */
export function completeLongTermUndelivery(
  book: VendorBook,
  shipmentBoxId: bigint,
  invoiceNumber: string,
  nowMs: number,
): Outcome {
  const i = book.findBox(shipmentBoxId, nowMs);
  if (i < 0) throw badRequest(`배송완료 처리 실패. 배송번호를 찾을 수 없습니다. (${shipmentBoxId})`);
  const status = book.status(i);
  if (status !== "DEPARTURE" && status !== "DELIVERING")
    throw badRequest(`배송완료 처리 실패. 배송상태: ${status}`);
  if (book.invoiceOf(i)?.invoiceNumber !== invoiceNumber)
    throw badRequest("배송완료 처리 실패. 송장번호가 일치하지 않습니다.");
  if (nowMs - (book.store.invoiceAtMs[i] ?? nowMs) < LONG_TERM_DAYS * 24 * 3600 * 1000) {
    throw badRequest(`배송완료 처리 실패. 송장 등록 후 ${LONG_TERM_DAYS}일이 지나지 않았습니다.`);
  }
  if (status === "DEPARTURE") book.store.transitAtMs[i] = nowMs;
  book.store.deliveredAtMs[i] = nowMs;
  book.setStatus(i, "FINAL_DELIVERY", nowMs);
  return {
    status: 200,
    body: { code: "200", message: "SUCCESS", data: true },
    applied: [box(shipmentBoxId)],
  };
}

import { delayFor } from "./activity.js";
import { CANCELLED, EXCHANGE_BOX, RETURNED, type Line } from "./store.js";
import type { VendorBook } from "./book.js";
import {
  drawCancelReason,
  drawExchangeReason,
  drawReturnReason,
  type Exchange,
  type Reason,
  type Receipt,
  type ReceiptOrigin,
} from "./claims.js";
import { Refused } from "./errors.js";
import type { OrderStatus, ReceiptStatus } from "./types.js";

/**
 * Everything that can happen to boxes and claims besides the seller's API calls — buyers,
 * carriers and Coupang acting — plus the claim transitions the seller's calls share with
 * them. Each operation checks that it applies and throws {@link Refused} when it does not.
 * Instants are epoch ms.
 */

/** Lines as a map of quantity per vendorItemId. */
function counts(lines: readonly { vendorItemId: bigint; count: number }[]): Map<bigint, number> {
  return new Map(lines.map((l) => [l.vendorItemId, l.count]));
}

/** `lines` of box `i` restricted to `vendorItemIds` (all when omitted), with their open quantity. */
function pickLines(book: VendorBook, i: number, vendorItemIds: readonly bigint[] | undefined): Line[] {
  const open = book.activeLines(i).filter((l) => l.open > 0);
  const picked =
    vendorItemIds === undefined ? open : open.filter((l) => vendorItemIds.includes(l.vendorItemId));
  if (picked.length === 0) throw new Refused(`Box ${book.boxId(i)} has no open item to claim`);
  return picked.map((l) => ({ vendorItemId: l.vendorItemId, count: l.open }));
}

/** Refuses unless box `i` is in one of `statuses` and still listed. */
function requireStatus(book: VendorBook, i: number, statuses: readonly OrderStatus[]): void {
  const status = book.status(i);
  if (!statuses.includes(status) || book.has(i, CANCELLED | RETURNED)) {
    throw new Refused(
      `Box ${book.boxId(i)} is ${status}${book.has(i, CANCELLED) ? " (cancelled)" : ""}, not ${statuses.join("/")}`,
    );
  }
}

/** A masked relay number as claims show it: `0503-1234-5678` → `0503-****-5678`. */
function maskPhone(phone: string): string {
  return phone.replace(/^(\d{4})-\d{4}-(\d{4})$/, "$1-****-$2");
}

/** What a new receipt is made of, besides what its box supplies. */
interface ReceiptDraft {
  origin: ReceiptOrigin;
  status: ReceiptStatus;
  lines: Line[];
  reason: Reason;
  releaseStopStatus: string;
  releaseStatus: string;
  returnDeliveryType: string;
  preRefund?: boolean;
  returnShippingCharge?: number;
  pickup?: Receipt["pickup"];
}

/** Opens a receipt on box `i` at `atMs`; completed drafts are completed at once. */
export function openReceipt(book: VendorBook, i: number, atMs: number, draft: ReceiptDraft): Receipt {
  const receiver = book.receiver(i);
  const orderId = book.orderIdOf(i);
  const r: Receipt = {
    receiptId: book.nextReceiptId(),
    orderId,
    paymentId: orderId + 7_000_000_000_000n,
    origin: draft.origin,
    status: draft.status,
    createdAtMs: atMs,
    modifiedAtMs: atMs,
    requester: {
      name: receiver.name,
      phone: maskPhone(receiver.safeNumber),
      address: receiver.addr1,
      detail: receiver.addr2,
      zip: receiver.postCode,
    },
    reason: draft.reason,
    preRefund: draft.preRefund ?? false,
    releaseStopStatus: draft.releaseStopStatus,
    completeConfirmType: "UNDEFINED",
    completeAtMs: NaN,
    lines: draft.lines.map((l) => ({
      box: i,
      vendorItemId: l.vendorItemId,
      purchaseCount: book.lines(i).find((x) => x.vendorItemId === l.vendorItemId)?.count ?? l.count,
      cancelCount: l.count,
    })),
    releaseStatus: draft.releaseStatus,
    returnDeliveryType: draft.returnDeliveryType,
    pickup: draft.pickup ?? [],
    returnShippingCharge: draft.returnShippingCharge ?? 0,
    withdrawnAtMs: NaN,
    cancelCompleteUser: null,
    epoch: 0,
  };
  if (draft.status === "RETURNS_COMPLETED") completeReceipt(book, r, atMs, "VENDOR_CONFIRM");
  book.addReceipt(r);
  return r;
}

/**
 * Completes receipt `r` at `atMs` (RETURNS_COMPLETED, CC): the quantities are cancelled on
 * their boxes, and a box with nothing left leaves the list — CANCELLED if it never shipped,
 * RETURNED if it did (§10: completed returns drop out of the PO list).
 */
export function completeReceipt(book: VendorBook, r: Receipt, atMs: number, confirmType: string): void {
  r.status = "RETURNS_COMPLETED";
  r.completeConfirmType = confirmType;
  r.completeAtMs = atMs;
  r.modifiedAtMs = atMs;
  r.cancelCompleteUser = confirmType === "VENDOR_CONFIRM" ? "s******" : "c******";
  r.epoch++;
  for (const box of new Set(r.lines.map((l) => l.box))) {
    const lines = r.lines
      .filter((l) => l.box === box)
      .map((l) => ({ vendorItemId: l.vendorItemId, count: l.cancelCount }));
    const shipped = r.origin === "return" || r.releaseStatus === "A";
    if (r.origin === "stopRequest" && !shipped) book.overlay(box).pendingStop = undefined;
    book.cancelCounts(box, counts(lines), shipped ? RETURNED : CANCELLED);
  }
}

/** Moves receipt `r` to `status` at `atMs` (a new epoch: its pending events go stale). */
export function setReceiptStatus(r: Receipt, status: ReceiptStatus, atMs: number): void {
  r.status = status;
  r.modifiedAtMs = atMs;
  r.epoch++;
}

/** The buyer cancels ACCEPT box `i` entirely at `atMs`: an instant cancel receipt (`cancelType=CANCEL`, §6.1). */
export function buyerCancel(book: VendorBook, i: number, atMs: number): Receipt {
  requireStatus(book, i, ["ACCEPT"]);
  return openReceipt(book, i, atMs, {
    origin: "buyerCancel",
    status: "RETURNS_COMPLETED",
    lines: pickLines(book, i, undefined),
    reason: drawCancelReason(book.rng("reason", book.boxId(i), "cancel")),
    releaseStopStatus: "비대상",
    releaseStatus: "N",
    returnDeliveryType: "",
  });
}

/** The buyer moves ACCEPT box `i` to a new address at `atMs` (§0.6, B-14); the name stays. */
export function changeAddress(book: VendorBook, i: number, atMs: number): void {
  requireStatus(book, i, ["ACCEPT"]);
  const o = book.overlay(i);
  const { remotePrice, ...receiver } = book.factory.newReceiver(
    book.receiver(i).name,
    String(book.boxId(i)),
    atMs,
  );
  o.receiver = receiver;
  o.remotePrice = remotePrice;
}

/**
 * The buyer asks to stop INSTRUCT box `i` at `atMs` (출고중지요청, RU): the quantities are
 * held until the seller stops the shipment or reports it already shipped (§5.3).
 */
export function requestStopShipment(
  book: VendorBook,
  i: number,
  atMs: number,
  vendorItemIds?: readonly bigint[],
): Receipt {
  requireStatus(book, i, ["INSTRUCT"]);
  if (book.overlay(i).pendingStop !== undefined)
    throw new Refused(`Box ${book.boxId(i)} already has a stop request`);
  const lines = pickLines(book, i, vendorItemIds);
  const r = openReceipt(book, i, atMs, {
    origin: "stopRequest",
    status: "RELEASE_STOP_UNCHECKED",
    lines,
    reason: drawCancelReason(book.rng("reason", book.boxId(i), "stop")),
    releaseStopStatus: "미처리",
    releaseStatus: "N",
    returnDeliveryType: "연동택배",
  });
  book.hold(i, counts(lines), 1);
  book.overlay(i).pendingStop = r.receiptId;
  return r;
}

/** True when box `i` has a return or exchange still in progress. */
function hasOpenClaim(book: VendorBook, i: number): boolean {
  return (
    book.receipts.some(
      (r) =>
        Number.isNaN(r.withdrawnAtMs) && r.status !== "RETURNS_COMPLETED" && r.lines.some((l) => l.box === i),
    ) || book.exchanges.some((x) => x.box === i && (x.status === "RECEIPT" || x.status === "PROGRESS"))
  );
}

/**
 * The buyer returns delivered box `i` (or some of its items) at `atMs`: a return receipt in
 * RETURNS_UNCHECKED (UC) waiting for pickup. Quick refund (`preRefund`) applies under
 * ₩100,000 (§6.3).
 */
export function requestReturn(
  book: VendorBook,
  i: number,
  atMs: number,
  vendorItemIds?: readonly bigint[],
): Receipt {
  requireStatus(book, i, ["FINAL_DELIVERY", "NONE_TRACKING"]);
  if (hasOpenClaim(book, i)) throw new Refused(`Box ${book.boxId(i)} already has an open claim`);
  const lines = pickLines(book, i, vendorItemIds);
  const rng = book.rng("reason", book.boxId(i), "return");
  const reason = drawReturnReason(rng);
  const value = lines.reduce((sum, l) => sum + book.itemOf(i, l.vendorItemId).salesPrice * l.count, 0);
  return openReceipt(book, i, atMs, {
    origin: "return",
    status: "RETURNS_UNCHECKED",
    lines,
    reason,
    releaseStopStatus: "비대상",
    releaseStatus: "Y",
    returnDeliveryType: "연동택배",
    preRefund: value < 100_000 && rng.chance(0.6),
    returnShippingCharge: reason.fault === "CUSTOMER" ? -rng.pick([3000, 5000, 6000]) : 0,
    pickup: [{ deliveryCompanyCode: "CJGLS", deliveryInvoiceNo: "" }],
  });
}

/** True when the courier has scanned the return's pickup. */
function pickedUp(r: Receipt): boolean {
  return r.pickup.some((p) => p.deliveryInvoiceNo !== "");
}

/** A courier's pickup invoice number for claim `id` (12 digits, deterministic). */
function pickupNumber(book: VendorBook, id: bigint): string {
  const rng = book.rng("pickup", id);
  return `${rng.int(1, 9)}${rng.digits(11)}`;
}

/** Gives receipt `r`'s pickup its courier number, if it has none yet (the goods were collected). */
export function markPickedUp(book: VendorBook, r: Receipt): void {
  if (!pickedUp(r))
    r.pickup = r.pickup.map((p) => ({ ...p, deliveryInvoiceNo: pickupNumber(book, r.receiptId) }));
}

/** Releases what stop request `r` held on its boxes (withdrawn, or the box had already shipped). */
export function releaseStop(book: VendorBook, r: Receipt): void {
  for (const l of r.lines) {
    book.hold(l.box, new Map([[l.vendorItemId, l.cancelCount]]), -1);
    book.overlay(l.box).pendingStop = undefined;
  }
}

/**
 * The buyer withdraws receipt `r` at `atMs` (§7): it leaves `returnRequests` and joins the
 * withdrawals; held quantities are released. Only a stop request or an unchecked return
 * can be withdrawn, and a return only before pickup unless `force` (the call centre can).
 */
export function withdrawReceipt(book: VendorBook, r: Receipt, atMs: number, force = false): void {
  if (!Number.isNaN(r.withdrawnAtMs)) throw new Refused(`Receipt ${r.receiptId} is already withdrawn`);
  if (r.status !== "RELEASE_STOP_UNCHECKED" && r.status !== "RETURNS_UNCHECKED") {
    throw new Refused(`Receipt ${r.receiptId} is ${r.status} and can no longer be withdrawn`);
  }
  if (!force && pickedUp(r)) throw new Refused(`Receipt ${r.receiptId} was picked up already`);
  r.withdrawnAtMs = atMs;
  r.modifiedAtMs = atMs;
  r.epoch++;
  if (r.origin === "stopRequest") releaseStop(book, r);
  book.withdrawals.push(r);
}

/** The courier picks up return `r` at `atMs`: its pickup invoice gets a number. */
export function pickUpReturn(book: VendorBook, r: Receipt, atMs: number): void {
  if (r.status !== "RETURNS_UNCHECKED" || !Number.isNaN(r.withdrawnAtMs) || pickedUp(r)) {
    throw new Refused(`Receipt ${r.receiptId} is not waiting for pickup`);
  }
  markPickedUp(book, r);
  r.modifiedAtMs = atMs;
}

/** A return is escalated to a Coupang check at `atMs` (REQUEST_COUPANG_CHECK, PR). */
export function requestCoupangCheck(book: VendorBook, r: Receipt, atMs: number): void {
  if (
    (r.status !== "RETURNS_UNCHECKED" && r.status !== "VENDOR_WAREHOUSE_CONFIRM") ||
    !Number.isNaN(r.withdrawnAtMs)
  ) {
    throw new Refused(`Receipt ${r.receiptId} is ${r.status}, not a return in progress`);
  }
  setReceiptStatus(r, "REQUEST_COUPANG_CHECK", atMs);
  if (book.link.activity.deliveryProgress) {
    book.scheduleAt(
      "returnResolve",
      atMs + delayFor(book.rng("resolve", r.receiptId), "returnResolve"),
      r.receiptId,
      r.epoch,
    );
  }
}

/** Coupang settles a checked return at `atMs`: completed, confirmed by CS. */
export function resolveCoupangCheck(book: VendorBook, r: Receipt, atMs: number): void {
  if (r.status !== "REQUEST_COUPANG_CHECK")
    throw new Refused(`Receipt ${r.receiptId} is ${r.status}, not PR`);
  completeReceipt(book, r, atMs, "CS_CONFIRM");
}

/**
 * The buyer asks to exchange delivered box `i` (or some items) at `atMs`: an exchange in
 * RECEIPT whose pickup has not started (§8).
 */
export function requestExchange(
  book: VendorBook,
  i: number,
  atMs: number,
  vendorItemIds?: readonly bigint[],
): Exchange {
  requireStatus(book, i, ["FINAL_DELIVERY"]);
  if (hasOpenClaim(book, i)) throw new Refused(`Box ${book.boxId(i)} already has an open claim`);
  const lines = pickLines(book, i, vendorItemIds);
  const receiver = book.receiver(i);
  const x: Exchange = {
    exchangeId: book.nextExchangeId(),
    orderId: book.orderIdOf(i),
    box: i,
    lines: lines.map((l) => ({ vendorItemId: l.vendorItemId, quantity: l.count })),
    status: "RECEIPT",
    createdAtMs: atMs,
    modifiedAtMs: atMs,
    modifiedByType: "CUSTOMER",
    reason: drawExchangeReason(book.rng("reason", book.boxId(i), "exchange")),
    referType: book.rng("refer", book.boxId(i)).pick(["WEB_MOBILE", "WEB_PC", "CS_CENTER"]),
    collect: 0,
    collectCompleteAtMs: NaN,
    newBox: -1,
    newBoxVisibleAtMs: NaN,
    cancelReason: null,
    address: {
      name: receiver.name,
      zip: receiver.postCode,
      address: receiver.addr1,
      detail: receiver.addr2,
      mobile: receiver.safeNumber,
    },
    pickup: { deliveryCompanyCode: "CJGLS", deliveryInvoiceNo: "" },
    epoch: 0,
  };
  book.addExchange(x);
  return x;
}

/** Moves exchange `x` to its next state at `atMs` (a new epoch). */
function touchExchange(x: Exchange, atMs: number, by: string): void {
  x.modifiedAtMs = atMs;
  x.modifiedByType = by;
  x.epoch++;
}

/** The buyer withdraws exchange `x` at `atMs` (CANCEL), possible only before the item is collected. */
export function cancelExchange(x: Exchange, atMs: number): void {
  if (x.status !== "RECEIPT" || x.collect >= 3)
    throw new Refused(`Exchange ${x.exchangeId} can no longer be withdrawn`);
  x.status = "CANCEL";
  x.collect = -1;
  x.cancelReason = "고객 요청으로 교환 철회";
  touchExchange(x, atMs, "CUSTOMER");
}

/**
 * The exchange pickup advances one step at `atMs` (BeforeDirection → CompleteDirection →
 * Delivering → CompleteCollect); when the world is lively the next step is scheduled.
 */
export function collectExchange(book: VendorBook, x: Exchange, atMs: number): void {
  if (x.status !== "RECEIPT" || x.collect < 0 || x.collect >= 3) {
    throw new Refused(`Exchange ${x.exchangeId} has no pickup in progress`);
  }
  x.collect++;
  if (x.collect === 1) x.pickup = { ...x.pickup, deliveryInvoiceNo: pickupNumber(book, x.exchangeId) };
  if (x.collect === 3) x.collectCompleteAtMs = atMs;
  touchExchange(x, atMs, "TRACKING");
  if (x.collect < 3 && book.link.activity.deliveryProgress) {
    const delay = delayFor(book.rng("collect", x.exchangeId, x.collect), "exchangeCollect");
    book.scheduleAt("exchangeCollect", atMs + delay, x.exchangeId, x.epoch);
  }
}

/**
 * The seller confirms receipt of exchange `x`'s returned item at `atMs` (RECEIPT →
 * PROGRESS, §8.2): the pickup counts as collected, and the replacement box (a new
 * shipmentBoxId in INSTRUCT) is created, served only after the exchange-box lag (B-17).
 */
export function receiveExchange(book: VendorBook, x: Exchange, atMs: number): number {
  if (x.status !== "RECEIPT") throw new Refused(`Exchange ${x.exchangeId} is ${x.status}, not RECEIPT`);
  x.status = "PROGRESS";
  x.collect = 3;
  if (Number.isNaN(x.collectCompleteAtMs)) x.collectCompleteAtMs = atMs;
  touchExchange(x, atMs, "VENDOR");
  const lines = x.lines.map((l) => ({ vendorItemId: l.vendorItemId, count: l.quantity }));
  const box = book.deriveBox(x.box, lines, "INSTRUCT", atMs, EXCHANGE_BOX);
  const o = book.overlay(box);
  o.exchangeId = x.exchangeId;
  o.visibleAtMs = atMs + book.link.exchangeBoxLagMs;
  x.newBox = box;
  x.newBoxVisibleAtMs = o.visibleAtMs;
  return box;
}

/** The seller rejects exchange `x` at `atMs` (REJECT); a replacement box not yet shipped is cancelled. */
export function rejectExchange(book: VendorBook, x: Exchange, atMs: number): void {
  const replacementOpen = x.newBox >= 0 && book.status(x.newBox) === "INSTRUCT";
  if (!(x.status === "RECEIPT" || (x.status === "PROGRESS" && replacementOpen))) {
    throw new Refused(`Exchange ${x.exchangeId} is ${x.status} and can no longer be rejected`);
  }
  if (x.collect < 3) x.collect = -1;
  if (replacementOpen) {
    book.cancelCounts(
      x.newBox,
      new Map(book.lines(x.newBox).map((l) => [l.vendorItemId, l.count])),
      CANCELLED,
    );
  }
  x.status = "REJECT";
  touchExchange(x, atMs, "VENDOR");
}

/**
 * The carrier scans box `i` at `atMs` (see `VendorBook.carrierStep`); a replacement box
 * delivered completes its exchange (SUCCESS).
 */
export function carrierScan(book: VendorBook, i: number, atMs: number): OrderStatus {
  const next = book.carrierStep(i, atMs);
  if (next === undefined) throw new Refused(`Box ${book.boxId(i)} is ${book.status(i)}, not in transit`);
  const x = book.exchangeOfBox(i);
  if (next === "FINAL_DELIVERY" && x !== undefined && x.status === "PROGRESS") {
    x.status = "SUCCESS";
    touchExchange(x, atMs, "TRACKING");
  }
  return next;
}

import { formatKstDateTime } from "./kst.js";
import type { Prng } from "./prng.js";
import type {
  ExchangeRequest,
  ExchangeStatus,
  OrderStatus,
  ReceiptStatus,
  ReturnDelivery,
  ReturnRequest,
  ReturnWithdrawal,
} from "./types.js";

/**
 * The simulator's claims — cancel/return receipts (§6), withdrawals (§7) and exchanges (§8) —
 * as compact records, and how each is served. Records refer to boxes by position in the
 * vendor's box store; everything item-related is looked up from the box when served.
 */

/** Why a claim was made: the VOC code (§12) and the Korean texts the API shows. */
export interface Reason {
  category1: string;
  category2: string;
  /** The buyer's free text (`cancelReason`, `reasonEtcDetail`). */
  text: string;
  code: string;
  codeText: string;
  /** Whose fault: `CUSTOMER`, `VENDOR`, `COUPANG`, … */
  fault: string;
}

// prettier-ignore
const CHANGE_OF_MIND: readonly Reason[] = [
  { category1: "고객변심", category2: "단순변심(사유없음)", text: "", code: "CHANGEMIND", codeText: "필요 없어짐 (단순 변심)", fault: "CUSTOMER" },
  { category1: "고객변심", category2: "재주문", text: "다른 옵션으로 다시 주문할게요", code: "REORDER", codeText: "다른 상품 추가 후 재주문 예정", fault: "CUSTOMER" },
  { category1: "고객변심", category2: "옵션 잘못 선택", text: "", code: "WRONGOPT", codeText: "상품의 옵션 선택을 잘못함", fault: "CUSTOMER" },
];
// prettier-ignore
const RETURN_REASONS: readonly (readonly [Reason, number])[] = [
  [{ category1: "고객변심", category2: "단순변심(사유없음)", text: "", code: "CHANGEMIND", codeText: "필요 없어짐 (단순 변심)", fault: "CUSTOMER" }, 45],
  [{ category1: "고객변심", category2: "색상/사이즈 불만", text: "생각보다 작아요", code: "DIFFERENTOPT", codeText: "색상/사이즈가 기대와 다름", fault: "CUSTOMER" }, 20],
  [{ category1: "상품불량", category2: "파손", text: "박스가 찌그러져 왔어요", code: "DAMAGED", codeText: "상품이 파손되어 배송됨", fault: "VENDOR" }, 15],
  [{ category1: "상품불량", category2: "기능 이상", text: "전원이 안 켜져요", code: "DEFECT", codeText: "상품 결함/기능에 이상이 있음", fault: "VENDOR" }, 10],
  [{ category1: "오배송", category2: "다른 상품 배송", text: "", code: "WRONGDELIVERY", codeText: "다른 상품이 배송됨", fault: "VENDOR" }, 10],
];
// prettier-ignore
const EXCHANGE_REASONS: readonly (readonly [Reason, number])[] = [
  [{ category1: "오배송", category2: "색상/사이즈 다름", text: "주문한 색상과 달라요", code: "WRONGSIZECOL", codeText: "내가 주문한 상품과 다른 색상/사이즈의 상품이 배송됨", fault: "VENDOR" }, 40],
  [{ category1: "고객변심", category2: "색상/사이즈 불만", text: "한 치수 큰 걸로 바꿔주세요", code: "DIFFERENTOPT", codeText: "색상/사이즈가 기대와 다름", fault: "CUSTOMER" }, 35],
  [{ category1: "상품불량", category2: "파손", text: "", code: "DAMAGED", codeText: "상품이 파손되어 배송됨", fault: "VENDOR" }, 25],
];

/** The buyer's reason for cancelling an ACCEPT box or asking to stop an INSTRUCT one. */
export function drawCancelReason(rng: Prng): Reason {
  return rng.pick(CHANGE_OF_MIND);
}

/** The buyer's reason for a return. */
export function drawReturnReason(rng: Prng): Reason {
  return rng.weighted(RETURN_REASONS);
}

/** The buyer's reason for an exchange. */
export function drawExchangeReason(rng: Prng): Reason {
  return rng.weighted(EXCHANGE_REASONS);
}

/** The seller cancel's `middleCancelCode` values (§5.1) and how the receipt labels them. */
export const MIDDLE_CANCEL_CODES: Readonly<Record<string, string>> = {
  CCTTER: "재고연동 오류",
  CCPNER: "제휴사이트 오류",
  CCPRER: "가격등록 오류",
};

/**
 * The reason recorded for a seller cancel (§5.1): at INSTRUCT always 배송불만/품절 with
 * "파트너 API 강제 취소", whatever codes were sent; at ACCEPT the middle code's label.
 */
export function sellerCancelReason(middleCancelCode: string, stop: boolean): Reason {
  return {
    category1: stop ? "배송불만" : "판매자 취소",
    category2: stop ? "품절" : (MIDDLE_CANCEL_CODES[middleCancelCode] ?? "품절"),
    text: "파트너 API 강제 취소",
    code: "OOSSELLER",
    codeText: "판매자 사정으로 인한 취소",
    fault: "VENDOR",
  };
}

/** Who the receipt's items belong to and how they stand. */
export interface ReceiptLine {
  /** Position of the item's box in the vendor's box store. */
  box: number;
  vendorItemId: bigint;
  purchaseCount: number;
  cancelCount: number;
}

/** How a receipt came to be; decides what the seller can do with it. */
export type ReceiptOrigin = "buyerCancel" | "sellerCancel" | "stopRequest" | "sellerStop" | "return";

/** A cancel or return receipt (§6.1). Instants are epoch ms; `NaN` = not yet. */
export interface Receipt {
  receiptId: bigint;
  orderId: bigint;
  paymentId: bigint;
  origin: ReceiptOrigin;
  status: ReceiptStatus;
  createdAtMs: number;
  modifiedAtMs: number;
  requester: { name: string; phone: string; address: string; detail: string; zip: string };
  reason: Reason;
  preRefund: boolean;
  releaseStopStatus: string;
  completeConfirmType: string;
  completeAtMs: number;
  lines: ReceiptLine[];
  /** `Y` shipped, `N` not shipped, `S` stopped, `A` already shipped (§6.1 `releaseStatus`). */
  releaseStatus: string;
  returnDeliveryType: string;
  pickup: ReturnDelivery[];
  returnShippingCharge: number;
  /** When the buyer withdrew it (§7); a withdrawn receipt leaves `returnRequests`. */
  withdrawnAtMs: number;
  cancelCompleteUser: string | null;
  /** Counts state changes, so a scheduled event can tell it is stale. */
  epoch: number;
}

/** `returnRequests`'s `receiptType`: only an order cancelled while payment-complete is a CANCEL. */
export function receiptType(r: Receipt): "RETURN" | "CANCEL" {
  return r.origin === "buyerCancel" || r.origin === "sellerCancel" ? "CANCEL" : "RETURN";
}

/** True when a `status` filter (RU, UC, CC, PR; §6.1) covers the receipt. A stop request shows under RU and UC. */
export function receiptMatches(r: Receipt, filter: string): boolean {
  switch (filter) {
    case "RU":
      return r.status === "RELEASE_STOP_UNCHECKED";
    case "UC":
      return (
        r.status === "RELEASE_STOP_UNCHECKED" ||
        r.status === "RETURNS_UNCHECKED" ||
        r.status === "VENDOR_WAREHOUSE_CONFIRM"
      );
    case "CC":
      return r.status === "RETURNS_COMPLETED";
    case "PR":
      return r.status === "REQUEST_COUPANG_CHECK";
    default:
      return false;
  }
}

/** Who bears the return shipping in a withdrawal (§7 `refundDeliveryDuty`). */
function refundDuty(fault: string): string {
  return fault === "CUSTOMER" ? "CUS" : fault === "COUPANG" ? "COU" : "COM";
}

/** The item facts a served claim copies from its box. */
export interface ClaimItemInfo {
  vendorItemPackageId: bigint;
  vendorItemPackageName: string;
  vendorItemName: string;
  sellerProductId: bigint;
  sellerProductName: string;
  salesPrice: number;
}

/** What serving a claim needs from the vendor's boxes. */
export interface ClaimLookup {
  vendorId: string;
  item(box: number, vendorItemId: bigint): ClaimItemInfo;
  shipmentBoxId(box: number): bigint;
  status(box: number): OrderStatus;
  /** The box's invoice once uploaded: number and upload / delivery instants (epoch ms, `NaN` = not yet). */
  shipment(box: number): { invoiceNumber: string; uploadedAtMs: number; deliveredAtMs: number } | undefined;
}

const kst = (ms: number): string => (Number.isNaN(ms) ? "" : formatKstDateTime(ms));

/** A receipt as `returnRequests` serves it (§6.1, §13.2 field order). */
export function renderReceipt(r: Receipt, lookup: ClaimLookup): ReturnRequest {
  return {
    receiptId: r.receiptId,
    orderId: r.orderId,
    paymentId: r.paymentId,
    receiptType: receiptType(r),
    receiptStatus: r.status,
    createdAt: kst(r.createdAtMs),
    modifiedAt: kst(r.modifiedAtMs),
    requesterName: r.requester.name,
    requesterPhoneNumber: r.requester.phone,
    requesterRealPhoneNumber: null,
    requesterAddress: r.requester.address,
    requesterAddressDetail: r.requester.detail,
    requesterZipCode: r.requester.zip,
    cancelReasonCategory1: r.reason.category1,
    cancelReasonCategory2: r.reason.category2,
    cancelReason: r.reason.text,
    cancelCountSum: r.lines.reduce((n, l) => n + l.cancelCount, 0),
    returnDeliveryId: r.receiptId * 10n + 7n,
    returnDeliveryType: r.returnDeliveryType,
    releaseStopStatus: r.releaseStopStatus,
    enclosePrice: 0,
    faultByType: r.reason.fault,
    preRefund: r.preRefund,
    completeConfirmType: r.completeConfirmType,
    completeConfirmDate: kst(r.completeAtMs),
    returnItems: r.lines.map((l) => {
      const item = lookup.item(l.box, l.vendorItemId);
      return {
        vendorItemPackageId: item.vendorItemPackageId,
        vendorItemPackageName: item.vendorItemPackageName,
        vendorItemId: l.vendorItemId,
        vendorItemName: item.vendorItemName,
        purchaseCount: l.purchaseCount,
        cancelCount: l.cancelCount,
        shipmentBoxId: lookup.shipmentBoxId(l.box),
        sellerProductId: item.sellerProductId,
        sellerProductName: item.sellerProductName,
        releaseStatus: r.releaseStatus,
        cancelCompleteUser: r.cancelCompleteUser,
      };
    }),
    returnDeliveryDtos: r.pickup.map((p) => ({ ...p })),
    reasonCode: r.reason.code,
    reasonCodeText: r.reason.codeText,
    returnShippingCharge: r.returnShippingCharge,
  };
}

/** A withdrawn receipt as `returnWithdrawRequests` / `returnWithdrawList` serve it (§7). */
export function renderWithdrawal(r: Receipt, vendorId: string): ReturnWithdrawal {
  return {
    cancelId: r.receiptId,
    orderId: r.orderId,
    vendorId,
    refundDeliveryDuty: refundDuty(r.reason.fault),
    createdAt: kst(r.withdrawnAtMs),
    vendorItemIds: r.lines.map((l) => l.vendorItemId),
  };
}

/** An exchange's pickup progress (§8.1 `collectStatus`), in order. */
export const COLLECT_STEPS = [
  "BeforeDirection",
  "CompleteDirection",
  "Delivering",
  "CompleteCollect",
] as const;

/** An exchange request (§8.1). Instants are epoch ms; `NaN` = not yet. */
export interface Exchange {
  exchangeId: bigint;
  orderId: bigint;
  /** Position of the original box. */
  box: number;
  lines: { vendorItemId: bigint; quantity: number }[];
  status: ExchangeStatus;
  createdAtMs: number;
  modifiedAtMs: number;
  modifiedByType: string;
  reason: Reason;
  referType: string;
  /** Index into {@link COLLECT_STEPS}, or -1 once withdrawn. */
  collect: number;
  collectCompleteAtMs: number;
  /** Position of the replacement box once the seller confirmed receipt, else -1. */
  newBox: number;
  /** The replacement box is served from this instant (B-17: up to ~10 min after confirmation). */
  newBoxVisibleAtMs: number;
  cancelReason: string | null;
  address: { name: string; zip: string; address: string; detail: string; mobile: string };
  pickup: ReturnDelivery;
  epoch: number;
}

/** The replacement shipment's `deliveryStatus` for the new box's PO status. */
const DELIVERY_STATUS: Readonly<Record<OrderStatus, string>> = {
  ACCEPT: "BeforeDirection",
  INSTRUCT: "BeforeDirection",
  DEPARTURE: "CompleteDirection",
  DELIVERING: "Delivering",
  FINAL_DELIVERY: "CompleteDelivery",
  NONE_TRACKING: "VendorDirect",
};

/** True when the replacement box exists for clients at `nowMs`. */
export function replacementVisible(x: Exchange, nowMs: number): boolean {
  return x.newBox >= 0 && nowMs >= x.newBoxVisibleAtMs;
}

/**
 * An exchange as `exchangeRequests` serves it at `nowMs` (§8.1, §13.3 field order). The
 * replacement box appears in `deliveryInvoiceGroupDtos` only once visible.
 */
export function renderExchange(x: Exchange, lookup: ClaimLookup, nowMs: number): ExchangeRequest {
  const created = kst(x.createdAtMs);
  const modified = kst(x.modifiedAtMs);
  const original = lookup.shipmentBoxId(x.box);
  const visible = replacementVisible(x, nowMs);
  const withdrawn = x.status === "CANCEL" || x.status === "REJECT";
  const newStatus = visible ? lookup.status(x.newBox) : undefined;
  const replacement = visible ? lookup.shipment(x.newBox) : undefined;
  const collectStatus = x.collect < 0 ? "Withdraw" : (COLLECT_STEPS[x.collect] ?? "BeforeDirection");
  const deliveryStatus =
    newStatus !== undefined ? DELIVERY_STATUS[newStatus] : withdrawn ? "Withdraw" : "BeforeDirection";
  const base = x.exchangeId * 10n;
  const orderDeliveryStatus = lookup.status(x.box);
  return {
    exchangeId: x.exchangeId,
    orderId: x.orderId,
    vendorId: lookup.vendorId,
    orderDeliveryStatusCode: orderDeliveryStatus,
    exchangeStatus: x.status,
    referType: x.referType,
    faultType: x.reason.fault,
    exchangeAmount: 0,
    reason: null,
    reasonCode: x.reason.code,
    reasonCodeText: x.reason.codeText,
    reasonEtcDetail: x.reason.text,
    cancelReason: x.cancelReason,
    createdByType: "CUSTOMER",
    createdAt: created,
    modifiedByType: x.modifiedByType,
    modifiedAt: modified,
    exchangeItemDtoV1s: x.lines.map((l, k) => {
      const item = lookup.item(x.box, l.vendorItemId);
      return {
        exchangeItemId: base + BigInt(k + 1),
        orderItemId: l.vendorItemId,
        orderItemUnitPrice: item.salesPrice,
        orderItemName: null,
        orderPackageId: null,
        orderPackageName: null,
        targetItemId: l.vendorItemId,
        targetItemUnitPrice: item.salesPrice,
        targetItemName: item.vendorItemName,
        targetPackageId: -1,
        targetPackageName: "",
        quantity: l.quantity,
        orderItemDeliveryComplete: null,
        orderItemReturnComplete: null,
        targetItemDeliveryComplete: null,
        createdAt: created,
        modifiedAt: modified,
        originalShipmentBoxId: original,
      };
    }),
    exchangeAddressDtoV1: {
      exchangeAddressId: base + 8n,
      returnCustomerName: x.address.name,
      returnAddressZipCode: x.address.zip,
      returnAddress: x.address.address,
      returnAddressDetail: x.address.detail,
      returnPhone: null,
      returnMobile: x.address.mobile,
      returnMemo: null,
      deliveryCustomerName: x.address.name,
      deliveryAddressZipCode: x.address.zip,
      deliveryAddress: x.address.address,
      deliveryAddressDetail: x.address.detail,
      deliveryPhone: null,
      deliveryMobile: x.address.mobile,
      deliveryMemo: null,
      createdAt: created,
      modifiedAt: created,
      exchangeId: x.exchangeId,
    },
    deliveryInvoiceGroupDtos: visible
      ? [
          {
            shipmentBoxId: lookup.shipmentBoxId(x.newBox),
            boxPrice: 0,
            orderId: x.orderId,
            orderType: "EXCHANGE",
            customerType: "NORMAL",
            bundleType: "SINGLE",
            extraMessage: "",
            shippingDeliveryType: "EXCHANGE_DELIVERY",
            deliveryInvoiceDtos:
              replacement === undefined
                ? []
                : [
                    {
                      invoiceNumber: replacement.invoiceNumber,
                      estimatedDeliveryDate: "",
                      deliveredDate: kst(replacement.deliveredAtMs),
                      statusModifiedAt: modified,
                      invoiceNumberUploadDate: kst(replacement.uploadedAtMs),
                      statusCode: newStatus ?? "INSTRUCT",
                      deliverCode: x.pickup.deliveryCompanyCode,
                      isMainShipmentInvoice: true,
                      parcelType: "NORMAL",
                      invoiceVendorItemDtos: x.lines.map((l) => ({
                        vendorItemId: l.vendorItemId,
                        quantity: l.quantity,
                        hasAdditionalItem: false,
                        promiseDeliveryDate: "",
                        estimatedShippingDate: "",
                      })),
                    },
                  ],
          },
        ]
      : [],
    deliveryStatus,
    collectStatus,
    collectCompleteDate: Number.isNaN(x.collectCompleteAtMs) ? null : kst(x.collectCompleteAtMs),
    collectInformationsDto: {
      returnType: "EXCHANGE_RETURN",
      expectedReturnDate: kst(x.createdAtMs + 3 * 24 * 3600 * 1000),
      returndeliveryItemDtos: x.lines.map((l, k) => ({
        vendorItemId: l.vendorItemId,
        statusCode:
          x.collect >= 3
            ? "RETURN_COLLECT_OK"
            : x.collect >= 1
              ? "RETURN_SEND_COMPLETE"
              : "RETURN_SEND_READY",
        returnCount: x.collect >= 3 ? l.quantity : null,
        releaseStatus: "RELEASED",
        paymentReturnDeliveryMapId: base + BigInt(k + 4),
        paymentItemId: BigInt(k + 1),
        modifiedBy: "0000000",
        moodifiedAt: modified,
        createdBy: "0000000",
        createdAt: created,
        count: l.quantity,
        confirmType: null,
        collectStatus: x.collect < 0 ? "NO_RETURN" : "RETURN",
      })),
      returndeliveryDestinationDto: {
        vendorZipCode: "10881",
        vendorPhone: "031-000-0000",
        vendorName: `${lookup.vendorId} 반품센터`,
        vendorMobile: "",
        vendorAddressDetail: "물류센터 2층",
        vendorAddress: "경기도 파주시 문발로 100",
        safetyNumberStatus: "ENABLE",
        safetyNumberId: base + 9n,
        safetyNumber: x.address.mobile.replaceAll("-", ""),
        returnDeliveryId: null,
        returnCenterCode: "1000000000",
        receiptId: null,
        orderedByMobile: null,
        orderId: x.orderId,
        message: null,
        customerZipCode: x.address.zip,
        customerPhone: x.address.mobile,
        customerName: x.address.name,
        customerMobile: x.address.mobile,
        customerAddressDetail: x.address.detail,
        customerAddress: x.address.address,
      },
    },
    returnDeliveryDtos: [{ ...x.pickup }],
    orderDeliveryStatusLabel: orderDeliveryStatus,
    exchangeStatusLabel: x.status,
    referTypeLabel: x.referType,
    faultTypeLabel: x.reason.fault,
    createdByTypeLabel: "CUSTOMER",
    modifiedByTypeLabel: x.modifiedByType,
    rejectable: x.status === "RECEIPT" || (x.status === "PROGRESS" && newStatus === "INSTRUCT"),
    deliveryInvoiceModifiable: x.status === "PROGRESS" && newStatus === "INSTRUCT",
    successable: x.status === "PROGRESS" && newStatus === "FINAL_DELIVERY",
  };
}

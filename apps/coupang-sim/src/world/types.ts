/**
 * The simulator's data model: Coupang's v4 PO ("ordersheet") objects exactly as the list
 * endpoint serializes them (coupang-api.md §2.1, field order and empty values as in §13.1).
 *
 * Every numeric identifier (`…Id`) is a `bigint`, so 18-digit `shipmentBoxId`s survive and a
 * test can compare them with `BIGINT` database columns directly; `serializeCoupangJson`
 * writes them as bare JSON numbers as Coupang does. Money is KRW in whole won (`number`).
 * Times are strings in KST wall-clock with no offset (§11), formatted once at generation.
 */

/** The six PO statuses of §2.1, in life-cycle order. */
export const ORDER_STATUSES = [
  "ACCEPT",
  "INSTRUCT",
  "DEPARTURE",
  "DELIVERING",
  "FINAL_DELIVERY",
  "NONE_TRACKING",
] as const;

/** A PO status (§2.1): ACCEPT 결제완료, INSTRUCT 상품준비중, DEPARTURE 배송지시, DELIVERING 배송중, FINAL_DELIVERY 배송완료, NONE_TRACKING 업체직송 (untracked). */
export type OrderStatus = (typeof ORDER_STATUSES)[number];

/** Type guard for {@link OrderStatus}. */
export function isOrderStatus(value: string): value is OrderStatus {
  return (ORDER_STATUSES as readonly string[]).includes(value);
}

/** One of a seller's API credentials (§1): the vendor the keys belong to and the key pair. */
export interface SimVendor {
  /** WING vendor ID as used in paths, e.g. `A00012345`. */
  vendorId: string;
  accessKey: string;
  secretKey: string;
  /**
   * The seller's WING login, which the cancel API wants as `userId` (§5.1). When set, a
   * cancel naming another user is refused; when not, any non-blank `userId` is accepted.
   */
  userId?: string;
}

/** The buyer (§2.1 `orderer`). `email` is `""` since 2024-08-06; `ordererNumber` is always null. */
export interface Orderer {
  /** Masked Korean name, e.g. `홍*동`. */
  name: string;
  email: string;
  /** Virtual relay number `0503-xxxx-xxxx`. */
  safeNumber: string;
  ordererNumber: null;
}

/** The recipient (§2.1 `receiver`); road-name address split in two, 5-digit `postCode`. */
export interface Receiver {
  name: string;
  safeNumber: string;
  receiverNumber: null;
  addr1: string;
  addr2: string;
  postCode: string;
}

/** One line of a box (§2.1 `orderItems[]`). Prices in KRW; `orderPrice = salesPrice × shippingCount`. */
export interface OrderItem {
  vendorItemPackageId: bigint;
  vendorItemPackageName: string;
  productId: bigint;
  /** The option ID (11 digits here), unique within a box. */
  vendorItemId: bigint;
  vendorItemName: string;
  shippingCount: number;
  salesPrice: number;
  orderPrice: number;
  /** Instant-coupon discount in KRW, or null when none applies. */
  discountPrice: number | null;
  instantCouponDiscount: number;
  downloadableCouponDiscount: number;
  coupangDiscount: number;
  /** Seller SKU, `""` when the seller set none. */
  externalVendorSkuCode: string;
  etcInfoHeader: string | null;
  etcInfoValue: null;
  etcInfoValues: string[];
  sellerProductId: bigint;
  sellerProductName: string;
  sellerProductItemName: string;
  firstSellerProductItemName: string;
  cancelCount: number;
  holdCountForCancel: number;
  /** KST `yyyy-MM-dd`. */
  estimatedShippingDate: string;
  /** KST `yyyy-MM-dd`, `""` unless split. */
  plannedShippingDate: string;
  /** KST `yyyy-MM-dd'T'HH:mm:ss`, `""` before an invoice is uploaded. */
  invoiceNumberUploadDate: string;
  extraProperties: Record<string, string>;
  pricingBadge: boolean;
  usedProduct: boolean;
  /** Purchase confirmation, KST `yyyy-MM-dd HH:mm:ss`, `""` until confirmed. */
  confirmDate: string;
  /** `유료` (paid) or `무료` (free). */
  deliveryChargeTypeName: string;
  upBundleItem: boolean;
  canceled: boolean;
}

/** Customs fields (§2.1 `overseaShippingInfoDto`); all `""` for domestic orders. */
export interface OverseaShippingInfo {
  personalCustomsClearanceCode: string;
  ordererSsn: string;
  ordererPhoneNumber: string;
}

/**
 * One shipment box as the v4 `ordersheets` list returns it (§2.1, §13.1), plus the
 * `isCod` flag and order-level `extraProperties` Coupang added on 2025-12-05 (§2.1).
 */
export interface OrderSheet {
  /** 18 digits here (Coupang allows up to 18 since 2024-11-14). */
  shipmentBoxId: bigint;
  /** 13 digits; an order can hold several boxes. */
  orderId: bigint;
  /** KST `yyyy-MM-dd'T'HH:mm:ss`. */
  orderedAt: string;
  orderer: Orderer;
  /** KST `yyyy-MM-dd'T'HH:mm:ss`, seconds to minutes after `orderedAt`. */
  paidAt: string;
  status: OrderStatus;
  /** KRW, 0 when shipping is free. */
  shippingPrice: number;
  /** Island/mountain surcharge in KRW, null when the address is not remote. */
  remotePrice: number | null;
  remoteArea: boolean;
  parcelPrintMessage: string;
  splitShipping: boolean;
  ableSplitShipping: boolean;
  receiver: Receiver;
  orderItems: OrderItem[];
  overseaShippingInfoDto: OverseaShippingInfo;
  /** Carrier display name (e.g. `CJ 대한통운`), `""` before shipping. */
  deliveryCompanyName: string;
  invoiceNumber: string;
  /** Ship-out time, KST `yyyy-MM-dd HH:mm:ss` (the API's own spelling), `""` until picked up. */
  inTrasitDateTime: string;
  /** KST `yyyy-MM-dd HH:mm:ss`, `""` until delivered. */
  deliveredDate: string;
  /** Sales channel: `아이폰앱`, `안드로이드앱`, `PC웹` or `모바일웹`. */
  refer: string;
  isCod: boolean;
  extraProperties: Record<string, string>;
}

/** The receipt statuses of §6.1, in life-cycle order. */
export const RECEIPT_STATUSES = [
  "RELEASE_STOP_UNCHECKED",
  "RETURNS_UNCHECKED",
  "VENDOR_WAREHOUSE_CONFIRM",
  "REQUEST_COUPANG_CHECK",
  "RETURNS_COMPLETED",
] as const;

/**
 * A cancel/return receipt's `receiptStatus` (§6.1): RELEASE_STOP_UNCHECKED 출고중지요청,
 * RETURNS_UNCHECKED 반품접수, VENDOR_WAREHOUSE_CONFIRM 입고완료, REQUEST_COUPANG_CHECK
 * 쿠팡확인요청, RETURNS_COMPLETED 반품완료.
 */
export type ReceiptStatus = (typeof RECEIPT_STATUSES)[number];

/** The `status` filter of `returnRequests` (§6.1): RU, UC, CC, PR. */
export const RETURN_FILTERS = ["RU", "UC", "CC", "PR"] as const;
/** One of {@link RETURN_FILTERS}. */
export type ReturnFilter = (typeof RETURN_FILTERS)[number];

/** One line of a receipt (§6.1 `returnItems[]`). */
export interface ReturnItem {
  vendorItemPackageId: bigint;
  vendorItemPackageName: string;
  vendorItemId: bigint;
  vendorItemName: string;
  purchaseCount: number;
  cancelCount: number;
  /** The original box. */
  shipmentBoxId: bigint;
  sellerProductId: bigint;
  sellerProductName: string;
  /** `N` not shipped, `Y` shipped, `S` stopped, `A` already shipped. */
  releaseStatus: string;
  /** Masked login of who completed the cancel, null until completed. */
  cancelCompleteUser: string | null;
}

/** A pickup invoice of a return or exchange (§6.1 `returnDeliveryDtos[]`); `""` until the courier scans it. */
export interface ReturnDelivery {
  deliveryCompanyCode: string;
  deliveryInvoiceNo: string;
}

/**
 * A cancel or return receipt as `returnRequests` serves it (§6.1, §13.2, KR/legacy shape).
 * Times are KST `yyyy-MM-dd'T'HH:mm:ss`; money is KRW.
 */
export interface ReturnRequest {
  receiptId: bigint;
  orderId: bigint;
  paymentId: bigint;
  /** `RETURN`, or `CANCEL` for an order cancelled while payment-complete. */
  receiptType: "RETURN" | "CANCEL";
  receiptStatus: ReceiptStatus;
  createdAt: string;
  modifiedAt: string;
  requesterName: string;
  /** Masked relay number, e.g. `0503-****-1234`. */
  requesterPhoneNumber: string;
  requesterRealPhoneNumber: null;
  requesterAddress: string;
  requesterAddressDetail: string;
  requesterZipCode: string;
  cancelReasonCategory1: string;
  cancelReasonCategory2: string;
  cancelReason: string;
  cancelCountSum: number;
  returnDeliveryId: bigint;
  /** `전담택배`, `연동택배` or `수기관리`. */
  returnDeliveryType: string;
  /** `미처리`, `처리(이미출고)`, `처리(출고중지)`, `자동처리(이미출고)` or `비대상`. */
  releaseStopStatus: string;
  enclosePrice: number;
  /** `COUPANG`, `VENDOR`, `CUSTOMER`, `WMS` or `GENERAL`. */
  faultByType: string;
  preRefund: boolean;
  /** `VENDOR_CONFIRM`, `UNDEFINED`, `CS_CONFIRM` or `CS_LOSS_CONFIRM`. */
  completeConfirmType: string;
  /** KST `yyyy-MM-dd'T'HH:mm:ss`, `""` until completed. */
  completeConfirmDate: string;
  returnItems: ReturnItem[];
  returnDeliveryDtos: ReturnDelivery[];
  /** VOC code (§12). */
  reasonCode: string;
  reasonCodeText: string;
  /** KRW; negative when the buyer pays. */
  returnShippingCharge: number;
}

/** A return the buyer withdrew (§7 `returnWithdrawRequests` / `returnWithdrawList`). */
export interface ReturnWithdrawal {
  /** The withdrawn receipt's `receiptId`. */
  cancelId: bigint;
  orderId: bigint;
  vendorId: string;
  /** Who bears the return shipping: `COM` seller, `CUS` customer, `COU` Coupang. */
  refundDeliveryDuty: string;
  /** When the buyer withdrew, KST `yyyy-MM-dd'T'HH:mm:ss`. */
  createdAt: string;
  vendorItemIds: bigint[];
}

/** The exchange statuses of §8.1 (RECEIPT → PROGRESS → SUCCESS, or REJECT / CANCEL). */
export const EXCHANGE_STATUSES = ["RECEIPT", "PROGRESS", "SUCCESS", "REJECT", "CANCEL"] as const;
/** One of {@link EXCHANGE_STATUSES}. */
export type ExchangeStatus = (typeof EXCHANGE_STATUSES)[number];

/** One exchanged line (§8.1 `exchangeItemDtoV1s[]`); only the same option can be exchanged. */
export interface ExchangeItem {
  exchangeItemId: bigint;
  orderItemId: bigint;
  orderItemUnitPrice: number;
  orderItemName: string | null;
  orderPackageId: bigint | null;
  orderPackageName: string | null;
  targetItemId: bigint;
  targetItemUnitPrice: number;
  targetItemName: string;
  targetPackageId: number;
  targetPackageName: string;
  quantity: number;
  orderItemDeliveryComplete: boolean | null;
  orderItemReturnComplete: boolean | null;
  targetItemDeliveryComplete: boolean | null;
  createdAt: string;
  modifiedAt: string;
  originalShipmentBoxId: bigint;
}

/** Pickup and delivery addresses of an exchange (§8.1 `exchangeAddressDtoV1`); phones are relay numbers. */
export interface ExchangeAddress {
  exchangeAddressId: bigint;
  returnCustomerName: string;
  returnAddressZipCode: string;
  returnAddress: string;
  returnAddressDetail: string;
  returnPhone: string | null;
  returnMobile: string;
  returnMemo: string | null;
  deliveryCustomerName: string;
  deliveryAddressZipCode: string;
  deliveryAddress: string;
  deliveryAddressDetail: string;
  deliveryPhone: string | null;
  deliveryMobile: string;
  deliveryMemo: string | null;
  createdAt: string;
  modifiedAt: string;
  exchangeId: bigint;
}

/** The replacement shipment's invoice (§8.1 `deliveryInvoiceDtos[]`). */
export interface ExchangeInvoice {
  invoiceNumber: string;
  estimatedDeliveryDate: string;
  deliveredDate: string;
  statusModifiedAt: string;
  invoiceNumberUploadDate: string;
  statusCode: string;
  deliverCode: string;
  isMainShipmentInvoice: boolean;
  parcelType: string;
  invoiceVendorItemDtos: {
    vendorItemId: bigint;
    quantity: number;
    hasAdditionalItem: boolean;
    promiseDeliveryDate: string;
    estimatedShippingDate: string;
  }[];
}

/** The replacement box (§8.1 `deliveryInvoiceGroupDtos[]`), present only after receive confirmation. */
export interface ExchangeDeliveryGroup {
  /** The NEW shipmentBoxId the replacement invoice must target. */
  shipmentBoxId: bigint;
  boxPrice: number;
  orderId: bigint;
  orderType: string;
  customerType: string;
  bundleType: string;
  extraMessage: string;
  /** `DELIVERY`, `EXCHANGE_DELIVERY` or `FORCED_DELIVERY`. */
  shippingDeliveryType: string;
  deliveryInvoiceDtos: ExchangeInvoice[];
}

/** One returned line of an exchange pickup (§8.1 `returndeliveryItemDtos[]`; note the API's `moodifiedAt`). */
export interface ExchangeReturnItem {
  vendorItemId: bigint;
  statusCode: string;
  returnCount: number | null;
  releaseStatus: string;
  paymentReturnDeliveryMapId: bigint;
  paymentItemId: bigint;
  modifiedBy: string;
  moodifiedAt: string;
  createdBy: string;
  createdAt: string;
  count: number;
  confirmType: string | null;
  collectStatus: string;
}

/** Pickup facts of an exchange (§8.1 `collectInformationsDto`). */
export interface ExchangeCollectInformation {
  returnType: string;
  expectedReturnDate: string;
  returndeliveryItemDtos: ExchangeReturnItem[];
  returndeliveryDestinationDto: Record<string, string | number | bigint | null>;
}

/** An exchange request as `exchangeRequests` serves it (§8.1, §13.3). Times KST `yyyy-MM-dd'T'HH:mm:ss`. */
export interface ExchangeRequest {
  exchangeId: bigint;
  orderId: bigint;
  vendorId: string;
  orderDeliveryStatusCode: OrderStatus;
  exchangeStatus: ExchangeStatus;
  referType: string;
  faultType: string;
  exchangeAmount: number;
  reason: null;
  reasonCode: string;
  reasonCodeText: string;
  reasonEtcDetail: string;
  cancelReason: string | null;
  createdByType: string;
  createdAt: string;
  modifiedByType: string;
  modifiedAt: string;
  exchangeItemDtoV1s: ExchangeItem[];
  exchangeAddressDtoV1: ExchangeAddress;
  deliveryInvoiceGroupDtos: ExchangeDeliveryGroup[];
  /** Replacement shipment: `BeforeDirection`, `CompleteDirection`, `Delivering`, `CompleteDelivery`, … */
  deliveryStatus: string;
  /** Pickup: `BeforeDirection`, `CompleteDirection`, `Delivering`, `CompleteCollect`, `Withdraw`, … */
  collectStatus: string;
  /** KST, null until the returned item reached the seller. */
  collectCompleteDate: string | null;
  collectInformationsDto: ExchangeCollectInformation;
  returnDeliveryDtos: ReturnDelivery[];
  orderDeliveryStatusLabel: string;
  exchangeStatusLabel: string;
  referTypeLabel: string;
  faultTypeLabel: string;
  createdByTypeLabel: string;
  modifiedByTypeLabel: string;
  rejectable: boolean;
  deliveryInvoiceModifiable: boolean;
  successable: boolean;
}

/** One row of a box's delivery history (§2.4), newest first in the response. */
export interface HistoryDetail {
  deliveryStatus: OrderStatus;
  /** Korean label, e.g. `상품준비중`. */
  deliveryStatusDesc: string;
  /** KST `yyyy-MM-dd'T'HH:mm:ss`. */
  updatedAt: string;
}

/**
 * What the simulator holds for one vendor at a given instant, for tests to compare against a
 * synced database. `orders` covers every box *visible in the list* at that instant: paid at
 * least the list lag ago (§0.6), whatever its status or order date, and not dropped from the
 * list by a cancellation or a completed full return (those are in `delisted`). Claims are
 * everything the claim endpoints would serve, whatever their date.
 */
export interface GroundTruth {
  vendorId: string;
  /** Number of visible shipment boxes. */
  boxes: number;
  /** Number of `orderItems` rows across those boxes. */
  items: number;
  boxesByStatus: Record<OrderStatus, number>;
  itemsByStatus: Record<OrderStatus, number>;
  /** The visible boxes, ascending by `shipmentBoxId`, exactly as the API serializes them. */
  orders: OrderSheet[];
  /**
   * Boxes the list no longer shows (fully cancelled or fully returned) as the single-PO
   * lookup shows them, ascending by `shipmentBoxId`.
   */
  delisted: OrderSheet[];
  /** Every receipt `returnRequests` serves (returns and, `receiptType: "CANCEL"`, cancels), ascending by `receiptId`. */
  returnRequests: ReturnRequest[];
  /** Every withdrawn return, ascending by withdrawal time. */
  returnWithdrawals: ReturnWithdrawal[];
  /** Every exchange, ascending by `exchangeId`. */
  exchanges: ExchangeRequest[];
}

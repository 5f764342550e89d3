import type { OrderStatus } from "../schemas/ordersheet.js";

/*
 * Status and type codes of orders, returns and exchanges with Korean labels. Where the docs
 * give Korean names they are used; otherwise the label is the doc's meaning in Korean as WING
 * shows it. The response schemas keep unknown values as text (schemas/lenient.ts `Open`).
 */

/** PO statuses (coupang-api.md §2.1) with their WING names. */
export const ORDER_STATUS_LABELS = {
  ACCEPT: "결제완료",
  INSTRUCT: "상품준비중",
  DEPARTURE: "배송지시",
  DELIVERING: "배송중",
  FINAL_DELIVERY: "배송완료",
  NONE_TRACKING: "업체 직접 배송(배송 연동 미적용), 추적불가",
} as const satisfies Record<OrderStatus, string>;

/**
 * The `status` filter of returnRequests (coupang-api.md §6.1). A stop-shipment request shows up
 * under both RU and UC.
 */
export const RETURN_STATUS_FILTERS = {
  RU: "출고중지요청",
  UC: "반품접수",
  CC: "반품완료",
  PR: "쿠팡확인요청",
} as const;
/** A code of {@link RETURN_STATUS_FILTERS}. */
export type ReturnStatusFilter = keyof typeof RETURN_STATUS_FILTERS;

/** `cancelType` of returnRequests and `receiptType` of its records (coupang-api.md §6.1). */
export const RECEIPT_TYPES = {
  RETURN: "반품",
  CANCEL: "취소",
} as const;
/** A code of {@link RECEIPT_TYPES}. */
export type ReceiptType = keyof typeof RECEIPT_TYPES;

/** `receiptStatus` of a return/cancel receipt (coupang-api.md §6.1). */
export const RECEIPT_STATUSES = {
  RELEASE_STOP_UNCHECKED: "출고중지요청",
  RETURNS_UNCHECKED: "반품접수",
  VENDOR_WAREHOUSE_CONFIRM: "입고완료",
  REQUEST_COUPANG_CHECK: "쿠팡확인요청",
  RETURNS_COMPLETED: "반품완료",
} as const;
/** A code of {@link RECEIPT_STATUSES}. */
export type ReceiptStatus = keyof typeof RECEIPT_STATUSES;

/** `returnItems[].releaseStatus` (coupang-api.md §6.1): only `N` is confirmed; Y/S/A are [L]. */
export const RELEASE_STATUSES = {
  N: "미출고",
  Y: "출고완료",
  S: "출고중지",
  A: "이미출고",
} as const;
/** A code of {@link RELEASE_STATUSES}. */
export type ReleaseStatus = keyof typeof RELEASE_STATUSES;

/** `releaseStopStatus` of a receipt: Coupang sends the Korean text itself (coupang-api.md §6.1). */
export const RELEASE_STOP_STATUSES = {
  미처리: "not handled",
  "처리(이미출고)": "handled: already shipped",
  "처리(출고중지)": "handled: shipment stopped",
  "자동처리(이미출고)": "auto-handled: already shipped",
  비대상: "not applicable",
} as const;
/** A value of {@link RELEASE_STOP_STATUSES}. */
export type ReleaseStopStatus = keyof typeof RELEASE_STOP_STATUSES;

/** `returnDeliveryType` of a receipt: Coupang sends the Korean text (coupang-api.md §6.1). */
export const RETURN_DELIVERY_TYPES = {
  전담택배: "Coupang's carrier",
  연동택배: "the seller's contracted carrier",
  수기관리: "entered by hand",
} as const;
/** A value of {@link RETURN_DELIVERY_TYPES}. */
export type ReturnDeliveryType = keyof typeof RETURN_DELIVERY_TYPES;

/** `faultByType` of returns and `faultType` of exchanges (coupang-api.md §6.1, §8.1). */
export const FAULT_TYPES = {
  COUPANG: "쿠팡과실",
  VENDOR: "업체과실",
  CUSTOMER: "고객과실",
  WMS: "물류과실",
  GENERAL: "일반",
} as const;
/** A code of {@link FAULT_TYPES}. */
export type FaultType = keyof typeof FAULT_TYPES;

/**
 * `completeConfirmType` of a receipt (coupang-api.md §6.1). Old and v2 variants may send a
 * Korean label such as `미확인` instead [L]; it is kept as text.
 */
export const COMPLETE_CONFIRM_TYPES = {
  VENDOR_CONFIRM: "업체확인",
  UNDEFINED: "미확인",
  CS_CONFIRM: "CS확인",
  CS_LOSS_CONFIRM: "CS유실확인",
} as const;
/** A code of {@link COMPLETE_CONFIRM_TYPES}. */
export type CompleteConfirmType = keyof typeof COMPLETE_CONFIRM_TYPES;

/** `refundDeliveryDuty` of a withdrawn return: who pays the return shipping (coupang-api.md §7). */
export const REFUND_DELIVERY_DUTIES = {
  COM: "업체",
  CUS: "고객",
  COU: "쿠팡",
} as const;
/** A code of {@link REFUND_DELIVERY_DUTIES}. */
export type RefundDeliveryDuty = keyof typeof REFUND_DELIVERY_DUTIES;

/** `exchangeStatus`, also the `status` filter of exchangeRequests (coupang-api.md §8.1). */
export const EXCHANGE_STATUSES = {
  RECEIPT: "접수",
  PROGRESS: "진행",
  SUCCESS: "완료",
  REJECT: "불가",
  CANCEL: "철회",
} as const;
/** A code of {@link EXCHANGE_STATUSES}. */
export type ExchangeStatus = keyof typeof EXCHANGE_STATUSES;

/** `referType` of an exchange: where it was requested (coupang-api.md §8.1). */
export const EXCHANGE_REFER_TYPES = {
  VENDOR: "벤더",
  CS_CENTER: "CS",
  WEB_PC: "웹 PC",
  WEB_MOBILE: "웹 모바일",
} as const;
/** A code of {@link EXCHANGE_REFER_TYPES}. */
export type ExchangeReferType = keyof typeof EXCHANGE_REFER_TYPES;

/** `createdByType` / `modifiedByType` of an exchange; TRACKING only as modifier (coupang-api.md §8.1). */
export const EXCHANGE_ACTOR_TYPES = {
  CUSTOMER: "고객",
  COUNSELOR: "상담사",
  COUPANG: "내부직원",
  VENDOR: "업체",
  ETC: "기타",
  TRACKING: "배송추적",
} as const;
/** A code of {@link EXCHANGE_ACTOR_TYPES}. */
export type ExchangeActorType = keyof typeof EXCHANGE_ACTOR_TYPES;

/** `deliveryStatus` of an exchange: the replacement shipment (coupang-api.md §8.1). */
export const EXCHANGE_DELIVERY_STATUSES = {
  BeforeDirection: "배송연동 전",
  CompleteDirection: "배송연동",
  Delivering: "배송중",
  CompleteDelivery: "배송완료",
  DirectionFail: "배송연동실패",
  VendorDirect: "업체직송",
  Fail: "배송실패",
  Withdraw: "교환배송철회",
  NoneData: "정보없음",
} as const;
/** A code of {@link EXCHANGE_DELIVERY_STATUSES}. */
export type ExchangeDeliveryStatus = keyof typeof EXCHANGE_DELIVERY_STATUSES;

/**
 * `collectStatus` of an exchange: the pickup of the returned item (coupang-api.md §8.1).
 * `CompleteCollect` means the item reached the seller; `Collecting` appears only in the 2019
 * example, not in the enum table.
 */
export const EXCHANGE_COLLECT_STATUSES = {
  BeforeDirection: "회수연동 전",
  CompleteDirection: "회수연동",
  Delivering: "회수중",
  Collecting: "회수중 (2019 예시)",
  CompleteCollect: "업체전달완료",
  DirectionFail: "회수연동실패",
  Fail: "회수실패",
  Withdraw: "교환회수철회",
  NoCollect: "회수 불필요",
  NoneData: "정보없음",
} as const;
/** A code of {@link EXCHANGE_COLLECT_STATUSES}. */
export type ExchangeCollectStatus = keyof typeof EXCHANGE_COLLECT_STATUSES;

/** `exchangeRejectCode` of an exchange rejection: only these two (coupang-api.md §8.2). */
export const EXCHANGE_REJECT_CODES = {
  SOLDOUT: "품절",
  WITHDRAW: "고객 교환 철회",
} as const;
/** A code of {@link EXCHANGE_REJECT_CODES}. */
export type ExchangeRejectCode = keyof typeof EXCHANGE_REJECT_CODES;

/** `deliveryInvoiceGroupDtos[].shippingDeliveryType` of an exchange (coupang-api.md §8.1). */
export const SHIPPING_DELIVERY_TYPES = {
  DELIVERY: "일반배송",
  EXCHANGE_DELIVERY: "교환배송",
  FORCED_DELIVERY: "강제배송",
} as const;
/** A code of {@link SHIPPING_DELIVERY_TYPES}. */
export type ShippingDeliveryType = keyof typeof SHIPPING_DELIVERY_TYPES;

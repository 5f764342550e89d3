import { z } from "zod";
import type {
  ExchangeActorType,
  ExchangeCollectStatus,
  ExchangeDeliveryStatus,
  ExchangeReferType,
  ExchangeStatus,
  FaultType,
  ShippingDeliveryType,
} from "../reference/statuses.js";
import type { VocReasonCode } from "../reference/voc.js";
import {
  BOOL,
  COUNT,
  ID,
  INSTANT,
  INSTANT_OR_DATE,
  KRW,
  SIGNED_ID,
  TEXT,
  list,
  openEnum,
  optionalBlank,
} from "./lenient.js";
import type { OrderStatus } from "./ordersheet.js";
import { returnDeliveriesSchema } from "./returns.js";

/** One `exchangeItemDtoV1s[]` entry (coupang-api.md §8.1). Prices are KRW. */
export const exchangeItemSchema = z.looseObject({
  exchangeItemId: ID.required,
  /** The vendorItemId ordered. */
  orderItemId: ID.optional,
  orderItemUnitPrice: KRW.optional,
  orderItemName: TEXT.optional,
  /** May be `-1` or null. */
  orderPackageId: SIGNED_ID.optional,
  orderPackageName: TEXT.optional,
  /** Only the same item can be exchanged: equals `orderItemId`. */
  targetItemId: ID.optional,
  targetItemUnitPrice: KRW.optional,
  targetItemName: TEXT.optional,
  /** `-1` in the example. */
  targetPackageId: SIGNED_ID.optional,
  targetPackageName: TEXT.optional,
  quantity: COUNT.optional,
  orderItemDeliveryComplete: BOOL.optional,
  orderItemReturnComplete: BOOL.optional,
  targetItemDeliveryComplete: BOOL.optional,
  createdAt: INSTANT.optional,
  modifiedAt: INSTANT.optional,
  /** The box the item first shipped in; never the box for the replacement invoice (pitfall B-17). */
  originalShipmentBoxId: ID.optional,
});
/** A parsed exchange item. */
export type ExchangeItem = z.output<typeof exchangeItemSchema>;

/** `exchangeAddressDtoV1` (coupang-api.md §8.1); phone numbers are safe numbers since 2024-09-02. */
export const exchangeAddressSchema = z.looseObject({
  exchangeAddressId: ID.optional,
  returnCustomerName: TEXT.optional,
  returnAddressZipCode: TEXT.optional,
  returnAddress: TEXT.optional,
  returnAddressDetail: TEXT.optional,
  returnPhone: TEXT.optional,
  returnMobile: TEXT.optional,
  returnMemo: TEXT.optional,
  deliveryCustomerName: TEXT.optional,
  deliveryAddressZipCode: TEXT.optional,
  deliveryAddress: TEXT.optional,
  deliveryAddressDetail: TEXT.optional,
  deliveryPhone: TEXT.optional,
  deliveryMobile: TEXT.optional,
  deliveryMemo: TEXT.optional,
  createdAt: INSTANT.optional,
  modifiedAt: INSTANT.optional,
  exchangeId: ID.optional,
});

/** `invoiceVendorItemDtos[]` of a replacement invoice. Date formats are undocumented: date or date-time, KST. */
export const invoiceVendorItemSchema = z.looseObject({
  vendorItemId: ID.optional,
  quantity: COUNT.optional,
  hasAdditionalItem: BOOL.optional,
  promiseDeliveryDate: INSTANT_OR_DATE.optional,
  estimatedShippingDate: INSTANT_OR_DATE.optional,
});

/** `deliveryInvoiceDtos[]` of a delivery-invoice group. Date formats are undocumented: date or date-time, KST. */
export const deliveryInvoiceSchema = z.looseObject({
  invoiceNumber: TEXT.optional,
  estimatedDeliveryDate: INSTANT_OR_DATE.optional,
  deliveredDate: INSTANT_OR_DATE.optional,
  statusModifiedAt: INSTANT_OR_DATE.optional,
  invoiceNumberUploadDate: INSTANT_OR_DATE.optional,
  statusCode: TEXT.optional,
  deliverCode: TEXT.optional,
  isMainShipmentInvoice: BOOL.optional,
  parcelType: TEXT.optional,
  invoiceVendorItemDtos: list(invoiceVendorItemSchema),
});

/**
 * `deliveryInvoiceGroupDtos[]` (coupang-api.md §8.1): empty until the seller confirms receipt
 * of the returned item; then it carries the **new** `shipmentBoxId` of the replacement
 * shipment, the one to send with the exchange invoice (pitfall B-17).
 */
export const deliveryInvoiceGroupSchema = z.looseObject({
  shipmentBoxId: ID.optional,
  boxPrice: KRW.optional,
  orderId: ID.optional,
  orderType: TEXT.optional,
  customerType: TEXT.optional,
  bundleType: TEXT.optional,
  extraMessage: TEXT.optional,
  shippingDeliveryType: openEnum<ShippingDeliveryType>().optional,
  deliveryInvoiceDtos: list(deliveryInvoiceSchema),
});

/**
 * `collectInformationsDto.returndeliveryItemDtos[]` (coupang-api.md §8.1). The example spells
 * `modifiedAt` as `moodifiedAt`: both are read, the output has `modifiedAt` only.
 */
export const returnDeliveryItemSchema = z
  .looseObject({
    vendorItemId: ID.optional,
    statusCode: openEnum<
      | "RETURN_SEND_READY"
      | "RETURN_SEND_COMPLETE"
      | "RETURN_COLLECT_OK"
      | "RETURN_COLLECT_NOT_OK"
      | "CHANGE_SEND_READY"
      | "CHANGE_SEND_HOLD"
      | "CHANGE_SEND_COMPLETE"
      | "CHANGE_SEND_FAIL"
      | "COLLECT_FAIL"
    >().optional,
    returnCount: COUNT.optional,
    releaseStatus: openEnum<"RELEASED" | "NOT_RELEASED">().optional,
    paymentReturnDeliveryMapId: ID.optional,
    paymentItemId: ID.optional,
    modifiedBy: TEXT.optional,
    modifiedAt: INSTANT.optional,
    moodifiedAt: INSTANT.optional,
    createdBy: TEXT.optional,
    createdAt: INSTANT.optional,
    count: COUNT.optional,
    confirmType: openEnum<"RELEASED" | "STOPPED">().optional,
    collectStatus: openEnum<
      "NONE" | "RETURN" | "NO_RETURN" | "ALREADY_RETURN" | "CANCEL_REQUEST_WHEN_DEPARTURE"
    >().optional,
  })
  .transform(({ moodifiedAt, modifiedAt, ...rest }) => ({ ...rest, modifiedAt: modifiedAt ?? moodifiedAt }));

/** `collectInformationsDto.returndeliveryDestinationDto`: the seller's and the customer's addresses. */
export const returnDeliveryDestinationSchema = z.looseObject({
  vendorZipCode: TEXT.optional,
  vendorPhone: TEXT.optional,
  vendorName: TEXT.optional,
  vendorMobile: TEXT.optional,
  vendorAddressDetail: TEXT.optional,
  vendorAddress: TEXT.optional,
  safetyNumberStatus: openEnum<"WAIT" | "ENABLE" | "DEPOSE" | "DISABLE" | "ERROR" | "RESERVE">().optional,
  safetyNumberId: ID.optional,
  safetyNumber: TEXT.optional,
  returnDeliveryId: ID.optional,
  returnCenterCode: TEXT.optional,
  receiptId: ID.optional,
  orderedByMobile: TEXT.optional,
  orderId: ID.optional,
  message: TEXT.optional,
  customerZipCode: TEXT.optional,
  customerPhone: TEXT.optional,
  customerName: TEXT.optional,
  customerMobile: TEXT.optional,
  customerAddressDetail: TEXT.optional,
  customerAddress: TEXT.optional,
});

/** `collectInformationsDto` (coupang-api.md §8.1): the pickup of the returned item. */
export const collectInformationSchema = z.looseObject({
  returnType: openEnum<"RETURN" | "EXCHANGE_RETURN">().optional,
  expectedReturnDate: INSTANT.optional,
  returndeliveryItemDtos: list(returnDeliveryItemSchema),
  returndeliveryDestinationDto: optionalBlank(returnDeliveryDestinationSchema),
});

/**
 * One exchange request of exchangeRequests (coupang-api.md §8.1, example §13.3), with every
 * documented field, parsed leniently: IDs as `bigint` (`-1` package IDs as signed bigint), KST
 * times as instants, `""`/`null` as absent, codes as `Open` text, the `moodifiedAt` typo read as
 * `modifiedAt`. Unknown fields pass through. Required: `exchangeId`; lists default to `[]`.
 */
export const exchangeRequestSchema = z.looseObject({
  exchangeId: ID.required,
  orderId: ID.optional,
  vendorId: TEXT.optional,
  orderDeliveryStatusCode: openEnum<OrderStatus>().optional,
  exchangeStatus: openEnum<ExchangeStatus>().optional,
  referType: openEnum<ExchangeReferType>().optional,
  faultType: openEnum<FaultType>().optional,
  /** Almost always 0: exchange shipping is settled outside Coupang (KRW). */
  exchangeAmount: KRW.optional,
  /** No longer used. */
  reason: TEXT.optional,
  reasonCode: openEnum<VocReasonCode>().optional,
  reasonCodeText: TEXT.optional,
  reasonEtcDetail: TEXT.optional,
  /** Why the buyer withdrew. */
  cancelReason: TEXT.optional,
  createdByType: openEnum<ExchangeActorType>().optional,
  createdAt: INSTANT.optional,
  modifiedByType: openEnum<ExchangeActorType>().optional,
  modifiedAt: INSTANT.optional,
  exchangeItemDtoV1s: list(exchangeItemSchema),
  exchangeAddressDtoV1: optionalBlank(exchangeAddressSchema),
  deliveryInvoiceGroupDtos: list(deliveryInvoiceGroupSchema),
  /** The replacement shipment. */
  deliveryStatus: openEnum<ExchangeDeliveryStatus>().optional,
  /** The pickup; `CompleteCollect` once the seller has the item. */
  collectStatus: openEnum<ExchangeCollectStatus>().optional,
  /** Null until the item is received. */
  collectCompleteDate: INSTANT.optional,
  collectInformationsDto: optionalBlank(collectInformationSchema),
  returnDeliveryDtos: returnDeliveriesSchema,
  successable: BOOL.optional,
  rejectable: BOOL.optional,
  deliveryInvoiceModifiable: BOOL.optional,
  orderDeliveryStatusLabel: TEXT.optional,
  exchangeStatusLabel: TEXT.optional,
  referTypeLabel: TEXT.optional,
  faultTypeLabel: TEXT.optional,
  createdByTypeLabel: TEXT.optional,
  modifiedByTypeLabel: TEXT.optional,
});
/** A parsed exchange request. Fields Coupang adds later are present at run time but not in this type. */
export type ExchangeRequest = z.output<typeof exchangeRequestSchema>;

/**
 * The shipment boxes to send a replacement invoice for: the `shipmentBoxId`s of
 * `deliveryInvoiceGroupDtos` that are not an item's `originalShipmentBoxId` (pitfall B-17).
 * `[]` until the seller has confirmed receipt and Coupang has created the box (up to ~10 min).
 */
export function replacementShipmentBoxIds(exchange: ExchangeRequest): bigint[] {
  const originals = new Set(exchange.exchangeItemDtoV1s.map((item) => item.originalShipmentBoxId));
  const boxes = exchange.deliveryInvoiceGroupDtos.map((group) => group.shipmentBoxId);
  return [...new Set(boxes.filter((box): box is bigint => box !== undefined && !originals.has(box)))];
}

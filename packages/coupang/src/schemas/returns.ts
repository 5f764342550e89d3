import { z } from "zod";
import type { VocReasonCode } from "../reference/voc.js";
import type {
  CompleteConfirmType,
  FaultType,
  ReceiptStatus,
  ReceiptType,
  ReleaseStatus,
  ReleaseStopStatus,
  ReturnDeliveryType,
} from "../reference/statuses.js";
import type { DeliveryCompanyCode } from "../reference/carriers.js";
import { BOOL, COUNT, ID, INSTANT, KRW, MONEY, TEXT, list, openEnum } from "./lenient.js";

/** One `returnItems[]` entry of a return/cancel receipt (coupang-api.md §6.1). */
export const returnItemSchema = z.looseObject({
  vendorItemPackageId: ID.optional,
  vendorItemPackageName: TEXT.optional,
  vendorItemId: ID.required,
  vendorItemName: TEXT.optional,
  purchaseCount: COUNT.optional,
  cancelCount: COUNT.optional,
  /** The original shipment box. */
  shipmentBoxId: ID.optional,
  sellerProductId: ID.optional,
  sellerProductName: TEXT.optional,
  /** `N` not shipped (confirmed); `Y`, `S`, `A` are [L]. */
  releaseStatus: openEnum<ReleaseStatus>().optional,
  /** The masked user who processed the cancel [M]. */
  cancelCompleteUser: TEXT.optional,
});
/** A parsed return item. */
export type ReturnItem = z.output<typeof returnItemSchema>;

/** One `{deliveryCompanyCode, deliveryInvoiceNo}` pickup invoice (returns §6.1, exchanges §8.1). */
export const returnDeliverySchema = z.looseObject({
  deliveryCompanyCode: openEnum<DeliveryCompanyCode>().optional,
  deliveryInvoiceNo: TEXT.optional,
});
/** A parsed pickup invoice. */
export type ReturnDelivery = z.output<typeof returnDeliverySchema>;

/**
 * Pickup invoices with an invoice number: the doc says to ignore entries whose invoice is `""`
 * or `null` (coupang-api.md §6.1); the raw record keeps them.
 */
export const returnDeliveriesSchema = list(returnDeliverySchema).transform((rows) =>
  rows.filter((row) => row.deliveryInvoiceNo !== undefined),
);

/**
 * One return or cancel receipt of returnRequests (coupang-api.md §6.1, example §13.2), with
 * every documented field, parsed leniently: IDs as `bigint`, KST times as instants, `""` and
 * `null` as absent, codes as {@link Open} text (Coupang adds values). Unknown fields pass through.
 *
 * `returnShippingCharge` is a {@link Money}: a plain KRW number on v4/KR answers, a Money object
 * on the internationalised v6 answer; its sign convention (positive = the seller pays) is [L],
 * not confirmed. Required: `receiptId`; `returnItems` defaults to `[]`.
 */
export const returnRequestSchema = z.looseObject({
  /** The cancel/return receipt number. */
  receiptId: ID.required,
  orderId: ID.optional,
  paymentId: ID.optional,
  /** `RETURN`, or `CANCEL` for `cancelType=CANCEL` listings [M]. */
  receiptType: openEnum<ReceiptType>().optional,
  receiptStatus: openEnum<ReceiptStatus>().optional,
  createdAt: INSTANT.optional,
  modifiedAt: INSTANT.optional,
  requesterName: TEXT.optional,
  /** A safe (relay) number. */
  requesterPhoneNumber: TEXT.optional,
  /** Always null in practice. */
  requesterRealPhoneNumber: TEXT.optional,
  requesterAddress: TEXT.optional,
  requesterAddressDetail: TEXT.optional,
  requesterZipCode: TEXT.optional,
  /** Korean text, e.g. `고객변심`. */
  cancelReasonCategory1: TEXT.optional,
  /** Korean text, e.g. `단순변심(사유없음)`. */
  cancelReasonCategory2: TEXT.optional,
  /** The buyer's own words. */
  cancelReason: TEXT.optional,
  /** Total quantity of the receipt: the `cancelCount` of stoppedShipment and approval. */
  cancelCountSum: COUNT.optional,
  returnDeliveryId: ID.optional,
  returnDeliveryType: openEnum<ReturnDeliveryType>().optional,
  releaseStopStatus: openEnum<ReleaseStopStatus>().optional,
  /** Unused, always 0 (KRW). */
  enclosePrice: KRW.optional,
  faultByType: openEnum<FaultType>().optional,
  /** Quick refund. */
  preRefund: BOOL.optional,
  completeConfirmType: openEnum<CompleteConfirmType>().optional,
  completeConfirmDate: INSTANT.optional,
  returnItems: list(returnItemSchema),
  returnDeliveryDtos: returnDeliveriesSchema,
  /** A VOC code (coupang-api.md §12). */
  reasonCode: openEnum<VocReasonCode>().optional,
  reasonCodeText: TEXT.optional,
  returnShippingCharge: MONEY.optional,
});
/**
 * A parsed return/cancel receipt: the output of {@link returnRequestSchema}. Fields Coupang
 * adds later are present at run time but not in this type.
 */
export type ReturnRequest = z.output<typeof returnRequestSchema>;

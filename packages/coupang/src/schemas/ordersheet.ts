import { z } from "zod";
import {
  BOOL,
  CALENDAR_DATE,
  COUNT,
  ID,
  INSTANT,
  KRW,
  PROPERTIES,
  TEXT,
  openEnum,
  optionalBlank,
} from "./lenient.js";

/**
 * The six PO statuses, in life-cycle order; `status` is a required filter of the PO list
 * (coupang-api.md §0.4, §2.1): payment complete, preparing, shipping instructed (invoice
 * uploaded), in delivery, delivered, and the seller's own untracked delivery.
 */
export const ORDER_STATUSES = [
  "ACCEPT",
  "INSTRUCT",
  "DEPARTURE",
  "DELIVERING",
  "FINAL_DELIVERY",
  "NONE_TRACKING",
] as const;

/** One of {@link ORDER_STATUSES}. */
export type OrderStatus = (typeof ORDER_STATUSES)[number];

/** Whether a value is one of {@link ORDER_STATUSES}. */
export function isOrderStatus(value: unknown): value is OrderStatus {
  return (ORDER_STATUSES as readonly unknown[]).includes(value);
}

const STATUS = z.enum(ORDER_STATUSES, { error: () => `expected one of ${ORDER_STATUSES.join(", ")}` });

/** `orderer` of a v4 PO (coupang-api.md §2.1). `email` is `""` (→ undefined) since 2024-08-06. */
export const ordererSchema = z.looseObject({
  name: TEXT.optional,
  email: TEXT.optional,
  /** Virtual relay number (0503-…). */
  safeNumber: TEXT.optional,
  /** Always null in practice. */
  ordererNumber: TEXT.optional,
});

/** `receiver` of a v4 PO (coupang-api.md §2.1); may change while the box is ACCEPT (§0.6). */
export const receiverSchema = z.looseObject({
  name: TEXT.optional,
  safeNumber: TEXT.optional,
  /** Always null in practice. */
  receiverNumber: TEXT.optional,
  addr1: TEXT.optional,
  addr2: TEXT.optional,
  postCode: TEXT.optional,
});

/**
 * `overseaShippingInfoDto` of a v4 PO (coupang-api.md §2.1). The examples spell the SSN field
 * `ordererSsn`, the spec `orderersSsn`: both are read, the output has `ordererSsn` only.
 */
export const overseaShippingInfoSchema = z
  .looseObject({
    personalCustomsClearanceCode: TEXT.optional,
    ordererSsn: TEXT.optional,
    orderersSsn: TEXT.optional,
    ordererPhoneNumber: TEXT.optional,
  })
  .transform(({ ordererSsn, orderersSsn, ...rest }) => ({ ...rest, ordererSsn: ordererSsn ?? orderersSsn }));

/**
 * One `orderItems[]` entry of a v4 PO (coupang-api.md §2.1). Money is KRW; dates are UTC
 * midnight of the calendar date; times are instants (v4 sends KST wall clock, §11).
 */
export const orderItemSchema = z.looseObject({
  /** Unused by Coupang (0). */
  vendorItemPackageId: ID.optional,
  vendorItemPackageName: TEXT.optional,
  /** 0 when none. */
  productId: ID.optional,
  /** The option ID; the key of an item within a box. */
  vendorItemId: ID.required,
  vendorItemName: TEXT.optional,
  /** Quantity originally bought; cancellations are not subtracted (to ship: − cancelCount − holdCountForCancel). */
  shippingCount: COUNT.optional,
  /** Unit price, KRW. */
  salesPrice: KRW.optional,
  /** salesPrice × shippingCount, KRW. */
  orderPrice: KRW.optional,
  /** KRW; absent when no instant coupon applies. */
  discountPrice: KRW.optional,
  instantCouponDiscount: KRW.optional,
  downloadableCouponDiscount: KRW.optional,
  coupangDiscount: KRW.optional,
  externalVendorSkuCode: TEXT.optional,
  etcInfoHeader: TEXT.optional,
  etcInfoValue: TEXT.optional,
  etcInfoValues: optionalBlank(z.array(z.string())),
  sellerProductId: ID.optional,
  sellerProductName: TEXT.optional,
  sellerProductItemName: TEXT.optional,
  firstSellerProductItemName: TEXT.optional,
  cancelCount: COUNT.optional,
  /** Quantity waiting for a refund. */
  holdCountForCancel: COUNT.optional,
  /** Expected ship date at order time (calendar date). */
  estimatedShippingDate: CALENDAR_DATE.optional,
  /** Planned ship date of a split shipment (calendar date). */
  plannedShippingDate: CALENDAR_DATE.optional,
  invoiceNumberUploadDate: INSTANT.optional,
  extraProperties: optionalBlank(PROPERTIES),
  pricingBadge: BOOL.optional,
  usedProduct: BOOL.optional,
  /** Purchase confirmation; sent as `yyyy-MM-dd HH:mm:ss` KST. */
  confirmDate: INSTANT.optional,
  /** `유료` (paid) or `무료` (free). */
  deliveryChargeTypeName: TEXT.optional,
  /** Auto-generated bundle option (from 2024-04-12); quantities are then in source-option units. */
  upBundleItem: BOOL.optional,
  upBundleVendorItemId: ID.optional,
  upBundleVendorItemName: TEXT.optional,
  upBundleSize: COUNT.optional,
  canceled: BOOL.optional,
});

/** Order-level `extraProperties` (from 2025-12-05): tax-receipt keys, others kept as sent. */
export const orderExtraPropertiesSchema = z.looseObject({
  receiptOption: TEXT.optional,
  appliedType: TEXT.optional,
  appliedValue: TEXT.optional,
});

/**
 * One PO (shipment box) of the v4 list and single-PO lookups, with every field of
 * coupang-api.md §2.1, parsed leniently: `""`/`null` → absent, numeric strings accepted,
 * IDs as `bigint`, v4 KST times (`T` or space form, §11) as instants, `yyyy-MM-dd` as UTC
 * midnight. Unknown fields pass through untouched.
 *
 * Renamed in the output: `inTrasitDateTime` (sic, Coupang's typo) → `inTransitAt`.
 * Required: `shipmentBoxId`, `orderId`, `status` (one of {@link ORDER_STATUSES}), `orderItems`
 * (each with `vendorItemId`); a record without them is rejected.
 */
export const orderSheetSchema = z
  .looseObject({
    /** Bundled-shipment number, up to 18 digits; the unit of shipping and invoicing. */
    shipmentBoxId: ID.required,
    orderId: ID.required,
    orderedAt: INSTANT.optional,
    paidAt: INSTANT.optional,
    orderer: optionalBlank(ordererSchema),
    status: STATUS,
    /** KRW. */
    shippingPrice: KRW.optional,
    /** Island/mountain surcharge, KRW. */
    remotePrice: KRW.optional,
    remoteArea: BOOL.optional,
    parcelPrintMessage: TEXT.optional,
    /** Already split. */
    splitShipping: BOOL.optional,
    /** A split is allowed. */
    ableSplitShipping: BOOL.optional,
    receiver: optionalBlank(receiverSchema),
    orderItems: z.array(orderItemSchema),
    overseaShippingInfoDto: optionalBlank(overseaShippingInfoSchema),
    /** Carrier display name (e.g. `CJ 대한통운`), not the carrier code. */
    deliveryCompanyName: TEXT.optional,
    invoiceNumber: TEXT.optional,
    inTrasitDateTime: INSTANT.optional,
    deliveredDate: INSTANT.optional,
    /** Channel the buyer paid in (`아이폰앱`, `안드로이드앱`, `PC웹`, `모바일웹`). */
    refer: TEXT.optional,
    /** `THIRD_PARTY`, `CGF`, `CGF LITE` [L]; kept as text. */
    shipmentType: TEXT.optional,
    /** Cash on delivery (from 2025-12-05). */
    isCod: BOOL.optional,
    extraProperties: optionalBlank(orderExtraPropertiesSchema),
  })
  .transform(({ inTrasitDateTime, ...rest }) => ({ ...rest, inTransitAt: inTrasitDateTime }));

/**
 * A parsed PO: the output of {@link orderSheetSchema}. Fields Coupang adds later are present
 * at run time but not in this type; read them from the raw record.
 */
export type OrderSheet = z.output<typeof orderSheetSchema>;
/** A parsed `orderItems[]` entry. */
export type OrderItem = z.output<typeof orderItemSchema>;

/**
 * One entry of a box's delivery status history (coupang-api.md §2.4), newest first.
 * `deliveryStatus` uses the PO status enum; other values are kept as text.
 */
export const deliveryHistoryEntrySchema = z.looseObject({
  deliveryStatus: openEnum<OrderStatus>().required,
  deliveryStatusDesc: TEXT.optional,
  /** Sent as KST `yyyy-MM-dd'T'HH:mm:ss` (the spec writes `hh`). */
  updatedAt: INSTANT.optional,
});
/** A parsed delivery-history entry. */
export type DeliveryHistoryEntry = z.output<typeof deliveryHistoryEntrySchema>;

/** `data` of the history answer without its list, which is validated entry by entry. */
export const deliveryHistorySchema = z.looseObject({
  shipmentBoxId: ID.required,
});

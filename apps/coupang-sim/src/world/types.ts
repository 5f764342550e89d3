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

/**
 * What the simulator holds for one vendor at a given instant, for tests to compare against a
 * synced database. Covers every order *visible in the list* at that instant: paid at least
 * the list lag ago (§0.6), whatever its status or order date.
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
}

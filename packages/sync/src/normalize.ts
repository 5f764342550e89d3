import { createHash } from "node:crypto";
import { stringifyJson, type OrderItem, type OrderSheet } from "@cos/coupang";
import type { OrderItemRow, ShipmentBoxRow } from "@cos/db";

/** A parsed record that cannot be stored as it is; its message names the field and the value. */
export class NormalizeError extends Error {
  override name = "NormalizeError";
}

/** A validated record as the client returns it: the typed value and the payload as received. */
export interface ReceivedRecord<T> {
  value: T;
  raw: unknown;
  rawJson: string;
}

/** sha256 hex of a canonical JSON text: the change detector beside every raw payload. */
export function hashRaw(rawJson: string): string {
  return createHash("sha256").update(rawJson).digest("hex");
}

/**
 * KRW as an exact integer (`bigint`), null when absent; `field` names the value in the error.
 * @throws NormalizeError for a fraction or an unsafe integer: the payload is not what v4 documents.
 */
export function krw(value: number | undefined, field: string): bigint | null {
  if (value === undefined) return null;
  if (!Number.isSafeInteger(value)) throw new NormalizeError(`${field}: expected whole KRW, got ${value}`);
  return BigInt(value);
}

/**
 * The `index`-th element of the raw record's array field `key` (e.g. an item's payload as
 * received), or undefined when there is none.
 */
export function rawElement(raw: unknown, key: string, index: number): unknown {
  const list = (raw as Record<string, unknown> | null)?.[key];
  return Array.isArray(list) ? (list[index] as unknown) : undefined;
}

/**
 * Maps one validated v4 ordersheet (coupang-api.md §2.1) to the `shipment_boxes` row and its
 * `order_items` rows. Absent values become null; instants and calendar dates are already
 * converted by the client's schema; the raw payload of the box and of each item is kept as
 * canonical JSON with its sha256.
 * @throws NormalizeError when a value cannot be stored exactly (a fractional KRW amount, an item
 *   with no quantity, a vendorItemId twice in one box); the caller quarantines the record.
 */
export function normalizeOrderSheet(vendorId: string, record: ReceivedRecord<OrderSheet>): ShipmentBoxRow {
  const o = record.value;
  // Items are keyed by (shipmentBoxId, vendorItemId): Coupang invoices one row per vendorItemId.
  const seen = new Set<bigint>();
  for (const [i, item] of o.orderItems.entries()) {
    if (seen.has(item.vendorItemId)) {
      throw new NormalizeError(
        `orderItems[${i}].vendorItemId: ${item.vendorItemId} appears twice in box ${o.shipmentBoxId}`,
      );
    }
    seen.add(item.vendorItemId);
  }
  return {
    shipmentBoxId: o.shipmentBoxId,
    vendorId,
    orderId: o.orderId,
    status: o.status,
    orderedAt: o.orderedAt ?? null,
    paidAt: o.paidAt ?? null,
    ordererName: o.orderer?.name ?? null,
    ordererEmail: o.orderer?.email ?? null,
    ordererSafeNumber: o.orderer?.safeNumber ?? null,
    receiverName: o.receiver?.name ?? null,
    receiverSafeNumber: o.receiver?.safeNumber ?? null,
    receiverAddr1: o.receiver?.addr1 ?? null,
    receiverAddr2: o.receiver?.addr2 ?? null,
    receiverPostCode: o.receiver?.postCode ?? null,
    shippingPrice: krw(o.shippingPrice, "shippingPrice"),
    remotePrice: krw(o.remotePrice, "remotePrice"),
    remoteArea: o.remoteArea ?? null,
    parcelPrintMessage: o.parcelPrintMessage ?? null,
    splitShipping: o.splitShipping ?? null,
    ableSplitShipping: o.ableSplitShipping ?? null,
    deliveryCompanyName: o.deliveryCompanyName ?? null,
    invoiceNumber: o.invoiceNumber ?? null,
    inTransitAt: o.inTransitAt ?? null,
    deliveredAt: o.deliveredDate ?? null,
    refer: o.refer ?? null,
    shipmentType: o.shipmentType ?? null,
    raw: record.rawJson,
    rawHash: hashRaw(record.rawJson),
    items: o.orderItems.map((item, i) =>
      normalizeItem(vendorId, o, item, rawElement(record.raw, "orderItems", i), i),
    ),
  };
}

function normalizeItem(
  vendorId: string,
  o: OrderSheet,
  item: OrderItem,
  raw: unknown,
  index: number,
): OrderItemRow {
  const at = `orderItems[${index}]`;
  if (item.shippingCount === undefined) throw new NormalizeError(`${at}.shippingCount: missing`);
  const rawJson = stringifyJson(raw);
  return {
    shipmentBoxId: o.shipmentBoxId,
    vendorItemId: item.vendorItemId,
    vendorId,
    orderId: o.orderId,
    vendorItemName: item.vendorItemName ?? null,
    vendorItemPackageId: item.vendorItemPackageId ?? null,
    vendorItemPackageName: item.vendorItemPackageName ?? null,
    productId: item.productId ?? null,
    sellerProductId: item.sellerProductId ?? null,
    sellerProductName: item.sellerProductName ?? null,
    sellerProductItemName: item.sellerProductItemName ?? null,
    firstSellerProductItemName: item.firstSellerProductItemName ?? null,
    externalVendorSkuCode: item.externalVendorSkuCode ?? null,
    shippingCount: item.shippingCount,
    cancelCount: item.cancelCount ?? 0,
    holdCountForCancel: item.holdCountForCancel ?? 0,
    salesPrice: krw(item.salesPrice, `${at}.salesPrice`),
    orderPrice: krw(item.orderPrice, `${at}.orderPrice`),
    discountPrice: krw(item.discountPrice, `${at}.discountPrice`),
    instantCouponDiscount: krw(item.instantCouponDiscount, `${at}.instantCouponDiscount`),
    downloadableCouponDiscount: krw(item.downloadableCouponDiscount, `${at}.downloadableCouponDiscount`),
    coupangDiscount: krw(item.coupangDiscount, `${at}.coupangDiscount`),
    estimatedShippingDate: item.estimatedShippingDate ?? null,
    plannedShippingDate: item.plannedShippingDate ?? null,
    invoiceNumberUploadAt: item.invoiceNumberUploadDate ?? null,
    confirmedAt: item.confirmDate ?? null,
    deliveryChargeTypeName: item.deliveryChargeTypeName ?? null,
    pricingBadge: item.pricingBadge ?? null,
    usedProduct: item.usedProduct ?? null,
    upBundleItem: item.upBundleItem ?? null,
    canceled: item.canceled ?? null,
    raw: rawJson,
    rawHash: hashRaw(rawJson),
  };
}

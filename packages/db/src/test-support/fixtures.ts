// Test support only: complete ShipmentBoxRow / OrderItemRow values whose `raw` is a canonical JSON
// text built from the row itself (64-bit IDs as exact JSON numbers) and whose `rawHash` is its
// sha256, so changing any field changes the payload and its hash, as with real Coupang data.
import { createHash } from "node:crypto";
import type { OrderItemRow, ShipmentBoxRow } from "../repositories/shipment-boxes.js";

const BIG = "\u0000big:";

function canonicalJson(fields: Record<string, unknown>): string {
  const sorted = Object.fromEntries(Object.entries(fields).sort(([a], [b]) => (a < b ? -1 : 1)));
  return JSON.stringify(sorted, (_key, value: unknown) =>
    typeof value === "bigint" ? `${BIG}${value}` : value,
  ).replace(/"\\u0000big:(-?\d+)"/g, "$1");
}

/** Adds raw (the row as JSON, plus the nested raw JSON texts given) and its sha256. */
function withRaw<T extends { raw: string; rawHash: string }>(
  row: Omit<T, "raw" | "rawHash">,
  nested: Record<string, string[]> = {},
): T {
  let raw = canonicalJson(row);
  for (const [key, texts] of Object.entries(nested))
    raw = `${raw.slice(0, -1)},"${key}":[${texts.join(",")}]}`;
  return { ...row, raw, rawHash: createHash("sha256").update(raw).digest("hex") } as T;
}

/** An order item with every column set; `overrides` replace fields before raw/rawHash are computed. */
export function makeItem(
  shipmentBoxId: bigint,
  vendorItemId: bigint,
  overrides: Partial<Omit<OrderItemRow, "raw" | "rawHash">> = {},
): OrderItemRow {
  const fields = {
    shipmentBoxId,
    vendorItemId,
    vendorId: "A00012345",
    orderId: 300000000000000001n,
    vendorItemName: "Coffee beans 1kg",
    vendorItemPackageId: 0n,
    vendorItemPackageName: "Coffee beans",
    productId: 7000000001n,
    sellerProductId: 1300000001n,
    sellerProductName: "Coffee beans",
    sellerProductItemName: "1kg",
    firstSellerProductItemName: "1kg",
    externalVendorSkuCode: "SKU-1",
    shippingCount: 2,
    cancelCount: 0,
    holdCountForCancel: 0,
    salesPrice: 15900n,
    orderPrice: 31800n,
    discountPrice: 0n,
    instantCouponDiscount: 0n,
    downloadableCouponDiscount: 0n,
    coupangDiscount: 0n,
    estimatedShippingDate: new Date("2026-11-30T00:00:00Z"),
    plannedShippingDate: new Date("2026-12-01T00:00:00Z"),
    invoiceNumberUploadAt: null,
    confirmedAt: null,
    deliveryChargeTypeName: "무료",
    pricingBadge: false,
    usedProduct: false,
    upBundleItem: false,
    canceled: false,
    ...overrides,
  };
  return withRaw<OrderItemRow>(fields);
}

/**
 * A shipment box with every column set and `itemIds.length` items; `overrides` replace fields
 * before raw/rawHash are computed, `items` (when given) replaces the generated items.
 */
export function makeBox(
  shipmentBoxId: bigint,
  overrides: Partial<Omit<ShipmentBoxRow, "raw" | "rawHash">> = {},
  itemIds: bigint[] = [9000000001n],
): ShipmentBoxRow {
  const { items: givenItems, ...rest } = overrides;
  const items = givenItems ?? itemIds.map((id) => makeItem(shipmentBoxId, id));
  const fields = {
    shipmentBoxId,
    vendorId: "A00012345",
    orderId: 300000000000000001n,
    status: "ACCEPT",
    orderedAt: new Date("2026-11-29T01:02:03Z"),
    paidAt: new Date("2026-11-29T01:02:30Z"),
    ordererName: "홍길동",
    ordererEmail: "buyer@example.com",
    ordererSafeNumber: "0502-1234-5678",
    receiverName: "홍길동",
    receiverSafeNumber: "0502-1234-5679",
    receiverAddr1: "서울특별시 송파구 송파대로 570",
    receiverAddr2: "101동 1001호",
    receiverPostCode: "05510",
    shippingPrice: 3000n,
    remotePrice: 0n,
    remoteArea: false,
    parcelPrintMessage: "문 앞에 놓아주세요",
    splitShipping: false,
    ableSplitShipping: false,
    deliveryCompanyName: "CJ 대한통운",
    invoiceNumber: null,
    inTransitAt: null,
    deliveredAt: null,
    refer: "아이폰앱",
    shipmentType: "THIRD_PARTY",
    ...rest,
  };
  const box = withRaw<Omit<ShipmentBoxRow, "items">>(fields, { orderItems: items.map((i) => i.raw) });
  return { ...box, items };
}

// Test support only: complete ShipmentBoxRow / OrderItemRow values whose `raw` is a canonical JSON
// text built from the row itself (64-bit IDs as exact JSON numbers) and whose `rawHash` is its
// sha256, so changing any field changes the payload and its hash, as with real Coupang data.
import { createHash } from "node:crypto";
import type { ExchangeItemRow, ExchangeRequestRow } from "../repositories/exchanges.js";
import type { ReturnItemRow, ReturnRequestRow, ReturnWithdrawalRow } from "../repositories/returns.js";
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

/** A return item with every column set; `overrides` replace fields before raw/rawHash. */
export function makeReturnItem(
  receiptId: bigint,
  vendorItemId: bigint,
  overrides: Partial<Omit<ReturnItemRow, "raw" | "rawHash">> = {},
): ReturnItemRow {
  return withRaw<ReturnItemRow>({
    receiptId,
    vendorItemId,
    vendorId: "A00012345",
    shipmentBoxId: 100000000000000001n,
    vendorItemName: "Coffee beans 1kg",
    vendorItemPackageId: 0n,
    vendorItemPackageName: "Coffee beans",
    sellerProductId: 1300000001n,
    sellerProductName: "Coffee beans",
    purchaseCount: 2,
    cancelCount: 1,
    releaseStatus: "Y",
    cancelCompleteUser: "s******",
    ...overrides,
  });
}

/**
 * A return receipt with every column set and one item per id of `itemIds`; `overrides` replace
 * fields before raw/rawHash are computed, `items` (when given) replaces the generated items.
 */
export function makeReturnRequest(
  receiptId: bigint,
  overrides: Partial<Omit<ReturnRequestRow, "raw" | "rawHash">> = {},
  itemIds: bigint[] = [70000000001n],
): ReturnRequestRow {
  const { items: givenItems, ...rest } = overrides;
  const items = givenItems ?? itemIds.map((id) => makeReturnItem(receiptId, id));
  const fields = {
    receiptId,
    vendorId: "A00012345",
    orderId: 9000000000001n,
    paymentId: 9100000000001n,
    receiptType: "RETURN",
    receiptStatus: "RETURNS_UNCHECKED",
    requestedAt: new Date("2026-11-29T13:52:42Z"),
    modifiedAt: new Date("2026-11-29T13:52:42Z"),
    requesterName: "홍*동",
    requesterPhoneNumber: "0500-****-0000",
    requesterAddress: "서울특별시 송파구 송파대로 570",
    requesterAddressDetail: "101동 1001호",
    requesterZipCode: "05510",
    cancelReasonCategory1: "고객변심",
    cancelReasonCategory2: "단순변심(사유없음)",
    cancelReason: null,
    cancelCountSum: 1,
    returnDeliveryId: 40000001n,
    returnDeliveryType: "연동택배",
    releaseStopStatus: "비대상",
    faultByType: "CUSTOMER",
    preRefund: false,
    completeConfirmType: "UNDEFINED",
    completeConfirmedAt: null,
    reasonCode: "CHANGEMIND",
    reasonCodeText: "필요 없어짐 (단순 변심)",
    returnShippingCharge: -3000n,
    ...rest,
  };
  const request = withRaw<Omit<ReturnRequestRow, "items">>(fields, { returnItems: items.map((i) => i.raw) });
  return { ...request, items };
}

/** A withdrawn return with every column set; `overrides` replace fields before raw/rawHash. */
export function makeReturnWithdrawal(
  cancelId: bigint,
  overrides: Partial<Omit<ReturnWithdrawalRow, "raw" | "rawHash">> = {},
): ReturnWithdrawalRow {
  return withRaw<ReturnWithdrawalRow>({
    cancelId,
    vendorId: "A00012345",
    orderId: 9000000000001n,
    refundDeliveryDuty: "CUS",
    withdrawnAt: new Date("2026-11-30T01:00:00Z"),
    vendorItemIds: [70000000001n, 999999999999999999n],
    ...overrides,
  });
}

/** An exchange item with every column set; `overrides` replace fields before raw/rawHash. */
export function makeExchangeItem(
  exchangeId: bigint,
  exchangeItemId: bigint,
  overrides: Partial<Omit<ExchangeItemRow, "raw" | "rawHash">> = {},
): ExchangeItemRow {
  return withRaw<ExchangeItemRow>({
    exchangeItemId,
    exchangeId,
    vendorId: "A00012345",
    orderItemId: 70000000002n,
    orderItemUnitPrice: 35000n,
    orderItemName: "Bag, Beige, FREE",
    orderPackageId: null,
    orderPackageName: null,
    targetItemId: 70000000002n,
    targetItemUnitPrice: 35000n,
    targetItemName: "Bag, Beige, FREE",
    targetPackageId: -1n,
    targetPackageName: null,
    quantity: 1,
    orderItemDeliveryComplete: true,
    orderItemReturnComplete: false,
    targetItemDeliveryComplete: false,
    requestedAt: new Date("2026-11-29T01:54:41Z"),
    modifiedAt: new Date("2026-11-29T01:54:41Z"),
    originalShipmentBoxId: 100000000000000002n,
    ...overrides,
  });
}

/**
 * An exchange with every column set and one item per id of `itemIds`; `overrides` replace fields
 * before raw/rawHash are computed, `items` (when given) replaces the generated items.
 */
export function makeExchangeRequest(
  exchangeId: bigint,
  overrides: Partial<Omit<ExchangeRequestRow, "raw" | "rawHash">> = {},
  itemIds: bigint[] = [1000001n],
): ExchangeRequestRow {
  const { items: givenItems, ...rest } = overrides;
  const items = givenItems ?? itemIds.map((id) => makeExchangeItem(exchangeId, id));
  const fields = {
    exchangeId,
    vendorId: "A00012345",
    orderId: 9000000000002n,
    exchangeStatus: "RECEIPT",
    orderDeliveryStatusCode: "FINAL_DELIVERY",
    referType: "WEB_MOBILE",
    faultType: "VENDOR",
    exchangeAmount: 0n,
    reasonCode: "WRONGSIZECOL",
    reasonCodeText: "내가 주문한 상품과 다른 색상/사이즈의 상품이 배송됨",
    reasonEtcDetail: "detail",
    cancelReason: null,
    createdByType: "CUSTOMER",
    modifiedByType: "CUSTOMER",
    requestedAt: new Date("2026-11-29T01:54:41Z"),
    modifiedAt: new Date("2026-11-29T01:54:41Z"),
    collectStatus: "BeforeDirection",
    deliveryStatus: "BeforeDirection",
    collectCompletedAt: null,
    newShipmentBoxId: null,
    successable: false,
    rejectable: true,
    deliveryInvoiceModifiable: false,
    ...rest,
  };
  const request = withRaw<Omit<ExchangeRequestRow, "items">>(fields, {
    exchangeItemDtoV1s: items.map((i) => i.raw),
  });
  return { ...request, items };
}

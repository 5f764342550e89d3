import { hash } from "node:crypto";
import { stringifyJson, type OrderItem, type OrderSheet } from "@cos/coupang";
import { isStorableText, type OrderItemRow, type ShipmentBoxRow } from "@cos/db";

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

const INT64_MAX = 9223372036854775807n;
const INT32_MAX = 2_147_483_647;
/** Coupang's payloads nest a few levels; far deeper is a broken payload, and would overflow the walk. */
const MAX_DEPTH = 64;

/**
 * Where a walk found a problem: the keys and indexes down to it, innermost first (each level adds
 * its step while the problem travels up, so a walk that finds none builds no path).
 */
type StepsUp = Array<string | number>;

/**
 * `start` followed by the steps of `up`, outermost first, as `a.b[0].c`: keys joined by dots
 * (none before the first when `start` is empty), indexes in brackets.
 */
function pathOf(start: string, up: StepsUp): string {
  let out = start;
  for (let i = up.length - 1; i >= 0; i--) {
    const step = up[i]!;
    out = typeof step === "number" ? `${out}[${step}]` : out ? `${out}.${step}` : step;
  }
  return out;
}

const UNSTORABLE_TEXT = "text with a NUL character or an unpaired surrogate, which Postgres cannot store";

/** What in `value` Postgres cannot store, or undefined; the path to it is left in `up`. */
function unstorable(value: unknown, level: number, up: StepsUp): string | undefined {
  if (level > MAX_DEPTH) return `nested deeper than ${MAX_DEPTH} levels`;
  if (typeof value === "string") return isStorableText(value) ? undefined : UNSTORABLE_TEXT;
  if (typeof value === "bigint") {
    return value > INT64_MAX || value < -INT64_MAX - 1n ? `${value} is beyond a 64-bit integer` : undefined;
  }
  if (typeof value !== "object" || value === null) return undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const problem = unstorable(value[i], level + 1, up);
      if (problem !== undefined) {
        up.push(i);
        return problem;
      }
    }
    return undefined;
  }
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    // A key's problem is reported at its object's path.
    if (!isStorableText(key)) return UNSTORABLE_TEXT;
    const problem = unstorable(record[key], level + 1, up);
    if (problem !== undefined) {
      up.push(key);
      return problem;
    }
  }
  return undefined;
}

/**
 * Refuses a payload holding what Postgres cannot store — text with a NUL character or an
 * unpaired UTF-16 surrogate (a truncated emoji), an integer beyond 64 bits, nesting deeper than
 * 64 levels — naming the path. Such a record is quarantined instead of failing its whole page.
 * @throws NormalizeError
 */
export function assertStorable(value: unknown, path = "$", depth = 0): void {
  const up: StepsUp = [];
  const problem = unstorable(value, depth, up);
  if (problem !== undefined) throw new NormalizeError(`${pathOf(path, up)}: ${problem}`);
}

/** What in a row's field `value` is implausible, or undefined; the path below it is left in `up`. */
function implausible(value: unknown, up: StepsUp): string | undefined {
  if (value instanceof Date) {
    const year = value.getUTCFullYear();
    return year >= 1900 && year <= 2999 ? undefined : `${value.toISOString()} is not a plausible date`;
  }
  if (typeof value === "number") {
    return Number.isInteger(value) && Math.abs(value) > INT32_MAX
      ? `${value} is beyond a 32-bit integer`
      : undefined;
  }
  if (typeof value === "bigint") {
    return value > INT64_MAX || value < -INT64_MAX - 1n ? `${value} is beyond a 64-bit integer` : undefined;
  }
  if (typeof value !== "object" || value === null) return undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const problem = implausible(value[i], up);
      if (problem !== undefined) {
        up.push(i);
        return problem;
      }
    }
    return undefined;
  }
  return implausibleField(value as Record<string, unknown>, up);
}

/** The first implausible field of `record`, or undefined; the path to it is left in `up`. */
function implausibleField(record: Record<string, unknown>, up: StepsUp): string | undefined {
  for (const key of Object.keys(record)) {
    const problem = implausible(record[key], up);
    if (problem !== undefined) {
      up.push(key);
      return problem;
    }
  }
  return undefined;
}

/**
 * Refuses a row whose instants lie outside 1900–2999 (a year-0001 date is a broken payload, not
 * an order), whose quantities exceed a 32-bit integer column or whose IDs exceed a 64-bit one
 * (an ID sent as a digit string is no bigint in the payload {@link assertStorable} checks),
 * naming the field.
 * @throws NormalizeError
 */
export function assertPlausible(row: object, path = ""): void {
  const up: StepsUp = [];
  const problem = implausibleField(row as Record<string, unknown>, up);
  if (problem !== undefined) throw new NormalizeError(`${pathOf(path, up)}: ${problem}`);
}

/**
 * Builds a row with `build` from a payload that passes {@link assertStorable}, then checks the row
 * with {@link assertPlausible}, and that a payload naming its own `vendorId` names the vendor whose
 * answer it came in (the row's): every normalizer's frame, so no stream writes what Postgres
 * refuses, nor files one seller's record under another.
 * @throws NormalizeError
 */
export function checked<T extends { vendorId: string }>(raw: unknown, build: () => T): T {
  assertStorable(raw);
  const row = build();
  assertPlausible(row);
  const own = (raw as { vendorId?: unknown } | null)?.vendorId;
  if (typeof own === "string" && own !== "" && own !== row.vendorId) {
    throw new NormalizeError(`vendorId: ${JSON.stringify(own)} in an answer to vendor ${row.vendorId}`);
  }
  return row;
}

/** sha256 hex of a canonical JSON text: the change detector beside every raw payload. */
export function hashRaw(rawJson: string): string {
  return hash("sha256", rawJson, "hex");
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
  return checked(record.raw, () => buildShipmentBox(vendorId, record));
}

function buildShipmentBox(vendorId: string, record: ReceivedRecord<OrderSheet>): ShipmentBoxRow {
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

import {
  stringifyJson,
  type Money,
  type ReturnItem,
  type ReturnRequest,
  type ReturnWithdrawal,
} from "@cos/coupang";
import type { ReturnItemRow, ReturnRequestRow, ReturnWithdrawalRow } from "@cos/db";
import { NormalizeError, type ReceivedRecord, hashRaw, rawElement, checked } from "./normalize.js";

/**
 * A {@link Money} amount as exact KRW, null when absent. The v6 endpoint may send a Money object
 * (coupang-api.md §6.1); only whole won are stored, so another currency or a fraction of a won
 * means the payload is not what this seller's KR endpoints send.
 * @throws NormalizeError naming `field` for a non-KRW currency or a non-zero `nanos`.
 */
export function moneyKrw(value: Money | undefined, field: string): bigint | null {
  if (value === undefined) return null;
  if (value.currencyCode !== "KRW") {
    throw new NormalizeError(`${field}: expected KRW, got ${value.currencyCode}`);
  }
  if (value.nanos !== 0) {
    throw new NormalizeError(
      `${field}: expected whole KRW, got ${value.units} units and ${value.nanos} nanos`,
    );
  }
  return value.units;
}

/**
 * Maps one validated return/cancel receipt of returnRequests (coupang-api.md §6.1) to its
 * `return_requests` row and `return_items` rows. Absent values (`""`, null) become null; instants
 * are already converted from KST by the client's schema; Coupang's `createdAt`/`modifiedAt` become
 * `requestedAt`/`modifiedAt`; the raw payload of the receipt and of each item is kept as
 * canonical JSON with its sha256.
 * @throws NormalizeError when the receipt cannot be stored as it is: no `receiptStatus`, a
 *   vendorItemId twice in one receipt, or a `returnShippingCharge` that is not whole KRW.
 */
export function normalizeReturnRequest(
  vendorId: string,
  record: ReceivedRecord<ReturnRequest>,
): ReturnRequestRow {
  return checked(record.raw, () => buildReturnRequest(vendorId, record));
}

function buildReturnRequest(vendorId: string, record: ReceivedRecord<ReturnRequest>): ReturnRequestRow {
  const r = record.value;
  // The status is what the monotonic guard compares: a receipt without one cannot be merged.
  if (r.receiptStatus === undefined) throw new NormalizeError("receiptStatus: missing");
  const seen = new Set<bigint>();
  for (const [i, item] of r.returnItems.entries()) {
    if (seen.has(item.vendorItemId)) {
      throw new NormalizeError(
        `returnItems[${i}].vendorItemId: ${item.vendorItemId} appears twice in receipt ${r.receiptId}`,
      );
    }
    seen.add(item.vendorItemId);
  }
  return {
    receiptId: r.receiptId,
    vendorId,
    orderId: r.orderId ?? null,
    paymentId: r.paymentId ?? null,
    receiptType: r.receiptType ?? null,
    receiptStatus: r.receiptStatus,
    requestedAt: r.createdAt ?? null,
    modifiedAt: r.modifiedAt ?? null,
    requesterName: r.requesterName ?? null,
    requesterPhoneNumber: r.requesterPhoneNumber ?? null,
    requesterAddress: r.requesterAddress ?? null,
    requesterAddressDetail: r.requesterAddressDetail ?? null,
    requesterZipCode: r.requesterZipCode ?? null,
    cancelReasonCategory1: r.cancelReasonCategory1 ?? null,
    cancelReasonCategory2: r.cancelReasonCategory2 ?? null,
    cancelReason: r.cancelReason ?? null,
    cancelCountSum: r.cancelCountSum ?? null,
    returnDeliveryId: r.returnDeliveryId ?? null,
    returnDeliveryType: r.returnDeliveryType ?? null,
    releaseStopStatus: r.releaseStopStatus ?? null,
    faultByType: r.faultByType ?? null,
    preRefund: r.preRefund ?? null,
    completeConfirmType: r.completeConfirmType ?? null,
    completeConfirmedAt: r.completeConfirmDate ?? null,
    reasonCode: r.reasonCode ?? null,
    reasonCodeText: r.reasonCodeText ?? null,
    returnShippingCharge: moneyKrw(r.returnShippingCharge, "returnShippingCharge"),
    raw: record.rawJson,
    rawHash: hashRaw(record.rawJson),
    items: r.returnItems.map((item, i) =>
      normalizeReturnItem(vendorId, r.receiptId, item, rawElement(record.raw, "returnItems", i)),
    ),
  };
}

function normalizeReturnItem(
  vendorId: string,
  receiptId: bigint,
  item: ReturnItem,
  raw: unknown,
): ReturnItemRow {
  const rawJson = stringifyJson(raw);
  return {
    receiptId,
    vendorItemId: item.vendorItemId,
    vendorId,
    shipmentBoxId: item.shipmentBoxId ?? null,
    vendorItemName: item.vendorItemName ?? null,
    vendorItemPackageId: item.vendorItemPackageId ?? null,
    vendorItemPackageName: item.vendorItemPackageName ?? null,
    sellerProductId: item.sellerProductId ?? null,
    sellerProductName: item.sellerProductName ?? null,
    purchaseCount: item.purchaseCount ?? null,
    cancelCount: item.cancelCount ?? null,
    releaseStatus: item.releaseStatus ?? null,
    cancelCompleteUser: item.cancelCompleteUser ?? null,
    raw: rawJson,
    rawHash: hashRaw(rawJson),
  };
}

/**
 * Maps one validated withdrawn return of returnWithdrawRequests / returnWithdrawList
 * (coupang-api.md §7) to its `return_withdrawals` row: `cancelId` is the return's receiptId,
 * Coupang's `createdAt` (the time of withdrawal) becomes `withdrawnAt`. The stored vendor is the
 * account polled, not the payload's `vendorId`, as for every other stream. Never throws: every
 * field is optional but the key, and the client's schema has checked that.
 */
export function normalizeReturnWithdrawal(
  vendorId: string,
  record: ReceivedRecord<ReturnWithdrawal>,
): ReturnWithdrawalRow {
  return checked(record.raw, () => buildReturnWithdrawal(vendorId, record));
}

function buildReturnWithdrawal(
  vendorId: string,
  record: ReceivedRecord<ReturnWithdrawal>,
): ReturnWithdrawalRow {
  const w = record.value;
  return {
    cancelId: w.cancelId,
    vendorId,
    orderId: w.orderId ?? null,
    refundDeliveryDuty: w.refundDeliveryDuty ?? null,
    withdrawnAt: w.createdAt ?? null,
    vendorItemIds: [...w.vendorItemIds],
    raw: record.rawJson,
    rawHash: hashRaw(record.rawJson),
  };
}

import {
  replacementShipmentBoxIds,
  stringifyJson,
  type ExchangeItem,
  type ExchangeRequest,
} from "@cos/coupang";
import type { ExchangeItemRow, ExchangeRequestRow } from "@cos/db";
import { NormalizeError, type ReceivedRecord, hashRaw, krw, rawElement, checked } from "./normalize.js";

/**
 * Maps one validated exchange request of exchangeRequests (coupang-api.md §8.1) to its
 * `exchange_requests` row and `exchange_items` rows. Absent values (`""`, null) become null;
 * instants are already converted from KST; Coupang's `createdAt`/`modifiedAt` become
 * `requestedAt`/`modifiedAt` and `collectCompleteDate` `collectCompletedAt`; prices are exact KRW.
 * `newShipmentBoxId` is the replacement shipment's box: the first `deliveryInvoiceGroupDtos` box
 * that is no item's original box (`replacementShipmentBoxIds`), null until Coupang creates it;
 * every group stays in `raw`. Address and pickup details are kept in `raw` only.
 * @throws NormalizeError when the exchange cannot be stored as it is: no `exchangeStatus`, an
 *   exchangeItemId twice, or an amount that is not whole KRW (the message names the field).
 */
export function normalizeExchangeRequest(
  vendorId: string,
  record: ReceivedRecord<ExchangeRequest>,
): ExchangeRequestRow {
  return checked(record.raw, () => buildExchangeRequest(vendorId, record));
}

function buildExchangeRequest(vendorId: string, record: ReceivedRecord<ExchangeRequest>): ExchangeRequestRow {
  const x = record.value;
  // The status is what the monotonic guard compares: an exchange without one cannot be merged.
  if (x.exchangeStatus === undefined) throw new NormalizeError("exchangeStatus: missing");
  const seen = new Set<bigint>();
  for (const [i, item] of x.exchangeItemDtoV1s.entries()) {
    if (seen.has(item.exchangeItemId)) {
      throw new NormalizeError(
        `exchangeItemDtoV1s[${i}].exchangeItemId: ${item.exchangeItemId} appears twice in exchange ${x.exchangeId}`,
      );
    }
    seen.add(item.exchangeItemId);
  }
  return {
    exchangeId: x.exchangeId,
    vendorId,
    orderId: x.orderId ?? null,
    exchangeStatus: x.exchangeStatus,
    orderDeliveryStatusCode: x.orderDeliveryStatusCode ?? null,
    referType: x.referType ?? null,
    faultType: x.faultType ?? null,
    exchangeAmount: krw(x.exchangeAmount, "exchangeAmount"),
    reasonCode: x.reasonCode ?? null,
    reasonCodeText: x.reasonCodeText ?? null,
    reasonEtcDetail: x.reasonEtcDetail ?? null,
    cancelReason: x.cancelReason ?? null,
    createdByType: x.createdByType ?? null,
    modifiedByType: x.modifiedByType ?? null,
    requestedAt: x.createdAt ?? null,
    modifiedAt: x.modifiedAt ?? null,
    collectStatus: x.collectStatus ?? null,
    deliveryStatus: x.deliveryStatus ?? null,
    collectCompletedAt: x.collectCompleteDate ?? null,
    newShipmentBoxId: replacementShipmentBoxIds(x)[0] ?? null,
    successable: x.successable ?? null,
    rejectable: x.rejectable ?? null,
    deliveryInvoiceModifiable: x.deliveryInvoiceModifiable ?? null,
    raw: record.rawJson,
    rawHash: hashRaw(record.rawJson),
    items: x.exchangeItemDtoV1s.map((item, i) =>
      normalizeExchangeItem(vendorId, x.exchangeId, item, rawElement(record.raw, "exchangeItemDtoV1s", i), i),
    ),
  };
}

function normalizeExchangeItem(
  vendorId: string,
  exchangeId: bigint,
  item: ExchangeItem,
  raw: unknown,
  index: number,
): ExchangeItemRow {
  const at = `exchangeItemDtoV1s[${index}]`;
  const rawJson = stringifyJson(raw);
  return {
    exchangeItemId: item.exchangeItemId,
    exchangeId,
    vendorId,
    orderItemId: item.orderItemId ?? null,
    orderItemUnitPrice: krw(item.orderItemUnitPrice, `${at}.orderItemUnitPrice`),
    orderItemName: item.orderItemName ?? null,
    orderPackageId: item.orderPackageId ?? null,
    orderPackageName: item.orderPackageName ?? null,
    targetItemId: item.targetItemId ?? null,
    targetItemUnitPrice: krw(item.targetItemUnitPrice, `${at}.targetItemUnitPrice`),
    targetItemName: item.targetItemName ?? null,
    targetPackageId: item.targetPackageId ?? null,
    targetPackageName: item.targetPackageName ?? null,
    quantity: item.quantity ?? null,
    orderItemDeliveryComplete: item.orderItemDeliveryComplete ?? null,
    orderItemReturnComplete: item.orderItemReturnComplete ?? null,
    targetItemDeliveryComplete: item.targetItemDeliveryComplete ?? null,
    requestedAt: item.createdAt ?? null,
    modifiedAt: item.modifiedAt ?? null,
    originalShipmentBoxId: item.originalShipmentBoxId ?? null,
    raw: rawJson,
    rawHash: hashRaw(rawJson),
  };
}

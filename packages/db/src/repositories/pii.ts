// Where buyers' personal data sits in the synced tables: the columns and the paths inside `raw`
// that PII retention erases (retention.ts) and that the upsert keeps erased (upsert.ts).
import { quoteIdent } from "./sql.js";

/**
 * The personal data of one table: its columns (set to NULL when erased) and the JSON paths in
 * its `raw` payload (their values replaced by JSON `null`, the keys kept). Order facts — IDs,
 * statuses, amounts, items, dates, reasons — are not listed and are never erased.
 */
export interface PiiSpec {
  columns: readonly string[];
  /** Paths from the payload's root, e.g. `["receiver", "addr1"]`. */
  paths: readonly (readonly string[])[];
}

/**
 * A shipment box's orderer and receiver (coupang-api.md §2.1 `orderer`, `receiver`), the delivery
 * note buyers write, and the customs data of an overseas order (`overseaShippingInfoDto`).
 */
export const SHIPMENT_BOX_PII: PiiSpec = Object.freeze({
  columns: [
    "orderer_name",
    "orderer_email",
    "orderer_safe_number",
    "receiver_name",
    "receiver_safe_number",
    "receiver_addr1",
    "receiver_addr2",
    "receiver_post_code",
    "parcel_print_message",
  ],
  paths: [
    ["orderer", "name"],
    ["orderer", "email"],
    ["orderer", "safeNumber"],
    ["orderer", "ordererNumber"],
    ["receiver", "name"],
    ["receiver", "safeNumber"],
    ["receiver", "receiverNumber"],
    ["receiver", "addr1"],
    ["receiver", "addr2"],
    ["receiver", "postCode"],
    ["parcelPrintMessage"],
    ["overseaShippingInfoDto", "personalCustomsClearanceCode"],
    ["overseaShippingInfoDto", "ordererSsn"],
    ["overseaShippingInfoDto", "ordererPhoneNumber"],
  ],
});

/** A return or cancel receipt's requester (coupang-api.md §6.1). */
export const RETURN_REQUEST_PII: PiiSpec = Object.freeze({
  columns: [
    "requester_name",
    "requester_phone_number",
    "requester_address",
    "requester_address_detail",
    "requester_zip_code",
  ],
  paths: [
    ["requesterName"],
    ["requesterPhoneNumber"],
    ["requesterRealPhoneNumber"],
    ["requesterAddress"],
    ["requesterAddressDetail"],
    ["requesterZipCode"],
  ],
});

/**
 * An exchange's pickup and delivery addresses (coupang-api.md §8.1 `exchangeAddressDtoV1`) and the
 * buyer's side of the pickup destination (`collectInformationsDto.returndeliveryDestinationDto`:
 * `customer*`, the relay `safetyNumber`, `orderedByMobile`, the pickup `message`; the seller's
 * `vendor*` return centre stays); the table has no personal-data column.
 */
export const EXCHANGE_REQUEST_PII: PiiSpec = Object.freeze({
  columns: [],
  paths: [
    ...[
      "returnCustomerName",
      "returnAddressZipCode",
      "returnAddress",
      "returnAddressDetail",
      "returnPhone",
      "returnMobile",
      "returnMemo",
      "deliveryCustomerName",
      "deliveryAddressZipCode",
      "deliveryAddress",
      "deliveryAddressDetail",
      "deliveryPhone",
      "deliveryMobile",
      "deliveryMemo",
    ].map((key) => ["exchangeAddressDtoV1", key]),
    ...[
      "safetyNumber",
      "orderedByMobile",
      "message",
      "customerZipCode",
      "customerPhone",
      "customerName",
      "customerMobile",
      "customerAddressDetail",
      "customerAddress",
    ].map((key) => ["collectInformationsDto", "returndeliveryDestinationDto", key]),
  ],
});

/**
 * SQL of `raw` (a jsonb expression) with the value at each of `spec.paths` replaced by JSON null:
 * a nested `jsonb_set(…, false)`, which leaves a path that is absent, or whose parent is not an
 * object, as it is (no key is added).
 * @throws Error for a path key that is not a plain identifier (they are spliced into the SQL).
 */
export function erasedRawSql(raw: string, spec: PiiSpec): string {
  return spec.paths.reduce((expr, path) => {
    for (const key of path)
      if (!/^[A-Za-z0-9_]+$/.test(key)) throw new Error(`unexpected PII path key: ${key}`);
    return `jsonb_set(${expr}, '{${path.join(",")}}', 'null'::jsonb, false)`;
  }, raw);
}

/** The top-level payload fields {@link PiiSpec.paths} touch, sorted: an `erased` event's `changedFields`. */
export function piiTopLevelFields(spec: PiiSpec): string[] {
  return [...new Set(spec.paths.map((p) => p[0]!))].sort();
}

/** The SET list of an erasure over `table`'s row: PII columns to NULL, `raw` erased. */
export function erasureSetSql(table: string, spec: PiiSpec): string[] {
  return [
    ...spec.columns.map((c) => `${quoteIdent(c)} = NULL`),
    `"raw" = ${erasedRawSql(`${table}."raw"`, spec)}`,
  ];
}

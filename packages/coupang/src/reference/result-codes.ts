/**
 * Per-row `resultCode` values of invoice upload/update (and acknowledgement), coupang-api.md
 * §4.1 (D19), with the `retryRequired` flag the doc gives each and its meaning. The flag in the
 * answer is what counts: retry a row only when it says `retryRequired: true`.
 */
export const INVOICE_RESULT_CODES = {
  OK: { retryRequired: false, meaning: "success" },
  NOT_FOUND_SHIPMENT_BOX: { retryRequired: false, meaning: "box not found" },
  INVALID_STATUS: {
    retryRequired: false,
    meaning: "not INSTRUCT: acknowledge an ACCEPT box first; use updateInvoices for a DEPARTURE box",
  },
  PERMISSION_DENIED: { retryRequired: true, meaning: "no permission" },
  DUPLICATE_INVOICE_NUMBER: { retryRequired: true, meaning: "invoice number already stored" },
  INVALID_INVOICE_NUMBER: { retryRequired: true, meaning: "invoice number invalid" },
  ORDER_DELIVERY_CANCELED: {
    retryRequired: false,
    meaning: "order cancelled, or a stop-shipment request is pending",
  },
  ORDER_DELIVERY_PARTIAL_STOP_REQUESTED: { retryRequired: true, meaning: "stop-shipment requested" },
  ORDER_DELIVERY_CANCELED_HOLDING_FOR_CANCEL: { retryRequired: true, meaning: "cancel pending" },
  UNDEFINED_ERROR_OCCUR: { retryRequired: true, meaning: "unknown error" },
  NOT_ALLOW_INVOICE_NUMBER_RE_UPLOAD: {
    retryRequired: false,
    meaning: "invoice number used within 6 months (a reuse needs the same orderer and recipient)",
  },
  NOT_FOUND_INVOICE_NUMBER: {
    retryRequired: false,
    meaning: "a planned ship date is already set, so an invoice number is required",
  },
  NOT_FOUND_VENDOR_ITEM: { retryRequired: false, meaning: "an item of the box is missing from the request" },
  NOT_ALLOW_VENDOR_DIRECT: { retryRequired: false, meaning: "DIRECT cannot be split" },
  PSD_NOT_ALLOW_TO_CHANGE: {
    retryRequired: false,
    meaning: "the planned ship date cannot be changed once set",
  },
  NOT_ALLOW_SEPARATE_AFTER_NORMAL_DELIVERY: {
    retryRequired: false,
    meaning: "cannot split after a normal upload",
  },
  IS_SEPARATE_MUST_BE_TRUE_WHEN_SEPARATE_DELIVERY: {
    retryRequired: false,
    meaning: "splitShipping must stay true",
  },
  NOT_ALLOW_SEPARATE_WHEN_ONE_VENDOR_ITEM: {
    retryRequired: false,
    meaning: "a single-item box cannot be split",
  },
} as const;
/** A code of {@link INVOICE_RESULT_CODES}. */
export type InvoiceResultCode = keyof typeof INVOICE_RESULT_CODES;

/**
 * `data.responseCode` of acknowledgement and invoice calls (coupang-api.md §3, §4.1): the
 * summary of the rows. The rows still decide, one by one.
 */
export const BATCH_RESPONSE_CODES = {
  "-1": "none",
  "0": "success",
  "1": "partial",
  "99": "failed",
} as const;

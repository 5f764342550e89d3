// Public API of @cos/coupang, a stand-alone client of Coupang's WING OPEN API.
// Facts about the API: docs/coupang-api.md (sections cited in each docstring).

export { CoupangClient } from "./client.js";
export type {
  CancelItem,
  CancelOrderInput,
  CoupangClientOptions,
  CoupangResponseEvent,
  DeliveryHistory,
  ExchangeInvoice,
  ExchangeRequestPage,
  ExchangeRequestQuery,
  InvoiceRow,
  OrderSheetList,
  OrderSheetPage,
  OrderSheetQuery,
  OrderSheetTimeFrameQuery,
  PageOptions,
  ReceiveTimings,
  ReturnRequestList,
  ReturnRequestPage,
  ReturnRequestQuery,
  ReturnRequestTimeFrameQuery,
  ReturnWithdrawalList,
  ReturnWithdrawalPage,
  ReturnWithdrawalQuery,
} from "./client.js";
export type { CoupangId } from "./inputs.js";

export {
  CoupangAuthError,
  CoupangBlockedError,
  CoupangDataError,
  CoupangError,
  CoupangInputError,
  CoupangNotFoundError,
  CoupangPayloadError,
  CoupangRateLimitError,
  CoupangRetryableError,
  MAX_BODY_CHARS,
  classifyHttpError,
  classifyNetworkError,
  describeValue,
  parseRetryAfter,
} from "./errors.js";
export type {
  CoupangErrorContext,
  CoupangErrorKind,
  CoupangInputErrorDetails,
  CoupangPayloadErrorDetails,
  HttpErrorInput,
  ResponseHeaders,
} from "./errors.js";

export { TokenBucketLimiter } from "./limiter/limiter.js";
export type { RateLimitBudget, RateLimiter } from "./limiter/limiter.js";
export { RedisRateLimiter } from "./limiter/redis.js";
export type { RedisRateLimiterOptions } from "./limiter/redis.js";

export { parseJson, stringifyJson } from "./json.js";
export { buildQuery, encodeQueryComponent } from "./query.js";
export type { QueryParams, QueryValue } from "./query.js";
export { authorizationHeader, formatSignedDate, signature } from "./signer.js";
export type { AuthorizationInput } from "./signer.js";
export {
  KST_OFFSET_MS,
  formatKstDate,
  formatKstMinute,
  formatKstSecond,
  kstDayNumber,
  kstDayNumberStart,
  kstDayStart,
  parseKstDate,
  parseKstDateTime,
  parseKstMinute,
  parseKstSecond,
} from "./time.js";
export {
  OVERLAPPING_TEN_MINUTE_SLICES,
  splitDailyWindows,
  splitExchangeWindows,
  splitMinuteWindows,
  splitWithdrawWindows,
} from "./windows.js";
export type { DailyWindow, MinuteWindowOptions, QueryWindow, WithdrawWindow } from "./windows.js";

export { checkInvoiceNumber, DELIVERY_COMPANIES, REFUSED_CARRIER_CODES } from "./reference/carriers.js";
export type {
  DeliveryCompany,
  DeliveryCompanyCode,
  InvoiceDigitRule,
  InvoiceNumberCheck,
} from "./reference/carriers.js";
export { BIG_CANCEL_CODES, MIDDLE_CANCEL_CODES } from "./reference/cancel.js";
export type { BigCancelCode, MiddleCancelCode } from "./reference/cancel.js";
export { codesOf, isCodeOf } from "./reference/codes.js";
export { BATCH_RESPONSE_CODES, INVOICE_RESULT_CODES } from "./reference/result-codes.js";
export type { InvoiceResultCode } from "./reference/result-codes.js";
export {
  COMPLETE_CONFIRM_TYPES,
  EXCHANGE_ACTOR_TYPES,
  EXCHANGE_COLLECT_STATUSES,
  EXCHANGE_DELIVERY_STATUSES,
  EXCHANGE_REFER_TYPES,
  EXCHANGE_REJECT_CODES,
  EXCHANGE_STATUSES,
  FAULT_TYPES,
  ORDER_STATUS_LABELS,
  RECEIPT_STATUSES,
  RECEIPT_TYPES,
  REFUND_DELIVERY_DUTIES,
  RELEASE_STATUSES,
  RELEASE_STOP_STATUSES,
  RETURN_DELIVERY_TYPES,
  RETURN_STATUS_FILTERS,
  SHIPPING_DELIVERY_TYPES,
} from "./reference/statuses.js";
export type {
  CompleteConfirmType,
  ExchangeActorType,
  ExchangeCollectStatus,
  ExchangeDeliveryStatus,
  ExchangeReferType,
  ExchangeRejectCode,
  ExchangeStatus,
  FaultType,
  ReceiptStatus,
  ReceiptType,
  RefundDeliveryDuty,
  ReleaseStatus,
  ReleaseStopStatus,
  ReturnDeliveryType,
  ReturnStatusFilter,
  ShippingDeliveryType,
} from "./reference/statuses.js";
export { VOC_REASON_ALIASES, VOC_REASON_CODES } from "./reference/voc.js";
export type { VocReason, VocReasonCode, VocReasonGroup } from "./reference/voc.js";

export { assembleActionResult, actionEnvelopeSchema } from "./schemas/action.js";
export type { ActionResult } from "./schemas/action.js";
export { batchRowSchema, batchSummarySchema } from "./schemas/batch.js";
export type { BatchResult, BatchRow } from "./schemas/batch.js";
export {
  assembleCancelResult,
  cancelDataSchema,
  cancelEnvelopeSchema,
  cancelReceiptSchema,
} from "./schemas/cancel.js";
export type { CancelItemResult, CancelReceipt, CancelResult } from "./schemas/cancel.js";
export {
  collectInformationSchema,
  deliveryInvoiceGroupSchema,
  deliveryInvoiceSchema,
  exchangeAddressSchema,
  exchangeItemSchema,
  exchangeRequestSchema,
  invoiceVendorItemSchema,
  replacementShipmentBoxIds,
  returnDeliveryDestinationSchema,
  returnDeliveryItemSchema,
} from "./schemas/exchanges.js";
export type { ExchangeItem, ExchangeRequest } from "./schemas/exchanges.js";
export type { Money, Open } from "./schemas/lenient.js";
export {
  ORDER_STATUSES,
  deliveryHistoryEntrySchema,
  deliveryHistorySchema,
  isOrderStatus,
  orderItemSchema,
  orderSheetSchema,
  ordererSchema,
  orderExtraPropertiesSchema,
  overseaShippingInfoSchema,
  receiverSchema,
} from "./schemas/ordersheet.js";
export type { DeliveryHistoryEntry, OrderItem, OrderSheet, OrderStatus } from "./schemas/ordersheet.js";
export {
  returnDeliveriesSchema,
  returnDeliverySchema,
  returnItemSchema,
  returnRequestSchema,
} from "./schemas/returns.js";
export type { ReturnDelivery, ReturnItem, ReturnRequest } from "./schemas/returns.js";
export { formatJsonPath, recordIssues, validateRecords } from "./schemas/validate.js";
export type { RecordIssue, RejectedRecord, ValidRecord, ValidatedRecords } from "./schemas/validate.js";
export { returnWithdrawalSchema } from "./schemas/withdrawals.js";
export type { ReturnWithdrawal } from "./schemas/withdrawals.js";

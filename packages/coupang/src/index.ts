// Public API of @cos/coupang, a stand-alone client of Coupang's WING OPEN API.
// Facts about the API: /shared/coupang-api.md (sections cited in each docstring).

export { CoupangClient } from "./client.js";
export type {
  CoupangClientOptions,
  CoupangResponseEvent,
  OrderSheetPage,
  OrderSheetQuery,
  PageOptions,
} from "./client.js";

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
} from "./time.js";
export { splitDailyWindows } from "./windows.js";
export type { DailyWindow } from "./windows.js";

export {
  ORDER_STATUSES,
  isOrderStatus,
  orderItemSchema,
  orderSheetSchema,
  ordererSchema,
  orderExtraPropertiesSchema,
  overseaShippingInfoSchema,
  receiverSchema,
} from "./schemas/ordersheet.js";
export type { OrderItem, OrderSheet, OrderStatus } from "./schemas/ordersheet.js";
export { formatJsonPath, validateRecords } from "./schemas/validate.js";
export type { RejectedRecord, ValidRecord, ValidatedRecords } from "./schemas/validate.js";

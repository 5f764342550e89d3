export {
  planOrderSheets,
  planStream,
  REACHABLE,
  type PlanConfig,
  type PlanInput,
  type StreamPlan,
  type LocalCounts,
  type OrderSheetsPlan,
  type OrderSheetsPlanConfig,
  type PlannedQuery,
  type Tier,
  type TierRuns,
} from "./planner.js";
export { readCursor, cursorSchema, type Cursor } from "./cursor.js";
export { normalizeOrderSheet, hashRaw, NormalizeError, type ReceivedRecord } from "./normalize.js";
export { normalizeReturnRequest, normalizeReturnWithdrawal } from "./normalize-returns.js";
export { normalizeExchangeRequest } from "./normalize-exchanges.js";
export {
  appendPageEvents,
  emptyTally,
  runStream,
  skippedReport,
  type PageTally,
  type PollInput,
  type StreamAdapter,
  type SyncReport,
} from "./stream.js";
export {
  orderSheetsAdapter,
  syncOrderSheets,
  ORDERSHEETS_STREAM,
  type OrderSheetSource,
  type SyncOrderSheetsInput,
} from "./ordersheets.js";
export {
  planReturnRequests,
  returnCountsByDay,
  returnQueryStatusOf,
  returnRequestsAdapter,
  syncReturnRequests,
  writeReturnRequestPage,
  RETURN_QUERY_STATUSES,
  RETURN_REACHABLE,
  RETURN_REQUESTS_STREAM,
  type ReturnQueryStatus,
  type ReturnRequestSource,
  type SyncReturnRequestsInput,
} from "./returns.js";
export {
  exchangeQueryOf,
  exchangeRequestsAdapter,
  planExchangeRequests,
  syncExchangeRequests,
  writeExchangeRequestPage,
  EXCHANGE_QUERY_STATUSES,
  EXCHANGE_REACHABLE,
  EXCHANGE_REQUESTS_STREAM,
  EXCHANGE_WINDOW_DAYS,
  type ExchangeQueryStatus,
  type ExchangeRequestSource,
  type SyncExchangeRequestsInput,
} from "./exchanges.js";
export {
  cancelResyncRun,
  resyncProgress,
  RESYNC_STREAMS,
  ResyncRequestError,
  runResyncWindow,
  startResync,
  type ResyncJob,
  type ResyncRequest,
  type ResyncStream,
} from "./resync.js";
export {
  isStreamName,
  streamAdapter,
  STREAM_NAMES,
  type AnyStreamAdapter,
  type StreamDeps,
  type StreamName,
  type StreamSource,
} from "./streams.js";

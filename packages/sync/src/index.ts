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
  rowsUpserted,
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
  exchangeCountsByDay,
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
  planReturnWithdrawals,
  returnWithdrawalsAdapter,
  syncReturnWithdrawals,
  withdrawalCountsByDay,
  withdrawalQueryOf,
  writeReturnWithdrawalPage,
  RETURN_WITHDRAWALS_STREAM,
  WITHDRAWAL_CHECK_CHUNK,
  WITHDRAWAL_KEYED_STATUSES,
  WITHDRAWAL_QUERY_STATUSES,
  WITHDRAWAL_REACHABLE,
  WITHDRAWAL_WINDOW_DAYS,
  type ReturnWithdrawalSource,
  type ReturnWithdrawalStreamPage,
  type SyncReturnWithdrawalsInput,
  type WithdrawalQueryStatus,
} from "./withdrawals.js";
export {
  cancelResyncRun,
  MAX_RESYNC_DAYS,
  resyncProgress,
  ResyncRequestError,
  runResyncWindow,
  startResync,
  type ResyncJob,
  type ResyncRequest,
} from "./resync.js";
export {
  censusEntry,
  reconcileStream,
  rejectedCensus,
  DEFAULT_MAX_FETCHES_PER_DAY,
  DEFAULT_RECONCILE_DAYS,
  type CensusEntry,
  type ReconcileGapReport,
  type ReconcileInput,
  type ReconcileReport,
  type ReconcileSpec,
} from "./reconcile.js";
export {
  isStreamName,
  streamAdapter,
  STREAM_NAMES,
  type AnyStreamAdapter,
  type StreamDeps,
  type StreamName,
  type StreamSource,
} from "./streams.js";

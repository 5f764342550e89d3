export {
  planOrderSheets,
  REACHABLE,
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
  syncOrderSheets,
  skippedReport,
  ORDERSHEETS_STREAM,
  type OrderSheetSource,
  type SyncOrderSheetsInput,
  type SyncReport,
} from "./ordersheets.js";
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

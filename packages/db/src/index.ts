// @cos/db: the Prisma client factory, the migration applier, the embedded Postgres launcher and
// the repositories that are the only write paths of the sync.
export { createPrisma, type CreatePrismaOptions } from "./client.js";
export { listen, type Listener, type ListenOptions } from "./listen.js";
export { migrate, defaultMigrationsDir, MigrationError, PRISMA_MIGRATE_LOCK_KEY } from "./migrate.js";
export type { MigrateOptions, MigrateResult } from "./migrate.js";
export { startEmbeddedPostgres, embeddedDataDir, ROOT_RUNTIME_DIR } from "./embedded.js";
export { createScratchDatabase, type ScratchDatabase, type ScratchDatabaseOptions } from "./scratch.js";
export type { EmbeddedPostgresHandle, EmbeddedPostgresOptions } from "./embedded.js";
export { withTransaction, type Tx, type TransactionOptions } from "./transaction.js";
export type { ColumnKind, ColumnSpec, JsonValue, SqlClient } from "./repositories/sql.js";
export { encodeRow } from "./repositories/sql.js";
export {
  boxCountsByDay,
  upsertShipmentBoxes,
  ORDER_ITEM_COLUMNS,
  SHIPMENT_BOX_COLUMNS,
  SHIPMENT_BOX_STATUS_RANK,
  SHIPMENT_BOX_LOCK,
} from "./repositories/shipment-boxes.js";
export type {
  ChangeEventDraft,
  OrderItemRow,
  ShipmentBoxRow,
  StaleRead,
  UpsertShipmentBoxesResult,
} from "./repositories/shipment-boxes.js";
export type { StatusStaleRead } from "./repositories/upsert.js";
export {
  RECEIPT_STATUS_RANK,
  RETURN_REQUEST_LOCK,
  upsertReturnRequests,
  returnRequestCountsByDay,
  returnWithdrawalCountsByDay,
  openReturnReceiptIds,
  upsertReturnWithdrawals,
} from "./repositories/returns.js";
export type {
  ReturnItemRow,
  ReturnRequestRow,
  ReturnWithdrawalRow,
  UpsertReturnRequestsResult,
  UpsertReturnWithdrawalsResult,
} from "./repositories/returns.js";
export {
  EXCHANGE_REQUEST_LOCK,
  EXCHANGE_STATUS_RANK,
  exchangeRequestCountsByDay,
  upsertExchangeRequests,
} from "./repositories/exchanges.js";
export type {
  ExchangeItemRow,
  ExchangeRequestRow,
  UpsertExchangeRequestsResult,
} from "./repositories/exchanges.js";
export { appendChangeEvents, CHANGE_EVENTS_CHANNEL } from "./repositories/change-events.js";
export { getCheckpoint, saveCheckpoint } from "./repositories/checkpoints.js";
export type { Checkpoint, SaveCheckpointInput } from "./repositories/checkpoints.js";
export { abandonRunningSyncRuns, startSyncRun, finishSyncRun } from "./repositories/sync-runs.js";
export type { FinishSyncRunInput, StartSyncRunInput, SyncRunOutcome } from "./repositories/sync-runs.js";
export {
  acquireLease,
  renewLease,
  releaseLease,
  LeaseLostError,
  type LeaseKey,
} from "./repositories/leases.js";
export {
  cancelResync,
  failResync,
  createResync,
  finishResyncWindow,
  getResync,
  pendingResyncWindows,
  type ResyncRecord,
  type ResyncStreamProgress,
  type ResyncWindowRecord,
} from "./repositories/resyncs.js";
export {
  recordReconcileGap,
  reconcileGaps,
  resolveReconcileGaps,
  settleReconcileGap,
  type ReconcileGapRecord,
  type ReconcileGapInput,
} from "./repositories/reconcile-gaps.js";
export {
  exchangeRequestCensus,
  returnRequestCensus,
  shipmentBoxCensus,
  type LocalCensusRow,
  type ReturnCensusRow,
} from "./repositories/census.js";
export { ensureVendorAccount, type VendorAccountInput } from "./repositories/vendors.js";
export {
  erasePersonalData,
  type ErasePersonalDataOptions,
  type RetentionReport,
} from "./repositories/retention.js";
export {
  EXCHANGE_REQUEST_PII,
  RETURN_REQUEST_PII,
  SHIPMENT_BOX_PII,
  type PiiSpec,
} from "./repositories/pii.js";
export {
  OUTBOX_CHANNEL,
  OUTBOX_COMMAND_KINDS,
  OUTBOX_STATUSES,
  OutboxTransitionError,
  claimOutboxCommands,
  enqueueOutboxCommand,
  getOutboxCommands,
  latestOutboxAttemptRequest,
  localBoxStates,
  markBoxAfterCommand,
  outboxCommandsOnBoxes,
  pendingCommandsOfOtherVendors,
  recordOutboxAttempts,
  transitionOutboxCommand,
  type BoxCommand,
  type BoxEffect,
  type ItemEffect,
  type ClaimOutboxInput,
  type ClaimedOutboxCommand,
  type EnqueueOutboxInput,
  type LocalBoxState,
  type OutboxAttemptInput,
  type OutboxCommandKind,
  type OutboxCommandRecord,
  type OutboxStatus,
  type OutboxTransitionInput,
  type UndrainedVendor,
} from "./repositories/outbox.js";
export {
  isStorableText,
  quarantineRecords,
  storableText,
  type QuarantineInput,
} from "./repositories/quarantine.js";
export {
  dueFailedSlices,
  listFailedSlices,
  recordFailedSlice,
  resolveFailedSlices,
  FAILED_SLICE_RETRY,
  type FailedSlice,
  type FailedSliceInput,
  type ListFailedSlicesInput,
  type SliceReadInput,
} from "./repositories/failed-slices.js";
// The generated client: PrismaClient, the Prisma namespace (errors, TransactionClient, model
// input types) and one type per model.
export { PrismaClient, Prisma } from "./generated/prisma/client.js";
export type {
  ChangeEvent,
  ExchangeItem,
  ExchangeRequest,
  OrderItem,
  OutboxAttempt,
  OutboxCommand,
  QuarantinedRecord,
  ReconcileGap,
  ReturnItem,
  ReturnRequest,
  ReturnWithdrawal,
  ShipmentBox,
  SyncCheckpoint,
  SyncFailedSlice,
  SyncLease,
  SyncRun,
  VendorAccount,
} from "./generated/prisma/client.js";

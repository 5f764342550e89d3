// @cos/ops: the operator's reads and actions, in one place for every front end — the CLI
// (apps/cli), the admin HTTP API, the status page and the metrics (issue 7). Commands are enqueued,
// re-armed and cancelled with @cos/outbox's own functions, re-exported here unchanged.
export { isUnavailableError, opsErrorOf, OpsError, type OpsErrorCode } from "./errors.js";
export {
  listVendors,
  vendorStatus,
  type LastRun,
  type OutboxStatusSummary,
  type StatusReport,
  type StreamStatus,
  type VendorStatus,
  type VendorSummary,
} from "./status.js";
export {
  COMMAND_PAGE,
  getCommand,
  listCommands,
  type CommandAttempt,
  type CommandDetail,
  type ListCommandsInput,
} from "./commands.js";
export {
  parseRangeEnd,
  requestResync,
  resyncDequeue,
  resyncStatus,
  stopResync,
  type ResyncDeps,
} from "./resync.js";
export { MAX_ID, parseId } from "./ids.js";
export { toJson, type Json } from "./json.js";
export { ago, when } from "./format.js";
export { cancelCommand, enqueueCommand, rearmCommand } from "@cos/outbox";

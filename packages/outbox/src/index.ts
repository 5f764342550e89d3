// @cos/outbox: the seller's outbound commands (acknowledgements, invoice uploads and updates, cancels)
// through the outbox table — one entry point, a state machine, executors that decide per row and
// read the box back before any resend (design.md "Outbound commands", issue 6).
export {
  CANCEL_NOT_ALLOWED,
  CANCELLABLE_STATUSES,
  judgeCancelReadBack,
  judgeCancelResult,
  type CancelLine,
  type CancelReadBack,
  type CancelVerdict,
} from "./cancel.js";
export {
  commandInputOf,
  dedupeKeyOf,
  enqueueCommand,
  EXECUTABLE_KINDS,
  isInvoiceCommand,
  OutboxCommandError,
  parseCommand,
  type CancelCommand,
  type Command,
  type CommandInput,
  type InvoiceCommand,
} from "./command.js";
export { cancelCommand, rearmCommand } from "./operator.js";
export { drainOutbox, type DrainOutboxOptions, type DrainOutboxResult, type OutboxClient } from "./drain.js";
export { backoffMs, DEFAULT_RETRY_POLICY, retryPolicies, type RetryPolicy } from "./policy.js";
export {
  boxViewOf,
  judgeReadBack,
  SHIPPED_STATUSES,
  type BoxView,
  type ReadBackVerdict,
} from "./read-back.js";
export { canTransition, endsAttempts, isFinal, OUTBOX_TRANSITIONS, sourcesOf } from "./states.js";

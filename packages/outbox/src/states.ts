import type { OutboxStatus } from "@cos/db";

/**
 * The outbox state machine (design.md "Outbound commands"), as data: for each status, the
 * statuses a command may move to from it.
 *
 * - `pending → in_flight` when a drainer claims it; `→ cancelled` by an operator.
 * - `in_flight →` `succeeded`; `rejected` (Coupang's permanent resultCode); `unknown` (timeout,
 *   5xx: the write may have happened); `pending` (a row Coupang marked `retryRequired`, a 429, a
 *   wait for an acknowledgement); `dead` (attempts exhausted); `cancelled` (the box was cancelled
 *   meanwhile); `in_flight` (the lease ran out: its drainer died, another claims it).
 * - `unknown → in_flight`: claimed again, and read back before anything is resent.
 * - `dead → unknown` when an operator re-arms it (read back first: its last try may have been
 *   applied), or `→ cancelled`.
 * - `succeeded`, `rejected`, `cancelled` are final.
 */
export const OUTBOX_TRANSITIONS: Readonly<Record<OutboxStatus, readonly OutboxStatus[]>> = {
  pending: ["in_flight", "cancelled"],
  in_flight: ["succeeded", "rejected", "unknown", "pending", "dead", "cancelled", "in_flight"],
  unknown: ["in_flight"],
  dead: ["unknown", "cancelled"],
  succeeded: [],
  rejected: [],
  cancelled: [],
};

/** Whether a command in `from` may move to `to`. */
export function canTransition(from: OutboxStatus, to: OutboxStatus): boolean {
  return OUTBOX_TRANSITIONS[from].includes(to);
}

/** The statuses a command may be in to move to `to`, for the repository's atomic check. */
export function sourcesOf(to: OutboxStatus): OutboxStatus[] {
  return (Object.keys(OUTBOX_TRANSITIONS) as OutboxStatus[]).filter((from) => canTransition(from, to));
}

/** Whether nothing moves a command out of `status` (succeeded, rejected, cancelled). */
export function isFinal(status: OutboxStatus): boolean {
  return OUTBOX_TRANSITIONS[status].length === 0;
}

/**
 * Whether `status` ends a drain's work on a command: final, or dead (waiting for an operator).
 * `finished_at` is set for these.
 */
export function endsAttempts(status: OutboxStatus): boolean {
  return isFinal(status) || status === "dead";
}

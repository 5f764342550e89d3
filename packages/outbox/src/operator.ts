import { OUTBOX_CHANNEL, transitionOutboxCommand, type OutboxCommandRecord, type SqlClient } from "@cos/db";
import { endsAttempts, sourcesOf } from "./states.js";

/**
 * Re-arms a dead command (an operator's decision, design.md "Outbound commands"): its attempts
 * start again from 0 and it is due at `now`. It becomes `unknown`, not `pending`, so the drainer
 * reads the box back before resending: the last try of a dead command may have been applied.
 *
 * @throws OutboxTransitionError when the command does not exist or is not dead.
 */
export async function rearmCommand(
  sql: SqlClient,
  id: bigint,
  now: Date = new Date(),
  reason = "re-armed by an operator",
): Promise<OutboxCommandRecord> {
  const command = await transitionOutboxCommand(sql, {
    id,
    from: sourcesOf("unknown").filter((status) => status === "dead"),
    to: "unknown",
    now,
    final: false,
    nextAttemptAt: now,
    resetAttempts: true,
    result: { code: "REARMED", message: reason },
  });
  // As an insert does (the table's trigger), so a worker drains it at once, not at its next tick.
  await sql.$executeRawUnsafe(`SELECT pg_notify($1, $2)`, OUTBOX_CHANNEL, command.vendorId);
  return command;
}

/**
 * Cancels a command that has not been sent or whose tries are spent (`pending` or `dead`), with
 * the reason kept as its last result. A command in flight or unknown cannot be cancelled: its write
 * may take or have taken effect.
 *
 * @throws OutboxTransitionError when the command does not exist or is in another status.
 */
export function cancelCommand(
  sql: SqlClient,
  id: bigint,
  reason: string,
  now: Date = new Date(),
): Promise<OutboxCommandRecord> {
  return transitionOutboxCommand(sql, {
    id,
    from: sourcesOf("cancelled").filter((status) => status !== "in_flight"),
    to: "cancelled",
    now,
    final: endsAttempts("cancelled"),
    result: { code: "CANCELLED", message: reason },
  });
}

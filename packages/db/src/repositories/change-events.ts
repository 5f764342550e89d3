import type { ChangeEventDraft } from "./upsert.js";
import { SHIPMENT_BOX_LOCK } from "./shipment-boxes.js";
import type { SqlClient } from "./sql.js";

/** The channel `NOTIFY`ed with the last appended event id when a transaction with events commits. */
export const CHANGE_EVENTS_CHANNEL = "coupang_sync_changes";

/** The advisory lock (two-int form) that orders event ids by commit: see {@link appendChangeEvents}. */
const CHANGE_FEED_LOCK: [number, number] = [SHIPMENT_BOX_LOCK, 0];

/**
 * Appends change events to `change_events` and `NOTIFY`s {@link CHANGE_EVENTS_CHANNEL} with the
 * last id; the notification is delivered when the transaction commits, and not at all if it rolls
 * back, like the rows.
 *
 * Call it LAST in the transaction. It takes a transaction-scoped lock before drawing ids, so
 * transactions that append events commit in the order of their ids: a consumer that has read
 * every event up to id N never later finds a committed event below N. The lock is held only from
 * this call to the commit.
 *
 * @returns the first and last id appended, or null when there was nothing to append.
 */
export async function appendChangeEvents(
  tx: SqlClient,
  events: readonly ChangeEventDraft[],
): Promise<{ firstId: bigint; lastId: bigint } | null> {
  if (events.length === 0) return null;
  await tx.$queryRawUnsafe(`SELECT pg_advisory_xact_lock($1, $2)::text`, ...CHANGE_FEED_LOCK);
  const rows = await tx.$queryRawUnsafe<Array<{ first_id: bigint; last_id: bigint }>>(
    `WITH appended AS (
       INSERT INTO change_events (vendor_id, entity, entity_id, kind, old_status, new_status, changed_fields)
       SELECT vendor_id, entity, entity_id, kind, old_status, new_status, changed_fields
       FROM jsonb_to_recordset($1::jsonb) AS e(ord int, vendor_id text, entity text, entity_id text, kind text,
                                               old_status text, new_status text, changed_fields text[])
       ORDER BY ord
       RETURNING id
     )
     SELECT min(id) AS first_id, max(id) AS last_id, pg_notify($2, max(id)::text)::text AS notified FROM appended`,
    JSON.stringify(
      events.map((e, ord) => ({
        ord,
        vendor_id: e.vendorId,
        entity: e.entity,
        entity_id: e.entityId,
        kind: e.kind,
        old_status: e.oldStatus,
        new_status: e.newStatus,
        changed_fields: e.changedFields,
      })),
    ),
    CHANGE_EVENTS_CHANNEL,
  );
  const [row] = rows;
  return row ? { firstId: row.first_id, lastId: row.last_id } : null;
}

import { SHIPMENT_BOX_STATUS_RANK } from "./shipment-boxes.js";
import type { JsonValue, SqlClient } from "./sql.js";
import { type ChangeEventDraft, statusRankSql } from "./upsert.js";

/** The channel the `outbox_commands` insert trigger `NOTIFY`s, with the command's vendor id as payload. */
export const OUTBOX_CHANNEL = "coupang_outbox";

/**
 * A command's kind: ACKNOWLEDGE (coupang-api.md §3), UPLOAD_INVOICE (§4.1), UPDATE_INVOICE
 * (§4.2), CANCEL (§5.1). The table's CHECK constraint allows exactly these.
 */
export const OUTBOX_COMMAND_KINDS = ["ACKNOWLEDGE", "UPLOAD_INVOICE", "UPDATE_INVOICE", "CANCEL"] as const;
/** One of {@link OUTBOX_COMMAND_KINDS}. */
export type OutboxCommandKind = (typeof OUTBOX_COMMAND_KINDS)[number];

/** A command's status (design.md "Outbound commands"); the table's CHECK constraint allows exactly these. */
export const OUTBOX_STATUSES = [
  "pending",
  "in_flight",
  "succeeded",
  "rejected",
  "unknown",
  "dead",
  "cancelled",
] as const;
/** One of {@link OUTBOX_STATUSES}. */
export type OutboxStatus = (typeof OUTBOX_STATUSES)[number];

/**
 * A row of `outbox_commands`. IDs are `bigint`; instants are `Date`s (UTC); `payload` is the
 * jsonb document as stored (its values are text, so no ID loses digits through a JS number).
 */
export interface OutboxCommandRecord {
  id: bigint;
  vendorId: string;
  kind: string;
  shipmentBoxId: bigint;
  orderId: bigint;
  vendorItemId: bigint | null;
  payload: Record<string, JsonValue>;
  dedupeKey: string;
  status: OutboxStatus;
  attempts: number;
  maxAttempts: number | null;
  nextAttemptAt: Date;
  lastResultCode: string | null;
  lastResultMessage: string | null;
  createdBy: string;
  createdAt: Date;
  updatedAt: Date;
  finishedAt: Date | null;
}

/** A claimed command, with the status it had before the claim (`unknown` and a stale `in_flight` must be read back). */
export interface ClaimedOutboxCommand extends OutboxCommandRecord {
  previousStatus: OutboxStatus;
}

/** What {@link enqueueOutboxCommand} inserts; the rest takes the table's defaults. */
export interface EnqueueOutboxInput {
  vendorId: string;
  kind: OutboxCommandKind;
  shipmentBoxId: bigint;
  orderId: bigint;
  vendorItemId: bigint | null;
  payload: Record<string, JsonValue>;
  dedupeKey: string;
  createdBy: string;
  /** Null: the drainer's setting for the kind. */
  maxAttempts: number | null;
  /** When it is first due; default the database's now. */
  nextAttemptAt?: Date;
  /** Its `created_at` and `updated_at`; default the database's now. */
  createdAt?: Date;
}

const COLUMNS = `c.id, c.vendor_id AS "vendorId", c.kind, c.shipment_box_id AS "shipmentBoxId",
  c.order_id AS "orderId", c.vendor_item_id AS "vendorItemId", c.payload, c.dedupe_key AS "dedupeKey",
  c.status, c.attempts, c.max_attempts AS "maxAttempts", c.next_attempt_at AS "nextAttemptAt",
  c.last_result_code AS "lastResultCode", c.last_result_message AS "lastResultMessage",
  c.created_by AS "createdBy", c.created_at AS "createdAt", c.updated_at AS "updatedAt",
  c.finished_at AS "finishedAt"`;

/**
 * Inserts a command unless one with its `dedupeKey` exists (`ON CONFLICT (dedupe_key) DO
 * NOTHING`), and returns the command that holds the key: the new one (`created: true`) or the
 * existing one, whatever its status (`created: false`). Concurrent identical enqueues create one
 * row. Throws Postgres' error for a row the CHECK constraints or the insert trigger refuse, or an
 * unknown vendor (foreign key).
 */
export async function enqueueOutboxCommand(
  sql: SqlClient,
  input: EnqueueOutboxInput,
): Promise<{ command: OutboxCommandRecord; created: boolean }> {
  const inserted = await sql.$queryRawUnsafe<OutboxCommandRecord[]>(
    `INSERT INTO outbox_commands AS c (vendor_id, kind, shipment_box_id, order_id, vendor_item_id, payload,
       dedupe_key, created_by, max_attempts, next_attempt_at, created_at, updated_at)
     VALUES ($1, $2, $3::bigint, $4::bigint, $5::bigint, $6::jsonb, $7, $8, $9, coalesce($10::timestamptz, now()),
       coalesce($11::timestamptz, now()), coalesce($11::timestamptz, now()))
     ON CONFLICT (dedupe_key) DO NOTHING
     RETURNING ${COLUMNS}`,
    input.vendorId,
    input.kind,
    input.shipmentBoxId.toString(),
    input.orderId.toString(),
    input.vendorItemId?.toString() ?? null,
    JSON.stringify(input.payload),
    input.dedupeKey,
    input.createdBy,
    input.maxAttempts,
    input.nextAttemptAt ?? null,
    input.createdAt ?? null,
  );
  const [created] = inserted;
  if (created) return { command: created, created: true };
  // The conflicting row is committed (ON CONFLICT waits for a concurrent inserter), so it is visible.
  const [existing] = await sql.$queryRawUnsafe<OutboxCommandRecord[]>(
    `SELECT ${COLUMNS} FROM outbox_commands c WHERE c.dedupe_key = $1`,
    input.dedupeKey,
  );
  if (!existing) throw new Error(`outbox: no command holds dedupe key ${input.dedupeKey} after a conflict`);
  return { command: existing, created: false };
}

/** Arguments of {@link claimOutboxCommands}. */
export interface ClaimOutboxInput {
  vendorId: string;
  /** The claim instant (UTC); commands with `next_attempt_at` ≤ it are due. */
  now: Date;
  /** Statuses that may be claimed (the state machine's sources of `in_flight`). */
  from: readonly OutboxStatus[];
  limit: number;
  /** How long the claim holds, ms: a command still in_flight after it is claimable again (its worker died). */
  leaseMs: number;
  /** Only these kinds (those the drainer can execute). */
  kinds: readonly OutboxCommandKind[];
  /** Only these commands (e.g. the acknowledgements an upload waits for); default any due one. */
  ids?: readonly bigint[];
}

/**
 * Claims up to `limit` due commands of a vendor and kinds, oldest due first: locks them `FOR UPDATE SKIP
 * LOCKED` (two drainers never claim one command), moves them to `in_flight`, counts an attempt
 * (except when it takes over an expired claim that logged no call in `outbox_attempts`: the
 * drainer died before trying) and sets `next_attempt_at` to the end of the lease. Returns them
 * with the status they had.
 */
export async function claimOutboxCommands(
  sql: SqlClient,
  input: ClaimOutboxInput,
): Promise<ClaimedOutboxCommand[]> {
  return sql.$queryRawUnsafe<ClaimedOutboxCommand[]>(
    `WITH due AS (
       SELECT id, status FROM outbox_commands
       WHERE vendor_id = $1 AND status = ANY($2::text[]) AND next_attempt_at <= $3::timestamptz
         AND kind = ANY($7::text[]) AND ($6::bigint[] IS NULL OR id = ANY($6::bigint[]))
       ORDER BY next_attempt_at, id
       LIMIT $4
       FOR UPDATE SKIP LOCKED
     )
     UPDATE outbox_commands c
     -- Taking over the claim of a drainer that died before it logged any call (a crash, not a
     -- try): that claim's count stands for this one, so a crash loop spends no tries.
     SET status = 'in_flight',
         attempts = c.attempts + CASE WHEN c.status = 'in_flight' AND NOT EXISTS (
           SELECT 1 FROM outbox_attempts a WHERE a.command_id = c.id AND a.started_at >= c.updated_at
         ) THEN 0 ELSE 1 END,
         next_attempt_at = $3::timestamptz + make_interval(secs => $5::double precision / 1000),
         updated_at = $3::timestamptz
     FROM due WHERE c.id = due.id
     RETURNING ${COLUMNS}, due.status AS "previousStatus"`,
    input.vendorId,
    [...input.from],
    input.now,
    input.limit,
    input.leaseMs,
    input.ids === undefined ? null : input.ids.map(String),
    [...input.kinds],
  );
}

/** One row of `outbox_attempts`: a Coupang call or read-back made for a command. */
export interface OutboxAttemptInput {
  commandId: bigint;
  startedAt: Date;
  finishedAt: Date;
  /** A summary of the request (endpoint, the rows of this command); never keys. */
  request: JsonValue;
  /** What it meant for the command, e.g. `succeeded`, `retry`, `unknown`, `rate_limited`, `read_back`. */
  outcome: string;
  resultCode: string | null;
  resultMessage: string | null;
  httpStatus: number | null;
}

/**
 * Appends attempts to the log, numbering each command's attempts from 1 in the order given,
 * after those it already has (so numbers run on across re-arms).
 */
export async function recordOutboxAttempts(
  sql: SqlClient,
  attempts: readonly OutboxAttemptInput[],
): Promise<void> {
  if (attempts.length === 0) return;
  await sql.$executeRawUnsafe(
    `INSERT INTO outbox_attempts (command_id, attempt, started_at, finished_at, request, outcome, result_code,
       result_message, http_status)
     SELECT a.command_id,
            coalesce((SELECT max(attempt) FROM outbox_attempts o WHERE o.command_id = a.command_id), 0)
              + row_number() OVER (PARTITION BY a.command_id ORDER BY a.ord),
            a.started_at, a.finished_at, a.request, a.outcome, a.result_code, a.result_message, a.http_status
     FROM jsonb_to_recordset($1::jsonb) AS a(ord int, command_id bigint, started_at timestamptz,
       finished_at timestamptz, request jsonb, outcome text, result_code text, result_message text,
       http_status int)`,
    JSON.stringify(
      attempts.map((a, ord) => ({
        ord,
        command_id: a.commandId.toString(),
        started_at: a.startedAt.toISOString(),
        finished_at: a.finishedAt.toISOString(),
        request: a.request,
        outcome: a.outcome,
        result_code: a.resultCode,
        result_message: a.resultMessage,
        http_status: a.httpStatus,
      })),
    ),
  );
}

/** Thrown when a command is not in a status the transition may start from (someone else moved it). */
export class OutboxTransitionError extends Error {
  constructor(
    readonly commandId: bigint,
    readonly to: OutboxStatus,
    readonly from: readonly OutboxStatus[],
    readonly actual: OutboxStatus | null,
  ) {
    super(
      actual === null
        ? `outbox command ${commandId} does not exist`
        : `outbox command ${commandId} is ${actual}; only ${from.join(", ")} may become ${to}`,
    );
    this.name = "OutboxTransitionError";
  }
}

/** Arguments of {@link transitionOutboxCommand}. */
export interface OutboxTransitionInput {
  id: bigint;
  /** Statuses the command may be in (the state machine's sources of `to`). */
  from: readonly OutboxStatus[];
  to: OutboxStatus;
  /** The instant of the transition (UTC): `updated_at`, and `finished_at` when `final`. */
  now: Date;
  /** Sets `finished_at` (succeeded, rejected, dead, cancelled); otherwise it is cleared. */
  final: boolean;
  /** When it is due next; unchanged when omitted. */
  nextAttemptAt?: Date;
  /** Overwrites the last result; unchanged when omitted. */
  result?: { code: string | null; message: string | null };
  /** Adds to `attempts` (−1 gives back an attempt a 429 did not use; re-arming resets with `resetAttempts`). */
  attemptsDelta?: number;
  /** Sets `attempts` to 0 (re-arming a dead command). */
  resetAttempts?: boolean;
}

/**
 * Moves one command to `to` if its status is one of `from`, atomically (the check and the write
 * are one `UPDATE … WHERE status = ANY(from)`), and returns the updated row.
 *
 * @throws OutboxTransitionError when the command does not exist or is in another status.
 */
export async function transitionOutboxCommand(
  sql: SqlClient,
  input: OutboxTransitionInput,
): Promise<OutboxCommandRecord> {
  const rows = await sql.$queryRawUnsafe<OutboxCommandRecord[]>(
    `UPDATE outbox_commands c
     SET status = $3, updated_at = $4::timestamptz,
         finished_at = CASE WHEN $5 THEN $4::timestamptz END,
         next_attempt_at = coalesce($6::timestamptz, c.next_attempt_at),
         last_result_code = CASE WHEN $7 THEN $8 ELSE c.last_result_code END,
         last_result_message = CASE WHEN $7 THEN $9 ELSE c.last_result_message END,
         attempts = CASE WHEN $11 THEN 0 ELSE greatest(0, c.attempts + $10) END
     WHERE c.id = $1::bigint AND c.status = ANY($2::text[])
     RETURNING ${COLUMNS}`,
    input.id.toString(),
    [...input.from],
    input.to,
    input.now,
    input.final,
    input.nextAttemptAt ?? null,
    input.result !== undefined,
    input.result?.code ?? null,
    input.result?.message ?? null,
    input.attemptsDelta ?? 0,
    input.resetAttempts ?? false,
  );
  const [row] = rows;
  if (row) return row;
  const [current] = await sql.$queryRawUnsafe<Array<{ status: OutboxStatus }>>(
    `SELECT status FROM outbox_commands WHERE id = $1::bigint`,
    input.id.toString(),
  );
  throw new OutboxTransitionError(input.id, input.to, input.from, current?.status ?? null);
}

/** The commands with these ids (any status), in id order. */
export async function getOutboxCommands(
  sql: SqlClient,
  ids: readonly bigint[],
): Promise<OutboxCommandRecord[]> {
  if (ids.length === 0) return [];
  return sql.$queryRawUnsafe<OutboxCommandRecord[]>(
    `SELECT ${COLUMNS} FROM outbox_commands c WHERE c.id = ANY($1::bigint[]) ORDER BY c.id`,
    ids.map(String),
  );
}

/** A vendor whose commands no worker configured with other vendors sends: how many are pending. */
export interface UndrainedVendor {
  vendorId: string;
  pending: number;
}

/**
 * The vendors of `vendor_accounts` other than `vendorIds` that have pending commands, in vendorId
 * order: a worker configured with `vendorIds` never drains them, so they wait until a worker with
 * that vendor's keys runs. One indexed count per such vendor.
 */
export async function pendingCommandsOfOtherVendors(
  sql: SqlClient,
  vendorIds: readonly string[],
): Promise<UndrainedVendor[]> {
  return sql.$queryRawUnsafe<UndrainedVendor[]>(
    `SELECT v.vendor_id AS "vendorId", c.pending FROM vendor_accounts v
     CROSS JOIN LATERAL (SELECT count(*)::int AS pending FROM outbox_commands c
                         WHERE c.vendor_id = v.vendor_id AND c.status = 'pending') c
     WHERE v.vendor_id <> ALL($1::text[]) AND c.pending > 0
     ORDER BY v.vendor_id`,
    [...vendorIds],
  );
}

/** A command on a box, as {@link outboxCommandsOnBoxes} lists it. */
export interface BoxCommand {
  id: bigint;
  kind: string;
  shipmentBoxId: bigint;
  status: OutboxStatus;
}

/**
 * The commands of a vendor on these boxes whose kind is one of `kinds` and whose status is one of
 * `statuses`, in id order: what a drain must know to keep a cancel and an invoice of one box
 * apart (design.md "Outbound commands"). Read without locks: a claim commits before this is read,
 * so a command claimed elsewhere shows as `in_flight`.
 */
export async function outboxCommandsOnBoxes(
  sql: SqlClient,
  input: {
    vendorId: string;
    shipmentBoxIds: readonly bigint[];
    kinds: readonly OutboxCommandKind[];
    statuses: readonly OutboxStatus[];
  },
): Promise<BoxCommand[]> {
  if (input.shipmentBoxIds.length === 0) return [];
  return sql.$queryRawUnsafe<BoxCommand[]>(
    `SELECT id, kind, shipment_box_id AS "shipmentBoxId", status FROM outbox_commands
     WHERE vendor_id = $1 AND shipment_box_id = ANY($2::bigint[]) AND kind = ANY($3::text[])
       AND status = ANY($4::text[])
     ORDER BY id`,
    input.vendorId,
    input.shipmentBoxIds.map(String),
    [...input.kinds],
    [...input.statuses],
  );
}

/**
 * The `request` summary of a command's latest attempt with this `outcome`, or undefined when it
 * has none (e.g. the counts a cancel executor saw on the box just before it sent, committed
 * before the call so that a crash cannot lose them).
 */
export async function latestOutboxAttemptRequest(
  sql: SqlClient,
  commandId: bigint,
  outcome: string,
): Promise<JsonValue | undefined> {
  const [row] = await sql.$queryRawUnsafe<Array<{ request: JsonValue }>>(
    `SELECT request FROM outbox_attempts WHERE command_id = $1::bigint AND outcome = $2
     ORDER BY attempt DESC LIMIT 1`,
    commandId.toString(),
    outcome,
  );
  return row?.request;
}

/** The synced copy of a box as the executors need it: status, invoice and open items. */
export interface LocalBoxState {
  shipmentBoxId: bigint;
  orderId: bigint;
  status: string;
  invoiceNumber: string | null;
  /** vendorItemIds of the items with units left to ship (not `canceled`, `cancel_count` below `shipping_count`), ascending. */
  openItems: bigint[];
}

/** The synced copies of these boxes of a vendor (`shipment_boxes` with their `order_items`); absent boxes are left out. */
export async function localBoxStates(
  sql: SqlClient,
  vendorId: string,
  shipmentBoxIds: readonly bigint[],
): Promise<Map<bigint, LocalBoxState>> {
  if (shipmentBoxIds.length === 0) return new Map();
  const rows = await sql.$queryRawUnsafe<LocalBoxState[]>(
    `SELECT b.shipment_box_id AS "shipmentBoxId", b.order_id AS "orderId", b.status, b.invoice_number AS "invoiceNumber",
            coalesce(array_agg(i.vendor_item_id ORDER BY i.vendor_item_id)
                     FILTER (WHERE i.vendor_item_id IS NOT NULL AND i.canceled IS NOT TRUE
                                     AND i.cancel_count < i.shipping_count), '{}') AS "openItems"
     FROM shipment_boxes b LEFT JOIN order_items i ON i.shipment_box_id = b.shipment_box_id
     WHERE b.vendor_id = $1 AND b.shipment_box_id = ANY($2::bigint[])
     GROUP BY b.shipment_box_id`,
    vendorId,
    shipmentBoxIds.map(String),
  );
  return new Map(rows.map((row) => [row.shipmentBoxId, row]));
}

/** What a succeeded command did to a box, for {@link markBoxAfterCommand}. */
export interface BoxEffect {
  vendorId: string;
  shipmentBoxId: bigint;
  /** The status Coupang moved the box to (INSTRUCT after an acknowledgement, DEPARTURE after an upload …). */
  status: string;
  /** The invoice number now on the box; null when the command set none (an acknowledgement). */
  invoiceNumber: string | null;
  /** The items whose quantities the command changed (a cancel, §5.1), as Coupang now serves them. */
  items?: readonly ItemEffect[];
}

/** An item's quantities as Coupang serves them after a command (coupang-api.md §2.1), for `order_items`. */
export interface ItemEffect {
  vendorItemId: bigint;
  cancelCount: number;
  holdCountForCancel: number;
  /** Coupang's `canceled`: nothing of the item is left to ship. */
  canceled: boolean;
}

/**
 * Writes the effect of succeeded commands onto the synced boxes before the next poll confirms it:
 * the status, never backwards (by {@link SHIPMENT_BOX_STATUS_RANK}, with the invoice update's move
 * back to DEPARTURE allowed when the invoice changes, coupang-api.md §4.2), the invoice number,
 * and the items' quantities (`cancel_count`, `hold_count_for_cancel`, `canceled`) set to what
 * Coupang serves, so the next poll writes the same values. `raw` stays as last read, so the next
 * poll still sees a changed payload and records it. Boxes and items not synced yet are skipped.
 * Returns the change events to append: one per box changed (`status_changed`, or `updated` for an
 * invoice alone), then one `updated` per item changed, naming Coupang's fields; none for a row
 * that did not change.
 */
export async function markBoxAfterCommand(
  sql: SqlClient,
  effects: readonly BoxEffect[],
): Promise<ChangeEventDraft[]> {
  if (effects.length === 0) return [];
  const rank = (expr: string) => statusRankSql(SHIPMENT_BOX_STATUS_RANK, expr);
  const rows = await sql.$queryRawUnsafe<
    Array<{
      vendorId: string;
      id: string;
      oldStatus: string;
      newStatus: string;
      oldInvoice: string | null;
      newInvoice: string | null;
    }>
  >(
    `WITH e AS (
       SELECT * FROM jsonb_to_recordset($1::jsonb) AS e(vendor_id text, shipment_box_id bigint, status text,
         invoice_number text)
     ), cur AS (
       SELECT b.shipment_box_id, b.status AS old_status, b.invoice_number AS old_invoice,
              CASE WHEN coalesce(${rank("e.status")} >= ${rank("b.status")}, true)
                        OR (e.status = 'DEPARTURE' AND e.invoice_number IS NOT NULL
                            AND e.invoice_number IS DISTINCT FROM b.invoice_number)
                   THEN e.status ELSE b.status END AS new_status,
              coalesce(e.invoice_number, b.invoice_number) AS new_invoice
       FROM shipment_boxes b JOIN e ON e.shipment_box_id = b.shipment_box_id AND e.vendor_id = b.vendor_id
       FOR UPDATE OF b
     )
     UPDATE shipment_boxes b
     SET status = cur.new_status, invoice_number = cur.new_invoice, updated_at = now()
     FROM cur
     WHERE b.shipment_box_id = cur.shipment_box_id
       AND (cur.new_status IS DISTINCT FROM cur.old_status OR cur.new_invoice IS DISTINCT FROM cur.old_invoice)
     RETURNING b.vendor_id AS "vendorId", b.shipment_box_id::text AS id, cur.old_status AS "oldStatus",
               b.status AS "newStatus", cur.old_invoice AS "oldInvoice", b.invoice_number AS "newInvoice"`,
    JSON.stringify(
      effects.map((e) => ({
        vendor_id: e.vendorId,
        shipment_box_id: e.shipmentBoxId.toString(),
        status: e.status,
        invoice_number: e.invoiceNumber,
      })),
    ),
  );
  const boxEvents = rows.map((row): ChangeEventDraft => {
    const statusChanged = row.oldStatus !== row.newStatus;
    const invoiceChanged = row.oldInvoice !== row.newInvoice;
    return {
      vendorId: row.vendorId,
      entity: "shipment_box",
      entityId: row.id,
      kind: statusChanged ? "status_changed" : "updated",
      oldStatus: row.oldStatus,
      newStatus: row.newStatus,
      changedFields: [...(statusChanged ? ["status"] : []), ...(invoiceChanged ? ["invoiceNumber"] : [])],
    };
  });
  return [...boxEvents, ...(await markItemsAfterCommand(sql, effects))];
}

/** The item half of {@link markBoxAfterCommand}: its `order_items` updates and their events. */
async function markItemsAfterCommand(
  sql: SqlClient,
  effects: readonly BoxEffect[],
): Promise<ChangeEventDraft[]> {
  const items = effects.flatMap((e) =>
    (e.items ?? []).map((item) => ({
      vendor_id: e.vendorId,
      shipment_box_id: e.shipmentBoxId.toString(),
      vendor_item_id: item.vendorItemId.toString(),
      cancel_count: item.cancelCount,
      hold_count_for_cancel: item.holdCountForCancel,
      canceled: item.canceled,
    })),
  );
  if (items.length === 0) return [];
  const rows = await sql.$queryRawUnsafe<Array<{ vendorId: string; id: string; changed: string[] }>>(
    `WITH e AS (
       SELECT * FROM jsonb_to_recordset($1::jsonb) AS e(vendor_id text, shipment_box_id bigint,
         vendor_item_id bigint, cancel_count integer, hold_count_for_cancel integer, canceled boolean)
     ), cur AS (
       SELECT e.*, i.cancel_count AS old_cancel, i.hold_count_for_cancel AS old_hold, i.canceled AS old_canceled
       FROM order_items i JOIN e ON e.shipment_box_id = i.shipment_box_id
         AND e.vendor_item_id = i.vendor_item_id AND e.vendor_id = i.vendor_id
       FOR UPDATE OF i
     )
     UPDATE order_items i
     SET cancel_count = cur.cancel_count, hold_count_for_cancel = cur.hold_count_for_cancel,
         canceled = cur.canceled, updated_at = now()
     FROM cur
     WHERE i.shipment_box_id = cur.shipment_box_id AND i.vendor_item_id = cur.vendor_item_id
       AND (cur.cancel_count IS DISTINCT FROM cur.old_cancel OR cur.hold_count_for_cancel IS DISTINCT FROM cur.old_hold
            OR cur.canceled IS DISTINCT FROM cur.old_canceled)
     RETURNING i.vendor_id AS "vendorId", i.shipment_box_id::text || ':' || i.vendor_item_id::text AS id,
       array_remove(ARRAY[
         CASE WHEN cur.cancel_count IS DISTINCT FROM cur.old_cancel THEN 'cancelCount' END,
         CASE WHEN cur.canceled IS DISTINCT FROM cur.old_canceled THEN 'canceled' END,
         CASE WHEN cur.hold_count_for_cancel IS DISTINCT FROM cur.old_hold THEN 'holdCountForCancel' END
       ], NULL) AS changed`,
    JSON.stringify(items),
  );
  return rows
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .map((row): ChangeEventDraft => ({
      vendorId: row.vendorId,
      entity: "order_item",
      entityId: row.id,
      kind: "updated",
      oldStatus: null,
      newStatus: null,
      changedFields: row.changed,
    }));
}

import { z } from "zod";
import {
  checkInvoiceNumber,
  describeValue,
  isCodeOf,
  DELIVERY_COMPANIES,
  MIDDLE_CANCEL_CODES,
} from "@cos/coupang";
import type { DeliveryCompanyCode, MiddleCancelCode } from "@cos/coupang";
import {
  enqueueOutboxCommand,
  OUTBOX_COMMAND_KINDS,
  type JsonValue,
  type OutboxCommandKind,
  type OutboxCommandRecord,
  type SqlClient,
} from "@cos/db";

/** Thrown by {@link parseCommand} and {@link enqueueCommand}: names the field, the value and what is wrong. */
export class OutboxCommandError extends Error {
  constructor(
    readonly field: string,
    readonly value: unknown,
    readonly reason: string,
  ) {
    super(`outbox command: ${field} ${describeValue(value)}: ${reason}`);
    this.name = "OutboxCommandError";
  }
}

const INT64_MAX = 2n ** 63n - 1n;

/**
 * What no text of a command may hold: control characters (C0, DEL, C1) and the invisible ones
 * that disguise text in a terminal, a log or WING — soft hyphen, Arabic letter mark, Mongolian
 * vowel separator, zero-width and bidirectional marks and overrides, line and paragraph
 * separators, invisible operators and isolates, byte-order mark, interlinear annotations,
 * private use, tags and lone surrogates. The insert trigger of `outbox_commands` refuses the same
 * characters (migration 20261130140000_outbox_printable_text).
 */
const NOT_PRINTABLE =
  /[\p{Cc}\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb\ue000-\uf8ff\ud800-\udfff\u{e0000}-\u{e007f}\u{f0000}-\u{10ffff}]/u;

/** Text without a {@link NOT_PRINTABLE} character; the issue names the first one and where it is. */
const printable = () =>
  z.string().superRefine((value, ctx) => {
    const found = NOT_PRINTABLE.exec(value);
    if (found === null) return;
    const code = (found[0].codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, "0");
    ctx.addIssue({
      code: "custom",
      message: `printable text: U+${code} at character ${[...value.slice(0, found.index)].length + 1} is a control or invisible character`,
    });
  });

/** A Coupang ID: a bigint or a string of decimal digits, > 0 and within int64 (coupang-api.md §0.15). */
const ID = z.union([z.bigint(), z.string()]).transform((value, ctx) => {
  const id = typeof value === "bigint" ? value : /^\d+$/.test(value) ? BigInt(value) : undefined;
  if (id === undefined || id <= 0n || id > INT64_MAX) {
    ctx.addIssue({ code: "custom", message: "an ID > 0 within int64, as a bigint or a string of digits" });
    return z.NEVER;
  }
  return id;
});

const base = {
  vendorId: z.string().regex(/^[A-Z]\d{8}$/, "a Coupang vendorId such as A00012345"),
  shipmentBoxId: ID,
  orderId: ID,
  /** Who asked: a service name, an operator, `sql:<consumer>`. */
  createdBy: printable().trim().min(1, "non-empty text"),
  /** Overrides the drainer's attempts for the kind. */
  maxAttempts: z.number().int().min(1).max(100).optional(),
  /** Replaces the business key kind:shipmentBoxId:vendorItemId(s):invoiceNumber. */
  dedupeKey: printable().trim().min(1).max(500).optional(),
};

const acknowledge = z.object({ ...base, kind: z.literal("ACKNOWLEDGE") });

const invoice = z.object({
  ...base,
  kind: z.enum(["UPLOAD_INVOICE", "UPDATE_INVOICE"]),
  /** Only this item's row; omitted = every open item of the box (Coupang wants them all, §4.1). */
  vendorItemId: ID.optional(),
  deliveryCompanyCode: printable(),
  invoiceNumber: printable(),
});

const cancelItem = z.object({
  vendorItemId: ID,
  /** Quantity to cancel, > 0; Coupang judges it against what is still cancellable (§5.1). */
  receiptCount: z.number().int("a whole number").min(1, "a quantity ≥ 1"),
});

const cancel = z.object({
  ...base,
  kind: z.literal("CANCEL"),
  /**
   * The items and quantities to cancel, each vendorItemId once; omitted = the whole box: every
   * item at the quantity still open (ordered − cancelled − held) when the command is sent.
   */
  items: z
    .array(cancelItem)
    .min(1, "at least one item, or leave items out to cancel the whole box")
    .superRefine((items, ctx) => {
      const seen = new Set<bigint>();
      items.forEach((item, i) => {
        if (seen.has(item.vendorItemId))
          ctx.addIssue({ code: "custom", path: [i, "vendorItemId"], message: "named twice" });
        seen.add(item.vendorItemId);
      });
    })
    .optional(),
  middleCancelCode: z.enum(
    Object.keys(MIDDLE_CANCEL_CODES) as [MiddleCancelCode, ...MiddleCancelCode[]],
    `one of ${Object.keys(MIDDLE_CANCEL_CODES).join(", ")}`,
  ),
  /** The seller's WING login ID (Coupang checks that it belongs to the vendor). */
  userId: printable().trim().min(1, "a WING login ID"),
});

const schema = z.discriminatedUnion("kind", [acknowledge, invoice, cancel]);

/**
 * What {@link enqueueCommand} takes: the kind and the target box; for an invoice, carrier and
 * number; for a cancel (coupang-api.md §5.1), the middleCancelCode, the WING userId and the items
 * with their quantities, or none for the whole box.
 */
export type CommandInput = z.input<typeof schema>;

/**
 * A command as the executors use it, every field checked: IDs as `bigint`, the carrier code known
 * and the invoice number fitting its digit rule (coupang-api.md §4.3).
 */
export type Command =
  (Omit<z.output<typeof acknowledge>, "dedupeKey"> & { dedupeKey: string }) | InvoiceCommand | CancelCommand;

/** An UPLOAD_INVOICE or UPDATE_INVOICE {@link Command} (coupang-api.md §4.1, §4.2). */
export type InvoiceCommand = Omit<z.output<typeof invoice>, "deliveryCompanyCode" | "dedupeKey"> & {
  deliveryCompanyCode: DeliveryCompanyCode;
  dedupeKey: string;
};

/**
 * A CANCEL {@link Command} (coupang-api.md §5.1): `items` with bigint vendorItemIds and counts
 * > 0, or undefined for the whole box.
 */
export type CancelCommand = Omit<z.output<typeof cancel>, "dedupeKey"> & { dedupeKey: string };

/** Whether `command` uploads or updates an invoice. */
export function isInvoiceCommand(command: Command): command is InvoiceCommand {
  return command.kind === "UPLOAD_INVOICE" || command.kind === "UPDATE_INVOICE";
}

/** The kinds {@link parseCommand} accepts and the drainer executes: every kind of the table. */
export const EXECUTABLE_KINDS: readonly OutboxCommandKind[] = OUTBOX_COMMAND_KINDS;

/**
 * The business dedupe key `kind:shipmentBoxId:vendorItemId:invoiceNumber` (empty parts for what
 * the kind lacks), e.g. `UPLOAD_INVOICE:300000000000012345::123412341234`: the same command twice
 * is one command, while two boxes sharing an invoice number stay two (pitfall B-10). A cancel's
 * third part lists its vendorItemIds ascending, comma-separated (`CANCEL:300…:111,222:`; empty
 * for the whole box): its counts are not part of it, so one cancel of an item is one command. The
 * insert trigger of `outbox_commands` builds the same key for a SQL insert that leaves it out.
 */
export function dedupeKeyOf(command: {
  kind: OutboxCommandKind;
  shipmentBoxId: bigint;
  vendorItemId?: bigint | undefined;
  invoiceNumber?: string | undefined;
  items?: ReadonlyArray<{ vendorItemId: bigint }> | undefined;
}): string {
  const items =
    command.items === undefined
      ? (command.vendorItemId?.toString() ?? "")
      : command.items
          .map((item) => item.vendorItemId)
          .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
          .join(",");
  return [command.kind, command.shipmentBoxId.toString(), items, command.invoiceNumber ?? ""].join(":");
}

/**
 * Checks a command: the kind, decimal IDs, the vendorId's shape; for an invoice a known carrier
 * code (`LOGEN` → use `KGB` …) and an invoice number whose digits fit the carrier's rule
 * (`checkInvoiceNumber`, coupang-api.md §4.3); for a cancel a known middleCancelCode, a userId,
 * and items named once each with counts ≥ 1 (§5.1) — the same checks the client makes, made
 * before the command is stored. Returns it normalized, with its dedupe key.
 *
 * @throws OutboxCommandError naming the first failing field, its value and the rule.
 */
export function parseCommand(input: unknown): Command {
  const kind = (input as { kind?: unknown } | null)?.kind;
  if (!(EXECUTABLE_KINDS as readonly unknown[]).includes(kind))
    throw new OutboxCommandError("kind", kind, `one of ${EXECUTABLE_KINDS.join(", ")}`);
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    const [issue] = parsed.error.issues;
    const path = issue?.path ?? [];
    let value: unknown = input;
    for (const key of path) value = (value as Record<PropertyKey, unknown> | undefined)?.[key];
    throw new OutboxCommandError(path.join(".") || "(command)", value, issue?.message ?? "invalid");
  }
  const command = parsed.data;
  if (command.kind === "ACKNOWLEDGE" || command.kind === "CANCEL")
    return { ...command, dedupeKey: command.dedupeKey ?? dedupeKeyOf(command) };
  const carrier = command.deliveryCompanyCode;
  const check = checkInvoiceNumber(carrier, command.invoiceNumber);
  if (!check.ok) {
    const field = isCodeOf(DELIVERY_COMPANIES, carrier) ? "invoiceNumber" : "deliveryCompanyCode";
    throw new OutboxCommandError(
      field,
      field === "invoiceNumber" ? command.invoiceNumber : carrier,
      check.reason,
    );
  }
  return {
    ...command,
    deliveryCompanyCode: carrier as DeliveryCompanyCode,
    dedupeKey: command.dedupeKey ?? dedupeKeyOf(command),
  };
}

/**
 * A stored command read back as {@link parseCommand}'s input, so a row a consumer inserted with
 * SQL passes the very checks of {@link enqueueCommand} before anything is sent.
 */
export function commandInputOf(record: OutboxCommandRecord): unknown {
  const payload = record.payload;
  return {
    kind: record.kind,
    vendorId: record.vendorId,
    shipmentBoxId: record.shipmentBoxId,
    orderId: record.orderId,
    createdBy: record.createdBy,
    dedupeKey: record.dedupeKey,
    ...(record.maxAttempts === null ? {} : { maxAttempts: record.maxAttempts }),
    ...(record.kind === "ACKNOWLEDGE"
      ? {}
      : record.kind === "CANCEL"
        ? {
            ...(payload.items === undefined ? {} : { items: payload.items }),
            middleCancelCode: payload.middleCancelCode,
            userId: payload.userId,
          }
        : {
            ...(record.vendorItemId === null ? {} : { vendorItemId: record.vendorItemId }),
            deliveryCompanyCode: payload.deliveryCompanyCode,
            invoiceNumber: payload.invoiceNumber,
          }),
  };
}

/**
 * A command's `payload` as stored: an invoice's carrier and number; a cancel's middleCancelCode,
 * userId and, unless it cancels the whole box, `items` with vendorItemIds as text (jsonb numbers
 * would lose digits); nothing for an acknowledgement.
 */
function payloadOf(command: Command): Record<string, JsonValue> {
  switch (command.kind) {
    case "ACKNOWLEDGE":
      return {};
    case "CANCEL":
      return {
        middleCancelCode: command.middleCancelCode,
        userId: command.userId,
        ...(command.items === undefined
          ? {}
          : {
              items: command.items.map((item) => ({
                vendorItemId: item.vendorItemId.toString(),
                receiptCount: item.receiptCount,
              })),
            }),
      };
    default:
      return { deliveryCompanyCode: command.deliveryCompanyCode, invoiceNumber: command.invoiceNumber };
  }
}

/**
 * THE entry point for a command (the CLI, the admin API and services call it; a SQL insert obeys
 * the same contract and is checked by the same {@link parseCommand} when drained). Validates the
 * input, then inserts it into `outbox_commands` unless a command with its dedupe key exists, in
 * which case that one is returned (`created: false`, whatever its status): enqueueing twice makes
 * one command. The insert `NOTIFY`s `coupang_outbox`, waking the vendor's drainer.
 *
 * @param sql a Prisma client or transaction (enqueue inside a caller's transaction to commit with it).
 * @param options.now when the command is first due (UTC); default the database's now. A drainer
 *   on another clock (a simulated one in tests) passes its own.
 * @param options.createdAt its `created_at` and `updated_at` (UTC); default the database's now. A
 *   drainer that enqueues a command it will send passes its own clock's reading, so the command's
 *   timestamps and its attempts' are on one clock.
 * @throws OutboxCommandError for an invalid command (nothing is stored); Postgres' foreign-key
 *   error for a vendor without a `vendor_accounts` row.
 */
export async function enqueueCommand(
  sql: SqlClient,
  input: CommandInput,
  options: { now?: Date; createdAt?: Date } = {},
): Promise<{ command: OutboxCommandRecord; created: boolean }> {
  const command = parseCommand(input);
  return enqueueOutboxCommand(sql, {
    vendorId: command.vendorId,
    kind: command.kind,
    shipmentBoxId: command.shipmentBoxId,
    orderId: command.orderId,
    // A cancel names its items in the payload (there may be several); the column stays empty.
    vendorItemId: isInvoiceCommand(command) ? (command.vendorItemId ?? null) : null,
    payload: payloadOf(command),
    dedupeKey: command.dedupeKey,
    createdBy: command.createdBy,
    maxAttempts: command.maxAttempts ?? null,
    ...(options.now === undefined ? {} : { nextAttemptAt: options.now }),
    ...(options.createdAt === undefined ? {} : { createdAt: options.createdAt }),
  });
}

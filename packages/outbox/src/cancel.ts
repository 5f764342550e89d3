import { CoupangError, parseJson, type CancelResult, type OrderSheet } from "@cos/coupang";
import type { BoxEffect, ItemEffect, JsonValue } from "@cos/db";
import type { CancelCommand } from "./command.js";

/**
 * The CANCEL executor's rules (coupang-api.md §5.1), pure: what to send for a box as read just
 * before, how Coupang's answer decides, and how a box read back after a lost answer is judged.
 * The drain (drain.ts) makes the calls and records the verdicts.
 */

/** Statuses in which Coupang takes a seller cancel (§5.1): ACCEPT is cancelled at once, INSTRUCT gets a stop-shipment. */
export const CANCELLABLE_STATUSES: ReadonlySet<string> = new Set(["ACCEPT", "INSTRUCT"]);

/** The local code of a cancel refused before sending because its box is in another status. */
export const CANCEL_NOT_ALLOWED = "CANCEL_NOT_ALLOWED";

/** One item of a cancel as sent, with the box's `cancelCount` of the item just before (the read-back baseline). */
export interface CancelLine {
  vendorItemId: bigint;
  /** Quantity sent, > 0. */
  receiptCount: number;
  /** The item's `cancelCount` on the box when it was read just before sending; 0 for an item the box lacks. */
  cancelCountBefore: number;
}

/** The box's quantities per vendorItemId: ordered, cancelled, held by a pending stop request. */
function quantities(sheet: OrderSheet): Map<bigint, { ordered: number; cancelled: number; held: number }> {
  const byItem = new Map<bigint, { ordered: number; cancelled: number; held: number }>();
  for (const item of sheet.orderItems) {
    const q = byItem.get(item.vendorItemId) ?? { ordered: 0, cancelled: 0, held: 0 };
    q.ordered += item.shippingCount ?? 0;
    q.cancelled += item.cancelCount ?? 0;
    q.held += item.holdCountForCancel ?? 0;
    byItem.set(item.vendorItemId, q);
  }
  return byItem;
}

/**
 * The lines to send for `command` on `sheet` (the box read just before sending): the command's
 * items as asked — Coupang judges the quantities and its answer names what it refuses — or, for
 * the whole box, every item with a quantity still open (`shippingCount − cancelCount −
 * holdCountForCancel`, §2.1). Empty when the whole box has nothing left open.
 */
export function cancelLinesOf(command: CancelCommand, sheet: OrderSheet): CancelLine[] {
  const box = quantities(sheet);
  if (command.items !== undefined) {
    return command.items.map((item) => ({
      vendorItemId: item.vendorItemId,
      receiptCount: item.receiptCount,
      cancelCountBefore: box.get(item.vendorItemId)?.cancelled ?? 0,
    }));
  }
  return [...box]
    .map(([vendorItemId, q]) => ({
      vendorItemId,
      receiptCount: q.ordered - q.cancelled - q.held,
      cancelCountBefore: q.cancelled,
    }))
    .filter((line) => line.receiptCount > 0);
}

/** {@link CancelLine}s as an attempt's request summary (IDs as text, so no digit is lost in jsonb). */
export function cancelLinesJson(lines: readonly CancelLine[]): JsonValue {
  return lines.map((line) => ({
    vendorItemId: line.vendorItemId.toString(),
    receiptCount: line.receiptCount,
    cancelCountBefore: line.cancelCountBefore,
  }));
}

/** The {@link CancelLine}s of a request summary written by {@link cancelLinesJson}; undefined for anything else. */
export function cancelLinesFromJson(json: JsonValue | undefined): CancelLine[] | undefined {
  if (!Array.isArray(json)) return undefined;
  const lines: CancelLine[] = [];
  for (const entry of json) {
    const { vendorItemId, receiptCount, cancelCountBefore } = (entry ?? {}) as Record<string, unknown>;
    if (
      typeof vendorItemId !== "string" ||
      !/^\d+$/.test(vendorItemId) ||
      typeof receiptCount !== "number" ||
      typeof cancelCountBefore !== "number"
    )
      return undefined;
    lines.push({ vendorItemId: BigInt(vendorItemId), receiptCount, cancelCountBefore });
  }
  return lines;
}

/**
 * A box read back after a cancel whose answer was lost (timeout, 5xx, crash), against the lines
 * sent: an item was cancelled when its `cancelCount` rose by at least what was sent since the
 * read before sending. A held quantity that the cancel completes moves from
 * `holdCountForCancel` to `cancelCount`, so only `cancelCount` is compared.
 *
 * - `applied`: every line's item was cancelled — the cancel took effect, resend nothing;
 * - `open`: none was — send again;
 * - `partial`: some were (Coupang applies a box's receipt at once, so the others were refused).
 */
export type CancelReadBack =
  { kind: "applied" } | { kind: "open" } | { kind: "partial"; cancelled: bigint[]; open: bigint[] };

/** Judges `sheet` against the lines of the last send (see {@link CancelReadBack}). Pure. */
export function judgeCancelReadBack(lines: readonly CancelLine[], sheet: OrderSheet): CancelReadBack {
  const box = quantities(sheet);
  const reached = (line: CancelLine) =>
    (box.get(line.vendorItemId)?.cancelled ?? 0) >= line.cancelCountBefore + line.receiptCount;
  const cancelled = lines.filter(reached).map((line) => line.vendorItemId);
  if (cancelled.length === lines.length) return { kind: "applied" };
  if (cancelled.length === 0) return { kind: "open" };
  return { kind: "partial", cancelled, open: lines.filter((l) => !reached(l)).map((l) => l.vendorItemId) };
}

/**
 * What a cancel that took effect did to its box, for the local copy (`markBoxAfterCommand`): the
 * box keeps its status (§5.1: an ACCEPT box is cancelled, an INSTRUCT one stopped, neither moves),
 * and each sent item is as Coupang then serves it (§2.1). From `sheet` read `"before"` sending,
 * each line's quantity is added to `cancelCount` and released from `holdCountForCancel` (a cancel
 * completes a held quantity first); a sheet read back `"after"` is taken as it is. `canceled` once
 * the cancelled count reaches the ordered one. Items the sheet lacks are left out. Pure.
 */
export function cancelEffect(
  command: CancelCommand,
  lines: readonly CancelLine[],
  sheet: OrderSheet,
  read: "before" | "after",
): BoxEffect {
  const box = quantities(sheet);
  const items = lines.flatMap((line): ItemEffect[] => {
    const q = box.get(line.vendorItemId);
    if (q === undefined) return [];
    const sent = read === "before" ? line.receiptCount : 0;
    const cancelCount = q.cancelled + sent;
    return [
      {
        vendorItemId: line.vendorItemId,
        cancelCount,
        holdCountForCancel: Math.max(0, q.held - sent),
        canceled: cancelCount >= q.ordered,
      },
    ];
  });
  return {
    vendorId: command.vendorId,
    shipmentBoxId: command.shipmentBoxId,
    status: sheet.status,
    invoiceNumber: null,
    items,
  };
}

/** How Coupang's answer to a cancel leaves the command. */
export type CancelVerdict =
  | { to: "succeeded" | "rejected"; code: string; message: string }
  /** An item in neither `receiptMap` nor `failedVendorItemIds`: read the box back before acting again. */
  | { to: "unknown"; code: string; message: string };

const itemsText = (items: ReadonlyArray<{ vendorItemId: bigint; receiptCount: number }>) =>
  items.map((item) => `${item.vendorItemId}×${item.receiptCount}`).join(", ");

/**
 * The verdict of a cancel's answer, item by item (`receiptMap` / `failedVendorItemIds`, §5.1):
 * - every item in a receipt → succeeded, code the receipt type (`CANCEL` for an ACCEPT box,
 *   `STOP_SHIPMENT` for an INSTRUCT one), the receipts in the message;
 * - an item in neither list → unknown (`NO_RESULT_ITEM`);
 * - every item failed → rejected with Coupang's code (`400`, or `FAIL` in 2019's shape) and its
 *   message, which names each item's reason (`[vendorItemId]<= …`);
 * - some cancelled, some failed → rejected `PARTIAL_CANCEL`: what was cancelled stays cancelled,
 *   and sending again would not change Coupang's mind about the rest.
 */
export function judgeCancelResult(result: CancelResult): CancelVerdict {
  const cancelled = result.items.filter((item) => item.status === "cancelled");
  const failed = result.items.filter((item) => item.status === "failed");
  const unknown = result.items.filter((item) => item.status === "unknown");
  const coupang = result.message ?? "";
  if (unknown.length > 0) {
    return {
      to: "unknown",
      code: "NO_RESULT_ITEM",
      message: `Coupang's answer names neither a receipt nor a failure for ${itemsText(unknown)}`,
    };
  }
  if (failed.length === 0) {
    const receipts = result.receipts.filter((r) =>
      r.vendorItemIds.some((id) => cancelled.some((c) => c.vendorItemId === id)),
    );
    return {
      to: "succeeded",
      code: [...new Set(receipts.map((r) => r.receiptType ?? "CANCEL"))].join(","),
      message: receipts
        .map((r) => `receipt ${r.receiptId ?? "?"} (${r.receiptType ?? "?"}): ${r.vendorItemIds.join(", ")}`)
        .join("; "),
    };
  }
  if (cancelled.length === 0) return { to: "rejected", code: result.code ?? "FAIL", message: coupang };
  return {
    to: "rejected",
    code: "PARTIAL_CANCEL",
    message: `cancelled ${itemsText(cancelled)}; refused ${itemsText(failed)}: ${coupang}`,
  };
}

/** Coupang's refusals of a cancelled quantity that arrive as a 5xx (coupang-api.md §5.1, §5.3). */
const COUNT_REFUSAL = /취소반품접수수량과 cancelCount가 일치하지 않습니다|취소 가능 수량/;

/**
 * A 5xx that is in truth Coupang refusing the quantity (`[INTERNAL_SERVER_ERROR]
 * 취소반품접수수량과 cancelCount가 일치하지 않습니다.`, §5.3): nothing was applied and sending
 * again gets the same answer, so the command is rejected with Coupang's code and message rather
 * than retried as a transient failure. Undefined for any other error.
 */
export function cancelRefusalOf(error: unknown): { code: string; message: string } | undefined {
  if (!(error instanceof CoupangError) || (error.statusCode ?? 0) < 500 || error.body === undefined)
    return undefined;
  let message = error.body;
  try {
    const body = parseJson(error.body) as { message?: unknown } | null;
    if (typeof body?.message === "string") message = body.message;
  } catch {
    // Not JSON: the body text itself is the message.
  }
  if (!COUNT_REFUSAL.test(message)) return undefined;
  return { code: /^\[([A-Z_]+)\]/.exec(message)?.[1] ?? `HTTP_${error.statusCode}`, message };
}

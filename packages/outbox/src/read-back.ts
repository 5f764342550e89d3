import type { OrderSheet } from "@cos/coupang";
import type { CancelCommand, Command } from "./command.js";

/** What the executors know of a box: from the synced copy or read back from Coupang. */
export interface BoxView {
  status: string;
  /** The box's invoice number; null when it has none. */
  invoiceNumber: string | null;
  /** vendorItemIds of the items with units left to ship (not `canceled`, fewer cancelled than ordered). */
  openItems: bigint[];
}

/** Statuses in which an invoice can be updated (coupang-api.md §4.2); an upload has left INSTRUCT for one of them. */
export const SHIPPED_STATUSES: ReadonlySet<string> = new Set([
  "DEPARTURE",
  "DELIVERING",
  "FINAL_DELIVERY",
  "NONE_TRACKING",
]);

/**
 * What a box read back from Coupang says about a command:
 * - `applied`: the command took effect — an acknowledged box is no longer ACCEPT (§3); an
 *   uploaded or updated box is shipped with our invoice number (§4.1, §4.2);
 * - `cancelled`: every item of the box is cancelled, so the command has nothing left to act on;
 * - `open`: it did not take effect; `box` is the box as it is now.
 */
export type ReadBackVerdict =
  | { kind: "applied"; status: string; invoiceNumber: string | null }
  | { kind: "cancelled"; reason: string }
  | { kind: "open"; box: BoxView };

/** The executors' view of a PO read with `getOrderSheet` (coupang-api.md §2.2). */
export function boxViewOf(sheet: OrderSheet): BoxView {
  const invoice = sheet.invoiceNumber ?? "";
  return {
    status: sheet.status,
    invoiceNumber: invoice === "" ? null : invoice,
    openItems: sheet.orderItems
      .filter(
        (item) =>
          item.canceled !== true &&
          (item.cancelCount ?? 0) < (item.shippingCount ?? Number.POSITIVE_INFINITY),
      )
      .map((item) => item.vendorItemId),
  };
}

/**
 * Judges a command against its box as read back (design.md "Outbound commands": before any
 * resend after a timeout, a 5xx or a crash, and after DUPLICATE_INVOICE_NUMBER,
 * NOT_ALLOW_INVOICE_NUMBER_RE_UPLOAD or INVALID_STATUS) — an acknowledgement or an invoice; a
 * cancel is judged by `judgeCancelReadBack` (cancel.ts). Pure.
 */
export function judgeReadBack(command: Exclude<Command, CancelCommand>, box: BoxView): ReadBackVerdict {
  if (box.openItems.length === 0) {
    return { kind: "cancelled", reason: `every item of box ${command.shipmentBoxId} is cancelled` };
  }
  const applied =
    command.kind === "ACKNOWLEDGE"
      ? box.status !== "ACCEPT"
      : SHIPPED_STATUSES.has(box.status) && box.invoiceNumber === command.invoiceNumber;
  return applied
    ? { kind: "applied", status: box.status, invoiceNumber: box.invoiceNumber }
    : { kind: "open", box };
}

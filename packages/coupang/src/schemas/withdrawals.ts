import { z } from "zod";
import type { RefundDeliveryDuty } from "../reference/statuses.js";
import { ID, INSTANT, TEXT, list, openEnum } from "./lenient.js";

/**
 * One withdrawn return of returnWithdrawRequests / returnWithdrawList (coupang-api.md §7). The
 * return disappears from returnRequests once withdrawn; `cancelId` is its receiptId.
 */
export const returnWithdrawalSchema = z.looseObject({
  /** The withdrawn return's receiptId. */
  cancelId: ID.required,
  orderId: ID.optional,
  vendorId: TEXT.optional,
  /** Who pays the return shipping: `COM` seller, `CUS` customer, `COU` Coupang. */
  refundDeliveryDuty: openEnum<RefundDeliveryDuty>().optional,
  /** When the buyer withdrew (KST `yyyy-MM-ddTHH:mm:ss`). */
  createdAt: INSTANT.optional,
  vendorItemIds: list(ID.required),
});
/** A parsed withdrawn return. */
export type ReturnWithdrawal = z.output<typeof returnWithdrawalSchema>;

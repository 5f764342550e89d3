import { z } from "zod";
import type { InvoiceResultCode } from "../reference/result-codes.js";
import { BOOL, ID, INTEGER, TEXT, openEnum } from "./lenient.js";
import type { RejectedRecord } from "./validate.js";

/**
 * One row of `data.responseList[]` of acknowledgement, invoice upload and invoice update
 * (coupang-api.md §3, §4.1): the outcome for one shipment box. A missing `retryRequired` is
 * read as `false`: without Coupang's word, read the box back rather than resend.
 */
export const batchRowSchema = z
  .looseObject({
    shipmentBoxId: ID.required,
    succeed: BOOL.required,
    resultCode: openEnum<InvoiceResultCode>().optional,
    resultMessage: TEXT.optional,
    retryRequired: BOOL.optional,
  })
  .transform(({ retryRequired, ...rest }) => ({ ...rest, retryRequired: retryRequired ?? false }));
/** A parsed batch row. */
export type BatchRow = z.output<typeof batchRowSchema>;

/** `data` of a batch answer without its `responseList`, which is validated row by row. */
export const batchSummarySchema = z.looseObject({
  responseKey: TEXT.optional,
  /** −1 none, 0 all succeeded, 1 partial errors, 99 all failed. */
  responseCode: INTEGER.optional,
  responseMessage: TEXT.optional,
});

/**
 * The outcome of a batch call (acknowledge, invoice upload/update), coupang-api.md §3, §4.
 * Coupang answers HTTP 200 even when rows fail: decide per box from `rows`, retrying a row only
 * when it has `succeed: false` and `retryRequired: true`. Never thrown as an exception.
 */
export interface BatchResult {
  /**
   * `responseCode` read: `none` (−1), `success` (0), `partial` (1), `failed` (99), `unknown`
   * (absent or another value). A summary only.
   */
  outcome: "none" | "success" | "partial" | "failed" | "unknown";
  responseCode: number | undefined;
  responseMessage: string | undefined;
  responseKey: string | undefined;
  /** One row per box Coupang answered for. */
  rows: BatchRow[];
  /** Rows that did not match the documented shape, with the path and value of each problem. */
  rejected: RejectedRecord[];
  /**
   * Boxes of the request with no valid row in the answer: their outcome is unknown, so read
   * them back before any resend.
   */
  unanswered: bigint[];
}

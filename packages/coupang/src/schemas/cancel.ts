import { z } from "zod";
import { COUNT, ID, TEXT, list, openEnum, optionalBlank } from "./lenient.js";

/**
 * One cancel receipt of the seller-cancel answer (coupang-api.md §5.1): `CANCEL` is an instant
 * cancel of an ACCEPT order, `STOP_SHIPMENT` a completed stop-shipment of an INSTRUCT order.
 */
export const cancelReceiptSchema = z.looseObject({
  receiptId: ID.optional,
  receiptType: openEnum<"CANCEL" | "STOP_SHIPMENT">().optional,
  /** The items this receipt cancelled. */
  vendorItemIds: list(ID.required),
  /** Total quantity cancelled by this receipt. */
  totalCount: COUNT.optional,
});
/** A parsed cancel receipt. */
export type CancelReceipt = z.output<typeof cancelReceiptSchema>;

const RECEIPT_FIELDS = ["receiptId", "receiptType", "vendorItemIds", "totalCount"];

/**
 * `receiptMap` in any of its shapes, as a list of receipts: the current map keyed by receiptId
 * (the key fills in a missing `receiptId`), the 2019 plain object that is itself one receipt,
 * or (tolerated) an array.
 */
function receiptList(map: unknown): unknown {
  if (map === undefined || map === null || map === "") return [];
  if (Array.isArray(map) || typeof map !== "object") return map;
  const record = map as Record<string, unknown>;
  if (RECEIPT_FIELDS.some((field) => field in record)) return [record];
  return Object.entries(record).map(([key, value]) =>
    typeof value === "object" && value !== null && !Array.isArray(value) && !("receiptId" in value)
      ? { receiptId: key, ...value }
      : value,
  );
}

/**
 * `data` of the seller-cancel answer (coupang-api.md §5.1): receipts, the order, and the items
 * that failed. The 2019 spec calls the failed list `failedItemIds`, its example and the current
 * doc `failedVendorItemIds`: both are read and merged.
 */
export const cancelDataSchema = z
  .looseObject({
    receiptMap: z.preprocess(receiptList, z.array(cancelReceiptSchema)),
    orderId: ID.optional,
    failedVendorItemIds: list(ID.required),
    failedItemIds: list(ID.required),
  })
  .transform(({ receiptMap, failedVendorItemIds, failedItemIds, ...rest }) => ({
    ...rest,
    receipts: receiptMap,
    failedVendorItemIds: [...new Set([...failedVendorItemIds, ...failedItemIds])],
  }));

/**
 * The seller-cancel envelope: `code` is `"200"`/`"400"` today and `SUCCESS`/`PARTIAL`/`FAIL` in
 * 2019; `message` carries a request number and one `[vendorItemId]<= reason` per failed item.
 */
export const cancelEnvelopeSchema = z.looseObject({
  code: TEXT.optional,
  message: TEXT.optional,
  data: optionalBlank(cancelDataSchema),
});

/** What happened to one requested item. */
export interface CancelItemResult {
  vendorItemId: bigint;
  /** The quantity asked for. */
  receiptCount: number;
  /**
   * `cancelled`: listed in a receipt; `failed`: listed as failed, or the whole call failed;
   * `unknown`: in neither list — read the order back before acting again.
   */
  status: "cancelled" | "failed" | "unknown";
  /** The receipt that cancelled it. */
  receipt: CancelReceipt | undefined;
  /** Coupang's reason for a failed item, from `message` (`[vendorItemId]<= …`). */
  reason: string | undefined;
}

/**
 * The outcome of a seller cancel (coupang-api.md §5.1), item by item. A partial or total
 * failure (code `"400"` with an empty `receiptMap`) is a result, never an exception.
 */
export interface CancelResult {
  /** `success`: every item cancelled or unknown; `partial`: some failed; `failed`: all failed or code FAIL/400. */
  outcome: "success" | "partial" | "failed";
  /** The envelope `code` as text: `200`, `400`, `SUCCESS`, `PARTIAL`, `FAIL`. */
  code: string | undefined;
  message: string | undefined;
  orderId: bigint | undefined;
  receipts: CancelReceipt[];
  failedVendorItemIds: bigint[];
  /** One entry per requested item, in request order. */
  items: CancelItemResult[];
  /** The answer as lossless JSON. */
  rawJson: string;
}

/** Reasons per vendorItemId from a message such as `[요청번호] …\r\n[3145181064]<= 취소 가능한 …`. */
function failureReasons(message: string | undefined): Map<bigint, string> {
  const reasons = new Map<bigint, string>();
  // The 2019 example carries the line breaks escaped (a literal backslash-r-backslash-n).
  for (const line of (message ?? "").split(/\r?\n|\\r\\n|\\n/)) {
    const m = /\[(\d+)\]\s*<=\s*(.*\S)/.exec(line);
    if (m) reasons.set(BigInt(m[1]!), m[2]!);
  }
  return reasons;
}

/**
 * Assembles the {@link CancelResult} of a parsed envelope for the requested items. Pure; the
 * caller has already validated `envelope` with {@link cancelEnvelopeSchema}.
 */
export function assembleCancelResult(
  envelope: z.output<typeof cancelEnvelopeSchema>,
  requested: ReadonlyArray<{ vendorItemId: bigint; receiptCount: number }>,
  rawJson: string,
): CancelResult {
  const { code, message } = envelope;
  const receipts = envelope.data?.receipts ?? [];
  const failed = envelope.data?.failedVendorItemIds ?? [];
  const reasons = failureReasons(message);
  const callFailed = code !== undefined && /^(FAIL|400)$/i.test(code);
  const items = requested.map(({ vendorItemId, receiptCount }): CancelItemResult => {
    const receipt = receipts.find((r) => r.vendorItemIds.includes(vendorItemId));
    const status =
      callFailed || failed.includes(vendorItemId)
        ? "failed"
        : receipt !== undefined
          ? "cancelled"
          : "unknown";
    return { vendorItemId, receiptCount, status, receipt, reason: reasons.get(vendorItemId) };
  });
  const failures = items.filter((item) => item.status === "failed").length;
  const outcome =
    callFailed || (items.length > 0 && failures === items.length)
      ? "failed"
      : failures > 0 || (code !== undefined && /^PARTIAL$/i.test(code))
        ? "partial"
        : "success";
  return {
    outcome,
    code,
    message,
    orderId: envelope.data?.orderId,
    receipts,
    failedVendorItemIds: failed,
    items,
    rawJson,
  };
}

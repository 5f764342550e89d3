import { describe, expect, it } from "vitest";
import { CoupangRetryableError, type CancelResult, type OrderSheet } from "@cos/coupang";
import {
  cancelEffect,
  cancelLinesOf,
  cancelRefusalOf,
  judgeCancelReadBack,
  judgeCancelResult,
} from "./cancel.js";
import { parseCommand, type CancelCommand } from "./command.js";

const command = (items?: Array<{ vendorItemId: bigint; receiptCount: number }>) =>
  parseCommand({
    kind: "CANCEL",
    vendorId: "A00012345",
    shipmentBoxId: 300000000000012345n,
    orderId: 9000000000001n,
    middleCancelCode: "CCTTER",
    userId: "wing-seller",
    createdBy: "test",
    ...(items === undefined ? {} : { items }),
  }) as CancelCommand;

/** A box with the quantities that matter here; the executor reads nothing else. */
const sheet = (
  status: string,
  items: Array<[bigint, { shippingCount: number; cancelCount: number; holdCountForCancel: number }]>,
) =>
  ({
    status,
    orderItems: items.map(([vendorItemId, counts]) => ({ vendorItemId, ...counts })),
  }) as unknown as OrderSheet;

describe("cancelLinesOf and judgeCancelReadBack", () => {
  const box = sheet("INSTRUCT", [
    [1n, { shippingCount: 3, cancelCount: 1, holdCountForCancel: 1 }],
    [2n, { shippingCount: 1, cancelCount: 1, holdCountForCancel: 0 }],
    [3n, { shippingCount: 2, cancelCount: 0, holdCountForCancel: 0 }],
  ]);

  it("sends the open quantity of every item for the whole box, and named items as asked", () => {
    expect(cancelLinesOf(command(), box)).toEqual([
      { vendorItemId: 1n, receiptCount: 1, cancelCountBefore: 1 },
      { vendorItemId: 3n, receiptCount: 2, cancelCountBefore: 0 },
    ]);
    expect(cancelLinesOf(command([{ vendorItemId: 9n, receiptCount: 4 }]), box)).toEqual([
      { vendorItemId: 9n, receiptCount: 4, cancelCountBefore: 0 },
    ]);
  });

  it("counts an item cancelled only when its cancelCount rose by what was sent", () => {
    const lines = cancelLinesOf(command(), box);
    expect(judgeCancelReadBack(lines, box)).toEqual({ kind: "open" });
    const after = (one: number, three: number) =>
      sheet("INSTRUCT", [
        [1n, { shippingCount: 3, cancelCount: one, holdCountForCancel: 1 }],
        [3n, { shippingCount: 2, cancelCount: three, holdCountForCancel: 0 }],
      ]);
    expect(judgeCancelReadBack(lines, after(2, 2))).toEqual({ kind: "applied" });
    expect(judgeCancelReadBack(lines, after(2, 1))).toEqual({ kind: "partial", cancelled: [1n], open: [3n] });
  });
});

describe("cancelEffect", () => {
  const before = sheet("INSTRUCT", [
    [1n, { shippingCount: 3, cancelCount: 1, holdCountForCancel: 2 }],
    [2n, { shippingCount: 2, cancelCount: 0, holdCountForCancel: 0 }],
    [3n, { shippingCount: 1, cancelCount: 0, holdCountForCancel: 0 }],
  ]);
  const lines = [
    { vendorItemId: 1n, receiptCount: 1, cancelCountBefore: 1 },
    { vendorItemId: 2n, receiptCount: 2, cancelCountBefore: 0 },
    { vendorItemId: 9n, receiptCount: 1, cancelCountBefore: 0 },
  ];
  const box = { vendorId: "A00012345", shipmentBoxId: 300000000000012345n, invoiceNumber: null };

  it("adds what was sent to the box read before, completing held quantities first; the status stays", () => {
    expect(cancelEffect(command(), lines, before, "before")).toEqual({
      ...box,
      status: "INSTRUCT",
      items: [
        { vendorItemId: 1n, cancelCount: 2, holdCountForCancel: 1, canceled: false },
        { vendorItemId: 2n, cancelCount: 2, holdCountForCancel: 0, canceled: true },
      ],
    });
  });

  it("takes a box read back after the cancel as it is, for the items sent only", () => {
    const after = sheet("ACCEPT", [
      [1n, { shippingCount: 3, cancelCount: 3, holdCountForCancel: 0 }],
      [3n, { shippingCount: 1, cancelCount: 0, holdCountForCancel: 0 }],
    ]);
    expect(cancelEffect(command(), lines, after, "after")).toEqual({
      ...box,
      status: "ACCEPT",
      items: [{ vendorItemId: 1n, cancelCount: 3, holdCountForCancel: 0, canceled: true }],
    });
  });
});

describe("judgeCancelResult", () => {
  const result = (partial: Partial<CancelResult>): CancelResult => ({
    outcome: "success",
    code: "200",
    message: "[요청번호] x",
    orderId: 9n,
    receipts: [],
    failedVendorItemIds: [],
    items: [],
    rawJson: "{}",
    ...partial,
  });
  const receipt = {
    receiptId: 55n,
    receiptType: "STOP_SHIPMENT" as const,
    vendorItemIds: [1n],
    totalCount: 1,
  };

  it("decides item by item", () => {
    const cancelled = {
      vendorItemId: 1n,
      receiptCount: 1,
      status: "cancelled" as const,
      receipt,
      reason: undefined,
    };
    const failed = {
      vendorItemId: 2n,
      receiptCount: 5,
      status: "failed" as const,
      receipt: undefined,
      reason: "초과",
    };
    expect(judgeCancelResult(result({ receipts: [receipt], items: [cancelled] }))).toEqual({
      to: "succeeded",
      code: "STOP_SHIPMENT",
      message: "receipt 55 (STOP_SHIPMENT): 1",
    });
    expect(
      judgeCancelResult(result({ code: "400", message: "[요청번호] x\r\n[2]<= 초과", items: [failed] })),
    ).toEqual({ to: "rejected", code: "400", message: "[요청번호] x\r\n[2]<= 초과" });
    expect(judgeCancelResult(result({ receipts: [receipt], items: [cancelled, failed] }))).toEqual({
      to: "rejected",
      code: "PARTIAL_CANCEL",
      message: "cancelled 1×1; refused 2×5: [요청번호] x",
    });
    expect(
      judgeCancelResult(result({ items: [{ ...cancelled, status: "unknown", receipt: undefined }] })),
    ).toEqual({
      to: "unknown",
      code: "NO_RESULT_ITEM",
      message: "Coupang's answer names neither a receipt nor a failure for 1×1",
    });
  });
});

describe("cancelRefusalOf", () => {
  const error = (statusCode: number, body: string) =>
    new CoupangRetryableError("HTTP 500", { vendorId: "A00012345", statusCode, body });

  it("turns Coupang's count refusal sent as a 500 into a rejection with its code and message", () => {
    expect(
      cancelRefusalOf(
        error(
          500,
          '{"code":500,"message":"[INTERNAL_SERVER_ERROR] 취소반품접수수량과 cancelCount가 일치하지 않습니다."}',
        ),
      ),
    ).toEqual({
      code: "INTERNAL_SERVER_ERROR",
      message: "[INTERNAL_SERVER_ERROR] 취소반품접수수량과 cancelCount가 일치하지 않습니다.",
    });
    expect(cancelRefusalOf(error(500, '{"code":500,"message":"internal exception"}'))).toBeUndefined();
    expect(cancelRefusalOf(error(504, "gateway timeout"))).toBeUndefined();
  });
});

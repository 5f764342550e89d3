import { describe, expect, it } from "vitest";
import { parseJson } from "../json.js";
import { actionEnvelopeSchema, assembleActionResult } from "./action.js";
import { assembleCancelResult, cancelEnvelopeSchema } from "./cancel.js";

const ITEMS = [
  { vendorItemId: 3145181064n, receiptCount: 1 },
  { vendorItemId: 3145181065n, receiptCount: 2 },
  { vendorItemId: 3145181067n, receiptCount: 1 },
];

function cancel(text: string, items = ITEMS) {
  return assembleCancelResult(cancelEnvelopeSchema.parse(parseJson(text)), items, text);
}

describe("seller cancel results (coupang-api.md §5.1)", () => {
  it("reads the 2019 plain receiptMap, PARTIAL code, failed ids and per-item reasons", () => {
    // The 2019 example, byte for byte, including the escaped line break in the message.
    const result = cancel(
      '{"code":"PARTIAL","message":"[요청번호] cdea5b4b-34e9-4bec-bbd9-061e358e46a0 \\\\r\\\\n[3145181064]<= 취소 가능한 개수보다 요청한 개수가 더 많습니다.",' +
        '"data":{"receiptMap":{"receiptId":44698107,"receiptType":"STOP_SHIPMENT","vendorItemIds":[3145181065,3145181067],"totalCount":3},' +
        '"orderId":2000006593044,"failedVendorItemIds":[3145181064]}}',
    );
    expect(result.outcome).toBe("partial");
    expect(result.code).toBe("PARTIAL");
    expect(result.orderId).toBe(2000006593044n);
    const receipt = {
      receiptId: 44698107n,
      receiptType: "STOP_SHIPMENT",
      vendorItemIds: [3145181065n, 3145181067n],
      totalCount: 3,
    };
    expect(result.receipts).toEqual([receipt]);
    expect(result.failedVendorItemIds).toEqual([3145181064n]);
    expect(result.items).toEqual([
      {
        vendorItemId: 3145181064n,
        receiptCount: 1,
        status: "failed",
        receipt: undefined,
        reason: "취소 가능한 개수보다 요청한 개수가 더 많습니다.",
      },
      { vendorItemId: 3145181065n, receiptCount: 2, status: "cancelled", receipt, reason: undefined },
      { vendorItemId: 3145181067n, receiptCount: 1, status: "cancelled", receipt, reason: undefined },
    ]);
  });

  it("reads the current receiptMap keyed by receiptId with code 200", () => {
    const result = cancel(
      '{"code":"200","message":"[요청번호] 1a2b\\r\\n","data":{"receiptMap":{' +
        '"500000000000000001":{"receiptId":500000000000000001,"receiptType":"CANCEL","vendorItemIds":[3145181064,3145181065],"totalCount":3},' +
        '"500000000000000002":{"receiptType":"CANCEL","vendorItemIds":[3145181067],"totalCount":1}},' +
        '"orderId":2000006593044,"failedVendorItemIds":[]}}',
    );
    expect(result.outcome).toBe("success");
    expect(result.receipts.map((r) => r.receiptId)).toEqual([500000000000000001n, 500000000000000002n]);
    expect(result.items.map((i) => [i.status, i.receipt?.receiptId])).toEqual([
      ["cancelled", 500000000000000001n],
      ["cancelled", 500000000000000001n],
      ["cancelled", 500000000000000002n],
    ]);
  });

  it("turns a total failure (code 400, empty receiptMap) into a failed result, reasons per item", () => {
    const result = cancel(
      '{"code":"400","message":"[요청번호] x\\r\\n[3145181064]<= 해당 벤더아이템이 결제완료/상품지시 중 상태가 아닙니다.\\r\\n' +
        '[3145181065]<= 요청한 업체의 상품이 아닙니다.","data":{"receiptMap":{},"orderId":2000006593044,' +
        '"failedVendorItemIds":[3145181064,3145181065]}}',
      ITEMS.slice(0, 2),
    );
    expect(result.outcome).toBe("failed");
    expect(result.receipts).toEqual([]);
    expect(result.items.map((i) => [i.status, i.reason])).toEqual([
      ["failed", "해당 벤더아이템이 결제완료/상품지시 중 상태가 아닙니다."],
      ["failed", "요청한 업체의 상품이 아닙니다."],
    ]);
  });

  it("reads the 2019 spec's failedItemIds, FAIL code, and leaves unlisted items unknown", () => {
    expect(
      cancel('{"code":"FAIL","message":"x","data":{"receiptMap":null,"failedItemIds":[3145181064]}}').outcome,
    ).toBe("failed");
    const unknown = cancel('{"code":"200","message":"OK","data":{"receiptMap":{},"failedVendorItemIds":[]}}');
    expect(unknown.outcome).toBe("success");
    expect(unknown.items.map((i) => i.status)).toEqual(["unknown", "unknown", "unknown"]);
  });
});

describe("action results (coupang-api.md §5.3, §6.3, §8.2, §9)", () => {
  const action = (text: string) => assembleActionResult(actionEnvelopeSchema.parse(parseJson(text)), text);

  it("reads each documented shape", () => {
    expect(action('{"code":"200","message":"OK"}')).toMatchObject({
      succeeded: true,
      code: "200",
      message: "OK",
    });
    expect(action('{"code":200,"message":"SUCCESS","data":true}')).toMatchObject({
      succeeded: true,
      code: "200",
    });
    expect(action('{"code":"200","message":"SUCCESS","data":false}').succeeded).toBe(false);
    expect(
      action(
        '{"data":{"code":"200","message":"OK","resultCode":"SUCCESS","resultMessage":"이미출고 상태변경이 성공하였습니다."}}',
      ),
    ).toEqual({
      succeeded: true,
      code: "200",
      message: "OK",
      resultCode: "SUCCESS",
      resultMessage: "이미출고 상태변경이 성공하였습니다.",
      rawJson:
        '{"data":{"code":"200","message":"OK","resultCode":"SUCCESS","resultMessage":"이미출고 상태변경이 성공하였습니다."}}',
    });
    expect(
      action('{"code":"200","message":"OK","data":{"resultCode":"FAIL","resultMessage":"no"}}'),
    ).toMatchObject({
      succeeded: false,
      resultCode: "FAIL",
      resultMessage: "no",
    });
    expect(action('{"code":"ERROR","message":"x"}').succeeded).toBe(false);
    expect(action("{}").succeeded).toBe(true);
  });
});

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseJson, stringifyJson } from "../json.js";
import { returnRequestSchema } from "./returns.js";
import { validateRecords } from "./validate.js";
import { returnWithdrawalSchema } from "./withdrawals.js";

const FIXTURE = new URL("../../test/fixtures/return-requests-v6-list.json", import.meta.url);

function fixtureReturn(): Record<string, unknown> {
  const envelope = parseJson(readFileSync(FIXTURE, "utf8")) as { data: unknown[] };
  return parseJson(stringifyJson(envelope.data[0])) as Record<string, unknown>;
}

describe("returnRequestSchema on the v6 KR fixture (coupang-api.md §6.1, §13.2)", () => {
  it("parses every field with concrete values", () => {
    const raw = fixtureReturn();
    const { valid, rejected } = validateRecords(returnRequestSchema, [raw]);
    expect(rejected).toEqual([]);
    const r = valid[0]!.value;
    expect(r.receiptId).toBe(300000001n);
    expect(r.orderId).toBe(9000000000001n);
    expect(r.paymentId).toBe(9100000000001n);
    expect(r.receiptType).toBe("RETURN");
    expect(r.receiptStatus).toBe("RETURNS_UNCHECKED");
    expect(r.createdAt!.toISOString()).toBe("2025-01-01T13:52:42.000Z");
    expect(r.modifiedAt!.toISOString()).toBe("2025-01-01T13:52:42.000Z");
    expect(r.requesterName).toBe("홍*동");
    expect(r.requesterPhoneNumber).toBe("0500-****-0000");
    expect(r.requesterRealPhoneNumber).toBeUndefined();
    expect([r.requesterAddress, r.requesterAddressDetail, r.requesterZipCode]).toEqual([
      "FAKE-ADDR-1",
      "FAKE-ADDR-2",
      "00000",
    ]);
    expect([r.cancelReasonCategory1, r.cancelReasonCategory2]).toEqual(["고객변심", "단순변심(사유없음)"]);
    expect(r.cancelReason).toBeUndefined(); // ""
    expect(r.cancelCountSum).toBe(1);
    expect(r.returnDeliveryId).toBe(40000001n);
    expect(r.returnDeliveryType).toBe("연동택배");
    expect(r.releaseStopStatus).toBe("비대상");
    expect(r.enclosePrice).toBe(0);
    expect(r.faultByType).toBe("CUSTOMER");
    expect(r.preRefund).toBe(false);
    expect(r.completeConfirmType).toBe("UNDEFINED");
    expect(r.completeConfirmDate).toBeUndefined();
    expect(r.returnItems).toEqual([
      {
        vendorItemPackageId: 0n,
        vendorItemPackageName: "FAKE product",
        vendorItemId: 70000000001n,
        vendorItemName: "FAKE product, Red, L",
        purchaseCount: 2,
        cancelCount: 1,
        shipmentBoxId: 100000000000000001n,
        sellerProductId: 20000001n,
        sellerProductName: "FAKE product Red L",
        releaseStatus: "Y",
        cancelCompleteUser: "s******",
      },
    ]);
    // The entry with an empty invoice is ignored, as the doc says; the raw record keeps it.
    expect(r.returnDeliveryDtos).toEqual([
      { deliveryCompanyCode: "CJGLS", deliveryInvoiceNo: "000000000000" },
    ]);
    expect(valid[0]!.rawJson).toContain('{"deliveryCompanyCode":"CJGLS","deliveryInvoiceNo":""}');
    expect(r.reasonCode).toBe("CHANGEMIND");
    expect(r.reasonCodeText).toBe("필요 없어짐 (단순 변심)");
    expect(r.returnShippingCharge).toEqual({ currencyCode: "KRW", units: -3000n, nanos: 0 });
  });

  it("reads the internationalised v6 shape: offset times and a Money charge; keeps unknown fields", () => {
    const raw = {
      ...fixtureReturn(),
      createdAt: "2025-07-29T00:01:00+09:00",
      returnShippingCharge: { currencyCode: "TWD", units: -3000, nanos: -500000000 },
      receiptStatus: "SOMETHING_NEW",
      addedLater: 1,
    };
    const { valid, rejected } = validateRecords(returnRequestSchema, [raw]);
    expect(rejected).toEqual([]);
    const r = valid[0]!.value;
    expect(r.createdAt!.toISOString()).toBe("2025-07-28T15:01:00.000Z");
    expect(r.returnShippingCharge).toEqual({ currencyCode: "TWD", units: -3000n, nanos: -500000000 });
    expect(r.receiptStatus).toBe("SOMETHING_NEW");
    expect((r as Record<string, unknown>).addedLater).toBe(1);
  });

  it("accepts numbers as strings, a missing returnItems, and rejects a record without receiptId by path", () => {
    const noItems = {
      ...fixtureReturn(),
      returnItems: null,
      cancelCountSum: "2",
      returnShippingCharge: "2500",
    };
    const noId = { ...fixtureReturn(), receiptId: "" };
    const badItem = { ...fixtureReturn(), returnItems: [{ vendorItemId: "x" }] };
    const { valid, rejected } = validateRecords(returnRequestSchema, [noItems, noId, badItem]);
    expect(valid).toHaveLength(1);
    expect(valid[0]!.value.returnItems).toEqual([]);
    expect(valid[0]!.value.cancelCountSum).toBe(2);
    expect(valid[0]!.value.returnShippingCharge).toEqual({ currencyCode: "KRW", units: 2500n, nanos: 0 });
    expect(rejected.map((r) => r.error)).toEqual([
      'receiptId: expected an ID (digits), got ""',
      'returnItems[0].vendorItemId: expected an ID (digits), got "x"',
    ]);
  });
});

describe("returnWithdrawalSchema (coupang-api.md §7)", () => {
  it("parses the documented record", () => {
    const raw = parseJson(
      '{"cancelId":87033689,"orderId":23000016565020,"vendorId":"A00001234","refundDeliveryDuty":"COM",' +
        '"createdAt":"2018-06-05T13:40:56","vendorItemIds":[3737624764]}',
    );
    const { valid } = validateRecords(returnWithdrawalSchema, [raw]);
    expect(valid[0]!.value).toEqual({
      cancelId: 87033689n,
      orderId: 23000016565020n,
      vendorId: "A00001234",
      refundDeliveryDuty: "COM",
      createdAt: new Date("2018-06-05T04:40:56.000Z"),
      vendorItemIds: [3737624764n],
    });
  });
});

import { readFileSync } from "node:fs";
import {
  parseJson,
  returnRequestSchema,
  returnWithdrawalSchema,
  stringifyJson,
  validateRecords,
} from "@cos/coupang";
import { describe, expect, it } from "vitest";
import { NormalizeError, hashRaw } from "./normalize.js";
import { moneyKrw, normalizeReturnRequest, normalizeReturnWithdrawal } from "./normalize-returns.js";

const FIXTURE = new URL("../../coupang/test/fixtures/return-requests-v6-list.json", import.meta.url);

/** The fixture's first receipt as a JSON object, with `patch` applied, validated by the client's schema. */
function fixtureReturn(patch: Record<string, unknown> = {}) {
  const envelope = parseJson(readFileSync(FIXTURE, "utf8")) as { data: Record<string, unknown>[] };
  const raw = { ...envelope.data[0]!, ...patch };
  const { valid, rejected } = validateRecords(returnRequestSchema, [raw]);
  expect(rejected).toEqual([]);
  return valid[0]!;
}

describe("normalizeReturnRequest on the v6 fixture (coupang-api.md §6.1, §13.2)", () => {
  it("maps every column with concrete values", () => {
    const record = fixtureReturn();
    const { items, raw, rawHash, ...row } = normalizeReturnRequest("A00000000", record);
    expect(row).toEqual({
      receiptId: 300000001n,
      vendorId: "A00000000",
      orderId: 9000000000001n,
      paymentId: 9100000000001n,
      receiptType: "RETURN",
      receiptStatus: "RETURNS_UNCHECKED",
      // 2025-01-01T22:52:42 KST
      requestedAt: new Date("2025-01-01T13:52:42Z"),
      modifiedAt: new Date("2025-01-01T13:52:42Z"),
      requesterName: "홍*동",
      requesterPhoneNumber: "0500-****-0000",
      requesterAddress: "FAKE-ADDR-1",
      requesterAddressDetail: "FAKE-ADDR-2",
      requesterZipCode: "00000",
      cancelReasonCategory1: "고객변심",
      cancelReasonCategory2: "단순변심(사유없음)",
      cancelReason: null, // ""
      cancelCountSum: 1,
      returnDeliveryId: 40000001n,
      returnDeliveryType: "연동택배",
      releaseStopStatus: "비대상",
      faultByType: "CUSTOMER",
      preRefund: false,
      completeConfirmType: "UNDEFINED",
      completeConfirmedAt: null, // ""
      reasonCode: "CHANGEMIND",
      reasonCodeText: "필요 없어짐 (단순 변심)",
      returnShippingCharge: -3000n,
    });
    expect(raw).toBe(record.rawJson);
    expect(rawHash).toBe(hashRaw(record.rawJson));
    expect(rawHash).toMatch(/^[0-9a-f]{64}$/);

    expect(items).toHaveLength(1);
    const { raw: itemRaw, rawHash: itemHash, ...item } = items[0]!;
    expect(item).toEqual({
      receiptId: 300000001n,
      vendorItemId: 70000000001n,
      vendorId: "A00000000",
      shipmentBoxId: 100000000000000001n,
      vendorItemName: "FAKE product, Red, L",
      vendorItemPackageId: 0n,
      vendorItemPackageName: "FAKE product",
      sellerProductId: 20000001n,
      sellerProductName: "FAKE product Red L",
      purchaseCount: 2,
      cancelCount: 1,
      releaseStatus: "Y",
      cancelCompleteUser: "s******",
    });
    // The item's own payload, every digit of its 18-digit shipmentBoxId kept.
    expect(itemRaw).toContain('"shipmentBoxId":100000000000000001');
    expect(itemRaw).toBe(stringifyJson((record.raw as { returnItems: unknown[] }).returnItems[0]));
    expect(itemHash).toBe(hashRaw(itemRaw));
  });

  it("stores a v6 Money charge as exact KRW, and refuses another currency or a fraction", () => {
    const money = { currencyCode: "KRW", units: 2500, nanos: 0 };
    expect(
      normalizeReturnRequest("A1", fixtureReturn({ returnShippingCharge: money })).returnShippingCharge,
    ).toBe(2500n);
    const twd = fixtureReturn({
      returnShippingCharge: { currencyCode: "TWD", units: -3000, nanos: -500000000 },
    });
    expect(() => normalizeReturnRequest("A1", twd)).toThrow(NormalizeError);
    expect(() => normalizeReturnRequest("A1", twd)).toThrow(/returnShippingCharge: expected KRW, got TWD/);
    expect(() => moneyKrw({ currencyCode: "KRW", units: 1n, nanos: 500000000 }, "x")).toThrow(
      /x: expected whole KRW/,
    );
    expect(moneyKrw(undefined, "x")).toBeNull();
  });

  it("refuses a receipt without receiptStatus, or with a vendorItemId twice", () => {
    expect(() => normalizeReturnRequest("A1", fixtureReturn({ receiptStatus: "" }))).toThrow(
      /receiptStatus: missing/,
    );
    const item = (fixtureReturn().raw as { returnItems: unknown[] }).returnItems[0];
    expect(() => normalizeReturnRequest("A1", fixtureReturn({ returnItems: [item, item] }))).toThrow(
      /returnItems\[1\]\.vendorItemId: 70000000001 appears twice in receipt 300000001/,
    );
  });
});

describe("normalizeReturnWithdrawal (coupang-api.md §7)", () => {
  it("maps cancelId, the withdrawal time and every vendorItemId", () => {
    const raw = parseJson(
      '{"cancelId":300000001,"orderId":9000000000001,"vendorId":"A00000000","refundDeliveryDuty":"CUS",' +
        '"createdAt":"2025-01-02T09:00:00","vendorItemIds":[70000000001,999999999999999999]}',
    );
    const { valid, rejected } = validateRecords(returnWithdrawalSchema, [raw]);
    expect(rejected).toEqual([]);
    const record = valid[0]!;
    expect(normalizeReturnWithdrawal("A00000000", record)).toEqual({
      cancelId: 300000001n,
      vendorId: "A00000000",
      orderId: 9000000000001n,
      refundDeliveryDuty: "CUS",
      withdrawnAt: new Date("2025-01-02T00:00:00Z"),
      vendorItemIds: [70000000001n, 999999999999999999n],
      raw: record.rawJson,
      rawHash: hashRaw(record.rawJson),
    });
  });

  it("refuses a record naming another vendor than the one whose answer it came in", () => {
    const raw = parseJson('{"cancelId":300000001,"vendorId":"B00000002","createdAt":"2025-01-02T09:00:00"}');
    const { valid } = validateRecords(returnWithdrawalSchema, [raw]);
    expect(() => normalizeReturnWithdrawal("A00000000", valid[0]!)).toThrow(
      new NormalizeError('vendorId: "B00000002" in an answer to vendor A00000000'),
    );
  });
});

import { readFileSync } from "node:fs";
import { exchangeRequestSchema, parseJson, stringifyJson, validateRecords } from "@cos/coupang";
import { describe, expect, it } from "vitest";
import { hashRaw } from "./normalize.js";
import { normalizeExchangeRequest } from "./normalize-exchanges.js";

const FIXTURE = new URL("../../coupang/test/fixtures/exchange-requests-v4-list.json", import.meta.url);

/** The fixture's first exchange as a JSON object, with `patch` applied, validated by the client's schema. */
function fixtureExchange(patch: Record<string, unknown> = {}) {
  const envelope = parseJson(readFileSync(FIXTURE, "utf8")) as { data: Record<string, unknown>[] };
  const raw = { ...envelope.data[0]!, ...patch };
  const { valid, rejected } = validateRecords(exchangeRequestSchema, [raw]);
  expect(rejected).toEqual([]);
  return valid[0]!;
}

describe("normalizeExchangeRequest on the v4 fixture (coupang-api.md §8.1, §13.3)", () => {
  it("maps every column with concrete values", () => {
    const record = fixtureExchange();
    const { items, raw, rawHash, ...row } = normalizeExchangeRequest("A00000000", record);
    expect(row).toEqual({
      exchangeId: 500000001n,
      vendorId: "A00000000",
      orderId: 9000000000002n,
      exchangeStatus: "RECEIPT",
      orderDeliveryStatusCode: "FINAL_DELIVERY",
      referType: "WEB_MOBILE",
      faultType: "VENDOR",
      exchangeAmount: 0n,
      reasonCode: "WRONGSIZECOL",
      reasonCodeText: "내가 주문한 상품과 다른 색상/사이즈의 상품이 배송됨",
      reasonEtcDetail: "FAKE detail",
      cancelReason: null,
      createdByType: "CUSTOMER",
      modifiedByType: "CUSTOMER",
      // 2025-01-02T10:54:41 KST
      requestedAt: new Date("2025-01-02T01:54:41Z"),
      modifiedAt: new Date("2025-01-02T01:54:41Z"),
      collectStatus: "BeforeDirection",
      deliveryStatus: "BeforeDirection",
      collectCompletedAt: null,
      // deliveryInvoiceGroupDtos is [] until the seller confirms receipt.
      newShipmentBoxId: null,
      successable: false,
      rejectable: true,
      deliveryInvoiceModifiable: false,
    });
    expect(raw).toBe(record.rawJson);
    expect(rawHash).toBe(hashRaw(record.rawJson));

    expect(items).toHaveLength(1);
    const { raw: itemRaw, rawHash: itemHash, ...item } = items[0]!;
    expect(item).toEqual({
      exchangeItemId: 1000001n,
      exchangeId: 500000001n,
      vendorId: "A00000000",
      orderItemId: 70000000002n,
      orderItemUnitPrice: 35000n,
      orderItemName: null,
      orderPackageId: null,
      orderPackageName: null,
      targetItemId: 70000000002n,
      targetItemUnitPrice: 35000n,
      targetItemName: "FAKE bag, Beige, FREE",
      targetPackageId: -1n,
      targetPackageName: null, // ""
      quantity: 1,
      orderItemDeliveryComplete: null,
      orderItemReturnComplete: null,
      targetItemDeliveryComplete: null,
      requestedAt: new Date("2025-01-02T01:54:41Z"),
      modifiedAt: new Date("2025-01-02T01:54:41Z"),
      originalShipmentBoxId: 100000000000000002n,
    });
    expect(itemRaw).toBe(
      stringifyJson((record.raw as { exchangeItemDtoV1s: unknown[] }).exchangeItemDtoV1s[0]),
    );
    expect(itemHash).toBe(hashRaw(itemRaw));
  });

  it("takes the replacement box from deliveryInvoiceGroupDtos, never the original box", () => {
    const group = (shipmentBoxId: string) =>
      parseJson(`{"shipmentBoxId":${shipmentBoxId},"deliveryInvoiceDtos":[]}`);
    const record = fixtureExchange({
      exchangeStatus: "PROGRESS",
      collectCompleteDate: "2025-01-03T12:00:00",
      deliveryInvoiceGroupDtos: [group("100000000000000002"), group("100000000000000099")],
    });
    const row = normalizeExchangeRequest("A00000000", record);
    expect(row.newShipmentBoxId).toBe(100000000000000099n);
    expect(row.collectCompletedAt).toEqual(new Date("2025-01-03T03:00:00Z"));
    expect(row.exchangeStatus).toBe("PROGRESS");
  });

  it("refuses an exchange without exchangeStatus, or with a fractional unit price, naming the field", () => {
    expect(() => normalizeExchangeRequest("A1", fixtureExchange({ exchangeStatus: null }))).toThrow(
      /exchangeStatus: missing/,
    );
    const item = (fixtureExchange().raw as { exchangeItemDtoV1s: Record<string, unknown>[] })
      .exchangeItemDtoV1s[0]!;
    const fractional = fixtureExchange({ exchangeItemDtoV1s: [{ ...item, targetItemUnitPrice: 35000.5 }] });
    expect(() => normalizeExchangeRequest("A1", fractional)).toThrow(
      /exchangeItemDtoV1s\[0\]\.targetItemUnitPrice: expected whole KRW, got 35000.5/,
    );
    expect(() =>
      normalizeExchangeRequest("A1", fixtureExchange({ exchangeItemDtoV1s: [item, item] })),
    ).toThrow(/exchangeItemId: 1000001 appears twice in exchange 500000001/);
  });
});

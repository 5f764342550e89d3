import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseJson, stringifyJson } from "../json.js";
import { ORDER_STATUSES, orderSheetSchema } from "./ordersheet.js";
import { formatJsonPath, validateRecords } from "./validate.js";

// shared/ sits beside the repository (locally and in CI).
const FIXTURE = new URL("../../test/fixtures/ordersheets-v4-list.json", import.meta.url);

type Json = Record<string, unknown>;

function fixtureOrders(): Json[] {
  const envelope = parseJson(readFileSync(FIXTURE, "utf8")) as { data: Json[] };
  return envelope.data;
}

/** A deep copy of the fixture's first order, lossless. */
function fixtureOrder(): Json {
  return parseJson(stringifyJson(fixtureOrders()[0])) as Json;
}

describe("orderSheetSchema on the v4 fixture (coupang-api.md §13.1)", () => {
  it("parses every field with concrete values", () => {
    const raw = fixtureOrder();
    raw.fieldAddedLater = { nested: [1, 2], big: 123456789012345678901n };
    const { valid, rejected } = validateRecords(orderSheetSchema, [raw]);
    expect(rejected).toEqual([]);
    expect(valid).toHaveLength(1);
    const { value: order, rawJson } = valid[0]!;

    expect(order.shipmentBoxId).toBe(100000000000000001n);
    expect(order.orderId).toBe(9000000000001n);
    expect(order.status).toBe("INSTRUCT");
    expect(order.orderedAt!.toISOString()).toBe("2025-01-01T01:20:16.000Z");
    expect(order.paidAt!.toISOString()).toBe("2025-01-01T01:20:30.000Z");
    expect(order.shippingPrice).toBe(3000);
    expect(order.remotePrice).toBeUndefined(); // null
    expect(order.remoteArea).toBe(false);
    expect(order.parcelPrintMessage).toBe("FAKE door note");
    expect(order.splitShipping).toBe(false);
    expect(order.ableSplitShipping).toBe(false);
    expect(order.orderer).toEqual({
      name: "홍*동",
      email: undefined,
      safeNumber: "0500-0000-0000",
      ordererNumber: undefined,
    });
    expect(order.receiver).toEqual({
      name: "테*트",
      safeNumber: "0500-0000-0001",
      receiverNumber: undefined,
      addr1: "FAKE-ADDR-1",
      addr2: "FAKE-ADDR-2",
      postCode: "00000",
    });
    expect(order.overseaShippingInfoDto).toEqual({
      personalCustomsClearanceCode: undefined,
      ordererSsn: undefined,
      ordererPhoneNumber: undefined,
    });
    // "" means absent (coupang-api.md §11).
    expect(order.deliveryCompanyName).toBeUndefined();
    expect(order.invoiceNumber).toBeUndefined();
    expect(order.inTransitAt).toBeUndefined();
    expect(order.deliveredDate).toBeUndefined();
    expect(order.refer).toBe("안드로이드앱");
    expect("inTrasitDateTime" in order).toBe(false);

    expect(order.orderItems).toHaveLength(1);
    const item = order.orderItems[0]!;
    expect(item.vendorItemPackageId).toBe(0n);
    expect(item.productId).toBe(1000001n);
    expect(item.vendorItemId).toBe(70000000001n);
    expect(item.sellerProductId).toBe(20000001n);
    expect(item.vendorItemName).toBe("FAKE product, Red, L");
    expect(item.shippingCount).toBe(2);
    expect(item.salesPrice).toBe(10000);
    expect(item.orderPrice).toBe(20000);
    expect(item.discountPrice).toBeUndefined();
    expect(item.instantCouponDiscount).toBe(0);
    expect(item.etcInfoHeader).toBeUndefined();
    expect(item.etcInfoValues).toEqual([]);
    expect(item.estimatedShippingDate!.toISOString()).toBe("2025-01-03T00:00:00.000Z");
    expect(item.plannedShippingDate).toBeUndefined();
    expect(item.invoiceNumberUploadDate).toBeUndefined();
    expect(item.confirmDate).toBeUndefined();
    expect(item.extraProperties).toEqual({});
    expect(item.deliveryChargeTypeName).toBe("유료");
    expect(item.upBundleItem).toBe(false);
    expect(item.canceled).toBe(false);

    // Unknown fields pass through (untyped), and the raw JSON keeps every digit.
    expect((order as Record<string, unknown>).fieldAddedLater).toEqual({
      nested: [1, 2],
      big: 123456789012345678901n,
    });
    expect(valid[0]!.raw).toBe(raw);
    expect(rawJson).toContain('"shipmentBoxId":100000000000000001,');
    expect(rawJson).toContain('"fieldAddedLater":{"nested":[1,2],"big":123456789012345678901}');
    expect(parseJson(rawJson)).toEqual(raw);
  });

  it("accepts Coupang's variations: numeric strings, digit-string IDs, space times, orderersSsn, later fields", () => {
    const raw = fixtureOrder();
    Object.assign(raw, {
      shipmentBoxId: "999999999999999999",
      orderId: 9000000000002,
      status: "DELIVERING",
      shippingPrice: "2500",
      remotePrice: "3000",
      orderer: null,
      invoiceNumber: 123412341234,
      deliveryCompanyName: "CJ 대한통운",
      inTrasitDateTime: "2025-01-02 09:00:00",
      deliveredDate: "2025-01-03 18:30:00",
      overseaShippingInfoDto: {
        personalCustomsClearanceCode: "P123",
        orderersSsn: "SSN-FAKE",
        ordererPhoneNumber: "",
      },
      shipmentType: "THIRD_PARTY",
      isCod: false,
      extraProperties: { receiptOption: "NONE", appliedType: "", extra: 1 },
    });
    const item = (raw.orderItems as Json[])[0]!;
    Object.assign(item, {
      vendorItemId: 70000000002n,
      shippingCount: "3",
      cancelCount: "1",
      discountPrice: 500,
      invoiceNumberUploadDate: "2025-01-02T08:00:00",
      confirmDate: "2025-01-05 10:00:00",
      plannedShippingDate: "2025-01-04",
      upBundleItem: "true",
      upBundleVendorItemId: "70000000009",
      upBundleVendorItemName: "FAKE bundle source",
      upBundleSize: 2,
      extraProperties: { giftWrap: "Y" },
    });
    const { valid, rejected } = validateRecords(orderSheetSchema, [raw]);
    expect(rejected).toEqual([]);
    const order = valid[0]!.value;
    expect(order.shipmentBoxId).toBe(999999999999999999n);
    expect(order.orderId).toBe(9000000000002n);
    expect(order.status).toBe("DELIVERING");
    expect(order.shippingPrice).toBe(2500);
    expect(order.remotePrice).toBe(3000);
    expect(order.orderer).toBeUndefined();
    expect(order.invoiceNumber).toBe("123412341234");
    expect(order.deliveryCompanyName).toBe("CJ 대한통운");
    expect(order.inTransitAt!.toISOString()).toBe("2025-01-02T00:00:00.000Z");
    expect(order.deliveredDate!.toISOString()).toBe("2025-01-03T09:30:00.000Z");
    expect(order.overseaShippingInfoDto).toEqual({
      personalCustomsClearanceCode: "P123",
      ordererSsn: "SSN-FAKE",
      ordererPhoneNumber: undefined,
    });
    expect(order.shipmentType).toBe("THIRD_PARTY");
    expect(order.isCod).toBe(false);
    expect(order.extraProperties).toEqual({ receiptOption: "NONE", appliedType: undefined, extra: 1 });
    const parsedItem = order.orderItems[0]!;
    expect(parsedItem.vendorItemId).toBe(70000000002n);
    expect(parsedItem.shippingCount).toBe(3);
    expect(parsedItem.cancelCount).toBe(1);
    expect(parsedItem.discountPrice).toBe(500);
    expect(parsedItem.invoiceNumberUploadDate!.toISOString()).toBe("2025-01-01T23:00:00.000Z");
    expect(parsedItem.confirmDate!.toISOString()).toBe("2025-01-05T01:00:00.000Z");
    expect(parsedItem.plannedShippingDate!.toISOString()).toBe("2025-01-04T00:00:00.000Z");
    expect(parsedItem.upBundleItem).toBe(true);
    expect(parsedItem.upBundleVendorItemId).toBe(70000000009n);
    expect(parsedItem.upBundleVendorItemName).toBe("FAKE bundle source");
    expect(parsedItem.upBundleSize).toBe(2);
    expect(parsedItem.extraProperties).toEqual({ giftWrap: "Y" });
  });

  it("prefers ordererSsn when both spellings are sent", () => {
    const raw = fixtureOrder();
    raw.overseaShippingInfoDto = { ordererSsn: "A", orderersSsn: "B" };
    const order = validateRecords(orderSheetSchema, [raw]).valid[0]!.value;
    expect(order.overseaShippingInfoDto).toEqual({ ordererSsn: "A" });
  });

  it("accepts each of the six statuses", () => {
    for (const status of ORDER_STATUSES) {
      const raw = { ...fixtureOrder(), status };
      expect(validateRecords(orderSheetSchema, [raw]).valid[0]!.value.status).toBe(status);
    }
  });
});

describe("validateRecords", () => {
  it("rejects bad records one by one, naming the JSON path and the value, and keeps the good ones", () => {
    const good = fixtureOrder();
    const badCount = fixtureOrder();
    (badCount.orderItems as Json[])[0]!.shippingCount = "abc";
    const badStatus = { ...fixtureOrder(), status: "CANCELED" };
    const noId = fixtureOrder();
    delete noId.shipmentBoxId;
    const badTime = { ...fixtureOrder(), paidAt: "2025-01-01T25:00:00", orderId: -5 };

    const { valid, rejected } = validateRecords(orderSheetSchema, [
      good,
      badCount,
      badStatus,
      noId,
      badTime,
      42,
    ]);
    expect(valid.map((v) => v.raw)).toEqual([good]);
    expect(rejected.map((r) => r.error)).toEqual([
      'orderItems[0].shippingCount: expected a number, got "abc"',
      'status: expected one of ACCEPT, INSTRUCT, DEPARTURE, DELIVERING, FINAL_DELIVERY, NONE_TRACKING, got "CANCELED"',
      "shipmentBoxId: expected an ID (digits), got undefined",
      "orderId: expected an ID (digits), got -5; " +
        `paidAt: expected a date-time (yyyy-MM-dd'T'HH:mm:ss, KST), got "2025-01-01T25:00:00"`,
      "(record): expected an object, got 42",
    ]);
    expect(rejected[0]!.raw).toBe(badCount);
    expect(rejected[0]!.rawJson).toBe(stringifyJson(badCount));
    expect(rejected[0]!.rawJson).toContain('"shipmentBoxId":100000000000000001');
  });

  it("says why a count is not whole", () => {
    const raw = fixtureOrder();
    (raw.orderItems as Json[])[0]!.cancelCount = 1.5;
    expect(validateRecords(orderSheetSchema, [raw]).rejected[0]!.error).toBe(
      "orderItems[0].cancelCount: expected a whole number ≥ 0, got 1.5",
    );
  });

  it("formats JSON paths", () => {
    expect(formatJsonPath([])).toBe("(record)");
    expect(formatJsonPath(["orderItems", 0, "vendorItemId"])).toBe("orderItems[0].vendorItemId");
    expect(formatJsonPath(["extraProperties", "tax-receipt"])).toBe('extraProperties["tax-receipt"]');
  });
});

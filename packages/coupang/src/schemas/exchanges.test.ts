import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseJson, stringifyJson } from "../json.js";
import { exchangeRequestSchema, replacementShipmentBoxIds } from "./exchanges.js";
import { validateRecords } from "./validate.js";

const FIXTURE = new URL("../../test/fixtures/exchange-requests-v4-list.json", import.meta.url);

function fixtureExchange(): Record<string, unknown> {
  const envelope = parseJson(readFileSync(FIXTURE, "utf8")) as { data: unknown[] };
  return parseJson(stringifyJson(envelope.data[0])) as Record<string, unknown>;
}

const kstAt = (wall: string) => new Date(`${wall}+09:00`);

describe("exchangeRequestSchema on the v4 fixture (coupang-api.md §8.1, §13.3)", () => {
  it("parses every field with concrete values", () => {
    const { valid, rejected } = validateRecords(exchangeRequestSchema, [fixtureExchange()]);
    expect(rejected).toEqual([]);
    const x = valid[0]!.value;
    expect(x.exchangeId).toBe(500000001n);
    expect(x.orderId).toBe(9000000000002n);
    expect(x.vendorId).toBe("A00000000");
    expect(x.orderDeliveryStatusCode).toBe("FINAL_DELIVERY");
    expect(x.exchangeStatus).toBe("RECEIPT");
    expect(x.referType).toBe("WEB_MOBILE");
    expect(x.faultType).toBe("VENDOR");
    expect(x.exchangeAmount).toBe(0);
    expect(x.reason).toBeUndefined();
    expect(x.reasonCode).toBe("WRONGSIZECOL");
    expect(x.reasonCodeText).toBe("내가 주문한 상품과 다른 색상/사이즈의 상품이 배송됨");
    expect(x.reasonEtcDetail).toBe("FAKE detail");
    expect(x.cancelReason).toBeUndefined();
    expect([x.createdByType, x.modifiedByType]).toEqual(["CUSTOMER", "CUSTOMER"]);
    expect(x.createdAt).toEqual(kstAt("2025-01-02T10:54:41"));
    expect(x.modifiedAt).toEqual(kstAt("2025-01-02T10:54:41"));
    expect(x.exchangeItemDtoV1s).toEqual([
      {
        exchangeItemId: 1000001n,
        orderItemId: 70000000002n,
        orderItemUnitPrice: 35000,
        orderItemName: undefined,
        orderPackageId: undefined,
        orderPackageName: undefined,
        targetItemId: 70000000002n,
        targetItemUnitPrice: 35000,
        targetItemName: "FAKE bag, Beige, FREE",
        targetPackageId: -1n,
        targetPackageName: undefined,
        quantity: 1,
        orderItemDeliveryComplete: undefined,
        orderItemReturnComplete: undefined,
        targetItemDeliveryComplete: undefined,
        createdAt: kstAt("2025-01-02T10:54:41"),
        modifiedAt: kstAt("2025-01-02T10:54:41"),
        originalShipmentBoxId: 100000000000000002n,
      },
    ]);
    expect(x.exchangeAddressDtoV1).toMatchObject({
      exchangeAddressId: 2000001n,
      returnCustomerName: "홍**",
      returnPhone: undefined,
      returnMobile: "0500-0000-0002",
      deliveryAddress: "FAKE-ADDR-1",
      exchangeId: 500000001n,
      createdAt: kstAt("2025-01-02T10:54:41"),
    });
    expect(x.deliveryInvoiceGroupDtos).toEqual([]);
    expect(x.deliveryStatus).toBe("BeforeDirection");
    expect(x.collectStatus).toBe("BeforeDirection");
    expect(x.collectCompleteDate).toBeUndefined();
    const collect = x.collectInformationsDto!;
    expect(collect.returnType).toBe("EXCHANGE_RETURN");
    expect(collect.expectedReturnDate).toEqual(kstAt("2025-01-05T10:54:41"));
    expect(collect.returndeliveryItemDtos).toEqual([
      {
        vendorItemId: 70000000002n,
        statusCode: "RETURN_SEND_READY",
        returnCount: undefined,
        releaseStatus: "RELEASED",
        paymentReturnDeliveryMapId: 3000001n,
        paymentItemId: 1n,
        modifiedBy: "0000000",
        // Coupang's `moodifiedAt` typo, read as modifiedAt.
        modifiedAt: kstAt("2025-01-02T10:54:41"),
        createdBy: "0000000",
        createdAt: kstAt("2025-01-02T10:54:41"),
        count: 1,
        confirmType: undefined,
        collectStatus: "RETURN",
      },
    ]);
    expect(collect.returndeliveryDestinationDto).toMatchObject({
      vendorName: "FAKE SELLER",
      vendorMobile: undefined,
      safetyNumberStatus: "ENABLE",
      safetyNumberId: 4000001n,
      safetyNumber: "050000000000",
      returnDeliveryId: undefined,
      returnCenterCode: "1000000000",
      orderId: 9000000000002n,
      customerMobile: "0500-0000-0002",
    });
    expect(x.returnDeliveryDtos).toEqual([]);
    expect([x.rejectable, x.deliveryInvoiceModifiable, x.successable]).toEqual([true, false, false]);
    expect(x.exchangeStatusLabel).toBe("RECEIPT");
    expect(x.modifiedByTypeLabel).toBe("CUSTOMER");
  });

  it("finds the new shipmentBoxId for the replacement invoice, never the original (pitfall B-17)", () => {
    const before = validateRecords(exchangeRequestSchema, [fixtureExchange()]).valid[0]!.value;
    expect(replacementShipmentBoxIds(before)).toEqual([]);
    const raw = fixtureExchange();
    raw.deliveryInvoiceGroupDtos = [
      {
        shipmentBoxId: 100000000000000002n,
        deliveryInvoiceDtos: [],
      },
      {
        shipmentBoxId: 100000000000000099n,
        boxPrice: 0,
        orderId: 9000000000002n,
        shippingDeliveryType: "EXCHANGE_DELIVERY",
        deliveryInvoiceDtos: [
          {
            invoiceNumber: "123412341234",
            estimatedDeliveryDate: "2025-01-09",
            invoiceNumberUploadDate: "2025-01-08T09:00:00",
            isMainShipmentInvoice: true,
            invoiceVendorItemDtos: [
              { vendorItemId: 70000000002, quantity: 1, estimatedShippingDate: "2025-01-08" },
            ],
          },
        ],
      },
    ];
    const after = validateRecords(exchangeRequestSchema, [raw]).valid[0]!.value;
    expect(replacementShipmentBoxIds(after)).toEqual([100000000000000099n]);
    const invoice = after.deliveryInvoiceGroupDtos[1]!.deliveryInvoiceDtos[0]!;
    expect(invoice.estimatedDeliveryDate).toEqual(kstAt("2025-01-09T00:00:00"));
    expect(invoice.invoiceNumberUploadDate).toEqual(kstAt("2025-01-08T09:00:00"));
    expect(invoice.invoiceVendorItemDtos[0]!.vendorItemId).toBe(70000000002n);
  });

  it("prefers modifiedAt over moodifiedAt when both are sent", () => {
    const raw = fixtureExchange();
    const collect = raw.collectInformationsDto as { returndeliveryItemDtos: Array<Record<string, unknown>> };
    collect.returndeliveryItemDtos[0]!.modifiedAt = "2025-01-03T00:00:00";
    const x = validateRecords(exchangeRequestSchema, [raw]).valid[0]!.value;
    const item = x.collectInformationsDto!.returndeliveryItemDtos[0]!;
    expect(item.modifiedAt).toEqual(kstAt("2025-01-03T00:00:00"));
    expect("moodifiedAt" in item).toBe(false);
  });
});

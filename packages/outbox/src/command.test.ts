import { describe, expect, it } from "vitest";
import { dedupeKeyOf, OutboxCommandError, parseCommand } from "./command.js";

const BOX = "300000000000012345";
const upload = {
  kind: "UPLOAD_INVOICE",
  vendorId: "A00012345",
  shipmentBoxId: BOX,
  orderId: "9000000000001",
  deliveryCompanyCode: "CJGLS",
  invoiceNumber: "123412341234",
  createdBy: "test",
};

function failure(input: unknown): { field: string; value: unknown; message: string } {
  try {
    parseCommand(input);
  } catch (error) {
    if (error instanceof OutboxCommandError)
      return { field: error.field, value: error.value, message: error.message };
    throw error;
  }
  throw new Error("parseCommand accepted it");
}

describe("parseCommand", () => {
  it("keeps 18-digit IDs exact and builds the business dedupe key", () => {
    const command = parseCommand(upload);
    expect(command).toMatchObject({ shipmentBoxId: 300000000000012345n, orderId: 9000000000001n });
    expect(command.dedupeKey).toBe(`UPLOAD_INVOICE:${BOX}::123412341234`);
    expect(parseCommand({ ...upload, vendorItemId: 70000000001n }).dedupeKey).toBe(
      `UPLOAD_INVOICE:${BOX}:70000000001:123412341234`,
    );
    expect(parseCommand({ ...upload, kind: "ACKNOWLEDGE" }).dedupeKey).toBe(`ACKNOWLEDGE:${BOX}::`);
    expect(dedupeKeyOf({ kind: "ACKNOWLEDGE", shipmentBoxId: 1n })).toBe("ACKNOWLEDGE:1::");
  });

  it("names the field and the value of what is wrong", () => {
    expect(failure({ ...upload, kind: "SHIP" })).toMatchObject({ field: "kind", value: "SHIP" });
    expect(failure({ ...upload, kind: "SHIP" }).message).toBe(
      'outbox command: kind "SHIP": one of ACKNOWLEDGE, UPLOAD_INVOICE, UPDATE_INVOICE, CANCEL',
    );
    expect(failure({ ...upload, shipmentBoxId: "12-34" })).toMatchObject({
      field: "shipmentBoxId",
      value: "12-34",
    });
    expect(failure({ ...upload, shipmentBoxId: "0" })).toMatchObject({ field: "shipmentBoxId" });
    expect(failure({ ...upload, orderId: 9000000000001 })).toMatchObject({
      field: "orderId",
      value: 9000000000001,
    });
    expect(failure({ ...upload, createdBy: " " })).toMatchObject({ field: "createdBy" });
    expect(failure({ ...upload, vendorId: "vendor" })).toMatchObject({ field: "vendorId", value: "vendor" });
  });

  it("refuses unknown and refused carrier codes, naming the replacement", () => {
    expect(failure({ ...upload, deliveryCompanyCode: "LOGEN" })).toEqual({
      field: "deliveryCompanyCode",
      value: "LOGEN",
      message:
        'outbox command: deliveryCompanyCode "LOGEN": carrier code LOGEN is not accepted by Coupang: use KGB for 로젠택배',
    });
    expect(failure({ ...upload, deliveryCompanyCode: "ACME" }).message).toBe(
      'outbox command: deliveryCompanyCode "ACME": unknown carrier code "ACME"',
    );
  });

  it("refuses an invoice number whose digits do not fit the carrier's rule", () => {
    expect(failure({ ...upload, invoiceNumber: "12345678901" })).toEqual({
      field: "invoiceNumber",
      value: "12345678901",
      message:
        'outbox command: invoiceNumber "12345678901": CJGLS (CJ대한통운) invoice numbers are 10 or 12 digits; got "12345678901"',
    });
    expect(failure({ ...upload, invoiceNumber: "1234-1234-12" })).toMatchObject({ field: "invoiceNumber" });
    expect(
      parseCommand({ ...upload, deliveryCompanyCode: "EPOST", invoiceNumber: "1234567890123" }),
    ).toMatchObject({
      deliveryCompanyCode: "EPOST",
    });
  });
});

describe("parseCommand for CANCEL", () => {
  const cancel = {
    kind: "CANCEL",
    vendorId: "A00012345",
    shipmentBoxId: BOX,
    orderId: "9000000000001",
    middleCancelCode: "CCPNER",
    userId: "wing-seller",
    createdBy: "test",
  };

  it("takes the whole box or named items, keyed by the items ascending without their counts", () => {
    const whole = parseCommand(cancel);
    expect(whole).toMatchObject({
      middleCancelCode: "CCPNER",
      userId: "wing-seller",
      dedupeKey: `CANCEL:${BOX}::`,
    });
    expect("items" in whole).toBe(false);
    const items = [
      { vendorItemId: "70000000002", receiptCount: 2 },
      { vendorItemId: 70000000001n, receiptCount: 1 },
    ];
    expect(parseCommand({ ...cancel, items })).toMatchObject({
      items: [
        { vendorItemId: 70000000002n, receiptCount: 2 },
        { vendorItemId: 70000000001n, receiptCount: 1 },
      ],
      dedupeKey: `CANCEL:${BOX}:70000000001,70000000002:`,
    });
  });

  it("names the field and the value of what is wrong", () => {
    expect(failure({ ...cancel, middleCancelCode: "CANERR" })).toEqual({
      field: "middleCancelCode",
      value: "CANERR",
      message: 'outbox command: middleCancelCode "CANERR": one of CCTTER, CCPNER, CCPRER',
    });
    expect(failure({ ...cancel, userId: " " })).toMatchObject({ field: "userId", value: " " });
    expect(failure({ ...cancel, items: [] })).toMatchObject({ field: "items", value: [] });
    expect(failure({ ...cancel, items: [{ vendorItemId: "7", receiptCount: 0 }] })).toEqual({
      field: "items.0.receiptCount",
      value: 0,
      message: "outbox command: items.0.receiptCount 0: a quantity ≥ 1",
    });
    expect(
      failure({
        ...cancel,
        items: [
          { vendorItemId: "7", receiptCount: 1 },
          { vendorItemId: 7n, receiptCount: 2 },
        ],
      }),
    ).toMatchObject({ field: "items.1.vendorItemId", value: 7n });
  });
});

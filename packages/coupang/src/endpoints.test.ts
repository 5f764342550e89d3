// Contract tests: every endpoint against a local signed-request server, asserting the exact
// method, path, query bytes, JSON body and headers of coupang-api.md, and the parsed answer.
import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import type { InvoiceRow, ReturnRequestPage, ReturnWithdrawalPage } from "./client.js";
import { CoupangDataError, CoupangInputError, CoupangNotFoundError, CoupangPayloadError } from "./errors.js";
import { parseJson } from "./json.js";
import { exchangeRequestSchema } from "./schemas/exchanges.js";
import { validateRecords } from "./schemas/validate.js";
import {
  API,
  VENDOR,
  closeAll,
  fakeCoupang,
  json,
  makeClient,
  type Recorded,
  type Reply,
} from "../test/support/fake-coupang.js";

afterEach(closeAll);

const fixture = (name: string) =>
  parseJson(readFileSync(new URL(`../test/fixtures/${name}`, import.meta.url), "utf8")) as Record<
    string,
    unknown
  > & {
    data: Array<Record<string, unknown>>;
  };
const ORDERS = fixture("ordersheets-v4-list.json");
const RETURNS = fixture("return-requests-v6-list.json");
const EXCHANGES = fixture("exchange-requests-v4-list.json");
const INVOICE_PARTIAL = readFileSync(
  new URL("../test/fixtures/invoice-upload-partial.json", import.meta.url),
  "utf8",
);

const v4 = (rest: string) => `${API}/v4/vendors/${VENDOR}/${rest}`;
const v5 = (rest: string) => `${API}/v5/vendors/${VENDOR}/${rest}`;
const v6 = (rest: string) => `${API}/v6/vendors/${VENDOR}/${rest}`;

/** Starts a server that always answers `reply`, and a client of it. */
async function serve(reply: Reply | ((r: Recorded, i: number) => Reply)) {
  const server = await fakeCoupang(typeof reply === "function" ? reply : () => reply);
  return { client: makeClient(server.baseUrl), requests: server.requests };
}

/** The one request made, checked for signature and the headers every call carries. */
function only(requests: Recorded[], extended: boolean): Recorded {
  expect(requests).toHaveLength(1);
  const request = requests[0]!;
  expect(request.signatureOk).toBe(true);
  expect(request.headers["content-type"]).toBe("application/json;charset=UTF-8");
  expect(request.headers["x-requested-by"]).toBe(VENDOR);
  expect(request.headers["x-extended-timeout"]).toBe(extended ? "90000" : undefined);
  return request;
}

async function refused(promise: Promise<unknown>, field: string, message: string): Promise<void> {
  const error = await promise.catch((e: unknown) => e);
  expect(error).toBeInstanceOf(CoupangInputError);
  expect(error).toMatchObject({ field });
  expect((error as Error).message).toContain(message);
}

describe("PO lookups (§2)", () => {
  it("lists in minute mode: searchType=timeFrame, yyyy-MM-ddTHH:mm, no paging", async () => {
    const { client, requests } = await serve(json(ORDERS));
    const result = await client.listOrderSheetsByTimeFrame({
      status: "ACCEPT",
      createdAtFrom: "2025-01-01T00:00",
      createdAtTo: "2025-01-01T23:59",
    });
    const request = only(requests, true);
    expect(request.method).toBe("GET");
    expect(request.url).toBe(
      `${v4("ordersheets")}?searchType=timeFrame&createdAtFrom=2025-01-01T00%3A00&createdAtTo=2025-01-01T23%3A59&status=ACCEPT`,
    );
    expect(result.orders.map((o) => o.value.shipmentBoxId)).toEqual([100000000000000001n]);
    expect(result.rejected).toEqual([]);
    expect("nextToken" in result).toBe(false);
  });

  it("refuses minute windows over 24 h, in another format, or reversed, before calling", async () => {
    const { client, requests } = await serve(json(ORDERS));
    const q = {
      status: "ACCEPT" as const,
      createdAtFrom: "2025-01-01T00:00",
      createdAtTo: "2025-01-02T00:00",
    };
    await client.listOrderSheetsByTimeFrame(q); // exactly 24 h is allowed
    await refused(
      client.listOrderSheetsByTimeFrame({ ...q, createdAtTo: "2025-01-02T00:01" }),
      "createdAtTo",
      'createdAtTo "2025-01-02T00:01" is invalid (at most 24 h after createdAtFrom 2025-01-01T00:00)',
    );
    await refused(
      client.listOrderSheetsByTimeFrame({ ...q, createdAtFrom: "2025-01-01" }),
      "createdAtFrom",
      "a KST time yyyy-MM-ddTHH:mm (no offset)",
    );
    await refused(
      client.listOrderSheetsByTimeFrame({ ...q, createdAtFrom: "2025-01-01T00:00+09:00" }),
      "createdAtFrom",
      "(a KST time yyyy-MM-ddTHH:mm (no offset))",
    );
    await refused(
      client.listOrderSheetsByTimeFrame({ ...q, createdAtTo: "2024-12-31T23:59" }),
      "createdAtTo",
      "not before createdAtFrom 2025-01-01T00:00",
    );
    expect(requests).toHaveLength(1);
  });

  it("gets one box: data is one object; empty data is not found; a bad PO names path and value", async () => {
    const order = ORDERS.data[0]!;
    const { client, requests } = await serve((_r, i) =>
      i === 0
        ? json({ code: 200, message: "OK", data: order })
        : i === 1
          ? json({ code: 200, message: "OK", data: null })
          : json({ code: 200, message: "OK", data: { ...order, status: "LOST" } }),
    );
    const record = await client.getOrderSheet(100000000000000001n);
    expect(requests[0]!.url).toBe(v4("ordersheets/100000000000000001"));
    expect(requests[0]!.headers["x-extended-timeout"]).toBeUndefined();
    expect(record.value.orderId).toBe(9000000000001n);
    expect(record.value.receiver?.addr1).toBe("FAKE-ADDR-1");
    expect(record.rawJson).toContain('"shipmentBoxId":100000000000000001');

    const empty = await client.getOrderSheet("100000000000000001").catch((e: unknown) => e);
    expect(empty).toBeInstanceOf(CoupangNotFoundError);
    const bad = await client.getOrderSheet("100000000000000001").catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(CoupangPayloadError);
    expect(bad).toMatchObject({ jsonPath: "data.status", value: "LOST" });
    expect((bad as Error).message).toContain("data.status: expected one of ACCEPT, INSTRUCT, DEPARTURE");

    await refused(
      client.getOrderSheet("12a"),
      "shipmentBoxId",
      "an ID > 0, as a bigint or a string of digits",
    );
    await refused(client.getOrderSheet(0n), "shipmentBoxId", "an ID > 0");
    expect(requests).toHaveLength(3);
  });

  it("a PO with null in a required field names that field and null, not the whole record", async () => {
    const order = ORDERS.data[0]!;
    const { client } = await serve(json({ code: 200, message: "OK", data: { ...order, status: null } }));
    const bad = await client.getOrderSheet(100000000000000001n).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(CoupangPayloadError);
    expect(bad).toMatchObject({ jsonPath: "data.status", value: null });
    expect((bad as Error).message).toMatch(/data\.status: expected one of ACCEPT, [^]*, got null$/);
  });

  it("gets an order's boxes by orderId (before `ordersheets`), as an object or an array", async () => {
    const order = ORDERS.data[0]!;
    const split = { ...order, shipmentBoxId: 100000000000000007n };
    const { client, requests } = await serve((_r, i) =>
      json({ code: 200, message: "OK", data: i === 0 ? order : [order, split, { shipmentBoxId: "x" }] }),
    );
    const one = await client.getOrderSheetsByOrderId("9000000000001");
    expect(requests[0]!.url).toBe(v4("9000000000001/ordersheets"));
    expect(requests[0]!.method).toBe("GET");
    expect(one.orders.map((o) => o.value.shipmentBoxId)).toEqual([100000000000000001n]);
    const many = await client.getOrderSheetsByOrderId(9000000000001n);
    expect(many.orders.map((o) => o.value.shipmentBoxId)).toEqual([100000000000000001n, 100000000000000007n]);
    expect(many.rejected).toHaveLength(1);
    expect(many.rejected[0]!.error).toContain('shipmentBoxId: expected an ID (digits), got "x"');
  });

  it("reads the delivery history, KST times as instants, entries one by one", async () => {
    const { client, requests } = await serve(
      json({
        code: 200,
        message: "OK",
        data: {
          shipmentBoxId: 100000000000000001n,
          details: [
            { deliveryStatus: "DELIVERING", deliveryStatusDesc: "배송중", updatedAt: "2025-01-03T09:10:11" },
            { deliveryStatus: "DEPARTURE", deliveryStatusDesc: "배송지시", updatedAt: "2025-01-02T18:00:00" },
            { deliveryStatus: "", updatedAt: "2025-01-02T10:00:00" },
          ],
        },
      }),
    );
    const history = await client.getDeliveryHistory("100000000000000001");
    const request = only(requests, false);
    expect(request.url).toBe(v4("ordersheets/100000000000000001/history"));
    expect(history.shipmentBoxId).toBe(100000000000000001n);
    expect(history.details).toEqual([
      {
        deliveryStatus: "DELIVERING",
        deliveryStatusDesc: "배송중",
        updatedAt: new Date("2025-01-03T00:10:11Z"),
      },
      {
        deliveryStatus: "DEPARTURE",
        deliveryStatusDesc: "배송지시",
        updatedAt: new Date("2025-01-02T09:00:00Z"),
      },
    ]);
    expect(history.rejected.map((r) => r.error)).toEqual(['deliveryStatus: expected a string, got ""']);
  });
});

describe("acknowledge and invoices (§3, §4)", () => {
  it("acknowledges with PUT {vendorId, shipmentBoxIds} and returns per-box results", async () => {
    const { client, requests } = await serve({ status: 200, body: INVOICE_PARTIAL });
    const result = await client.acknowledgeOrders([
      100000000000000001n,
      "100000000000000003",
      "100000000000000005",
    ]);
    const request = only(requests, true);
    expect(request.method).toBe("PUT");
    expect(request.url).toBe(v4("ordersheets/acknowledgement"));
    expect(request.body).toBe(
      '{"vendorId":"A00012345","shipmentBoxIds":[100000000000000001,100000000000000003,100000000000000005]}',
    );
    expect(result).toEqual({
      outcome: "partial",
      responseCode: 1,
      responseMessage: "PARTIAL_ERROR",
      responseKey: undefined,
      rows: [
        {
          shipmentBoxId: 100000000000000001n,
          succeed: true,
          resultCode: "OK",
          retryRequired: false,
          resultMessage: undefined,
        },
        {
          shipmentBoxId: 100000000000000003n,
          succeed: false,
          resultCode: "INVALID_STATUS",
          retryRequired: false,
          resultMessage:
            "배송진행상태가 유효하지 않습니다. [합포장번호 : 100000000000000003] [주문번호 : 9000000000003]",
        },
      ],
      rejected: [],
      unanswered: [100000000000000005n],
    });
  });

  it("reads responseCode -1/0/99 and rows with a string retryRequired; refuses bad box lists", async () => {
    const answers = [
      { responseCode: -1, responseList: [] },
      { responseCode: "0", responseList: [{ shipmentBoxId: "100000000000000001", succeed: "true" }] },
      {
        responseKey: "k1",
        responseCode: 99,
        responseMessage: "배송상태를 변경할 수 없습니다. 주문내역을 확인해주세요.",
        responseList: [
          {
            shipmentBoxId: 100000000000000001n,
            succeed: false,
            resultCode: "NOT_FOUND_SHIPMENT_BOX",
            retryRequired: "true",
          },
          { succeed: false },
        ],
      },
    ];
    const { client, requests } = await serve((_r, i) => json({ code: 200, message: "OK", data: answers[i] }));
    expect((await client.acknowledgeOrders([1n])).outcome).toBe("none");
    const ok = await client.acknowledgeOrders([100000000000000001n]);
    expect([ok.outcome, ok.rows[0]!.succeed, ok.rows[0]!.retryRequired, ok.unanswered]).toEqual([
      "success",
      true,
      false,
      [],
    ]);
    const failed = await client.acknowledgeOrders([100000000000000001n]);
    expect(failed.outcome).toBe("failed");
    expect(failed.responseKey).toBe("k1");
    expect(failed.rows[0]).toMatchObject({ resultCode: "NOT_FOUND_SHIPMENT_BOX", retryRequired: true });
    expect(failed.rejected.map((r) => r.error)).toEqual([
      "shipmentBoxId: expected an ID (digits), got undefined",
    ]);
    expect(requests).toHaveLength(3);

    const many = Array.from({ length: 51 }, (_, i) => BigInt(i + 1));
    await refused(client.acknowledgeOrders(many), "shipmentBoxIds", "(at most 50 per call; got 51)");
    await refused(client.acknowledgeOrders([]), "shipmentBoxIds", "a non-empty array");
    await refused(client.acknowledgeOrders([1n, "1"]), "shipmentBoxIds", "no repeated entries");
    await refused(
      client.acknowledgeOrders([1n, "-2"]),
      "shipmentBoxIds[1]",
      'shipmentBoxIds[1] "-2" is invalid',
    );
    expect(requests).toHaveLength(3);
  });

  const row: InvoiceRow = {
    shipmentBoxId: 100000000000000001n,
    orderId: 9000000000001n,
    vendorItemId: 70000000001n,
    deliveryCompanyCode: "CJGLS",
    invoiceNumber: "123412341234",
  };

  it("uploads invoices with POST, one row per vendorItemId, every documented field", async () => {
    const { client, requests } = await serve({ status: 200, body: INVOICE_PARTIAL });
    const result = await client.uploadInvoices([
      row,
      { ...row, vendorItemId: "70000000002" },
      {
        ...row,
        shipmentBoxId: "100000000000000003",
        orderId: "9000000000003",
        deliveryCompanyCode: "HYUNDAI",
        invoiceNumber: "1234567890",
      },
    ]);
    const request = only(requests, true);
    expect(request.method).toBe("POST");
    expect(request.url).toBe(v4("orders/invoices"));
    expect(request.body).toBe(
      '{"vendorId":"A00012345","orderSheetInvoiceApplyDtos":[' +
        '{"shipmentBoxId":100000000000000001,"orderId":9000000000001,"vendorItemId":70000000001,"deliveryCompanyCode":"CJGLS","invoiceNumber":"123412341234","splitShipping":false,"preSplitShipped":false,"estimatedShippingDate":""},' +
        '{"shipmentBoxId":100000000000000001,"orderId":9000000000001,"vendorItemId":70000000002,"deliveryCompanyCode":"CJGLS","invoiceNumber":"123412341234","splitShipping":false,"preSplitShipped":false,"estimatedShippingDate":""},' +
        '{"shipmentBoxId":100000000000000003,"orderId":9000000000003,"vendorItemId":70000000001,"deliveryCompanyCode":"HYUNDAI","invoiceNumber":"1234567890","splitShipping":false,"preSplitShipped":false,"estimatedShippingDate":""}]}',
    );
    expect(result.outcome).toBe("partial");
    expect(result.rows.map((r) => [r.shipmentBoxId, r.succeed, r.resultCode, r.retryRequired])).toEqual([
      [100000000000000001n, true, "OK", false],
      [100000000000000003n, false, "INVALID_STATUS", false],
    ]);
    expect(result.unanswered).toEqual([]);
  });

  it("updates invoices at orders/updateInvoices and sends split-shipping rows", async () => {
    const { client, requests } = await serve({ status: 200, body: INVOICE_PARTIAL });
    await client.updateInvoices([
      { ...row, splitShipping: true },
      {
        ...row,
        vendorItemId: 70000000002n,
        splitShipping: true,
        invoiceNumber: "",
        estimatedShippingDate: "2025-01-10",
      },
    ]);
    const request = only(requests, true);
    expect(request.url).toBe(v4("orders/updateInvoices"));
    const body = parseJson(request.body) as { orderSheetInvoiceApplyDtos: unknown[] };
    expect(body.orderSheetInvoiceApplyDtos[1]).toEqual({
      shipmentBoxId: 100000000000000001n,
      orderId: 9000000000001,
      vendorItemId: 70000000002,
      deliveryCompanyCode: "CJGLS",
      invoiceNumber: "",
      splitShipping: true,
      preSplitShipped: false,
      estimatedShippingDate: "2025-01-10",
    });
  });

  it("refuses unknown carriers, bad digits and impossible split rows before calling", async () => {
    const { client, requests } = await serve({ status: 200, body: INVOICE_PARTIAL });
    const cases: Array<[Record<string, unknown>, string, string]> = [
      [
        { deliveryCompanyCode: "LOGEN" },
        "orderSheetInvoiceApplyDtos[0].deliveryCompanyCode",
        "not accepted by Coupang: use KGB",
      ],
      [
        { deliveryCompanyCode: "NOPE" },
        "orderSheetInvoiceApplyDtos[0].deliveryCompanyCode",
        "a Coupang carrier code",
      ],
      [
        { invoiceNumber: "12345" },
        "orderSheetInvoiceApplyDtos[0].invoiceNumber",
        "CJGLS (CJ대한통운) invoice numbers are 10 or 12 digits",
      ],
      [{ invoiceNumber: "" }, "orderSheetInvoiceApplyDtos[0].invoiceNumber", "10 or 12 digits"],
      [
        { splitShipping: true, deliveryCompanyCode: "DIRECT", invoiceNumber: "x" },
        "orderSheetInvoiceApplyDtos[0].deliveryCompanyCode",
        "DIRECT cannot be split",
      ],
      [
        { preSplitShipped: true },
        "orderSheetInvoiceApplyDtos[0].preSplitShipped",
        "only with splitShipping: true",
      ],
      [
        { splitShipping: true, invoiceNumber: "" },
        "orderSheetInvoiceApplyDtos[0].estimatedShippingDate",
        "for an item shipping later",
      ],
      [
        { estimatedShippingDate: "2025-01-10" },
        "orderSheetInvoiceApplyDtos[0].estimatedShippingDate",
        "unless splitShipping: true",
      ],
      [
        { splitShipping: true, invoiceNumber: "", estimatedShippingDate: "2025-1-10" },
        "orderSheetInvoiceApplyDtos[0].estimatedShippingDate",
        "a KST calendar date yyyy-MM-dd",
      ],
      [{ orderId: 1 }, "orderSheetInvoiceApplyDtos[0].orderId", "an ID > 0"],
    ];
    for (const [patch, field, message] of cases) {
      await refused(client.uploadInvoices([{ ...row, ...patch }]), field, message);
    }
    await refused(
      client.uploadInvoices([row, row]),
      "orderSheetInvoiceApplyDtos[].(shipmentBoxId, vendorItemId)",
      "no repeated entries",
    );
    await refused(client.uploadInvoices([]), "orderSheetInvoiceApplyDtos", "a non-empty array");
    // DIRECT accepts any non-empty text when not split.
    await client.uploadInvoices([{ ...row, deliveryCompanyCode: "DIRECT", invoiceNumber: "직접-1" }]);
    expect(requests).toHaveLength(1);
  });
});

describe("seller cancel (§5.1)", () => {
  const input = {
    orderId: 2000006593044n,
    items: [
      { vendorItemId: 3145181064n, receiptCount: 1 },
      { vendorItemId: "3145181065", receiptCount: 2 },
    ],
    middleCancelCode: "CCTTER" as const,
    userId: "et5",
  };

  it("POSTs the v5 path with parallel arrays and reads the current receiptMap", async () => {
    const { client, requests } = await serve(
      json({
        code: "200",
        message: "[요청번호] 0f1e\r\n",
        data: {
          receiptMap: {
            "44698107": {
              receiptId: 44698107,
              receiptType: "CANCEL",
              vendorItemIds: [3145181064, 3145181065],
              totalCount: 3,
            },
          },
          orderId: 2000006593044,
          failedVendorItemIds: [],
        },
      }),
    );
    const result = await client.cancelOrder(input);
    const request = only(requests, true);
    expect(request.method).toBe("POST");
    expect(request.url).toBe(v5("orders/2000006593044/cancel"));
    expect(request.body).toBe(
      '{"orderId":2000006593044,"vendorItemIds":[3145181064,3145181065],"receiptCounts":[1,2],' +
        '"bigCancelCode":"CANERR","middleCancelCode":"CCTTER","vendorId":"A00012345","userId":"et5"}',
    );
    expect(result.outcome).toBe("success");
    expect(result.items.map((i) => [i.vendorItemId, i.status, i.receipt?.receiptType])).toEqual([
      [3145181064n, "cancelled", "CANCEL"],
      [3145181065n, "cancelled", "CANCEL"],
    ]);
  });

  it("returns a total failure sent as HTTP 400 with the result body; other 400s stay errors", async () => {
    const failure = {
      code: "400",
      message:
        "[요청번호] 1\r\n[3145181064]<= 부분 취소는 불가능합니다.\r\n[3145181065]<= 부분 취소는 불가능합니다.",
      data: { receiptMap: {}, orderId: 2000006593044, failedVendorItemIds: [3145181064, 3145181065] },
    };
    const { client, requests } = await serve((_r, i) =>
      i === 0
        ? json(failure, 400)
        : i === 1
          ? json(failure)
          : json({ code: 400, message: "취소사유 중분류 코드를 확인해 주세요." }, 400),
    );
    for (const attempt of [0, 1]) {
      const result = await client.cancelOrder(input);
      expect([attempt, result.outcome, result.code]).toEqual([attempt, "failed", "400"]);
      expect(result.items.map((i) => [i.status, i.reason])).toEqual([
        ["failed", "부분 취소는 불가능합니다."],
        ["failed", "부분 취소는 불가능합니다."],
      ]);
    }
    const other = await client.cancelOrder(input).catch((e: unknown) => e);
    expect(other).toBeInstanceOf(CoupangDataError);
    expect((other as CoupangDataError).message).toContain("취소사유 중분류 코드를 확인해 주세요.");
    expect(requests).toHaveLength(3);
  });

  it("refuses bad cancel input before calling", async () => {
    const { client, requests } = await serve(json({ code: "200" }));
    await refused(client.cancelOrder({ ...input, items: [] }), "items", "a non-empty array");
    await refused(
      client.cancelOrder({ ...input, items: [{ vendorItemId: 1n, receiptCount: 0 }] }),
      "items[0].receiptCount",
      "a whole number > 0",
    );
    await refused(
      client.cancelOrder({
        ...input,
        items: [...input.items, { vendorItemId: "3145181064", receiptCount: 1 }],
      }),
      "items[].vendorItemId",
      "no repeated entries",
    );
    await refused(
      client.cancelOrder({ ...input, middleCancelCode: "CHANGEMIND" as "CCTTER" }),
      "middleCancelCode",
      "one of CCTTER, CCPNER, CCPRER",
    );
    await refused(client.cancelOrder({ ...input, userId: " " }), "userId", "non-empty text");
    expect(requests).toHaveLength(0);
  });
});

describe("completeLongTermUndelivery (§9)", () => {
  it("POSTs {shipmentBoxId, invoiceNumber} and reads data:true", async () => {
    const { client, requests } = await serve(json({ code: "200", message: "SUCCESS", data: true }));
    const result = await client.completeLongTermUndelivery({
      shipmentBoxId: 100000000000000001n,
      invoiceNumber: "123412341234",
    });
    const request = only(requests, true);
    expect([request.method, request.url]).toEqual(["POST", v4("completeLongTermUndelivery")]);
    expect(request.body).toBe('{"shipmentBoxId":100000000000000001,"invoiceNumber":"123412341234"}');
    expect(result).toMatchObject({ succeeded: true, code: "200", message: "SUCCESS" });
  });
});

describe("return and cancel requests (§6)", () => {
  it("lists daily with status, reads the v6 fixture, follows nextToken", async () => {
    const second = { ...RETURNS.data[0]!, receiptId: 300000002 };
    const { client, requests } = await serve((_r, i) =>
      json({ ...RETURNS, data: i === 0 ? RETURNS.data : [second], nextToken: i === 0 ? "300000001" : "" }),
    );
    const pages: ReturnRequestPage[] = [];
    for await (const page of client.returnRequestPages({
      createdAtFrom: "2025-01-01",
      createdAtTo: "2025-01-31",
      status: "UC",
    })) {
      pages.push(page);
    }
    expect(requests.map((r) => r.url)).toEqual([
      `${v6("returnRequests")}?createdAtFrom=2025-01-01&createdAtTo=2025-01-31&status=UC`,
      `${v6("returnRequests")}?createdAtFrom=2025-01-01&createdAtTo=2025-01-31&status=UC&nextToken=300000001`,
    ]);
    expect(requests.every((r) => r.signatureOk && r.headers["x-extended-timeout"] === "90000")).toBe(true);
    expect(pages.map((p) => p.returns.map((r) => r.value.receiptId))).toEqual([[300000001n], [300000002n]]);
    expect(pages[0]!.returns[0]!.value.returnShippingCharge).toEqual({
      currencyCode: "KRW",
      units: -3000n,
      nanos: 0,
    });
    expect(pages.map((p) => p.nextToken)).toEqual(["300000001", undefined]);
  });

  it("lists instant cancels with cancelType=CANCEL and neither status nor orderId; returns by orderId", async () => {
    const { client, requests } = await serve(json({ code: 200, message: "OK", data: [], nextToken: "" }));
    await client.listReturnRequests({
      createdAtFrom: "2025-01-01",
      createdAtTo: "2025-01-02",
      cancelType: "CANCEL",
      maxPerPage: 10,
    });
    await client.listReturnRequests({
      createdAtFrom: "2025-01-01",
      createdAtTo: "2025-01-02",
      orderId: "9000000000001",
    });
    expect(requests.map((r) => r.url)).toEqual([
      `${v6("returnRequests")}?createdAtFrom=2025-01-01&createdAtTo=2025-01-02&cancelType=CANCEL&maxPerPage=10`,
      `${v6("returnRequests")}?createdAtFrom=2025-01-01&createdAtTo=2025-01-02&orderId=9000000000001`,
    ]);
  });

  it("refuses the filter combinations Coupang rejects, and spans over 31 days", async () => {
    const { client, requests } = await serve(json({ code: 200, message: "OK", data: [] }));
    const q = { createdAtFrom: "2025-01-01", createdAtTo: "2025-01-02" };
    await refused(
      client.listReturnRequests({ ...q, cancelType: "CANCEL", status: "UC" }),
      "status",
      "left out with cancelType=CANCEL",
    );
    await refused(
      client.listReturnRequests({ ...q, cancelType: "CANCEL", orderId: 1n }),
      "orderId",
      "left out with cancelType=CANCEL",
    );
    await refused(client.listReturnRequests(q), "status", "one of RU, UC, CC, PR, or an orderId");
    await refused(
      client.listReturnRequests({ ...q, status: "XX" as "UC" }),
      "status",
      "one of RU, UC, CC, PR",
    );
    await refused(
      client.listReturnRequests({ ...q, cancelType: "BOTH" as "CANCEL" }),
      "cancelType",
      "one of RETURN, CANCEL",
    );
    await refused(
      client.listReturnRequests({ ...q, status: "UC", createdAtTo: "2025-02-01" }),
      "createdAtTo",
      "at most 31 days",
    );
    await refused(
      client.listReturnRequests({ ...q, status: "UC", maxPerPage: 51 }),
      "maxPerPage",
      "an integer from 1 to 50",
    );
    expect(requests).toHaveLength(0);
  });

  it("lists in timeFrame mode without paging; a status is needed for returns", async () => {
    const { client, requests } = await serve(json(RETURNS));
    const result = await client.listReturnRequestsByTimeFrame({
      createdAtFrom: "2025-01-01T00:00",
      createdAtTo: "2025-01-01T23:59",
      status: "UC",
    });
    expect(only(requests, true).url).toBe(
      `${v6("returnRequests")}?searchType=timeFrame&createdAtFrom=2025-01-01T00%3A00&createdAtTo=2025-01-01T23%3A59&status=UC`,
    );
    expect(result.returns[0]!.value.receiptStatus).toBe("RETURNS_UNCHECKED");
    await refused(
      client.listReturnRequestsByTimeFrame({
        createdAtFrom: "2025-01-01T00:00",
        createdAtTo: "2025-01-01T23:59",
      }),
      "status",
      "orderId is not supported there",
    );
    await refused(
      client.listReturnRequestsByTimeFrame({
        createdAtFrom: "2025-01-01T00:00",
        createdAtTo: "2025-02-01T00:01",
        status: "UC",
      }),
      "createdAtTo",
      "at most 31 days after createdAtFrom",
    );
    expect(requests).toHaveLength(1);
  });

  it("gets one receipt: data is an array of one", async () => {
    const { client, requests } = await serve((_r, i) =>
      json({ code: 200, message: "OK", data: i === 0 ? RETURNS.data : [] }),
    );
    const record = await client.getReturnRequest(300000001n);
    expect(only(requests, false).url).toBe(v6("returnRequests/300000001"));
    expect(record.value.returnItems[0]!.shipmentBoxId).toBe(100000000000000001n);
    await expect(client.getReturnRequest("300000001")).rejects.toBeInstanceOf(CoupangNotFoundError);
  });

  it("sends the four receipt actions as PUT with their documented bodies", async () => {
    const answers: Reply[] = [
      json({ code: "200", message: "OK", data: { resultCode: "SUCCESS", resultMessage: "출고중지 완료" } }),
      json({
        data: {
          code: "200",
          message: "OK",
          resultCode: "SUCCESS",
          resultMessage: "이미출고 상태변경이 성공하였습니다.",
        },
      }),
      json({ code: "200", message: "OK" }),
      json({ code: "200", message: "OK", data: { resultCode: "FAIL", resultMessage: "반품 승인 실패" } }),
    ];
    const { client, requests } = await serve((_r, i) => answers[i]!);
    const stopped = await client.stopShipment({ receiptId: 300000001n, cancelCount: 1 });
    const shipped = await client.markAlreadyShipped({
      receiptId: "300000001",
      deliveryCompanyCode: "KDEXP",
      invoiceNumber: "70432743577",
    });
    const received = await client.confirmReturnReceived(300000001n);
    const approved = await client.approveReturn({ receiptId: 300000001n, cancelCount: 2 });
    expect(requests.map((r) => [r.method, r.url, r.body])).toEqual([
      [
        "PUT",
        v4("returnRequests/300000001/stoppedShipment"),
        '{"vendorId":"A00012345","receiptId":300000001,"cancelCount":1}',
      ],
      [
        "PUT",
        v4("returnRequests/300000001/completedShipment"),
        '{"vendorId":"A00012345","receiptId":300000001,"deliveryCompanyCode":"KDEXP","invoiceNumber":"70432743577"}',
      ],
      [
        "PUT",
        v4("returnRequests/300000001/receiveConfirmation"),
        '{"vendorId":"A00012345","receiptId":300000001}',
      ],
      [
        "PUT",
        v4("returnRequests/300000001/approval"),
        '{"vendorId":"A00012345","receiptId":300000001,"cancelCount":2}',
      ],
    ]);
    expect(requests.every((r) => r.signatureOk)).toBe(true);
    expect([stopped.succeeded, stopped.resultCode]).toEqual([true, "SUCCESS"]);
    expect([shipped.succeeded, shipped.code, shipped.resultMessage]).toEqual([
      true,
      "200",
      "이미출고 상태변경이 성공하였습니다.",
    ]);
    expect([received.succeeded, received.message]).toEqual([true, "OK"]);
    expect([approved.succeeded, approved.resultCode, approved.resultMessage]).toEqual([
      false,
      "FAIL",
      "반품 승인 실패",
    ]);

    await refused(
      client.stopShipment({ receiptId: 1n, cancelCount: 0 }),
      "cancelCount",
      "a whole number > 0",
    );
    await refused(
      client.markAlreadyShipped({ receiptId: 1n, deliveryCompanyCode: "KDEXP", invoiceNumber: "7043" }),
      "invoiceNumber",
      "KDEXP (경동택배) invoice numbers are 8 to 16 digits",
    );
    await refused(client.confirmReturnReceived("abc"), "receiptId", "an ID > 0");
    expect(requests).toHaveLength(4);
  });
});

describe("withdrawn returns (§7)", () => {
  const withdrawal = {
    cancelId: 87033689,
    orderId: 23000016565020n,
    vendorId: VENDOR,
    refundDeliveryDuty: "COM",
    createdAt: "2018-06-05T13:40:56",
    vendorItemIds: [3737624764],
  };

  it("pages by pageIndex until nextPageIndex is empty", async () => {
    const next = [2, "3", ""];
    const { client, requests } = await serve((_r, i) =>
      json({
        code: 200,
        message: "OK",
        data: [{ ...withdrawal, cancelId: 87033689 + i }],
        nextPageIndex: next[i],
      }),
    );
    const pages: ReturnWithdrawalPage[] = [];
    for await (const page of client.returnWithdrawalPages({ dateFrom: "2025-01-01", dateTo: "2025-01-07" }))
      pages.push(page);
    expect(requests.map((r) => r.url)).toEqual(
      [1, 2, 3].map(
        (p) =>
          `${v4("returnWithdrawRequests")}?dateFrom=2025-01-01&dateTo=2025-01-07&pageIndex=${p}&sizePerPage=100`,
      ),
    );
    expect(pages.map((p) => [p.pageIndex, p.nextPageIndex, p.withdrawals[0]!.value.cancelId])).toEqual([
      [1, 2, 87033689n],
      [2, 3, 87033690n],
      [3, undefined, 87033691n],
    ]);
    expect(pages[0]!.withdrawals[0]!.value.createdAt).toEqual(new Date("2018-06-05T04:40:56Z"));
  });

  it("stops a repeated page index, ends on an absent nextPageIndex, and checks the query", async () => {
    const { client, requests } = await serve((_r, i) =>
      json({ code: 200, data: [], ...(i < 1 ? { nextPageIndex: 1 } : {}) }),
    );
    const error = await (async () => {
      for await (const page of client.returnWithdrawalPages({
        dateFrom: "2025-01-01",
        dateTo: "2025-01-07",
        sizePerPage: 10,
      }))
        void page;
    })().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CoupangPayloadError);
    expect(error).toMatchObject({ jsonPath: "nextPageIndex", value: 1 });
    expect((error as Error).message).toContain("paging loop");
    const last = await client.listReturnWithdrawals({
      dateFrom: "2025-01-01",
      dateTo: "2025-01-01",
      pageIndex: 4,
    });
    expect(last.nextPageIndex).toBeUndefined();
    expect(requests.map((r) => r.url)).toEqual([
      `${v4("returnWithdrawRequests")}?dateFrom=2025-01-01&dateTo=2025-01-07&pageIndex=1&sizePerPage=10`,
      `${v4("returnWithdrawRequests")}?dateFrom=2025-01-01&dateTo=2025-01-01&pageIndex=4&sizePerPage=100`,
    ]);
    await refused(
      client.listReturnWithdrawals({ dateFrom: "2025-01-01", dateTo: "2025-01-08" }),
      "dateTo",
      "at most 7 days from dateFrom 2025-01-01, both inclusive; got 8",
    );
    await refused(
      client.listReturnWithdrawals({ dateFrom: "2025-01-01", dateTo: "2025-01-02", pageIndex: 0 }),
      "pageIndex",
      "a whole number > 0",
    );
    await refused(
      client.listReturnWithdrawals({ dateFrom: "2025-01-01", dateTo: "2025-01-02", sizePerPage: 101 }),
      "sizePerPage",
      "an integer from 1 to 100",
    );
    expect(requests).toHaveLength(2);
  });

  it("looks withdrawn returns up by cancelIds with POST, at most 50", async () => {
    const { client, requests } = await serve(json({ code: "200", message: "OK", data: [withdrawal] }));
    const result = await client.getReturnWithdrawals([87033689n, "87033690"]);
    const request = only(requests, true);
    expect([request.method, request.url, request.body]).toEqual([
      "POST",
      v4("returnWithdrawList"),
      '{"cancelIds":[87033689,87033690]}',
    ]);
    expect(
      result.withdrawals.map((w) => [w.value.cancelId, w.value.refundDeliveryDuty, w.value.vendorItemIds]),
    ).toEqual([[87033689n, "COM", [3737624764n]]]);
    await refused(
      client.getReturnWithdrawals(Array.from({ length: 51 }, (_, i) => BigInt(i + 1))),
      "cancelIds",
      "at most 50",
    );
  });
});

describe("exchanges (§8)", () => {
  it("lists with yyyy-MM-ddTHH:mm:ss, status and maxPerPage, and reads the v4 fixture", async () => {
    const { client, requests } = await serve(json(EXCHANGES));
    const page = await client.listExchangeRequests({
      createdAtFrom: "2025-01-01T00:00:00",
      createdAtTo: "2025-01-07T23:59:59",
      status: "RECEIPT",
      maxPerPage: 100,
    });
    expect(only(requests, true).url).toBe(
      `${v4("exchangeRequests")}?createdAtFrom=2025-01-01T00%3A00%3A00&createdAtTo=2025-01-07T23%3A59%3A59&status=RECEIPT&maxPerPage=100`,
    );
    expect(page.exchanges[0]!.value.exchangeId).toBe(500000001n);
    expect(page.nextToken).toBeUndefined();
  });

  it("pages by nextToken and refuses windows over 7 days or in another format", async () => {
    const { client, requests } = await serve((_r, i) =>
      json({ ...EXCHANGES, nextToken: i === 0 ? "T2" : "" }),
    );
    let pages = 0;
    for await (const page of client.exchangeRequestPages({
      createdAtFrom: "2025-01-01T00:00:00",
      createdAtTo: "2025-01-08T00:00:00",
      orderId: 9000000000002n,
    })) {
      pages += page.exchanges.length;
    }
    expect(pages).toBe(2);
    expect(requests[1]!.url).toBe(
      `${v4("exchangeRequests")}?createdAtFrom=2025-01-01T00%3A00%3A00&createdAtTo=2025-01-08T00%3A00%3A00&orderId=9000000000002&nextToken=T2`,
    );
    await refused(
      client.listExchangeRequests({
        createdAtFrom: "2025-01-01T00:00:00",
        createdAtTo: "2025-01-08T00:00:01",
      }),
      "createdAtTo",
      "at most 7 days after createdAtFrom 2025-01-01T00:00:00",
    );
    await refused(
      client.listExchangeRequests({ createdAtFrom: "2025-01-01T00:00", createdAtTo: "2025-01-02T00:00:00" }),
      "createdAtFrom",
      "a KST time yyyy-MM-ddTHH:mm:ss (no offset)",
    );
    await refused(
      client.listExchangeRequests({
        createdAtFrom: "2025-01-01T00:00:00",
        createdAtTo: "2025-01-02T00:00:00",
        status: "DONE" as "SUCCESS",
      }),
      "status",
      "one of RECEIPT, PROGRESS, SUCCESS, REJECT, CANCEL",
    );
    expect(requests).toHaveLength(2);
  });

  it("confirms, rejects and uploads replacement invoices (a JSON array) with their documented bodies", async () => {
    const answers: Reply[] = [
      json({ code: "200", message: "SUCCESS" }),
      json({ code: "200", message: "OK", data: { resultCode: "SUCCESS", resultMessage: "" } }),
      json({ code: "200", message: "OK", data: { resultCode: "SUCCESS", resultMessage: "OK" } }),
    ];
    const { client, requests } = await serve((_r, i) => answers[i]!);
    expect((await client.confirmExchangeReceived(500000001n)).succeeded).toBe(true);
    expect((await client.rejectExchange("500000001", "SOLDOUT")).resultCode).toBe("SUCCESS");
    expect(
      (
        await client.uploadExchangeInvoices(500000001n, [
          { shipmentBoxId: 100000000000000099n, goodsDeliveryCode: "CJGLS", invoiceNumber: "123412341234" },
        ])
      ).succeeded,
    ).toBe(true);
    expect(requests.map((r) => [r.method, r.url, r.body])).toEqual([
      [
        "PUT",
        v4("exchangeRequests/500000001/receiveConfirmation"),
        '{"exchangeId":500000001,"vendorId":"A00012345"}',
      ],
      [
        "PUT",
        v4("exchangeRequests/500000001/rejection"),
        '{"exchangeId":500000001,"vendorId":"A00012345","exchangeRejectCode":"SOLDOUT"}',
      ],
      [
        "POST",
        v4("exchangeRequests/500000001/invoices"),
        '[{"exchangeId":500000001,"vendorId":"A00012345","shipmentBoxId":100000000000000099,"goodsDeliveryCode":"CJGLS","invoiceNumber":"123412341234"}]',
      ],
    ]);
  });

  it("refuses the original shipmentBoxId when the exchange is given (pitfall B-17), and bad codes", async () => {
    const { client, requests } = await serve(json({ code: "200" }));
    const exchange = validateRecords(exchangeRequestSchema, EXCHANGES.data).valid[0]!.value;
    await refused(
      client.uploadExchangeInvoices(
        500000001n,
        [{ shipmentBoxId: 100000000000000002n, goodsDeliveryCode: "CJGLS", invoiceNumber: "123412341234" }],
        { exchange },
      ),
      "invoices[0].shipmentBoxId",
      "not the item's originalShipmentBoxId (the box it first shipped in)",
    );
    await refused(
      client.uploadExchangeInvoices(500000001n, [
        { shipmentBoxId: 1n, goodsDeliveryCode: "LOTTE" as "HYUNDAI", invoiceNumber: "1234567890" },
      ]),
      "invoices[0].goodsDeliveryCode",
      "use HYUNDAI for 롯데택배",
    );
    await refused(client.uploadExchangeInvoices(500000001n, []), "invoices", "a non-empty array");
    await refused(
      client.rejectExchange(1n, "OTHER" as "SOLDOUT"),
      "exchangeRejectCode",
      "one of SOLDOUT, WITHDRAW",
    );
    expect(requests).toHaveLength(0);
  });
});

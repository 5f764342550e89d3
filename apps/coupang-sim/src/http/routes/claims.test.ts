import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSimulator, type Simulator } from "../../index.js";
import type { ExchangeRequest, ReturnRequest, ReturnWithdrawal } from "../../world/types.js";
import { DEFAULT_VENDOR } from "../../world/world.js";
import { TestClient, type Envelope } from "../testkit.js";

// The claim lists (returnRequests, returnWithdrawRequests / returnWithdrawList,
// exchangeRequests) over a world whose buyers were busy for four simulated days: their
// limits, their 400s and their paging.

const anchor = new Date("2025-03-10T03:00:00Z"); // 12:00 KST, 2025-03-10
const vendor = DEFAULT_VENDOR;
let sim: Simulator;
let api: TestClient;

const fixture = (name: string): { data: Record<string, unknown>[] } =>
  JSON.parse(readFileSync(new URL(`../../world/fixtures/${name}`, import.meta.url), "utf8")) as {
    data: Record<string, unknown>[];
  };

beforeAll(async () => {
  sim = await startSimulator({
    seed: 3,
    orders: 3000,
    anchor,
    clock: "simulated",
    activity: {
      buyerCancelShare: 0.3,
      stopShipmentShare: 0.3,
      returnShare: 0.4,
      exchangeShare: 0.3,
      withdrawShare: 0.4,
    },
  });
  api = new TestClient(sim, vendor);
  sim.clock.advance(4 * 24 * 3600_000);
});
afterAll(async () => {
  await sim.close();
});

/** Every page of a token-paged list: the items in order and the number of pages. */
async function pages<T>(
  endpoint: string,
  query: string,
  version = "v4",
): Promise<{ items: T[]; pages: number }> {
  const items: T[] = [];
  let token = "";
  for (let n = 1; n < 500; n++) {
    const res = await api.get<Envelope<T[]>>(
      endpoint,
      `${query}${token === "" ? "" : `&nextToken=${token}`}`,
      version,
    );
    expect(res.status, res.text).toBe(200);
    items.push(...res.body.data);
    token = res.body.nextToken ?? "";
    if (token === "") return { items, pages: n };
  }
  throw new Error("paging did not end");
}

describe("GET …/returnRequests (§6.1)", () => {
  it("serves every receipt the buyers made, in the §13.2 field order, paged by nextToken", async () => {
    const truth = sim.groundTruth();
    const returns = truth.returnRequests.filter((r) => r.receiptType === "RETURN");
    expect(returns.length).toBeGreaterThan(60);
    const all = new Map<string, ReturnRequest>();
    for (const status of ["RU", "UC", "CC", "PR"]) {
      const { items, pages: n } = await pages<ReturnRequest>(
        "returnRequests",
        `createdAtFrom=2025-03-08&createdAtTo=2025-03-14&status=${status}&maxPerPage=7`,
        "v6",
      );
      const ids = items.map((r) => String(r.receiptId));
      expect(new Set(ids).size, status).toBe(ids.length);
      expect(ids, status).toEqual([...ids].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1)));
      if (items.length > 7) expect(n).toBeGreaterThan(1);
      for (const r of items) all.set(String(r.receiptId), r);
    }
    expect([...all.keys()].sort()).toEqual(returns.map((r) => String(r.receiptId)).sort());
    const example = fixture("return-requests-v6-list.json").data[0]!;
    for (const r of all.values()) {
      expect(Object.keys(r)).toEqual(Object.keys(example));
      for (const item of r.returnItems)
        expect(Object.keys(item)).toEqual(Object.keys((example.returnItems as object[])[0]!));
    }
  });

  it("lists instant cancels with cancelType=CANCEL, minute mode without paging, and by orderId", async () => {
    const cancels = sim.groundTruth().returnRequests.filter((r) => r.receiptType === "CANCEL");
    expect(cancels.length).toBeGreaterThan(0);
    const { items } = await pages<ReturnRequest>(
      "returnRequests",
      "createdAtFrom=2025-03-08&createdAtTo=2025-03-14&cancelType=CANCEL",
    );
    expect(items.map((r) => String(r.receiptId))).toEqual(cancels.map((r) => String(r.receiptId)));
    expect(items.every((r) => r.receiptType === "CANCEL" && r.receiptStatus === "RETURNS_COMPLETED")).toBe(
      true,
    );

    const minute = await api.get<Envelope<ReturnRequest[]>>(
      "returnRequests",
      "searchType=timeFrame&createdAtFrom=2025-03-08T00:00&createdAtTo=2025-03-14T23:59&status=UC",
      "v6",
    );
    expect(minute.status).toBe(200);
    expect(minute.body.nextToken).toBe("");
    const uc = await pages<ReturnRequest>(
      "returnRequests",
      "createdAtFrom=2025-03-08&createdAtTo=2025-03-14&status=UC&maxPerPage=50",
    );
    expect(minute.body.data.map((r) => String(r.receiptId))).toEqual(
      uc.items.map((r) => String(r.receiptId)),
    );

    const one = uc.items[0]!;
    const byOrder = await api.get<Envelope<ReturnRequest[]>>(
      "returnRequests",
      `createdAtFrom=2025-03-08&createdAtTo=2025-03-14&orderId=${one.orderId}`,
    );
    expect(byOrder.body.data.map((r) => String(r.receiptId))).toContain(String(one.receiptId));
  });

  it("answers each rule violation with a 400", async () => {
    const ok = "createdAtFrom=2025-03-08&createdAtTo=2025-03-14";
    const cases: [string, RegExp][] = [
      [ok, /'status' is missing/],
      [`${ok}&status=XX`, /Invalid status 'XX'/],
      [`${ok}&cancelType=CANCEL&status=UC`, /status와 orderId는 입력할 수 없습니다/],
      [`${ok}&cancelType=REFUND`, /Invalid cancelType/],
      ["createdAtFrom=2025-02-01&createdAtTo=2025-03-04&status=UC", /at most 31 days/],
      ["createdAtFrom=2025-03-14&createdAtTo=2025-03-08&status=UC", /must not be before/],
      [`${ok}&status=UC&maxPerPage=51`, /maxPerPage/],
      [`${ok}&status=UC&nextToken=12`, /Invalid nextToken/],
      ["searchType=timeFrame&createdAtFrom=2025-03-08&createdAtTo=2025-03-09&status=UC", /yyyy-MM-ddTHH:mm/],
      [
        "searchType=timeFrame&createdAtFrom=2025-03-08T00:00&createdAtTo=2025-03-09T00:00&status=UC&maxPerPage=5",
        /not supported with searchType=timeFrame/,
      ],
      [
        "searchType=timeFrame&createdAtFrom=2025-02-01T00:00&createdAtTo=2025-03-09T00:00&status=UC",
        /at most 31 days/,
      ],
    ];
    for (const [query, pattern] of cases) {
      const res = await api.get<{ code: number; message: string }>("returnRequests", query, "v6");
      expect(res.status, query).toBe(400);
      expect(res.body).toMatchObject({ code: 400 });
      expect(res.body.message, query).toMatch(pattern);
    }
  });

  it("serves a single receipt as an array of one, and 400 for cancel receipts (§6.2)", async () => {
    const truth = sim.groundTruth().returnRequests;
    const ret = truth.find((r) => r.receiptType === "RETURN")!;
    const one = await api.get<Envelope<ReturnRequest[]>>(`returnRequests/${ret.receiptId}`, undefined, "v6");
    expect(one.body.data).toHaveLength(1);
    expect(String(one.body.data[0]!.receiptId)).toBe(String(ret.receiptId));
    const cancel = truth.find((r) => r.receiptType === "CANCEL")!;
    expect((await api.get(`returnRequests/${cancel.receiptId}`, undefined, "v6")).status).toBe(400);
  });
});

describe("withdrawn returns (§7)", () => {
  it("pages returnWithdrawRequests by pageIndex with nextPageIndex, and looks them up by cancelIds", async () => {
    const truth = sim.groundTruth().returnWithdrawals;
    expect(truth.length).toBeGreaterThan(5);
    const seen: ReturnWithdrawal[] = [];
    let pageIndex: number | string = 1;
    while (pageIndex !== "") {
      const res: { body: Envelope<ReturnWithdrawal[]> } = await api.get<Envelope<ReturnWithdrawal[]>>(
        "returnWithdrawRequests",
        `dateFrom=2025-03-08&dateTo=2025-03-14&pageIndex=${pageIndex}&sizePerPage=3`,
      );
      seen.push(...res.body.data);
      pageIndex = res.body.nextPageIndex ?? "";
    }
    expect(seen.map((w) => String(w.cancelId))).toEqual(truth.map((w) => String(w.cancelId)));
    expect(
      sim
        .groundTruth()
        .returnRequests.some((r) => truth.some((w) => String(w.cancelId) === String(r.receiptId))),
    ).toBe(false);

    const ids = truth.slice(0, 3).map((w) => w.cancelId);
    const byIds = await api.call<Envelope<ReturnWithdrawal[]>>("POST", "returnWithdrawList", {
      body: { cancelIds: [...ids, 42] },
    });
    expect(byIds.body.code).toBe("200");
    expect(byIds.body.data.map((w) => String(w.cancelId))).toEqual(ids.map(String));
  });

  it("answers the documented 400s: 7 days, sizePerPage ≤ 100, pageIndex ≥ 1, ≤ 50 cancelIds", async () => {
    const cases: [string, string][] = [
      ["dateTo=2025-03-10", "Required String parameter 'dateFrom' is not present"],
      ["dateFrom=2025-03-10&dateTo=2025-03-09", "종료일자는 시작일자보다 작거나 같아야 합니다."],
      [
        "dateFrom=2025-03-01&dateTo=2025-03-08",
        "최대 조회 기간은 7 일 입니다.(The maximum view duration is 7 days)",
      ],
      [
        "dateFrom=2025-03-01&dateTo=2025-03-07&sizePerPage=101",
        "페이지별 최대 표시 갯수(sizePerPage)는 100 입니다.",
      ],
      ["dateFrom=2025-03-01&dateTo=2025-03-07&pageIndex=0", "pageindex 는 음수 또는 0 일 수 없습니다."],
      [
        "dateFrom=2025/03/01&dateTo=2025-03-07",
        "Invalid dateFrom '2025/03/01': expected yyyy-MM-dd, or yyyy-MM-dd+09:00 with '+' sent as %2B",
      ],
    ];
    for (const [query, message] of cases) {
      const res = await api.get<{ code: number; message: string }>("returnWithdrawRequests", query);
      expect(res.status, query).toBe(400);
      expect(res.body.message).toBe(message);
    }
    expect(
      (await api.get("returnWithdrawRequests", "dateFrom=2025-03-01&dateTo=2025-03-07&sizePerPage=100"))
        .status,
    ).toBe(200);
    const tooMany = await api.call("POST", "returnWithdrawList", {
      body: { cancelIds: Array.from({ length: 51 }, (_, k) => k + 1) },
    });
    expect(tooMany.status).toBe(400);
    expect(
      (
        await api.call("POST", "returnWithdrawList", {
          body: { cancelIds: Array.from({ length: 50 }, (_, k) => k + 1) },
        })
      ).status,
    ).toBe(200);
  });
});

describe("GET …/exchangeRequests (§8.1)", () => {
  it("pages every exchange by nextToken (default 10 per page) in the §13.3 field order", async () => {
    const truth = sim.groundTruth().exchanges;
    expect(truth.length).toBeGreaterThan(10);
    const { items, pages: n } = await pages<ExchangeRequest>(
      "exchangeRequests",
      "createdAtFrom=2025-03-08T00:00:00&createdAtTo=2025-03-14T23:59:59",
    );
    expect(n).toBe(Math.ceil(truth.length / 10));
    expect(items.map((x) => String(x.exchangeId))).toEqual(truth.map((x) => String(x.exchangeId)));
    const example = fixture("exchange-requests-v4-list.json").data[0]!;
    for (const x of items) {
      expect(Object.keys(x)).toEqual(Object.keys(example));
      expect(Object.keys(x.collectInformationsDto.returndeliveryDestinationDto)).toEqual(
        Object.keys(
          (example.collectInformationsDto as { returndeliveryDestinationDto: object })
            .returndeliveryDestinationDto,
        ),
      );
    }
    const statuses = new Set(items.map((x) => x.exchangeStatus));
    for (const status of statuses) {
      const filtered = await pages<ExchangeRequest>(
        "exchangeRequests",
        `createdAtFrom=2025-03-08T00:00:00&createdAtTo=2025-03-14T23:59:59&status=${status}&maxPerPage=100`,
      );
      expect(filtered.items.every((x) => x.exchangeStatus === status)).toBe(true);
    }
  });

  it("answers 400 beyond 7 days, in another time format, or with maxPerPage over 100", async () => {
    const cases: [string, RegExp][] = [
      ["createdAtFrom=2025-03-01T00:00:00&createdAtTo=2025-03-08T00:00:01", /at most 7 days/],
      ["createdAtFrom=2025-03-01&createdAtTo=2025-03-07", /yyyy-MM-ddTHH:mm:ss/],
      ["createdAtFrom=2025-03-01T00:00&createdAtTo=2025-03-07T00:00", /yyyy-MM-ddTHH:mm:ss/],
      ["createdAtFrom=2025-03-01T00:00:00&createdAtTo=2025-03-07T00:00:00&maxPerPage=101", /maxPerPage/],
      ["createdAtFrom=2025-03-01T00:00:00&createdAtTo=2025-03-07T00:00:00&status=DONE", /Invalid status/],
      ["createdAtTo=2025-03-07T00:00:00", /'createdAtFrom' is missing/],
    ];
    for (const [query, pattern] of cases) {
      const res = await api.get<{ message: string }>("exchangeRequests", query);
      expect(res.status, query).toBe(400);
      expect(res.body.message).toMatch(pattern);
    }
    expect(
      (await api.get("exchangeRequests", "createdAtFrom=2025-03-01T00:00:00&createdAtTo=2025-03-08T00:00:00"))
        .status,
    ).toBe(200);
  });
});

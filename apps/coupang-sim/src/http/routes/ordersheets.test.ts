import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSimulator, type OrderSheet, type Simulator } from "../../index.js";
import { ORDER_STATUSES, type OrderStatus } from "../../world/types.js";
import { DEFAULT_VENDOR } from "../../world/world.js";
import { serializeCoupangJson } from "../json.js";
import { signedGet } from "../testkit.js";

const anchor = new Date("2025-03-10T03:00:00Z"); // 12:00 KST
const vendor = DEFAULT_VENDOR;
const other = { vendorId: "A00099999", accessKey: "other-access-key", secretKey: "other-secret-key" };
const list = (query: string, vendorId = vendor.vendorId, version = "v4"): string =>
  `/v2/providers/openapi/apis/api/${version}/vendors/${vendorId}/ordersheets?${query}`;
const kstMs = (text: string): number => Date.parse(`${text}+09:00`);

let sim: Simulator;
let clock = anchor;
const get = (pathAndQuery: string, opts: Parameters<typeof signedGet>[3] = {}): Promise<Response> =>
  signedGet(sim.url, vendor, pathAndQuery, { date: clock, ...opts });

beforeAll(async () => {
  sim = await startSimulator({ seed: 42, orders: 1000, anchor, now: () => clock, vendors: [vendor, other] });
});
afterAll(async () => {
  await sim.close();
});

/** Every page of one (status, window) query; returns the raw texts and the IDs in order. */
async function pageThrough(status: OrderStatus, from: string, to: string, maxPerPage: number) {
  const texts: string[] = [];
  const ids: string[] = [];
  let token = "";
  for (let page = 0; page < 1000; page++) {
    const q = `createdAtFrom=${from}&createdAtTo=${to}&status=${status}&maxPerPage=${maxPerPage}${token === "" ? "" : `&nextToken=${token}`}`;
    const res = await get(list(q));
    expect(res.status).toBe(200);
    const text = await res.text();
    texts.push(text);
    const pageIds = [...text.matchAll(/"shipmentBoxId":(\d+)/g)].map((m) => m[1]!);
    ids.push(...pageIds);
    token = /"nextToken":"(\d*)"}$/.exec(text)![1]!;
    if (token === "") return { texts, ids };
    expect(pageIds).toHaveLength(maxPerPage);
    expect(token).toBe(pageIds[pageIds.length - 1]);
  }
  throw new Error("paging did not end");
}

const inWindow = (o: OrderSheet, status: OrderStatus, from: string, to: string): boolean =>
  o.status === status && o.orderedAt.slice(0, 10) >= from && o.orderedAt.slice(0, 10) <= to;

describe("GET …/v4/vendors/:vendorId/ordersheets (daily mode)", () => {
  it("answers Coupang's envelope with 18-digit IDs intact in the raw text", async () => {
    const res = await get(
      list("createdAtFrom=2025-02-25&createdAtTo=2025-03-10&status=FINAL_DELIVERY&maxPerPage=3"),
    );
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/json;charset=UTF-8");
    const text = await res.text();
    const expected = sim
      .groundTruth()
      .orders.filter((o) => inWindow(o, "FINAL_DELIVERY", "2025-02-25", "2025-03-10"));
    expect(text).toBe(
      serializeCoupangJson({
        code: 200,
        message: "OK",
        data: expected.slice(0, 3),
        nextToken: expected[2]!.shipmentBoxId.toString(),
      }),
    );
    for (const o of expected.slice(0, 3)) {
      expect(o.shipmentBoxId.toString()).toMatch(/^\d{18}$/);
      expect(text).toContain(`"shipmentBoxId":${o.shipmentBoxId.toString()},`);
    }
  });

  it("pages every status over the whole world exactly once, matching the ground truth", async () => {
    const truth = sim.groundTruth();
    for (const status of ORDER_STATUSES) {
      const { ids } = await pageThrough(status, "2025-02-20", "2025-03-10", 17);
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids).toEqual(
        truth.orders.filter((o) => o.status === status).map((o) => o.shipmentBoxId.toString()),
      );
      expect(ids).toHaveLength(truth.boxesByStatus[status]);
    }
  });

  it("filters by the KST calendar day of orderedAt, both ends included", async () => {
    const from = "2025-03-02";
    const to = "2025-03-04";
    const { texts, ids } = await pageThrough("FINAL_DELIVERY", from, to, 50);
    const expected = sim.groundTruth().orders.filter((o) => inWindow(o, "FINAL_DELIVERY", from, to));
    expect(expected.length).toBeGreaterThan(50);
    expect(ids).toEqual(expected.map((o) => o.shipmentBoxId.toString()));
    expect(texts.join("")).toContain(`"orderedAt":"${from}T`);
    expect(texts.join("")).toContain(`"orderedAt":"${to}T`);
  });

  it("ends with an empty nextToken on the last page and answers [] for an empty window", async () => {
    const res = await get(list("createdAtFrom=2024-01-01&createdAtTo=2024-01-31&status=ACCEPT"));
    expect(await res.text()).toBe('{"code":200,"message":"OK","data":[],"nextToken":""}');
  });

  it("serves the same at the v5 path, with the +09:00 suffix sent as %2B", async () => {
    const v4 = await (
      await get(list("createdAtFrom=2025-03-09&createdAtTo=2025-03-10&status=ACCEPT"))
    ).text();
    const v5 = await get(
      list(
        "createdAtFrom=2025-03-09%2B09:00&createdAtTo=2025-03-10%2B09:00&status=ACCEPT",
        vendor.vendorId,
        "v5",
      ),
    );
    expect(v5.status).toBe(200);
    expect(await v5.text()).toBe(v4);
  });

  it("hides a box until listLag after it was paid (§0.6)", async () => {
    const box = sim.groundTruth().orders.findLast((o) => o.status === "ACCEPT")!;
    const paid = kstMs(box.paidAt);
    const day = box.orderedAt.slice(0, 10);
    const query = list(`createdAtFrom=${day}&createdAtTo=${day}&status=ACCEPT`);
    const id = `"shipmentBoxId":${box.shipmentBoxId.toString()},`;
    try {
      clock = new Date(paid + 9 * 60_000 + 59_000);
      expect(await (await get(query)).text()).not.toContain(id);
      expect(sim.groundTruth().orders.map((o) => o.shipmentBoxId)).not.toContain(box.shipmentBoxId);
      clock = new Date(paid + 10 * 60_000);
      expect(await (await get(query)).text()).toContain(id);
      expect(sim.groundTruth().orders.map((o) => o.shipmentBoxId)).toContain(box.shipmentBoxId);
    } finally {
      clock = anchor;
    }
  });

  describe("400 in Coupang's shape for bad parameters", () => {
    const ok = "createdAtFrom=2025-03-01&createdAtTo=2025-03-10&status=ACCEPT";
    const cases: [string, string, RegExp][] = [
      ["missing status", "createdAtFrom=2025-03-01&createdAtTo=2025-03-10", /'status' is missing/],
      ["unknown status", `${ok.replace("ACCEPT", "CANCEL")}`, /Invalid status 'CANCEL'/],
      ["lower-case status", `${ok.replace("ACCEPT", "accept")}`, /Invalid status/],
      ["status twice", `${ok}&status=INSTRUCT`, /'status' must be given only once/],
      ["missing createdAtFrom", "createdAtTo=2025-03-10&status=ACCEPT", /'createdAtFrom' is missing/],
      ["missing createdAtTo", "createdAtFrom=2025-03-01&status=ACCEPT", /'createdAtTo' is missing/],
      ["slashes", ok.replace("2025-03-01", "2025/03/01"), /Invalid createdAtFrom/],
      ["impossible day", ok.replace("2025-03-10", "2025-02-30"), /Invalid createdAtTo/],
      ["minute format in daily mode", ok.replace("2025-03-01", "2025-03-01T00:00"), /Invalid createdAtFrom/],
      ["unencoded + (arrives as a space)", ok.replace("2025-03-01", "2025-03-01+09:00"), /%2B/],
      ["other offset", ok.replace("2025-03-01", "2025-03-01%2B00:00"), /Invalid createdAtFrom/],
      [
        "to before from",
        "createdAtFrom=2025-03-10&createdAtTo=2025-03-09&status=ACCEPT",
        /must not be before/,
      ],
      ["32 days", "createdAtFrom=2025-01-01&createdAtTo=2025-02-01&status=ACCEPT", /at most 31 days/],
      ["maxPerPage 0", `${ok}&maxPerPage=0`, /maxPerPage/],
      ["maxPerPage 51", `${ok}&maxPerPage=51`, /maxPerPage/],
      ["maxPerPage 1.5", `${ok}&maxPerPage=1.5`, /maxPerPage/],
      ["maxPerPage abc", `${ok}&maxPerPage=abc`, /maxPerPage/],
      ["garbage nextToken", `${ok}&nextToken=abc`, /Invalid nextToken 'abc'/],
      ["unknown nextToken", `${ok}&nextToken=300000000000000001`, /Invalid nextToken/],
    ];
    for (const [name, query, message] of cases) {
      it(name, async () => {
        const res = await get(list(query));
        expect(res.status).toBe(400);
        expect(res.headers.get("content-type")).toBe("application/json;charset=UTF-8");
        const body = (await res.json()) as { code: number; message: string };
        expect(body.code).toBe(400);
        expect(body.message).toMatch(message);
      });
    }

    it("accepts exactly 31 days, maxPerPage 1 and 50, and another searchType as daily mode", async () => {
      for (const query of [
        "createdAtFrom=2025-01-01&createdAtTo=2025-01-31&status=ACCEPT",
        `${ok}&maxPerPage=1`,
        `${ok}&maxPerPage=50`,
        `${ok}&searchType=daily`,
      ]) {
        expect((await get(list(query))).status, query).toBe(200);
      }
    });
  });

  describe("401 from the signature check (§1)", () => {
    const query = list("createdAtFrom=2025-03-01&createdAtTo=2025-03-10&status=ACCEPT");
    const expect401 = async (res: Response, message: string): Promise<void> => {
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual({ code: "ERROR", message });
    };

    it("for a wrong secret", async () => {
      await expect401(await get(query, { secretKey: "wrong" }), "Invalid signature.");
    });

    it("for a signed-date outside the skew, either way", async () => {
      await expect401(
        await get(query, { date: new Date(anchor.getTime() - 301_000) }),
        "Specified signature is expired.",
      );
      await expect401(
        await get(query, { date: new Date(anchor.getTime() + 301_000) }),
        "Specified signature is expired.",
      );
    });

    it("for no Authorization header, an unknown key, or another vendor's key", async () => {
      await expect401(await fetch(`${sim.url}${query}`), "Invalid signature.");
      await expect401(
        await signedGet(sim.url, { ...vendor, accessKey: "nope" }, query, { date: clock }),
        "Invalid signature.",
      );
      const res = await signedGet(sim.url, other, query, { date: clock });
      expect(res.headers.get("x-sim-auth-reason")).toMatch(/belongs to vendor A00099999/);
      await expect401(res, "Invalid signature.");
    });

    it("for a signature over a different query than the one sent", async () => {
      await expect401(
        await get(query, { signedPathAndQuery: query.replace("ACCEPT", "INSTRUCT") }),
        "Invalid signature.",
      );
    });

    it("accepts a header without spaces after the commas, and each vendor its own keys", async () => {
      expect((await get(query, { separator: "," })).status).toBe(200);
      expect(
        (
          await signedGet(
            sim.url,
            other,
            list("createdAtFrom=2025-03-01&createdAtTo=2025-03-10&status=ACCEPT", other.vendorId),
            { date: clock },
          )
        ).status,
      ).toBe(200);
    });

    it("checks the signature before the parameters", async () => {
      await expect401(await fetch(`${sim.url}${list("status=NOPE")}`), "Invalid signature.");
    });
  });
});

describe("GET …/ordersheets?searchType=timeFrame (minute mode, §2.1)", () => {
  const minute = (from: string, to: string, status: OrderStatus, extra = ""): string =>
    list(`searchType=timeFrame&createdAtFrom=${from}&createdAtTo=${to}&status=${status}${extra}`);

  it("serves every box ordered in the window, createdAtTo's minute included, without paging", async () => {
    const from = "2025-03-09T00:00";
    const to = "2025-03-09T23:59";
    const res = await get(minute(from, to, "FINAL_DELIVERY", "&maxPerPage=2&nextToken=ignored"));
    expect(res.status).toBe(200);
    const body = (await res.json()) as { data: unknown[]; nextToken: string };
    const expected = sim
      .groundTruth()
      .orders.filter((o) => inWindow(o, "FINAL_DELIVERY", "2025-03-09", "2025-03-09"));
    expect(body.data).toHaveLength(expected.length);
    expect(body.nextToken).toBe("");
    const v5 = await get(
      minute(`${from}%2B09:00`, `${to}%2B09:00`, "FINAL_DELIVERY").replace("/v4/", "/v5/"),
    );
    expect(((await v5.json()) as { data: unknown[] }).data).toHaveLength(expected.length);
  });

  it("refuses more than 24 hours, the daily format and a reversed window", async () => {
    const cases: [string, RegExp][] = [
      [minute("2025-03-08T00:00", "2025-03-09T00:01", "ACCEPT"), /at most 24 hours/],
      [minute("2025-03-08", "2025-03-09", "ACCEPT"), /yyyy-MM-ddTHH:mm/],
      [minute("2025-03-09T10:00", "2025-03-09T09:59", "ACCEPT"), /must not be before/],
      [minute("2025-03-09T24:00", "2025-03-09T23:00", "ACCEPT"), /Invalid createdAtFrom/],
    ];
    for (const [query, message] of cases) {
      const res = await get(query);
      expect(res.status, query).toBe(400);
      expect(((await res.json()) as { message: string }).message).toMatch(message);
    }
    expect((await get(minute("2025-03-08T00:00", "2025-03-09T00:00", "ACCEPT"))).status).toBe(200);
  });
});

describe("single-PO lookups (§2.2–§2.4)", () => {
  const path = (rest: string, version = "v4"): string =>
    `/v2/providers/openapi/apis/api/${version}/vendors/${vendor.vendorId}/${rest}`;

  it("serves one box by shipmentBoxId as an object, before the list lag, at v4 and v5", async () => {
    const box = sim.groundTruth().orders.findLast((o) => o.status === "ACCEPT")!;
    const paid = kstMs(box.paidAt);
    try {
      clock = new Date(paid + 60_000);
      for (const version of ["v4", "v5"]) {
        const res = await get(path(`ordersheets/${box.shipmentBoxId}`, version));
        expect(res.status).toBe(200);
        expect(await res.text()).toBe(serializeCoupangJson({ code: 200, message: "OK", data: box }));
      }
      clock = new Date(paid - 60_000);
      const unpaid = await get(path(`ordersheets/${box.shipmentBoxId}`));
      expect(unpaid.status).toBe(400);
    } finally {
      clock = anchor;
    }
    expect((await get(path("ordersheets/300000000000000001"))).status).toBe(400);
    expect((await get(path("ordersheets/abc"))).status).toBe(400);
  });

  it("serves every box of an order by orderId as an array", async () => {
    const orders = sim.groundTruth().orders;
    const twin = orders.find((o, k) => orders[k + 1]?.orderId === o.orderId)!;
    const res = await get(path(`${twin.orderId}/ordersheets`));
    const text = await res.text();
    expect(text).toBe(
      serializeCoupangJson({
        code: 200,
        message: "OK",
        data: orders.filter((o) => o.orderId === twin.orderId),
      }),
    );
    expect((await get(path("1234/ordersheets"))).status).toBe(400);
  });

  it("serves a box's history newest first with Korean labels", async () => {
    const box = sim.groundTruth().orders.find((o) => o.status === "FINAL_DELIVERY")!;
    const res = await get(path(`ordersheets/${box.shipmentBoxId}/history`));
    const body = (await res.json()) as {
      data: { details: { deliveryStatus: string; deliveryStatusDesc: string; updatedAt: string }[] };
    };
    expect(body.data.details.map((d) => d.deliveryStatus)).toEqual([
      "FINAL_DELIVERY",
      "DELIVERING",
      "DEPARTURE",
      "INSTRUCT",
      "ACCEPT",
    ]);
    expect(body.data.details.map((d) => d.deliveryStatusDesc)).toEqual([
      "배송완료",
      "배송중",
      "배송지시",
      "상품준비중",
      "결제완료",
    ]);
    expect(body.data.details[4]!.updatedAt).toBe(box.paidAt);
    expect(body.data.details[0]!.updatedAt).toBe(box.deliveredDate.replace(" ", "T"));
  });
});

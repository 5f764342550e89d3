import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import pg from "pg";
import { CoupangClient, CoupangAuthError, stringifyJson, type OrderSheetPage } from "@cos/coupang";
import { CHANGE_EVENTS_CHANNEL, LeaseLostError } from "@cos/db";
import { startSimulator, type Simulator } from "@cos/coupang-sim";
import { ensureVendorAccount, getCheckpoint, type PrismaClient } from "@cos/db";
import { readCursor, type Cursor } from "./cursor.js";
import { orderSheetsAdapter, syncOrderSheets, type OrderSheetSource } from "./ordersheets.js";
import { runStream, type StreamAdapter } from "./stream.js";
import { useTestDatabase } from "../../../test/support/database.js";
import { testPlan } from "../../../test/support/simulated-vendor.js";

const VENDOR = { vendorId: "A00000042", accessKey: "ak-42", secretKey: "sk-42" };
const HOUR = 3_600_000;
const config = testPlan();

let sim: Simulator;
let prisma: PrismaClient;
const fixture = useTestDatabase();

beforeAll(async () => {
  // Anchored an hour ago: every generated order is past the list lag and so visible.
  sim = await startSimulator({
    seed: 7,
    orders: 400,
    days: 12,
    anchor: new Date(Date.now() - HOUR),
    vendors: [VENDOR],
  });
  prisma = fixture.prisma;
  await ensureVendorAccount(prisma, { vendorId: VENDOR.vendorId, name: null });
});
afterAll(async () => {
  await sim?.close();
});

const client = (secretKey = VENDOR.secretKey) =>
  new CoupangClient({ baseUrl: sim.url, vendorId: VENDOR.vendorId, accessKey: VENDOR.accessKey, secretKey });

async function reset(): Promise<void> {
  await fixture.truncate(
    "order_items",
    "shipment_boxes",
    "sync_checkpoints",
    "sync_runs",
    "quarantined_records",
    "sync_leases",
    "change_events",
  );
}

/** The checkpoint's cursor (null: none committed yet, or the plan is done). */
async function committedCursor(): Promise<Cursor | null> {
  return readCursor((await getCheckpoint(prisma, VENDOR.vendorId, "ordersheets"))?.cursor);
}

async function dbState(): Promise<{ boxes: Map<string, string>; items: Set<string> }> {
  const boxes = await prisma.$queryRawUnsafe<Array<{ id: string; status: string }>>(
    `SELECT shipment_box_id::text AS id, status FROM shipment_boxes`,
  );
  const items = await prisma.$queryRawUnsafe<Array<{ k: string }>>(
    `SELECT shipment_box_id::text || ':' || vendor_item_id::text AS k FROM order_items`,
  );
  return { boxes: new Map(boxes.map((b) => [b.id, b.status])), items: new Set(items.map((i) => i.k)) };
}

function truthState(): { boxes: Map<string, string>; items: Set<string> } {
  const truth = sim.groundTruth(VENDOR.vendorId);
  return {
    boxes: new Map(truth.orders.map((o) => [String(o.shipmentBoxId), o.status])),
    items: new Set(
      truth.orders.flatMap((o) => o.orderItems.map((i) => `${o.shipmentBoxId}:${i.vendorItemId}`)),
    ),
  };
}

describe("syncOrderSheets against the simulator", () => {
  afterEach(reset);

  it("copies every box and item with its status, then a second poll writes nothing", async () => {
    const first = await syncOrderSheets({
      prisma,
      source: client(),
      vendorId: VENDOR.vendorId,
      config,
      trigger: "manual",
    });
    expect(first.outcome).toBe("completed");
    const truth = truthState();
    expect(truth.boxes.size).toBe(400);
    const state = await dbState();
    expect(state.boxes).toEqual(truth.boxes);
    expect(state.items).toEqual(truth.items);
    expect(first.boxesInserted).toBe(400);
    expect(first.itemsInserted).toBe(truth.items.size);
    expect(first.rejected).toBe(0);

    const checkpoint = await getCheckpoint(prisma, VENDOR.vendorId, "ordersheets");
    expect(checkpoint?.cursor).toBeNull();
    expect(checkpoint?.syncedThrough?.toISOString()).toBe(first.syncedThrough);
    // The backfill read every status of every day: the warm and cold tiers are not due right away.
    expect(Object.keys(checkpoint?.tierRuns ?? {}).sort()).toEqual(["cold", "warm"]);
    expect(Date.parse(first.syncedThrough!)).toBeLessThanOrEqual(Date.now() - config.lagMs);

    const second = await syncOrderSheets({
      prisma,
      source: client(),
      vendorId: VENDOR.vendorId,
      config,
      trigger: "manual",
    });
    // Incremental: the hot tier only re-reads today, and the warm and cold tiers are not due yet.
    expect(second.plan?.reason).toBe("6 hot");
    expect([second.boxesInserted, second.boxesUpdated, second.itemsInserted, second.itemsUpdated]).toEqual([
      0, 0, 0, 0,
    ]);
    const after = await getCheckpoint(prisma, VENDOR.vendorId, "ordersheets");
    expect(after!.syncedThrough!.getTime()).toBeGreaterThanOrEqual(checkpoint!.syncedThrough!.getTime());
  });

  it("stores an 18-digit shipmentBoxId with every digit", async () => {
    await syncOrderSheets({ prisma, source: client(), vendorId: VENDOR.vendorId, config, trigger: "manual" });
    const largest = sim
      .groundTruth(VENDOR.vendorId)
      .orders.map((o) => o.shipmentBoxId)
      .reduce((a, b) => (a > b ? a : b));
    expect(String(largest)).toHaveLength(18);
    const [row] = await prisma.$queryRawUnsafe<Array<{ id: string }>>(
      `SELECT shipment_box_id::text AS id FROM shipment_boxes WHERE shipment_box_id = $1::bigint`,
      String(largest),
    );
    expect(row?.id).toBe(String(largest));
    const viaPrisma = await prisma.shipmentBox.findUnique({ where: { shipmentBoxId: largest } });
    expect(viaPrisma?.shipmentBoxId).toBe(largest);
  });

  it("resumes an interrupted poll at the page after the last commit, without loss or a re-read", async () => {
    const real = client();
    const stop = new AbortController();
    let pagesServed = 0;
    // Interrupt after the third page, as a shutdown would: the signal comes as the fourth page is
    // asked for, read ahead while the third commits, so the fourth is fetched and dropped.
    const interrupting: OrderSheetSource = {
      async *orderSheetPages(query, opts) {
        for await (const page of real.orderSheetPages(query, opts)) {
          yield page;
          if (++pagesServed === 3) stop.abort();
        }
      },
    };
    const first = await syncOrderSheets({
      prisma,
      source: interrupting,
      vendorId: VENDOR.vendorId,
      config,
      trigger: "manual",
      signal: stop.signal,
    });
    expect(first.outcome).toBe("interrupted");
    expect(first.pages).toBe(3);
    const mid = await getCheckpoint(prisma, VENDOR.vendorId, "ordersheets");
    expect(mid?.cursor).not.toBeNull();
    expect(mid?.syncedThrough ?? null).toBeNull();

    const callsBefore = sim.calls().total ?? 0;
    const second = await syncOrderSheets({
      prisma,
      source: real,
      vendorId: VENDOR.vendorId,
      config,
      trigger: "manual",
    });
    expect(second.outcome).toBe("completed");
    expect(second.plan?.resumed).toBe(true);
    expect(second.plan?.queries).toBe(first.plan?.queries);
    expect((await dbState()).boxes).toEqual(truthState().boxes);
    // The report adds the fresh plan that follows a resume; the resumed run's own row has its pages.
    const resumedRun = await prisma.syncRun.findUniqueOrThrow({ where: { id: second.runId! } });
    // The resumed poll plus the interrupted one committed each page exactly once.
    const uninterrupted = await (async () => {
      await reset();
      return syncOrderSheets({
        prisma,
        source: real,
        vendorId: VENDOR.vendorId,
        config,
        trigger: "manual",
      });
    })();
    expect(first.pages + resumedRun.pages).toBe(uninterrupted.pages);
    expect(second.pages).toBeGreaterThan(resumedRun.pages);
    expect((sim.calls().total ?? 0) - callsBefore).toBe(second.pages + uninterrupted.pages);
  });

  it("fails with an authentication error naming the vendor, writes nothing and leaves the checkpoint", async () => {
    const before = sim.calls()["GET ordersheets"] ?? 0;
    const err = await syncOrderSheets({
      prisma,
      source: client("a-wrong-secret"),
      vendorId: VENDOR.vendorId,
      config,
      trigger: "manual",
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CoupangAuthError);
    expect((err as Error).message).toContain(VENDOR.vendorId);
    expect((err as Error).message).not.toContain("a-wrong-secret");
    // One call, one re-signed retry, then stop.
    expect((sim.calls()["GET ordersheets"] ?? 0) - before).toBe(2);
    expect((await dbState()).boxes.size).toBe(0);
    expect(await getCheckpoint(prisma, VENDOR.vendorId, "ordersheets")).toBeNull();
    const runs = await prisma.$queryRawUnsafe<Array<{ status: string; error: string }>>(
      `SELECT status, error FROM sync_runs`,
    );
    expect(runs).toEqual([{ status: "failed", error: (err as Error).message }]);
  });

  it("quarantines a record that cannot be stored and keeps the rest of the page", async () => {
    const real = client();
    let tampered = false;
    const source: OrderSheetSource = {
      async *orderSheetPages(query, opts) {
        for await (const page of real.orderSheetPages(query, opts)) {
          if (!tampered && page.orders.length > 1) {
            tampered = true;
            const [victim, ...rest] = page.orders;
            // A fractional KRW amount passes the lenient schema but cannot be stored exactly.
            const bad = { ...victim!, value: { ...victim!.value, shippingPrice: 2500.5 } };
            yield { ...page, orders: [bad, ...rest] };
            continue;
          }
          yield page;
        }
      },
    };
    const report = await syncOrderSheets({
      prisma,
      source,
      vendorId: VENDOR.vendorId,
      config,
      trigger: "manual",
    });
    expect(report.rejected).toBe(1);
    expect(report.boxesInserted).toBe(399);
    const q = await prisma.$queryRawUnsafe<Array<{ reason: string; entity_key: string }>>(
      `SELECT reason, entity_key FROM quarantined_records`,
    );
    expect(q).toHaveLength(1);
    expect(q[0]!.reason).toBe("shippingPrice: expected whole KRW, got 2500.5");
    expect(q[0]!.entity_key).toMatch(/^\d{18}$/);
  });

  it("runs one poll of a (vendor, stream) at a time: a concurrent poll is skipped", async () => {
    const [a, b] = await Promise.all([
      syncOrderSheets({ prisma, source: client(), vendorId: VENDOR.vendorId, config, trigger: "manual" }),
      syncOrderSheets({ prisma, source: client(), vendorId: VENDOR.vendorId, config, trigger: "schedule" }),
    ]);
    expect([a.outcome, b.outcome].sort()).toEqual(["completed", "skipped"]);
    const skipped = a.outcome === "skipped" ? a : b;
    expect(skipped.runId).toBeNull();
    expect(skipped.apiCalls).toBe(0);
    // The lease is released afterwards: the next poll runs.
    const next = await syncOrderSheets({
      prisma,
      source: client(),
      vendorId: VENDOR.vendorId,
      config,
      trigger: "manual",
    });
    expect(next.outcome).toBe("completed");
  });

  it("cannot commit another page once its lease has passed to another poll (fencing)", async () => {
    const real = client();
    let pages = 0;
    let firstPageBoxes = -1;
    const source: OrderSheetSource = {
      async *orderSheetPages(query, opts) {
        for await (const page of real.orderSheetPages(query, opts)) {
          if (++pages === 1) firstPageBoxes = page.orders.length;
          if (pages === 2) {
            // Read ahead while the first page commits: once it has, another poll takes the lease
            // over, as after an expiry while this one hung.
            await vi.waitFor(async () => expect(await committedCursor()).not.toBeNull());
            await prisma.$executeRawUnsafe(`UPDATE sync_leases SET owner = 'another-poll'`);
          }
          yield page;
        }
      },
    };
    const err = await syncOrderSheets({
      prisma,
      source,
      vendorId: VENDOR.vendorId,
      config,
      trigger: "manual",
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LeaseLostError);
    const [{ n }] = await prisma.$queryRawUnsafe<[{ n: bigint }]>(`SELECT count(*) AS n FROM shipment_boxes`);
    // Only the first page committed; the second was rolled back with the renewal that failed.
    expect(firstPageBoxes).toBeGreaterThan(0);
    expect(Number(n)).toBe(firstPageBoxes);
    expect((await getCheckpoint(prisma, VENDOR.vendorId, "ordersheets"))?.cursor).not.toBeNull();
    await prisma.$executeRawUnsafe(`DELETE FROM sync_leases`);
  });

  it("records each change once in the change feed, and NOTIFYs consumers on commit", async () => {
    const listener = new pg.Client({ connectionString: fixture.url });
    await listener.connect();
    const notified: string[] = [];
    listener.on("notification", (n) => notified.push(n.payload ?? ""));
    await listener.query(`LISTEN ${CHANGE_EVENTS_CHANNEL}`);
    try {
      const truth = sim.groundTruth(VENDOR.vendorId);
      const accepted = truth.orders.find((o) => o.status === "ACCEPT")!;
      const target = String(accepted.shipmentBoxId);
      // Each poll a full backfill (no checkpoint), so the box's old creation day is read again.
      const poll = async (mutate?: (o: { status: string }) => string) => {
        await fixture.truncate("sync_checkpoints");
        return syncOrderSheets({
          prisma,
          source: mutating(client(), target, mutate),
          vendorId: VENDOR.vendorId,
          config,
          trigger: "manual",
        });
      };

      const first = await poll();
      expect(first.events).toBe(truth.boxes + truth.items);
      expect(first.statusChanges).toBe(0);

      // Coupang moves the box to INSTRUCT; it is still read from the same window and status page.
      const moved = await poll((o) => (o.status = "INSTRUCT"));
      expect([moved.events, moved.statusChanges, moved.staleReads]).toEqual([1, 1, 0]);
      const again = await poll((o) => (o.status = "INSTRUCT"));
      expect([again.events, again.statusChanges, again.staleReads]).toEqual([0, 0, 0]);
      // The list serves the old ACCEPT version again (acknowledgement lag, pitfalls B-7).
      const stale = await poll();
      expect([stale.events, stale.statusChanges, stale.staleReads]).toEqual([0, 0, 1]);

      const feed = await prisma.$queryRawUnsafe<
        Array<{ kind: string; old_status: string; new_status: string; changed_fields: string[] }>
      >(
        `SELECT kind, old_status, new_status, changed_fields FROM change_events WHERE entity = 'shipment_box' AND entity_id = $1 ORDER BY id`,
        target,
      );
      expect(feed).toEqual([
        { kind: "created", old_status: null, new_status: "ACCEPT", changed_fields: [] },
        { kind: "status_changed", old_status: "ACCEPT", new_status: "INSTRUCT", changed_fields: ["status"] },
      ]);
      const [{ max }] = await prisma.$queryRawUnsafe<[{ max: bigint }]>(
        `SELECT max(id) AS max FROM change_events`,
      );
      await new Promise((r) => setTimeout(r, 100));
      expect(notified.at(-1)).toBe(String(max));
    } finally {
      await listener.end();
    }
  });
});

describe("reading the next page ahead", () => {
  afterEach(reset);

  /**
   * The ordersheets adapter over the simulator, with its pages numbered from 1 in the order they
   * are handed out (`handedOut`): `onRequest(n)` runs as page n is asked for, before its fetch,
   * and `onWrite(n)` before page n is written, in its transaction.
   */
  function numbered(hooks: { onRequest?: (n: number) => void; onWrite?: (n: number) => Promise<void> }): {
    adapter: StreamAdapter<OrderSheetPage>;
    handedOut: OrderSheetPage[];
  } {
    const real = orderSheetsAdapter(client());
    const handedOut: OrderSheetPage[] = [];
    const adapter: StreamAdapter<OrderSheetPage> = {
      ...real,
      async *pages(query, nextToken) {
        const pages = real.pages(query, nextToken)[Symbol.asyncIterator]();
        for (;;) {
          hooks.onRequest?.(handedOut.length + 1);
          const { done, value } = await pages.next();
          if (done) return;
          handedOut.push(value);
          yield value;
        }
      },
      async writePage(tx, vendorId, page, tally) {
        await hooks.onWrite?.(handedOut.indexOf(page) + 1);
        return real.writePage(tx, vendorId, page, tally);
      },
    };
    return { adapter, handedOut };
  }

  const poll = (adapter: StreamAdapter<OrderSheetPage>) =>
    runStream({ prisma, vendorId: VENDOR.vendorId, config, trigger: "manual" }, adapter);

  it("fetches page k+1 while page k is written and committed", async () => {
    const log: string[] = [];
    const { adapter } = numbered({
      onRequest: (n) => log.push(`request ${n}`),
      // Page 1's write waits until page 2 is asked for: a runner that fetched only after the
      // commit would never get past it.
      onWrite: async (n) => {
        if (n === 1) await vi.waitFor(() => expect(log).toContain("request 2"), { timeout: 5_000 });
        log.push(`write ${n}`);
      },
    });
    const report = await poll(adapter);
    expect(report.outcome).toBe("completed");
    // Every page but the last was written after the next one had been asked for.
    const written = log.filter((entry) => entry.startsWith("write")).length;
    expect(written).toBe(report.pages);
    for (let n = 1; n < written; n++) {
      expect(log.indexOf(`request ${n + 1}`)).toBeLessThan(log.indexOf(`write ${n}`));
    }
    expect((await dbState()).boxes).toEqual(truthState().boxes);
  });

  it("a fetch failing while page k commits leaves page k and its cursor committed, and skips nothing", async () => {
    const outage = new Error("the gateway went away");
    const { adapter, handedOut } = numbered({
      onRequest: (n) => {
        if (n === 3) throw outage;
      },
    });
    expect(await poll(adapter).catch((e: unknown) => e)).toBe(outage);
    const [first, second] = handedOut as [OrderSheetPage, OrderSheetPage];
    expect(handedOut).toHaveLength(2);
    const boxes = new Set([...first.orders, ...second.orders].map((o) => String(o.value.shipmentBoxId)));
    expect(new Set((await dbState()).boxes.keys())).toEqual(boxes);
    expect((await committedCursor())?.nextToken).toBe(second.nextToken ?? null);

    const resumed = await syncOrderSheets({
      prisma,
      source: client(),
      vendorId: VENDOR.vendorId,
      config,
      trigger: "manual",
    });
    expect(resumed.plan?.resumed).toBe(true);
    expect((await dbState()).boxes).toEqual(truthState().boxes);
  });
});

describe("records Postgres cannot store", () => {
  afterEach(reset);

  it("are quarantined with a readable reason while the rest of the page is stored", async () => {
    const real = client();
    let tampered = false;
    const source: OrderSheetSource = {
      async *orderSheetPages(query, opts) {
        for await (const page of real.orderSheetPages(query, opts)) {
          if (tampered || page.orders.length < 3) {
            yield page;
            continue;
          }
          tampered = true;
          const poison = (i: number, path: "receiver" | "orderer", name: string) => {
            const record = page.orders[i]!;
            const raw = record.raw as Record<string, Record<string, unknown>>;
            const patched = { ...raw, [path]: { ...raw[path], name } };
            return { ...record, raw: patched, rawJson: stringifyJson(patched) };
          };
          // A NUL character, and an emoji cut in half: both pass validation, neither fits Postgres.
          yield {
            ...page,
            orders: [
              poison(0, "receiver", "김\u0000철수"),
              poison(1, "orderer", "이\uD83D"),
              ...page.orders.slice(2),
            ],
          };
        }
      },
    };
    const report = await syncOrderSheets({
      prisma,
      source,
      vendorId: VENDOR.vendorId,
      config,
      trigger: "manual",
    });
    expect(report.outcome).toBe("completed");
    expect(report.rejected).toBe(2);
    expect(report.boxesInserted).toBe(398);
    const q = await prisma.$queryRawUnsafe<Array<{ reason: string }>>(
      `SELECT reason FROM quarantined_records ORDER BY id`,
    );
    expect(q.map((r) => r.reason)).toEqual([
      "$.receiver.name: text with a NUL character or an unpaired surrogate, which Postgres cannot store",
      "$.orderer.name: text with a NUL character or an unpaired surrogate, which Postgres cannot store",
    ]);
  });
});

/** A source that applies `mutate` to one box wherever it is read (value and raw JSON alike). */
function mutating(
  real: CoupangClient,
  shipmentBoxId: string,
  mutate?: (o: { status: string }) => string,
): OrderSheetSource {
  return {
    async *orderSheetPages(query, opts) {
      for await (const page of real.orderSheetPages(query, opts)) {
        if (!mutate) {
          yield page;
          continue;
        }
        yield {
          ...page,
          orders: page.orders.map((record) => {
            if (String(record.value.shipmentBoxId) !== shipmentBoxId) return record;
            const value = { ...record.value };
            mutate(value);
            const raw = { ...(record.raw as Record<string, unknown>), status: value.status };
            return { value, raw, rawJson: stringifyJson(raw) };
          }),
        };
      }
    },
  };
}

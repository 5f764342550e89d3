import type pg from "pg";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { useTestDatabase } from "../../../../test/support/database.js";
import type { PrismaClient } from "../generated/prisma/client.js";
import { withTransaction } from "../transaction.js";
import { getCheckpoint, saveCheckpoint } from "./checkpoints.js";
import { quarantineRecords } from "./quarantine.js";
import { finishSyncRun, startSyncRun } from "./sync-runs.js";
import { ensureVendorAccount } from "./vendors.js";

const VENDOR = "A00012345";

const fixture = useTestDatabase({ poolSize: 4 });
let prisma: PrismaClient;
let sql: pg.Client;

beforeAll(() => {
  prisma = fixture.prisma;
  sql = fixture.sql;
});

beforeEach(async () => {
  await sql.query("TRUNCATE vendor_accounts, sync_checkpoints, sync_runs, quarantined_records CASCADE");
  await ensureVendorAccount(prisma, { vendorId: VENDOR, name: "test vendor" });
});

describe("ensureVendorAccount", () => {
  it("creates the vendor once, follows its configured name, and leaves `enabled` alone", async () => {
    await sql.query("UPDATE vendor_accounts SET enabled = false");
    const {
      rows: [before],
    } = await sql.query("SELECT xmin::text, updated_at FROM vendor_accounts");
    await ensureVendorAccount(prisma, { vendorId: VENDOR, name: "test vendor" });
    const {
      rows: [same],
    } = await sql.query("SELECT xmin::text, updated_at FROM vendor_accounts");
    expect(same).toEqual(before);

    await ensureVendorAccount(prisma, { vendorId: VENDOR, name: "renamed" });
    const rows = await prisma.vendorAccount.findMany();
    expect(rows).toMatchObject([{ vendorId: VENDOR, name: "renamed", enabled: false }]);
    await expect(ensureVendorAccount(prisma, { vendorId: "  ", name: null })).rejects.toThrow(TypeError);
  });
});

describe("checkpoints", () => {
  const t = (iso: string) => new Date(iso);

  it("returns null before the first save", async () => {
    expect(await getCheckpoint(prisma, VENDOR, "ordersheets")).toBeNull();
  });

  it("never moves synced_through backwards, replaces the cursor, and clears it with null", async () => {
    const cursor = { window: { from: "2026-11-29T00:00:00Z", to: "2026-11-29T00:10:00Z" }, page: "token-2" };
    const saved = await saveCheckpoint(prisma, {
      vendorId: VENDOR,
      stream: "ordersheets",
      syncedThrough: t("2026-11-29T00:00:00Z"),
      cursor,
    });
    expect(saved).toMatchObject({
      vendorId: VENDOR,
      stream: "ordersheets",
      syncedThrough: t("2026-11-29T00:00:00Z"),
      cursor,
    });

    const stale = await saveCheckpoint(prisma, {
      vendorId: VENDOR,
      stream: "ordersheets",
      syncedThrough: t("2026-11-28T00:00:00Z"),
      cursor: { page: "token-3" },
    });
    expect(stale).toMatchObject({ syncedThrough: t("2026-11-29T00:00:00Z"), cursor: { page: "token-3" } });

    await saveCheckpoint(prisma, {
      vendorId: VENDOR,
      stream: "ordersheets",
      syncedThrough: null,
      cursor: null,
    });
    expect(await getCheckpoint(prisma, VENDOR, "ordersheets")).toMatchObject({
      syncedThrough: t("2026-11-29T00:00:00Z"),
      cursor: null,
    });

    await saveCheckpoint(prisma, {
      vendorId: VENDOR,
      stream: "ordersheets",
      syncedThrough: t("2026-11-29T00:10:00Z"),
      cursor: null,
    });
    expect((await getCheckpoint(prisma, VENDOR, "ordersheets"))?.syncedThrough).toEqual(
      t("2026-11-29T00:10:00Z"),
    );
    // Streams are independent.
    expect(await getCheckpoint(prisma, VENDOR, "returnRequests")).toBeNull();
  });

  it("commits with the page's other writes, or not at all", async () => {
    const page = (fail: boolean) =>
      withTransaction(prisma, async (tx) => {
        await quarantineRecords(tx, [
          { vendorId: VENDOR, stream: "ordersheets", entityKey: "1", reason: "bad", raw: "{}" },
        ]);
        await saveCheckpoint(tx, {
          vendorId: VENDOR,
          stream: "ordersheets",
          syncedThrough: t("2026-11-29T01:00:00Z"),
          cursor: null,
        });
        if (fail) throw new Error("crash before commit");
      });
    await expect(page(true)).rejects.toThrow("crash before commit");
    expect(await getCheckpoint(prisma, VENDOR, "ordersheets")).toBeNull();
    expect((await sql.query("SELECT count(*)::int AS n FROM quarantined_records")).rows[0].n).toBe(0);
    await page(false);
    expect((await getCheckpoint(prisma, VENDOR, "ordersheets"))?.syncedThrough).toEqual(
      t("2026-11-29T01:00:00Z"),
    );
    expect((await sql.query("SELECT count(*)::int AS n FROM quarantined_records")).rows[0].n).toBe(1);
  });

  it("rejects an invalid Date", async () => {
    await expect(
      saveCheckpoint(prisma, {
        vendorId: VENDOR,
        stream: "x",
        syncedThrough: new Date("nope"),
        cursor: null,
      }),
    ).rejects.toThrow(RangeError);
  });
});

describe("sync runs", () => {
  it("records a run from start to finish", async () => {
    const plan = { windows: [{ status: "ACCEPT", from: "2026-11-29T00:00:00+09:00" }] };
    const id = await startSyncRun(prisma, {
      vendorId: VENDOR,
      stream: "ordersheets",
      trigger: "schedule",
      plan,
    });
    expect(typeof id).toBe("bigint");
    expect(await prisma.syncRun.findUniqueOrThrow({ where: { id } })).toMatchObject({
      status: "running",
      plan,
      finishedAt: null,
      windows: 0,
    });

    await finishSyncRun(prisma, id, {
      status: "partial",
      windows: 3,
      pages: 7,
      apiCalls: 9,
      rowsUpserted: 120,
      rowsRejected: 2,
      error: "slice 2026-11-29T00:10 failed",
    });
    const run = await prisma.syncRun.findUniqueOrThrow({ where: { id } });
    expect(run).toMatchObject({
      status: "partial",
      windows: 3,
      pages: 7,
      apiCalls: 9,
      rowsUpserted: 120,
      rowsRejected: 2,
      error: "slice 2026-11-29T00:10 failed",
    });
    expect(run.finishedAt!.getTime()).toBeGreaterThanOrEqual(run.startedAt.getTime());
  });

  it("refuses to finish a run twice, an unknown run, or negative counts", async () => {
    const id = await startSyncRun(prisma, {
      vendorId: VENDOR,
      stream: "ordersheets",
      trigger: "manual",
      plan: null,
    });
    const done = {
      status: "succeeded",
      windows: 1,
      pages: 1,
      apiCalls: 1,
      rowsUpserted: 0,
      rowsRejected: 0,
      error: null,
    } as const;
    await finishSyncRun(prisma, id, done);
    await expect(finishSyncRun(prisma, id, done)).rejects.toThrow(`No running sync run with id ${id}`);
    await expect(finishSyncRun(prisma, 999999999999999999n, done)).rejects.toThrow(/No running sync run/);
    await expect(finishSyncRun(prisma, id, { ...done, pages: -1 })).rejects.toThrow(RangeError);
  });
});

describe("quarantineRecords", () => {
  it("stores every rejected record as received, in one statement", async () => {
    const rows = [
      {
        vendorId: VENDOR,
        stream: "ordersheets",
        entityKey: "999999999999999999",
        reason: "status missing",
        raw: '{"shipmentBoxId":999999999999999999}',
      },
      {
        vendorId: VENDOR,
        stream: "returnRequests",
        entityKey: null,
        reason: "not JSON",
        raw: "<html>blocked</html>",
      },
    ];
    expect(await quarantineRecords(prisma, rows)).toBe(2);
    expect(await quarantineRecords(prisma, [])).toBe(0);
    const stored = await prisma.quarantinedRecord.findMany({ orderBy: { id: "asc" } });
    expect(
      stored.map(({ vendorId, stream, entityKey, reason, raw }) => ({
        vendorId,
        stream,
        entityKey,
        reason,
        raw,
      })),
    ).toEqual(rows);
    expect(stored[0]!.receivedAt).toBeInstanceOf(Date);
  });

  it("keeps a record read again once, and a changed version of it beside", async () => {
    const bad = {
      vendorId: VENDOR,
      stream: "exchangeRequests",
      entityKey: "100000018",
      reason: 'exchangeId: expected digits, got "100000018x"',
      raw: '{"exchangeId":"100000018x","status":"RECEIPT"}',
    };
    expect(await quarantineRecords(prisma, [bad, bad])).toBe(1);
    expect(await quarantineRecords(prisma, [bad])).toBe(0);
    const changed = { ...bad, raw: '{"exchangeId":"100000018x","status":"PROGRESS"}' };
    expect(await quarantineRecords(prisma, [bad, changed])).toBe(1);
    const kept = await prisma.quarantinedRecord.findMany({
      where: { stream: "exchangeRequests" },
      orderBy: { id: "asc" },
    });
    expect(kept.map((r) => r.raw)).toEqual([bad.raw, changed.raw]);
  });
});

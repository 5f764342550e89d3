import { beforeAll, describe, expect, it } from "vitest";
import { useTestDatabase } from "../../../../test/support/database.js";
import type { PrismaClient } from "../generated/prisma/client.js";
import { makeReturnRequest, makeReturnWithdrawal } from "../test-support/fixtures.js";
import { withTransaction } from "../transaction.js";
import {
  openReturnReceiptIds,
  returnWithdrawalCountsByDay,
  upsertReturnRequests,
  upsertReturnWithdrawals,
} from "./returns.js";
import { ensureVendorAccount } from "./vendors.js";

const VENDOR = "A00012345";
const OTHER = "A00054321";

const fixture = useTestDatabase();
let prisma: PrismaClient;

/** A KST wall-clock time as an instant. */
const kst = (s: string) => new Date(`${s}+09:00`);

beforeAll(async () => {
  prisma = fixture.prisma;
  for (const vendorId of [VENDOR, OTHER]) await ensureVendorAccount(prisma, { vendorId, name: null });
  const r = (id: bigint, requestedAt: string, o: Parameters<typeof makeReturnRequest>[1] = {}) =>
    makeReturnRequest(id, { requestedAt: kst(requestedAt), ...o });
  await withTransaction(prisma, async (tx) => {
    await upsertReturnRequests(tx, [
      // 2025-03-09 KST: the first second and the last.
      r(11n, "2025-03-09T00:00:00"),
      r(12n, "2025-03-09T23:59:59", { receiptStatus: "RELEASE_STOP_UNCHECKED" }),
      // 2025-03-10 KST (15:00 UTC the day before): open, completed, an instant cancel, withdrawn.
      r(21n, "2025-03-10T00:00:00", { receiptStatus: "VENDOR_WAREHOUSE_CONFIRM" }),
      r(22n, "2025-03-10T09:00:00", { receiptStatus: "RETURNS_COMPLETED" }),
      r(23n, "2025-03-10T10:00:00", { receiptType: "CANCEL", receiptStatus: "RETURNS_COMPLETED" }),
      r(24n, "2025-03-10T11:00:00"),
      r(25n, "2025-03-10T12:00:00", { receiptType: null, receiptStatus: "REQUEST_COUPANG_CHECK" }),
      r(26n, "2025-03-10T13:00:00"),
      // Another vendor's receipt on the same day.
      r(31n, "2025-03-10T14:00:00", { vendorId: OTHER }),
    ]);
    await upsertReturnWithdrawals(tx, [
      makeReturnWithdrawal(24n, { withdrawnAt: kst("2025-03-11T08:00:00") }),
      makeReturnWithdrawal(99n, { withdrawnAt: kst("2025-03-11T23:59:59") }),
      makeReturnWithdrawal(98n, { withdrawnAt: kst("2025-03-12T00:00:00") }),
    ]);
  });
});

describe("the withdrawn-returns stream's queries", () => {
  it("counts withdrawals per KST day of withdrawal and open receipts per KST day of request", async () => {
    expect(await returnWithdrawalCountsByDay(prisma, VENDOR, kst("2025-03-01T00:00:00"))).toEqual([
      { day: "2025-03-09", withdrawals: 0, openReceipts: 2 },
      { day: "2025-03-10", withdrawals: 0, openReceipts: 3 },
      { day: "2025-03-11", withdrawals: 2, openReceipts: 0 },
      { day: "2025-03-12", withdrawals: 1, openReceipts: 0 },
    ]);
    expect(await returnWithdrawalCountsByDay(prisma, VENDOR, kst("2025-03-10T00:00:01"))).toEqual([
      { day: "2025-03-10", withdrawals: 0, openReceipts: 2 },
      { day: "2025-03-11", withdrawals: 2, openReceipts: 0 },
      { day: "2025-03-12", withdrawals: 1, openReceipts: 0 },
    ]);
  });

  it("lists the open receipts of KST days by receiptId, after a given one, a chunk at a time", async () => {
    const ids = (fromDay: string, toDay: string, after: bigint | null, limit = 50) =>
      openReturnReceiptIds(prisma, VENDOR, { fromDay, toDay, after, limit });
    expect(await ids("2025-03-10", "2025-03-10", null)).toEqual([21n, 25n, 26n]);
    expect(await ids("2025-03-09", "2025-03-10", null)).toEqual([11n, 12n, 21n, 25n, 26n]);
    expect(await ids("2025-03-09", "2025-03-10", null, 2)).toEqual([11n, 12n]);
    expect(await ids("2025-03-09", "2025-03-10", 12n, 2)).toEqual([21n, 25n]);
    expect(await ids("2025-03-09", "2025-03-10", 26n)).toEqual([]);
    expect(await ids("2025-03-11", "2025-03-17", null)).toEqual([]);
    expect(
      await openReturnReceiptIds(prisma, OTHER, {
        fromDay: "2025-03-10",
        toDay: "2025-03-10",
        after: null,
        limit: 50,
      }),
    ).toEqual([31n]);
  });
});

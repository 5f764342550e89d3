import { beforeAll, describe, expect, it } from "vitest";
import { useTestDatabase } from "../../../../test/support/database.js";
import type { PrismaClient } from "../generated/prisma/client.js";
import {
  dueFailedSlices,
  FAILED_SLICE_RETRY,
  listFailedSlices,
  recordFailedSlice,
  resolveFailedSlices,
  type FailedSliceInput,
} from "./failed-slices.js";
import { ensureVendorAccount } from "./vendors.js";

const VENDOR = "A00012345";
const MINUTE = 60_000;
const t0 = Date.parse("2025-03-10T03:00:00Z");
const at = (minutes: number) => new Date(t0 + minutes * MINUTE);

const fixture = useTestDatabase({ poolSize: 2 });
let prisma: PrismaClient;

beforeAll(async () => {
  prisma = fixture.prisma;
  await ensureVendorAccount(prisma, { vendorId: VENDOR, name: null });
});

const failure = (o: Partial<FailedSliceInput> = {}): FailedSliceInput => ({
  vendorId: VENDOR,
  stream: "ordersheets",
  status: "ACCEPT",
  createdAtFrom: "2025-03-05",
  createdAtTo: "2025-03-05",
  errorKind: "invalid_payload",
  errorMessage: "loop",
  at: at(0),
  ...o,
});

describe("failed slices", () => {
  it("counts repeated failures on one row, backing off from 5 min doubling to at most 6 h, and reopens a resolved slice", async () => {
    const first = await recordFailedSlice(prisma, failure());
    expect(first).toMatchObject({
      attempts: 1,
      firstFailedAt: at(0),
      lastFailedAt: at(0),
      nextRetryAt: at(5),
    });

    const waits: number[] = [];
    for (let n = 2; n <= 9; n++) {
      const row = await recordFailedSlice(
        prisma,
        failure({ at: at(100 * n), errorKind: "retryable", errorMessage: "\u0000x" }),
      );
      expect(row).toMatchObject({
        id: first.id,
        attempts: n,
        firstFailedAt: at(0),
        lastFailedAt: at(100 * n),
      });
      waits.push((row.nextRetryAt.getTime() - row.lastFailedAt.getTime()) / MINUTE);
    }
    expect(waits).toEqual([10, 20, 40, 80, 160, 320, 360, 360]);
    expect(FAILED_SLICE_RETRY.maxMs).toBe(360 * MINUTE);
    const [open] = await listFailedSlices(prisma);
    expect(open).toMatchObject({ errorKind: "retryable", errorMessage: "\\u0000x", resolvedAt: null });

    expect(await dueFailedSlices(prisma, VENDOR, "ordersheets", at(900 + 359))).toEqual([]);
    expect((await dueFailedSlices(prisma, VENDOR, "ordersheets", at(900 + 360))).map((s) => s.id)).toEqual([
      first.id,
    ]);

    // A read of another status, or of days that do not hold the whole slice, resolves nothing.
    const read = { vendorId: VENDOR, stream: "ordersheets", at: at(1000) };
    expect(
      await resolveFailedSlices(prisma, {
        ...read,
        status: "INSTRUCT",
        createdAtFrom: "2025-03-01",
        createdAtTo: "2025-03-31",
      }),
    ).toBe(0);
    expect(
      await resolveFailedSlices(prisma, {
        ...read,
        status: "ACCEPT",
        createdAtFrom: "2025-03-06",
        createdAtTo: "2025-03-31",
      }),
    ).toBe(0);
    expect(
      await resolveFailedSlices(prisma, {
        ...read,
        status: "ACCEPT",
        createdAtFrom: "2025-03-01",
        createdAtTo: "2025-03-05",
      }),
    ).toBe(1);
    expect(await listFailedSlices(prisma)).toEqual([]);
    expect(await dueFailedSlices(prisma, VENDOR, "ordersheets", at(10_000))).toEqual([]);
    const [resolved] = await listFailedSlices(prisma, { vendorId: VENDOR, openOnly: false });
    expect(resolved).toMatchObject({ attempts: 9, resolvedAt: at(1000) });

    const reopened = await recordFailedSlice(prisma, failure({ at: at(2000) }));
    expect(reopened).toMatchObject({
      id: first.id,
      attempts: 1,
      firstFailedAt: at(2000),
      nextRetryAt: at(2005),
      resolvedAt: null,
    });
  });

  it("lists open slices before resolved ones, filtered by vendor and stream", async () => {
    await recordFailedSlice(prisma, failure({ stream: "returnRequests", status: "UC" }));
    const other = await recordFailedSlice(prisma, failure({ status: "INSTRUCT" }));
    await resolveFailedSlices(prisma, { ...other, at: at(1) });
    const all = await listFailedSlices(prisma, { openOnly: false });
    expect(all.map((s) => `${s.stream} ${s.status} ${s.resolvedAt === null ? "open" : "resolved"}`)).toEqual([
      "ordersheets ACCEPT open",
      "returnRequests UC open",
      "ordersheets INSTRUCT resolved",
    ]);
    expect((await listFailedSlices(prisma, { stream: "returnRequests" })).map((s) => s.status)).toEqual([
      "UC",
    ]);
    expect(await listFailedSlices(prisma, { vendorId: "A00000000" })).toEqual([]);
  });
});

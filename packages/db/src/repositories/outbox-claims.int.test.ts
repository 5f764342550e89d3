import { beforeAll, describe, expect, it } from "vitest";
import { useTestDatabase } from "../../../../test/support/database.js";
import { claimOutboxCommands, recordOutboxAttempts } from "./outbox.js";
import { ensureVendorAccount } from "./vendors.js";

// A drainer that dies after claiming a command and before any call (a crash loop, issue 9's
// crash harness) must not spend the command's tries: only a claim that logged a call counts.

const VENDOR = "A00093030";
const LEASE_MS = 5_000;
const fixture = useTestDatabase();

beforeAll(async () => {
  await ensureVendorAccount(fixture.prisma, { vendorId: VENDOR, name: null });
});

describe("claimOutboxCommands taking over an expired claim", () => {
  it("counts a try only when the dead claim logged a call", async () => {
    const [{ id }] = (await fixture.prisma.$queryRawUnsafe<Array<{ id: bigint }>>(
      `INSERT INTO outbox_commands (vendor_id, kind, shipment_box_id, order_id, payload, created_by)
       VALUES ($1, 'UPLOAD_INVOICE', 300000000000000001, 9000000000001,
               '{"deliveryCompanyCode": "CJGLS", "invoiceNumber": "770000000001"}', 'test')
       RETURNING id`,
      VENDOR,
    )) as [{ id: bigint }];
    const t0 = Date.now();
    const claim = (atMs: number) =>
      claimOutboxCommands(fixture.prisma, {
        vendorId: VENDOR,
        now: new Date(atMs),
        from: ["pending", "in_flight", "unknown"],
        kinds: ["UPLOAD_INVOICE"],
        limit: 10,
        leaseMs: LEASE_MS,
      });
    const attempts = async () =>
      (
        await fixture.prisma.$queryRawUnsafe<Array<{ n: number }>>(
          `SELECT attempts AS n FROM outbox_commands WHERE id = $1`,
          id,
        )
      )[0]?.n;

    expect((await claim(t0)).map((c) => c.previousStatus)).toEqual(["pending"]);
    expect(await attempts()).toBe(1);
    // Still leased: nobody takes it.
    expect(await claim(t0 + LEASE_MS - 1)).toEqual([]);
    // Three drainers in a row die before any call: the first claim's try stands for them all.
    for (let k = 1; k <= 3; k++) {
      expect((await claim(t0 + k * (LEASE_MS + 1))).map((c) => c.previousStatus)).toEqual(["in_flight"]);
      expect(await attempts()).toBe(1);
    }
    // The next one logs a call before it dies: whoever takes over makes a new try.
    const called = t0 + 3 * (LEASE_MS + 1) + 100;
    await recordOutboxAttempts(fixture.prisma, [
      {
        commandId: id,
        startedAt: new Date(called),
        finishedAt: new Date(called + 50),
        request: { endpoint: "orders/invoices" },
        outcome: "unknown",
        resultCode: null,
        resultMessage: null,
        httpStatus: null,
      },
    ]);
    expect((await claim(t0 + 4 * (LEASE_MS + 1))).map((c) => c.previousStatus)).toEqual(["in_flight"]);
    expect(await attempts()).toBe(2);
  });
});

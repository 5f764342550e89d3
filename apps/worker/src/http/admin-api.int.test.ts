import { randomBytes } from "node:crypto";
import Fastify, { type FastifyInstance } from "fastify";
import swagger from "@fastify/swagger";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Simulator } from "@cos/coupang-sim";
import { formatKstDate } from "@cos/coupang";
import { transitionOutboxCommand } from "@cos/db";
import { enqueueCommand } from "@cos/outbox";
import { STREAM_NAMES } from "@cos/sync";
import { startWorker, type WorkerApp } from "../app.js";
import { loadConfig } from "../config.js";
import { createLogger } from "../logger.js";
import { adminApi } from "./admin-api.js";
import { AJV_OPTIONS } from "./errors.js";
import { JOBS } from "@cos/queue";
import { createTestDatabase, type TestDatabase } from "../../../../test/support/postgres.js";
import { simulatorFor, workerEnv } from "../../../../test/support/worker-env.js";

const VENDOR = { vendorId: "A00077001", accessKey: "ak-admin", secretKey: "sk-admin" };
const DAY = 86_400_000;
/** 18 digits: a JS number would lose the last ones. */
const BOX = "300000000000012345";

let sim: Simulator;
let db: TestDatabase;
let app: WorkerApp;
let server: FastifyInstance;

beforeAll(async () => {
  sim = await simulatorFor(VENDOR, { seed: 17, orders: 40, days: 3 });
  db = await createTestDatabase();
  app = await startWorker(
    loadConfig(
      workerEnv(
        { db, sim, vendor: VENDOR, queuePrefix: `a${randomBytes(3).toString("hex")}` },
        {
          COUPANG_VENDOR_NAME: "Admin Test",
          COUPANG_REQUESTS_PER_SECOND: "10",
          SYNC_POLL_INTERVAL_SECONDS: "3600",
          SYNC_BACKFILL_DAYS: "2",
        },
      ),
    ),
    createLogger("silent"),
  );
  // As the worker's server builds it (server.ts): unknown fields are refused, not dropped.
  server = Fastify({ ajv: AJV_OPTIONS });
  await server.register(swagger, { openapi: { info: { title: "test", version: "0" } } });
  await server.register(adminApi, { prisma: app.prisma, app });
  await server.ready();
}, 120_000);
afterAll(async () => {
  await server?.close();
  await app?.close();
  await sim?.close();
  await db?.drop();
});

/** A request's status and JSON body. */
async function call(method: "GET" | "POST" | "DELETE", url: string, payload?: unknown) {
  const res = await server.inject({
    method,
    url,
    // A string is sent as it is: JSON text a JS object could not hold.
    ...(payload === undefined
      ? {}
      : typeof payload === "string"
        ? { payload, headers: { "content-type": "application/json" } }
        : { payload: payload as object }),
  });
  const body = res.json();
  return { status: res.statusCode, body };
}

const upload = {
  kind: "UPLOAD_INVOICE",
  vendorId: VENDOR.vendorId,
  shipmentBoxId: BOX,
  orderId: "900000000000000001",
  deliveryCompanyCode: "CJGLS",
  invoiceNumber: "123456789012",
};

/** A command stored now but due in a day, so the worker's drain leaves it alone meanwhile. */
async function parked(box: bigint) {
  const { command } = await enqueueCommand(
    app.prisma,
    { kind: "ACKNOWLEDGE", vendorId: VENDOR.vendorId, shipmentBoxId: box, orderId: box, createdBy: "test" },
    { now: new Date(Date.now() + DAY) },
  );
  return command;
}

describe("the admin API", () => {
  it("lists the vendors and their status per stream", async () => {
    const vendors = await call("GET", "/api/v1/vendors");
    expect(vendors.status).toBe(200);
    expect(vendors.body.vendors).toEqual([
      { vendorId: VENDOR.vendorId, name: "Admin Test", enabled: true, createdAt: expect.any(String) },
    ]);
    const status = await call("GET", `/api/v1/status?vendorId=${VENDOR.vendorId}`);
    expect(status.status).toBe(200);
    expect(status.body.vendors).toHaveLength(1);
    expect(status.body.vendors[0].streams).toEqual(
      STREAM_NAMES.map((stream): unknown => expect.objectContaining({ stream })),
    );
    expect(status.body.vendors[0].outbox.counts).toMatchObject({ pending: expect.any(Number), dead: 0 });
    expect(await call("GET", "/api/v1/status?vendorId=A00000404")).toEqual({
      status: 404,
      body: {
        error: { code: "not_found", message: "vendorId: A00000404 is not a known vendor (vendor_accounts)" },
      },
    });
  });

  it("enqueues a command through the worker once, with every digit of its IDs", async () => {
    const first = await call("POST", "/api/v1/commands", upload);
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({
      created: true,
      command: {
        kind: "UPLOAD_INVOICE",
        shipmentBoxId: BOX,
        orderId: "900000000000000001",
        vendorItemId: null,
        payload: { deliveryCompanyCode: "CJGLS", invoiceNumber: "123456789012" },
        createdBy: "admin-api",
        dedupeKey: `UPLOAD_INVOICE:${BOX}::123456789012`,
      },
    });
    const again = await call("POST", "/api/v1/commands", upload);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ created: false, command: { id: first.body.command.id } });

    const shown = await call("GET", `/api/v1/commands/${first.body.command.id}`);
    expect(shown.status).toBe(200);
    expect(shown.body).toMatchObject({ id: first.body.command.id, shipmentBoxId: BOX });
    expect(Array.isArray(shown.body.attemptLog)).toBe(true);
  });

  it("refuses a bad command with 400, naming the field", async () => {
    expect(await call("POST", "/api/v1/commands", { ...upload, deliveryCompanyCode: "ACME" })).toMatchObject({
      status: 400,
      body: { error: { code: "invalid", message: expect.stringContaining("deliveryCompanyCode") } },
    });
    // The box as a JSON number: parsed, it is already another box.
    const numeric = JSON.stringify(upload).replace(`"${BOX}"`, BOX);
    expect(await call("POST", "/api/v1/commands", numeric)).toEqual({
      status: 400,
      body: {
        error: {
          code: "invalid",
          message:
            "shipmentBoxId: send IDs as strings of digits (a JSON number loses digits past 2^53), got 300000000000012350",
        },
      },
    });
    const { orderId: _, ...noOrder } = upload;
    expect(await call("POST", "/api/v1/commands", noOrder)).toMatchObject({
      status: 400,
      body: { error: { code: "invalid", message: expect.stringContaining("orderId") } },
    });
    expect(await call("POST", "/api/v1/commands", { ...upload, vendorId: "A00000404" })).toMatchObject({
      status: 400,
      body: { error: { code: "invalid", message: expect.stringContaining("A00000404") } },
    });
  });

  it("lists commands newest first, page by page, and refuses an unknown status", async () => {
    const a = await parked(11n);
    const b = await parked(12n);
    const page = await call("GET", `/api/v1/commands?vendorId=${VENDOR.vendorId}&limit=1`);
    expect(page.status).toBe(200);
    expect(page.body.commands).toEqual([expect.objectContaining({ id: b.id.toString() })]);
    expect(page.body.nextBeforeId).toBe(b.id.toString());
    const next = await call("GET", `/api/v1/commands?vendorId=${VENDOR.vendorId}&limit=1&beforeId=${b.id}`);
    expect(next.body.commands).toEqual([expect.objectContaining({ id: a.id.toString() })]);
    expect(await call("GET", "/api/v1/commands?status=lost")).toMatchObject({
      status: 400,
      body: { error: { code: "invalid", message: expect.stringContaining("status") } },
    });
    expect(await call("GET", "/api/v1/commands?limit=5000")).toMatchObject({ status: 400 });
  });

  it("answers 404 for an unknown command and 400 for an id that is not one", async () => {
    expect(await call("GET", "/api/v1/commands/999999")).toEqual({
      status: 404,
      body: { error: { code: "not_found", message: "command 999999 does not exist" } },
    });
    expect((await call("GET", "/api/v1/commands/abc")).status).toBe(400);
  });

  it("refuses an ID past int64 with 400 naming the field and the value, on every route that takes one", async () => {
    const refused = (field: string, value: string) => ({
      status: 400,
      body: {
        error: {
          code: "invalid",
          message: `${field}: expected a decimal ID from 1 to 9223372036854775807, got "${value}"`,
        },
      },
    });
    // 2^63, the largest 19-digit number, and 0.
    for (const value of ["9223372036854775808", "9999999999999999999", "0", "abc"]) {
      const at = encodeURIComponent(value);
      expect(await call("GET", `/api/v1/commands/${at}`)).toEqual(refused("id", value));
      expect(await call("POST", `/api/v1/commands/${at}/retry`)).toEqual(refused("id", value));
      expect(await call("POST", `/api/v1/commands/${at}/cancel`)).toEqual(refused("id", value));
      expect(await call("GET", `/api/v1/resyncs/${at}`)).toEqual(refused("id", value));
      expect(await call("DELETE", `/api/v1/resyncs/${at}`)).toEqual(refused("id", value));
      expect(await call("GET", `/api/v1/commands?beforeId=${at}`)).toEqual(refused("beforeId", value));
    }
    // The largest ID there is: a well-formed ID of nothing.
    expect((await call("GET", "/api/v1/commands/9223372036854775807")).status).toBe(404);
    expect((await call("GET", "/api/v1/commands?beforeId=9223372036854775807")).status).toBe(200);
    const box = await call("POST", "/api/v1/commands", { ...upload, shipmentBoxId: "9999999999999999999" });
    expect(box).toMatchObject({
      status: 400,
      body: {
        error: { code: "invalid", message: expect.stringContaining('shipmentBoxId "9999999999999999999"') },
      },
    });
  });

  it("refuses an unknown field with 400 naming it, in a body or a query", async () => {
    expect(await call("POST", "/api/v1/commands", { ...upload, invoiceNumbr: "1" })).toEqual({
      status: 400,
      body: { error: { code: "invalid", message: "invoiceNumbr: unknown field" } },
    });
    expect(
      await call("POST", "/api/v1/commands", {
        ...upload,
        items: [{ vendorItemId: "1", receiptCount: 1, qty: 2 }],
      }),
    ).toEqual({
      status: 400,
      body: { error: { code: "invalid", message: "items.0.qty: unknown field" } },
    });
    const parkedOne = await parked(41n);
    expect(
      await call("POST", `/api/v1/commands/${parkedOne.id}/cancel`, { reason: "x", force: true }),
    ).toEqual({
      status: 400,
      body: { error: { code: "invalid", message: "force: unknown field" } },
    });
    expect(
      await call("POST", "/api/v1/resyncs", {
        vendorId: VENDOR.vendorId,
        from: "2026-01-01",
        to: "2026-01-02",
        stream: ["ordersheets"],
      }),
    ).toEqual({ status: 400, body: { error: { code: "invalid", message: "stream: unknown field" } } });
    expect(await call("GET", `/api/v1/commands?vendor=${VENDOR.vendorId}`)).toEqual({
      status: 400,
      body: { error: { code: "invalid", message: "vendor: unknown field" } },
    });
    expect(await call("GET", `/api/v1/status?vendor=${VENDOR.vendorId}`)).toMatchObject({ status: 400 });
    const { orderId: _, ...noOrder } = upload;
    expect(await call("POST", "/api/v1/commands", noOrder)).toEqual({
      status: 400,
      body: { error: { code: "invalid", message: "orderId: required" } },
    });
    // Nothing was stored by the refused ones.
    const [row] = await app.prisma.$queryRawUnsafe<Array<{ n: bigint }>>(
      `SELECT count(*) AS n FROM outbox_commands WHERE payload->>'invoiceNumber' = '1'`,
    );
    expect(row!.n).toBe(0n);
  });

  it("answers a failure with 500 internal error, never with the database's message", async () => {
    // A real fault: the table the route reads is gone for a moment.
    await app.prisma.$executeRawUnsafe("ALTER TABLE resyncs RENAME TO resyncs_away");
    try {
      expect(await call("GET", "/api/v1/resyncs/1")).toEqual({
        status: 500,
        body: { error: { code: "internal", message: "internal error" } },
      });
    } finally {
      await app.prisma.$executeRawUnsafe("ALTER TABLE resyncs_away RENAME TO resyncs");
    }
  });

  it("retries a dead command once, and 409s a command that is not dead", async () => {
    const command = await parked(21n);
    await transitionOutboxCommand(app.prisma, {
      id: command.id,
      from: ["pending"],
      to: "dead",
      now: new Date(),
      final: true,
    });
    const retried = await call("POST", `/api/v1/commands/${command.id}/retry`);
    expect(retried).toMatchObject({ status: 200, body: { command: { status: "unknown", attempts: 0 } } });
    const again = await call("POST", `/api/v1/commands/${command.id}/retry`);
    expect(again).toMatchObject({ status: 409, body: { error: { code: "conflict" } } });
    expect((await call("POST", "/api/v1/commands/999999/retry")).status).toBe(404);
  });

  it("cancels a pending command with the reason given", async () => {
    const command = await parked(31n);
    const cancelled = await call("POST", `/api/v1/commands/${command.id}/cancel`, {
      reason: "duplicate order",
    });
    expect(cancelled).toMatchObject({
      status: 200,
      body: {
        command: { status: "cancelled", lastResultCode: "CANCELLED", lastResultMessage: "duplicate order" },
      },
    });
    expect((await call("POST", `/api/v1/commands/${command.id}/cancel`)).status).toBe(409);
    expect((await call("POST", "/api/v1/commands/999999/cancel")).status).toBe(404);
  });

  it("starts a resync through the worker, shows its progress and cancels it", async () => {
    const today = formatKstDate(new Date());
    const from = formatKstDate(new Date(Date.now() - 30 * DAY));
    const started = await call("POST", "/api/v1/resyncs", {
      vendorId: VENDOR.vendorId,
      streams: ["ordersheets"],
      from,
      to: today,
      daysPerWindow: 1,
    });
    expect(started.status).toBe(201);
    // 31 KST days, one window each.
    expect(started.body).toMatchObject({
      created: true,
      resync: { vendorId: VENDOR.vendorId, streams: ["ordersheets"], windowsTotal: 31, status: "running" },
    });
    const id = started.body.resync.id as string;
    const progress = await call("GET", `/api/v1/resyncs/${id}`);
    expect(progress).toMatchObject({ status: 200, body: { id, byStream: { ordersheets: { windows: 31 } } } });
    const cancelled = await call("DELETE", `/api/v1/resyncs/${id}`);
    expect(cancelled).toMatchObject({ status: 200, body: { id, status: "cancelled" } });
    // Its windows left the queue (the one a worker may hold ends without a call by itself).
    const resyncQueue = app.queues.find((q) => q.queue.name === JOBS.resyncWindow.queue)!.queue;
    const queued = await resyncQueue.getJobCounts("waiting", "prioritized", "delayed");
    expect(queued).toEqual({ waiting: 0, prioritized: 0, delayed: 0 });
    expect((await call("GET", "/api/v1/resyncs/999999")).status).toBe(404);
    expect((await call("DELETE", "/api/v1/resyncs/999999")).status).toBe(404);
  });

  it("refuses a bad resync, naming the field", async () => {
    expect(
      await call("POST", "/api/v1/resyncs", {
        vendorId: VENDOR.vendorId,
        from: "1900-01-01",
        to: "2026-11-20",
      }),
    ).toEqual({
      status: 400,
      body: {
        error: {
          code: "invalid",
          message:
            "from: a resync covers at most 366 KST days; expected 2025-11-20 or later for a range ending 2026-11-20, got 1900-01-01 (KST)",
        },
      },
    });
    const body = { vendorId: VENDOR.vendorId, from: "2026-13-01", to: "2026-01-02" };
    expect(await call("POST", "/api/v1/resyncs", body)).toMatchObject({
      status: 400,
      body: { error: { code: "invalid", message: expect.stringMatching(/^from: expected a KST day/) } },
    });
    expect(
      await call("POST", "/api/v1/resyncs", { ...body, from: "2026-01-01", streams: ["refunds"] }),
    ).toMatchObject({ status: 400, body: { error: { message: expect.stringContaining("streams") } } });
    expect(
      await call("POST", "/api/v1/resyncs", { ...body, from: "2026-01-01", vendorId: "A00000404" }),
    ).toMatchObject({
      status: 400,
      body: { error: { message: "vendorId: A00000404 is not configured in this worker" } },
    });
  });

  it("is described in the OpenAPI document", () => {
    const doc = server.swagger() as { paths: Record<string, Record<string, unknown>> };
    expect(Object.keys(doc.paths).sort()).toEqual([
      "/api/v1/commands",
      "/api/v1/commands/{id}",
      "/api/v1/commands/{id}/cancel",
      "/api/v1/commands/{id}/retry",
      "/api/v1/resyncs",
      "/api/v1/resyncs/{id}",
      "/api/v1/status",
      "/api/v1/vendors",
    ]);
    expect(Object.keys(doc.paths["/api/v1/commands"]!).sort()).toEqual(["get", "post"]);
    expect(Object.keys(doc.paths["/api/v1/resyncs/{id}"]!).sort()).toEqual(["delete", "get"]);
  });
});

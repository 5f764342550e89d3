import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { CoupangClient } from "@cos/coupang";
import {
  ensureVendorAccount,
  finishSyncRun,
  quarantineRecords,
  recordFailedSlice,
  recordOutboxAttempts,
  recordReconcileGap,
  saveCheckpoint,
  startSyncRun,
  transitionOutboxCommand,
} from "@cos/db";
import {
  createQueueFactory,
  JOBS,
  resyncJobId,
  type JobData,
  type QueueFactory,
  type QueueHandle,
} from "@cos/queue";
import { ResyncRequestError, STREAM_NAMES } from "@cos/sync";
import {
  cancelCommand,
  enqueueCommand,
  getCommand,
  listCommands,
  listVendors,
  opsErrorOf,
  OpsError,
  parseRangeEnd,
  rearmCommand,
  requestResync,
  resyncStatus,
  stopResync,
  toJson,
  vendorStatus,
} from "./index.js";
import { useTestDatabase } from "../../../test/support/database.js";

const A = "A00070001";
const B = "A00070002";
const SECOND = 1000;
const DAY = 86_400_000;
const db = useTestDatabase();

/** Acknowledges box `box` of vendor `vendorId` (order = box + 1). */
const ack = (vendorId: string, box: bigint) =>
  enqueueCommand(db.prisma, {
    kind: "ACKNOWLEDGE",
    vendorId,
    shipmentBoxId: box,
    orderId: box + 1n,
    createdBy: "ops-test",
  });

beforeAll(async () => {
  await ensureVendorAccount(db.prisma, { vendorId: B, name: "Bee" });
  await ensureVendorAccount(db.prisma, { vendorId: A, name: "Ay" });
});

describe("vendorStatus", () => {
  const now = new Date("2026-11-20T12:00:00Z");

  beforeAll(async () => {
    const { prisma } = db;
    // ordersheets of A: a succeeded run, then a failed one (the last run), and its checkpoint.
    const ok = await startSyncRun(prisma, {
      vendorId: A,
      stream: "ordersheets",
      trigger: "schedule",
      plan: null,
    });
    await finishSyncRun(prisma, ok, {
      status: "succeeded",
      windows: 1,
      pages: 1,
      apiCalls: 1,
      rowsUpserted: 3,
      rowsRejected: 0,
      error: null,
    });
    const failed = await startSyncRun(prisma, {
      vendorId: A,
      stream: "ordersheets",
      trigger: "schedule",
      plan: null,
    });
    await finishSyncRun(prisma, failed, {
      status: "failed",
      windows: 0,
      pages: 0,
      apiCalls: 1,
      rowsUpserted: 0,
      rowsRejected: 0,
      error: "gateway timeout",
    });
    await saveCheckpoint(prisma, {
      vendorId: A,
      stream: "ordersheets",
      syncedThrough: new Date(now.getTime() - 300 * SECOND),
      cursor: null,
    });
    // Two failed slices of returnRequests, one of them resolved since.
    for (const day of ["2026-11-01", "2026-11-02"])
      await recordFailedSlice(prisma, {
        vendorId: A,
        stream: "returnRequests",
        status: "UC",
        createdAtFrom: day,
        createdAtTo: day,
        errorKind: "server",
        errorMessage: "503",
        at: now,
      });
    await prisma.$executeRawUnsafe(
      `UPDATE sync_failed_slices SET resolved_at = now() WHERE created_at_from = '2026-11-02'`,
    );
    await quarantineRecords(prisma, [
      { vendorId: A, stream: "exchangeRequests", entityKey: "1", reason: "bad", raw: "{}" },
      { vendorId: A, stream: "exchangeRequests", entityKey: "2", reason: "bad", raw: "{}" },
    ]);
    await recordReconcileGap(prisma, {
      vendorId: A,
      stream: "ordersheets",
      day: "2026-11-10",
      status: "ACCEPT",
      remoteCount: 5,
      localCount: 4,
      at: now,
    });
    // Outbox of A: two pending (created, and due, 90 s and 30 s before now), one dead.
    for (const [box, age] of [
      [100n, 90],
      [200n, 30],
      [300n, 10],
    ] as const) {
      const { command } = await ack(A, box);
      await prisma.$executeRawUnsafe(
        `UPDATE outbox_commands SET created_at = $2::timestamptz, next_attempt_at = $2::timestamptz WHERE id = $1`,
        command.id,
        new Date(now.getTime() - age * SECOND),
      );
      if (box === 300n)
        await transitionOutboxCommand(prisma, {
          id: command.id,
          from: ["pending"],
          to: "dead",
          now,
          final: true,
        });
    }
  });

  it("reports every stream of every vendor with its freshness, backlog and outbox", async () => {
    const report = await vendorStatus(db.prisma, { now });
    expect(report.generatedAt).toEqual(now);
    expect(report.vendors.map((v) => [v.vendorId, v.name])).toEqual([
      [A, "Ay"],
      [B, "Bee"],
    ]);
    const [a, b] = report.vendors;
    expect(a!.streams.map((s) => s.stream)).toEqual([...STREAM_NAMES]);
    const orders = a!.streams[0]!;
    expect(orders).toMatchObject({
      stream: "ordersheets",
      syncedThrough: new Date(now.getTime() - 300 * SECOND),
      lagSeconds: 300,
      lastRun: { status: "failed", error: "gateway timeout" },
      failedSlicesOpen: 0,
      quarantined: 0,
      reconcileGapsOpen: 1,
    });
    expect(orders.lastSuccessAt).toBeInstanceOf(Date);
    expect(orders.lastRun!.finishedAt!.getTime()).toBeGreaterThanOrEqual(orders.lastSuccessAt!.getTime());
    expect(a!.streams[1]).toMatchObject({
      stream: "returnRequests",
      lastSuccessAt: null,
      syncedThrough: null,
      lagSeconds: null,
      lastRun: null,
      failedSlicesOpen: 1,
    });
    expect(a!.streams[2]).toMatchObject({ stream: "exchangeRequests", quarantined: 2, failedSlicesOpen: 0 });
    expect(a!.outbox).toEqual({
      counts: { pending: 2, in_flight: 0, succeeded: 0, rejected: 0, unknown: 0, dead: 1, cancelled: 0 },
      oldestPendingAgeSeconds: 90,
      oldestDueAgeSeconds: 90,
      oldestAgeSeconds: {
        pending: 90,
        in_flight: null,
        succeeded: null,
        rejected: null,
        unknown: null,
        dead: 10,
        cancelled: null,
      },
    });
    // B has nothing yet: every stream empty, no commands.
    expect(b!.streams.every((s) => s.lastRun === null && s.lagSeconds === null && s.quarantined === 0)).toBe(
      true,
    );
    expect(b!.outbox.oldestPendingAgeSeconds).toBeNull();
    expect(b!.outbox.oldestDueAgeSeconds).toBeNull();
    expect(Object.values(b!.outbox.counts)).toEqual([0, 0, 0, 0, 0, 0, 0]);
  });

  it("narrows to one vendor, and names an unknown one", async () => {
    const report = await vendorStatus(db.prisma, { vendorId: B, now });
    expect(report.vendors.map((v) => v.vendorId)).toEqual([B]);
    const err = await vendorStatus(db.prisma, { vendorId: "A00000404" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpsError);
    expect(err).toMatchObject({ code: "not_found", message: expect.stringContaining("A00000404") });
  });
});

describe("vendors and commands", () => {
  it("lists the vendors in id order", async () => {
    const vendors = await listVendors(db.prisma);
    expect(vendors.map((v) => [v.vendorId, v.name, v.enabled])).toEqual([
      [A, "Ay", true],
      [B, "Bee", true],
    ]);
  });

  it("lists commands newest first, filtered and paged", async () => {
    const b1 = (await ack(B, 1_000n)).command;
    const b2 = (await ack(B, 2_000n)).command;
    const b3 = (await ack(B, 3_000n)).command;
    expect((await listCommands(db.prisma, { vendorId: B })).map((c) => c.id)).toEqual([b3.id, b2.id, b1.id]);
    const page1 = await listCommands(db.prisma, { vendorId: B, limit: 2 });
    expect(page1.map((c) => c.id)).toEqual([b3.id, b2.id]);
    const page2 = await listCommands(db.prisma, { vendorId: B, limit: 2, beforeId: page1.at(-1)!.id });
    expect(page2.map((c) => c.id)).toEqual([b1.id]);
    expect(
      (await listCommands(db.prisma, { vendorId: A, status: "dead" })).map((c) => c.shipmentBoxId),
    ).toEqual([300n]);
    expect(await listCommands(db.prisma, { kind: "CANCEL" })).toEqual([]);
  });

  it("refuses a bad filter, naming the field", async () => {
    await expect(listCommands(db.prisma, { status: "lost" })).rejects.toThrow(
      "status: expected one of pending, in_flight, succeeded, rejected, unknown, dead, cancelled, got lost",
    );
    await expect(listCommands(db.prisma, { kind: "REFUND" })).rejects.toMatchObject({
      code: "invalid",
      message: expect.stringMatching(/^kind: expected one of ACKNOWLEDGE/),
    });
    await expect(listCommands(db.prisma, { limit: 1001 })).rejects.toThrow(
      "limit: expected a whole number 1–1000, got 1001",
    );
  });

  it("shows a command with its attempt log, and names an unknown id", async () => {
    const { command } = await ack(B, 4_000n);
    const t = new Date("2026-11-20T00:00:00Z");
    await recordOutboxAttempts(db.prisma, [
      {
        commandId: command.id,
        startedAt: t,
        finishedAt: t,
        request: { endpoint: "acknowledgement" },
        outcome: "retry",
        resultCode: null,
        resultMessage: "HTTP 503",
        httpStatus: 503,
      },
      {
        commandId: command.id,
        startedAt: t,
        finishedAt: t,
        request: { endpoint: "acknowledgement" },
        outcome: "succeeded",
        resultCode: "OK",
        resultMessage: null,
        httpStatus: null,
      },
    ]);
    const detail = await getCommand(db.prisma, command.id);
    expect(detail).toMatchObject({ id: command.id, kind: "ACKNOWLEDGE", shipmentBoxId: 4_000n });
    expect(detail.attemptLog).toEqual([
      {
        attempt: 1,
        startedAt: t,
        finishedAt: t,
        request: { endpoint: "acknowledgement" },
        outcome: "retry",
        resultCode: null,
        resultMessage: "HTTP 503",
        httpStatus: 503,
      },
      expect.objectContaining({ attempt: 2, outcome: "succeeded", resultCode: "OK" }),
    ]);
    await expect(getCommand(db.prisma, 999_999n)).rejects.toMatchObject({
      code: "not_found",
      message: "command 999999 does not exist",
    });
  });

  it("maps the outbox's operator errors: retrying a live command conflicts, an unknown one is not found", async () => {
    const { command } = await ack(B, 5_000n);
    const conflict = opsErrorOf(await rearmCommand(db.prisma, command.id).catch((e: unknown) => e));
    expect(conflict).toMatchObject({ code: "conflict", message: expect.stringContaining("is pending") });
    const missing = opsErrorOf(await cancelCommand(db.prisma, 999_999n, "test").catch((e: unknown) => e));
    expect(missing).toMatchObject({ code: "not_found", message: "outbox command 999999 does not exist" });
    const invalid = opsErrorOf(
      await enqueueCommand(db.prisma, {
        kind: "ACKNOWLEDGE",
        vendorId: "bad",
        shipmentBoxId: 1n,
        orderId: 1n,
        createdBy: "x",
      }).catch((e: unknown) => e),
    );
    expect(invalid).toMatchObject({ code: "invalid", message: expect.stringContaining("vendorId") });
    expect(opsErrorOf(new Error("connection refused"))).toBeUndefined();
  });

  it("writes JSON with every digit of an ID", () => {
    expect(toJson({ id: 300000000000012345n, at: new Date(0), gone: undefined, list: [1n] })).toEqual({
      id: "300000000000012345",
      at: "1970-01-01T00:00:00.000Z",
      list: ["1"],
    });
  });
});

/** A queued job by id (BullMQ's Queue, which the handle narrows), or undefined. */
const getJob = (queue: QueueHandle<JobData<"resyncWindow">>, id: string) =>
  (queue as unknown as { getJob(id: string): Promise<unknown> }).getJob(id);

describe("requestResync", () => {
  let queues: QueueFactory;
  let queue: QueueHandle<JobData<"resyncWindow">>;
  let client: CoupangClient;

  beforeAll(() => {
    const redisUrl = inject("redisUrl");
    queues = createQueueFactory(
      redisUrl
        ? { kind: "redis", url: redisUrl, prefix: `ops${randomBytes(3).toString("hex")}` }
        : { kind: "postgres", url: db.url, schema: "ops_bullmq" },
    );
    queue = queues.queue(JOBS.resyncWindow.queue);
    // Only the stream adapters' window limits are read: nothing is called.
    client = new CoupangClient({
      baseUrl: "http://127.0.0.1:9",
      vendorId: A,
      accessKey: "ak",
      secretKey: "sk",
    });
  });
  afterAll(async () => {
    client?.close();
    await queue?.close();
    await queues?.close();
  });

  it("records the windows, queues one job per window once, and can be stopped", async () => {
    const deps = { prisma: db.prisma, queue, sources: new Map([[A, client]]) };
    const to = new Date();
    const request = {
      vendorId: A,
      streams: ["ordersheets", "exchangeRequests"],
      from: new Date(to.getTime() - 20 * DAY),
      to,
    };
    const { resync, created } = await requestResync(deps, request);
    expect(created).toBe(true);
    // 21 KST days in windows of 7 per stream (the day of `from` to the day of `to`).
    expect(resync.windowsTotal).toBe(6);
    const again = await requestResync(deps, request);
    expect(again).toMatchObject({ created: false, resync: { id: resync.id } });
    const counts = await queue.getJobCounts("waiting");
    expect(counts.waiting).toBe(resync.windowsTotal);
    for (let i = 0; i < resync.windowsTotal; i++)
      expect(await getJob(queue, resyncJobId(resync.id.toString(), i))).toBeTruthy();

    expect(await resyncStatus(db.prisma, resync.id)).toMatchObject({ status: "running", windowsDone: 0 });
    // Stopped, its window jobs leave the queue: a later resync does not wait behind them.
    expect(await stopResync(deps, resync.id)).toMatchObject({ status: "cancelled" });
    expect((await queue.getJobCounts("waiting")).waiting).toBe(0);
    for (let i = 0; i < resync.windowsTotal; i++)
      expect(await getJob(queue, resyncJobId(resync.id.toString(), i))).toBeUndefined();
    // Again (e.g. after a queue outage left some): the same answer, nothing to remove.
    expect(await stopResync(deps, resync.id)).toMatchObject({ status: "cancelled" });
    await expect(resyncStatus(db.prisma, 404n)).rejects.toMatchObject({ code: "not_found" });
    await expect(stopResync(deps, 404n)).rejects.toMatchObject({ code: "not_found" });
  });

  it("removes a cancelled resync's window jobs on BullMQ's Postgres backend too", async () => {
    const pgQueues = createQueueFactory({ kind: "postgres", url: db.url, schema: "ops_stop_bullmq" });
    const pgQueue = pgQueues.queue<JobData<"resyncWindow">>(JOBS.resyncWindow.queue);
    try {
      const deps = { prisma: db.prisma, queue: pgQueue, sources: new Map([[A, client]]) };
      const to = new Date();
      const { resync } = await requestResync(deps, {
        vendorId: A,
        streams: ["ordersheets"],
        from: new Date(to.getTime() - 365 * DAY),
        to,
        daysPerWindow: 1,
      });
      // A year of one-day windows: the longest resync there can be for one stream.
      expect(resync.windowsTotal).toBe(366);
      expect((await pgQueue.getJobCounts("waiting")).waiting).toBe(366);
      expect(await stopResync(deps, resync.id)).toMatchObject({ status: "cancelled" });
      expect((await pgQueue.getJobCounts("waiting")).waiting).toBe(0);
    } finally {
      await pgQueue.close();
      await pgQueues.close();
    }
  });

  it("refuses a vendor this deployment does not serve, and a bad request, naming the field", async () => {
    const deps = { prisma: db.prisma, queue, sources: new Map([[A, client]]) };
    const to = new Date();
    const from = new Date(to.getTime() - DAY);
    const unknown = await requestResync(deps, { vendorId: B, streams: ["ordersheets"], from, to }).catch(
      (e: unknown) => e,
    );
    expect(unknown).toBeInstanceOf(ResyncRequestError);
    expect(opsErrorOf(unknown)).toMatchObject({
      code: "invalid",
      message: `vendorId: ${B} is not configured in this worker`,
    });
    await expect(requestResync(deps, { vendorId: A, streams: ["refunds"], from, to })).rejects.toThrow(
      /^streams: expected some of/,
    );
    // 1900 to now: refused before a window is recorded or queued.
    const waiting = (await queue.getJobCounts("waiting")).waiting;
    const ancient = await requestResync(deps, {
      vendorId: A,
      streams: ["ordersheets"],
      from: parseRangeEnd("from", "1900-01-01"),
      to,
    }).catch((e: unknown) => e);
    expect(opsErrorOf(ancient)).toMatchObject({
      code: "invalid",
      message: expect.stringMatching(
        /^from: a resync covers at most 366 KST days; expected \d{4}-\d\d-\d\d or later for a range ending \d{4}-\d\d-\d\d, got 1900-01-01 \(KST\)$/,
      ),
    });
    expect((await queue.getJobCounts("waiting")).waiting).toBe(waiting);
  });
});

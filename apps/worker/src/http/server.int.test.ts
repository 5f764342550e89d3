import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { Simulator } from "@cos/coupang-sim";
import { createQueueFactory, JOBS, pollSchedulerId, upsertPollScheduler } from "@cos/queue";
import { queueBackend, startWorker, type WorkerApp } from "../app.js";
import { loadConfig, type WorkerConfig } from "../config.js";
import { createLogger } from "../logger.js";
import { SESSION_COOKIE } from "./auth.js";
import { startHttpServer, type HttpServer } from "./server.js";
import { createTestDatabase, type TestDatabase } from "../../../../test/support/postgres.js";
import { simulatorFor, workerEnv } from "../../../../test/support/worker-env.js";

const VENDOR = { vendorId: "A00077301", accessKey: "ak-http", secretKey: "sk-http-secret" };
const TOKEN = "test-admin-token-0123456789";
const redisUrl = inject("redisUrl");

/** Every route behind the token, with a body where the route takes one. */
const PROTECTED: Array<[method: string, path: string]> = [
  ["GET", "/status"],
  ["GET", "/api/openapi.json"],
  ["GET", "/api/v1/status"],
  ["GET", "/api/v1/vendors"],
  ["GET", "/api/v1/commands"],
  ["GET", "/api/v1/commands/1"],
  ["POST", "/api/v1/commands"],
  ["POST", "/api/v1/commands/1/retry"],
  ["POST", "/api/v1/commands/1/cancel"],
  ["POST", "/api/v1/resyncs"],
  ["GET", "/api/v1/resyncs/1"],
  ["DELETE", "/api/v1/resyncs/1"],
  ["GET", "/admin/queues"],
  ["GET", "/admin/queues/api/queues"],
];

/** A request to the server; JSON bodies parsed, anything else as text. */
async function call(
  base: string,
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: string,
) {
  const res = await fetch(base + path, { method, headers, body, redirect: "manual" });
  const text = await res.text();
  // Parsed loosely (JSON.parse's own type), for assertions on its fields.
  const json: ReturnType<typeof JSON.parse> = res.headers.get("content-type")?.startsWith("application/json")
    ? JSON.parse(text)
    : undefined;
  return { status: res.status, headers: res.headers, body: json, text };
}

let sim: Simulator;
beforeAll(async () => {
  sim = await simulatorFor(VENDOR, { seed: 5, orders: 30, days: 2 });
});
afterAll(async () => {
  await sim?.close();
});

const configFor = (db: TestDatabase, env: Record<string, string | undefined>): Readonly<WorkerConfig> =>
  loadConfig(
    workerEnv(
      { db, sim, vendor: VENDOR, queuePrefix: `h${randomBytes(3).toString("hex")}` },
      {
        COUPANG_REQUESTS_PER_SECOND: "10",
        SYNC_POLL_INTERVAL_SECONDS: "3600",
        SYNC_BACKFILL_DAYS: "3",
        HTTP_PORT: "0",
        ...env,
      },
    ),
  );

describe("the worker's HTTP server (queues on BullMQ's Postgres backend)", () => {
  let db: TestDatabase;
  let config: Readonly<WorkerConfig>;
  let app: WorkerApp;
  let server: HttpServer;
  let base: string;
  beforeAll(async () => {
    db = await createTestDatabase();
    config = configFor(db, { ADMIN_TOKEN: TOKEN });
    app = await startWorker(config, createLogger("silent"));
    server = (await startHttpServer({ app, config, log: createLogger("silent"), metrics: app.metrics }))!;
    base = server.url;
  }, 60_000);
  afterAll(async () => {
    await server?.close();
    await app?.close();
    await db?.drop();
  });

  it("binds 127.0.0.1 on a free port, and answers liveness and readiness without a token", async () => {
    expect(base).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(await call(base, "GET", "/health/live")).toMatchObject({ status: 200, body: { status: "live" } });
    const ready = await call(base, "GET", "/health/ready");
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({
      status: "ready",
      checks: {
        database: { status: "ok" },
        queue: { status: "ok" },
        workers: { status: "ok" },
        schedulers: { status: "ok" },
      },
    });
  });

  it("serves the metrics registry at /metrics without a token", async () => {
    const res = await call(base, "GET", "/metrics");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe(app.metrics.registry.contentType);
    expect(res.text).toContain("# TYPE cos_process_cpu_user_seconds_total counter");
    expect(res.text).toMatch(/^cos_coupang_requests_total\{/m);
  });

  it("answers 401 on every protected route without the token, with a wrong one, or a forged cookie", async () => {
    for (const [method, path] of PROTECTED) {
      const none = await call(base, method, path);
      expect([path, none.status, none.body?.error?.code]).toEqual([path, 401, "unauthorized"]);
      expect(none.body.error.message).toMatch(/Authorization: Bearer <ADMIN_TOKEN>.*\/login/);
      expect(none.headers.get("www-authenticate")).toMatch(/^Bearer /);
      for (const headers of [
        { authorization: `Bearer ${TOKEN}x` } as Record<string, string>,
        { authorization: `Bearer ${TOKEN.slice(0, -1)}` },
        { authorization: "Bearer " },
        { cookie: `${SESSION_COOKIE}=${TOKEN}` },
      ]) {
        const wrong = await call(base, method, path, headers);
        expect([path, headers, wrong.status, wrong.body?.error?.code]).toEqual([
          path,
          headers,
          401,
          "unauthorized",
        ]);
      }
    }
  });

  it("serves the protected routes with the token", async () => {
    const auth = { authorization: `Bearer ${TOKEN}` };
    const status = await call(base, "GET", "/status", auth);
    expect(status.status).toBe(200);
    expect(status.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(status.text).toContain(`data-vendor="${VENDOR.vendorId}"`);

    const vendors = await call(base, "GET", "/api/v1/vendors", auth);
    expect(vendors.status).toBe(200);
    expect((vendors.body.vendors as Array<{ vendorId: string }>).map((v) => v.vendorId)).toEqual([
      VENDOR.vendorId,
    ]);
    expect((await call(base, "GET", "/api/v1/commands/999", auth)).status).toBe(404);

    const openapi = await call(base, "GET", "/api/openapi.json", auth);
    expect(openapi.status).toBe(200);
    expect(openapi.body.openapi).toMatch(/^3\./);
    const paths = Object.keys(openapi.body.paths as object);
    expect(paths).toEqual(
      expect.arrayContaining([
        "/health/live",
        "/health/ready",
        "/metrics",
        "/api/v1/status",
        "/api/v1/commands",
      ]),
    );
    // The dashboard's and the login form's routes are not part of the API.
    expect(paths.filter((p) => !/^\/(api\/v1\/|health\/|metrics$)/.test(p))).toEqual([]);
    expect(openapi.body.components.securitySchemes.bearer).toEqual({ type: "http", scheme: "bearer" });
    // Every protected operation documents its 401, the open ones none; readiness documents its 503.
    type Operation = { responses: Record<string, unknown>; security?: unknown[] };
    const operations = Object.entries(
      openapi.body.paths as Record<string, Record<string, Operation>>,
    ).flatMap(([path, methods]) => Object.entries(methods).map(([method, op]) => ({ path, method, op })));
    const protectedOps = operations.filter((o) => o.path.startsWith("/api/v1/"));
    expect(protectedOps.length).toBeGreaterThan(5);
    expect(
      protectedOps.filter((o) => !("401" in o.op.responses)).map((o) => `${o.method} ${o.path}`),
    ).toEqual([]);
    expect(
      operations.filter((o) => !o.path.startsWith("/api/v1/")).every((o) => o.op.security?.length === 0),
    ).toBe(true);
    expect(Object.keys(openapi.body.paths["/health/ready"].get.responses as object).sort()).toEqual([
      "200",
      "503",
    ]);
  });

  it("loads the @bull-board dashboard with the worker's five queues", async () => {
    const auth = { authorization: `Bearer ${TOKEN}` };
    const page = await call(base, "GET", "/admin/queues", auth);
    expect(page.status).toBe(200);
    expect(page.text).toContain("<title>Coupang order-sync</title>");
    // The UI's assets are relative to its <base href>, behind the same token.
    const baseHref = page.text.match(/<base href="([^"]+)"/)?.[1];
    const script = page.text.match(/src="(static\/js\/main\.[^"]+\.js)"/)?.[1];
    expect([baseHref, script]).toEqual(["/admin/queues/", expect.any(String)]);
    const asset = new URL(script!, new URL(baseHref!, base)).pathname;
    expect((await call(base, "GET", asset, auth)).status).toBe(200);
    expect((await call(base, "GET", asset)).status).toBe(401);

    const queues = await call(base, "GET", "/admin/queues/api/queues", auth);
    expect(queues.status).toBe(200);
    const listed = queues.body.queues as Array<{ name: string; description: string }>;
    expect(listed.map((q) => q.name).sort()).toEqual(app.queues.map((q) => q.queue.name).sort());
    expect(listed.map((q) => q.name).sort()).toEqual(
      [
        JOBS.poll.queue,
        JOBS.reconcile.queue,
        JOBS.resyncWindow.queue,
        JOBS.retention.queue,
        JOBS.drain.queue,
      ].sort(),
    );
    expect(listed[0]!.description).toBe(`BullMQ on Postgres, schema ${config.queuePrefix}_bullmq`);
  });

  it("signs a browser in with POST /login: an HttpOnly cookie that is not the token opens the pages", async () => {
    const form = await call(base, "GET", "/login?next=/admin/queues");
    expect(form.status).toBe(200);
    expect(form.text).toContain('name="token"');
    expect(form.text).toContain('value="/admin/queues"');

    const formHeaders = { "content-type": "application/x-www-form-urlencoded" };
    const wrong = await call(base, "POST", "/login", formHeaders, "token=nope&next=%2Fstatus");
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get("set-cookie")).toBeNull();

    const ok = await call(base, "POST", "/login", formHeaders, `token=${TOKEN}&next=%2Fadmin%2Fqueues`);
    expect(ok.status).toBe(303);
    expect(ok.headers.get("location")).toBe("/admin/queues");
    const setCookie = ok.headers.get("set-cookie")!;
    expect(setCookie).toMatch(
      new RegExp(`^${SESSION_COOKIE}=[A-Za-z0-9_-]{43}; Path=/; HttpOnly; SameSite=Strict$`),
    );
    expect(setCookie).not.toContain(TOKEN);
    const cookie = { cookie: setCookie.split(";")[0]! };
    expect((await call(base, "GET", "/status", cookie)).status).toBe(200);
    expect((await call(base, "GET", "/admin/queues/api/queues", cookie)).status).toBe(200);
    expect((await call(base, "GET", "/api/v1/vendors", cookie)).status).toBe(200);

    // Only a path on this server is followed after signing in: not another host however spelt
    // (browsers drop a tab or a line break, and read a backslash as a slash).
    for (const next of [
      "//evil.example",
      "/\t/evil.example",
      "/\n/evil.example",
      "/\\evil.example",
      "/\\\\evil.example",
      "https://evil.example/status",
      " /status",
      "status",
    ]) {
      const body = `token=${TOKEN}&next=${encodeURIComponent(next)}`;
      const away = await call(base, "POST", "/login", formHeaders, body);
      expect([next, away.status, away.headers.get("location")]).toEqual([next, 303, "/status"]);
      const shown = await call(base, "GET", `/login?next=${encodeURIComponent(next)}`);
      expect([next, shown.text.match(/name="next" value="([^"]*)"/)?.[1]]).toEqual([next, "/status"]);
    }
    const deep = await call(
      base,
      "POST",
      "/login",
      formHeaders,
      `token=${TOKEN}&next=%2Fadmin%2Fqueues%3Fpage%3D2`,
    );
    expect(deep.headers.get("location")).toBe("/admin/queues?page=2");
  });

  it("answers a failure with a bare 500, never the database's message, and refuses unknown fields", async () => {
    const auth = { authorization: `Bearer ${TOKEN}` };
    const unknown = await call(
      base,
      "POST",
      "/api/v1/commands",
      { ...auth, "content-type": "application/json" },
      JSON.stringify({
        kind: "ACKNOWLEDGE",
        vendorId: VENDOR.vendorId,
        shipmentBoxId: "1",
        orderId: "1",
        force: true,
      }),
    );
    expect([unknown.status, unknown.body]).toEqual([
      400,
      { error: { code: "invalid", message: "force: unknown field" } },
    ]);
    // A real fault: a table the status reads is gone for a moment.
    await app.prisma.$executeRawUnsafe("ALTER TABLE outbox_commands RENAME TO outbox_commands_away");
    try {
      const api = await call(base, "GET", "/api/v1/status", auth);
      expect([api.status, api.body]).toEqual([
        500,
        { error: { code: "internal", message: "internal error" } },
      ]);
      const page = await call(base, "GET", "/status", { ...auth, accept: "text/html" });
      expect(page.status).toBe(500);
      expect(page.headers.get("content-type")).toBe("text/html; charset=utf-8");
      expect(page.text).toContain('<h1 style="font-size: 20px">Internal error</h1>');
      expect(page.text).not.toMatch(/outbox_commands|prisma|Invalid|\.ts/i);
      const plain = await call(base, "GET", "/status", auth);
      expect([plain.status, plain.body]).toEqual([
        500,
        { error: { code: "internal", message: "internal error" } },
      ]);
    } finally {
      await app.prisma.$executeRawUnsafe("ALTER TABLE outbox_commands_away RENAME TO outbox_commands");
    }
  });

  it("answers 404 with a hint on the admin routes when ADMIN_TOKEN is unset; health and metrics stay", async () => {
    const open = (await startHttpServer({
      app,
      config: configFor(db, {}),
      log: createLogger("silent"),
      metrics: app.metrics,
    }))!;
    try {
      for (const [method, path] of [...PROTECTED, ["GET", "/login"] as [string, string]]) {
        const res = await call(open.url, method, path, { authorization: `Bearer ${TOKEN}` });
        expect([path, res.status, res.body?.error?.code]).toEqual([path, 404, "not_found"]);
        expect(res.body.error.message).toMatch(/disabled: set ADMIN_TOKEN/);
      }
      expect((await call(open.url, "GET", "/health/live")).status).toBe(200);
      expect((await call(open.url, "GET", "/metrics")).status).toBe(200);
    } finally {
      await open.close();
    }
  });

  it("is not started with HTTP_PORT=off", async () => {
    const off = await startHttpServer({
      app,
      config: configFor(db, { HTTP_PORT: "off", ADMIN_TOKEN: TOKEN }),
      log: createLogger("silent"),
      metrics: app.metrics,
    });
    expect(off).toBeNull();
  });

  it("is not ready (503) when a Job Scheduler is missing, and names it", async () => {
    const queues = createQueueFactory(queueBackend(config));
    const poll = queues.queue<never>(JOBS.poll.queue);
    try {
      const id = pollSchedulerId(VENDOR.vendorId, "exchangeRequests");
      expect(await poll.removeJobScheduler(id)).toBe(true);
      const res = await call(base, "GET", "/health/ready");
      expect(res.status).toBe(503);
      expect(res.body).toEqual({
        status: "not_ready",
        checks: {
          database: { status: "ok" },
          queue: { status: "ok" },
          workers: { status: "ok" },
          schedulers: { status: "failed", reason: `missing: ${JOBS.poll.queue}/${id}` },
        },
      });
      await upsertPollScheduler(poll, VENDOR.vendorId, "exchangeRequests", config.pollIntervalMs);
      expect((await call(base, "GET", "/health/ready")).status).toBe(200);
    } finally {
      await poll.close();
      await queues.close();
    }
  });

  it("is not ready (503) once the worker has stopped: its workers are not running", async () => {
    await app.close();
    const res = await call(base, "GET", "/health/ready");
    expect(res.status).toBe(503);
    expect(res.body.status).toBe("not_ready");
    expect(res.body.checks.workers).toEqual({
      status: "failed",
      reason: `not running: ${app.queues.map((q) => q.worker.name).join(", ")}`,
    });
    // Liveness is the process's, not the worker's.
    expect((await call(base, "GET", "/health/live")).status).toBe(200);
  });
});

describe("the worker's HTTP server without its database", () => {
  it("answers 503 database unavailable on the status page and the API once the database is dropped", async () => {
    const db = await createTestDatabase();
    const config = configFor(db, { ADMIN_TOKEN: TOKEN, ...(redisUrl ? { REDIS_URL: redisUrl } : {}) });
    const app = await startWorker(config, createLogger("silent"));
    const server = (await startHttpServer({
      app,
      config,
      log: createLogger("silent"),
      metrics: app.metrics,
    }))!;
    try {
      const auth = { authorization: `Bearer ${TOKEN}` };
      expect((await call(server.url, "GET", "/status", auth)).status).toBe(200);
      await db.drop();
      const page = await call(server.url, "GET", "/status", { ...auth, accept: "text/html,*/*" });
      expect(page.status).toBe(503);
      expect(page.headers.get("content-type")).toBe("text/html; charset=utf-8");
      expect(page.text).toContain("<title>Database unavailable · Coupang order-sync</title>");
      expect(page.text).not.toMatch(/does not exist|prisma|\.ts/i);
      for (const path of ["/api/v1/status", "/api/v1/vendors", "/api/v1/commands", "/api/v1/resyncs/1"]) {
        const res = await call(server.url, "GET", path, auth);
        expect([path, res.status, res.body]).toEqual([
          path,
          503,
          { error: { code: "unavailable", message: "database unavailable" } },
        ]);
      }
    } finally {
      await server.close();
      await app.close().catch(() => {});
      await db.drop().catch(() => {});
    }
  });
});

describe.skipIf(redisUrl === null)("the worker's HTTP server (queues on Redis)", () => {
  it("shows the Redis queues in the dashboard, and is not ready (503) when the worker's database is gone", async () => {
    const db = await createTestDatabase();
    const config = configFor(db, { REDIS_URL: redisUrl!, ADMIN_TOKEN: TOKEN });
    const app = await startWorker(config, createLogger("silent"));
    const server = (await startHttpServer({
      app,
      config,
      log: createLogger("silent"),
      metrics: app.metrics,
    }))!;
    try {
      const auth = { authorization: `Bearer ${TOKEN}` };
      const queues = await call(server.url, "GET", "/admin/queues/api/queues", auth);
      expect(queues.status).toBe(200);
      expect((queues.body.queues as Array<{ name: string }>).map((q) => q.name).sort()).toEqual(
        app.queues.map((q) => q.queue.name).sort(),
      );
      expect(queues.body.queues[0].description).toBe(`BullMQ on Redis, prefix ${config.queuePrefix}`);
      expect((await call(server.url, "GET", "/health/ready")).status).toBe(200);

      await db.drop();
      const res = await call(server.url, "GET", "/health/ready");
      expect(res.status).toBe(503);
      expect(res.body.checks.database.status).toBe("failed");
      expect(res.body.checks.database.reason).toMatch(/\S/);
      // Redis still answers, and the workers and schedulers are still there.
      expect(res.body.checks.queue).toEqual({ status: "ok" });
      expect(res.body.checks.workers).toEqual({ status: "ok" });
      expect(res.body.checks.schedulers).toEqual({ status: "ok" });
    } finally {
      await server.close();
      await app.close();
      await db.drop().catch(() => {});
    }
  });
});

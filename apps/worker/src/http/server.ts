import Fastify, { type FastifyBaseLogger } from "fastify";
import cookie from "@fastify/cookie";
import formbody from "@fastify/formbody";
import swagger from "@fastify/swagger";
import { createBullBoard } from "@bull-board/api";
import { BullMQAdapter } from "@bull-board/api/bullMQAdapter";
import { FastifyAdapter } from "@bull-board/fastify";
import { vendorStatus } from "@cos/ops";
import { bullQueue } from "@cos/queue";
import { queueBackend, type WorkerApp } from "../app.js";
import type { WorkerConfig } from "../config.js";
import type { Logger } from "../logger.js";
import { adminApi } from "./admin-api.js";
import { registerLogin, requireAdmin, sendError } from "./auth.js";
import { AJV_OPTIONS, handleHttpError } from "./errors.js";
import { readiness } from "./health.js";
import { renderStatusPage } from "./status-page.js";

/** Where `/metrics` reads from: a prom-client Registry (metrics.ts `WorkerMetrics`), or anything alike. */
export interface MetricsSource {
  registry: { contentType: string; metrics(): Promise<string> };
}

/** What {@link startHttpServer} serves. */
export interface HttpServerOptions {
  app: WorkerApp;
  config: Readonly<WorkerConfig>;
  log: Logger;
  metrics: MetricsSource;
}

/** A listening server: its base URL (e.g. `http://127.0.0.1:9464`), and `close()` (idempotent). */
export interface HttpServer {
  readonly url: string;
  close(): Promise<void>;
}

/** The paths that exist only with ADMIN_TOKEN set; without it they answer 404 with this hint. */
const ADMIN_PATHS = [
  "/status",
  "/login",
  "/admin/queues",
  "/admin/queues/*",
  "/api/openapi.json",
  "/api/v1/*",
];
const DISABLED =
  "the admin API, dashboard and status page are disabled: set ADMIN_TOKEN (at least 16 characters) to enable them";

/** One check of `GET /health/ready` (health.ts `Check`). */
const CHECK_SCHEMA = {
  type: "object",
  properties: {
    status: { type: "string", enum: ["ok", "failed"] },
    reason: { type: "string", description: "what failed (only when failed)" },
  },
  required: ["status"],
} as const;

/** `GET /health/ready`'s body (health.ts `Readiness`), the same for 200 and 503. */
const READINESS_SCHEMA = {
  type: "object",
  properties: {
    status: { type: "string", enum: ["ready", "not_ready"] },
    checks: {
      type: "object",
      properties: {
        database: CHECK_SCHEMA,
        queue: CHECK_SCHEMA,
        workers: CHECK_SCHEMA,
        schedulers: CHECK_SCHEMA,
      },
      required: ["database", "queue", "workers", "schedulers"],
    },
  },
  required: ["status", "checks"],
} as const;

/** Only these appear in /api/openapi.json; the dashboard's and the login form's routes do not. */
const DOCUMENTED = /^\/(api\/v1\/|health\/|metrics$)/;

/**
 * The worker's HTTP server (issue 7; README "Settings": HTTP_HOST, HTTP_PORT, ADMIN_TOKEN):
 * - no token needed: `GET /health/live` (200 while the process runs), `GET /health/ready` (200 or
 *   503 with `{ status, checks: { database, queue, workers, schedulers } }`, health.ts), `GET
 *   /metrics` (Prometheus text from `metrics.registry`);
 * - behind the bearer token ADMIN_TOKEN (or the cookie `POST /login` sets, auth.ts): `GET /status`
 *   (the status page, from @cos/ops `vendorStatus`), `/admin/queues` (the @bull-board dashboard of
 *   the worker's queues, on either BullMQ backend), `GET /api/openapi.json`, and the JSON API under
 *   `/api/v1` (admin-api.ts); without ADMIN_TOKEN these answer 404 with a hint.
 * Errors (errors.ts `handleHttpError`): 400 naming the field (unknown fields included), 503 when
 * Postgres or Redis is unreachable, 500 "internal error" with the details only in the log.
 * Binds HTTP_HOST:HTTP_PORT (port 0: any free one). Returns null when HTTP_PORT is `off`.
 * Start it after the worker, and close it before the worker, so no request meets a closed pool.
 * @throws Error when the port cannot be bound (e.g. EADDRINUSE).
 */
export async function startHttpServer(options: HttpServerOptions): Promise<HttpServer | null> {
  const { app, config, log, metrics } = options;
  if (config.http.port === null) return null;
  // pino's Logger, typed as fastify's base logger so the server keeps fastify's default types.
  const httpLog: FastifyBaseLogger = log.child({ component: "http" });
  const server = Fastify({ loggerInstance: httpLog, ajv: AJV_OPTIONS });
  // 503 "database unavailable" or 500 "internal error", never the error's text (errors.ts).
  server.setErrorHandler(handleHttpError);
  await server.register(cookie);
  await server.register(formbody);
  await server.register(swagger, {
    openapi: {
      info: {
        title: "Coupang order-sync admin API",
        version: "1",
        description:
          "Operator reads and actions of the worker (@cos/ops). Send `Authorization: Bearer <ADMIN_TOKEN>`.",
      },
      components: { securitySchemes: { bearer: { type: "http", scheme: "bearer" } } },
      security: [{ bearer: [] }],
    },
    transform: ({ schema, url }) => ({
      schema: DOCUMENTED.test(url) ? schema : { ...schema, hide: true },
      url,
    }),
  });

  // Probes and scrapes come every few seconds: their requests are not logged, their errors are.
  const quiet = { logLevel: "warn" } as const;
  const open = { security: [] };
  server.get(
    "/health/live",
    { ...quiet, schema: { ...open, summary: "200 while the process runs", tags: ["health"] } },
    (_request, reply) => reply.send({ status: "live" }),
  );
  server.get(
    "/health/ready",
    {
      ...quiet,
      schema: {
        ...open,
        summary:
          "200 when Postgres, the queue backend, the BullMQ workers and the Job Schedulers are all fine; else 503",
        tags: ["health"],
        response: { 200: READINESS_SCHEMA, 503: READINESS_SCHEMA },
      },
    },
    async (_request, reply) => {
      const report = await readiness(app);
      return reply.code(report.status === "ready" ? 200 : 503).send(report);
    },
  );
  server.get(
    "/metrics",
    {
      ...quiet,
      schema: { ...open, summary: "Prometheus metrics (text exposition format)", tags: ["metrics"] },
    },
    async (_request, reply) =>
      reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()),
  );

  const token = config.http.adminToken;
  if (token === undefined) {
    for (const url of ADMIN_PATHS) {
      server.all(url, { schema: { hide: true } }, (_request, reply) =>
        sendError(reply, 404, "not_found", DISABLED),
      );
    }
  } else {
    registerLogin(server, token);
    await server.register(async (admin) => {
      // Hooks reach every route registered in this context, the plugins' included.
      admin.addHook("onRequest", requireAdmin(token));
      const scale = {
        pollIntervalSeconds: config.pollIntervalMs / 1000,
        syncLagSeconds: config.plan.lagMs / 1000,
      };
      admin.get("/status", { schema: { hide: true } }, async (_request, reply) =>
        reply.type("text/html; charset=utf-8").send(renderStatusPage(await vendorStatus(app.prisma), scale)),
      );
      admin.get("/api/openapi.json", { schema: { hide: true } }, (_request, reply) =>
        reply.send(admin.swagger()),
      );
      await admin.register(adminApi, { prisma: app.prisma, app });
      await admin.register(dashboard(app, config).registerPlugin(), { prefix: "/admin/queues" });
    });
  }
  server.setNotFoundHandler((request, reply) =>
    sendError(reply, 404, "not_found", `no route ${request.method} ${request.url.split("?")[0]}`),
  );

  const url = await server.listen({ host: config.http.host, port: config.http.port });
  log.info({ url, admin: token !== undefined }, "http server listening");
  let closing: Promise<void> | undefined;
  return {
    url,
    close: () => (closing ??= server.close()),
  };
}

/** The @bull-board dashboard of the worker's queues, served under /admin/queues. */
function dashboard(app: WorkerApp, config: HttpServerOptions["config"]): FastifyAdapter {
  const board = new FastifyAdapter();
  board.setBasePath("/admin/queues");
  // bull-board shows both backends: the Postgres one through BullMQ's own backend interface.
  const backend = queueBackend(config);
  const where =
    backend.kind === "redis"
      ? `BullMQ on Redis, prefix ${backend.prefix}`
      : `BullMQ on Postgres, schema ${backend.schema}`;
  createBullBoard({
    queues: app.queues.map((q) => new BullMQAdapter(bullQueue(q.queue), { description: where })),
    serverAdapter: board,
    options: {
      uiConfig: { boardTitle: "Coupang order-sync", miscLinks: [{ text: "Status page", url: "/status" }] },
    },
  });
  return board;
}

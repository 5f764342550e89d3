import type { FastifyPluginCallback } from "fastify";
// Its FastifySchema augmentation: `summary`, `tags` and `description` on the route schemas.
import type {} from "@fastify/swagger";
import { OUTBOX_COMMAND_KINDS, OUTBOX_STATUSES, type PrismaClient } from "@cos/db";
import {
  cancelCommand,
  COMMAND_PAGE,
  getCommand,
  listCommands,
  listVendors,
  MAX_ID,
  OpsError,
  parseId,
  parseRangeEnd,
  rearmCommand,
  resyncStatus,
  toJson,
  vendorStatus,
} from "@cos/ops";
import type { CommandInput } from "@cos/outbox";
import { STREAM_NAMES } from "@cos/sync";
import type { WorkerApp } from "../app.js";
import { handleHttpError } from "./errors.js";

/** What {@link adminApi} serves from: the worker's database and the running worker. */
export interface AdminApiOptions {
  prisma: PrismaClient;
  app: WorkerApp;
}

/** The `createdBy` of a command enqueued through this API without one. */
const CREATED_BY = "admin-api";

// JSON schemas: fastify validates requests with them and @fastify/swagger (registered by the
// server before this plugin) publishes them in /api/openapi.json.

/** IDs travel as strings of digits: a JSON number loses digits past 2^53 (shipmentBoxId has 18). */
const id = { type: "string", pattern: "^[0-9]{1,19}$", description: "a decimal ID, as a string" } as const;
/**
 * An ID in the path or the page cursor: read by @cos/ops `parseId` in the handler (1 to 2^63 − 1,
 * as the CLI reads it), so every refusal names the field and the value the same way.
 */
const idText = {
  type: "string",
  description: `a decimal ID from 1 to ${MAX_ID}, as a string`,
} as const;
const instant = { type: "string", format: "date-time" } as const;
const nullable = <T extends { type: string }>(schema: T) => ({ ...schema, type: [schema.type, "null"] });

const errorSchema = {
  type: "object",
  description:
    "`code`: invalid (400), unauthorized (401: no or a wrong bearer token), not_found (404), conflict (409), unavailable (503), internal (500)",
  properties: {
    error: {
      type: "object",
      properties: { code: { type: "string" }, message: { type: "string" } },
      required: ["code", "message"],
    },
  },
  required: ["error"],
} as const;

const errors = {
  400: errorSchema,
  401: errorSchema,
  404: errorSchema,
  409: errorSchema,
  500: errorSchema,
  503: errorSchema,
};

const commandSchema = {
  type: "object",
  description: "An outbox command (outbox_commands); instants are UTC",
  additionalProperties: true,
  properties: {
    id,
    vendorId: { type: "string" },
    kind: { type: "string", enum: [...OUTBOX_COMMAND_KINDS] },
    shipmentBoxId: id,
    orderId: id,
    vendorItemId: nullable(id),
    payload: { type: "object", additionalProperties: true },
    dedupeKey: { type: "string" },
    status: { type: "string", enum: [...OUTBOX_STATUSES] },
    attempts: { type: "integer" },
    maxAttempts: { type: ["integer", "null"] },
    nextAttemptAt: instant,
    lastResultCode: { type: ["string", "null"] },
    lastResultMessage: { type: ["string", "null"] },
    createdBy: { type: "string" },
    createdAt: instant,
    updatedAt: instant,
    finishedAt: nullable(instant),
  },
} as const;

const resyncSchema = {
  type: "object",
  description:
    "A resync and its progress: windows done of total, pages, API calls, rows written, records quarantined, in all and per stream (`byStream`); `report` once it ended",
  additionalProperties: true,
  properties: {
    id,
    vendorId: { type: "string" },
    streams: { type: "array", items: { type: "string" } },
    rangeFrom: instant,
    rangeTo: instant,
    status: { type: "string", enum: ["running", "completed", "cancelled", "failed"] },
    windowsTotal: { type: "integer" },
    windowsDone: { type: "integer" },
    pages: { type: "integer" },
    apiCalls: { type: "integer" },
    rowsWritten: { type: "integer" },
    rejected: { type: "integer" },
    byStream: { type: "object", additionalProperties: true },
    report: { type: ["object", "null"], additionalProperties: true },
    error: { type: ["string", "null"] },
    createdAt: instant,
    finishedAt: nullable(instant),
  },
} as const;

const idParams = { type: "object", properties: { id: idText }, required: ["id"] } as const;

/**
 * The admin JSON API under `/api/v1` (the ops spec, issue 7): status, vendors, outbox commands
 * (list, show, enqueue, retry, cancel) and resyncs (start, progress, cancel), all through @cos/ops
 * and the worker's own entry points (`app.enqueueCommand`, `app.startResync`). IDs are strings
 * in and out; instants are ISO-8601 UTC. Errors are `{ error: { code, message } }` with 400
 * (the message names the field; an unknown field is one, with the server's `AJV_OPTIONS`), 404,
 * 409, 503 when Postgres is unreachable, and 500 "internal error" (errors.ts `handleHttpError`).
 * Authentication is the server's (register this plugin behind its bearer-token hook, with no
 * prefix: the routes carry `/api/v1`).
 */
export const adminApi: FastifyPluginCallback<AdminApiOptions> = (fastify, { prisma, app }, done) => {
  fastify.setErrorHandler(handleHttpError);

  fastify.get<{ Querystring: { vendorId?: string } }>(
    "/api/v1/status",
    {
      schema: {
        summary: "Freshness per vendor and stream, and outbox counts by status (@cos/ops vendorStatus)",
        tags: ["status"],
        querystring: {
          type: "object",
          additionalProperties: false,
          properties: { vendorId: { type: "string" } },
        },
        response: { 200: { type: "object", additionalProperties: true }, ...errors },
      },
    },
    async (request) => toJson(await vendorStatus(prisma, { vendorId: request.query.vendorId })),
  );

  fastify.get(
    "/api/v1/vendors",
    {
      schema: {
        summary: "The configured vendors (vendor_accounts)",
        tags: ["vendors"],
        response: {
          200: {
            type: "object",
            properties: {
              vendors: {
                type: "array",
                items: {
                  type: "object",
                  properties: {
                    vendorId: { type: "string" },
                    name: { type: ["string", "null"] },
                    enabled: { type: "boolean" },
                    createdAt: instant,
                  },
                },
              },
            },
          },
          ...errors,
        },
      },
    },
    async () => ({ vendors: toJson(await listVendors(prisma)) }),
  );

  fastify.get<{
    Querystring: { vendorId?: string; status?: string; kind?: string; limit?: number; beforeId?: string };
  }>(
    "/api/v1/commands",
    {
      schema: {
        summary: "Outbox commands, newest first; page with `beforeId` = the previous page's `nextBeforeId`",
        tags: ["commands"],
        querystring: {
          type: "object",
          additionalProperties: false,
          properties: {
            vendorId: { type: "string" },
            status: { type: "string", enum: [...OUTBOX_STATUSES] },
            kind: { type: "string", enum: [...OUTBOX_COMMAND_KINDS] },
            limit: { type: "integer", minimum: 1, maximum: COMMAND_PAGE.max, default: COMMAND_PAGE.default },
            beforeId: idText,
          },
        },
        response: {
          200: {
            type: "object",
            properties: { commands: { type: "array", items: commandSchema }, nextBeforeId: nullable(id) },
          },
          ...errors,
        },
      },
    },
    async (request) => {
      const { beforeId, ...filters } = request.query;
      const commands = await listCommands(prisma, {
        ...filters,
        ...(beforeId === undefined ? {} : { beforeId: parseId("beforeId", beforeId) }),
      });
      const last = commands.at(-1);
      const full = commands.length === (filters.limit ?? COMMAND_PAGE.default);
      return { commands: toJson(commands), nextBeforeId: full && last ? last.id.toString() : null };
    },
  );

  fastify.get<{ Params: { id: string } }>(
    "/api/v1/commands/:id",
    {
      schema: {
        summary: "One outbox command with its attempt log",
        tags: ["commands"],
        params: idParams,
        response: {
          200: {
            ...commandSchema,
            properties: {
              ...commandSchema.properties,
              attemptLog: { type: "array", items: { type: "object", additionalProperties: true } },
            },
          },
          ...errors,
        },
      },
    },
    async (request) => toJson(await getCommand(prisma, parseId("id", request.params.id))),
  );

  fastify.post<{ Body: Record<string, unknown> }>(
    "/api/v1/commands",
    {
      schema: {
        summary:
          "Enqueue a command (packages/outbox enqueueCommand, through the worker): 201 when created, 200 with the existing command of the same dedupe key",
        tags: ["commands"],
        body: {
          type: "object",
          required: ["kind", "vendorId", "shipmentBoxId", "orderId"],
          additionalProperties: false,
          properties: {
            kind: { type: "string", enum: [...OUTBOX_COMMAND_KINDS] },
            vendorId: { type: "string", description: "e.g. A00012345" },
            shipmentBoxId: id,
            orderId: id,
            vendorItemId: { ...id, description: "invoices: only this item's row (default every open item)" },
            deliveryCompanyCode: { type: "string", description: "invoices: the carrier code, e.g. CJGLS" },
            invoiceNumber: { type: "string", description: "invoices: the tracking number" },
            items: {
              type: "array",
              minItems: 1,
              description: "CANCEL: items and quantities (omit to cancel the whole box)",
              items: {
                type: "object",
                required: ["vendorItemId", "receiptCount"],
                additionalProperties: false,
                properties: { vendorItemId: id, receiptCount: { type: "integer", minimum: 1 } },
              },
            },
            middleCancelCode: {
              type: "string",
              description:
                "CANCEL: CCTTER (out of stock), CCPNER (partner-site or address error) or CCPRER (price error)",
            },
            userId: { type: "string", description: "CANCEL: the seller's WING login ID" },
            createdBy: { type: "string", default: CREATED_BY },
            maxAttempts: { type: "integer", minimum: 1, maximum: 100 },
            dedupeKey: { type: "string" },
          },
        },
        response: {
          200: { type: "object", properties: { created: { type: "boolean" }, command: commandSchema } },
          201: { type: "object", properties: { created: { type: "boolean" }, command: commandSchema } },
          ...errors,
        },
      },
      // fastify coerces a JSON number to the string the schema wants, after JSON.parse has already
      // rounded it: refuse numeric IDs before validation rather than store a neighbour's box.
      preValidation: (request, _reply, done) => {
        const body = request.body as Record<string, unknown> | undefined;
        const items = Array.isArray(body?.items) ? (body.items as Array<Record<string, unknown>>) : [];
        const numeric = [
          ...["shipmentBoxId", "orderId", "vendorItemId"].map((f) => [f, body?.[f]] as const),
          ...items.map((item, i) => [`items.${i}.vendorItemId`, item?.vendorItemId] as const),
        ].find(([, value]) => typeof value === "number");
        done(
          numeric &&
            new OpsError(
              "invalid",
              `${numeric[0]}: send IDs as strings of digits (a JSON number loses digits past 2^53), got ${String(numeric[1])}`,
            ),
        );
      },
    },
    async (request, reply) => {
      const result = await app.enqueueCommand(request.body as unknown as CommandInput);
      return reply
        .code(result.created ? 201 : 200)
        .send({ created: result.created, command: toJson(result.command) });
    },
  );

  fastify.post<{ Params: { id: string } }>(
    "/api/v1/commands/:id/retry",
    {
      schema: {
        summary:
          "Re-arm a dead command: it is read back, then resent if Coupang has not applied it (409 unless dead)",
        tags: ["commands"],
        params: idParams,
        response: { 200: { type: "object", properties: { command: commandSchema } }, ...errors },
      },
    },
    async (request) => ({
      command: toJson(await rearmCommand(prisma, parseId("id", request.params.id))),
    }),
  );

  fastify.post<{ Params: { id: string }; Body: { reason?: string } | undefined }>(
    "/api/v1/commands/:id/cancel",
    {
      schema: {
        summary: "Cancel a pending or dead command (409 when in flight, unknown or finished)",
        tags: ["commands"],
        params: idParams,
        body: {
          type: ["object", "null"],
          additionalProperties: false,
          properties: { reason: { type: "string", minLength: 1 } },
        },
        response: { 200: { type: "object", properties: { command: commandSchema } }, ...errors },
      },
    },
    async (request) => ({
      command: toJson(
        await cancelCommand(
          prisma,
          parseId("id", request.params.id),
          request.body?.reason ?? "cancelled by an operator (admin API)",
        ),
      ),
    }),
  );

  fastify.post<{
    Body: { vendorId: string; streams?: string[]; from: string; to: string; daysPerWindow?: number };
  }>(
    "/api/v1/resyncs",
    {
      schema: {
        summary:
          "Start a resync (or get the running one with the same vendor, streams and range: 200 instead of 201)",
        tags: ["resyncs"],
        body: {
          type: "object",
          required: ["vendorId", "from", "to"],
          additionalProperties: false,
          properties: {
            vendorId: { type: "string" },
            streams: {
              type: "array",
              minItems: 1,
              items: { type: "string", enum: [...STREAM_NAMES] },
              description: "default: every stream",
            },
            from: { type: "string", description: "a KST day yyyy-MM-dd (from its start) or a date-time" },
            to: {
              type: "string",
              description: "a KST day yyyy-MM-dd (to its end) or a date-time; cut at now",
            },
            daysPerWindow: {
              type: "integer",
              minimum: 1,
              maximum: 31,
              description: "KST days per child job; default 7",
            },
          },
        },
        response: {
          200: { type: "object", properties: { created: { type: "boolean" }, resync: resyncSchema } },
          201: { type: "object", properties: { created: { type: "boolean" }, resync: resyncSchema } },
          ...errors,
        },
      },
    },
    async (request, reply) => {
      const { vendorId, streams, from, to, daysPerWindow } = request.body;
      const result = await app.startResync({
        vendorId,
        streams: streams ?? [...STREAM_NAMES],
        from: parseRangeEnd("from", from),
        to: parseRangeEnd("to", to, true),
        ...(daysPerWindow === undefined ? {} : { daysPerWindow }),
      });
      return reply
        .code(result.created ? 201 : 200)
        .send({ created: result.created, resync: toJson(result.resync) });
    },
  );

  fastify.get<{ Params: { id: string } }>(
    "/api/v1/resyncs/:id",
    {
      schema: {
        summary: "A resync's progress and, once it ended, its report",
        tags: ["resyncs"],
        params: idParams,
        response: { 200: resyncSchema, ...errors },
      },
    },
    async (request) => toJson(await resyncStatus(prisma, parseId("id", request.params.id))),
  );

  fastify.delete<{ Params: { id: string } }>(
    "/api/v1/resyncs/:id",
    {
      schema: {
        summary:
          "Cancel a running resync and remove its queued windows from the queue (one that ended is returned as it is)",
        tags: ["resyncs"],
        params: idParams,
        response: { 200: resyncSchema, ...errors },
      },
    },
    async (request) => {
      const resyncId = parseId("id", request.params.id);
      // Through the worker, whose resync queue loses the windows' jobs.
      const resync = await app.cancelResync(resyncId);
      if (!resync) throw new OpsError("not_found", `resync ${resyncId} does not exist`);
      return toJson(resync);
    },
  );
  done();
};

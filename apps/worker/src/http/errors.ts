import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import { isUnavailableError, opsErrorOf, type OpsErrorCode } from "@cos/ops";
import { sendError } from "./auth.js";

/** The HTTP status of each operations error code (the spec's `{ error: { code, message } }`). */
const STATUS_OF: Record<OpsErrorCode, number> = { invalid: 400, not_found: 404, conflict: 409 };

/**
 * The options fastify builds its request validator (ajv) with: an unknown field is refused (400
 * naming it by {@link validationMessage}) rather than dropped, as fastify's default
 * `removeAdditional` would, so a mistyped optional field is never silently ignored. Every server
 * that mounts the admin API passes these (`Fastify({ ajv: AJV_OPTIONS })`).
 */
export const AJV_OPTIONS = { customOptions: { removeAdditional: false } } as const;

/**
 * A failed schema validation as one sentence naming the field: `bogus: unknown field`, `orderId:
 * required`, `status: must be equal to one of the allowed values (pending, …)`; the field is its
 * path in the body, query or path parameters (`items.0.vendorItemId`).
 */
export function validationMessage(err: FastifyError): string {
  const first = err.validation?.[0];
  if (!first) return err.message;
  const path = first.instancePath.split("/").filter(Boolean);
  const { additionalProperty, missingProperty, allowedValues } = first.params;
  if (typeof additionalProperty === "string")
    return `${[...path, additionalProperty].join(".")}: unknown field`;
  if (typeof missingProperty === "string") return `${[...path, missingProperty].join(".")}: required`;
  const allowed = Array.isArray(allowedValues) ? ` (${allowedValues.join(", ")})` : "";
  return `${path.join(".") || (err.validationContext ?? "request")}: ${first.message ?? "invalid"}${allowed}`;
}

/** The answers to a server-side failure: never the error's own text. */
const SERVER_ERRORS = {
  unavailable: {
    status: 503,
    message: "database unavailable",
    page: "Postgres (or the queue backend) cannot be reached; this page retries every 30 seconds.",
  },
  internal: {
    status: 500,
    message: "internal error",
    page: "The request failed; the worker's log has the details.",
  },
} as const;

/** The short page a browser gets instead of JSON. */
function errorPage(title: string, text: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="30"><title>${title} · Coupang order-sync</title></head>
<body style="font: 14px/1.45 system-ui, sans-serif; margin: 24px"><h1 style="font-size: 20px">${title}</h1><p>${text}</p></body></html>
`;
}

/**
 * The error handler of the HTTP server and of the admin API (set on both, so the API behaves the
 * same wherever it is mounted): a failed validation is 400 naming the field, an @cos/ops error
 * its own status (400, 404, 409) with its message, another client error (bad JSON, a body too
 * large) its status with fastify's message. Postgres or Redis unreachable is 503 `unavailable`
 * "database unavailable"; anything else 500 `internal` "internal error". These two never carry
 * the error's own text (a Prisma message quotes the query and the source), which is logged
 * instead. Browsers (`Accept: text/html`, outside `/api/`) get a short HTML page for them.
 */
export function handleHttpError(
  err: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
): FastifyReply {
  if (err.validation) return sendError(reply, 400, "invalid", validationMessage(err));
  const ops = opsErrorOf(err);
  if (ops) return sendError(reply, STATUS_OF[ops.code], ops.code, ops.message);
  if (err.statusCode !== undefined && err.statusCode < 500)
    return sendError(reply, err.statusCode, "invalid", err.message);
  const code = isUnavailableError(err) ? "unavailable" : "internal";
  const { status, message, page } = SERVER_ERRORS[code];
  if (code === "unavailable") request.log.warn({ err }, "http: database unavailable");
  else request.log.error({ err }, "http: request failed");
  if (!request.url.startsWith("/api/") && (request.headers.accept ?? "").includes("text/html")) {
    const title = message[0]!.toUpperCase() + message.slice(1);
    return reply.code(status).type("text/html; charset=utf-8").send(errorPage(title, page));
  }
  return sendError(reply, status, code, message);
}

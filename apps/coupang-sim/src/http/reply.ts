import type { FastifyReply } from "fastify";
import { JSON_CONTENT_TYPE, serializeCoupangJson } from "./json.js";

/** Sends `body` as Coupang-style JSON (bigints as bare numbers) with Coupang's content type. */
export function sendJson(reply: FastifyReply, status: number, body: unknown): FastifyReply {
  return reply.code(status).type(JSON_CONTENT_TYPE).send(serializeCoupangJson(body));
}

/** A 400 in the API's validation shape `{"code":400,"message":"…"}` (coupang-api.md §10). */
export function sendBadRequest(reply: FastifyReply, message: string): FastifyReply {
  return sendJson(reply, 400, { code: 400, message });
}

/** A gateway-level error in the gateway's shape `{"code":"ERROR","message":"…"}` (§10), e.g. 401. */
export function sendGatewayError(reply: FastifyReply, status: number, message: string): FastifyReply {
  return sendJson(reply, status, { code: "ERROR", message });
}

import type { FastifyReply } from "fastify";
import { JSON_CONTENT_TYPE, serializeCoupangJson } from "./json.js";

/** Sends `body` as Coupang-style JSON (bigints as bare numbers) with Coupang's content type. */
export function sendJson(reply: FastifyReply, status: number, body: unknown): FastifyReply {
  return reply.code(status).type(JSON_CONTENT_TYPE).send(serializeCoupangJson(body));
}

/** A gateway-level error in the gateway's shape `{"code":"ERROR","message":"…"}` (§10), e.g. 401, 429. */
export function sendGatewayError(reply: FastifyReply, status: number, message: string): FastifyReply {
  return sendJson(reply, status, { code: "ERROR", message });
}

/** The gateway's messages for the 5xx answers a fault can give (§3, §10). */
const GATEWAY_MESSAGES: Readonly<Record<number, string>> = {
  429: "Too Many Requests",
  500: "Internal Server Error",
  502: "Bad Gateway",
  504: "Request timed out, if the situation continues consider applying timeout extension.",
  521: "connection timed out: aws-openapi.coupang.net/10.211.51.172:80",
};

/** Where a 302 block sends the client: an "Access Denied" page under the admin prefix. */
export const BLOCKED_PATH = "/__sim/blocked";

/** The HTML page of a 403 block (the gateway's CDN answers HTML, not JSON, §10). */
export const ACCESS_DENIED_HTML =
  "<HTML><HEAD>\n<TITLE>Access Denied</TITLE>\n</HEAD><BODY>\n<H1>Access Denied</H1>\n \nYou don't have permission to access this server.<P>\nReference&#32;&#35;18&#46;coupang&#46;sim\n</BODY>\n</HTML>\n";

/**
 * The answer of a `status` fault (§10): 302 to {@link BLOCKED_PATH} (IP/vendor blocked), 400
 * as the API refuses a request's body (`{code: 400, message}`; e.g. a whole batch for one bad
 * row), 403 with the HTML "Access Denied" page, or the gateway's JSON error for
 * 429/500/502/504/521.
 */
export function sendFaultStatus(reply: FastifyReply, status: number): FastifyReply {
  if (status === 302) return reply.code(302).header("location", BLOCKED_PATH).send();
  if (status === 400)
    return sendJson(reply, 400, { code: 400, message: "잘못된 요청입니다. (simulated fault)" });
  if (status === 403) return reply.code(403).type("text/html").send(ACCESS_DENIED_HTML);
  return sendGatewayError(reply, status, GATEWAY_MESSAGES[status] ?? "Internal Server Error");
}

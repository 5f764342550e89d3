import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";

/** The cookie `POST /login` sets, so a browser can open the status page and the dashboard. */
export const SESSION_COOKIE = "cos_admin";

/** `{ error: { code, message } }`, the error body of every JSON route of the server. */
export function sendError(reply: FastifyReply, status: number, code: string, message: string): FastifyReply {
  return reply.code(status).type("application/json; charset=utf-8").send({ error: { code, message } });
}

/**
 * Whether `given` is `expected`, in time that does not depend on where they differ: both are
 * hashed first, so `timingSafeEqual` compares digests of equal length whatever was sent (and the
 * token's length does not leak either).
 */
export function tokenMatches(given: string, expected: string): boolean {
  const digest = (s: string) => createHash("sha256").update(s, "utf8").digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/**
 * The cookie's value for a token: an HMAC of a fixed label keyed by the token, so the cookie never
 * holds the token itself, survives a restart, and stops working when ADMIN_TOKEN changes.
 */
export function sessionValue(token: string): string {
  return createHmac("sha256", token).update("cos_admin session v1").digest("base64url");
}

/**
 * The onRequest hook of the protected routes: passes a request with `Authorization: Bearer
 * <ADMIN_TOKEN>` or the session cookie of {@link sessionValue}; answers 401 otherwise (with a
 * `WWW-Authenticate` challenge). Both are compared in constant time.
 */
export function requireAdmin(token: string) {
  const session = sessionValue(token);
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const header = request.headers.authorization;
    const bearer = header?.match(/^Bearer\s+(.+)$/i)?.[1]?.trim();
    const cookie = request.cookies[SESSION_COOKIE];
    if (
      bearer !== undefined
        ? tokenMatches(bearer, token)
        : cookie !== undefined && tokenMatches(cookie, session)
    )
      return;
    reply.header("WWW-Authenticate", 'Bearer realm="coupang-order-sync"');
    await sendError(
      reply,
      401,
      "unauthorized",
      header === undefined && cookie === undefined
        ? "send Authorization: Bearer <ADMIN_TOKEN>, or sign in at /login"
        : "the token is wrong",
    );
  };
}

/** Control characters: browsers drop tabs and line breaks from a URL, so `/\t/evil.example` is `//evil.example` to them. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
/** The origin `next` is resolved against: a name no real request can carry. */
const HERE = "http://here.invalid";

/**
 * Where to go after signing in: `next` when it is a path on this server, as a browser would read
 * it — it starts with "/", holds no control character, and resolved against this server stays on
 * it (`//evil.example`, `/\evil.example` do not) — else /status. Returns the path as resolved, so
 * the Location header is exactly what was checked.
 */
export function localPath(next: unknown): string {
  if (typeof next !== "string" || !next.startsWith("/") || CONTROL.test(next)) return "/status";
  const url = URL.canParse(next, HERE) ? new URL(next, HERE) : undefined;
  return url?.origin === HERE && url.pathname.startsWith("/")
    ? `${url.pathname}${url.search}${url.hash}`
    : "/status";
}

function loginPage(next: string, error?: string): string {
  const attr = (s: string) => s.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sign in · Coupang order-sync</title>
<style>
  body { font: 14px/1.45 system-ui, sans-serif; display: grid; place-items: center; min-height: 90vh; background: #f9fafb; }
  form { background: #fff; border: 1px solid #e4e7ec; border-radius: 8px; padding: 24px; width: 320px; }
  input { width: 100%; box-sizing: border-box; padding: 8px; margin: 8px 0 12px; }
  button { padding: 8px 16px; } .error { color: #c62828; }
</style></head>
<body><form method="post" action="/login">
  <h1 style="font-size:18px;margin:0 0 8px">Coupang order-sync</h1>
  ${error ? `<p class="error" role="alert">${attr(error)}</p>` : ""}
  <label>Admin token<input type="password" name="token" autocomplete="current-password" autofocus required></label>
  <input type="hidden" name="next" value="${attr(next)}">
  <button type="submit">Sign in</button>
</form></body></html>
`;
}

/**
 * `GET /login`, a small form for the admin token, and `POST /login` (form-encoded `token`,
 * `next`): with the right token it sets the HttpOnly, SameSite=Strict cookie {@link SESSION_COOKIE}
 * and redirects (303) to `next` (a path on this server; default /status); with a wrong one it
 * shows the form again with 401. Needs @fastify/cookie and @fastify/formbody on the server.
 */
export function registerLogin(server: FastifyInstance, token: string): void {
  const hide = { schema: { hide: true } };
  server.get<{ Querystring: { next?: string } }>("/login", hide, async (request, reply) =>
    reply.type("text/html; charset=utf-8").send(loginPage(localPath(request.query.next))),
  );
  server.post<{ Body: { token?: unknown; next?: unknown } | undefined }>(
    "/login",
    hide,
    async (request, reply) => {
      const next = localPath(request.body?.next);
      const given = request.body?.token;
      if (typeof given !== "string" || !tokenMatches(given, token)) {
        return reply.code(401).type("text/html; charset=utf-8").send(loginPage(next, "That token is wrong."));
      }
      reply.setCookie(SESSION_COOKIE, sessionValue(token), {
        path: "/",
        httpOnly: true,
        sameSite: "strict",
        secure: request.protocol === "https",
      });
      return reply.redirect(next, 303);
    },
  );
}

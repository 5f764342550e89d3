import Fastify, { type FastifyInstance } from "fastify";
import type { SimState } from "../state.js";
import { parseJsonLossless } from "./body.js";
import { sendJson } from "./reply.js";
import { registerCoupangRoute, type HungSockets } from "./route.js";
import { registerAdminRoutes } from "./routes/admin.js";
import { EXCHANGE_ROUTES } from "./routes/exchanges.js";
import { ORDER_ROUTES } from "./routes/orders.js";
import { ORDERSHEET_ROUTES } from "./routes/ordersheets.js";
import { RETURN_ROUTES } from "./routes/returns.js";

/** Every Coupang API path begins with this; unknown paths below it are counted. */
const COUPANG_PREFIX = "/v2/providers/";

/** Every Coupang endpoint the simulator serves (see the README for the list). */
export const COUPANG_ROUTES = [...ORDERSHEET_ROUTES, ...ORDER_ROUTES, ...RETURN_ROUTES, ...EXCHANGE_ROUTES];

/**
 * Builds (does not start) the simulator's fastify app: every Coupang route through the one
 * route helper (`registerCoupangRoute`: counting, signature, throttle, faults), admin routes
 * under `/__sim/`, bodies parsed as lossless JSON whatever their content type, and errors in
 * Coupang's shapes (§10): unknown Coupang paths 404 `{"code":404,"message":…}` counted under
 * `"<METHOD> (unmatched)"`, unparsable bodies 400, a simulator fault 500
 * `{"code":500,"message":"internal exception"}`. Responses a fault left hanging are cut
 * when the app closes.
 */
export function buildServer(state: SimState, logger: boolean): FastifyInstance {
  const app = Fastify({ logger });
  const hung: HungSockets = new Set();

  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", { parseAs: "string" }, (request, body, done) => {
    const text = String(body);
    request.rawBody = text;
    if (text.trim() === "") return done(null, undefined);
    try {
      done(null, parseJsonLossless(text));
    } catch (error) {
      done(
        Object.assign(new Error(`Malformed JSON body: ${(error as Error).message}`), { statusCode: 400 }),
        undefined,
      );
    }
  });

  for (const route of COUPANG_ROUTES) registerCoupangRoute(app, state, hung, route);
  void app.register(
    (admin, _opts, done) => {
      registerAdminRoutes(admin, state);
      done();
    },
    { prefix: "/__sim" },
  );

  app.addHook("preClose", (done) => {
    for (const socket of hung) socket.destroy();
    done();
  });

  app.setNotFoundHandler((request, reply) => {
    if (request.url.startsWith(COUPANG_PREFIX)) state.calls.record(`${request.method} (unmatched)`);
    return sendJson(reply, 404, {
      code: 404,
      message: `No API at ${request.method} ${request.url.split("?")[0] ?? ""}`,
    });
  });

  app.setErrorHandler((error: { statusCode?: number; message?: string }, request, reply) => {
    const status =
      error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500
        ? error.statusCode
        : 500;
    if (status === 500) request.log.error(error, "simulator fault");
    return sendJson(reply, status, {
      code: status,
      message: status === 500 ? "internal exception" : (error.message ?? ""),
    });
  });

  return app;
}

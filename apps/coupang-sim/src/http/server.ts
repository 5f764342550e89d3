import Fastify, { type FastifyInstance } from "fastify";
import type { World } from "../world/world.js";
import { verifyRequest } from "./auth.js";
import type { CallCounter } from "./calls.js";
import { sendGatewayError, sendJson } from "./reply.js";
import { registerAdminRoutes } from "./routes/admin.js";
import { registerOrdersheetsRoutes } from "./routes/ordersheets.js";

declare module "fastify" {
  interface FastifyContextConfig {
    /** Name under which calls to a Coupang route are counted, e.g. `ordersheets`. */
    endpoint?: string;
  }
}

/** Everything the HTTP server reads; it owns no state of its own. */
export interface ServerDeps {
  world: World;
  /** The simulator's clock (signature skew, list lag). */
  now: () => Date;
  calls: CallCounter;
  /** Largest allowed |signed-date − now| in ms. */
  signatureSkewMs: number;
  logger: boolean;
}

/** Every Coupang API path begins with this; only such paths are signed and counted. */
const COUPANG_PREFIX = "/v2/providers/";

/**
 * Builds (does not start) the simulator's fastify app: Coupang routes behind signature
 * verification (coupang-api.md §1), admin routes under `/__sim/`, call counting, and errors in
 * Coupang's shapes (§10). Unknown Coupang paths answer 404 `{"code":404,"message":…}` and are
 * counted under `"<METHOD> (unmatched)"`; a simulator fault answers 500
 * `{"code":500,"message":"internal exception"}`.
 */
export function buildServer(deps: ServerDeps): FastifyInstance {
  const app = Fastify({ logger: deps.logger });

  app.addHook("onRequest", (request, _reply, done) => {
    const endpoint = request.routeOptions.config.endpoint;
    if (endpoint !== undefined) deps.calls.record(`${request.method} ${endpoint}`);
    done();
  });

  void app.register((coupang, _opts, done) => {
    coupang.addHook("onRequest", (request, reply, next) => {
      const params = request.params as { vendorId?: string };
      const result = verifyRequest({
        header: request.headers.authorization,
        method: request.method,
        rawUrl: request.raw.url ?? request.url,
        vendorId: params.vendorId ?? "",
        now: deps.now(),
        skewMs: deps.signatureSkewMs,
        lookup: (accessKey) => deps.world.vendorByAccessKey(accessKey),
      });
      if (!result.ok) {
        request.log.info({ reason: result.reason }, "signature rejected");
        // Not a Coupang header: tells a developer why, where the gateway would not.
        void reply.header("x-sim-auth-reason", result.reason);
        // Answering without calling next() ends the request here.
        void sendGatewayError(reply, 401, result.message);
        return;
      }
      next();
    });
    registerOrdersheetsRoutes(coupang, deps);
    done();
  });

  void app.register(
    (admin, _opts, done) => {
      registerAdminRoutes(admin, deps);
      done();
    },
    { prefix: "/__sim" },
  );

  app.setNotFoundHandler((request, reply) => {
    if (request.url.startsWith(COUPANG_PREFIX)) deps.calls.record(`${request.method} (unmatched)`);
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

import { migrate } from "@cos/db";
import { startWorker } from "./app.js";
import { ConfigError, loadConfig } from "./config.js";
import { startHttpServer } from "./http/server.js";
import { createLogger } from "./logger.js";
import { onShutdownSignal } from "./signals.js";

/**
 * The daemon: `npm start`. Reads the environment (README, "Settings"), applies pending
 * migrations, and polls every configured vendor until SIGTERM or SIGINT.
 */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }
  const log = createLogger(config.logLevel);
  try {
    const { applied } = await migrate(config.databaseUrl);
    if (applied.length > 0) log.info({ applied }, "migrations applied");
  } catch (err) {
    console.error(
      `cannot use Postgres at DATABASE_URL (${describeUrl(config.databaseUrl)}): ${(err as Error).message}`,
    );
    process.exit(69); // EX_UNAVAILABLE
  }
  // Installed before the worker starts, so a signal during start-up stops it in order too.
  const starting = startWorker(config, log);
  // The HTTP server starts once the worker runs and closes before it, so no request meets a
  // closed pool.
  const serving = starting.then((app) => startHttpServer({ app, config, log, metrics: app.metrics }));
  // Its failure is reported below, once: not also as an unhandled rejection.
  serving.catch(() => {});
  // The app abandons a poll at its deadline; what closing still waits for after that gets 10 s.
  onShutdownSignal(
    log,
    async () => {
      await (await serving.catch(() => null))?.close();
      const app = await starting.catch(() => undefined);
      await app?.close();
    },
    { hardDeadlineMs: config.shutdownTimeoutMs + 10_000 },
  );
  let app;
  try {
    app = await starting;
  } catch (err) {
    console.error(`the worker could not start: ${(err as Error).message}`);
    process.exit(69);
  }
  try {
    await serving;
  } catch (err) {
    console.error(
      `the HTTP server cannot listen on HTTP_HOST:HTTP_PORT (${config.http.host}:${config.http.port}): ${(err as Error).message}`,
    );
    await app.close();
    process.exit(69);
  }
}

/** host:port/database of a connection URL, without the credentials. */
function describeUrl(url: string): string {
  const u = new URL(url);
  return `${u.hostname}:${u.port || 5432}${u.pathname}`;
}

await main();

import { migrate } from "@cos/db";
import { startWorker } from "./app.js";
import { ConfigError, loadConfig } from "./config.js";
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
  const { applied } = await migrate(config.databaseUrl);
  if (applied.length > 0) log.info({ applied }, "migrations applied");
  const app = await startWorker(config, log);
  onShutdownSignal(log, () => app.close());
}

await main();

// @cos/worker as a library: what another app of the deployment (the CLI, apps/cli) needs to read
// the same settings and reach the same queues as the worker.
export {
  connectRedis,
  createWorkerEvents,
  queueBackend,
  startWorker,
  type PollOutcome,
  type StartOptions,
  type WorkerApp,
  type WorkerEvents,
} from "./app.js";
export { vendorClients } from "./clients.js";
export { ConfigError, loadConfig, type VendorConfig, type WorkerConfig } from "./config.js";
export { createLogger, type Logger } from "./logger.js";
export { retentionCutoff, RETENTION_HOUR_KST } from "./retention.js";

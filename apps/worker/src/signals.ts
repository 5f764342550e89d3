import type { Logger } from "./logger.js";

/**
 * Runs `stop` once on the first SIGTERM or SIGINT, then exits 0 (or 1 if stopping failed).
 * A second signal while stopping exits at once with 130, for an operator who will not wait —
 * unless it comes within a second of the first: a terminal's Ctrl-C reaches every process of
 * the group, and launchers such as tsx or npm relay it too, so one keypress can arrive twice.
 * When `stop` has not finished `hardDeadlineMs` after the signal (something it waits for never
 * ends: a job stuck in a database call, a hung socket), the process exits 1 anyway, so a
 * supervisor's stop never turns into its SIGKILL.
 */
export function onShutdownSignal(
  log: Logger,
  stop: () => Promise<void>,
  options: { hardDeadlineMs?: number } = {},
): void {
  let stoppingSince = 0;
  const handler = (signal: NodeJS.Signals) => {
    if (stoppingSince > 0) {
      if (Date.now() - stoppingSince < 1000) return;
      log.warn({ signal }, "second signal: exiting now");
      process.exit(130);
    }
    stoppingSince = Date.now();
    log.info({ signal }, "shutting down");
    if (options.hardDeadlineMs !== undefined) {
      setTimeout(() => {
        log.error({ hardDeadlineMs: options.hardDeadlineMs }, "shutdown did not finish in time: exiting now");
        process.exit(1);
      }, options.hardDeadlineMs).unref();
    }
    stop().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error({ err }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", handler);
  process.on("SIGINT", handler);
}

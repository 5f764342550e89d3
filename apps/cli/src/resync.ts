import { SingleBar } from "cli-progress";
import type { ResyncRecord } from "@cos/db";
import { parseRangeEnd, requestResync, resyncStatus } from "@cos/ops";
import { createQueueFactory, JOBS, type JobData, type QueueHandle } from "@cos/queue";
import { STREAM_NAMES } from "@cos/sync";
import { connectRedis, createLogger, queueBackend, vendorClients } from "@cos/worker";
import { formatResyncReport, progressLine } from "./format.js";
import { CliError, describeUrl, EXIT, print, type Session } from "./session.js";

/** How often progress is read from Postgres, ms. */
const POLL_MS = 1_000;
/** After this long without a finished window, say that a worker must be running. */
const STALL_HINT_MS = 60_000;

/** The options of `resync`. */
export interface ResyncOptions {
  vendor: string;
  from: string;
  to: string;
  streams?: string;
  daysPerWindow?: number;
  /** false with `--no-wait`. */
  wait: boolean;
  json?: boolean;
}

/**
 * `resync`: queues it through @cos/ops `requestResync` on the workers' own queue backend and
 * prefix (a worker runs the windows), then, unless `--no-wait`, follows its progress in Postgres
 * and prints the final report.
 * @throws OpsError/ResyncRequestError for a bad request (exit 65); CliError 69 when Redis cannot be
 *   reached; CliError 1 when the resync ends failed or cancelled (after printing its report).
 */
export async function resync(s: Session, opts: ResyncOptions): Promise<void> {
  const request = {
    vendorId: opts.vendor,
    streams:
      opts.streams === undefined
        ? [...STREAM_NAMES]
        : opts.streams
            .split(",")
            .map((name) => name.trim())
            .filter((name) => name !== ""),
    from: parseRangeEnd("from", opts.from),
    to: parseRangeEnd("to", opts.to, true),
    ...(opts.daysPerWindow === undefined ? {} : { daysPerWindow: opts.daysPerWindow }),
  };
  const started = await enqueue(s, request);
  const { resync: first, created } = started;
  const say = (line: string) => (s.json ? s.out.err(line) : s.out.log(line));
  say(
    created
      ? `resync ${first.id} queued: ${first.windowsTotal} windows of ${first.streams.join(", ")}`
      : `resync ${first.id} of the same range is already running: following it`,
  );
  if (!opts.wait) {
    print(s.out, s, { created, resync: first }, () => progressLine(first));
    return;
  }
  const final = await follow(s, first, say);
  print(s.out, s, final, () => formatResyncReport(final));
  if (final.status !== "completed")
    throw new CliError(
      EXIT.failed,
      `resync ${final.id} ${final.status}${final.error ? `: ${final.error}` : ""}`,
      "failed",
    );
}

/** Checks the queue backend, then records and queues the resync; closes what it opened. */
async function enqueue(s: Session, request: Parameters<typeof requestResync>[1]) {
  const { config } = s;
  if (config.redisUrl) {
    const redis = await connectRedis(config.redisUrl, createLogger("silent")).catch((err: unknown) => {
      throw new CliError(EXIT.unavailable, (err as Error).message);
    });
    await redis.quit();
  }
  const queues = createQueueFactory(queueBackend(config));
  const queue: QueueHandle<JobData<"resyncWindow">> = queues.queue(JOBS.resyncWindow.queue);
  // A failing add() says why; the queue's own reconnect noise would only repeat it.
  queue.on("error", () => {});
  // Only the stream adapters' window limits are read: no call is made with these clients.
  const sources = vendorClients(config);
  try {
    return await requestResync({ prisma: s.prisma, queue, sources }, request).catch((err: unknown) => {
      const code = (err as { code?: unknown }).code;
      if (typeof code === "string" && code.startsWith("E"))
        throw new CliError(
          EXIT.unavailable,
          `cannot queue the resync on the ${queues.kind} backend (${describeUrl(config.redisUrl ?? config.databaseUrl)}): ${(err as Error).message}`,
        );
      throw err;
    });
  } finally {
    for (const client of sources.values()) client.close();
    await queue.close();
    await queues.close();
  }
}

/**
 * Reads the resync's progress until it ends: a bar on a terminal, otherwise a line whenever a
 * window finishes (on stderr with `--json`, so stdout holds only the report).
 */
async function follow(s: Session, first: ResyncRecord, say: (line: string) => void): Promise<ResyncRecord> {
  const bar =
    s.out.tty && !s.json
      ? new SingleBar({
          format: `resync ${first.id} [{bar}] {value}/{total} windows | {pages} pages | {calls} API calls | {rows} rows | {eta_formatted}`,
          hideCursor: true,
          stream: process.stdout,
        })
      : undefined;
  const figures = (r: ResyncRecord) => ({ pages: r.pages, calls: r.apiCalls, rows: r.rowsWritten });
  bar?.start(first.windowsTotal, first.windowsDone, figures(first));
  let current = first;
  let lastDone = -1;
  let changedAt = Date.now();
  let hinted = false;
  try {
    for (;;) {
      if (current.windowsDone !== lastDone) {
        lastDone = current.windowsDone;
        changedAt = Date.now();
        if (bar) bar.update(current.windowsDone, figures(current));
        else say(progressLine(current));
      } else if (!hinted && Date.now() - changedAt > STALL_HINT_MS) {
        hinted = true;
        say(
          `no window finished for ${STALL_HINT_MS / 1000} s: is a worker running with QUEUE_PREFIX=${s.config.queuePrefix} on this ${s.config.redisUrl ? "Redis" : "Postgres"}?`,
        );
      }
      if (current.status !== "running") return current;
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      current = await resyncStatus(s.prisma, current.id);
    }
  } finally {
    bar?.stop();
  }
}

import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";
import { CoupangError, type CoupangResponseEvent } from "@cos/coupang";
import type { PrismaClient } from "@cos/db";
import { vendorStatus, type StatusReport } from "@cos/ops";
import type { Job, WorkerHandle } from "@cos/queue";
import { rowsUpserted, STREAM_NAMES } from "@cos/sync";
import type { PollOutcome } from "./app.js";
import type { Logger } from "./logger.js";
import type { DrainOutcome } from "./outbound.js";

/** What {@link createMetrics} reads the database-backed gauges with. */
export interface MetricsDeps {
  prisma: PrismaClient;
  /** The configured vendors: their counters start at 0, so each series exists before its first event. */
  vendorIds: readonly string[];
  /** Where a scrape that cannot read the database says so (the other series are served anyway). */
  log: Logger;
  /** The scrape's clock (lags and ages are measured against it). Default: the system clock. */
  now?: () => Date;
}

/**
 * The worker's Prometheus metrics (docs/operations spec of issue 7), on a registry of their own
 * (never prom-client's global one, so two workers in one process, as in tests, do not collide).
 * Every series carries the `cos_` prefix; labels are bounded: vendor IDs of the configured
 * vendors, stream and queue names, endpoint templates, HTTP statuses, error kinds.
 */
export interface WorkerMetrics {
  /** Serve `registry.metrics()` (content type `registry.contentType`) at `/metrics`. */
  readonly registry: Registry;
  /** One HTTP attempt of a Coupang client (its `onResponse`): counts it, times it, and counts a 429. */
  observeCall(event: CoupangResponseEvent): void;
  /** One poll's outcome: rows upserted and rejected, change events, and failures by kind. */
  observePoll(outcome: PollOutcome): void;
  /** One drain job's outcome: drains by outcome, and the commands leaving it by status. */
  observeDrain(outcome: DrainOutcome): void;
  /** A finished job of `queue` that ran `ms` milliseconds, `ok` when it completed (false: failed). */
  observeJob(queue: string, ms: number, ok: boolean): void;
  /** Times every job `worker` finishes ({@link observeJob} with its queue's name). */
  watchWorker(worker: WorkerHandle): void;
}

/**
 * The endpoint of a Coupang API path, for a label: the path after `/vendors/{vendorId}/` with
 * every ID segment replaced by `{id}`, e.g. `ordersheets`, `ordersheets/{id}/history`,
 * `orders/{id}/cancel` (coupang-api.md lists them all). `other` for a path without a vendor.
 */
export function endpointOf(path: string): string {
  const afterVendor = path.split("?")[0]!.split("/vendors/")[1];
  if (afterVendor === undefined) return "other";
  const segments = afterVendor.split("/").slice(1);
  // Only Coupang's fixed resource names survive; any ID (digits, or anything else) is templated.
  return segments.map((s) => (/^[A-Za-z]+$/.test(s) ? s : "{id}")).join("/") || "other";
}

/** The kind label of a failed poll: the Coupang error's kind, a circuit left open, or `internal`. */
function failureKind(error: Error): string {
  if (error instanceof CoupangError) return error.kind;
  return error.name === "CircuitOpenError" ? "circuit_open" : "internal";
}

/** Statuses whose commands still wait on something (a drain, a read-back, an operator): their oldest age is exported. */
const WAITING_STATUSES = ["pending", "in_flight", "unknown", "dead"] as const;

/**
 * Creates the worker's metrics: counters and histograms fed by the worker as things happen, and
 * gauges read from the database at scrape time (freshness lag per (vendor, stream), outbox
 * commands and the oldest waiting one's age per (vendor, status)) by one `vendorStatus` of
 * @cos/ops per scrape, shared by the gauges; when it fails, the scrape serves the other series
 * and logs a warning. Default process metrics carry the prefix too.
 */
export function createMetrics(deps: MetricsDeps): WorkerMetrics {
  const registry = new Registry();
  const registers = [registry];
  collectDefaultMetrics({ register: registry, prefix: "cos_" });

  const requests = new Counter({
    name: "cos_coupang_requests_total",
    help: "Coupang API HTTP attempts (retries and failures included) by endpoint template, method and status (`network` when no answer came)",
    labelNames: ["vendor_id", "endpoint", "method", "status"] as const,
    registers,
  });
  const requestDuration = new Histogram({
    name: "cos_coupang_request_duration_seconds",
    help: "Wall time of a Coupang API HTTP attempt (the rate limiter's wait not included)",
    labelNames: ["endpoint"] as const,
    // Standard calls time out at a few seconds, extended ones (lists, batch writes) at 90 s.
    buckets: [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 90],
    registers,
  });
  const rateLimited = new Counter({
    name: "cos_coupang_rate_limited_total",
    help: "Coupang API answers 429 Too Many Requests (the vendor's calls are paused)",
    labelNames: ["vendor_id"] as const,
    registers,
  });
  const upserted = new Counter({
    name: "cos_rows_upserted_total",
    help: "Rows inserted or changed by polls: boxes or requests, and their items",
    labelNames: ["vendor_id", "stream"] as const,
    registers,
  });
  const rejected = new Counter({
    name: "cos_rows_rejected_total",
    help: "Records polls quarantined (quarantined_records) instead of storing, each version once",
    labelNames: ["vendor_id", "stream"] as const,
    registers,
  });
  const changeEvents = new Counter({
    name: "cos_change_events_total",
    help: "Change events polls appended to the feed (change_events)",
    labelNames: ["vendor_id", "stream"] as const,
    registers,
  });
  const pollFailures = new Counter({
    name: "cos_poll_failures_total",
    help: "Poll attempts that failed, by the Coupang error kind (circuit_open: not run; internal: ours), and one-day windows recorded as failed slices (failed_slice)",
    labelNames: ["vendor_id", "stream", "kind"] as const,
    registers,
  });
  const jobDuration = new Histogram({
    name: "cos_job_duration_seconds",
    help: "Wall time of a finished job by queue (inbound: polls, resync, reconcile, outbound: drains) and outcome (completed, failed)",
    labelNames: ["queue", "outcome"] as const,
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600],
    registers,
  });
  const drains = new Counter({
    name: "cos_outbox_drains_total",
    help: "Outbox drain jobs by outcome: drained, stopped (a 429, a block or bad keys stopped it), skipped (the vendor's circuit was open)",
    labelNames: ["vendor_id", "outcome"] as const,
    registers,
  });
  const drained = new Counter({
    name: "cos_outbox_drained_commands_total",
    help: "Commands leaving a drain, by the status they left it in (pending: to retry)",
    labelNames: ["vendor_id", "status"] as const,
    registers,
  });

  for (const vendor_id of deps.vendorIds) {
    rateLimited.inc({ vendor_id }, 0);
    for (const stream of STREAM_NAMES)
      for (const counter of [upserted, rejected, changeEvents]) counter.inc({ vendor_id, stream }, 0);
  }

  const now = deps.now ?? (() => new Date());
  // The gauges below are collected concurrently by one scrape: they share its database read.
  let reading: Promise<StatusReport | null> | undefined;
  const scrapeState = () =>
    (reading ??= vendorStatus(deps.prisma, { now: now() })
      .catch((err: unknown) => {
        deps.log.warn({ err }, "metrics: cannot read the database; its gauges are left out of this scrape");
        return null;
      })
      .finally(() => {
        reading = undefined;
      }));
  const lag: Gauge<"vendor_id" | "stream"> = new Gauge({
    name: "cos_freshness_lag_seconds",
    help: "Now − synced_through per (vendor, stream) in whole seconds: how far behind Coupang the local copy may be; absent before the first checkpoint",
    labelNames: ["vendor_id", "stream"] as const,
    registers,
    async collect() {
      const state = await scrapeState();
      lag.reset();
      for (const v of state?.vendors ?? [])
        for (const s of v.streams)
          if (s.lagSeconds !== null) lag.set({ vendor_id: v.vendorId, stream: s.stream }, s.lagSeconds);
    },
  });
  const outboxCommands: Gauge<"vendor_id" | "status"> = new Gauge({
    name: "cos_outbox_commands",
    help: "Outbox commands per (vendor, status), every status listed (0 when none)",
    labelNames: ["vendor_id", "status"] as const,
    registers,
    async collect() {
      const state = await scrapeState();
      outboxCommands.reset();
      for (const v of state?.vendors ?? [])
        for (const [status, n] of Object.entries(v.outbox.counts))
          outboxCommands.set({ vendor_id: v.vendorId, status }, n);
    },
  });
  const outboxAge: Gauge<"vendor_id" | "status"> = new Gauge({
    name: "cos_outbox_oldest_age_seconds",
    help: "Age in whole seconds (now − created_at) of the vendor's oldest command in a waiting status (pending, in_flight, unknown, dead); absent when none is",
    labelNames: ["vendor_id", "status"] as const,
    registers,
    async collect() {
      const state = await scrapeState();
      outboxAge.reset();
      for (const v of state?.vendors ?? [])
        for (const status of WAITING_STATUSES) {
          const age = v.outbox.oldestAgeSeconds[status];
          if (age !== null) outboxAge.set({ vendor_id: v.vendorId, status }, age);
        }
    },
  });

  const observeJob = (queue: string, ms: number, ok: boolean) =>
    jobDuration.observe({ queue, outcome: ok ? "completed" : "failed" }, ms / 1000);
  const observeFinished = (queue: string, job: Job | undefined, ok: boolean) => {
    if (job?.processedOn === undefined) return;
    observeJob(queue, (job.finishedOn ?? Date.now()) - job.processedOn, ok);
  };

  return {
    registry,
    observeCall(e) {
      const endpoint = endpointOf(e.path);
      const status = e.statusCode === undefined ? "network" : String(e.statusCode);
      requests.inc({ vendor_id: e.vendorId, endpoint, method: e.method, status });
      requestDuration.observe({ endpoint }, e.durationMs / 1000);
      if (e.statusCode === 429) rateLimited.inc({ vendor_id: e.vendorId });
    },
    observePoll(o) {
      const labels = { vendor_id: o.vendorId, stream: o.stream };
      if (!o.ok) {
        pollFailures.inc({ ...labels, kind: failureKind(o.error) });
        return;
      }
      upserted.inc(labels, rowsUpserted(o.report));
      rejected.inc(labels, o.report.rejected);
      changeEvents.inc(labels, o.report.events);
      if (o.report.slicesFailed > 0)
        pollFailures.inc({ ...labels, kind: "failed_slice" }, o.report.slicesFailed);
    },
    observeDrain(o) {
      if (o.outcome === "skipped") {
        drains.inc({ vendor_id: o.vendorId, outcome: "skipped" });
        return;
      }
      drains.inc({ vendor_id: o.vendorId, outcome: o.result.stoppedBy ? "stopped" : "drained" });
      for (const [status, n] of Object.entries(o.result.statuses))
        if (n) drained.inc({ vendor_id: o.vendorId, status }, n);
    },
    observeJob,
    watchWorker(worker) {
      worker.on("completed", (job) => observeFinished(worker.name, job, true));
      worker.on("failed", (job) => observeFinished(worker.name, job, false));
    },
  };
}

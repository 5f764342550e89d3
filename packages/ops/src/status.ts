import { OUTBOX_STATUSES, type OutboxStatus, type PrismaClient } from "@cos/db";
import { STREAM_NAMES } from "@cos/sync";
import { OpsError } from "./errors.js";

/** A configured seller account (`vendor_accounts`); its keys live in the worker's config only. */
export interface VendorSummary {
  /** WING vendorId, e.g. `A00012345`. */
  vendorId: string;
  name: string | null;
  enabled: boolean;
  /** When the worker first registered it (UTC). */
  createdAt: Date;
}

/** The last poll of a stream (`sync_runs`), whatever its outcome. Instants are UTC. */
export interface LastRun {
  /** `running`, `succeeded`, `partial`, `interrupted` or `failed`. */
  status: string;
  startedAt: Date;
  finishedAt: Date | null;
  /** The error of a failed or partial run; null otherwise. */
  error: string | null;
}

/** How fresh one (vendor, stream) is and what is waiting on it. Instants are UTC. */
export interface StreamStatus {
  /** A name of the stream registry (`STREAM_NAMES` of @cos/sync), e.g. `ordersheets`. */
  stream: string;
  /** `finished_at` of the last succeeded poll; null before the first. */
  lastSuccessAt: Date | null;
  /** `sync_checkpoints.synced_through`: every window before it is read; null before the first poll. */
  syncedThrough: Date | null;
  /** now − syncedThrough in whole seconds; null while syncedThrough is. Never below the configured SYNC_LAG_SECONDS in steady state. */
  lagSeconds: number | null;
  lastRun: LastRun | null;
  /** Failed slices not yet resolved (`sync_failed_slices.resolved_at IS NULL`): ranges the retry tier still owes. */
  failedSlicesOpen: number;
  /** Records of the stream ever quarantined (`quarantined_records`). */
  quarantined: number;
  /** Daily count disagreements not yet resolved (`reconcile_gaps.resolved_at IS NULL`). */
  reconcileGapsOpen: number;
}

/** A vendor's outbox (`outbox_commands`) by status. */
export interface OutboxStatusSummary {
  /** Commands per status; every status of `OUTBOX_STATUSES` is a key (0 when none). */
  counts: Record<OutboxStatus, number>;
  /** Seconds since the oldest `pending` command was created; null when none is pending. */
  oldestPendingAgeSeconds: number | null;
  /**
   * Seconds since the pending command due longest ago came due (`next_attempt_at`); null when
   * none is due. A drained vendor keeps it within about `OUTBOX_DRAIN_INTERVAL_SECONDS`; it grows
   * while no worker sends the vendor's commands — the vendor is not configured in any running
   * worker, or its circuit is open — which retries waiting for their turn do not make it do.
   */
  oldestDueAgeSeconds: number | null;
  /** Per status, seconds since the oldest command in it was created; null when none is. */
  oldestAgeSeconds: Record<OutboxStatus, number | null>;
}

/** One vendor's streams and outbox. */
export interface VendorStatus {
  vendorId: string;
  name: string | null;
  /** One per stream of the registry, in its order. */
  streams: StreamStatus[];
  outbox: OutboxStatusSummary;
}

/** What {@link vendorStatus} reports: every vendor (or the one asked for), as of `generatedAt`. */
export interface StatusReport {
  /**
   * The instant ages and lags are measured at (UTC): unless the caller gives one, taken after the
   * streams are read, so no stream's `lastSuccessAt` is later than it.
   */
  generatedAt: Date;
  /** In vendorId order. */
  vendors: VendorStatus[];
}

/** Every vendor of `vendor_accounts`, in vendorId order. */
export async function listVendors(prisma: PrismaClient): Promise<VendorSummary[]> {
  const rows = await prisma.vendorAccount.findMany({ orderBy: { vendorId: "asc" } });
  return rows.map((v) => ({
    vendorId: v.vendorId,
    name: v.name,
    enabled: v.enabled,
    createdAt: v.createdAt,
  }));
}

interface StreamRow {
  vendor_id: string;
  stream: string;
  last_success_at: Date | null;
  synced_through: Date | null;
  run_status: string | null;
  run_started_at: Date | null;
  run_finished_at: Date | null;
  run_error: string | null;
  failed_slices_open: number;
  quarantined: number;
  reconcile_gaps_open: number;
}

interface OutboxRow {
  vendor_id: string;
  status: OutboxStatus;
  n: number;
  oldest: Date;
  oldest_due: Date | null;
}

/** Whole seconds from `then` to `now`. */
const secondsSince = (now: Date, then: Date) => Math.round((now.getTime() - then.getTime()) / 1000);

/**
 * The operator's view of freshness: per vendor and stream of the registry, the last success, how
 * far the checkpoint lags `now`, the last run, and the open failed slices, quarantined records and
 * open reconciliation gaps; per vendor, its outbox commands by status with the age of the oldest.
 * Read-only, a few aggregate queries whatever the data size (the status page, `cos status`, and the
 * freshness and outbox gauges read it at every scrape).
 * @param options.vendorId only this vendor; default every vendor.
 * @param options.now the instant lags and ages are measured at; default the current time once the
 *   streams are read (a run finishing while they are read is then not in the future of it).
 * @throws OpsError `not_found` when `vendorId` is given and has no `vendor_accounts` row.
 */
export async function vendorStatus(
  prisma: PrismaClient,
  options: { vendorId?: string | undefined; now?: Date | undefined } = {},
): Promise<StatusReport> {
  const vendorId = options.vendorId ?? null;
  const vendors = await prisma.vendorAccount.findMany({
    where: vendorId === null ? {} : { vendorId },
    orderBy: { vendorId: "asc" },
  });
  if (vendorId !== null && vendors.length === 0)
    throw new OpsError("not_found", `vendorId: ${vendorId} is not a known vendor (vendor_accounts)`);
  const streams = await prisma.$queryRawUnsafe<StreamRow[]>(
    `SELECT v.vendor_id, s.stream,
            (SELECT max(r.finished_at) FROM sync_runs r
              WHERE r.vendor_id = v.vendor_id AND r.stream = s.stream AND r.status = 'succeeded') AS last_success_at,
            c.synced_through,
            lr.status AS run_status, lr.started_at AS run_started_at, lr.finished_at AS run_finished_at,
            lr.error AS run_error,
            (SELECT count(*)::int FROM sync_failed_slices f
              WHERE f.vendor_id = v.vendor_id AND f.stream = s.stream AND f.resolved_at IS NULL) AS failed_slices_open,
            (SELECT count(*)::int FROM quarantined_records q
              WHERE q.vendor_id = v.vendor_id AND q.stream = s.stream) AS quarantined,
            (SELECT count(*)::int FROM reconcile_gaps g
              WHERE g.vendor_id = v.vendor_id AND g.stream = s.stream AND g.resolved_at IS NULL) AS reconcile_gaps_open
       FROM vendor_accounts v
       CROSS JOIN unnest($1::text[]) WITH ORDINALITY AS s(stream, ord)
       LEFT JOIN sync_checkpoints c ON c.vendor_id = v.vendor_id AND c.stream = s.stream
       LEFT JOIN LATERAL (
         SELECT r.status, r.started_at, r.finished_at, r.error FROM sync_runs r
          WHERE r.vendor_id = v.vendor_id AND r.stream = s.stream
          ORDER BY r.started_at DESC, r.id DESC LIMIT 1) lr ON true
      WHERE $2::text IS NULL OR v.vendor_id = $2
      ORDER BY v.vendor_id, s.ord`,
    [...STREAM_NAMES],
    vendorId,
  );
  const now = options.now ?? new Date();
  const outbox = await prisma.$queryRawUnsafe<OutboxRow[]>(
    `SELECT vendor_id, status, count(*)::int AS n, min(created_at) AS oldest,
            min(next_attempt_at) FILTER (WHERE next_attempt_at <= $2::timestamptz) AS oldest_due
       FROM outbox_commands
      WHERE $1::text IS NULL OR vendor_id = $1
      GROUP BY vendor_id, status`,
    vendorId,
    now,
  );
  return {
    generatedAt: now,
    vendors: vendors.map((v) => {
      const counts = Object.fromEntries(OUTBOX_STATUSES.map((s) => [s, 0])) as Record<OutboxStatus, number>;
      const oldestAgeSeconds = Object.fromEntries(OUTBOX_STATUSES.map((s) => [s, null])) as Record<
        OutboxStatus,
        number | null
      >;
      let oldestDueAgeSeconds: number | null = null;
      for (const row of outbox.filter((o) => o.vendor_id === v.vendorId)) {
        counts[row.status] = row.n;
        oldestAgeSeconds[row.status] = secondsSince(now, row.oldest);
        if (row.status === "pending" && row.oldest_due !== null)
          oldestDueAgeSeconds = secondsSince(now, row.oldest_due);
      }
      return {
        vendorId: v.vendorId,
        name: v.name,
        streams: streams
          .filter((s) => s.vendor_id === v.vendorId)
          .map((s) => ({
            stream: s.stream,
            lastSuccessAt: s.last_success_at,
            syncedThrough: s.synced_through,
            lagSeconds: s.synced_through === null ? null : secondsSince(now, s.synced_through),
            lastRun:
              s.run_status === null
                ? null
                : {
                    status: s.run_status,
                    startedAt: s.run_started_at!,
                    finishedAt: s.run_finished_at,
                    error: s.run_error,
                  },
            failedSlicesOpen: s.failed_slices_open,
            quarantined: s.quarantined,
            reconcileGapsOpen: s.reconcile_gaps_open,
          })),
        outbox: {
          counts,
          oldestPendingAgeSeconds: oldestAgeSeconds.pending,
          oldestDueAgeSeconds,
          oldestAgeSeconds,
        },
      };
    }),
  };
}

import type { OutboxStatus } from "@cos/db";
import { ago, when, type StatusReport, type StreamStatus } from "@cos/ops";

/**
 * How fresh a stream is, for the page's colour: `ok` (green), `late` (amber), `stale` (red).
 * `never`: no poll has completed yet (red too, with its own words).
 */
export type Freshness = "ok" | "late" | "stale" | "never";

/** What a lag is measured against: the worker's poll interval and SYNC_LAG_SECONDS, in seconds. */
export interface FreshnessScale {
  pollIntervalSeconds: number;
  /** No checkpoint passes now − this (SYNC_LAG_SECONDS): the lag of a stream just polled. */
  syncLagSeconds: number;
}

/**
 * A stream's freshness from its lag (now − synced_through, seconds). A healthy stream's lag runs
 * from SYNC_LAG_SECONDS just after a poll to that plus one poll interval just before the next, so
 * `ok` allows one poll missed (up to lag + 2 intervals), `late` up to lag + 5 intervals (polls
 * failing or queued behind others), and beyond that the stream is `stale`.
 */
export function freshnessOf(lagSeconds: number | null, scale: FreshnessScale): Freshness {
  if (lagSeconds === null) return "never";
  const behind = lagSeconds - scale.syncLagSeconds;
  if (behind <= 2 * scale.pollIntervalSeconds) return "ok";
  if (behind <= 5 * scale.pollIntervalSeconds) return "late";
  return "stale";
}

const FRESHNESS_TEXT: Record<Freshness, string> = {
  ok: "fresh",
  late: "late",
  stale: "stale",
  never: "never synced",
};

/** Text for HTML element content and double-quoted attribute values. */
function html(text: string | number): string {
  return String(text).replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!,
  );
}

/** A count cell: highlighted when above zero, as each of these asks for an operator's look. */
function count(n: number, field: string): string {
  return `<td class="num${n > 0 ? " attention" : ""}" data-field="${field}">${n}</td>`;
}

function streamRow(s: StreamStatus, scale: FreshnessScale): string {
  const freshness = freshnessOf(s.lagSeconds, scale);
  const run = s.lastRun
    ? `<span class="run run-${html(s.lastRun.status)}"${s.lastRun.error ? ` title="${html(s.lastRun.error)}"` : ""}>${html(s.lastRun.status)}</span> <small>${html(when(s.lastRun.startedAt))}</small>`
    : "-";
  return `<tr data-stream="${html(s.stream)}">
      <th scope="row">${html(s.stream)}</th>
      <td class="lag fresh-${freshness}" data-field="lag" data-lag-seconds="${s.lagSeconds ?? ""}"><span class="dot"></span>${s.lagSeconds === null ? FRESHNESS_TEXT.never : `${html(ago(s.lagSeconds))} <small>${FRESHNESS_TEXT[freshness]}</small>`}</td>
      <td data-field="last-success">${html(when(s.lastSuccessAt))}</td>
      <td data-field="synced-through">${html(when(s.syncedThrough))}</td>
      <td data-field="last-run">${run}</td>
      ${count(s.failedSlicesOpen, "failed-slices")}
      ${count(s.quarantined, "quarantined")}
      ${count(s.reconcileGapsOpen, "reconcile-gaps")}
    </tr>`;
}

/** Statuses whose commands ask for an operator's look (refused, outcome unknown, out of tries). */
const OUTBOX_ATTENTION: ReadonlySet<string> = new Set<OutboxStatus>(["rejected", "unknown", "dead"]);

function vendorSection(v: StatusReport["vendors"][number], scale: FreshnessScale): string {
  const outbox = Object.entries(v.outbox.counts)
    .map(
      ([status, n]) =>
        `<div class="tile${n > 0 && OUTBOX_ATTENTION.has(status) ? " attention" : ""}" data-outbox-status="${html(status)}"><span class="n">${n}</span><span class="label">${html(status)}</span></div>`,
    )
    .join("");
  const oldest =
    v.outbox.oldestPendingAgeSeconds === null
      ? "no command pending"
      : `oldest pending ${html(ago(v.outbox.oldestPendingAgeSeconds))}`;
  return `<section class="vendor" data-vendor="${html(v.vendorId)}">
  <h2>${html(v.vendorId)}${v.name ? ` <span class="name">${html(v.name)}</span>` : ""}</h2>
  <table>
    <thead><tr><th>stream</th><th>lag</th><th>last success</th><th>synced through</th><th>last run</th><th>failed slices</th><th>quarantined</th><th>reconcile gaps</th></tr></thead>
    <tbody>
    ${v.streams.map((s) => streamRow(s, scale)).join("\n    ")}
    </tbody>
  </table>
  <h3>Outbox <small data-field="oldest-pending">${oldest}</small></h3>
  <div class="tiles">${outbox}</div>
</section>`;
}

const STYLE = `
  :root { --ok: #1a7f37; --late: #b7791f; --stale: #c62828; --muted: #667085; --line: #e4e7ec; }
  body { font: 14px/1.45 system-ui, sans-serif; margin: 24px; color: #101828; background: #f9fafb; }
  h1 { font-size: 20px; margin: 0 0 4px; } h2 { font-size: 16px; margin: 0 0 8px; }
  h3 { font-size: 14px; margin: 16px 0 8px; } small, .name, .meta { color: var(--muted); font-weight: normal; }
  .vendor { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 16px; margin-top: 16px; overflow-x: auto; }
  table { border-collapse: collapse; width: 100%; }
  th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid var(--line); white-space: nowrap; }
  thead th { font-size: 12px; color: var(--muted); font-weight: 600; white-space: normal; }
  td[data-field="last-run"] small { display: block; }
  td.num { text-align: right; font-variant-numeric: tabular-nums; }
  .attention { color: var(--stale); font-weight: 600; }
  .lag { font-weight: 600; } .dot { display: inline-block; width: 10px; height: 10px; border-radius: 50%; margin-right: 8px; }
  .fresh-ok { color: var(--ok); } .fresh-ok .dot { background: var(--ok); }
  .fresh-late { color: var(--late); } .fresh-late .dot { background: var(--late); }
  .fresh-stale, .fresh-never { color: var(--stale); } .fresh-stale .dot, .fresh-never .dot { background: var(--stale); }
  .run-failed, .run-partial, .run-interrupted { color: var(--stale); }
  .tiles { display: flex; gap: 8px; flex-wrap: wrap; }
  .tile { border: 1px solid var(--line); border-radius: 6px; padding: 6px 12px; min-width: 72px; }
  .tile .n { display: block; font-size: 18px; font-weight: 600; font-variant-numeric: tabular-nums; }
  .tile .label { font-size: 12px; color: var(--muted); }
`;

/**
 * The status page (`GET /status`): per vendor, each stream's lag coloured by {@link freshnessOf},
 * last success, synced-through, last run, open failed slices, quarantined records and open
 * reconciliation gaps, then the outbox's commands by status. A whole HTML document with inline
 * CSS, no script; it reloads itself every 30 s. Instants are shown in UTC (ISO-8601).
 */
export function renderStatusPage(report: StatusReport, scale: FreshnessScale): string {
  const interval = ago(scale.pollIntervalSeconds);
  const body =
    report.vendors.length === 0
      ? `<p>No vendor is registered yet (vendor_accounts is empty).</p>`
      : report.vendors.map((v) => vendorSection(v, scale)).join("\n");
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="refresh" content="30">
<title>Coupang order-sync status</title>
<style>${STYLE}</style>
</head>
<body>
<h1>Coupang order-sync status</h1>
<p class="meta">as of <time data-field="generated-at">${html(when(report.generatedAt))}</time> · polls every ${html(interval)}, lag floor ${html(ago(scale.syncLagSeconds))} ·
<span class="fresh-ok">fresh</span> within 2 polls of the floor, <span class="fresh-late">late</span> within 5, <span class="fresh-stale">stale</span> beyond ·
<a href="/admin/queues">queues</a> · <a href="/api/openapi.json">API</a></p>
${body}
</body>
</html>
`;
}

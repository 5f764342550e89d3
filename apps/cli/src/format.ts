import type { OutboxCommandRecord, ResyncRecord } from "@cos/db";
import { ago, when, type CommandDetail, type StatusReport, type VendorSummary } from "@cos/ops";

/**
 * Control characters (C0, DEL, C1) and the Unicode bidirectional overrides and isolates: what can
 * move a terminal's cursor, recolour or retitle it, or reorder the text shown after it.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/**
 * `text` safe to show on a terminal: every control character becomes a visible escape (`\u001b`,
 * `\u000a`, `\u202e`), so a value from the database or from Coupang (an invoice number,
 * a result message, a vendor's name) cannot act on the operator's terminal. Used on every table
 * cell and, line by line, on everything the CLI writes; a `--json` document stays JSON of the
 * same value.
 */
export function printable(text: string): string {
  // JSON's own escape form: a JSON document stays valid JSON of the same value (JSON.stringify
  // leaves C1 and the bidi controls raw).
  return text.replace(CONTROL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** Text tables for a terminal: columns padded to their widest cell, numbers right-aligned. */
export function table(head: string[], rows: Array<Array<string | number>>): string {
  // Escaped first: a line break or an escape sequence in a cell would break the columns.
  const cells = [head, ...rows.map((r) => r.map((cell) => printable(String(cell))))];
  const widths = head.map((_, c) => Math.max(...cells.map((r) => r[c]?.length ?? 0)));
  const numeric = head.map((_, c) => rows.length > 0 && rows.every((r) => typeof r[c] === "number"));
  return cells
    .map((r) =>
      r
        .map((cell, c) => (numeric[c] ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!)))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}

/** `cos status`: per vendor, a line per stream, then its outbox by status. */
export function formatStatus(report: StatusReport): string {
  const blocks = report.vendors.map((v) => {
    const streams = table(
      ["stream", "last success", "synced through", "lag", "last run", "failed slices", "quarantined", "gaps"],
      v.streams.map((s) => [
        s.stream,
        when(s.lastSuccessAt),
        when(s.syncedThrough),
        ago(s.lagSeconds),
        s.lastRun ? `${s.lastRun.status}${s.lastRun.error ? `: ${s.lastRun.error}` : ""}` : "-",
        s.failedSlicesOpen,
        s.quarantined,
        s.reconcileGapsOpen,
      ]),
    );
    const counts = Object.entries(v.outbox.counts)
      .map(([status, n]) => `${status} ${n}`)
      .join(", ");
    const oldest =
      v.outbox.oldestPendingAgeSeconds === null
        ? ""
        : ` (oldest pending ${ago(v.outbox.oldestPendingAgeSeconds)})`;
    return `${v.vendorId}${v.name ? ` ${printable(v.name)}` : ""}\n${indent(streams)}\n  outbox: ${counts}${oldest}`;
  });
  return [`as of ${when(report.generatedAt)}`, ...blocks].join("\n\n");
}

/** `cos vendors`. */
export function formatVendors(vendors: VendorSummary[]): string {
  if (vendors.length === 0) return "no vendors yet: the worker registers the configured ones at start";
  return table(
    ["vendor", "name", "enabled", "since"],
    vendors.map((v) => [v.vendorId, v.name ?? "-", v.enabled ? "yes" : "no", when(v.createdAt)]),
  );
}

/** A payload value as text (payload values are strings as stored; anything else is shown as JSON). */
const text = (value: unknown) => printable(typeof value === "string" ? value : JSON.stringify(value ?? null));

/** What a command is about in one cell: the box, and the invoice or the cancelled items. */
function target(c: OutboxCommandRecord): string {
  const p = c.payload;
  if (c.kind === "CANCEL") {
    const items = Array.isArray(p.items)
      ? p.items.map((i) => {
          const item = i as { vendorItemId?: unknown; receiptCount?: unknown };
          return `${text(item.vendorItemId)}×${text(item.receiptCount)}`;
        })
      : ["whole box"];
    return `box ${c.shipmentBoxId} ${items.join(",")} (${text(p.middleCancelCode)})`;
  }
  if (c.kind === "ACKNOWLEDGE") return `box ${c.shipmentBoxId}`;
  const item = c.vendorItemId === null ? "" : ` item ${c.vendorItemId}`;
  return `box ${c.shipmentBoxId}${item} ${text(p.deliveryCompanyCode)} ${text(p.invoiceNumber)}`;
}

/** `cos commands list`. */
export function formatCommands(commands: OutboxCommandRecord[]): string {
  if (commands.length === 0) return "no commands";
  return table(
    ["id", "vendor", "kind", "status", "attempts", "target", "last result", "created"],
    commands.map((c) => [
      Number(c.id),
      c.vendorId,
      c.kind,
      c.status,
      c.attempts,
      target(c),
      c.lastResultCode ?? "-",
      when(c.createdAt),
    ]),
  );
}

/** The statuses a command may still be tried in: only they have a next try (in_flight: its lease's end). */
const LIVE: ReadonlySet<string> = new Set(["pending", "in_flight", "unknown"]);

/** One command as a short paragraph: `cos commands show`, and after an enqueue, retry or cancel. */
export function formatCommand(c: OutboxCommandRecord | CommandDetail): string {
  const next = LIVE.has(c.status) ? `, next ${when(c.nextAttemptAt)}` : "";
  const lines = [
    `command ${c.id} ${c.kind} ${c.status} (vendor ${c.vendorId}, order ${c.orderId}, ${target(c)})`,
    `  attempts ${c.attempts}${c.maxAttempts === null ? "" : ` of ${c.maxAttempts}`}${next}, created ${when(c.createdAt)} by ${printable(c.createdBy)}${c.finishedAt ? `, finished ${when(c.finishedAt)}` : ""}`,
    `  last result: ${printable(c.lastResultCode ?? "-")}${c.lastResultMessage ? ` ${printable(c.lastResultMessage)}` : ""}`,
    `  dedupe key: ${printable(c.dedupeKey)}`,
  ];
  if ("attemptLog" in c && c.attemptLog.length > 0) {
    lines.push(
      indent(
        table(
          ["#", "started", "outcome", "code", "http", "message"],
          c.attemptLog.map((a) => [
            a.attempt,
            when(a.startedAt),
            a.outcome,
            a.resultCode ?? "-",
            a.httpStatus ?? "-",
            a.resultMessage ?? "",
          ]),
        ),
      ),
    );
  }
  return lines.join("\n");
}

/** One line of a resync's progress, for logs and non-TTY output. */
export function progressLine(r: ResyncRecord): string {
  return `resync ${r.id} ${r.status}: ${r.windowsDone}/${r.windowsTotal} windows, ${r.pages} pages, ${r.apiCalls} API calls, ${r.rowsWritten} rows written, ${r.rejected} rejected`;
}

/** A resync's final report: how it ended, then its figures per stream and in all. */
export function formatResyncReport(r: ResyncRecord): string {
  const report = (r.report ?? {}) as { seconds?: number; error?: string; failedStream?: string };
  const took = report.seconds === undefined ? "" : ` in ${report.seconds} s`;
  const head = `resync ${r.id} ${r.status}${took}: vendor ${r.vendorId}, ${when(r.rangeFrom)} … ${when(r.rangeTo)}`;
  const rows = Object.entries(r.byStream).map(([stream, s]) => [
    stream,
    `${s.windowsDone}/${s.windows}`,
    s.pages,
    s.apiCalls,
    s.rowsWritten,
    s.rejected,
  ]);
  rows.push(["total", `${r.windowsDone}/${r.windowsTotal}`, r.pages, r.apiCalls, r.rowsWritten, r.rejected]);
  const figures = indent(
    table(["stream", "windows", "pages", "API calls", "rows written", "rejected"], rows),
  );
  const failure =
    r.status === "failed"
      ? `\n  failed in ${report.failedStream ?? "?"}: ${printable(report.error ?? r.error ?? "?")}`
      : "";
  return `${head}\n${figures}${failure}`;
}

const indent = (text: string) =>
  text
    .split("\n")
    .map((l) => `  ${l}`)
    .join("\n");

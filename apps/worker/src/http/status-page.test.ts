import { describe, expect, it } from "vitest";
import type { StatusReport } from "@cos/ops";
import { freshnessOf, renderStatusPage } from "./status-page.js";

const scale = { pollIntervalSeconds: 60, syncLagSeconds: 120 };

describe("freshnessOf", () => {
  it("measures the lag beyond SYNC_LAG_SECONDS in poll intervals: ≤ 2 fresh, ≤ 5 late, then stale", () => {
    expect(freshnessOf(120, scale)).toBe("ok");
    expect(freshnessOf(120 + 120, scale)).toBe("ok");
    expect(freshnessOf(120 + 121, scale)).toBe("late");
    expect(freshnessOf(120 + 300, scale)).toBe("late");
    expect(freshnessOf(120 + 301, scale)).toBe("stale");
    expect(freshnessOf(null, scale)).toBe("never");
    // A longer interval tolerates a longer lag.
    expect(freshnessOf(120 + 301, { ...scale, pollIntervalSeconds: 3600 })).toBe("ok");
  });
});

describe("renderStatusPage", () => {
  const at = new Date("2026-11-30T01:00:00Z");
  const report: StatusReport = {
    generatedAt: at,
    vendors: [
      {
        vendorId: "A00012345",
        name: "<b>Shop</b> & Co",
        streams: [
          {
            stream: "ordersheets",
            lastSuccessAt: new Date("2026-11-30T00:58:00Z"),
            syncedThrough: new Date("2026-11-30T00:56:00Z"),
            lagSeconds: 240,
            lastRun: {
              status: "failed",
              startedAt: new Date("2026-11-30T00:59:00Z"),
              finishedAt: null,
              error: 'boom "quoted" <x>',
            },
            failedSlicesOpen: 2,
            quarantined: 0,
            reconcileGapsOpen: 1,
          },
          {
            stream: "returnRequests",
            lastSuccessAt: null,
            syncedThrough: null,
            lagSeconds: null,
            lastRun: null,
            failedSlicesOpen: 0,
            quarantined: 3,
            reconcileGapsOpen: 0,
          },
        ],
        outbox: {
          counts: { pending: 4, in_flight: 0, succeeded: 9, rejected: 0, unknown: 0, dead: 1, cancelled: 0 },
          oldestPendingAgeSeconds: 3725,
          oldestDueAgeSeconds: 3725,
          oldestAgeSeconds: {
            pending: 3725,
            in_flight: null,
            succeeded: 10,
            rejected: null,
            unknown: null,
            dead: 50,
            cancelled: null,
          },
        },
      },
    ],
  };

  it("shows each stream's lag with its colour class, the counts, and the outbox by status", () => {
    const page = renderStatusPage(report, scale);
    expect(page).toMatch(/^<!doctype html>/);
    expect(page).toContain(
      '<td class="lag fresh-ok" data-field="lag" data-lag-seconds="240"><span class="dot"></span>4m <small>fresh</small></td>',
    );
    expect(page).toContain(
      '<td class="lag fresh-never" data-field="lag" data-lag-seconds=""><span class="dot"></span>never synced</td>',
    );
    expect(page).toContain('<td data-field="last-success">2026-11-30T00:58:00Z</td>');
    expect(page).toContain('<td class="num attention" data-field="failed-slices">2</td>');
    expect(page).toContain('<td class="num" data-field="quarantined">0</td>');
    expect(page).toContain('<td class="num attention" data-field="quarantined">3</td>');
    expect(page).toContain('data-outbox-status="pending"><span class="n">4</span>');
    expect(page).toContain('<div class="tile attention" data-outbox-status="dead"><span class="n">1</span>');
    expect(page).toContain("oldest pending 1h 2m");
    expect(page).toContain("polls every 1m, lag floor 2m");
  });

  it("escapes what comes from the database", () => {
    const page = renderStatusPage(report, scale);
    expect(page).toContain('<span class="name">&lt;b&gt;Shop&lt;/b&gt; &amp; Co</span>');
    expect(page).toContain('title="boom &quot;quoted&quot; &lt;x&gt;"');
    expect(page).not.toContain("<b>Shop</b>");
  });

  it("says so when no vendor is registered", () => {
    expect(renderStatusPage({ generatedAt: at, vendors: [] }, scale)).toContain(
      "No vendor is registered yet",
    );
  });
});

import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSimulator, type Simulator } from "@cos/coupang-sim";
import { ensureVendorAccount, transitionOutboxCommand, type OutboxStatus } from "@cos/db";
import { enqueueCommand } from "@cos/outbox";
import { STREAM_NAMES } from "@cos/sync";
import { startWorker, type WorkerApp } from "../app.js";
import { loadConfig, type WorkerConfig } from "../config.js";
import { createLogger } from "../logger.js";
import { startHttpServer, type HttpServer } from "./server.js";
import { freshnessOf } from "./status-page.js";
import { createTestDatabase, type TestDatabase } from "../../../../test/support/postgres.js";
import { bootPolls } from "../../../../test/support/worker-env.js";

/** Debian's `chromium` package (`.ci/run` installs it). Without it this suite skips, except in CI. */
const CHROMIUM = "/usr/bin/chromium";
const haveChromium = existsSync(CHROMIUM);
const required = process.env.COS_TEST_REQUIRE_SERVICES === "1";
/**
 * The screenshot's folder (`$TMPDIR/cos-status-page-*`) is removed after the suite unless
 * `COS_KEEP_SCREENSHOTS=1` asks to keep it to look at; its path is printed either way.
 */
const keepScreenshots = process.env.COS_KEEP_SCREENSHOTS === "1";
if (!haveChromium && !required)
  console.log(`[integration] no Chromium at ${CHROMIUM}: SKIPPING the status page's browser test`);

const VENDOR = { vendorId: "A00077401", accessKey: "ak-page", secretKey: "sk-page-secret" };
/** Registered but not configured in this worker: never synced, and its commands are never drained. */
const OTHER = "A00077402";
const TOKEN = "status-page-token-0123456789";
const POLL_SECONDS = 3600;
const LAG_SECONDS = 120;

/** The little of the DOM the checks read in the page (the worker's tsconfig has no DOM lib). */
interface DomElement {
  className: string;
  textContent: string | null;
  getAttribute(name: string): string | null;
  querySelector(selector: string): DomElement | null;
  querySelectorAll(selector: string): Iterable<DomElement>;
  ownerDocument: { defaultView: { getComputedStyle(e: DomElement): { backgroundColor: string } } | null };
}

describe.skipIf(!haveChromium && !required)("the status page in headless Chromium", () => {
  let sim: Simulator;
  let db: TestDatabase;
  let config: Readonly<WorkerConfig>;
  let app: WorkerApp;
  let server: HttpServer;
  let browser: Browser;
  let screenshots: string | undefined;
  beforeAll(async () => {
    if (!haveChromium) throw new Error(`Chromium is missing at ${CHROMIUM}: apt-get install -y chromium`);
    sim = await startSimulator({
      seed: 9,
      orders: 60,
      days: 3,
      anchor: new Date(Date.now() - 3_600_000),
      vendors: [VENDOR],
    });
    db = await createTestDatabase();
    config = loadConfig({
      DATABASE_URL: db.url,
      QUEUE_PREFIX: `s${randomBytes(3).toString("hex")}`,
      COUPANG_BASE_URL: sim.url,
      COUPANG_VENDOR_ID: VENDOR.vendorId,
      COUPANG_VENDOR_NAME: "Status Page Shop",
      COUPANG_ACCESS_KEY: VENDOR.accessKey,
      COUPANG_SECRET_KEY: VENDOR.secretKey,
      COUPANG_REQUESTS_PER_SECOND: "10",
      SYNC_POLL_INTERVAL_SECONDS: String(POLL_SECONDS),
      SYNC_LAG_SECONDS: String(LAG_SECONDS),
      SYNC_BACKFILL_DAYS: "4",
      HTTP_PORT: "0",
      ADMIN_TOKEN: TOKEN,
    });
    app = await startWorker(config, createLogger("silent"));
    // Done before the test sets the checkpoints, so that no poll moves them after.
    await bootPolls(app);
    server = (await startHttpServer({ app, config, log: createLogger("silent"), metrics: app.metrics }))!;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await app?.close();
    await sim?.close();
    await db?.drop();
    if (screenshots !== undefined && !keepScreenshots)
      await rm(screenshots, { recursive: true, force: true });
  });

  it("signs in through the form and shows every vendor's freshness and outbox as the database holds them", async () => {
    const sql = (text: string, ...values: unknown[]) =>
      app.prisma.$queryRawUnsafe<Array<Record<string, unknown>>>(text, ...values);
    // One stream late (3 polls behind) and one stale (8 behind); the others as the sync left them.
    const behind = (polls: number) => new Date(Date.now() - (LAG_SECONDS + polls * POLL_SECONDS) * 1000);
    await sql(
      `UPDATE sync_checkpoints SET synced_through = $2 WHERE vendor_id = $1 AND stream = 'returnRequests'`,
      VENDOR.vendorId,
      behind(3),
    );
    await sql(
      `UPDATE sync_checkpoints SET synced_through = $2 WHERE vendor_id = $1 AND stream = 'exchangeRequests'`,
      VENDOR.vendorId,
      behind(8),
    );
    for (const n of [1, 2])
      await sql(
        `INSERT INTO quarantined_records (vendor_id, stream, entity_key, reason, raw) VALUES ($1, 'returnRequests', $2, 'test', '{}')`,
        VENDOR.vendorId,
        String(n),
      );
    await ensureVendorAccount(app.prisma, { vendorId: OTHER, name: "Other Shop" });
    const fates: OutboxStatus[] = [
      "pending",
      "pending",
      "pending",
      "dead",
      "cancelled",
      "succeeded",
      "succeeded",
    ];
    for (const [i, to] of fates.entries()) {
      const box = String(400_000_000_000_000_000n + BigInt(i));
      const { command } = await enqueueCommand(app.prisma, {
        kind: "ACKNOWLEDGE",
        vendorId: OTHER,
        shipmentBoxId: box,
        orderId: box,
        createdBy: "test",
      });
      if (to !== "pending")
        await transitionOutboxCommand(app.prisma, {
          id: command.id,
          from: ["pending"],
          to,
          now: new Date(),
          final: true,
        });
    }

    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${server.url}/login?next=/status`);
    await page.fill('input[name="token"]', TOKEN);
    await Promise.all([page.waitForURL(`${server.url}/status`), page.click('button[type="submit"]')]);
    expect(await page.title()).toBe("Coupang order-sync status");

    screenshots = await mkdtemp(join(tmpdir(), "cos-status-page-"));
    const shot = join(screenshots, "status.png");
    await page.screenshot({ path: shot, fullPage: true });
    console.log(
      `[status page] screenshot: ${shot}${keepScreenshots ? "" : " (removed after the suite; COS_KEEP_SCREENSHOTS=1 keeps it)"}`,
    );
    const png = await readFile(shot);
    expect(png.subarray(1, 4).toString()).toBe("PNG");
    expect(png.length).toBeGreaterThan(20_000);

    // What the browser rendered, per vendor and stream.
    const rendered = await page.$$eval("section.vendor", (sections: DomElement[]) =>
      sections.map((s) => ({
        vendorId: s.getAttribute("data-vendor"),
        streams: [...s.querySelectorAll("tbody tr")].map((tr) => {
          const lag = tr.querySelector('[data-field="lag"]')!;
          const field = (name: string) => tr.querySelector(`[data-field="${name}"]`)!.textContent!.trim();
          return {
            stream: tr.getAttribute("data-stream"),
            lagClass: lag.className,
            lagSeconds: lag.getAttribute("data-lag-seconds"),
            lagText: lag.textContent!.trim(),
            dot: s.ownerDocument.defaultView!.getComputedStyle(lag.querySelector(".dot")!).backgroundColor,
            lastSuccess: field("last-success"),
            failedSlices: Number(field("failed-slices")),
            quarantined: Number(field("quarantined")),
          };
        }),
        outbox: Object.fromEntries(
          [...s.querySelectorAll("[data-outbox-status]")].map((t) => [
            t.getAttribute("data-outbox-status") ?? "",
            Number(t.querySelector(".n")!.textContent),
          ]),
        ),
      })),
    );
    expect(rendered.map((v) => v.vendorId)).toEqual([VENDOR.vendorId, OTHER]);
    for (const v of rendered) expect(v.streams.map((s) => s.stream)).toEqual([...STREAM_NAMES]);

    // Lags and colours against the checkpoints as stored.
    const checkpoints = await sql(
      `SELECT stream, extract(epoch FROM now() - synced_through)::float8 AS lag FROM sync_checkpoints WHERE vendor_id = $1`,
      VENDOR.vendorId,
    );
    const lagOf = new Map(checkpoints.map((c) => [c.stream as string, c.lag as number]));
    const colours = { ok: "rgb(26, 127, 55)", late: "rgb(183, 121, 31)", stale: "rgb(198, 40, 40)" };
    const synced = rendered[0]!.streams;
    for (const s of synced) {
      const stored = lagOf.get(s.stream!)!;
      expect(Math.abs(Number(s.lagSeconds) - stored), s.stream!).toBeLessThan(5);
      const freshness = freshnessOf(Number(s.lagSeconds), {
        pollIntervalSeconds: POLL_SECONDS,
        syncLagSeconds: LAG_SECONDS,
      }) as keyof typeof colours;
      expect([s.stream, s.lagClass, s.dot]).toEqual([s.stream, `lag fresh-${freshness}`, colours[freshness]]);
      expect(s.lastSuccess).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    }
    expect(synced.map((s) => [s.stream, s.lagClass])).toEqual([
      ["ordersheets", "lag fresh-ok"],
      ["returnRequests", "lag fresh-late"],
      ["exchangeRequests", "lag fresh-stale"],
      ["returnWithdrawRequests", "lag fresh-ok"],
    ]);
    expect(synced.find((s) => s.stream === "returnRequests")!.lagText).toMatch(/^3h 2m late$/);
    expect(synced.find((s) => s.stream === "exchangeRequests")!.lagText).toMatch(/^8h 2m stale$/);
    expect(synced.map((s) => s.quarantined)).toEqual([0, 2, 0, 0]);
    expect(synced.map((s) => s.failedSlices)).toEqual([0, 0, 0, 0]);
    for (const s of rendered[1]!.streams) {
      expect([s.lagClass, s.lagText, s.lastSuccess, s.dot]).toEqual([
        "lag fresh-never",
        "never synced",
        "-",
        colours.stale,
      ]);
    }

    // Outbox tiles equal the database's counts, every status shown.
    const counts = await sql(
      `SELECT vendor_id, status, count(*)::int AS n FROM outbox_commands GROUP BY vendor_id, status`,
    );
    for (const v of rendered) {
      const expected = Object.fromEntries(Object.keys(v.outbox).map((status) => [status, 0]));
      for (const row of counts.filter((r) => r.vendor_id === v.vendorId))
        expected[row.status as string] = row.n as number;
      expect(v.outbox, v.vendorId!).toEqual(expected);
    }
    expect(rendered[1]!.outbox).toMatchObject({ pending: 3, dead: 1, cancelled: 1, succeeded: 2 });
    await page.close();
  });
});

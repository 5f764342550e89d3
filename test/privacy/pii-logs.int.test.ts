// PII in logs (issue 9, "Secrets and privacy"): the worker syncs the demo's world (orders, returns,
// exchanges) at trace level while the simulator breaks pages — malformed JSON, drifted payloads
// that fail validation and are quarantined, a 500 — and outbound commands are drained; then the
// log is scanned for every personal value the database holds (each path of @cos/db's PII specs).
import { randomBytes } from "node:crypto";
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { EXCHANGE_REQUEST_PII, RETURN_REQUEST_PII, SHIPMENT_BOX_PII } from "@cos/db";
import { STREAM_NAMES } from "@cos/sync";
import {
  createWorkerEvents,
  startWorker,
  type PollOutcome,
  type WorkerEvents,
} from "../../apps/worker/src/app.js";
import { loadConfig } from "../../apps/worker/src/config.js";
import { DEMO_VENDOR, startDemoWorld, type DemoWorld } from "../../apps/worker/src/demo-world.js";
import { createLogger } from "../../apps/worker/src/logger.js";
import { useTestDatabase } from "../support/database.js";

const redisUrl = inject("redisUrl");
const db = useTestDatabase();
let world: DemoWorld;

beforeAll(async () => {
  world = await startDemoWorld({ seed: 31, orders: 400, days: 6 });
  const vendorId = DEMO_VENDOR.vendorId;
  // Each kind of bad page once or a few times: a body that is not JSON (its parse error could
  // quote the text), payloads whose required fields are null or missing (validation errors naming
  // the record, quarantined), and a 500 with a body.
  world.sim.faults.add({ endpoint: "ordersheets", vendorId, kind: "malformedJson", count: 2 });
  world.sim.faults.add({ endpoint: "returnRequests", vendorId, kind: "malformedJson", count: 1 });
  world.sim.faults.add({
    endpoint: "ordersheets",
    vendorId,
    kind: "drift",
    drift: "null",
    fields: ["orderId", "orderItems"],
    count: 3,
  });
  world.sim.faults.add({
    endpoint: "returnRequests",
    vendorId,
    kind: "drift",
    drift: "missing",
    fields: ["receiptId", "receiptStatus"],
    count: 2,
  });
  world.sim.faults.add({
    endpoint: "exchangeRequests",
    vendorId,
    kind: "drift",
    drift: "null",
    fields: ["exchangeId", "exchangeStatus"],
    count: 2,
  });
  world.sim.faults.add({ endpoint: "exchangeRequests", vendorId, kind: "status", status: 500, count: 1 });
});
afterAll(async () => {
  await world?.sim.close();
});

function until(events: WorkerEvents, done: (o: PollOutcome) => boolean, ms = 90_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no poll outcome matched within ${ms} ms`)), ms);
    const on = (o: PollOutcome) => {
      if (!done(o)) return;
      clearTimeout(timer);
      events.off("poll", on);
      resolve();
    };
    events.on("poll", on);
  });
}

describe("personal data in the log", () => {
  it("is redacted from every line, whatever broke", async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const config = loadConfig({
      DATABASE_URL: db.url,
      REDIS_URL: redisUrl ?? undefined,
      QUEUE_PREFIX: `p${randomBytes(4).toString("hex")}`,
      COUPANG_BASE_URL: world.sim.url,
      COUPANG_VENDOR_ID: DEMO_VENDOR.vendorId,
      COUPANG_ACCESS_KEY: DEMO_VENDOR.accessKey,
      COUPANG_SECRET_KEY: DEMO_VENDOR.secretKey,
      SYNC_POLL_INTERVAL_SECONDS: "3600",
      SYNC_BACKFILL_DAYS: "8",
      LOG_LEVEL: "trace",
    });
    const errors: string[] = [];
    const polled = new Set<string>();
    const events = createWorkerEvents();
    // Listening from before the start: the first polls may end before startWorker resolves.
    const firstSync = until(events, (o) => {
      if (!o.ok) errors.push(`${o.error.message}\n${o.error.stack ?? ""}`);
      if (o.ok && o.report.outcome === "completed") polled.add(o.stream);
      return polled.size === STREAM_NAMES.length;
    });
    const app = await startWorker(config, createLogger("trace", sink), { events });
    try {
      await firstSync;
      // Polls again, so failed slices are retried and the drifted pages read once more.
      const again = new Set<string>();
      const polledAgain = until(events, (o) => {
        if (o.ok && o.report.outcome !== "skipped") again.add(o.stream);
        return again.size === STREAM_NAMES.length;
      });
      for (const stream of STREAM_NAMES) await app.pollNow(DEMO_VENDOR.vendorId, stream);
      await polledAgain;
    } finally {
      await app.close();
    }

    // Each kind of trouble happened and was logged.
    const fired = world.sim.faults.list().map((r) => [r.kind, r.endpoint, r.fired > 0]);
    expect(fired.every(([, , f]) => f)).toBe(true);
    const count = async (sql: string) => Number((await db.sql.query<{ n: string }>(sql)).rows[0]!.n);
    const quarantined = await count(`SELECT count(*) AS n FROM quarantined_records`);
    expect(quarantined).toBeGreaterThan(0);
    const log = lines.join("");
    expect(log).toMatch(/"level":(40|50)/);

    // Every personal value the database holds, by each path of the PII specs.
    const values = new Set<string>();
    for (const [table, spec] of [
      ["shipment_boxes", SHIPMENT_BOX_PII],
      ["return_requests", RETURN_REQUEST_PII],
      ["exchange_requests", EXCHANGE_REQUEST_PII],
    ] as const) {
      for (const path of spec.paths) {
        const { rows } = await db.sql.query<{ v: string }>(
          `SELECT DISTINCT raw #>> '{${path.join(",")}}' AS v FROM ${table} WHERE raw #>> '{${path.join(",")}}' <> ''`,
        );
        for (const { v } of rows) if (v.length >= 3) values.add(v);
      }
    }
    const { rows: quarantinedRaw } = await db.sql.query<{ reason: string }>(
      `SELECT reason FROM quarantined_records`,
    );
    expect(values.size).toBeGreaterThan(500);
    // A value counts as a whole token only: a 5-digit postcode also occurs inside IDs, timestamps
    // and durations, which are not personal data.
    const occursIn = (text: string, v: string) =>
      new RegExp(`(?<![0-9A-Za-z])${v.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(?![0-9A-Za-z])`).test(text);
    const errorText = errors.join("\n");
    const hits = [...values].filter((v) => occursIn(log, v) || occursIn(errorText, v));
    const reasonHits = [...values].filter((v) => quarantinedRaw.some((r) => occursIn(r.reason, v)));
    console.log(
      `PII log scan: ${JSON.stringify({
        lines: lines.length,
        bytes: Buffer.byteLength(log),
        values: values.size,
        paths:
          SHIPMENT_BOX_PII.paths.length + RETURN_REQUEST_PII.paths.length + EXCHANGE_REQUEST_PII.paths.length,
        quarantined,
        errors: errors.length,
        hits: hits.length,
        reasonHits: reasonHits.length,
      })}`,
    );
    expect(hits).toEqual([]);
    expect(reasonHits).toEqual([]);
  }, 180_000);
});

/**
 * Coupang's bad days (issue 9), through the simulator's fault injection: one worker, three
 * vendors. A meets a 429 storm, B is left alone, C gets a catalogue of faults one after another.
 * Each fault is classified as design.md "Rate limits and errors" says, none crashes the worker,
 * and each shows in its metrics; the figures are in docs/reliability.md "Coupang's bad days".
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startSimulator, type FaultRuleInput, type Simulator } from "@cos/coupang-sim";
import { STREAM_NAMES } from "@cos/sync";
import {
  createWorkerEvents,
  startWorker,
  type PollOutcome,
  type WorkerApp,
} from "../../apps/worker/src/app.js";
import { loadConfig } from "../../apps/worker/src/config.js";
import { parseExposition, type MetricFamily } from "../../apps/worker/src/exposition.js";
import { createLogger } from "../../apps/worker/src/logger.js";
import { useTestDatabase } from "../support/database.js";
import { compareStreams } from "../support/ground-truth.js";

const A = { vendorId: "A00077701", accessKey: "ak-storm", secretKey: "sk-storm-secret" };
const B = { vendorId: "A00077702", accessKey: "ak-calm", secretKey: "sk-calm-secret" };
const C = { vendorId: "A00077703", accessKey: "ak-fault", secretKey: "sk-fault-secret" };
const redisUrl = inject("redisUrl");
const db = useTestDatabase();

let sim: Simulator;
let dir: string;
beforeAll(async () => {
  sim = await startSimulator({
    seed: 91,
    orders: 30,
    days: 3,
    anchor: new Date(Date.now() - 3_600_000),
    activity: "none",
    vendors: [A, B, C],
  });
  dir = mkdtempSync(join(tmpdir(), "bad-days-"));
});
afterAll(async () => {
  await sim?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** The sum of `family`'s samples whose labels include `where`. */
function total(families: Map<string, MetricFamily>, family: string, where: Record<string, string>): number {
  const f = families.get(family);
  if (!f) throw new Error(`no ${family} in the exposition`);
  return f.samples
    .filter((s) => s.name === family && Object.entries(where).every(([k, v]) => s.labels[k] === v))
    .reduce((n, s) => n + s.value, 0);
}

/** Polls until `check` holds, `ms` at most. */
async function until(what: string, check: () => boolean | Promise<boolean>, ms = 30_000): Promise<void> {
  for (const started = Date.now(); Date.now() - started < ms;) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** A rule's counters as the simulator holds them now. */
function rule(id: string): { matched: number; fired: number } {
  const found = sim.faults.list().find((r) => r.id === id);
  if (!found) throw new Error(`no fault rule ${id}`);
  return found;
}

describe("Coupang's bad days", () => {
  it(
    "a 429 storm pauses one vendor while the others poll; every other fault is classified, counted and survived",
    { timeout: 150_000 },
    async () => {
      const vendorsFile = join(dir, "vendors.json");
      writeFileSync(vendorsFile, JSON.stringify([A, B, C]));
      const config = loadConfig({
        DATABASE_URL: db.url,
        REDIS_URL: redisUrl ?? undefined,
        QUEUE_PREFIX: `bd${randomBytes(4).toString("hex")}`,
        COUPANG_BASE_URL: sim.url,
        COUPANG_VENDORS_FILE: vendorsFile,
        SYNC_POLL_INTERVAL_SECONDS: "5",
        SYNC_BACKFILL_DAYS: "4",
        SYNC_CIRCUIT_OPEN_SECONDS: "10",
        OUTBOX_DRAIN_INTERVAL_SECONDS: "3600",
        SHUTDOWN_TIMEOUT_SECONDS: "1",
        LOG_LEVEL: "silent",
      });
      // Counters of every call each vendor makes (a zero latency never changes an answer).
      const counter = (v: { vendorId: string }) =>
        sim.faults.add({ vendorId: v.vendorId, kind: "latency", latencyMs: 0 }).id;
      const [countA, countB, countC] = [counter(A), counter(B), counter(C)];
      // The storm: every call of A answers 429 until it is lifted.
      const storm = sim.faults.add({ vendorId: A.vendorId, kind: "status", status: 429 }).id;
      // C's first sync meets drifted pages: extra fields, optional ones missing, strings null on
      // every ordersheets page, and every record without its orderId (quarantined, not stored).
      const drifts = (["extra", "missing", "null"] as const).map(
        (drift) => sim.faults.add({ vendorId: C.vendorId, endpoint: "ordersheets", kind: "drift", drift }).id,
      );
      const broken = sim.faults.add({
        vendorId: C.vendorId,
        endpoint: "ordersheets",
        kind: "drift",
        drift: "missing",
        fields: ["orderId"],
      }).id;

      const outcomes: Array<PollOutcome & { at: number }> = [];
      // Heard from before the start: the first polls may end before startWorker resolves.
      const events = createWorkerEvents();
      events.on("poll", (o) => outcomes.push({ ...o, at: Date.now() }));
      const app: WorkerApp = await startWorker(config, createLogger("silent"), { events });
      const completed = (vendorId: string, after = 0, before = Infinity) =>
        outcomes.filter(
          (o) =>
            o.vendorId === vendorId &&
            o.ok &&
            o.report.outcome === "completed" &&
            o.at > after &&
            o.at < before,
        );
      const everyStream = (vendorId: string, after = 0) =>
        STREAM_NAMES.every((s) => completed(vendorId, after).some((o) => o.stream === s));
      const scrape = async () => parseExposition(await app.metrics.registry.metrics());
      try {
        const stormFrom = Date.now();
        await until("C's first sync, through the drift", () => everyStream(C.vendorId));
        for (const id of [...drifts, broken]) {
          expect(rule(id).fired).toBeGreaterThan(0);
          sim.faults.remove(id);
        }
        const quarantined = await app.prisma.$queryRawUnsafe<Array<{ stream: string; reason: string }>>(
          `SELECT stream, reason FROM quarantined_records WHERE vendor_id = $1`,
          C.vendorId,
        );
        expect(quarantined.length).toBeGreaterThan(0);
        for (const q of quarantined)
          expect([q.stream, q.reason]).toEqual(["ordersheets", expect.stringContaining("orderId")]);
        const drifted = await scrape();
        expect(
          total(drifted, "cos_rows_rejected_total", { vendor_id: C.vendorId, stream: "ordersheets" }),
        ).toBe(quarantined.length);

        // The catalogue on C's ordersheets, one fault at a time: the rules fire exactly `count`
        // times, are removed, and a later poll of C's ordersheets completes.
        const step = async (rules: FaultRuleInput[]) => {
          const ids = rules.map(
            (r) => sim.faults.add({ vendorId: C.vendorId, endpoint: "ordersheets", ...r }).id,
          );
          await app.pollNow(C.vendorId, "ordersheets");
          await until("the faults fired", () => ids.every((id, i) => rule(id).fired === rules[i]!.count));
          for (const id of ids) sim.faults.remove(id);
          const removed = Date.now();
          await until("a later poll of C completes", () =>
            completed(C.vendorId, removed).some((o) => o.stream === "ordersheets"),
          );
        };
        // 5xx: got retries the GET twice; the third answer fails the (one-day) hot query, which
        // is recorded as a failed slice while the poll goes on.
        await step([
          { kind: "status", status: 500, count: 1 },
          { kind: "status", status: 502, count: 1 },
          { kind: "status", status: 504, count: 1 },
        ]);
        // Connection resets: got retries twice; the third is vendor-wide, the poll fails (retryable)
        // and BullMQ's next attempt succeeds.
        await step([{ kind: "reset", count: 3 }]);
        // A response that never comes and is cut after 1 s: one retry heals it.
        await step([{ kind: "timeoutAfterWrite", mode: "hang", holdMs: 1_000, count: 1 }]);
        // A body cut short: invalid_payload, a failed slice.
        await step([{ kind: "malformedJson", count: 1 }]);
        // Blocks: the poll fails for good and C's circuit opens for SYNC_CIRCUIT_OPEN_SECONDS.
        await step([{ kind: "status", status: 403, count: 1 }]);
        await step([{ kind: "status", status: 302, count: 1 }]);

        // The storm has lasted the whole catalogue; A was paused by its first 429 and called
        // no more, while B kept its schedule.
        const stormTo = Date.now();
        // Every call of B and C counted as the simulator logged it. They keep polling, and a call
        // in flight is in the simulator's count and not yet in ours: so, in a scrape between calls.
        let m = await scrape();
        await until("a scrape between B's and C's calls", async () => {
          m = await scrape();
          return (
            total(m, "cos_coupang_requests_total", { vendor_id: B.vendorId }) === rule(countB).matched &&
            total(m, "cos_coupang_requests_total", { vendor_id: C.vendorId }) === rule(countC).matched
          );
        });
        const a429 = rule(storm).fired;
        expect(a429).toBeGreaterThanOrEqual(1);
        expect(rule(countA).matched).toBe(a429);
        // Concurrent polls may each have been past the limiter when the first 429 came back.
        expect(a429).toBeLessThanOrEqual(config.concurrency);
        expect(total(m, "cos_coupang_rate_limited_total", { vendor_id: A.vendorId })).toBe(a429);
        expect(total(m, "cos_coupang_requests_total", { vendor_id: A.vendorId, status: "429" })).toBe(a429);
        expect(total(m, "cos_coupang_requests_total", { vendor_id: A.vendorId })).toBe(a429);
        expect(total(m, "cos_poll_failures_total", { vendor_id: A.vendorId, kind: "rate_limited" })).toBe(
          a429,
        );
        expect(
          total(m, "cos_poll_failures_total", { vendor_id: A.vendorId, kind: "circuit_open" }),
        ).toBeGreaterThan(0);
        expect(completed(A.vendorId)).toEqual([]);
        const stormSeconds = (stormTo - stormFrom) / 1000;
        expect(stormSeconds).toBeGreaterThan(30);
        for (const stream of STREAM_NAMES)
          expect([
            stream,
            completed(B.vendorId, stormFrom, stormTo).filter((o) => o.stream === stream).length >= 3,
          ]).toEqual([stream, true]);
        expect(total(m, "cos_poll_failures_total", { vendor_id: B.vendorId })).toBe(0);
        expect(total(m, "cos_coupang_requests_total", { vendor_id: B.vendorId })).toBe(
          total(m, "cos_coupang_requests_total", { vendor_id: B.vendorId, status: "200" }),
        );

        // C's faults, each once, as its classification says.
        const c = (where: Record<string, string>, family = "cos_coupang_requests_total") =>
          total(m, family, { vendor_id: C.vendorId, ...where });
        expect(
          ["500", "502", "504", "403", "302", "network"].map((status) => [status, c({ status })]),
        ).toEqual([
          ["500", 1],
          ["502", 1],
          ["504", 1],
          ["403", 1],
          ["302", 1],
          ["network", 4],
        ]);
        expect(
          ["retryable", "failed_slice", "blocked", "invalid_payload", "internal"].map((kind) => [
            kind,
            c({ stream: "ordersheets", kind }, "cos_poll_failures_total"),
          ]),
        ).toEqual([
          ["retryable", 1],
          ["failed_slice", 2],
          ["blocked", 2],
          ["invalid_payload", 0],
          ["internal", 0],
        ]);
        expect(c({ kind: "circuit_open" }, "cos_poll_failures_total")).toBeGreaterThan(0);
        const slices = await app.prisma.$queryRawUnsafe<Array<{ error: string }>>(
          `SELECT error_kind || ': ' || error_message AS error FROM sync_failed_slices WHERE vendor_id = $1 ORDER BY id`,
          C.vendorId,
        );
        // The 504's slice and the malformed page's share a hot window: one row keeps the last error.
        expect(slices.map((s) => s.error)).toContainEqual(
          expect.stringMatching(/^invalid_payload: .*expected a JSON body/),
        );

        // The storm ends: A resumes once its pause is over, and holds exactly Coupang's data.
        sim.faults.remove(storm);
        const lifted = Date.now();
        await until("A recovers", () => everyStream(A.vendorId, lifted), 75_000);
        const kinds = await compareStreams(app.prisma, sim.groundTruth(A.vendorId), STREAM_NAMES);
        for (const [kind, k] of Object.entries(kinds)) expect([kind, k.equal]).toEqual([kind, true]);
        expect(kinds.shipment_box!.dbRows).toBe(30);
        // No crash: the worker is still polling every vendor's every stream.
        const end = Date.now();
        await until("every stream of B and C completes again", () =>
          [B, C].every((v) => everyStream(v.vendorId, end)),
        );
        expect(total(await scrape(), "cos_poll_failures_total", { kind: "internal" })).toBe(0);
        console.log(
          JSON.stringify({
            stormSeconds,
            a429,
            aCalls: rule(countA).matched,
            bPolls: completed(B.vendorId, stormFrom, stormTo).length,
            bCalls: rule(countB).matched,
            quarantined: quarantined.length,
            recoveredAfter: (Date.now() - lifted) / 1000,
          }),
        );
      } finally {
        await app.close();
      }
    },
  );
});

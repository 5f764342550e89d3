import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { formatKstDate } from "@cos/coupang";
import type { Simulator } from "@cos/coupang-sim";
import { getResync } from "@cos/db";
import { enqueueCommand } from "@cos/ops";
import { STREAM_NAMES } from "@cos/sync";
import { createLogger, loadConfig, startWorker, type WorkerApp } from "@cos/worker";
import { compareKinds } from "../../worker/src/ground-truth.js";
import { run } from "./main.js";
import { createTestDatabase, type TestDatabase } from "../../../test/support/postgres.js";
import { bootPolls, claimOldDeliveries, simulatorFor, workerEnv } from "../../../test/support/worker-env.js";

const VENDOR = { vendorId: "A00088001", accessKey: "ak-cli", secretKey: "sk-cli-secret" };
const MAIN = fileURLToPath(new URL("./main.ts", import.meta.url));
const DAY = 86_400_000;

let sim: Simulator;
let db: TestDatabase;
let app: WorkerApp;
let env: Record<string, string>;

beforeAll(async () => {
  // 95 days of history, all of it listed (anchored an hour ago, past the list lag).
  sim = await simulatorFor(VENDOR, { seed: 31, orders: 400, days: 95 });
  db = await createTestDatabase();
  env = workerEnv(
    {
      db,
      sim,
      vendor: VENDOR,
      queuePrefix: `c${randomBytes(3).toString("hex")}`,
      redisUrl: inject("redisUrl"),
    },
    {
      COUPANG_VENDOR_NAME: "CLI Test",
      COUPANG_REQUESTS_PER_SECOND: "10",
      SYNC_POLL_INTERVAL_SECONDS: "3600",
      SYNC_BACKFILL_DAYS: "3",
    },
  );
  app = await startWorker(loadConfig(env), createLogger("silent"));
  // The boot's live polls read only the last three days; once they are done the simulator's call
  // counts during the resync are the resync's own.
  await bootPolls(app);
}, 120_000);
afterAll(async () => {
  await app?.close();
  await sim?.close();
  await db?.drop();
});

/** Runs the CLI as an operator does: a child process, stdout not a terminal. */
function cli(args: string[], extraEnv: Record<string, string> = {}) {
  const child = spawn(process.execPath, ["--import", "tsx", MAIN, ...args], {
    env: { PATH: process.env.PATH, ...env, ...extraEnv },
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on("exit", (code) => resolve({ code, stdout, stderr })),
  );
}

/** Runs the CLI in this process (the same `run` main.ts calls), capturing what it writes. */
async function cliHere(args: string[], envOverride: Record<string, string | undefined> = env) {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const code = await run(
    args,
    { log: (l) => stdout.push(l), err: (l) => stderr.push(l), tty: false },
    envOverride,
  );
  return { code, stdout: stdout.join("\n"), stderr: stderr.join("\n") };
}

/** The JSON document a `--json` run printed. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any JSON document the CLI prints
const parsed = (stdout: string) => JSON.parse(stdout) as Record<string, any>;

describe("cos resync (acceptance: a 90-day resync from the CLI)", () => {
  it("shows progress, ends with a report, and leaves the database equal to the simulator's ground truth", async () => {
    // Claims after the boot's polls, so only the resync can bring them in: two returns (one
    // withdrawn) and an exchange of boxes delivered before the live polls' three days.
    await claimOldDeliveries(sim, VENDOR.vendorId);

    const now = Date.now();
    const from = formatKstDate(new Date(now - 90 * DAY));
    const to = formatKstDate(new Date(now));
    const callsBefore = sim.calls();
    const { code, stdout, stderr } = await cli([
      "resync",
      "--vendor",
      VENDOR.vendorId,
      "--from",
      from,
      "--to",
      to,
    ]);
    expect(stderr).toBe("");
    expect(code).toBe(0);

    const lines = stdout.trimEnd().split("\n");
    // 91 KST days (both named days included) in windows of 7: 13 per stream.
    const id =
      /^resync (\d+) queued: 52 windows of exchangeRequests, ordersheets, returnRequests, returnWithdrawRequests$/.exec(
        lines[0]!,
      )?.[1];
    expect(id, lines[0]).toBeDefined();
    const progress = lines
      .map((l) =>
        /^resync \d+ (running|completed): (\d+)\/52 windows, \d+ pages, \d+ API calls, \d+ rows written, 0 rejected$/.exec(
          l,
        ),
      )
      .filter((m) => m !== null);
    // Plain lines (stdout is no terminal), windows done only ever growing, the last one complete.
    expect(progress.length).toBeGreaterThanOrEqual(2);
    const done = progress.map((m) => Number(m[2]));
    expect(done).toEqual([...done].sort((a, b) => a - b));
    expect(progress.at(-1)!.slice(1, 3)).toEqual(["completed", "52"]);

    // The report: its figures are the resync's, per stream and in all, and its API calls the
    // calls the simulator answered on each stream's list.
    const resync = (await getResync(app.prisma, BigInt(id!)))!;
    expect(resync).toMatchObject({ status: "completed", windowsDone: 52, rejected: 0 });
    const reportAt = lines.findIndex((l) => l.startsWith(`resync ${id} completed in `));
    expect(reportAt).toBeGreaterThan(0);
    const report = lines.slice(reportAt);
    expect(report[0]).toMatch(
      new RegExp(`^resync ${id} completed in [\\d.]+ s: vendor ${VENDOR.vendorId}, `),
    );
    expect(report[1]).toMatch(/^ {2}stream\s+windows\s+pages\s+API calls\s+rows written\s+rejected$/);
    const callsAfter = sim.calls();
    for (const stream of STREAM_NAMES) {
      const s = resync.byStream[stream]!;
      const calls = (callsAfter[`GET ${stream}`] ?? 0) - (callsBefore[`GET ${stream}`] ?? 0);
      expect(s.apiCalls).toBe(calls);
      expect(report).toContainEqual(
        expect.stringMatching(
          new RegExp(`^ {2}${stream}\\s+13/13\\s+${s.pages}\\s+${calls}\\s+${s.rowsWritten}\\s+0$`),
        ),
      );
    }
    expect(report.at(-1)).toMatch(
      new RegExp(
        `^ {2}total\\s+52/52\\s+${resync.pages}\\s+${resync.apiCalls}\\s+${resync.rowsWritten}\\s+0$`,
      ),
    );

    // The database against the ground truth: every claim, and every box of the 90 days, equal to
    // the simulator's, field for field; boxes before the range's first KST day are not there.
    const truth = sim.groundTruth(VENDOR.vendorId);
    const compared = await compareKinds(app.prisma, truth);
    for (const c of compared.filter((k) => !["shipment_box", "order_item"].includes(k.kind))) {
      expect(c, c.kind).toMatchObject({
        missing: [],
        extra: [],
        rawMismatches: [],
        columnMismatches: [],
        equal: true,
      });
      expect(c.truthRows, c.kind).toBeGreaterThan(0);
    }
    const firstDay = Date.parse(`${from}T00:00:00+09:00`);
    const before = truth.orders.filter((o) => Date.parse(`${o.orderedAt}+09:00`) < firstDay).length;
    const boxes = compared.find((c) => c.kind === "shipment_box")!;
    expect([boxes.rawMismatches, boxes.columnMismatches, boxes.extra, boxes.gone]).toEqual([[], [], [], []]);
    expect(boxes.missing.length).toBe(before);
    expect(boxes.dbRows).toBe(truth.boxes - before);
  }, 180_000);

  it("refuses a bad range with 65, naming the field", async () => {
    const { code, stderr, stdout } = await cli([
      "resync",
      "--vendor",
      VENDOR.vendorId,
      "--from",
      "2026-13-01",
      "--to",
      "2026-01-01",
    ]);
    expect(code).toBe(65);
    expect(stdout).toBe("");
    expect(stderr.trim()).toBe(
      'error: from: expected a KST day yyyy-MM-dd or a date-time yyyy-MM-ddTHH:mm:ss[offset], got "2026-13-01"',
    );
  });

  it("exits 1 after the report when the resync fails", async () => {
    const rule = sim.faults.add({ endpoint: "exchangeRequests", kind: "malformedJson" });
    try {
      const day = formatKstDate(new Date(Date.now() - 2 * DAY));
      const args = [
        "resync",
        "--vendor",
        VENDOR.vendorId,
        "--from",
        day,
        "--to",
        day,
        "--streams",
        "exchangeRequests",
      ];
      const { code, stdout, stderr } = await cliHere([...args, "--json"]);
      expect(code).toBe(1);
      // Progress on stderr, the final resync alone on stdout, then the error.
      expect(stderr).toMatch(
        /^resync (\d+) queued: 1 windows of exchangeRequests\nresync \1 running: 0\/1 windows/,
      );
      expect(stderr).toMatch(/\nerror: resync \d+ failed$/);
      expect(parsed(stdout)).toMatchObject({
        status: "failed",
        report: {
          failedWindow: 0,
          failedStream: "exchangeRequests",
          error: expect.stringMatching(/unexpected response/),
        },
      });
    } finally {
      sim.faults.remove(rule.id);
    }
  });

  it("queues without waiting with --no-wait, printing the resync as JSON", async () => {
    const to = formatKstDate(new Date());
    const { code, stdout, stderr } = await cliHere([
      "resync",
      "--vendor",
      VENDOR.vendorId,
      "--from",
      to,
      "--to",
      to,
      "--streams",
      "exchangeRequests",
      "--no-wait",
      "--json",
    ]);
    expect(code).toBe(0);
    const doc = parsed(stdout);
    expect(doc).toMatchObject({ created: true, resync: { streams: ["exchangeRequests"], windowsTotal: 1 } });
    expect(doc.resync.id).toMatch(/^\d+$/);
    expect(stderr).toMatch(/^resync \d+ queued: 1 windows of exchangeRequests$/);
    await app.cancelResync(BigInt(doc.resync.id as string));
  });
});

describe("cos status and vendors", () => {
  it("reports every stream's freshness and the outbox, as text and as JSON", async () => {
    const json = await cliHere(["status", "--json"]);
    expect(json.code).toBe(0);
    const doc = parsed(json.stdout);
    expect(doc.vendors).toHaveLength(1);
    expect(doc.vendors[0]).toMatchObject({ vendorId: VENDOR.vendorId, name: "CLI Test" });
    expect(doc.vendors[0].streams).toEqual(
      STREAM_NAMES.map((stream): unknown =>
        expect.objectContaining({
          stream,
          lastSuccessAt: expect.any(String),
          failedSlicesOpen: 0,
          quarantined: 0,
        }),
      ),
    );
    const text = await cliHere(["status", "--vendor", VENDOR.vendorId]);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(`${VENDOR.vendorId} CLI Test`);
    expect(text.stdout).toMatch(/^ {2}ordersheets\s+\d{4}-\d\d-\d\dT\S+Z\s+\S+Z\s+\d+[ms]/m);
    expect(text.stdout).toMatch(/^ {2}outbox: pending \d+, in_flight \d+, succeeded \d+/m);
  });

  it("answers 66 for an unknown vendor", async () => {
    const { code, stderr } = await cliHere(["status", "--vendor", "A00000404"]);
    expect(code).toBe(66);
    expect(stderr).toBe("error: vendorId: A00000404 is not a known vendor (vendor_accounts)");
  });

  it("lists the vendors", async () => {
    const { code, stdout } = await cliHere(["vendors", "--json"]);
    expect(code).toBe(0);
    expect(parsed(stdout).vendors).toEqual([
      { vendorId: VENDOR.vendorId, name: "CLI Test", enabled: true, createdAt: expect.any(String) },
    ]);
  });
});

describe("cos commands", () => {
  const invoice = (extra: string[] = []) => [
    "commands",
    "upload-invoice",
    "--vendor",
    VENDOR.vendorId,
    "--box",
    "300000000000077001",
    "--order",
    "900000000000077001",
    "--carrier",
    "CJGLS",
    "--invoice",
    "123456789012",
    ...extra,
  ];

  it("queues an invoice upload once, lists it and shows it with every digit", async () => {
    const first = await cliHere([...invoice(), "--json"]);
    expect(first.code).toBe(0);
    const { command } = parsed(first.stdout);
    expect(parsed(first.stdout)).toMatchObject({
      created: true,
      command: { kind: "UPLOAD_INVOICE", shipmentBoxId: "300000000000077001", createdBy: "cli" },
    });
    const again = await cliHere(invoice());
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(
      new RegExp(
        `^already queued \\(same dedupe key\\), nothing added; to send it again anyway, give --dedupe-key <a new key>:\ncommand ${command.id} UPLOAD_INVOICE`,
      ),
    );

    const list = await cliHere([
      "commands",
      "list",
      "--vendor",
      VENDOR.vendorId,
      "--kind",
      "UPLOAD_INVOICE",
      "--json",
    ]);
    expect(parsed(list.stdout).commands).toEqual([expect.objectContaining({ id: command.id })]);
    const shown = await cliHere(["commands", "show", command.id as string, "--json"]);
    expect(parsed(shown.stdout)).toMatchObject({
      id: command.id,
      orderId: "900000000000077001",
      attemptLog: expect.any(Array),
    });
    const text = await cliHere(["commands", "show", command.id as string]);
    expect(text.stdout).toMatch(
      new RegExp(
        `^command ${command.id} UPLOAD_INVOICE \\w+ \\(vendor ${VENDOR.vendorId}, order 900000000000077001, box 300000000000077001 CJGLS 123456789012\\)`,
      ),
    );
  });

  it("adds the same command again under a new --dedupe-key, and that one once", async () => {
    const [original] = await app.prisma.$queryRawUnsafe<Array<{ id: bigint }>>(
      `SELECT id FROM outbox_commands WHERE dedupe_key = $1`,
      "UPLOAD_INVOICE:300000000000077001::123456789012",
    );
    const again = await cliHere([...invoice(), "--dedupe-key", "other", "--json"]);
    expect(again.code).toBe(0);
    const doc = parsed(again.stdout);
    expect(doc).toMatchObject({
      created: true,
      command: {
        kind: "UPLOAD_INVOICE",
        shipmentBoxId: "300000000000077001",
        payload: { deliveryCompanyCode: "CJGLS", invoiceNumber: "123456789012" },
        dedupeKey: "other",
      },
    });
    expect(BigInt(doc.command.id as string)).toBeGreaterThan(original!.id);
    const twice = await cliHere([...invoice(), "--dedupe-key", "other"]);
    expect(twice.code).toBe(0);
    expect(twice.stdout).toMatch(
      new RegExp(
        `^already queued \\(same dedupe key\\), nothing added; to send it again anyway, give --dedupe-key <a new key>:\ncommand ${doc.command.id} UPLOAD_INVOICE`,
      ),
    );
    expect(twice.stdout).toContain("\n  dedupe key: other");
  });

  it("queues an acknowledgement of a box, which the worker sends", async () => {
    // A new paid order in the simulator: its box is ACCEPT until acknowledged.
    const placed = (await sim.event({ vendorId: VENDOR.vendorId, type: "order" })) as {
      orderId: bigint;
      shipmentBoxIds: bigint[];
    };
    const box = placed.shipmentBoxIds[0]!.toString();
    const order = placed.orderId.toString();
    const queued = await cliHere([
      "commands",
      "acknowledge",
      "--vendor",
      VENDOR.vendorId,
      "--box",
      box,
      "--order",
      order,
      "--json",
    ]);
    expect(queued.code).toBe(0);
    const { command } = parsed(queued.stdout);
    expect(parsed(queued.stdout)).toMatchObject({
      created: true,
      command: {
        kind: "ACKNOWLEDGE",
        vendorId: VENDOR.vendorId,
        shipmentBoxId: box,
        orderId: order,
        vendorItemId: null,
        payload: {},
        dedupeKey: `ACKNOWLEDGE:${box}::`,
        createdBy: "cli",
      },
    });
    // The insert's NOTIFY wakes the worker's drain.
    const status = async () =>
      (
        await app.prisma.$queryRawUnsafe<Array<{ status: string }>>(
          `SELECT status FROM outbox_commands WHERE id = $1::bigint`,
          command.id,
        )
      )[0]?.status;
    await expect.poll(status, { timeout: 15_000, interval: 100 }).toBe("succeeded");
    expect(sim.writes({ endpoint: "ordersheets/acknowledgement", target: box })).toHaveLength(1);
    expect(
      await cliHere(["commands", "acknowledge", "--vendor", VENDOR.vendorId, "--box", box]),
    ).toMatchObject({
      code: 2,
      stderr: expect.stringContaining("required option '--order <orderId>' not specified"),
    });
  });

  it("refuses bad input with 65, naming the field", async () => {
    const carrier = await cliHere(invoice().map((a) => (a === "CJGLS" ? "ACME" : a)));
    expect(carrier.code).toBe(65);
    expect(carrier.stderr).toMatch(/^error: outbox command: deliveryCompanyCode "ACME": /);
    const vendor = await cliHere(invoice().map((a) => (a === VENDOR.vendorId ? "A00000404" : a)));
    expect(vendor).toMatchObject({
      code: 65,
      stderr: 'error: outbox command: vendorId "A00000404": not configured in this worker',
    });
    const box = await cliHere(invoice().map((a) => (a === "300000000000077001" ? "30000x" : a)));
    expect(box.code).toBe(65);
    expect(box.stderr).toContain(
      "option '--box <shipmentBoxId>' argument '30000x' is invalid. expected a decimal ID",
    );
    const cancel = [
      "commands",
      "cancel-items",
      "--vendor",
      VENDOR.vendorId,
      "--box",
      "300000000000077002",
      "--order",
      "900000000000077002",
      "--item",
      "11",
      "--item",
      "12",
      "--quantity",
      "1",
      "--reason",
      "CCTTER",
      "--user",
      "seller01",
    ];
    expect(await cliHere(cancel)).toMatchObject({
      code: 65,
      stderr:
        'error: outbox command: items "2 --item, 1 --quantity": give one --quantity per --item, in the same order',
    });
    const reason = await cliHere([...cancel, "--quantity", "2"].map((a) => (a === "CCTTER" ? "NOPE" : a)));
    expect(reason.code).toBe(65);
    expect(reason.stderr).toMatch(/^error: outbox command: middleCancelCode "NOPE"/);
    const queued = await cliHere([...cancel, "--quantity", "2", "--json"]);
    expect(parsed(queued.stdout)).toMatchObject({
      created: true,
      command: {
        kind: "CANCEL",
        payload: {
          items: [
            { vendorItemId: "11", receiptCount: 1 },
            { vendorItemId: "12", receiptCount: 2 },
          ],
        },
      },
    });
  });

  it("answers 66 for an unknown command, 1 for a retry of one that is not dead, and cancels a pending one", async () => {
    expect(await cliHere(["commands", "show", "999999"])).toMatchObject({
      code: 66,
      stderr: "error: command 999999 does not exist",
    });
    expect((await cliHere(["commands", "retry", "999999"])).code).toBe(66);
    // Due tomorrow: the worker's drain leaves it pending meanwhile.
    const { command } = await enqueueCommand(
      app.prisma,
      { kind: "ACKNOWLEDGE", vendorId: VENDOR.vendorId, shipmentBoxId: 77n, orderId: 77n, createdBy: "test" },
      { now: new Date(Date.now() + DAY) },
    );
    const retry = await cliHere(["commands", "retry", command.id.toString()]);
    expect(retry).toMatchObject({
      code: 1,
      stderr: `error: outbox command ${command.id} is pending; only dead may become unknown`,
    });
    const cancelled = await cliHere([
      "commands",
      "cancel",
      command.id.toString(),
      "--reason",
      "ordered twice",
      "--json",
    ]);
    expect(cancelled.code).toBe(0);
    expect(parsed(cancelled.stdout).command).toMatchObject({
      status: "cancelled",
      lastResultMessage: "ordered twice",
    });
  });
});

describe("what reaches the terminal", () => {
  it("escapes control characters from the database in tables and text; JSON keeps them escaped as JSON does", async () => {
    const { command } = await enqueueCommand(
      app.prisma,
      {
        kind: "UPLOAD_INVOICE",
        vendorId: VENDOR.vendorId,
        shipmentBoxId: 300000000000088001n,
        orderId: 900000000000088001n,
        deliveryCompanyCode: "CJGLS",
        invoiceNumber: "555555555555",
        createdBy: "test",
      },
      { now: new Date(Date.now() + DAY) },
    );
    // Commands also enter by SQL: nothing stops a writer from storing escape sequences.
    const evil = "\u001b[2J\u001b]0;pwned\u0007\r\nfake line\u202e\u0085";
    await app.prisma.$executeRawUnsafe(
      `UPDATE outbox_commands SET payload = jsonb_set(payload, '{invoiceNumber}', to_jsonb($2::text)),
              last_result_code = $2, last_result_message = $2, created_by = $2 WHERE id = $1`,
      command.id,
      evil,
    );
    const shown = "\\u001b[2J\\u001b]0;pwned\\u0007\\u000d\\u000afake line\\u202e\\u0085";
    const list = await cli(["commands", "list", "--vendor", VENDOR.vendorId, "--kind", "UPLOAD_INVOICE"]);
    expect(list.code).toBe(0);
    const row = list.stdout.split("\n").find((l) => l.trimStart().startsWith(`${command.id} `));
    expect(row).toContain(`box 300000000000088001 CJGLS ${shown}`);
    expect(row).toContain(`  ${shown}  `);
    const text = await cli(["commands", "show", command.id.toString()]);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(`  last result: ${shown} ${shown}\n`);
    expect(text.stdout).toContain(` by ${shown}`);
    for (const out of [list.stdout, text.stdout])
      // eslint-disable-next-line no-control-regex -- no control character but the line breaks
      expect(out).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202e]/);
    const json = await cli(["commands", "show", command.id.toString(), "--json"]);
    expect(parsed(json.stdout)).toMatchObject({ lastResultMessage: evil, createdBy: evil });
    await app.prisma.$executeRawUnsafe(`DELETE FROM outbox_commands WHERE id = $1`, command.id);
  });
});

describe("IDs past int64", () => {
  it("are refused with 65 naming the field and the value, before any query", async () => {
    const big = "9999999999999999999";
    const message = (field: string, value: string) =>
      `${field}: expected a decimal ID from 1 to 9223372036854775807, got "${value}"`;
    for (const args of [
      ["commands", "show", big],
      ["commands", "retry", big],
      ["commands", "cancel", "9223372036854775808"],
    ]) {
      const { code, stdout, stderr } = await cli([...args, "--json"]);
      expect([args, code]).toEqual([args, 65]);
      expect(parsed(stdout)).toEqual({ error: { code: "invalid", message: message("id", args[2]!) } });
      expect(stderr.trim()).toBe(`error: ${message("id", args[2]!)}`);
    }
    const before = await cli(["commands", "list", "--before", big, "--json"]);
    expect(before.code).toBe(65);
    expect(parsed(before.stdout)).toEqual({
      error: {
        code: "invalid",
        message: `option '--before <id>' argument '${big}' is invalid. expected a decimal ID from 1 to 9223372036854775807`,
      },
    });
    expect(before.stderr).not.toMatch(/\bat \S+\.ts:\d+/);
    expect(await cliHere(["commands", "show", "9223372036854775807"])).toMatchObject({
      code: 66,
      stderr: "error: command 9223372036854775807 does not exist",
    });
  });
});

describe("exit codes", () => {
  it("--json: one JSON error document on stdout for usage errors (2) and refused values (65)", async () => {
    const cases: Array<[string[], number, string, RegExp]> = [
      [["bogus"], 2, "usage", /^unknown command 'bogus'$/],
      [["commands", "list", "--bogus"], 2, "usage", /^unknown option '--bogus'$/],
      [
        ["commands", "upload-invoice", "--vendor", VENDOR.vendorId],
        2,
        "usage",
        /^required option '--box <shipmentBoxId>' not specified$/,
      ],
      [
        ["commands", "list", "--limit", "-1"],
        65,
        "invalid",
        /^option '--limit <n>' argument '-1' is invalid/,
      ],
      [["commands", "list", "--limit", "0"], 65, "invalid", /^option '--limit <n>' argument '0' is invalid/],
    ];
    for (const [args, exit, code, message] of cases) {
      const run = await cli([...args, "--json"]);
      expect([args, run.code]).toEqual([args, exit]);
      const doc = parsed(run.stdout);
      expect(doc).toEqual({ error: { code, message: expect.stringMatching(message) } });
      expect(run.stderr).toMatch(/^error: /);
      // Without --json, stdout stays empty.
      expect((await cliHere(args)).stdout).toBe("");
    }
  });

  it("69 for migrate when the database does not exist, without a stack trace", async () => {
    const url = new URL(env.DATABASE_URL!);
    url.pathname = "/cos_no_such_database";
    const { code, stdout, stderr } = await cli(["migrate", "--json"], { DATABASE_URL: url.toString() });
    expect(code).toBe(69);
    const where = `${url.hostname}:${url.port || 5432}/cos_no_such_database`;
    const message = `cannot reach Postgres at DATABASE_URL (${where}): database "cos_no_such_database" does not exist`;
    expect(parsed(stdout)).toEqual({ error: { code: "unavailable", message } });
    expect(stderr.trim()).toBe(`error: ${message}`);
  });

  it("69 when Postgres cannot be reached", async () => {
    const { code, stderr } = await cli(["status"], {
      DATABASE_URL: "postgresql://postgres@127.0.0.1:1/nowhere",
    });
    expect(code).toBe(69);
    expect(stderr.trim()).toBe(
      "error: cannot reach Postgres at DATABASE_URL (127.0.0.1:1/nowhere): DatabaseNotReachable",
    );
  });

  it("69 when Redis cannot be reached for a resync", async () => {
    const to = formatKstDate(new Date());
    const { code, stderr } = await cliHere(
      ["resync", "--vendor", VENDOR.vendorId, "--from", to, "--to", to, "--no-wait"],
      { ...env, REDIS_URL: "redis://127.0.0.1:1" },
    );
    expect(code).toBe(69);
    expect(stderr).toMatch(/^error: cannot reach Redis at REDIS_URL \(127\.0\.0\.1:1\)/);
  });

  it("78 for an invalid setting, 2 for bad usage, 0 for help", async () => {
    const { DATABASE_URL: _, ...noDatabase } = env;
    expect(await cliHere(["vendors"], noDatabase)).toMatchObject({
      code: 78,
      stderr: expect.stringContaining("DATABASE_URL"),
    });
    expect((await cliHere(["vendors", "--bogus"])).code).toBe(2);
    expect((await cliHere(["frobnicate"])).code).toBe(2);
    expect((await cliHere(["commands", "upload-invoice", "--vendor", VENDOR.vendorId])).code).toBe(2);
    expect((await cliHere(["--help"])).code).toBe(0);
  });

  it("migrate applies nothing on a migrated database", async () => {
    expect(await cliHere(["migrate", "--json"])).toMatchObject({
      code: 0,
      stdout: expect.stringContaining('"applied": []'),
    });
  });
});

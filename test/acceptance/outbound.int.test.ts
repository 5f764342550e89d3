import { mkdir, writeFile } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CoupangClient } from "@cos/coupang";
import { startSimulator, type FaultRuleInput, type OrderSheet, type Simulator } from "@cos/coupang-sim";
import { ensureVendorAccount, type OutboxCommandKind, type PrismaClient } from "@cos/db";
import { toJson } from "@cos/ops";
import { drainOutbox, enqueueCommand, type CommandInput, type DrainOutboxResult } from "@cos/outbox";
import { useTestDatabase } from "../support/database.js";

/**
 * Issue 6's acceptance: 10,000 mixed outbound commands of four vendors, drained against the
 * simulator with every fault on at once — lost answers after the write (hang, reset, 504),
 * 500s, 429 bursts, rows failed inside a batch, and acknowledgements that stay invisible for
 * 20 minutes (B-7) — until every command is final. Then the simulator's write log and the
 * database must agree: no invoice applied twice, no applied write whose command is not
 * succeeded, no write without a command, every rejection with Coupang's code, and the local
 * boxes as Coupang has them. Figures go to results/outbound.json.
 */

const VENDORS = [71, 72, 73, 74].map((n) => ({
  vendorId: `A000000${n}`,
  accessKey: `ak-${n}`,
  secretKey: `sk-${n}`,
}));
const MINUTE = 60_000;
/** 2025-03-10 12:00 KST. */
const ANCHOR = new Date("2025-03-10T03:00:00Z");
const ACK_LAG_MINUTES = 20;
/** The mix per vendor; 2,500 × 4 vendors = 10,000 commands. */
const MIX = {
  acknowledge: 700,
  uploadInstruct: 630,
  uploadAccept: 300,
  update: 500,
  cancelAccept: 150,
  cancelInstruct: 150,
  /** Bad on purpose: an ACKNOWLEDGE and an UPLOAD_INVOICE each of boxes Coupang never had. */
  unknownBox: 10,
  /** Bad on purpose: ACCEPT boxes the buyer cancels after the command is enqueued (ack, upload each). */
  buyerCancelled: 10,
  /** Bad on purpose: INSTRUCT boxes whose buyer asks to stop shipping after the upload is enqueued. */
  stopped: 10,
  /** Bad on purpose: uploads reusing another box's invoice number for another recipient (B-10). */
  reusedInvoice: 20,
} as const;
/** The drain loop gives up after this much real time. */
const TIME_BOX_MS = 240_000;
/** Simulated time between rounds: due retries, 429 pauses and the acknowledgement lag pass. */
const ROUND_MS = MINUTE;
const BATCH_WRITES = [
  "PUT ordersheets/acknowledgement",
  "POST orders/invoices",
  "POST orders/updateInvoices",
];
const WRITES = [...BATCH_WRITES, "POST orders/{orderId}/cancel"];
/** The command kind behind each write endpoint. */
const KIND_OF_WRITE: Record<string, OutboxCommandKind> = {
  "PUT ordersheets/acknowledgement": "ACKNOWLEDGE",
  "POST orders/invoices": "UPLOAD_INVOICE",
  "POST orders/updateInvoices": "UPDATE_INVOICE",
  "POST orders/{orderId}/cancel": "CANCEL",
};
/** Every fault at once, on every vendor; seeded, so a run is repeatable. */
const FAULTS: FaultRuleInput[] = [
  ...WRITES.flatMap((endpoint, k): FaultRuleInput[] => [
    { endpoint, kind: "timeoutAfterWrite", mode: "hang", holdMs: 150, probability: 0.03, seed: 10 + k },
    { endpoint, kind: "timeoutAfterWrite", mode: "reset", probability: 0.03, seed: 20 + k },
    { endpoint, kind: "status", status: 504, afterWrite: true, probability: 0.03, seed: 30 + k },
    { endpoint, kind: "status", status: 500, probability: 0.05, seed: 40 + k },
  ]),
  ...BATCH_WRITES.map((endpoint, k): FaultRuleInput => ({
    endpoint,
    kind: "rowFailure",
    probability: 0.1,
    seed: 50 + k,
  })),
  // 429 bursts: now and then a run of consecutive calls, and single ones in between.
  { kind: "status", status: 429, skip: 200, count: 8, seed: 60 },
  { kind: "status", status: 429, skip: 1500, count: 15, seed: 61 },
  { kind: "status", status: 429, skip: 4000, count: 25, seed: 62 },
  { kind: "status", status: 429, probability: 0.005, seed: 63 },
];
const FINAL = new Set(["succeeded", "rejected", "dead", "cancelled"]);
/** The default tries per kind, without the waits: simulated time moves by rounds instead. */
const NO_BACKOFF = Object.fromEntries(
  Object.values(KIND_OF_WRITE).map((kind) => [kind, { baseDelayMs: 0, maxDelayMs: 0 }]),
);

let sim: Simulator;
let prisma: PrismaClient;
const clients = new Map<string, CoupangClient>();
const fixture = useTestDatabase({ poolSize: 10 });

beforeAll(async () => {
  sim = await startSimulator({
    seed: 71,
    orders: 4500,
    days: 2,
    anchor: ANCHOR,
    activity: "none",
    clock: "simulated",
    ackVisibilityLagMinutes: ACK_LAG_MINUTES,
    vendors: VENDORS,
  });
  prisma = fixture.prisma;
  for (const vendor of VENDORS) {
    await ensureVendorAccount(prisma, { vendorId: vendor.vendorId, name: null });
    // Short timeouts stand in for the gateway's 90 s; a tiny limiter pause keeps a 429 from
    // stalling the test in real time (the drain's own pause runs on the simulated clock).
    clients.set(
      vendor.vendorId,
      new CoupangClient({
        baseUrl: sim.url,
        ...vendor,
        requestsPerSecond: 100_000,
        timeoutMs: 2000,
        standardTimeoutMs: 2000,
        rateLimitPauseMs: 1,
      }),
    );
  }
}, 120_000);
afterAll(async () => {
  for (const client of clients.values()) client.close();
  await sim?.close();
});

/** A box as the test picks it: IDs, items, and the recipient the 6-month rule compares. */
interface Box {
  vendorId: string;
  shipmentBoxId: bigint;
  orderId: bigint;
  status: string;
  invoiceNumber: string | null;
  items: bigint[];
  recipient: string;
}

function boxOf(vendorId: string, sheet: OrderSheet): Box {
  const invoice = sheet.invoiceNumber ?? "";
  const r = sheet.receiver;
  return {
    vendorId,
    shipmentBoxId: BigInt(String(sheet.shipmentBoxId)),
    orderId: BigInt(String(sheet.orderId)),
    status: String(sheet.status),
    invoiceNumber: invoice === "" ? null : invoice,
    items: sheet.orderItems.map((i) => BigInt(String(i.vendorItemId))),
    recipient: [r.name, r.addr1, r.addr2, r.postCode].join("|"),
  };
}

/**
 * The vendor's boxes now, by status, untouched by claims (no item cancelled or held), and the
 * IDs of boxes sharing a vendorItemId with another box of their order: the simulator draws each
 * box's items on its own, while the v5 cancel names an order's items, not a box (§5.1), so a
 * cancel of such an item may land on the sibling box.
 */
function boxesByStatus(vendorId: string): { byStatus: Map<string, Box[]>; ambiguous: Set<bigint> } {
  const byStatus = new Map<string, Box[]>();
  const byOrder = new Map<bigint, Box[]>();
  for (const sheet of sim.groundTruth(vendorId).orders) {
    const box = boxOf(vendorId, sheet);
    byOrder.set(box.orderId, [...(byOrder.get(box.orderId) ?? []), box]);
    if (sheet.orderItems.some((i) => i.canceled || i.cancelCount > 0 || i.holdCountForCancel > 0)) continue;
    byStatus.set(box.status, [...(byStatus.get(box.status) ?? []), box]);
  }
  const ambiguous = new Set<bigint>();
  for (const boxes of byOrder.values()) {
    const items = boxes.flatMap((b) => b.items);
    if (new Set(items).size === items.length) continue;
    for (const b of boxes) ambiguous.add(b.shipmentBoxId);
  }
  return { byStatus, ambiguous };
}

/** Stores boxes as a poll would have (status, invoice, items), in one statement per table. */
async function syncLocally(boxes: readonly Box[]): Promise<void> {
  await prisma.$executeRawUnsafe(
    `INSERT INTO shipment_boxes (shipment_box_id, vendor_id, order_id, status, invoice_number, raw, raw_hash)
     SELECT b, v, o, s, i, '{}', repeat('0', 64)
     FROM unnest($1::bigint[], $2::text[], $3::bigint[], $4::text[], $5::text[]) AS t(b, v, o, s, i)`,
    boxes.map((b) => b.shipmentBoxId.toString()),
    boxes.map((b) => b.vendorId),
    boxes.map((b) => b.orderId.toString()),
    boxes.map((b) => b.status),
    boxes.map((b) => b.invoiceNumber),
  );
  const items = boxes.flatMap((b) => b.items.map((item) => ({ b, item })));
  await prisma.$executeRawUnsafe(
    `INSERT INTO order_items (shipment_box_id, vendor_item_id, vendor_id, order_id, shipping_count, raw, raw_hash)
     SELECT b, i, v, o, 1, '{}', repeat('0', 64)
     FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::bigint[]) AS t(b, i, v, o)`,
    items.map(({ b }) => b.shipmentBoxId.toString()),
    items.map(({ item }) => item.toString()),
    items.map(({ b }) => b.vendorId),
    items.map(({ b }) => b.orderId.toString()),
  );
}

/** What the test asked for, per command, to judge the outcome against. */
interface Planned {
  group: string;
  input: CommandInput;
  box: Box;
}

let invoiceSeq = 600_000_000_000;
/** A CJGLS invoice number (12 digits) never used before in this run. */
const invoiceNumber = (): string => String(invoiceSeq++);

/** The vendor's commands: boxes picked from the world, and the buyers' events for the bad ones. */
function plan(vendorId: string): { planned: Planned[]; events: Array<() => Promise<unknown>> } {
  const base = { vendorId, createdBy: "acceptance" };
  const { byStatus, ambiguous } = boxesByStatus(vendorId);
  const take = (status: string, n: number, cancellable = false): Box[] => {
    const boxes = byStatus.get(status) ?? [];
    const fit = boxes.filter((b) => !cancellable || !ambiguous.has(b.shipmentBoxId)).slice(0, n);
    if (fit.length < n) throw new Error(`${vendorId}: ${n} ${status} boxes wanted, ${fit.length} left`);
    byStatus.set(
      status,
      boxes.filter((b) => !fit.includes(b)),
    );
    return fit;
  };
  const ack = (group: string, box: Box): Planned => ({
    group,
    box,
    input: { ...base, kind: "ACKNOWLEDGE", shipmentBoxId: box.shipmentBoxId, orderId: box.orderId },
  });
  const invoice = (
    group: string,
    kind: "UPLOAD_INVOICE" | "UPDATE_INVOICE",
    box: Box,
    number = invoiceNumber(),
  ): Planned => ({
    group,
    box,
    input: {
      ...base,
      kind,
      shipmentBoxId: box.shipmentBoxId,
      orderId: box.orderId,
      deliveryCompanyCode: "CJGLS",
      invoiceNumber: number,
    },
  });
  const cancel = (group: string, box: Box, k: number): Planned => ({
    group,
    box,
    input: {
      ...base,
      kind: "CANCEL",
      shipmentBoxId: box.shipmentBoxId,
      orderId: box.orderId,
      middleCancelCode: "CCTTER",
      userId: "wing-seller",
      // Every other multi-item INSTRUCT box loses one item only (Coupang cancels an ACCEPT box
      // only whole, §5.1); the rest are cancelled whole.
      ...(k % 2 === 1 && box.status === "INSTRUCT" && box.items.length > 1
        ? { items: [{ vendorItemId: box.items[0]!, receiptCount: 1 }] }
        : {}),
    },
  });

  const planned: Planned[] = [
    ...take("ACCEPT", MIX.acknowledge).map((b) => ack("acknowledge", b)),
    ...take("INSTRUCT", MIX.uploadInstruct).map((b) => invoice("upload INSTRUCT", "UPLOAD_INVOICE", b)),
    ...take("ACCEPT", MIX.uploadAccept).map((b) => invoice("upload ACCEPT", "UPLOAD_INVOICE", b)),
    ...[...take("DEPARTURE", MIX.update / 2), ...take("DELIVERING", MIX.update / 2)].map((b) =>
      invoice("update", "UPDATE_INVOICE", b),
    ),
    ...take("ACCEPT", MIX.cancelAccept, true).map((b, k) => cancel("cancel", b, k)),
    ...take("INSTRUCT", MIX.cancelInstruct, true).map((b, k) => cancel("cancel", b, k)),
  ];
  const events: Array<() => Promise<unknown>> = [];
  for (let k = 0; k < MIX.unknownBox; k++) {
    const ghost: Box = {
      vendorId,
      shipmentBoxId: 399_000_000_000_000_000n + BigInt(k) + BigInt(vendorId.slice(-2)) * 1000n,
      orderId: 29_000_000_000_000n + BigInt(k),
      status: "ACCEPT",
      invoiceNumber: null,
      items: [],
      recipient: "",
    };
    planned.push(ack("unknown box", ghost), invoice("unknown box", "UPLOAD_INVOICE", ghost));
  }
  for (const [k, box] of take("ACCEPT", 2 * MIX.buyerCancelled).entries()) {
    planned.push(
      k % 2 === 0 ? ack("buyer cancelled", box) : invoice("buyer cancelled", "UPLOAD_INVOICE", box),
    );
    events.push(() => sim.event({ vendorId, type: "buyerCancel", shipmentBoxId: box.shipmentBoxId }));
  }
  for (const box of take("INSTRUCT", MIX.stopped)) {
    planned.push(invoice("stop requested", "UPLOAD_INVOICE", box));
    events.push(() => sim.event({ vendorId, type: "stopShipmentRequest", shipmentBoxId: box.shipmentBoxId }));
  }
  // Each reused number is the one an "upload INSTRUCT" command sends for a box of another recipient.
  const firsts = planned.filter((p) => p.group === "upload INSTRUCT");
  for (const [k, box] of take("INSTRUCT", MIX.reusedInvoice).entries()) {
    const first = firsts.find((p, j) => j >= k * 7 && p.box.recipient !== box.recipient)!;
    planned.push(
      invoice(
        "reused invoice",
        "UPLOAD_INVOICE",
        box,
        (first.input as { invoiceNumber: string }).invoiceNumber,
      ),
    );
  }
  return { planned, events };
}

type CommandRow = {
  id: bigint;
  vendorId: string;
  kind: OutboxCommandKind;
  box: string;
  status: string;
  attempts: number;
  code: string | null;
  message: string | null;
  invoiceNumber: string | null;
};

const commandRows = (): Promise<CommandRow[]> =>
  prisma.$queryRawUnsafe<CommandRow[]>(
    `SELECT id, vendor_id AS "vendorId", kind, shipment_box_id::text AS box, status, attempts,
            last_result_code AS code, last_result_message AS message, payload->>'invoiceNumber' AS "invoiceNumber"
     FROM outbox_commands ORDER BY id`,
  );

/** The attempt logs of the commands a list of problems names (`command <id>`), for the failure message. */
async function attemptLogsOf(problems: readonly string[]): Promise<string> {
  const ids = [...new Set(problems.flatMap((p) => [...p.matchAll(/command (\d+)/g)].map((m) => m[1]!)))];
  if (ids.length === 0) return "";
  const log = await prisma.$queryRawUnsafe<unknown[]>(
    `SELECT command_id::text AS id, attempt, outcome, result_code AS code, result_message AS message, http_status AS http
     FROM outbox_attempts WHERE command_id = ANY($1::bigint[]) ORDER BY command_id, id`,
    ids.slice(0, 10),
  );
  return JSON.stringify(log, null, 1);
}

/** Coupang's per-row result codes (§3, §4.1 table), its cancel codes (cancel.ts), and its HTTP refusals. */
const COUPANG_CODE =
  /^(NOT_FOUND_SHIPMENT_BOX|INVALID_STATUS|PERMISSION_DENIED|DUPLICATE_INVOICE_NUMBER|INVALID_INVOICE_NUMBER|ORDER_DELIVERY_CANCELED|ORDER_DELIVERY_PARTIAL_STOP_REQUESTED|ORDER_DELIVERY_CANCELED_HOLDING_FOR_CANCEL|NOT_ALLOW_INVOICE_NUMBER_RE_UPLOAD|NOT_FOUND_INVOICE_NUMBER|NOT_FOUND_VENDOR_ITEM|NOT_ALLOW_VENDOR_DIRECT|PSD_NOT_ALLOW_TO_CHANGE|NOT_ALLOW_SEPARATE_AFTER_NORMAL_DELIVERY|IS_SEPARATE_MUST_BE_TRUE_WHEN_SEPARATE_DELIVERY|NOT_ALLOW_SEPARATE_WHEN_ONE_VENDOR_ITEM|PARTIAL_CANCEL|\d{3}|HTTP_\d{3})$/;

const histogram = (values: readonly string[]): Record<string, number> => {
  const out: Record<string, number> = {};
  for (const v of values) out[v] = (out[v] ?? 0) + 1;
  return out;
};

describe("issue 6 acceptance: 10,000 outbound commands under every fault", () => {
  it("ends every command, applies nothing twice, loses nothing, and rejects with Coupang's codes", async () => {
    // ---------------------------------------------------------------- the world and the commands
    for (const vendor of VENDORS) {
      // New paid orders: the ACCEPT boxes the acknowledgements, uploads and cancels need.
      const wanted = MIX.acknowledge + MIX.uploadAccept + MIX.cancelAccept + 2 * MIX.buyerCancelled;
      for (let accept = 0; accept < wanted + 200;) {
        const order = await sim.event({ vendorId: vendor.vendorId, type: "order" });
        accept += (order.shipmentBoxIds as unknown[]).length;
      }
    }
    // Past the list lag, so the ground truth lists the new boxes.
    sim.clock.advance(11 * MINUTE);
    const planned: Planned[] = [];
    const events: Array<() => Promise<unknown>> = [];
    for (const vendor of VENDORS) {
      const mine = plan(vendor.vendorId);
      planned.push(...mine.planned);
      events.push(...mine.events);
    }
    expect(planned).toHaveLength(10_000);
    const known = [
      ...new Map(
        planned.filter((p) => p.box.items.length > 0).map((p) => [p.box.shipmentBoxId, p.box]),
      ).values(),
    ];
    await syncLocally(known);
    const enqueueStarted = performance.now();
    for (let i = 0; i < planned.length; i += 100) {
      await Promise.all(
        planned.slice(i, i + 100).map((p) => enqueueCommand(prisma, p.input, { now: sim.clock.now() })),
      );
    }
    const enqueueSeconds = (performance.now() - enqueueStarted) / 1000;
    // The buyers act after the commands were given, before any is sent.
    for (const event of events) await event();
    for (const rule of FAULTS) sim.faults.add(rule);
    const callsBefore = sim.calls().total ?? 0;
    const writesBefore = sim.writes().length;
    expect(writesBefore).toBe(0);

    // ---------------------------------------------------------------- drain until every command is final
    const started = performance.now();
    const totals = { drains: 0, rounds: 0, claimed: 0, calls: 0, pauses: 0 };
    for (;;) {
      totals.rounds++;
      // Each vendor drains until it claims nothing due; vendors run side by side as the worker's jobs do.
      await Promise.all(
        VENDORS.map(async (vendor) => {
          for (let k = 0; k < 40; k++) {
            const result: DrainOutboxResult = await drainOutbox({
              prisma,
              client: clients.get(vendor.vendorId)!,
              vendorId: vendor.vendorId,
              now: () => sim.clock.now(),
              retry: NO_BACKOFF,
              rateLimitPauseMs: 30_000,
            });
            totals.drains++;
            totals.claimed += result.claimed;
            totals.calls += result.calls;
            if (result.pausedUntil !== null) totals.pauses++;
            if (result.claimed === 0) break;
          }
        }),
      );
      const [open] = await prisma.$queryRawUnsafe<Array<{ n: number }>>(
        `SELECT count(*)::int AS n FROM outbox_commands WHERE status IN ('pending', 'in_flight', 'unknown')`,
      );
      if (open!.n === 0) break;
      if (performance.now() - started > TIME_BOX_MS) {
        const stuck = (await commandRows()).filter((c) => !FINAL.has(c.status)).slice(0, 20);
        // toJson: the rows' ids are bigints, which JSON.stringify refuses.
        throw new Error(
          `${open!.n} commands not final after ${TIME_BOX_MS} ms: ${JSON.stringify(toJson(stuck))}`,
        );
      }
      sim.clock.advance(ROUND_MS);
    }
    const drainSeconds = (performance.now() - started) / 1000;
    // Past the acknowledgement lag: Coupang now shows every acknowledgement it took.
    sim.clock.advance((ACK_LAG_MINUTES + 1) * MINUTE);

    // ---------------------------------------------------------------- judge from the write log and the database
    const rows = await commandRows();
    expect(rows.every((c) => FINAL.has(c.status))).toBe(true);
    const planByKey = new Map(planned.map((p) => [`${p.input.kind}:${p.box.shipmentBoxId}`, p]));
    const commandsByKey = new Map(rows.map((c) => [`${c.kind}:${c.box}`, c]));
    const writes = sim.writes();
    const byEndpointBox = new Map<string, number>();
    const problems: string[] = [];
    for (const write of writes) {
      expect(WRITES, write.endpoint).toContain(write.endpoint);
      const kind = KIND_OF_WRITE[write.endpoint]!;
      for (const target of write.targets.filter((t) => t.startsWith("shipmentBoxId:"))) {
        const box = target.slice("shipmentBoxId:".length);
        const key = `${write.endpoint} ${box}`;
        byEndpointBox.set(key, (byEndpointBox.get(key) ?? 0) + 1);
        const command = commandsByKey.get(`${kind}:${box}`);
        // No write without a command, and no lost command: an applied write's command succeeded.
        if (command === undefined) problems.push(`write ${write.seq} ${key} has no command`);
        else if (command.vendorId !== write.vendorId)
          problems.push(`write ${write.seq} ${key}: another vendor`);
        else if (command.status !== "succeeded")
          problems.push(`write ${write.seq} ${key} applied, command ${command.id} is ${command.status}`);
      }
    }
    // No invoice or cancel applied twice (an acknowledgement again while it is invisible is harmless, B-7).
    const doubled = [...byEndpointBox].filter(([key, n]) => n > 1 && !key.startsWith("PUT "));
    expect(doubled).toEqual([]);
    const reAcknowledged = [...byEndpointBox].filter(([key, n]) => n > 1 && key.startsWith("PUT ")).length;
    // Every succeeded command has its write in the log (an upload or update exactly once).
    for (const c of rows.filter((r) => r.status === "succeeded")) {
      const endpoint = WRITES.find((w) => KIND_OF_WRITE[w] === c.kind)!;
      const n = byEndpointBox.get(`${endpoint} ${c.box}`) ?? 0;
      if (n === 0) problems.push(`command ${c.id} ${c.kind} ${c.box} succeeded without a write`);
    }
    expect(problems, await attemptLogsOf(problems)).toEqual([]);

    // Every rejection carries Coupang's code. A dead command is explained: an acknowledgement of an
    // unknown box, which Coupang answers NOT_FOUND_SHIPMENT_BOX with retryRequired every time (§3),
    // or one whose every try met a fault (or the acknowledgement lag) until its tries were spent —
    // never applied (the write log above has no write of a dead command).
    const rejected = rows.filter((c) => c.status === "rejected");
    expect(rejected.filter((c) => !COUPANG_CODE.test(c.code ?? "") || !c.message)).toEqual([]);
    const dead = rows.filter((c) => c.status === "dead");
    const unluckyDead = new Map<string, number>();
    for (const c of dead) {
      const group = planByKey.get(`${c.kind}:${c.box}`)?.group ?? "auto-acknowledge";
      if (group === "unknown box") {
        expect(c).toMatchObject({ kind: "ACKNOWLEDGE", code: "NOT_FOUND_SHIPMENT_BOX" });
        continue;
      }
      const why = `dead ${c.id} ${c.kind} ${c.code}: ${await attemptLogsOf([`command ${c.id}`])}`;
      expect(c.attempts, why).toBeGreaterThanOrEqual(8);
      expect(c.code, why).toMatch(
        /^(UNDEFINED_ERROR_OCCUR|NOT_FOUND_SHIPMENT_BOX|INVALID_STATUS|Coupang\w+Error|ATTEMPTS_SPENT)$/,
      );
      unluckyDead.set(group, (unluckyDead.get(group) ?? 0) + 1);
    }
    expect([...unluckyDead.values()].reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(10);

    // Each group ends as it must.
    const outcome = (group: string) =>
      histogram(
        planned
          .filter((p) => p.group === group)
          .map((p) => commandsByKey.get(`${p.input.kind}:${p.box.shipmentBoxId}`)?.status ?? "missing"),
      );
    /** The statuses and codes of a group, for a failure message. */
    const codes = (group: string) =>
      JSON.stringify(
        histogram(
          planned
            .filter((p) => p.group === group)
            .map((p) => {
              const c = commandsByKey.get(`${p.input.kind}:${p.box.shipmentBoxId}`);
              return `${c?.status}:${c?.code}:${c?.message?.slice(0, 120)}`;
            }),
        ),
      );
    const n = VENDORS.length;
    /** `expected` with the group's explained dead commands moved out of `succeeded`. */
    const withDead = (group: string, succeeded: number) => {
      const d = unluckyDead.get(group) ?? 0;
      return d === 0 ? { succeeded } : { succeeded: succeeded - d, dead: d };
    };
    expect(outcome("acknowledge"), codes("acknowledge")).toEqual(
      withDead("acknowledge", n * MIX.acknowledge),
    );
    expect(outcome("upload ACCEPT"), codes("upload ACCEPT")).toEqual(
      withDead("upload ACCEPT", n * MIX.uploadAccept),
    );
    expect(outcome("update"), codes("update")).toEqual(withDead("update", n * MIX.update));
    expect(outcome("cancel"), codes("cancel")).toEqual(
      withDead("cancel", n * (MIX.cancelAccept + MIX.cancelInstruct)),
    );
    expect(outcome("buyer cancelled"), codes("buyer cancelled")).toEqual({
      cancelled: n * 2 * MIX.buyerCancelled,
    });
    expect(outcome("stop requested"), codes("stop requested")).toEqual({ cancelled: n * MIX.stopped });
    // Boxes Coupang never had: an upload reads its box first and is refused with Coupang's 400; an
    // acknowledgement is answered NOT_FOUND_SHIPMENT_BOX with retryRequired until it is dead, or,
    // once an answer was lost, read back and refused with that 400.
    const ghosts = rows.filter((c) => planByKey.get(`${c.kind}:${c.box}`)?.group === "unknown box");
    expect(histogram(ghosts.map((c) => `${c.kind} ${c.status} ${c.code}`)), codes("unknown box")).toEqual({
      [`UPLOAD_INVOICE rejected HTTP_400`]: n * MIX.unknownBox,
      ...histogram(
        ghosts.filter((c) => c.kind === "ACKNOWLEDGE").map((c) => `ACKNOWLEDGE ${c.status} ${c.code}`),
      ),
    });
    expect(
      ghosts.filter(
        (c) =>
          c.kind === "ACKNOWLEDGE" &&
          !/^(dead NOT_FOUND_SHIPMENT_BOX|rejected HTTP_400)$/.test(`${c.status} ${c.code}`),
      ),
    ).toEqual([]);
    // A reused number: whichever of the two boxes Coupang saw first keeps it, the other is refused.
    const reusedNumbers = new Set(
      planned
        .filter((p) => p.group === "reused invoice")
        .map((p) => (p.input as { invoiceNumber: string }).invoiceNumber),
    );
    const sharing = new Map<string, string[]>();
    for (const c of rows.filter((r) => r.invoiceNumber !== null && reusedNumbers.has(r.invoiceNumber)))
      sharing.set(
        c.invoiceNumber!,
        [...(sharing.get(c.invoiceNumber!) ?? []), `${c.status}:${c.code}`].sort(),
      );
    expect(sharing.size).toBe(n * MIX.reusedInvoice);
    for (const [number, outcomes] of sharing) {
      expect(
        outcomes.map((o) => o.replace(/^succeeded:.*/, "succeeded")),
        number,
      ).toEqual(["rejected:NOT_ALLOW_INVOICE_NUMBER_RE_UPLOAD", "succeeded"]);
    }
    expect(outcome("upload INSTRUCT").succeeded).toBeGreaterThanOrEqual(
      n * (MIX.uploadInstruct - MIX.reusedInvoice) - (unluckyDead.get("upload INSTRUCT") ?? 0),
    );

    // The local boxes match Coupang for every box the commands touched (those the buyers or a
    // cancel changed are the next poll's to confirm).
    const skip = new Set(["cancel", "buyer cancelled", "stop requested", "unknown box"]);
    const groupOfBox = new Map(planned.map((p) => [p.box.shipmentBoxId.toString(), p.group]));
    const touched = known.filter((b) => !skip.has(groupOfBox.get(b.shipmentBoxId.toString()) ?? ""));
    const local = new Map(
      (
        await prisma.$queryRawUnsafe<Array<{ box: string; status: string; invoice: string | null }>>(
          `SELECT shipment_box_id::text AS box, status, invoice_number AS invoice FROM shipment_boxes`,
        )
      ).map((r) => [r.box, r]),
    );
    const truth = new Map(
      VENDORS.flatMap((v) =>
        sim.groundTruth(v.vendorId).orders.map((o) => {
          const box = boxOf(v.vendorId, o);
          return [box.shipmentBoxId.toString(), box] as const;
        }),
      ),
    );
    const mismatched = touched
      .map((b) => {
        const id = b.shipmentBoxId.toString();
        const mine = local.get(id);
        const theirs = truth.get(id);
        return { id, local: [mine?.status, mine?.invoice], coupang: [theirs?.status, theirs?.invoiceNumber] };
      })
      .filter((m) => JSON.stringify(m.local) !== JSON.stringify(m.coupang));
    expect(mismatched).toEqual([]);

    // ---------------------------------------------------------------- figures
    const [attempts] = await prisma.$queryRawUnsafe<
      Array<{ total: number; readBacks: number; deferred: number; unknown: number }>
    >(
      `SELECT count(*)::int AS total,
              count(*) FILTER (WHERE outcome LIKE 'read_back%')::int AS "readBacks",
              count(*) FILTER (WHERE outcome = 'deferred')::int AS deferred,
              count(*) FILTER (WHERE outcome = 'unknown')::int AS unknown
       FROM outbox_attempts`,
    );
    const fired = histogram(
      sim.faults
        .list()
        .flatMap((r) =>
          Array<string>(r.fired).fill(
            r.kind === "status"
              ? `status ${r.status}${r.afterWrite ? " after write" : ""}`
              : r.kind === "timeoutAfterWrite"
                ? `timeoutAfterWrite ${r.mode}`
                : r.kind,
          ),
        ),
    );
    const calls = sim.calls();
    const byKind: Record<string, Record<string, number>> = {};
    for (const c of rows)
      byKind[c.kind] = { ...byKind[c.kind], [c.status]: (byKind[c.kind]?.[c.status] ?? 0) + 1 };
    const figures = {
      scenario: {
        vendors: VENDORS.length,
        commandsEnqueued: planned.length,
        mix: MIX,
        ackLagMinutes: ACK_LAG_MINUTES,
        faults: FAULTS,
      },
      commands: {
        total: rows.length,
        byKindAndStatus: byKind,
        byGroup: Object.fromEntries([...new Set(planned.map((p) => p.group))].map((g) => [g, outcome(g)])),
      },
      faultsFired: fired,
      apiCalls: { total: (calls.total ?? 0) - callsBefore, byEndpoint: calls, drainCounted: totals.calls },
      attempts: { ...attempts, sumOfCommandAttempts: rows.reduce((s, c) => s + c.attempts, 0) },
      writeLog: {
        writes: writes.length,
        undelivered: writes.filter((w) => !w.delivered).length,
        reAcknowledgedBoxes: reAcknowledged,
      },
      drains: totals,
      seconds: { enqueue: enqueueSeconds, drain: drainSeconds },
    };
    const kinds = Object.keys(byKind).sort();
    const statuses = ["succeeded", "rejected", "cancelled", "dead"];
    console.log(
      [
        `Outbound acceptance: ${rows.length} commands (${planned.length} enqueued) final in ${drainSeconds.toFixed(1)} s (${totals.rounds} rounds, ${totals.drains} drains); enqueue ${enqueueSeconds.toFixed(1)} s`,
        `${"kind".padEnd(16)}${statuses.map((s) => s.padStart(11)).join("")}`,
        ...kinds.map(
          (k) => `${k.padEnd(16)}${statuses.map((s) => String(byKind[k]?.[s] ?? 0).padStart(11)).join("")}`,
        ),
        `faults fired: ${Object.entries(fired)
          .map(([k, v]) => `${k} ${v}`)
          .join(", ")}`,
        `API calls ${figures.apiCalls.total} (writes ${WRITES.map((w) => `${w} ${calls[w] ?? 0}`).join(", ")}; reads GET ordersheets/{shipmentBoxId} ${calls["GET ordersheets/{shipmentBoxId}"] ?? 0})`,
        `attempt log ${attempts!.total} (read-backs ${attempts!.readBacks}, unknown ${attempts!.unknown}, deferred ${attempts!.deferred}); write log ${writes.length} writes, ${figures.writeLog.undelivered} answers lost, ${reAcknowledged} boxes acknowledged again during the lag`,
      ].join("\n"),
    );
    await mkdir(new URL("./results/", import.meta.url), { recursive: true });
    await writeFile(
      new URL("./results/outbound.json", import.meta.url),
      `${JSON.stringify(figures, null, 2)}\n`,
    );
  }, 600_000);
});

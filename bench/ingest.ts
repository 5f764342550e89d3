// Benchmark 1, ingest (issue 8 §1): normalize and upsert shipment boxes with their items, raw
// payloads and change events, the way the ordersheets sync writes a page; beside it, in the same
// run and on the same rows, a plain COPY (the practical limit) and the naive loop of one Prisma
// upsert per box and per item. Usage: npm run bench:ingest -- --help
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type pg from "pg";
import { from as copyFrom } from "pg-copy-streams";
import type { OrderSheetPage } from "@cos/coupang";
import {
  encodeRow,
  ensureVendorAccount,
  withTransaction,
  ORDER_ITEM_COLUMNS,
  SHIPMENT_BOX_COLUMNS,
  type ColumnSpec,
  type Prisma,
  type PrismaClient,
} from "@cos/db";
import { appendPageEvents, emptyTally, normalizeOrderSheet, orderSheetsAdapter } from "@cos/sync";
import {
  Stopwatch,
  finishMachineInfo,
  openBenchDatabase,
  perSecond,
  printTable,
  ratio,
  readSettings,
  writeResult,
} from "./support/harness.js";
import {
  BENCH_VENDOR_ID,
  generateOrderSheetPages,
  receivePage,
  type OrderSheetPages,
} from "./support/orders.js";

/** The page size of the ordersheets list, and so of the sync's transactions (coupang-api.md §2.1). */
const SYNC_PAGE = 50;

const settings = readSettings("ingest", {
  boxes: { default: 100_000, help: "shipment boxes ingested by our path and by COPY" },
  naiveBoxes: { default: 5_000, help: "boxes of the naive Prisma loop: the first of the same boxes" },
  batch: { default: 1_000, help: "boxes per transaction of our path's large-batch run (a multiple of 50)" },
  copyChunk: { default: 10_000, help: "boxes per COPY (rows are normalized before, untimed)" },
  seed: { default: 42, help: "seed of the simulated world" },
});
if (settings.batch % SYNC_PAGE !== 0)
  throw new Error(`--batch must be a multiple of ${SYNC_PAGE}, got ${settings.batch}`);
if (settings.naiveBoxes > settings.boxes) settings.naiveBoxes = settings.boxes;

/** One approach's figures. */
interface Run {
  approach: string;
  boxes: number;
  items: number;
  rows: number;
  transactions: number;
  seconds: number;
  rowsPerSecond: number;
  boxesPerSecond: number;
  /** CPU seconds of this Node process; the rest of the wall time is Postgres and the wire. */
  nodeCpuSeconds: number;
}

function runOf(approach: string, boxes: number, items: number, transactions: number, watch: Stopwatch): Run {
  return {
    approach,
    boxes,
    items,
    rows: boxes + items,
    transactions,
    seconds: Math.round(watch.seconds * 1000) / 1000,
    rowsPerSecond: perSecond(boxes + items, watch.seconds),
    boxesPerSecond: perSecond(boxes, watch.seconds),
    nodeCpuSeconds: Math.round(watch.cpuSeconds * 1000) / 1000,
  };
}

/** Consecutive groups of `size` pages, received and merged into one page (untimed). */
function* mergedPages(data: OrderSheetPages, size: number, limitBoxes = Infinity): Generator<OrderSheetPage> {
  const perGroup = size / SYNC_PAGE;
  let boxes = 0;
  for (let i = 0; i < data.pages.length && boxes < limitBoxes; i += perGroup) {
    const orders = data.pages.slice(i, i + perGroup).flatMap((p) => receivePage(p).orders);
    const taken = orders.slice(0, limitBoxes - boxes);
    boxes += taken.length;
    yield { orders: taken, rejected: [], nextToken: undefined };
  }
}

/** Our path, as the ordersheets sync writes a page: normalize, upsert, append the change events. */
async function ours(prisma: PrismaClient, data: OrderSheetPages, perTransaction: number): Promise<Run> {
  const adapter = orderSheetsAdapter({
    orderSheetPages: () => {
      throw new Error("the ingest benchmark reads no API");
    },
  });
  const watch = new Stopwatch();
  const tally = emptyTally();
  let transactions = 0;
  for (const page of mergedPages(data, perTransaction)) {
    await watch.time(() =>
      withTransaction(prisma, async (tx) => {
        const events = await adapter.writePage(tx, BENCH_VENDOR_ID, page, tally);
        await appendPageEvents(tx, events, tally);
      }),
    );
    transactions++;
  }
  if (tally.rejected > 0) throw new Error(`our path rejected ${tally.rejected} generated boxes`);
  return runOf(
    `ours, ${perTransaction} boxes a transaction`,
    tally.boxesInserted,
    tally.itemsInserted,
    transactions,
    watch,
  );
}

/** A value in COPY's text format: `\N` for null, backslash escapes for the separators. */
function copyField(value: unknown): string {
  if (value === null || value === undefined) return "\\N";
  if (typeof value === "boolean") return value ? "t" : "f";
  // encodeRow gives JSON values: text (decimal strings for bigints), numbers, booleans, null.
  return (typeof value === "string" ? value : JSON.stringify(value)).replace(
    /[\\\t\n\r]/g,
    (c) => ({ "\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r" })[c]!,
  );
}

/** COPYs `rows` into `table`, encoded as the upsert encodes them (`encodeRow`), 500 lines a chunk. */
async function copyRows<Row>(
  client: pg.Client,
  table: string,
  columns: ColumnSpec<Row>[],
  rows: readonly Row[],
): Promise<void> {
  function* lines(): Generator<string> {
    for (let i = 0; i < rows.length; i += 500) {
      let chunk = "";
      for (const [j, row] of rows.slice(i, i + 500).entries()) {
        const encoded = encodeRow(row, columns, `${table}[${i + j}]`);
        chunk += `${columns.map((c) => copyField(encoded[c.column])).join("\t")}\n`;
      }
      yield chunk;
    }
  }
  const names = columns.map((c) => `"${c.column}"`).join(", ");
  await pipeline(Readable.from(lines()), client.query(copyFrom(`COPY ${table} (${names}) FROM STDIN`)));
}

/** The practical limit: the same normalized rows COPYed into the same tables (no events, no guard). */
async function copy(client: pg.Client, data: OrderSheetPages): Promise<Run> {
  const watch = new Stopwatch();
  let boxes = 0;
  let items = 0;
  let transactions = 0;
  for (const chunk of mergedPages(data, settings.copyChunk - (settings.copyChunk % SYNC_PAGE) || SYNC_PAGE)) {
    const rows = chunk.orders.map((r) => normalizeOrderSheet(BENCH_VENDOR_ID, r));
    const lines = rows.flatMap((r) => r.items);
    await watch.time(async () => {
      await client.query("BEGIN");
      await copyRows(client, "shipment_boxes", SHIPMENT_BOX_COLUMNS, rows);
      await copyRows(client, "order_items", ORDER_ITEM_COLUMNS, lines);
      await client.query("COMMIT");
    });
    boxes += rows.length;
    items += lines.length;
    transactions++;
  }
  return runOf(`plain COPY, ${settings.copyChunk} boxes a COPY`, boxes, items, transactions, watch);
}

/**
 * The common naive approach: normalize (our normalizer, so only the writes differ), then one Prisma
 * upsert per box and per item, each its own statement outside any transaction. The raw payload goes
 * through `JSON.parse`, as such code does (which rounds 18-digit IDs inside it: one reason not to).
 */
async function naive(prisma: PrismaClient, data: OrderSheetPages): Promise<Run> {
  const watch = new Stopwatch();
  let boxes = 0;
  let items = 0;
  for (const page of mergedPages(data, SYNC_PAGE, settings.naiveBoxes)) {
    await watch.time(async () => {
      for (const record of page.orders) {
        const { items: lines, raw, ...box } = normalizeOrderSheet(BENCH_VENDOR_ID, record);
        const boxData = { ...box, raw: JSON.parse(raw) as Prisma.InputJsonValue };
        await prisma.shipmentBox.upsert({
          where: { shipmentBoxId: box.shipmentBoxId },
          create: boxData,
          update: boxData,
        });
        for (const { raw: itemRaw, ...item } of lines) {
          const itemData = { ...item, raw: JSON.parse(itemRaw) as Prisma.InputJsonValue };
          await prisma.orderItem.upsert({
            where: {
              shipmentBoxId_vendorItemId: {
                shipmentBoxId: item.shipmentBoxId,
                vendorItemId: item.vendorItemId,
              },
            },
            create: itemData,
            update: itemData,
          });
        }
        boxes++;
        items += lines.length;
      }
    });
  }
  return runOf("naive: a Prisma upsert per box and per item", boxes, items, 0, watch);
}

/** Empties what a run writes, and flushes dirty pages so the next run starts from the same state. */
async function reset(sql: pg.Client): Promise<void> {
  await sql.query("TRUNCATE shipment_boxes, order_items, change_events RESTART IDENTITY");
  await sql.query("CHECKPOINT");
}

/** Checks that a run stored what it claims: every box and item, and (ours) one event per row. */
async function verify(sql: pg.Client, run: Run, events: number): Promise<void> {
  const { rows } = await sql.query<{ boxes: number; items: number; events: number }>(
    `SELECT (SELECT count(*)::int FROM shipment_boxes) AS boxes, (SELECT count(*)::int FROM order_items) AS items,
            (SELECT count(*)::int FROM change_events) AS events`,
  );
  const got = rows[0]!;
  if (got.boxes !== run.boxes || got.items !== run.items || got.events !== events) {
    throw new Error(
      `${run.approach}: the database holds ${got.boxes} boxes, ${got.items} items, ${got.events} events; expected ${run.boxes}, ${run.items}, ${events}`,
    );
  }
}

async function main(): Promise<void> {
  const generation = new Stopwatch();
  const data = await generation.time(() =>
    generateOrderSheetPages({ boxes: settings.boxes, seed: settings.seed, pageSize: SYNC_PAGE }),
  );
  console.log(
    `generated ${data.boxes} boxes, ${data.items} items (${JSON.stringify(data.itemsPerBox)} boxes per item count), ` +
      `${Math.round(data.bytes / 2 ** 20)} MiB of JSON in ${generation.seconds.toFixed(1)} s`,
  );

  // Context for the stages: receiving (lossless parse + validation) and normalizing, CPU only.
  const receiving = new Stopwatch();
  const normalizing = new Stopwatch();
  for (const buffer of data.pages) {
    const page = await receiving.time(() => receivePage(buffer));
    await normalizing.time(() => page.orders.forEach((r) => normalizeOrderSheet(BENCH_VENDOR_ID, r)));
  }

  const bench = await openBenchDatabase("cos_bench_ingest", 2);
  const { prisma, sql } = bench;
  try {
    await ensureVendorAccount(prisma, { vendorId: BENCH_VENDOR_ID, name: "ingest benchmark" });

    const runs: Run[] = [];
    const measure = async (label: string, run: () => Promise<Run>, events: (r: Run) => number) => {
      await reset(sql);
      console.log(`running: ${label} …`);
      const result = await run();
      await verify(sql, result, events(result));
      runs.push(result);
    };
    await measure(
      "COPY",
      () => copy(sql, data),
      () => 0,
    );
    await measure(
      `ours, ${SYNC_PAGE} a transaction`,
      () => ours(prisma, data, SYNC_PAGE),
      (r) => r.rows,
    );
    await measure(
      `ours, ${settings.batch} a transaction`,
      () => ours(prisma, data, settings.batch),
      (r) => r.rows,
    );
    await measure(
      `naive, ${settings.naiveBoxes} boxes`,
      () => naive(prisma, data),
      () => 0,
    );
    const [copied, ours50, oursBatch, naiveRun] = runs as [Run, Run, Run, Run];

    const ratios = [
      {
        ratio: `ours (${SYNC_PAGE}/tx) ÷ COPY`,
        value: ratio(ours50.rowsPerSecond, copied.rowsPerSecond),
        target: 0.5,
      },
      {
        ratio: `ours (${settings.batch}/tx) ÷ COPY`,
        value: ratio(oursBatch.rowsPerSecond, copied.rowsPerSecond),
        target: 0.5,
      },
      {
        ratio: `ours (${SYNC_PAGE}/tx) ÷ naive`,
        value: ratio(ours50.rowsPerSecond, naiveRun.rowsPerSecond),
        target: 20,
      },
      {
        ratio: `ours (${settings.batch}/tx) ÷ naive`,
        value: ratio(oursBatch.rowsPerSecond, naiveRun.rowsPerSecond),
        target: 20,
      },
    ].map((r) => ({ ...r, met: r.value >= r.target }));
    const stages = [
      {
        stage: "generate (simulator world → JSON)",
        seconds: generation.seconds,
        boxesPerSecond: perSecond(data.boxes, generation.seconds),
      },
      {
        stage: "receive (lossless parse + zod validation)",
        seconds: receiving.seconds,
        boxesPerSecond: perSecond(data.boxes, receiving.seconds),
      },
      {
        stage: "normalize (normalizeOrderSheet)",
        seconds: normalizing.seconds,
        boxesPerSecond: perSecond(data.boxes, normalizing.seconds),
      },
    ].map((s) => ({ ...s, seconds: Math.round(s.seconds * 1000) / 1000 }));
    // The same stages in CPU time of this process, which other processes' load moves far less.
    const cpuStages = [
      { stage: "receive", watch: receiving },
      { stage: "normalize", watch: normalizing },
    ].map(({ stage, watch }) => ({
      stage,
      cpuSeconds: Math.round(watch.cpuSeconds * 1000) / 1000,
      boxesPerCpuSecond: perSecond(data.boxes, watch.cpuSeconds),
    }));

    printTable(
      "Ingest: rows are boxes + items; each run starts from empty tables",
      runs.map((r) => ({ ...r })),
    );
    if (naiveRun.boxes < data.boxes) {
      console.log(`(the naive loop ran on a sample: the first ${naiveRun.boxes} of the ${data.boxes} boxes)`);
    }
    printTable("Ratios of rows/s, measured in the same run", ratios);
    printTable("Context: CPU-only stages of this process, before any database work", stages);
    printTable("The same stages in CPU seconds of this process", cpuStages);

    const path = await writeResult("ingest", {
      benchmark: "ingest",
      issue: "8 §1",
      settings: { ...settings, syncPage: SYNC_PAGE },
      dataset: { boxes: data.boxes, items: data.items, itemsPerBox: data.itemsPerBox, jsonBytes: data.bytes },
      runs,
      naiveSample: naiveRun.boxes < data.boxes,
      ratios,
      stages,
      cpuStages,
      machine: finishMachineInfo(bench.machine),
    });
    console.log(`\nwrote ${path}`);
  } finally {
    await bench.close();
  }
}

await main();

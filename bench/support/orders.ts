// Ordersheets for the benchmarks, from the simulator's world generator: the same payloads the
// simulator serves (coupang-api.md §2.1), as JSON text, received the way the client receives them.
import { orderSheetSchema, parseJson, validateRecords, type OrderSheetPage } from "@cos/coupang";
import { DEFAULT_VENDOR, World, serializeCoupangJson } from "@cos/coupang-sim";

/** The simulator's default vendor: the benchmarks' rows belong to it. */
export const BENCH_VENDOR_ID = DEFAULT_VENDOR.vendorId;

/** The instant the generated world is "as of": fixed, so a seed always gives the same boxes. */
const ANCHOR = new Date("2026-06-01T00:00:00Z");

/** Boxes as Coupang's list pages would carry them. */
export interface OrderSheetPages {
  /** Each page's `data` array as UTF-8 JSON text (off the JS heap: 100,000 boxes are ~220 MB). */
  pages: Buffer[];
  boxes: number;
  items: number;
  /** Boxes per number of items, e.g. `{ "1": 72012, "2": 17021, … }`. */
  itemsPerBox: Record<string, number>;
  /** Total JSON bytes of the boxes. */
  bytes: number;
}

/**
 * Generates `boxes` shipment boxes of one vendor with the simulator's world generator (orders
 * over 30 days, statuses by age, 1–4 items a box as the simulator draws them) and cuts them into
 * pages of `pageSize`, as the list API serves them.
 * @throws Error when the world lists fewer boxes than asked for.
 */
export function generateOrderSheetPages(options: {
  boxes: number;
  seed: number;
  pageSize: number;
}): OrderSheetPages {
  const world = World.generate({
    seed: options.seed,
    orders: options.boxes,
    days: 30,
    vendors: [DEFAULT_VENDOR],
    anchor: ANCHOR,
    listLagMinutes: 0,
  });
  const out: OrderSheetPages = { pages: [], boxes: 0, items: 0, itemsPerBox: {}, bytes: 0 };
  let page: string[] = [];
  const flush = () => {
    const text = `[${page.join(",")}]`;
    out.pages.push(Buffer.from(text, "utf8"));
    out.bytes += Buffer.byteLength(text) - 2 - (page.length - 1);
    page = [];
  };
  for (const sheet of world.listedOrders(BENCH_VENDOR_ID, ANCHOR)) {
    if (out.boxes === options.boxes) break;
    page.push(serializeCoupangJson(sheet));
    out.boxes++;
    out.items += sheet.orderItems.length;
    const n = String(sheet.orderItems.length);
    out.itemsPerBox[n] = (out.itemsPerBox[n] ?? 0) + 1;
    if (page.length === options.pageSize) flush();
  }
  if (page.length > 0) flush();
  if (out.boxes < options.boxes) {
    throw new Error(
      `the simulated world lists ${out.boxes} boxes, fewer than the ${options.boxes} asked for`,
    );
  }
  return out;
}

/**
 * One page as `CoupangClient.orderSheetPages` yields it: lossless parse, then per-record
 * validation against the ordersheet schema (IDs as bigint, KST times as instants).
 * @throws Error when a generated record fails validation: the generator and the schema disagree.
 */
export function receivePage(page: Buffer): OrderSheetPage {
  const { valid, rejected } = validateRecords(
    orderSheetSchema,
    parseJson(page.toString("utf8")) as unknown[],
  );
  if (rejected.length > 0) throw new Error(`a generated ordersheet fails validation: ${rejected[0]!.error}`);
  return { orders: valid, rejected, nextToken: undefined };
}

import { resolveActivity, type Activity, type ActivityOption } from "./activity.js";
import { VendorBook, type WorldLink } from "./book.js";
import { Refused } from "./errors.js";
import { EventQueue, type SimEvent } from "./events.js";
import { MEAN_HOUR_WEIGHT, HOUR_WEIGHTS, acceptHour, generateSkeleton } from "./generate.js";
import {
  buyerCancel,
  cancelExchange,
  carrierScan,
  changeAddress,
  collectExchange,
  pickUpReturn,
  requestCoupangCheck,
  requestExchange,
  requestReturn,
  requestStopShipment,
  resolveCoupangCheck,
  withdrawReceipt,
} from "./lifecycle.js";
import { listOrdersheets, type ListPage, type ListQuery } from "./queries.js";
import { InvoiceRegistry, makeAckVisible } from "./seller.js";
import { CANCELLED, EXCHANGE_BOX, RETURNED } from "./store.js";
import {
  ORDER_STATUSES,
  type ExchangeRequest,
  type GroundTruth,
  type OrderSheet,
  type OrderStatus,
  type ReturnRequest,
  type ReturnWithdrawal,
  type SimVendor,
} from "./types.js";

/** The vendor the simulator serves when none is configured. */
export const DEFAULT_VENDOR: Readonly<SimVendor> = Object.freeze({
  vendorId: "A00012345",
  accessKey: "sim-access-key",
  secretKey: "sim-secret-key",
});

/** Most vendors one world holds; each vendor owns fixed ID ranges (see `generateSkeleton`, `buildCatalog`). */
const MAX_VENDORS = 1000;

/**
 * `count` vendors derived from their number n = 1…count, for worlds of many sellers (the CLI's
 * `--vendors`, the scale-out benchmark): vendorId `A` + n in 8 digits (`A00000001`), access key
 * `sim-access-key-<n>`, secret key `sim-secret-key-<n>`. Same count → the same accounts.
 * @throws RangeError for a count that is not an integer from 1 to {@link MAX_VENDORS}.
 */
export function derivedVendors(count: number): SimVendor[] {
  if (!Number.isInteger(count) || count < 1 || count > MAX_VENDORS) {
    throw new RangeError(`Between 1 and ${MAX_VENDORS} vendors are supported, got ${count}`);
  }
  return Array.from({ length: count }, (_, i) => ({
    vendorId: `A${String(i + 1).padStart(8, "0")}`,
    accessKey: `sim-access-key-${i + 1}`,
    secretKey: `sim-secret-key-${i + 1}`,
  }));
}

/** Defaults shared by the library and the CLI. */
export const WORLD_DEFAULTS = Object.freeze({ seed: 42, orders: 1000, days: 14, listLagMinutes: 10 });

const MINUTE = 60_000;

/** Everything a world is generated from. Same options → the same world, event for event. */
export interface WorldOptions {
  /** Integer seed of every random draw. */
  seed: number;
  /** Shipment boxes per vendor (≥ 0). */
  orders: number;
  /** `orderedAt` spans this many days (> 0) before `anchor`. */
  days: number;
  /** 1–1,000 vendors ({@link MAX_VENDORS}) with distinct vendorIds and access keys. */
  vendors: readonly SimVendor[];
  /** The instant the world is generated as of: ages and statuses are measured from it. */
  anchor: Date;
  /** Minutes after `paidAt` before a box shows in the list (coupang-api.md §0.6), ≥ 0. */
  listLagMinutes: number;
  /** What happens on its own after the anchor (see `Activity`). Default `"none"`: a frozen world. */
  activity?: ActivityOption;
  /** Minutes an accepted acknowledgement stays invisible, the box still reading ACCEPT (B-7). Default 0. */
  ackVisibilityLagMinutes?: number;
  /** Minutes from an exchange's receive confirmation until its new box is served (B-17, ≤ ~10). Default 0. */
  exchangeBoxLagMinutes?: number;
}

const emptyCounts = (): Record<OrderStatus, number> =>
  Object.fromEntries(ORDER_STATUSES.map((s) => [s, 0])) as Record<OrderStatus, number>;

/** The counts of a {@link GroundTruth}, computed without building any box. */
export type GroundTruthCounts = Omit<
  GroundTruth,
  "orders" | "delisted" | "returnRequests" | "returnWithdrawals" | "exchanges"
> & {
  delisted: number;
  returnRequests: number;
  returnWithdrawals: number;
  exchanges: number;
};

/**
 * The simulated Coupang: every vendor's book, the event queue that moves the world through
 * simulated time, and the invoice registry shared by all vendors. It knows nothing about
 * HTTP. Reads take the instant to read at and first process every event due by then, so
 * the state at an instant is the same however often or late it is read. Instants are epoch
 * ms / `Date` (UTC); KST appears only inside payloads.
 */
export class World {
  /** The options the world was generated from (vendors copied), with defaults filled in. */
  readonly options: Readonly<Required<WorldOptions>>;
  /** The resolved activity (see `ActivityOption`). */
  readonly activity: Readonly<Activity>;
  /** Invoice numbers uploaded through the API, for the 6-month reuse rule (§4.1). */
  readonly invoices = new InvoiceRegistry();
  private readonly books: VendorBook[] = [];
  private readonly byVendorId = new Map<string, VendorBook>();
  private readonly byAccessKey: Map<string, SimVendor>;
  private readonly queue = new EventQueue();

  private constructor(options: WorldOptions) {
    const vendors = options.vendors.map((v) => ({ ...v }));
    this.options = Object.freeze({
      activity: "none",
      ackVisibilityLagMinutes: 0,
      exchangeBoxLagMinutes: 0,
      ...options,
      vendors,
    });
    this.activity = Object.freeze(
      resolveActivity(this.options.activity, options.orders / Math.max(options.days * 24, 1)),
    );
    this.byAccessKey = new Map(vendors.map((v) => [v.accessKey, v]));
  }

  /**
   * Generates a world. Throws a `RangeError` for a non-integer seed, negative or fractional
   * `orders`, non-positive `days`, a negative lag, an invalid `anchor`, no vendors, more than
   * 1,000, duplicate vendorIds/access keys, or an invalid activity.
   */
  static generate(options: WorldOptions): World {
    validate(options);
    const world = new World(options);
    const link: WorldLink = {
      seed: options.seed,
      anchorMs: options.anchor.getTime(),
      activity: world.activity,
      ackVisibilityLagMs: world.options.ackVisibilityLagMinutes * MINUTE,
      exchangeBoxLagMs: world.options.exchangeBoxLagMinutes * MINUTE,
      schedule: (event) => world.queue.push(event),
    };
    world.options.vendors.forEach((vendor, index) => {
      const skeleton = generateSkeleton({
        vendorId: vendor.vendorId,
        vendorIndex: index,
        seed: options.seed,
        boxes: options.orders,
        days: options.days,
        anchorMs: link.anchorMs,
      });
      const book = new VendorBook(vendor, index, link, skeleton);
      world.books.push(book);
      world.byVendorId.set(vendor.vendorId, book);
      world.scheduleArrival(book, link.anchorMs);
    });
    return world;
  }

  /** The configured vendors, in order. */
  get vendors(): readonly SimVendor[] {
    return this.options.vendors;
  }

  /** The vendor owning `accessKey`, or `undefined`. */
  vendorByAccessKey(accessKey: string): SimVendor | undefined {
    return this.byAccessKey.get(accessKey);
  }

  /** A vendor's book (as of the last advance), or `undefined` for an unknown vendorId. */
  book(vendorId: string): VendorBook | undefined {
    return this.byVendorId.get(vendorId);
  }

  /** A vendor's book advanced to `now`. Throws a `RangeError` for an unknown vendor. */
  bookAt(vendorId: string, now: Date): VendorBook {
    this.advanceTo(now.getTime());
    const book = this.byVendorId.get(vendorId);
    if (book === undefined) throw new RangeError(`Unknown vendorId ${vendorId}`);
    return book;
  }

  /** Number of events scheduled and not yet due. */
  get pendingEvents(): number {
    return this.queue.size;
  }

  /**
   * Applies every event due at or before `nowMs`, in time order, and returns how many were
   * applied. Never moves backwards: an earlier `nowMs` does nothing.
   */
  advanceTo(nowMs: number): number {
    let applied = 0;
    for (let event = this.queue.popDue(nowMs); event !== undefined; event = this.queue.popDue(nowMs)) {
      this.apply(event);
      applied++;
    }
    return applied;
  }

  /** The latest `paidAt` (epoch ms) the list shows at `now`: `now − listLag` (§0.6). */
  visibleUntil(now: Date): number {
    return now.getTime() - this.options.listLagMinutes * MINUTE;
  }

  /**
   * One page of the `ordersheets` list as Coupang would answer it at `now` (§2.1). Throws a
   * `RangeError` for an unknown vendor.
   */
  listOrdersheets(vendorId: string, query: ListQuery, now: Date): ListPage {
    return listOrdersheets(
      this.bookAt(vendorId, now),
      query,
      now.getTime(),
      this.options.listLagMinutes * MINUTE,
    );
  }

  /** Every box the list shows at `now`, ascending by shipmentBoxId, built one at a time. */
  *listedOrders(vendorId: string, now: Date): Generator<OrderSheet> {
    const book = this.bookAt(vendorId, now);
    const visibleUntil = this.visibleUntil(now);
    for (let i = 0; i < book.store.length; i++)
      if (book.listed(i, visibleUntil)) yield book.render(i, now.getTime());
  }

  /** Every box the list dropped (fully cancelled or returned) and paid by `now`, as the single lookup serves it. */
  *delistedOrders(vendorId: string, now: Date): Generator<OrderSheet> {
    const book = this.bookAt(vendorId, now);
    const nowMs = now.getTime();
    for (let i = 0; i < book.store.length; i++) {
      if (
        book.has(i, CANCELLED | RETURNED) &&
        !book.has(i, EXCHANGE_BOX) &&
        (book.store.paidAtMs[i] ?? Infinity) <= nowMs
      ) {
        yield book.render(i, nowMs);
      }
    }
  }

  /**
   * The counts of {@link groundTruth} at `now`, cheap at any world size (no box is built).
   * Throws a `RangeError` for an unknown vendor.
   */
  groundTruthCounts(vendorId: string, now: Date): GroundTruthCounts {
    const book = this.bookAt(vendorId, now);
    const visibleUntil = this.visibleUntil(now);
    const boxesByStatus = emptyCounts();
    const itemsByStatus = emptyCounts();
    let boxes = 0;
    let items = 0;
    let delisted = 0;
    for (let i = 0; i < book.store.length; i++) {
      if (book.listed(i, visibleUntil)) {
        const status = book.status(i);
        const lines = book.lineCount(i);
        boxes++;
        items += lines;
        boxesByStatus[status]++;
        itemsByStatus[status] += lines;
      } else if (book.has(i, CANCELLED | RETURNED) && !book.has(i, EXCHANGE_BOX)) {
        delisted++;
      }
    }
    return {
      vendorId,
      boxes,
      items,
      boxesByStatus,
      itemsByStatus,
      delisted,
      returnRequests: book.receipts.filter((r) => Number.isNaN(r.withdrawnAtMs)).length,
      returnWithdrawals: book.withdrawals.length,
      exchanges: book.exchanges.length,
    };
  }

  /**
   * The entity lists of {@link groundTruth}: boxes as lazy sequences (built one at a time as
   * they are read), claims as arrays. Throws a `RangeError` for an unknown vendor.
   */
  groundTruthLists(
    vendorId: string,
    now: Date,
  ): {
    orders: Iterable<OrderSheet>;
    delisted: Iterable<OrderSheet>;
    returnRequests: ReturnRequest[];
    returnWithdrawals: ReturnWithdrawal[];
    exchanges: ExchangeRequest[];
  } {
    const book = this.bookAt(vendorId, now);
    return {
      orders: this.listedOrders(vendorId, now),
      delisted: this.delistedOrders(vendorId, now),
      returnRequests: book.receipts
        .filter((r) => Number.isNaN(r.withdrawnAtMs))
        .map((r) => book.renderReceipt(r)),
      returnWithdrawals: book.withdrawals.map((r) => book.renderWithdrawal(r)),
      exchanges: book.exchanges.map((x) => book.renderExchange(x, now.getTime())),
    };
  }

  /**
   * What a complete sync of `vendorId` must end up with at `now` (see {@link GroundTruth}).
   * Builds every listed box: for large worlds prefer {@link groundTruthCounts} and
   * {@link groundTruthLists}. Throws a `RangeError` for an unknown vendor.
   */
  groundTruth(vendorId: string, now: Date): GroundTruth {
    const { boxes, items, boxesByStatus, itemsByStatus } = this.groundTruthCounts(vendorId, now);
    const lists = this.groundTruthLists(vendorId, now);
    return {
      vendorId,
      boxes,
      items,
      boxesByStatus,
      itemsByStatus,
      ...lists,
      orders: [...lists.orders],
      delisted: [...lists.delisted],
    };
  }

  /** Schedules `book`'s next order arrival after `fromMs` (when orders arrive at all). */
  private scheduleArrival(book: VendorBook, fromMs: number): void {
    const perHour = this.activity.newOrdersPerHour;
    if (perHour <= 0) return;
    // Thinning: candidates at the peak hour's rate, kept in proportion to the hour's weight.
    const peakPerMs = (perHour * Math.max(...HOUR_WEIGHTS)) / MEAN_HOUR_WEIGHT / 3_600_000;
    const rng = book.rng("arrival-gap", book.arrivals);
    let t = fromMs;
    do t += Math.max(1000, Math.round(-Math.log(1 - rng.next()) / peakPerMs / 1000) * 1000);
    while (!acceptHour(rng, t));
    this.queue.push({ atMs: t, vendor: book.index, kind: "arrival", target: 0, epoch: 0 });
  }

  /** Applies one due event; an event whose target changed since it was scheduled is skipped. */
  private apply(event: SimEvent): void {
    const book = this.books[event.vendor];
    if (book === undefined) return;
    const at = event.atMs;
    try {
      if (event.kind === "arrival") {
        book.placeOrder(at);
        this.scheduleArrival(book, at);
        return;
      }
      if (typeof event.target === "number") {
        const i = event.target;
        if (book.store.epoch[i] !== event.epoch) return;
        switch (event.kind) {
          case "ackVisible":
            if (book.overlay(i).ackPending === true && book.status(i) === "ACCEPT")
              makeAckVisible(book, i, at);
            return;
          case "carrier":
            carrierScan(book, i, at);
            return;
          case "buyerCancel":
            buyerCancel(book, i, at);
            return;
          case "addressChange":
            changeAddress(book, i, at);
            return;
          case "stopRequest":
            requestStopShipment(book, i, at);
            return;
          case "returnRequest":
            requestReturn(book, i, at);
            return;
          case "exchangeRequest":
            requestExchange(book, i, at);
            return;
          default:
            return;
        }
      }
      const r = book.receiptById.get(event.target);
      if (r !== undefined && r.epoch === event.epoch) {
        if (event.kind === "returnWithdraw") withdrawReceipt(book, r, at);
        else if (event.kind === "returnPickup") pickUpReturn(book, r, at);
        else if (event.kind === "returnCheck") requestCoupangCheck(book, r, at);
        else if (event.kind === "returnResolve") resolveCoupangCheck(book, r, at);
        return;
      }
      const x = book.exchangeById.get(event.target);
      if (x !== undefined && x.epoch === event.epoch) {
        if (event.kind === "exchangeCancel") cancelExchange(x, at);
        else if (event.kind === "exchangeCollect") collectExchange(book, x, at);
      }
    } catch (error) {
      // A buyer cannot withdraw a return already picked up, and so on: such events just do not happen.
      if (!(error instanceof Refused)) throw error;
    }
  }
}

function validate(o: WorldOptions): void {
  if (!Number.isSafeInteger(o.seed)) throw new RangeError(`seed must be an integer, got ${o.seed}`);
  if (!Number.isSafeInteger(o.orders) || o.orders < 0) {
    throw new RangeError(`orders must be a non-negative integer, got ${o.orders}`);
  }
  if (!Number.isFinite(o.days) || o.days <= 0) throw new RangeError(`days must be > 0, got ${o.days}`);
  for (const [name, value] of [
    ["listLagMinutes", o.listLagMinutes],
    ["ackVisibilityLagMinutes", o.ackVisibilityLagMinutes ?? 0],
    ["exchangeBoxLagMinutes", o.exchangeBoxLagMinutes ?? 0],
  ] as const) {
    if (!Number.isFinite(value) || value < 0) throw new RangeError(`${name} must be ≥ 0, got ${value}`);
  }
  if (Number.isNaN(o.anchor.getTime())) throw new RangeError("anchor is an invalid Date");
  if (o.vendors.length === 0 || o.vendors.length > MAX_VENDORS) {
    throw new RangeError(`Between 1 and ${MAX_VENDORS} vendors are supported, got ${o.vendors.length}`);
  }
  const ids = new Set<string>();
  const keys = new Set<string>();
  for (const v of o.vendors) {
    if (v.vendorId === "" || v.accessKey === "" || v.secretKey === "") {
      throw new RangeError("vendorId, accessKey and secretKey must not be blank");
    }
    if (ids.has(v.vendorId)) throw new RangeError(`Duplicate vendorId ${v.vendorId}`);
    if (keys.has(v.accessKey)) throw new RangeError(`Duplicate accessKey for vendor ${v.vendorId}`);
    ids.add(v.vendorId);
    keys.add(v.accessKey);
  }
}

import { VendorBook, type ListPage, type ListQuery } from "./book.js";
import { generateVendorOrders } from "./generate.js";
import { ORDER_STATUSES, type GroundTruth, type OrderStatus, type SimVendor } from "./types.js";

/** The vendor the simulator serves when none is configured. */
export const DEFAULT_VENDOR: Readonly<SimVendor> = Object.freeze({
  vendorId: "A00012345",
  accessKey: "sim-access-key",
  secretKey: "sim-secret-key",
});

/** Defaults shared by the library and the CLI. */
export const WORLD_DEFAULTS = Object.freeze({ seed: 42, orders: 1000, days: 14, listLagMinutes: 10 });

/** Most vendors one world holds; each vendor owns fixed ID ranges (see `generateVendorOrders`). */
const MAX_VENDORS = 100;

/** Everything a world is generated from. Same options → byte-identical orders. */
export interface WorldOptions {
  /** Integer seed of every random draw. */
  seed: number;
  /** Shipment boxes per vendor (≥ 0). */
  orders: number;
  /** `orderedAt` spans this many days (> 0) before `anchor`. */
  days: number;
  /** 1–100 vendors with distinct vendorIds and access keys. */
  vendors: readonly SimVendor[];
  /** The instant the world is generated as of: ages and statuses are measured from it. */
  anchor: Date;
  /** Minutes after `paidAt` before a box shows in the list (coupang-api.md §0.6), ≥ 0. */
  listLagMinutes: number;
}

const emptyCounts = (): Record<OrderStatus, number> =>
  Object.fromEntries(ORDER_STATUSES.map((s) => [s, 0])) as Record<OrderStatus, number>;

/**
 * The simulated Coupang: every vendor's boxes and the rules of what the API shows when. It
 * knows nothing about HTTP, so later slices (an evolving world, other endpoints) grow here
 * while routes stay thin. All instants are epoch ms / `Date` (UTC); KST appears only inside
 * the order payloads.
 */
export class World {
  /** The options the world was generated from (vendors copied). */
  readonly options: Readonly<WorldOptions>;
  private readonly books: Map<string, VendorBook>;
  private readonly byAccessKey: Map<string, SimVendor>;

  private constructor(options: WorldOptions, books: Map<string, VendorBook>) {
    this.options = Object.freeze({ ...options, vendors: options.vendors.map((v) => ({ ...v })) });
    this.books = books;
    this.byAccessKey = new Map(this.options.vendors.map((v) => [v.accessKey, v]));
  }

  /**
   * Generates a world. Throws a `RangeError` for a non-integer seed, negative or fractional
   * `orders`, non-positive `days`, negative `listLagMinutes`, an invalid `anchor`, no vendors,
   * more than 100, or duplicate vendorIds/access keys.
   */
  static generate(options: WorldOptions): World {
    validate(options);
    const books = new Map<string, VendorBook>();
    options.vendors.forEach((vendor, vendorIndex) => {
      const boxes = generateVendorOrders({
        vendorId: vendor.vendorId,
        vendorIndex,
        seed: options.seed,
        boxes: options.orders,
        days: options.days,
        anchorMs: options.anchor.getTime(),
      });
      books.set(vendor.vendorId, new VendorBook({ ...vendor }, boxes));
    });
    return new World(options, books);
  }

  /** The configured vendors, in order. */
  get vendors(): readonly SimVendor[] {
    return this.options.vendors;
  }

  /** The vendor owning `accessKey`, or `undefined`. */
  vendorByAccessKey(accessKey: string): SimVendor | undefined {
    return this.byAccessKey.get(accessKey);
  }

  /** A vendor's book, or `undefined` for an unknown vendorId. */
  book(vendorId: string): VendorBook | undefined {
    return this.books.get(vendorId);
  }

  /** The latest `paidAt` (epoch ms) the list shows at `now`: `now − listLag` (§0.6). */
  visibleUntil(now: Date): number {
    return now.getTime() - this.options.listLagMinutes * 60_000;
  }

  /**
   * One page of the `ordersheets` list as Coupang would answer it at `now` (§2.1, daily
   * mode). Throws a `RangeError` for an unknown vendor.
   */
  listOrdersheets(vendorId: string, query: ListQuery, now: Date): ListPage {
    return this.requireBook(vendorId).listPage(query, this.visibleUntil(now));
  }

  /**
   * What the list can show for `vendorId` at `now`: every box paid at least the list lag
   * before `now`, any status, any order date, with counts. Boxes still inside the lag are
   * excluded because no client could have seen them yet. Throws a `RangeError` for an
   * unknown vendor.
   */
  groundTruth(vendorId: string, now: Date): GroundTruth {
    const orders = this.requireBook(vendorId).visible(this.visibleUntil(now));
    const boxesByStatus = emptyCounts();
    const itemsByStatus = emptyCounts();
    let items = 0;
    for (const order of orders) {
      boxesByStatus[order.status] += 1;
      itemsByStatus[order.status] += order.orderItems.length;
      items += order.orderItems.length;
    }
    return { vendorId, boxes: orders.length, items, boxesByStatus, itemsByStatus, orders };
  }

  private requireBook(vendorId: string): VendorBook {
    const book = this.books.get(vendorId);
    if (book === undefined) throw new RangeError(`Unknown vendorId ${vendorId}`);
    return book;
  }
}

function validate(o: WorldOptions): void {
  if (!Number.isSafeInteger(o.seed)) throw new RangeError(`seed must be an integer, got ${o.seed}`);
  if (!Number.isSafeInteger(o.orders) || o.orders < 0) {
    throw new RangeError(`orders must be a non-negative integer, got ${o.orders}`);
  }
  if (!Number.isFinite(o.days) || o.days <= 0) throw new RangeError(`days must be > 0, got ${o.days}`);
  if (!Number.isFinite(o.listLagMinutes) || o.listLagMinutes < 0) {
    throw new RangeError(`listLagMinutes must be ≥ 0, got ${o.listLagMinutes}`);
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

import type { Receiver } from "./types.js";

/**
 * Compact storage of a vendor's shipment boxes: one typed-array column per fact, indexed by
 * the box's position (its creation order, which is also `shipmentBoxId` order), plus a sparse
 * map of {@link BoxOverlay}s for the few boxes something happened to after generation. About
 * 90 bytes per box, so a million boxes take ~90 MB where a million JSON objects took 2.2 GB;
 * everything else of a box is rebuilt from the seed when a response needs it.
 */

/** Box flag: placed while the world ran (its fate is "ACCEPT at payment", not aged at the anchor). */
export const ARRIVAL = 1;
/** Box flag: split off another box or an exchange replacement; its lines are in its overlay. */
export const DERIVED = 2;
/** Box flag: an exchange's replacement box, served only by the single lookup and the exchange. */
export const EXCHANGE_BOX = 4;
/** Box flag: every item cancelled; the list no longer shows it. */
export const CANCELLED = 8;
/** Box flag: every item returned; the list no longer shows it (§10 known quirks). */
export const RETURNED = 16;
/** Flags that keep a box out of the `ordersheets` list. */
export const DELISTED = EXCHANGE_BOX | CANCELLED | RETURNED;

/** A box's order line by option and count (a split or replacement box holds a subset). */
export interface Line {
  vendorItemId: bigint;
  count: number;
}

/** One status change after generation, epoch ms. */
export interface HistoryEntry {
  status: number;
  atMs: number;
}

/** What changed on a box after it was generated; absent fields mean "as generated". */
export interface BoxOverlay {
  /** A new recipient after an address change while ACCEPT (§0.6). */
  receiver?: Receiver;
  remotePrice?: number | null;
  /** The invoice uploaded through the API (§4), overriding the generated one. */
  invoice?: { code: string; deliveryCompanyName: string; invoiceNumber: string };
  /** The box's lines when not all of its content's (split shipments, replacement boxes). */
  lines?: Line[];
  /** Cancelled quantity per vendorItemId (`cancelCount`). */
  cancelled?: Map<bigint, number>;
  /** Quantity held by a pending stop-shipment request per vendorItemId (`holdCountForCancel`). */
  held?: Map<bigint, number>;
  /** `yyyy-MM-dd` the remaining items of a split box ship on (§4.1 split shipping). */
  plannedShippingDate?: string;
  splitShipping?: boolean;
  /** Status changes after generation (a derived box: its whole history). */
  history?: HistoryEntry[];
  /** An acknowledgement was accepted and waits out the visibility lag (B-7). */
  ackPending?: boolean;
  /** The receiptId of a pending buyer stop-shipment request (RU). */
  pendingStop?: bigint;
  /** A replacement box exists for the exchange API only from this instant (B-17). */
  visibleAtMs?: number;
  /** The exchange a replacement box belongs to. */
  exchangeId?: bigint;
}

type Column = Float64Array | Int32Array | Uint8Array | Uint32Array | BigUint64Array;

/** `column` copied into a larger array of the same kind. */
function grown<T extends Column>(column: T, capacity: number): T {
  const next = new (column.constructor as new (n: number) => T)(capacity);
  next.set(column as never);
  return next;
}

/** Initial contents of a new box; see the columns of {@link BoxStore}. */
export interface NewBox {
  shipmentBoxId: bigint;
  orderId: number;
  orderIndex: number;
  /** The box whose generated content this box shows (itself for a generated or placed box). */
  root: number;
  orderedAtMs: number;
  paidAtMs: number;
  status: number;
  flags: number;
  itemCount: number;
}

/**
 * The columns. Instants are epoch ms (`NaN` = not reached); `status` indexes
 * `ORDER_STATUSES`; `epoch` counts the box's state changes so a scheduled event can tell it
 * is stale. Boxes are only appended, always with a larger `shipmentBoxId`.
 */
export class BoxStore {
  length = 0;
  shipmentBoxId = new BigUint64Array(0);
  orderId = new Float64Array(0);
  orderIndex = new Int32Array(0);
  root = new Int32Array(0);
  orderedAtMs = new Float64Array(0);
  paidAtMs = new Float64Array(0);
  status = new Uint8Array(0);
  flags = new Uint8Array(0);
  epoch = new Uint32Array(0);
  itemCount = new Uint8Array(0);
  instructAtMs = new Float64Array(0);
  invoiceAtMs = new Float64Array(0);
  transitAtMs = new Float64Array(0);
  deliveredAtMs = new Float64Array(0);
  confirmAtMs = new Float64Array(0);
  readonly overlays = new Map<number, BoxOverlay>();
  /**
   * Positions of generated and placed boxes: ascending by `orderedAt` as well as by ID, so a
   * window is two binary searches. Derived boxes (split, replacement) keep their order's old
   * `orderedAt` under a new ID and are listed in {@link derived} instead.
   */
  primary = new Int32Array(0);
  primaryLength = 0;
  readonly derived: number[] = [];

  /** Makes room for `extra` more boxes without reallocating on each append. */
  reserve(extra: number): void {
    const needed = this.length + extra;
    if (needed <= this.status.length) return;
    const capacity = Math.max(needed, Math.ceil(this.status.length * 1.5), 16);
    this.shipmentBoxId = grown(this.shipmentBoxId, capacity);
    this.orderId = grown(this.orderId, capacity);
    this.orderIndex = grown(this.orderIndex, capacity);
    this.root = grown(this.root, capacity);
    this.orderedAtMs = grown(this.orderedAtMs, capacity);
    this.paidAtMs = grown(this.paidAtMs, capacity);
    this.status = grown(this.status, capacity);
    this.flags = grown(this.flags, capacity);
    this.epoch = grown(this.epoch, capacity);
    this.itemCount = grown(this.itemCount, capacity);
    for (const name of [
      "instructAtMs",
      "invoiceAtMs",
      "transitAtMs",
      "deliveredAtMs",
      "confirmAtMs",
    ] as const) {
      const column = grown(this[name], capacity);
      column.fill(NaN, this.length);
      this[name] = column;
    }
    this.primary = grown(this.primary, capacity);
  }

  /** Appends a box and returns its position. Its shipmentBoxId must exceed every earlier one. */
  append(box: NewBox): number {
    this.reserve(1);
    const i = this.length++;
    this.shipmentBoxId[i] = box.shipmentBoxId;
    this.orderId[i] = box.orderId;
    this.orderIndex[i] = box.orderIndex;
    this.root[i] = box.root;
    this.orderedAtMs[i] = box.orderedAtMs;
    this.paidAtMs[i] = box.paidAtMs;
    this.status[i] = box.status;
    this.flags[i] = box.flags;
    this.itemCount[i] = box.itemCount;
    if ((box.flags & DERIVED) !== 0) this.derived.push(i);
    else this.primary[this.primaryLength++] = i;
    return i;
  }

  /** The position of `shipmentBoxId`, or -1. */
  find(shipmentBoxId: bigint): number {
    let lo = 0;
    let hi = this.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.shipmentBoxId[mid] ?? 0n) < shipmentBoxId) lo = mid + 1;
      else hi = mid;
    }
    return lo < this.length && this.shipmentBoxId[lo] === shipmentBoxId ? lo : -1;
  }

  /** The overlay of box `i`, created on first use. */
  overlay(i: number): BoxOverlay {
    let o = this.overlays.get(i);
    if (o === undefined) {
      o = {};
      this.overlays.set(i, o);
    }
    return o;
  }

  /** The highest shipmentBoxId handed out so far (0 when empty). */
  lastShipmentBoxId(): bigint {
    return this.length === 0 ? 0n : (this.shipmentBoxId[this.length - 1] ?? 0n);
  }

  /**
   * Box positions whose `orderedAt` lies in [fromMs, toMs) and whose ID exceeds `after`,
   * ascending by ID (= position): the primary range merged with the derived boxes that fall
   * in the window.
   */
  *window(fromMs: number, toMs: number, after?: bigint): Generator<number> {
    const at = (k: number): number => this.primary[k] ?? 0;
    const lowerBound = (lo: number, hi: number, pred: (k: number) => boolean): number => {
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (pred(mid)) hi = mid;
        else lo = mid + 1;
      }
      return lo;
    };
    const end = lowerBound(0, this.primaryLength, (k) => (this.orderedAtMs[at(k)] ?? 0) >= toMs);
    let k = lowerBound(0, end, (k) => (this.orderedAtMs[at(k)] ?? 0) >= fromMs);
    if (after !== undefined) k = lowerBound(k, end, (k) => (this.shipmentBoxId[at(k)] ?? 0n) > after);
    const extra = this.derived.filter((i) => {
      const t = this.orderedAtMs[i] ?? NaN;
      return t >= fromMs && t < toMs && (after === undefined || (this.shipmentBoxId[i] ?? 0n) > after);
    });
    let e = 0;
    while (k < end || e < extra.length) {
      const p = k < end ? at(k) : Infinity;
      const d = extra[e] ?? Infinity;
      if (p < d) {
        yield p;
        k++;
      } else {
        yield d;
        e++;
      }
    }
  }
}

import type { GeneratedBoxes } from "./generate.js";
import { ORDER_STATUSES, type OrderSheet, type OrderStatus, type SimVendor } from "./types.js";

/** One page request against a vendor's boxes, already validated (coupang-api.md §2.1 daily mode). */
export interface ListQuery {
  status: OrderStatus;
  /** Inclusive start of the `orderedAt` window, epoch ms (00:00 KST of `createdAtFrom`). */
  fromMs: number;
  /** Exclusive end of the `orderedAt` window, epoch ms (00:00 KST of the day after `createdAtTo`). */
  toMs: number;
  /** Page size, 1–50. */
  maxPerPage: number;
  /** Resume after this `shipmentBoxId` (the previous page's `nextToken`); omitted on the first page. */
  after?: bigint;
}

/** One page: boxes ascending by `shipmentBoxId`, and the last one's ID when more remain. */
export interface ListPage {
  orders: OrderSheet[];
  /** `shipmentBoxId` of the page's last box when another page follows, else `undefined`. */
  next: bigint | undefined;
}

/** First index in [lo, hi) for which `pred` holds, assuming `pred` is monotone (false…true). */
function lowerBound(lo: number, hi: number, pred: (i: number) => boolean): number {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (pred(mid)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/**
 * A vendor's boxes with the indexes that make a list page cheap at a million boxes: the boxes
 * in `shipmentBoxId` order (which is also `orderedAt` order), their instants in typed arrays,
 * and per status the positions of its boxes. A page is two binary searches plus a scan of at
 * most the page size and the few boxes hidden by the list lag.
 */
export class VendorBook {
  private readonly orders: OrderSheet[];
  private readonly orderedAtMs: Float64Array;
  private readonly paidAtMs: Float64Array;
  private readonly byStatus: Map<OrderStatus, Int32Array>;

  /**
   * @param vendor the credentials this book answers for.
   * @param boxes the vendor's boxes, ascending by `shipmentBoxId` and non-descending by `orderedAt`.
   */
  constructor(
    readonly vendor: SimVendor,
    boxes: GeneratedBoxes,
  ) {
    this.orders = boxes.orders;
    this.orderedAtMs = boxes.orderedAtMs;
    this.paidAtMs = boxes.paidAtMs;
    const positions = new Map<OrderStatus, number[]>(ORDER_STATUSES.map((s) => [s, []]));
    this.orders.forEach((order, i) => positions.get(order.status)?.push(i));
    this.byStatus = new Map(ORDER_STATUSES.map((s) => [s, Int32Array.from(positions.get(s) ?? [])]));
  }

  /** True when `shipmentBoxId` is one of this vendor's boxes. */
  hasBox(shipmentBoxId: bigint): boolean {
    const i = lowerBound(
      0,
      this.orders.length,
      (k) => (this.orders[k]?.shipmentBoxId ?? 0n) >= shipmentBoxId,
    );
    return this.orders[i]?.shipmentBoxId === shipmentBoxId;
  }

  /**
   * One page of `query`, listing only boxes paid at or before `visibleUntilMs` (now − list
   * lag, §0.6). `next` is set only when at least one more matching box exists, so the last
   * page is never followed by an empty one.
   */
  listPage(query: ListQuery, visibleUntilMs: number): ListPage {
    const idx = this.byStatus.get(query.status) ?? new Int32Array(0);
    const at = (k: number): number => idx[k] ?? 0;
    const lo = lowerBound(0, idx.length, (k) => (this.orderedAtMs[at(k)] ?? 0) >= query.fromMs);
    const hi = lowerBound(lo, idx.length, (k) => (this.orderedAtMs[at(k)] ?? 0) >= query.toMs);
    const after = query.after;
    const start =
      after === undefined ? lo : lowerBound(lo, hi, (k) => (this.orders[at(k)]?.shipmentBoxId ?? 0n) > after);
    const orders: OrderSheet[] = [];
    for (let k = start; k < hi; k++) {
      if ((this.paidAtMs[at(k)] ?? Infinity) > visibleUntilMs) continue;
      const order = this.orders[at(k)];
      if (order === undefined) continue;
      if (orders.length === query.maxPerPage) {
        return { orders, next: orders[orders.length - 1]?.shipmentBoxId };
      }
      orders.push(order);
    }
    return { orders, next: undefined };
  }

  /** Every box paid at or before `visibleUntilMs`, ascending by `shipmentBoxId`. */
  visible(visibleUntilMs: number): OrderSheet[] {
    return this.orders.filter((_, i) => (this.paidAtMs[i] ?? Infinity) <= visibleUntilMs);
  }
}

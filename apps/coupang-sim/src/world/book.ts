import {
  isLively,
  planForBox,
  planForExchange,
  planForReturn,
  type Activity,
  type Plan,
} from "./activity.js";
import type { Carrier } from "./carriers.js";
import {
  renderExchange,
  renderReceipt,
  renderWithdrawal,
  type ClaimItemInfo,
  type ClaimLookup,
  type Exchange,
  type Receipt,
} from "./claims.js";
import type { EventKind, SimEvent } from "./events.js";
import {
  boxIdGap,
  boxesPerOrder,
  confirmDelayMs,
  ContentFactory,
  orderIdGap,
  payDelaySeconds,
  type BoxContent,
  type BoxFate,
  type BoxFrame,
  type VendorSkeleton,
} from "./generate.js";
import { formatKstDateTime, formatKstDateTimeSpaced } from "./kst.js";
import { Prng, hashSeed } from "./prng.js";
import { ARRIVAL, BoxStore, DELISTED, DERIVED, EXCHANGE_BOX, type BoxOverlay, type Line } from "./store.js";
import {
  ORDER_STATUSES,
  type ExchangeRequest,
  type HistoryDetail,
  type OrderItem,
  type OrderSheet,
  type OrderStatus,
  type ReturnRequest,
  type ReturnWithdrawal,
  type SimVendor,
} from "./types.js";

/** Position of each status in `ORDER_STATUSES`, as stored in the status column. */
export const STATUS_CODE: Readonly<Record<OrderStatus, number>> = Object.fromEntries(
  ORDER_STATUSES.map((s, i) => [s, i]),
) as Record<OrderStatus, number>;

/** Statuses in which a box carries an invoice (§2.1). */
export const SHIPPED: ReadonlySet<OrderStatus> = new Set([
  "DEPARTURE",
  "DELIVERING",
  "FINAL_DELIVERY",
  "NONE_TRACKING",
]);

/** Korean labels of the delivery history (§2.4 `deliveryStatusDesc`). */
const STATUS_DESC: Readonly<Record<OrderStatus, string>> = {
  ACCEPT: "결제완료",
  INSTRUCT: "상품준비중",
  DEPARTURE: "배송지시",
  DELIVERING: "배송중",
  FINAL_DELIVERY: "배송완료",
  NONE_TRACKING: "업체 직접 배송",
};

/** Boxes whose generated content is kept built; a page of 50 reuses what the last pages built. */
const CONTENT_CACHE_SIZE = 4096;

/** What a book needs from its world: the seed, the timing rules and the event queue. */
export interface WorldLink {
  readonly seed: number;
  readonly anchorMs: number;
  readonly activity: Readonly<Activity>;
  /** Time from acknowledgement to INSTRUCT being visible (B-7), ms. */
  readonly ackVisibilityLagMs: number;
  /** Time from an exchange's receive confirmation to its replacement box being served (B-17), ms. */
  readonly exchangeBoxLagMs: number;
  schedule(event: SimEvent): void;
}

/** A new order's boxes, as placed by a buyer. */
export interface PlacedOrder {
  orderId: bigint;
  shipmentBoxIds: bigint[];
}

/**
 * One vendor's part of the simulated Coupang: its boxes (compact, see {@link BoxStore}),
 * claims, ID sequences, how each is served, and the primitive state changes everything else
 * is built from. It knows no HTTP and no Coupang validation rules (see `seller.ts` and
 * `buyer.ts`). Instants are epoch ms (UTC); KST appears only in served payloads.
 */
export class VendorBook {
  readonly store = new BoxStore();
  readonly factory: ContentFactory;
  /** Every receipt, ascending by receiptId (= creation order), withdrawn ones included. */
  readonly receipts: Receipt[] = [];
  readonly receiptById = new Map<bigint, Receipt>();
  /** Withdrawn receipts in withdrawal order (§7). */
  readonly withdrawals: Receipt[] = [];
  /** Every exchange, ascending by exchangeId. */
  readonly exchanges: Exchange[] = [];
  readonly exchangeById = new Map<bigint, Exchange>();
  private readonly cache = new Map<number, { fate: BoxFate; content: BoxContent }>();
  private lastOrderId: number;
  private orders: number;
  private lastReceiptId: bigint;
  private lastExchangeId: bigint;
  /** Orders placed after the anchor, which keys each arrival's stream. */
  arrivals = 0;
  /** Requests answered with a request number (cancel) or key (acknowledgement). */
  requests = 0;

  /**
   * Builds the book from a generated skeleton: every box's fate at the anchor goes into the
   * columns, and when the world is lively each box's next autonomous events are scheduled.
   */
  constructor(
    readonly vendor: SimVendor,
    readonly index: number,
    readonly link: WorldLink,
    skeleton: VendorSkeleton,
  ) {
    this.factory = new ContentFactory(link.seed, vendor.vendorId, index);
    this.lastOrderId = skeleton.lastOrderId;
    this.orders = skeleton.orders;
    // 5·10^6 IDs a vendor (a receipt steps 1–40): room for 240,000 receipts each, 1,000 vendors.
    this.lastReceiptId = 500_000_000n + BigInt(index) * 5_000_000n;
    this.lastExchangeId = 100_000_000n + BigInt(index) * 1_000_000n;
    const s = this.store;
    s.reserve(skeleton.boxes);
    for (let i = 0; i < skeleton.boxes; i++) {
      const paidAtMs = skeleton.paidAtMs[i] ?? 0;
      const fate = this.factory.fate(i, { paidAtMs, asOfMs: link.anchorMs });
      s.append({
        shipmentBoxId: skeleton.shipmentBoxId[i] ?? 0n,
        orderId: skeleton.orderId[i] ?? 0,
        orderIndex: skeleton.orderIndex[i] ?? 0,
        root: i,
        orderedAtMs: skeleton.orderedAtMs[i] ?? 0,
        paidAtMs,
        status: STATUS_CODE[fate.status],
        flags: 0,
        itemCount: fate.itemCount,
      });
      s.instructAtMs[i] = fate.instructAtMs;
      s.invoiceAtMs[i] = fate.invoiceAtMs;
      s.transitAtMs[i] = fate.transitAtMs;
      s.deliveredAtMs[i] = fate.deliveredAtMs;
      // A frozen world shows no confirmations after the anchor; a lively one lets them come.
      s.confirmAtMs[i] =
        fate.confirmAtMs <= link.anchorMs || link.activity.deliveryProgress ? fate.confirmAtMs : NaN;
      this.planAtStart(i, fate, paidAtMs);
    }
  }

  /** A PRNG on the stream keyed by this vendor and `key`. */
  rng(...key: readonly (string | number | bigint)[]): Prng {
    return new Prng(hashSeed(this.link.seed, this.vendor.vendorId, ...key.map(String)));
  }

  // ---------------------------------------------------------------- reading boxes

  /** The status of box `i`. */
  status(i: number): OrderStatus {
    return ORDER_STATUSES[this.store.status[i] ?? 0] ?? "ACCEPT";
  }

  /** The shipmentBoxId of box `i`. */
  boxId(i: number): bigint {
    return this.store.shipmentBoxId[i] ?? 0n;
  }

  /** The orderId of box `i`. */
  orderIdOf(i: number): bigint {
    return BigInt(this.store.orderId[i] ?? 0);
  }

  /** True when `flag` (see store.ts) is set on box `i`. */
  has(i: number, flag: number): boolean {
    return ((this.store.flags[i] ?? 0) & flag) !== 0;
  }

  /**
   * The position of `shipmentBoxId` if a client can see it at `nowMs` by ID — paid, and for
   * a replacement box past its visibility lag — else -1. No list lag applies (§0.6).
   */
  findBox(shipmentBoxId: bigint, nowMs: number): number {
    const i = this.store.find(shipmentBoxId);
    if (i < 0 || (this.store.paidAtMs[i] ?? Infinity) > nowMs) return -1;
    const visibleAt = this.store.overlays.get(i)?.visibleAtMs;
    return visibleAt !== undefined && visibleAt > nowMs ? -1 : i;
  }

  /** True when `shipmentBoxId` is one of this vendor's boxes (any state). */
  hasBox(shipmentBoxId: bigint): boolean {
    return this.store.find(shipmentBoxId) >= 0;
  }

  /** True when box `i` is in the PO list: not delisted, and paid by `visibleUntilMs` (now − list lag, §0.6). */
  listed(i: number, visibleUntilMs: number): boolean {
    return !this.has(i, DELISTED) && (this.store.paidAtMs[i] ?? Infinity) <= visibleUntilMs;
  }

  /** Positions of the boxes of `orderId` a client can see at `nowMs`, ascending by ID. */
  boxesOfOrder(orderId: bigint, nowMs: number): number[] {
    const s = this.store;
    const id = Number(orderId);
    let lo = 0;
    let hi = s.primaryLength;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((s.orderId[s.primary[mid] ?? 0] ?? 0) < id) lo = mid + 1;
      else hi = mid;
    }
    const found: number[] = [];
    for (let k = lo; k < s.primaryLength && s.orderId[s.primary[k] ?? 0] === id; k++)
      found.push(s.primary[k] ?? 0);
    for (const i of s.derived) if (s.orderId[i] === id) found.push(i);
    return found.sort((a, b) => a - b).filter((i) => this.findBox(this.boxId(i), nowMs) === i);
  }

  /** Box `i`'s generated fate and content (built from the seed, cached). */
  contentOf(i: number): { fate: BoxFate; content: BoxContent } {
    const root = this.store.root[i] ?? i;
    const hit = this.cache.get(root);
    if (hit !== undefined) {
      this.cache.delete(root);
      this.cache.set(root, hit);
      return hit;
    }
    const built = this.factory.content(root, this.store.orderIndex[root] ?? 0, this.frameOf(root));
    this.cache.set(root, built);
    if (this.cache.size > CONTENT_CACHE_SIZE) this.cache.delete(this.cache.keys().next().value ?? root);
    return built;
  }

  private frameOf(root: number): BoxFrame {
    const paidAtMs = this.store.paidAtMs[root] ?? 0;
    return { paidAtMs, asOfMs: this.has(root, ARRIVAL) ? paidAtMs : this.link.anchorMs };
  }

  /** Box `i`'s order lines: its content's items, or the subset its overlay holds after a split. */
  lines(i: number): Line[] {
    const own = this.store.overlays.get(i)?.lines;
    if (own !== undefined) return own;
    return this.contentOf(i).content.sheet.orderItems.map((item) => ({
      vendorItemId: item.vendorItemId,
      count: item.shippingCount,
    }));
  }

  /** Box `i`'s lines with what is left after cancellations and pending stop requests. */
  activeLines(i: number): (Line & { open: number })[] {
    const o = this.store.overlays.get(i);
    return this.lines(i)
      .map((l) => ({
        ...l,
        open: l.count - (o?.cancelled?.get(l.vendorItemId) ?? 0) - (o?.held?.get(l.vendorItemId) ?? 0),
      }))
      .filter((l) => l.count - (o?.cancelled?.get(l.vendorItemId) ?? 0) > 0);
  }

  /** Number of order lines of box `i` without building its content. */
  lineCount(i: number): number {
    return this.store.overlays.get(i)?.lines?.length ?? this.store.itemCount[i] ?? 0;
  }

  /** The current recipient of box `i` (changed while ACCEPT, or as generated). */
  receiver(i: number): OrderSheet["receiver"] {
    return this.store.overlays.get(i)?.receiver ?? this.contentOf(i).content.sheet.receiver;
  }

  /** The template of item `vendorItemId` of box `i`'s content. Throws a `RangeError` when it has none. */
  itemOf(i: number, vendorItemId: bigint): OrderItem {
    const item = this.contentOf(i).content.sheet.orderItems.find((x) => x.vendorItemId === vendorItemId);
    if (item === undefined) throw new RangeError(`Box ${this.boxId(i)} has no item ${vendorItemId}`);
    return item;
  }

  /** Box `i`'s invoice as served: uploaded through the API, else the generated one. */
  invoiceOf(i: number): { deliveryCompanyName: string; invoiceNumber: string; code?: string } | undefined {
    const o = this.store.overlays.get(i);
    return o?.invoice ?? (this.has(i, DERIVED) ? undefined : this.contentOf(i).content.generatedInvoice);
  }

  /**
   * Box `i` exactly as the PO endpoints serve it at `nowMs` (§2.1, §13.1 field order):
   * generated content with the current status, invoice, times, recipient, lines and counts.
   */
  render(i: number, nowMs: number): OrderSheet {
    const s = this.store;
    const { content } = this.contentOf(i);
    const sheet = content.sheet;
    const o = s.overlays.get(i);
    const status = this.status(i);
    const shipped = SHIPPED.has(status);
    const invoice = shipped ? this.invoiceOf(i) : undefined;
    const invoiceAt = s.invoiceAtMs[i] ?? NaN;
    const confirmAt = s.confirmAtMs[i] ?? NaN;
    const uploadDate = shipped && !Number.isNaN(invoiceAt) ? formatKstDateTime(invoiceAt) : "";
    const confirmDate = confirmAt <= nowMs ? formatKstDateTimeSpaced(confirmAt) : "";
    const lines = this.lines(i);
    const orderItems = lines.map((line): OrderItem => {
      const item = this.itemOf(i, line.vendorItemId);
      const cancelCount = o?.cancelled?.get(line.vendorItemId) ?? 0;
      return {
        ...item,
        shippingCount: line.count,
        orderPrice: item.salesPrice * line.count,
        etcInfoValues: [...item.etcInfoValues],
        cancelCount,
        holdCountForCancel: o?.held?.get(line.vendorItemId) ?? 0,
        plannedShippingDate: o?.plannedShippingDate ?? "",
        invoiceNumberUploadDate: uploadDate,
        extraProperties: {},
        confirmDate,
        canceled: cancelCount >= line.count,
      };
    });
    const remotePrice = o?.remotePrice !== undefined ? o.remotePrice : sheet.remotePrice;
    const transitAt = s.transitAtMs[i] ?? NaN;
    const deliveredAt = s.deliveredAtMs[i] ?? NaN;
    return {
      ...sheet,
      shipmentBoxId: this.boxId(i),
      orderId: this.orderIdOf(i),
      orderedAt: formatKstDateTime(s.orderedAtMs[i] ?? 0),
      orderer: { ...sheet.orderer },
      paidAt: formatKstDateTime(s.paidAtMs[i] ?? 0),
      status,
      shippingPrice: this.has(i, DERIVED) ? 0 : sheet.shippingPrice,
      remotePrice,
      remoteArea: remotePrice !== null,
      splitShipping: o?.splitShipping ?? false,
      ableSplitShipping: lines.length > 1 && (status === "ACCEPT" || status === "INSTRUCT"),
      receiver: { ...this.receiver(i) },
      orderItems,
      overseaShippingInfoDto: { ...sheet.overseaShippingInfoDto },
      deliveryCompanyName: invoice?.deliveryCompanyName ?? "",
      invoiceNumber: invoice?.invoiceNumber ?? "",
      inTrasitDateTime: Number.isNaN(transitAt) ? "" : formatKstDateTimeSpaced(transitAt),
      deliveredDate: Number.isNaN(deliveredAt) ? "" : formatKstDateTimeSpaced(deliveredAt),
      extraProperties: {},
    };
  }

  /** Box `i`'s status changes, newest first (§2.4): its generated history, then what happened since. */
  history(i: number): HistoryDetail[] {
    return this.historyEntries(i)
      .reverse()
      .map((e) => ({
        deliveryStatus: e.status,
        deliveryStatusDesc: STATUS_DESC[e.status],
        updatedAt: formatKstDateTime(e.atMs),
      }));
  }

  /** Box `i`'s status changes, oldest first, epoch ms. */
  private historyEntries(i: number): { status: OrderStatus; atMs: number }[] {
    const entries: { status: OrderStatus; atMs: number }[] = [];
    if (!this.has(i, DERIVED)) {
      entries.push({ status: "ACCEPT", atMs: this.store.paidAtMs[i] ?? 0 });
      if (!this.has(i, ARRIVAL)) {
        const fate = this.factory.fate(i, this.frameOf(i));
        entries.push(
          { status: "INSTRUCT", atMs: fate.instructAtMs },
          { status: fate.status === "NONE_TRACKING" ? "NONE_TRACKING" : "DEPARTURE", atMs: fate.invoiceAtMs },
          { status: "DELIVERING", atMs: fate.transitAtMs },
          { status: "FINAL_DELIVERY", atMs: fate.deliveredAtMs },
        );
      }
    }
    for (const h of this.store.overlays.get(i)?.history ?? []) {
      entries.push({ status: ORDER_STATUSES[h.status] ?? "ACCEPT", atMs: h.atMs });
    }
    // Stable: entries at the same instant keep their order of occurrence.
    return entries.filter((e) => !Number.isNaN(e.atMs)).sort((a, b) => a.atMs - b.atMs);
  }

  // ---------------------------------------------------------------- reading claims

  /** What serving a claim needs from this book's boxes. */
  private claimLookup(): ClaimLookup {
    return {
      vendorId: this.vendor.vendorId,
      item: (box, vendorItemId): ClaimItemInfo => this.itemOf(box, vendorItemId),
      shipmentBoxId: (box) => this.boxId(box),
      status: (box) => this.status(box),
      shipment: (box) => {
        const invoice = this.invoiceOf(box);
        return invoice === undefined || !SHIPPED.has(this.status(box))
          ? undefined
          : {
              invoiceNumber: invoice.invoiceNumber,
              uploadedAtMs: this.store.invoiceAtMs[box] ?? NaN,
              deliveredAtMs: this.store.deliveredAtMs[box] ?? NaN,
            };
      },
    };
  }

  /** A receipt as `returnRequests` serves it. */
  renderReceipt(r: Receipt): ReturnRequest {
    return renderReceipt(r, this.claimLookup());
  }

  /** A withdrawn receipt as the withdrawal endpoints serve it. */
  renderWithdrawal(r: Receipt): ReturnWithdrawal {
    return renderWithdrawal(r, this.vendor.vendorId);
  }

  /** An exchange as `exchangeRequests` serves it at `nowMs`. */
  renderExchange(x: Exchange, nowMs: number): ExchangeRequest {
    return renderExchange(x, this.claimLookup(), nowMs);
  }

  // ---------------------------------------------------------------- primitive changes

  /**
   * Moves box `i` to `status` at `atMs`: a new epoch (pending events for the old state go
   * stale), a history entry, and the next autonomous events of the new state.
   */
  setStatus(i: number, status: OrderStatus, atMs: number): void {
    const s = this.store;
    s.status[i] = STATUS_CODE[status];
    this.touch(i);
    (this.store.overlay(i).history ??= []).push({ status: STATUS_CODE[status], atMs });
    const plans = planForBox(this.rng("plan", this.boxId(i), s.epoch[i] ?? 0), this.link.activity, status);
    // A replacement box only travels: buyers act on the exchange, not on it.
    const own = this.has(i, EXCHANGE_BOX) ? plans.filter((p) => p.kind === "carrier") : plans;
    this.schedule(own, atMs, i, s.epoch[i] ?? 0);
  }

  /** Starts a new epoch for box `i`, making its scheduled events stale. */
  touch(i: number): void {
    this.store.epoch[i] = (this.store.epoch[i] ?? 0) + 1;
  }

  /** Schedules `plans` from `fromMs` for `target`, at its current `epoch`. */
  schedule(plans: readonly Plan[], fromMs: number, target: number | bigint, epoch: number): void {
    for (const plan of plans) {
      this.link.schedule({ atMs: fromMs + plan.delayMs, vendor: this.index, kind: plan.kind, target, epoch });
    }
  }

  /** Schedules a single event `kind` at `atMs`. */
  scheduleAt(kind: EventKind, atMs: number, target: number | bigint, epoch: number): void {
    this.link.schedule({ atMs, vendor: this.index, kind, target, epoch });
  }

  /**
   * The autonomous events of a generated box, as if its state had been entered when its
   * fate says: events that would have fallen before the anchor are moved to a random point
   * of their delay after it, except claims, whose window has passed by then.
   */
  private planAtStart(i: number, fate: BoxFate, paidAtMs: number): void {
    if (!isLively(this.link.activity)) return;
    const enteredAt: Record<OrderStatus, number> = {
      ACCEPT: paidAtMs,
      INSTRUCT: fate.instructAtMs,
      DEPARTURE: fate.invoiceAtMs,
      DELIVERING: fate.transitAtMs,
      FINAL_DELIVERY: fate.deliveredAtMs,
      NONE_TRACKING: fate.invoiceAtMs,
    };
    const rng = this.rng("plan", this.boxId(i), 0);
    const anchor = this.link.anchorMs;
    for (const plan of planForBox(rng, this.link.activity, fate.status)) {
      let at = enteredAt[fate.status] + plan.delayMs;
      if (at <= anchor) {
        if (plan.kind === "returnRequest" || plan.kind === "exchangeRequest") continue;
        at = anchor + rng.int(1, Math.max(1, plan.delayMs / 1000)) * 1000;
      }
      this.scheduleAt(plan.kind, at, i, 0);
    }
  }

  /**
   * A buyer pays for a new order at `atMs` (one or two boxes, ACCEPT): it is visible by ID at
   * once and in the list after the list lag (§0.6). Deterministic per arrival number.
   */
  placeOrder(atMs: number): PlacedOrder {
    const n = this.arrivals++;
    const rng = this.rng("arrival", n);
    const boxes = boxesPerOrder(rng);
    const delayMs = payDelaySeconds(rng) * 1000;
    const s = this.store;
    const lastPrimary = s.primary[s.primaryLength - 1];
    const lastOrderedAt = lastPrimary === undefined ? -Infinity : (s.orderedAtMs[lastPrimary] ?? 0);
    // Keeps the primary index sorted by orderedAt; at most the pay delay is lost.
    const orderedAtMs = Math.max(Math.floor((atMs - delayMs) / 1000) * 1000, lastOrderedAt);
    this.lastOrderId += orderIdGap(rng);
    const orderIndex = this.orders++;
    const ids: bigint[] = [];
    for (let b = 0; b < boxes; b++) {
      const shipmentBoxId = s.lastShipmentBoxId() + boxIdGap(rng, b > 0);
      const i = s.length;
      const fate = this.factory.fate(i, { paidAtMs: atMs, asOfMs: atMs });
      s.append({
        shipmentBoxId,
        orderId: this.lastOrderId,
        orderIndex,
        root: i,
        orderedAtMs,
        paidAtMs: atMs,
        status: STATUS_CODE.ACCEPT,
        flags: ARRIVAL,
        itemCount: fate.itemCount,
      });
      this.schedule(planForBox(this.rng("plan", shipmentBoxId, 0), this.link.activity, "ACCEPT"), atMs, i, 0);
      ids.push(shipmentBoxId);
    }
    return { orderId: BigInt(this.lastOrderId), shipmentBoxIds: ids };
  }

  /**
   * A new box carved out of box `from` (a split shipment, §4.1) or for an exchange (§8.2):
   * same order and times, the next shipmentBoxId, `lines` of `from`'s content, `status` at
   * `atMs`. Returns its position.
   */
  deriveBox(from: number, lines: Line[], status: OrderStatus, atMs: number, flags = 0): number {
    const s = this.store;
    const rng = this.rng("derived", s.length);
    const i = s.append({
      shipmentBoxId: s.lastShipmentBoxId() + boxIdGap(rng, false),
      orderId: s.orderId[from] ?? 0,
      orderIndex: s.orderIndex[from] ?? 0,
      root: s.root[from] ?? from,
      orderedAtMs: s.orderedAtMs[from] ?? 0,
      paidAtMs: s.paidAtMs[from] ?? 0,
      status: STATUS_CODE[status],
      flags: DERIVED | flags,
      itemCount: lines.length,
    });
    const o = s.overlay(i);
    o.lines = lines;
    const source = s.overlays.get(from);
    if (source?.receiver !== undefined) {
      o.receiver = source.receiver;
      o.remotePrice = source.remotePrice;
    }
    s.instructAtMs[i] = s.instructAtMs[from] ?? NaN;
    // A split-off box shares its source's history up to the split; a replacement box starts anew.
    const copied =
      (flags & EXCHANGE_BOX) !== 0
        ? []
        : this.historyEntries(from)
            .filter((h) => h.status === "ACCEPT" || h.status === "INSTRUCT")
            .map((h) => ({ status: STATUS_CODE[h.status], atMs: h.atMs }));
    o.history = copied;
    if (copied[copied.length - 1]?.status !== STATUS_CODE[status]) this.setStatus(i, status, atMs);
    return i;
  }

  /**
   * Box `i` leaves the warehouse with `invoiceNumber` of `carrier` at `atMs`: DEPARTURE, or
   * NONE_TRACKING for `DIRECT` (§4.1); tracking starts over (§4.2).
   */
  ship(i: number, carrier: Carrier, invoiceNumber: string, atMs: number): void {
    const s = this.store;
    s.overlay(i).invoice = { code: carrier.code, deliveryCompanyName: carrier.name, invoiceNumber };
    s.invoiceAtMs[i] = atMs;
    s.transitAtMs[i] = NaN;
    s.deliveredAtMs[i] = NaN;
    s.confirmAtMs[i] = NaN;
    this.setStatus(i, carrier.code === "DIRECT" ? "NONE_TRACKING" : "DEPARTURE", atMs);
  }

  /**
   * The carrier scans box `i` at `atMs`: DEPARTURE → DELIVERING, DELIVERING → FINAL_DELIVERY
   * (the buyer confirms the purchase later when the world is lively). Returns the new
   * status, or `undefined` when the box is not in transit.
   */
  carrierStep(i: number, atMs: number): OrderStatus | undefined {
    const s = this.store;
    const status = this.status(i);
    if (status === "DEPARTURE") {
      s.transitAtMs[i] = atMs;
      this.setStatus(i, "DELIVERING", atMs);
      return "DELIVERING";
    }
    if (status !== "DELIVERING") return undefined;
    s.deliveredAtMs[i] = atMs;
    if (this.link.activity.deliveryProgress) {
      s.confirmAtMs[i] = atMs + confirmDelayMs(this.rng("confirm", this.boxId(i), s.epoch[i] ?? 0));
    }
    this.setStatus(i, "FINAL_DELIVERY", atMs);
    return "FINAL_DELIVERY";
  }

  /**
   * Cancels `counts` (per vendorItemId) of box `i`, releasing as much held quantity; a box
   * whose every line is cancelled leaves the list (`flag`: CANCELLED before shipping,
   * RETURNED after) and its pending events go stale.
   */
  cancelCounts(i: number, counts: ReadonlyMap<bigint, number>, flag: number): void {
    const o = this.store.overlay(i);
    const cancelled = (o.cancelled ??= new Map<bigint, number>());
    for (const [vendorItemId, count] of counts) {
      cancelled.set(vendorItemId, (cancelled.get(vendorItemId) ?? 0) + count);
      const held = o.held?.get(vendorItemId);
      if (held !== undefined) {
        if (held - count > 0) o.held?.set(vendorItemId, held - count);
        else o.held?.delete(vendorItemId);
      }
    }
    if (this.lines(i).every((l) => (cancelled.get(l.vendorItemId) ?? 0) >= l.count)) {
      this.store.flags[i] = (this.store.flags[i] ?? 0) | flag;
      this.touch(i);
    }
  }

  /** Holds (or, negative, releases) quantities of box `i` for a pending stop request. */
  hold(i: number, counts: ReadonlyMap<bigint, number>, sign: 1 | -1): void {
    const held = (this.store.overlay(i).held ??= new Map<bigint, number>());
    for (const [vendorItemId, count] of counts) {
      const next = (held.get(vendorItemId) ?? 0) + sign * count;
      if (next > 0) held.set(vendorItemId, next);
      else held.delete(vendorItemId);
    }
  }

  /** The next receiptId of this vendor (rising, with gaps: the sequence is shared). */
  nextReceiptId(): bigint {
    this.lastReceiptId += BigInt(this.rng("receiptId", this.receipts.length).int(1, 40));
    return this.lastReceiptId;
  }

  /** The next exchangeId of this vendor. */
  nextExchangeId(): bigint {
    this.lastExchangeId += BigInt(this.rng("exchangeId", this.exchanges.length).int(1, 40));
    return this.lastExchangeId;
  }

  /** Records `r` and schedules what may follow it when the world is lively. */
  addReceipt(r: Receipt): void {
    this.receipts.push(r);
    this.receiptById.set(r.receiptId, r);
    if (r.origin === "stopRequest" || r.origin === "return") {
      const plans = planForReturn(
        this.rng("receipt", r.receiptId, 0),
        this.link.activity,
        r.origin === "stopRequest",
      );
      this.schedule(plans, r.createdAtMs, r.receiptId, r.epoch);
    }
  }

  /** Records `x` and schedules what may follow it when the world is lively. */
  addExchange(x: Exchange): void {
    this.exchanges.push(x);
    this.exchangeById.set(x.exchangeId, x);
    this.schedule(
      planForExchange(this.rng("exchange", x.exchangeId, 0), this.link.activity),
      x.createdAtMs,
      x.exchangeId,
      0,
    );
  }

  /** The overlay of box `i`, created on first use. */
  overlay(i: number): BoxOverlay {
    return this.store.overlay(i);
  }

  /** The exchange whose replacement box is box `i`, if it is one. */
  exchangeOfBox(i: number): Exchange | undefined {
    if (!this.has(i, EXCHANGE_BOX)) return undefined;
    const id = this.store.overlays.get(i)?.exchangeId;
    return id === undefined ? undefined : this.exchangeById.get(id);
  }
}

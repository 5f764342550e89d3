/**
 * What can happen in the world without a seller calling the API (coupang-api.md §0, §5–§8):
 * - `arrival`: a buyer pays for a new order;
 * - `ackVisible`: an acknowledgement becomes visible after the lag (B-7);
 * - `carrier`: a tracked box moves DEPARTURE → DELIVERING → FINAL_DELIVERY;
 * - `buyerCancel`, `addressChange`: the buyer cancels or moves an ACCEPT box;
 * - `stopRequest`: the buyer asks to stop an INSTRUCT box (RU);
 * - `returnRequest`, `exchangeRequest`: the buyer claims a delivered box;
 * - `returnWithdraw`, `returnPickup`, `returnCheck`, `returnResolve`: a return is withdrawn,
 *   picked up, escalated to Coupang (PR) or settled by Coupang;
 * - `exchangeCancel`, `exchangeCollect`: the buyer withdraws an exchange, or its pickup advances.
 */
export type EventKind =
  | "arrival"
  | "ackVisible"
  | "carrier"
  | "buyerCancel"
  | "addressChange"
  | "stopRequest"
  | "returnRequest"
  | "exchangeRequest"
  | "returnWithdraw"
  | "returnPickup"
  | "returnCheck"
  | "returnResolve"
  | "exchangeCancel"
  | "exchangeCollect";

/**
 * A scheduled event. `target` is a box position, a receiptId or an exchangeId (or unused
 * for arrivals); `epoch` is the target's state counter when scheduled, so an event whose
 * target has changed since is skipped.
 */
export interface SimEvent {
  atMs: number;
  vendor: number;
  kind: EventKind;
  target: number | bigint;
  epoch: number;
}

interface Queued extends SimEvent {
  seq: number;
}

/**
 * A min-heap of events by time, ties broken by insertion order, so processing order — and
 * with it the world's state — depends only on what was scheduled, never on when it is read.
 */
export class EventQueue {
  private readonly heap: Queued[] = [];
  private seq = 0;

  /** Number of pending events. */
  get size(): number {
    return this.heap.length;
  }

  /** Schedules `event`. */
  push(event: SimEvent): void {
    const item: Queued = { ...event, seq: this.seq++ };
    const heap = this.heap;
    heap.push(item);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(item, heap[parent] as Queued)) break;
      heap[i] = heap[parent] as Queued;
      i = parent;
    }
    heap[i] = item;
  }

  /** Removes and returns the earliest event due at or before `untilMs`, or `undefined`. */
  popDue(untilMs: number): SimEvent | undefined {
    const heap = this.heap;
    const top = heap[0];
    if (top === undefined || top.atMs > untilMs) return undefined;
    const last = heap.pop() as Queued;
    if (heap.length > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        const at = (k: number): Queued => (k === i ? last : (heap[k] as Queued));
        if (l < heap.length && before(heap[l] as Queued, at(m))) m = l;
        if (r < heap.length && before(heap[r] as Queued, at(m))) m = r;
        if (m === i) break;
        heap[i] = heap[m] as Queued;
        i = m;
      }
      heap[i] = last;
    }
    return top;
  }
}

function before(a: Queued, b: Queued): boolean {
  return a.atMs < b.atMs || (a.atMs === b.atMs && a.seq < b.seq);
}

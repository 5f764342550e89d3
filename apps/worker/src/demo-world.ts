import { startSimulator, type OrderSheet, type Simulator } from "@cos/coupang-sim";

/**
 * The demo's simulated world: the simulator with a seeded history, and the buyers' claims that
 * `npm run demo` shows being synced (returns, withdrawals, stop-shipment requests, cancels,
 * exchanges). The simulator's library default is a frozen world without claims (its generated
 * history has none, apps/coupang-sim README "Not simulated"), so the claims are made here with
 * `Simulator.event`, at fixed simulated instants: the same (seed, orders, days, KST day) make the
 * same world, byte for byte, and a rerun against the same database writes nothing.
 */

/** The demo's seller and the keys the simulator accepts for it. */
export const DEMO_VENDOR = {
  vendorId: "A00012345",
  accessKey: "demo-access-key",
  secretKey: "demo-secret-key",
};

const MINUTE = 60_000;
const DAY = 86_400_000;
const KST_OFFSET = 9 * 3_600_000;
/** The history ends (the world's anchor) this long before the start of the KST day. */
const ANCHOR_BEFORE_DAY_MS = 60 * MINUTE;
/** The buyers act within this span after the anchor; it ends 10 minutes before the KST day starts. */
const ACTIVITY_SPAN_MS = 50 * MINUTE;
/** Shipment boxes per unit of buyer activity (see {@link BuyerActivity}). */
const BOXES_PER_UNIT = 200;

/** Options of {@link startDemoWorld}: the demo's `--seed`, `--orders` and `--days`. */
export interface DemoWorldOptions {
  seed: number;
  orders: number;
  days: number;
  /** Any instant of the KST day whose world to build (default: now). */
  now?: Date;
}

/**
 * What the buyers did before the sync, per `orders / 200` boxes (one unit, at least one): three
 * returns of delivered boxes (a third withdrawn before pickup, a third completed after Coupang's
 * check, the rest open, some picked up; every other one of a single item), two exchanges (a
 * quarter cancelled, others at some pickup step), one stop-shipment request of an INSTRUCT box
 * (every other one withdrawn) and one cancel of an ACCEPT box. Fewer when the world has fewer
 * boxes in those statuses.
 */
export interface BuyerActivity {
  returns: number;
  returnsWithdrawn: number;
  returnsCompleted: number;
  stopRequests: number;
  stopRequestsWithdrawn: number;
  cancels: number;
  exchanges: number;
  exchangesCancelled: number;
}

/** The demo's world, running; close it with `sim.close()`. */
export interface DemoWorld {
  sim: Simulator;
  activity: BuyerActivity;
  /** The start of the KST day (a UTC instant): the simulator's now, frozen there. */
  dayStart: Date;
}

/** The instant (UTC) the KST day of `now` starts at (00:00 KST = 15:00 UTC the day before). */
export function startOfKstDay(now: Date): Date {
  const kstMs = now.getTime() + KST_OFFSET;
  return new Date(kstMs - (kstMs % DAY) - KST_OFFSET);
}

/**
 * Starts the simulator with the demo's world for the KST day of `opts.now`: `days` days of history
 * ending an hour before the day starts (the anchor), the buyers' claims of {@link BuyerActivity} in
 * the 50 minutes after it, and the clock then frozen at the start of the day. So every box is past
 * the PO list's 10-minute lag (coupang-api.md §0.6) and every claim was made before the worker's
 * window end (now − SYNC_LAG_SECONDS) whenever on that day the demo runs. Signatures are still
 * judged against the wall clock (the simulator's `signatureNow`).
 * @throws RangeError from `startSimulator` for invalid options; rejects with the simulator's
 *   error if an event does not apply (a bug here: the targets are chosen to fit).
 */
export async function startDemoWorld(opts: DemoWorldOptions): Promise<DemoWorld> {
  const dayStart = startOfKstDay(opts.now ?? new Date());
  const anchor = new Date(dayStart.getTime() - ANCHOR_BEFORE_DAY_MS);
  const sim = await startSimulator({
    seed: opts.seed,
    orders: opts.orders,
    days: opts.days,
    anchor,
    clock: "simulated",
    vendors: [DEMO_VENDOR],
  });
  try {
    const activity = await actAsBuyers(sim, opts.orders, anchor.getTime());
    sim.clock.set(dayStart);
    return { sim, activity, dayStart };
  } catch (err) {
    await sim.close();
    throw err;
  }
}

/** `n` elements of `list` spread evenly over it (all of it when shorter). */
function spread<T>(list: readonly T[], n: number): T[] {
  const m = Math.min(n, list.length);
  return Array.from({ length: m }, (_, k) => list[Math.floor((k * list.length) / m)]!);
}

/**
 * Plans the buyers' events on the boxes the simulator lists at the anchor, then makes them happen
 * one by one at evenly spaced simulated instants after `fromMs`: the requests first, then what
 * follows them (withdrawals, pickups, checks), which need the IDs the requests made.
 */
async function actAsBuyers(sim: Simulator, orders: number, fromMs: number): Promise<BuyerActivity> {
  const unit = Math.max(1, Math.round(orders / BOXES_PER_UNIT));
  const boxes = sim.groundTruth(DEMO_VENDOR.vendorId).orders;
  const inStatus = (status: OrderSheet["status"]) => boxes.filter((b) => b.status === status);
  const event = (body: Record<string, unknown>) => sim.event({ vendorId: DEMO_VENDOR.vendorId, ...body });
  const activity: BuyerActivity = {
    returns: 0,
    returnsWithdrawn: 0,
    returnsCompleted: 0,
    stopRequests: 0,
    stopRequestsWithdrawn: 0,
    cancels: 0,
    exchanges: 0,
    exchangesCancelled: 0,
  };
  const requests: Array<() => Promise<void>> = [];
  const followUps: Array<() => Promise<void>> = [];

  // Delivered boxes, each with one claim: three returns to two exchanges.
  spread(inStatus("FINAL_DELIVERY"), 5 * unit).forEach((box, k) => {
    if (k % 5 < 3) {
      const j = activity.returns++;
      const items = box.orderItems.map((i) => i.vendorItemId);
      let receiptId: unknown;
      requests.push(async () => {
        const partial = j % 2 === 1 && items.length > 1 ? { vendorItemIds: items.slice(0, 1) } : {};
        ({ receiptId } = await event({
          type: "returnRequest",
          shipmentBoxId: box.shipmentBoxId,
          ...partial,
        }));
      });
      const then = (type: string) => followUps.push(async () => void (await event({ type, receiptId })));
      if (j % 3 === 0) {
        activity.returnsWithdrawn++;
        then("withdrawReturn");
      } else if (j % 3 === 1) {
        activity.returnsCompleted++;
        for (const type of ["returnPickup", "coupangCheck", "resolveCoupangCheck"]) then(type);
      } else if (j % 6 === 5) then("returnPickup");
    } else {
      const j = activity.exchanges++;
      let exchangeId: unknown;
      requests.push(async () => {
        ({ exchangeId } = await event({ type: "exchangeRequest", shipmentBoxId: box.shipmentBoxId }));
      });
      const then = (type: string) => followUps.push(async () => void (await event({ type, exchangeId })));
      // A quarter cancelled by the buyer; the others with their pickup not started, at its first
      // step, or collected (three steps).
      if (j % 4 === 0) {
        activity.exchangesCancelled++;
        then("cancelExchange");
      } else for (let s = 0; s < [0, 1, 3, 0][j % 4]!; s++) then("exchangeCollect");
    }
  });
  spread(inStatus("INSTRUCT"), unit).forEach((box) => {
    const j = activity.stopRequests++;
    let receiptId: unknown;
    requests.push(async () => {
      ({ receiptId } = await event({ type: "stopShipmentRequest", shipmentBoxId: box.shipmentBoxId }));
    });
    if (j % 2 === 0) {
      activity.stopRequestsWithdrawn++;
      followUps.push(async () => void (await event({ type: "withdrawReturn", receiptId })));
    }
  });
  spread(inStatus("ACCEPT"), unit).forEach((box) => {
    activity.cancels++;
    requests.push(async () => void (await event({ type: "buyerCancel", shipmentBoxId: box.shipmentBoxId })));
  });

  const steps = [...requests, ...followUps];
  const gapMs = Math.floor(ACTIVITY_SPAN_MS / Math.max(1, steps.length));
  for (const [k, step] of steps.entries()) {
    sim.clock.set(new Date(fromMs + (k + 1) * gapMs));
    await step();
  }
  return activity;
}

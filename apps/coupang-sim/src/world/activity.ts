import type { EventKind } from "./events.js";
import type { Prng } from "./prng.js";

/**
 * How lively the world is without a seller calling the API: buyers placing, cancelling,
 * moving, returning and exchanging orders, carriers delivering. Shares are probabilities per
 * box (or per return / exchange) of the event happening at all; when it does, it happens
 * after a delay drawn from {@link DELAYS}. All draws come from streams keyed by the seed and
 * the target, so the same options give the same events.
 */
export interface Activity {
  /** New orders per hour per vendor, on average over a day (busier at lunch and evening, KST). */
  newOrdersPerHour: number;
  /** Carriers move shipped boxes and exchange pickups along, buyers confirm purchases. */
  deliveryProgress: boolean;
  /** Share of ACCEPT boxes the buyer cancels (an instant cancel, `cancelType=CANCEL`). */
  buyerCancelShare: number;
  /** Share of ACCEPT boxes whose buyer changes the address (§0.6, B-14). */
  addressChangeShare: number;
  /** Share of INSTRUCT boxes whose buyer asks to stop shipment (RU). */
  stopShipmentShare: number;
  /** Share of delivered boxes returned (UC). */
  returnShare: number;
  /** Share of delivered boxes exchanged (RECEIPT). */
  exchangeShare: number;
  /** Share of returns the buyer withdraws before pickup (§7). */
  withdrawShare: number;
  /** Share of exchanges the buyer withdraws before pickup (CANCEL). */
  exchangeCancelShare: number;
  /** Share of returns escalated to a Coupang check (PR), which Coupang later settles (CC). */
  coupangCheckShare: number;
}

/** A frozen world: nothing happens unless the API or the admin API makes it happen. */
export const NO_ACTIVITY: Readonly<Activity> = Object.freeze({
  newOrdersPerHour: 0,
  deliveryProgress: false,
  buyerCancelShare: 0,
  addressChangeShare: 0,
  stopShipmentShare: 0,
  returnShare: 0,
  exchangeShare: 0,
  withdrawShare: 0,
  exchangeCancelShare: 0,
  coupangCheckShare: 0,
});

/** Realistic shares; `newOrdersPerHour` as given (the CLI uses the generated history's rate). */
export function normalActivity(newOrdersPerHour: number): Activity {
  return {
    newOrdersPerHour,
    deliveryProgress: true,
    buyerCancelShare: 0.03,
    addressChangeShare: 0.02,
    stopShipmentShare: 0.02,
    returnShare: 0.04,
    exchangeShare: 0.01,
    withdrawShare: 0.15,
    exchangeCancelShare: 0.1,
    coupangCheckShare: 0.05,
  };
}

/** `"none"`, `"normal"`, or a partial {@link Activity} laid over `"normal"`. */
export type ActivityOption = "none" | "normal" | Partial<Activity>;

/**
 * The activity an option stands for; `defaultRate` is the `newOrdersPerHour` of `"normal"`.
 * Throws a `RangeError` for a negative rate or a share outside [0, 1].
 */
export function resolveActivity(option: ActivityOption, defaultRate: number): Activity {
  if (option === "none") return { ...NO_ACTIVITY };
  const activity = { ...normalActivity(defaultRate), ...(option === "normal" ? {} : option) };
  if (!Number.isFinite(activity.newOrdersPerHour) || activity.newOrdersPerHour < 0) {
    throw new RangeError(`newOrdersPerHour must be ≥ 0, got ${activity.newOrdersPerHour}`);
  }
  for (const [key, value] of Object.entries(activity)) {
    if (key.endsWith("Share") && !(typeof value === "number" && value >= 0 && value <= 1)) {
      throw new RangeError(`${key} must be a share in [0, 1], got ${String(value)}`);
    }
  }
  return activity;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Delay ranges [min, max] in ms from entering a state to the event. */
export const DELAYS: Readonly<
  Record<Exclude<EventKind, "arrival" | "ackVisible">, readonly [number, number]>
> = {
  buyerCancel: [10 * MINUTE, 12 * HOUR],
  addressChange: [MINUTE, 3 * HOUR],
  stopRequest: [10 * MINUTE, DAY],
  carrier: [2 * HOUR, 30 * HOUR],
  returnRequest: [6 * HOUR, 6 * DAY],
  exchangeRequest: [6 * HOUR, 6 * DAY],
  returnWithdraw: [10 * MINUTE, DAY],
  returnPickup: [6 * HOUR, 2 * DAY],
  returnCheck: [DAY, 4 * DAY],
  returnResolve: [DAY, 3 * DAY],
  exchangeCancel: [10 * MINUTE, DAY],
  exchangeCollect: [HOUR, 12 * HOUR],
};

/** A delay for `kind`, whole seconds, uniform in its {@link DELAYS} range. */
export function delayFor(rng: Prng, kind: keyof typeof DELAYS): number {
  const [min, max] = DELAYS[kind];
  return rng.int(min / 1000, max / 1000) * 1000;
}

/** An event to schedule `delayMs` after the state was entered. */
export interface Plan {
  kind: EventKind;
  delayMs: number;
}

/** A plan for `kind` with probability `share` (no draw of the delay otherwise). */
function maybe(rng: Prng, share: number, kind: keyof typeof DELAYS): Plan[] {
  return share > 0 && rng.chance(share) ? [{ kind, delayMs: delayFor(rng, kind) }] : [];
}

/**
 * What may follow a box entering `status` (a PO status): buyer cancels and address changes
 * at ACCEPT, stop requests at INSTRUCT, carrier steps in transit, one claim (a return or an
 * exchange) after delivery.
 */
export function planForBox(rng: Prng, activity: Activity, status: string): Plan[] {
  switch (status) {
    case "ACCEPT":
      return [
        ...maybe(rng, activity.buyerCancelShare, "buyerCancel"),
        ...maybe(rng, activity.addressChangeShare, "addressChange"),
      ];
    case "INSTRUCT":
      return maybe(rng, activity.stopShipmentShare, "stopRequest");
    case "DEPARTURE":
    case "DELIVERING":
      return activity.deliveryProgress ? [{ kind: "carrier", delayMs: delayFor(rng, "carrier") }] : [];
    case "FINAL_DELIVERY": {
      const claim = rng.next();
      if (claim < activity.returnShare)
        return [{ kind: "returnRequest", delayMs: delayFor(rng, "returnRequest") }];
      if (claim < activity.returnShare + activity.exchangeShare) {
        return [{ kind: "exchangeRequest", delayMs: delayFor(rng, "exchangeRequest") }];
      }
      return [];
    }
    default:
      return [];
  }
}

/**
 * What may follow a return receipt being opened: a stop request (RU) may be withdrawn; a
 * return (UC) may be withdrawn before pickup, is picked up, and may be escalated to a
 * Coupang check.
 */
export function planForReturn(rng: Prng, activity: Activity, stopRequest: boolean): Plan[] {
  if (stopRequest) return maybe(rng, activity.withdrawShare, "returnWithdraw");
  const withdraw = maybe(rng, activity.withdrawShare, "returnWithdraw");
  const pickup: Plan[] = activity.deliveryProgress
    ? [{ kind: "returnPickup", delayMs: delayFor(rng, "returnPickup") }]
    : [];
  return [...withdraw, ...pickup, ...maybe(rng, activity.coupangCheckShare, "returnCheck")];
}

/** What may follow an exchange being requested: a withdrawal by the buyer, the pickup's first step. */
export function planForExchange(rng: Prng, activity: Activity): Plan[] {
  const collect: Plan[] = activity.deliveryProgress
    ? [{ kind: "exchangeCollect", delayMs: delayFor(rng, "exchangeCollect") }]
    : [];
  return [...maybe(rng, activity.exchangeCancelShare, "exchangeCancel"), ...collect];
}

/** True when anything happens on its own in a world with `activity`. */
export function isLively(activity: Readonly<Activity>): boolean {
  return (
    activity.newOrdersPerHour > 0 ||
    activity.deliveryProgress ||
    Object.entries(activity).some(
      ([key, value]) => key.endsWith("Share") && typeof value === "number" && value > 0,
    )
  );
}

import { Faker, base, en, ko } from "@faker-js/faker";
import { DIRECT, drawDirectNumber, drawTrackedInvoice } from "./carriers.js";
import { buildCatalog, type Catalog, type VendorItem } from "./catalog.js";
import { koreanAddress, maskedKoreanName, parcelMessage, refer, safeNumber } from "./korea.js";
import { formatKstDate, kstHour } from "./kst.js";
import { Prng, hashSeed } from "./prng.js";
import type { OrderItem, OrderSheet, OrderStatus, Orderer, Receiver } from "./types.js";

/**
 * The deterministic generator, in two halves so a million boxes fit in memory:
 * - {@link generateSkeleton} draws, for every box at start, only what the indexes need (IDs,
 *   order times) into typed arrays, and {@link ContentFactory.fate} the box's status and event
 *   times at the anchor;
 * - {@link ContentFactory.content} rebuilds the rest of a box (buyer, address, items, prices,
 *   the generated invoice) from its own sub-stream whenever a response needs it.
 * Sub-streams are keyed per vendor, per order and per box, so a box's content does not
 * depend on how many boxes exist or in which order they are built.
 */

const SECOND = 1000;
const HOUR = 3600 * SECOND;
const DAY = 24 * HOUR;

/** What {@link generateSkeleton} needs; the skeleton depends on nothing else. */
export interface SkeletonParams {
  vendorId: string;
  /** Position of the vendor in the simulator's list; selects the vendor's ID ranges (0–99). */
  vendorIndex: number;
  seed: number;
  /** Number of shipment boxes to generate. */
  boxes: number;
  /** `orderedAt` is spread over this many days before `anchorMs`. */
  days: number;
  /** The instant the world is generated "as of" (epoch ms); no generated time lies after it. */
  anchorMs: number;
}

/**
 * A vendor's generated boxes in columns, ascending by `shipmentBoxId`, which is also
 * ascending (non-strictly) by `orderedAt`. Instants are epoch ms (UTC).
 */
export interface VendorSkeleton {
  boxes: number;
  /** Number of orders (each has one or two boxes). */
  orders: number;
  shipmentBoxId: BigUint64Array;
  /** 13-digit order IDs (exact as doubles, < 2^53). */
  orderId: Float64Array;
  /** The order's position, which keys its buyer/address sub-stream. */
  orderIndex: Int32Array;
  orderedAtMs: Float64Array;
  paidAtMs: Float64Array;
  /** The highest IDs handed out, so later orders and boxes continue the sequences. */
  lastOrderId: number;
  lastShipmentBoxId: bigint;
}

/** Orders per KST hour of day, relative: quiet at night, peaks at lunch and late evening. */
export const HOUR_WEIGHTS = [
  3, 2, 1, 1, 1, 1, 2, 4, 6, 7, 8, 9, 10, 9, 8, 8, 8, 8, 9, 10, 11, 12, 10, 6,
] as const;
const MAX_HOUR_WEIGHT = Math.max(...HOUR_WEIGHTS);
/** Mean of {@link HOUR_WEIGHTS}: an arrival process thinned by them keeps this share of its peak rate. */
export const MEAN_HOUR_WEIGHT = HOUR_WEIGHTS.reduce((a, b) => a + b, 0) / HOUR_WEIGHTS.length;

/** True with probability weight(KST hour of `t`) / peak weight: thins a process to the daily shape. */
export function acceptHour(rng: Prng, t: number): boolean {
  return rng.next() * MAX_HOUR_WEIGHT < (HOUR_WEIGHTS[kstHour(t)] ?? 0);
}

/**
 * Status as a function of how long ago the box was paid (hours before the anchor): new boxes
 * wait for acknowledgement, a day or two later they are on the road, old ones are delivered.
 */
const STATUS_BY_AGE: readonly (readonly [number, readonly (readonly [OrderStatus, number])[]])[] = [
  [
    2,
    [
      ["ACCEPT", 75],
      ["INSTRUCT", 25],
    ],
  ],
  [
    12,
    [
      ["ACCEPT", 35],
      ["INSTRUCT", 45],
      ["DEPARTURE", 15],
      ["DELIVERING", 5],
    ],
  ],
  [
    24,
    [
      ["ACCEPT", 10],
      ["INSTRUCT", 35],
      ["DEPARTURE", 30],
      ["DELIVERING", 25],
    ],
  ],
  [
    48,
    [
      ["INSTRUCT", 8],
      ["DEPARTURE", 17],
      ["DELIVERING", 50],
      ["FINAL_DELIVERY", 25],
    ],
  ],
  [
    96,
    [
      ["DEPARTURE", 4],
      ["DELIVERING", 20],
      ["FINAL_DELIVERY", 76],
    ],
  ],
  [
    Infinity,
    [
      ["DELIVERING", 2],
      ["FINAL_DELIVERY", 98],
    ],
  ],
];
/** Share of shipped boxes the seller delivers itself (`DIRECT`), which end as NONE_TRACKING. */
const DIRECT_SHARE = 0.04;

/** Seconds between placing and paying: mostly instant card payments, a tail of slower ones. */
export function payDelaySeconds(rng: Prng): number {
  const kind = rng.weighted([
    ["card", 70],
    ["slow", 25],
    ["transfer", 5],
  ] as const);
  if (kind === "card") return rng.int(3, 60);
  if (kind === "slow") return rng.int(61, 300);
  return rng.int(301, 1800);
}

/** An `orderedAt` in whole seconds within `spanMs` before `endMs`, shaped by {@link HOUR_WEIGHTS}. */
function sampleOrderedAt(rng: Prng, endMs: number, spanMs: number): number {
  for (;;) {
    const t = endMs - rng.next() * spanMs;
    if (acceptHour(rng, t)) return Math.floor(t / SECOND) * SECOND;
  }
}

/** One or two boxes per order: most orders ship in one box, 8% are split at checkout. */
export function boxesPerOrder(rng: Prng): number {
  return rng.chance(0.08) ? 2 : 1;
}

/**
 * The first order ID and shipment box ID of vendor `vendorIndex`'s own ranges (13 and 18 digits
 * for each of the world's up to 1,000 vendors). A vendor's range holds 10^9 order IDs and 10^14
 * box IDs: at the gaps below (about 200 and 1,500 an order) that is over 4 million orders.
 */
function idBases(rng: Prng, vendorIndex: number): { orderId: number; shipmentBoxId: bigint } {
  return {
    orderId: 2_000_000_000_000 + vendorIndex * 1_000_000_000 + rng.int(0, 99_999_999),
    shipmentBoxId:
      300_000_000_000_000_000n + BigInt(vendorIndex) * 100_000_000_000_000n + BigInt(rng.uint32()) * 1000n,
  };
}

/** Gap to the next order ID (IDs are shared with other sellers, so they jump). */
export function orderIdGap(rng: Prng): number {
  return rng.int(1, 400);
}

/** Gap to the next shipment box ID: large between orders, 1–3 between boxes of one order. */
export function boxIdGap(rng: Prng, sameOrder: boolean): bigint {
  return BigInt(sameOrder ? rng.int(1, 3) : rng.int(1, 3000));
}

/**
 * Generates vendor `params.vendorIndex`'s order skeleton: `boxes` shipment boxes spread over
 * `days` before the anchor by {@link HOUR_WEIGHTS}, one or two per order, paid 3 s–30 min
 * after ordering and never after the anchor; `orderId` (13 digits) and `shipmentBoxId` (18
 * digits) both rise with `orderedAt`. Deterministic: depends only on `params`.
 */
export function generateSkeleton(params: SkeletonParams): VendorSkeleton {
  const { seed, vendorId, anchorMs } = params;
  const rng = new Prng(hashSeed(seed, vendorId, "skeleton"));
  const spanMs = params.days * DAY;
  const drafts: { orderedAtMs: number; paidAtMs: number; boxes: number }[] = [];
  for (let remaining = params.boxes; remaining > 0;) {
    const boxes = Math.min(remaining, boxesPerOrder(rng));
    const delayMs = payDelaySeconds(rng) * SECOND;
    const orderedAtMs = sampleOrderedAt(rng, anchorMs - delayMs, Math.max(0, spanMs - delayMs));
    drafts.push({ orderedAtMs, paidAtMs: orderedAtMs + delayMs, boxes });
    remaining -= boxes;
  }
  drafts.sort((a, b) => a.orderedAtMs - b.orderedAtMs || a.paidAtMs - b.paidAtMs);

  const ids = idBases(rng, params.vendorIndex);
  let orderId = ids.orderId;
  let shipmentBoxId = ids.shipmentBoxId;
  const out: VendorSkeleton = {
    boxes: params.boxes,
    orders: drafts.length,
    shipmentBoxId: new BigUint64Array(params.boxes),
    orderId: new Float64Array(params.boxes),
    orderIndex: new Int32Array(params.boxes),
    orderedAtMs: new Float64Array(params.boxes),
    paidAtMs: new Float64Array(params.boxes),
    lastOrderId: orderId,
    lastShipmentBoxId: shipmentBoxId,
  };
  let i = 0;
  drafts.forEach((draft, orderIndex) => {
    orderId += orderIdGap(rng);
    for (let b = 0; b < draft.boxes; b++, i++) {
      shipmentBoxId += boxIdGap(rng, b > 0);
      out.shipmentBoxId[i] = shipmentBoxId;
      out.orderId[i] = orderId;
      out.orderIndex[i] = orderIndex;
      out.orderedAtMs[i] = draft.orderedAtMs;
      out.paidAtMs[i] = draft.paidAtMs;
    }
  });
  out.lastOrderId = orderId;
  out.lastShipmentBoxId = shipmentBoxId;
  return out;
}

/** Where a box's fate is drawn from: when it was paid and the instant its history runs to. */
export interface BoxFrame {
  paidAtMs: number;
  /** The anchor for generated boxes; `paidAtMs` for orders placed while the world runs. */
  asOfMs: number;
}

/**
 * A box's state at its frame's `asOfMs`: its status and when it reached each step (epoch ms,
 * `NaN` for steps not reached). `confirmAtMs` (purchase confirmation) may lie after `asOfMs`.
 */
export interface BoxFate {
  status: OrderStatus;
  instructAtMs: number;
  invoiceAtMs: number;
  transitAtMs: number;
  deliveredAtMs: number;
  confirmAtMs: number;
  /** Days from payment to the expected ship date (0–2). */
  estimatedShipDays: number;
  /** Number of order lines (1–4), drawn up front so counts need no content. */
  itemCount: number;
}

function statusForAge(rng: Prng, ageHours: number): OrderStatus {
  const row = STATUS_BY_AGE.find(([maxAge]) => ageHours < maxAge) ?? STATUS_BY_AGE[STATUS_BY_AGE.length - 1];
  const status = rng.weighted(row?.[1] ?? []);
  const shipped = status === "DEPARTURE" || status === "DELIVERING" || status === "FINAL_DELIVERY";
  return shipped && rng.chance(DIRECT_SHARE) ? "NONE_TRACKING" : status;
}

/**
 * The next event after `fromMs`, `minHours`–`maxHours` later, but never past `untilMs`: an
 * old box gets a realistic gap, a young one a share of the time it has had.
 */
function eventAfter(rng: Prng, fromMs: number, untilMs: number, minHours: number, maxHours: number): number {
  const wanted = rng.int(minHours * 3600, maxHours * 3600) * SECOND;
  const cap = Math.floor(((untilMs - fromMs) * rng.float(0.3, 0.95)) / SECOND) * SECOND;
  return fromMs + Math.max(0, Math.min(wanted, cap));
}

/** Buyers confirm within days of delivery; Coupang auto-confirms the rest after about a week. */
export function confirmDelayMs(rng: Prng): number {
  return rng.int(3600, 8 * 24 * 3600) * SECOND;
}

/**
 * Draws a box's {@link BoxFate}: an order placed while the world runs is ACCEPT at payment;
 * a generated one gets a status by its age at the anchor (see `STATUS_BY_AGE`) and step
 * times between payment and the anchor, in order.
 */
function drawFate(rng: Prng, frame: BoxFrame): BoxFate {
  const { paidAtMs, asOfMs } = frame;
  const fate: BoxFate = {
    status: "ACCEPT",
    instructAtMs: NaN,
    invoiceAtMs: NaN,
    transitAtMs: NaN,
    deliveredAtMs: NaN,
    confirmAtMs: NaN,
    estimatedShipDays: 0,
    itemCount: 1,
  };
  if (asOfMs > paidAtMs) drawHistory(rng, frame, fate);
  fate.estimatedShipDays = rng.int(0, 2);
  fate.itemCount = rng.weighted([
    [1, 72],
    [2, 17],
    [3, 7],
    [4, 4],
  ] as const);
  return fate;
}

/** Fills `fate` with a generated box's status by age at `asOfMs` and its step times. */
function drawHistory(rng: Prng, frame: BoxFrame, fate: BoxFate): void {
  const { paidAtMs, asOfMs } = frame;
  const status = statusForAge(rng, (asOfMs - paidAtMs) / HOUR);
  fate.status = status;
  const tracked = status === "DEPARTURE" || status === "DELIVERING" || status === "FINAL_DELIVERY";
  if (tracked || status === "NONE_TRACKING") fate.invoiceAtMs = eventAfter(rng, paidAtMs, asOfMs, 1, 20);
  if (status === "DELIVERING" || status === "FINAL_DELIVERY") {
    fate.transitAtMs = eventAfter(rng, fate.invoiceAtMs, asOfMs, 2, 14);
  }
  if (status === "FINAL_DELIVERY") {
    fate.deliveredAtMs = eventAfter(rng, fate.transitAtMs, asOfMs, 4, 40);
    fate.confirmAtMs = fate.deliveredAtMs + confirmDelayMs(rng);
  }
  if (status !== "ACCEPT") {
    const until = Number.isNaN(fate.invoiceAtMs) ? asOfMs : fate.invoiceAtMs;
    fate.instructAtMs = eventAfter(rng, paidAtMs, until, 0, 6);
  }
}

/** Picks `count` distinct catalog items by popularity. */
function pickItems(rng: Prng, catalog: Catalog, count: number): VendorItem[] {
  const picked: VendorItem[] = [];
  while (picked.length < count) {
    const item = rng.weighted(catalog.weighted);
    if (!picked.includes(item)) picked.push(item);
  }
  return picked;
}

/** The buyer, recipient and delivery note shared by every box of one order. */
interface OrderParties {
  orderer: Orderer;
  receiver: Receiver;
  remotePrice: number | null;
  parcelPrintMessage: string;
  refer: string;
}

/**
 * A box's generated content: the PO object of §13.1 as a template whose identity, status and
 * status-dependent fields (IDs, times, invoice, counts) are filled in when it is served,
 * plus the invoice its fate gave it.
 */
export interface BoxContent {
  /** Key order is the API's; placeholders where the served box differs. */
  sheet: OrderSheet;
  /** The invoice a generated shipped box carries: display name and number. */
  generatedInvoice: { deliveryCompanyName: string; invoiceNumber: string } | undefined;
}

/** An empty status-dependent field, filled in when a box is served. */
const PLACEHOLDER = "";

/**
 * Rebuilds boxes and buyers of one vendor from the seed. One instance per vendor; it owns
 * the vendor's catalog and a Faker driven by its PRNG, both reseeded per call, so calls in
 * any order give the same results.
 */
export class ContentFactory {
  private readonly rng: Prng;
  private readonly faker: Faker;
  /** The vendor's products (§2.1 item fields come from here). */
  readonly catalog: Catalog;

  constructor(
    private readonly seed: number,
    private readonly vendorId: string,
    vendorIndex: number,
  ) {
    this.rng = new Prng(hashSeed(seed, vendorId, "catalog"));
    this.faker = new Faker({ locale: [ko, en, base], randomizer: this.rng });
    this.catalog = buildCatalog(this.rng, vendorIndex);
  }

  /** The fate of box `boxIndex` (see {@link BoxFate}); cheap: a dozen draws, no Faker, no items. */
  fate(boxIndex: number, frame: BoxFrame): BoxFate {
    this.rng.seed(hashSeed(this.seed, this.vendorId, "box", boxIndex));
    return drawFate(this.rng, frame);
  }

  /** Box `boxIndex` of order `orderIndex`: its fate and its content (see {@link BoxContent}). */
  content(boxIndex: number, orderIndex: number, frame: BoxFrame): { fate: BoxFate; content: BoxContent } {
    this.rng.seed(hashSeed(this.seed, this.vendorId, "order", orderIndex));
    const parties = this.parties();
    const fate = this.fate(boxIndex, frame);
    return { fate, content: this.build(frame, fate, parties) };
  }

  /**
   * A new recipient for a buyer who changes the address (same name, new address and relay
   * number), drawn from a stream keyed by `key`.
   */
  newReceiver(name: string, ...key: readonly (string | number)[]): Receiver & { remotePrice: number | null } {
    this.rng.seed(hashSeed(this.seed, this.vendorId, "receiver", ...key));
    const address = koreanAddress(this.rng, this.faker);
    return {
      name,
      safeNumber: safeNumber(this.rng),
      receiverNumber: null,
      addr1: address.addr1,
      addr2: address.addr2,
      postCode: address.postCode,
      remotePrice: address.remotePrice,
    };
  }

  private parties(): OrderParties {
    const { rng, faker } = this;
    const ordererName = maskedKoreanName(rng, faker);
    const orderer: Orderer = {
      name: ordererName,
      email: "",
      safeNumber: safeNumber(rng),
      ordererNumber: null,
    };
    const address = koreanAddress(rng, faker);
    const receiver: Receiver = {
      name: rng.chance(0.65) ? ordererName : maskedKoreanName(rng, faker),
      safeNumber: safeNumber(rng),
      receiverNumber: null,
      addr1: address.addr1,
      addr2: address.addr2,
      postCode: address.postCode,
    };
    return {
      orderer,
      receiver,
      remotePrice: address.remotePrice,
      parcelPrintMessage: parcelMessage(rng),
      refer: refer(rng),
    };
  }

  private build(frame: BoxFrame, fate: BoxFate, parties: OrderParties): BoxContent {
    const { rng, catalog } = this;
    const estimatedShippingDate = formatKstDate(frame.paidAtMs + fate.estimatedShipDays * DAY);
    const picked = pickItems(rng, catalog, fate.itemCount);
    const counts = picked.map(() =>
      rng.weighted([
        [1, 75],
        [2, 15],
        [3, 6],
        [4, 2],
        [5, 2],
      ] as const),
    );
    const subtotal = picked.reduce((sum, item, i) => sum + item.salesPrice * (counts[i] ?? 1), 0);
    let shippingPrice = 0;
    const orderItems = picked.map((item, i): OrderItem => {
      const shippingCount = counts[i] ?? 1;
      const orderPrice = item.salesPrice * shippingCount;
      const instant = rng.chance(0.12)
        ? Math.max(100, Math.round((orderPrice * rng.float(0.05, 0.15)) / 100) * 100)
        : 0;
      const downloadable = orderPrice >= 10_000 && rng.chance(0.08) ? rng.pick([1000, 2000]) : 0;
      const coupang = rng.chance(0.05) ? Math.max(10, Math.round((orderPrice * 0.03) / 10) * 10) : 0;
      const charged =
        item.shipping.charge === "paid" ||
        (item.shipping.charge === "conditional" && subtotal < item.shipping.freeFrom);
      if (charged) shippingPrice = Math.max(shippingPrice, item.shipping.fee);
      return {
        vendorItemPackageId: 0n,
        vendorItemPackageName: item.sellerProductName,
        productId: item.productId,
        vendorItemId: item.vendorItemId,
        vendorItemName: item.vendorItemName,
        shippingCount,
        salesPrice: item.salesPrice,
        orderPrice,
        discountPrice: instant > 0 ? instant : null,
        instantCouponDiscount: instant,
        downloadableCouponDiscount: downloadable,
        coupangDiscount: coupang,
        externalVendorSkuCode: item.externalVendorSkuCode,
        etcInfoHeader: item.custom?.header ?? null,
        etcInfoValue: null,
        etcInfoValues: item.custom !== undefined ? [rng.pick(item.custom.answers)] : [],
        sellerProductId: item.sellerProductId,
        sellerProductName: item.sellerProductName,
        sellerProductItemName: item.sellerProductItemName,
        firstSellerProductItemName: item.firstSellerProductItemName,
        cancelCount: 0,
        holdCountForCancel: 0,
        estimatedShippingDate,
        plannedShippingDate: PLACEHOLDER,
        invoiceNumberUploadDate: PLACEHOLDER,
        extraProperties: {},
        pricingBadge: rng.chance(0.05),
        usedProduct: false,
        confirmDate: PLACEHOLDER,
        deliveryChargeTypeName: charged ? "유료" : "무료",
        upBundleItem: false,
        canceled: false,
      };
    });

    let generatedInvoice: BoxContent["generatedInvoice"];
    if (fate.status === "NONE_TRACKING") {
      generatedInvoice = { deliveryCompanyName: DIRECT.name, invoiceNumber: drawDirectNumber(rng) };
    } else if (!Number.isNaN(fate.invoiceAtMs)) {
      const { carrier, invoiceNumber } = drawTrackedInvoice(rng);
      generatedInvoice = { deliveryCompanyName: carrier.name, invoiceNumber };
    }

    const sheet: OrderSheet = {
      shipmentBoxId: 0n,
      orderId: 0n,
      orderedAt: PLACEHOLDER,
      orderer: parties.orderer,
      paidAt: PLACEHOLDER,
      status: fate.status,
      shippingPrice,
      remotePrice: parties.remotePrice,
      remoteArea: parties.remotePrice !== null,
      parcelPrintMessage: parties.parcelPrintMessage,
      splitShipping: false,
      ableSplitShipping: false,
      receiver: parties.receiver,
      orderItems,
      overseaShippingInfoDto: { personalCustomsClearanceCode: "", ordererSsn: "", ordererPhoneNumber: "" },
      deliveryCompanyName: PLACEHOLDER,
      invoiceNumber: PLACEHOLDER,
      inTrasitDateTime: PLACEHOLDER,
      deliveredDate: PLACEHOLDER,
      refer: parties.refer,
      isCod: false,
      extraProperties: {},
    };
    return { sheet, generatedInvoice };
  }
}

import { Faker, base, en, ko } from "@faker-js/faker";
import { buildCatalog, type Catalog, type VendorItem } from "./catalog.js";
import {
  DIRECT_DELIVERY_NAME,
  directInvoiceNumber,
  koreanAddress,
  maskedKoreanName,
  parcelMessage,
  refer,
  safeNumber,
  trackedInvoice,
} from "./korea.js";
import { formatKstDate, formatKstDateTime, formatKstDateTimeSpaced, kstHour } from "./kst.js";
import { Prng, hashSeed } from "./prng.js";
import type { OrderItem, OrderSheet, OrderStatus, Orderer, Receiver } from "./types.js";

const SECOND = 1000;
const HOUR = 3600 * SECOND;
const DAY = 24 * HOUR;

/** What {@link generateVendorOrders} needs; generation depends on nothing else. */
export interface GenerateVendorParams {
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
 * A vendor's boxes, ascending by `shipmentBoxId`, which is also ascending (non-strictly) by
 * `orderedAt`, with the instants behind `orderedAt`/`paidAt` kept as epoch ms in parallel
 * typed arrays so an index can binary-search them without parsing strings.
 */
export interface GeneratedBoxes {
  orders: OrderSheet[];
  orderedAtMs: Float64Array;
  paidAtMs: Float64Array;
}

/** Orders per KST hour of day, relative: quiet at night, peaks at lunch and late evening. */
const HOUR_WEIGHTS = [3, 2, 1, 1, 1, 1, 2, 4, 6, 7, 8, 9, 10, 9, 8, 8, 8, 8, 9, 10, 11, 12, 10, 6] as const;
const MAX_HOUR_WEIGHT = Math.max(...HOUR_WEIGHTS);

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
function payDelaySeconds(rng: Prng): number {
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
    const weight = HOUR_WEIGHTS[kstHour(t)] ?? 0;
    if (rng.next() * MAX_HOUR_WEIGHT < weight) return Math.floor(t / SECOND) * SECOND;
  }
}

function statusForAge(rng: Prng, ageHours: number): OrderStatus {
  const row = STATUS_BY_AGE.find(([maxAge]) => ageHours < maxAge) ?? STATUS_BY_AGE[STATUS_BY_AGE.length - 1];
  const status = rng.weighted(row?.[1] ?? []);
  const shipped = status === "DEPARTURE" || status === "DELIVERING" || status === "FINAL_DELIVERY";
  return shipped && rng.chance(DIRECT_SHARE) ? "NONE_TRACKING" : status;
}

/**
 * The next event after `fromMs`, `minHours`–`maxHours` later, but never past the anchor: an
 * old box gets a realistic gap, a young one a share of the time it has had.
 */
function eventAfter(rng: Prng, fromMs: number, anchorMs: number, minHours: number, maxHours: number): number {
  const wanted = rng.int(minHours * 3600, maxHours * 3600) * SECOND;
  const cap = Math.floor(((anchorMs - fromMs) * rng.float(0.3, 0.95)) / SECOND) * SECOND;
  return fromMs + Math.max(0, Math.min(wanted, cap));
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

function orderParties(rng: Prng, faker: Faker): OrderParties {
  const ordererName = maskedKoreanName(rng, faker);
  const orderer: Orderer = { name: ordererName, email: "", safeNumber: safeNumber(rng), ordererNumber: null };
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

/** The box-level facts {@link buildBox} needs besides the random stream. */
interface BoxFrame {
  shipmentBoxId: bigint;
  orderId: bigint;
  orderedAtMs: number;
  paidAtMs: number;
  anchorMs: number;
  parties: OrderParties;
}

function buildBox(rng: Prng, catalog: Catalog, frame: BoxFrame): OrderSheet {
  const { anchorMs, paidAtMs, parties } = frame;
  const status = statusForAge(rng, (anchorMs - paidAtMs) / HOUR);
  const tracked = status === "DEPARTURE" || status === "DELIVERING" || status === "FINAL_DELIVERY";
  const invoiceAt =
    tracked || status === "NONE_TRACKING" ? eventAfter(rng, paidAtMs, anchorMs, 1, 20) : undefined;
  const transitAt =
    invoiceAt !== undefined && (status === "DELIVERING" || status === "FINAL_DELIVERY")
      ? eventAfter(rng, invoiceAt, anchorMs, 2, 14)
      : undefined;
  const deliveredAt =
    transitAt !== undefined && status === "FINAL_DELIVERY"
      ? eventAfter(rng, transitAt, anchorMs, 4, 40)
      : undefined;
  // Buyers confirm within days of delivery; Coupang auto-confirms the rest after about a week.
  const confirmAt =
    deliveredAt !== undefined ? deliveredAt + rng.int(3600, 8 * 24 * 3600) * SECOND : undefined;
  const confirmDate =
    confirmAt !== undefined && confirmAt <= anchorMs ? formatKstDateTimeSpaced(confirmAt) : "";
  const estimatedShippingDate = formatKstDate(paidAtMs + rng.int(0, 2) * DAY);
  const invoiceNumberUploadDate = invoiceAt !== undefined ? formatKstDateTime(invoiceAt) : "";

  const picked = pickItems(
    rng,
    catalog,
    rng.weighted([
      [1, 72],
      [2, 17],
      [3, 7],
      [4, 4],
    ] as const),
  );
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
      plannedShippingDate: "",
      invoiceNumberUploadDate,
      extraProperties: {},
      pricingBadge: rng.chance(0.05),
      usedProduct: false,
      confirmDate,
      deliveryChargeTypeName: charged ? "유료" : "무료",
      upBundleItem: false,
      canceled: false,
    };
  });

  let deliveryCompanyName = "";
  let invoiceNumber = "";
  if (tracked) ({ deliveryCompanyName, invoiceNumber } = trackedInvoice(rng));
  else if (status === "NONE_TRACKING") {
    deliveryCompanyName = DIRECT_DELIVERY_NAME;
    invoiceNumber = directInvoiceNumber(rng);
  }

  return {
    shipmentBoxId: frame.shipmentBoxId,
    orderId: frame.orderId,
    orderedAt: formatKstDateTime(frame.orderedAtMs),
    orderer: { ...parties.orderer },
    paidAt: formatKstDateTime(paidAtMs),
    status,
    shippingPrice,
    remotePrice: parties.remotePrice,
    remoteArea: parties.remotePrice !== null,
    parcelPrintMessage: parties.parcelPrintMessage,
    splitShipping: false,
    ableSplitShipping: orderItems.length > 1 && (status === "ACCEPT" || status === "INSTRUCT"),
    receiver: { ...parties.receiver },
    orderItems,
    overseaShippingInfoDto: { personalCustomsClearanceCode: "", ordererSsn: "", ordererPhoneNumber: "" },
    deliveryCompanyName,
    invoiceNumber,
    inTrasitDateTime: transitAt !== undefined ? formatKstDateTimeSpaced(transitAt) : "",
    deliveredDate: deliveredAt !== undefined ? formatKstDateTimeSpaced(deliveredAt) : "",
    refer: parties.refer,
    isCod: false,
    extraProperties: {},
  };
}

/**
 * Generates one vendor's shipment boxes (coupang-api.md §2.1 shape), deterministically: the
 * result depends only on `params`. Orders have one box (92%) or two; `orderId` has 13
 * digits, `shipmentBoxId` 18, both increasing with `orderedAt` like Coupang's sequences.
 * `paidAt` follows `orderedAt` by 3 s–30 min; status follows the box's age at the anchor
 * (see `STATUS_BY_AGE`), and shipping fields are filled only for the statuses that have them.
 *
 * Three kinds of sub-stream keep boxes independent of each other: one draws the order
 * skeleton (times, box counts, ID gaps), one per order draws buyer and address, one per box
 * draws status, items and shipping. A later lazy generator can therefore rebuild any single
 * box from its index without generating the rest.
 */
export function generateVendorOrders(params: GenerateVendorParams): GeneratedBoxes {
  const { seed, vendorId, vendorIndex, anchorMs } = params;
  const rng = new Prng(hashSeed(seed, vendorId, "catalog"));
  const faker = new Faker({ locale: [ko, en, base], randomizer: rng });
  const catalog = buildCatalog(rng, vendorIndex);

  rng.seed(hashSeed(seed, vendorId, "skeleton"));
  const spanMs = params.days * DAY;
  const skeletons: { orderedAtMs: number; paidAtMs: number; boxes: number }[] = [];
  for (let remaining = params.boxes; remaining > 0;) {
    const boxes = Math.min(remaining, rng.chance(0.08) ? 2 : 1);
    const delayMs = payDelaySeconds(rng) * SECOND;
    const orderedAtMs = sampleOrderedAt(rng, anchorMs - delayMs, Math.max(0, spanMs - delayMs));
    skeletons.push({ orderedAtMs, paidAtMs: orderedAtMs + delayMs, boxes });
    remaining -= boxes;
  }
  skeletons.sort((a, b) => a.orderedAtMs - b.orderedAtMs || a.paidAtMs - b.paidAtMs);

  const v = BigInt(vendorIndex);
  let orderId = 2_000_000_000_000n + v * 10_000_000_000n + BigInt(rng.int(0, 99_999_999));
  let shipmentBoxId = 300_000_000_000_000_000n + v * 1_000_000_000_000_000n + BigInt(rng.uint32()) * 1000n;
  const gaps = skeletons.map(() => ({ order: rng.int(1, 400), box: rng.int(1, 3000) }));

  const orders: OrderSheet[] = [];
  const orderedAtMs = new Float64Array(params.boxes);
  const paidAtMs = new Float64Array(params.boxes);
  skeletons.forEach((skeleton, orderIndex) => {
    const gap = gaps[orderIndex] ?? { order: 1, box: 1 };
    orderId += BigInt(gap.order);
    shipmentBoxId += BigInt(gap.box);
    rng.seed(hashSeed(seed, vendorId, "order", orderIndex));
    const parties = orderParties(rng, faker);
    for (let b = 0; b < skeleton.boxes; b++) {
      const boxIndex = orders.length;
      rng.seed(hashSeed(seed, vendorId, "box", boxIndex));
      // Boxes of one order are split at checkout, so their IDs are adjacent.
      if (b > 0) shipmentBoxId += BigInt(rng.int(1, 3));
      orders.push(
        buildBox(rng, catalog, {
          shipmentBoxId,
          orderId,
          orderedAtMs: skeleton.orderedAtMs,
          paidAtMs: skeleton.paidAtMs,
          anchorMs,
          parties,
        }),
      );
      orderedAtMs[boxIndex] = skeleton.orderedAtMs;
      paidAtMs[boxIndex] = skeleton.paidAtMs;
    }
  });
  return { orders, orderedAtMs, paidAtMs };
}

import type { Prng } from "./prng.js";

/**
 * Coupang's carrier codes (`deliveryCompanyCode`, coupang-api.md §4.3) with the display name
 * the PO list shows as `deliveryCompanyName`, the invoice-number lengths the current doc
 * gives, and the share of generated shipments. Codes are not the obvious names: Lotte is
 * `HYUNDAI`, Logen is `KGB`; `LOTTE`, `LOGEN` and `CVSNET` are not codes (a 500 on upload).
 */
export interface Carrier {
  code: string;
  /** `deliveryCompanyName` in the PO list (§2.1), e.g. `CJ 대한통운`. */
  name: string;
  /** Allowed invoice-number lengths in digits; `undefined` = any 8–20 digits (no count documented). */
  digits?: readonly number[];
  /** Relative share among generated tracked shipments; 0 = never generated. */
  weight: number;
}

const range = (from: number, to: number): number[] =>
  Array.from({ length: to - from + 1 }, (_, i) => from + i);

// prettier-ignore
const CARRIERS: readonly Carrier[] = [
  { code: "CJGLS", name: "CJ 대한통운", digits: [10, 12], weight: 50 },
  { code: "HYUNDAI", name: "롯데택배", digits: [10, 12, 13], weight: 15 },
  { code: "HANJIN", name: "한진택배", digits: [10, 12], weight: 14 },
  { code: "KGB", name: "로젠택배", digits: [10, 11], weight: 10 },
  { code: "EPOST", name: "우체국택배", digits: [13], weight: 9 },
  { code: "KDEXP", name: "경동택배", digits: range(8, 16), weight: 2 },
  { code: "KOREX", name: "대한통운", digits: [10, 12], weight: 0 },
  { code: "ILYANG", name: "일양로지스", digits: range(8, 16), weight: 0 },
  { code: "CHUNIL", name: "천일택배", digits: [11], weight: 0 },
  { code: "DAESIN", name: "대신택배", digits: [13], weight: 0 },
  { code: "CVS", name: "CVS택배", digits: [10, 12], weight: 0 },
  { code: "HDEXP", name: "합동택배", digits: range(8, 16), weight: 0 },
  { code: "DHL", name: "DHL", digits: [10, 13, 20], weight: 0 },
  { code: "UPS", name: "UPS", digits: [9, 18], weight: 0 },
  { code: "AJOU", name: "아주택배", weight: 0 },
  { code: "CSLOGIS", name: "SC로지스", weight: 0 },
  ...["FEDEX", "REGISTPOST", "COUPANG", "IQS", "EMS", "TNT", "USPS", "IPARCEL", "GSMNTON", "SWGEXP", "PANTOS",
    "ACIEXPRESS", "DAEWOON", "AIRBOY", "KGLNET", "KUNYOUNG", "SLX", "HONAM", "LINEEXPRESS", "TWOFASTEXP", "ECMS",
    "SELC", "WONDERS", "YONGMA", "SEBANG", "NHLOGIS", "LOTTEGLOBAL", "GSIEXPRESS", "EFS", "DHLGLOBALMAIL", "DONGBU",
    "DADREAM", "SFEXPRESS"].map((code) => ({ code, name: code, weight: 0 })),
  // KGB택배: the 2019 doc table writes KGBPS, the 2019 JS bundle KGBLS (§4.3, unclear); both are accepted.
  { code: "KGBPS", name: "KGB택배", weight: 0 },
  { code: "KGBLS", name: "KGB택배", weight: 0 },
];

/** The seller's own delivery (§0.9): any number, never tracked, ends as NONE_TRACKING. */
export const DIRECT: Carrier = { code: "DIRECT", name: "업체직송", weight: 0 };

const BY_CODE = new Map<string, Carrier>([...CARRIERS, DIRECT].map((c) => [c.code, c]));

/**
 * Goodsflow spellings the exchange-invoice endpoint's 2019 example uses (§8.2,
 * `goodsDeliveryCode: "coupangls"`), mapped to Coupang codes. Matching is case-insensitive.
 */
const GOODSFLOW_ALIASES = new Map([
  ["COUPANGLS", "COUPANG"],
  ["CVSNET", "CVS"],
  ["LINEEXP", "LINEEXPRESS"],
  ["2FASTEXP", "TWOFASTEXP"],
]);

/** The carrier of a `deliveryCompanyCode` (exact, upper case), or `undefined` for an unknown code. */
export function carrierByCode(code: string): Carrier | undefined {
  return BY_CODE.get(code);
}

/** The carrier of an exchange invoice's `goodsDeliveryCode`: a Coupang code or a Goodsflow alias, any case. */
export function carrierByGoodsflowCode(code: string): Carrier | undefined {
  const upper = code.toUpperCase();
  return BY_CODE.get(GOODSFLOW_ALIASES.get(upper) ?? upper);
}

/**
 * True when `invoiceNumber` has a format `carrier` issues: the documented digit counts, 8–20
 * digits where none is documented, anything non-blank up to 50 characters for `DIRECT`.
 */
export function invoiceNumberFits(carrier: Carrier, invoiceNumber: string): boolean {
  if (carrier.code === DIRECT.code) return invoiceNumber.trim() !== "" && invoiceNumber.length <= 50;
  if (!/^\d+$/.test(invoiceNumber)) return false;
  return carrier.digits === undefined
    ? invoiceNumber.length >= 8 && invoiceNumber.length <= 20
    : carrier.digits.includes(invoiceNumber.length);
}

const GENERATED = CARRIERS.filter((c) => c.weight > 0).map((c) => [c, c.weight] as const);

/** A generated tracked shipment: a carrier by market share and a number of one of its lengths, never starting with 0. */
export function drawTrackedInvoice(rng: Prng): { carrier: Carrier; invoiceNumber: string } {
  const carrier = rng.weighted(GENERATED);
  const length = rng.pick(carrier.digits ?? [12]);
  return { carrier, invoiceNumber: `${rng.int(1, 9)}${rng.digits(length - 1)}` };
}

/** A seller-entered number for a generated `DIRECT` delivery: 8–12 digits. */
export function drawDirectNumber(rng: Prng): string {
  return `${rng.int(1, 9)}${rng.digits(rng.int(7, 11))}`;
}

import { isCodeOf } from "./codes.js";

/**
 * How many digits an invoice (tracking) number of a carrier has, from the current carrier-code
 * page (coupang-api.md §4.3): exact lengths, an inclusive range, any digits (no documented
 * rule), or anything non-empty (`DIRECT`, the seller's own untracked delivery).
 */
export type InvoiceDigitRule =
  | { kind: "lengths"; lengths: readonly number[] }
  | { kind: "range"; min: number; max: number }
  | { kind: "digits" }
  | { kind: "any" };

/** One carrier of {@link DELIVERY_COMPANIES}. */
export interface DeliveryCompany {
  /** The carrier's Korean name as Coupang lists it. */
  label: string;
  rule: InvoiceDigitRule;
  /**
   * `current`: on the current carrier page (crawl of CC:360034156033, cut off after UPS);
   * `2019`: only in the 2019 list, not re-checked; `unclear`: the 2019 sources disagree.
   */
  source: "current" | "2019" | "unclear";
}

const lengths = (...n: number[]): InvoiceDigitRule => ({ kind: "lengths", lengths: n });
const range = (min: number, max: number): InvoiceDigitRule => ({ kind: "range", min, max });
const DIGITS: InvoiceDigitRule = { kind: "digits" };
const current = (label: string, rule: InvoiceDigitRule): DeliveryCompany => ({
  label,
  rule,
  source: "current",
});
const legacy = (label: string): DeliveryCompany => ({ label, rule: DIGITS, source: "2019" });

/**
 * Coupang's carrier codes (`deliveryCompanyCode`, `goodsDeliveryCode`), coupang-api.md §4.3,
 * with Korean labels and invoice-number digit rules. The codes are not the obvious names:
 * Lotte is `HYUNDAI`, Logen is `KGB`, the convenience-store parcel is `CVS`. An unknown code
 * makes Coupang answer `500 internal exception`, so the client refuses it before calling.
 *
 * Not confirmed (coupang-api.md §0 "Not confirmed"): the current list is only known up to
 * `UPS`; the rest is the 2019 list. `DADREAM` and `SFEXPRESS` are in both 2019 tables
 * (D19 lookup-delivery-code) though the notes' summary omits them. `KGBPS`/`KGBLS` (KGB택배)
 * differ between two 2019 sources; both are accepted.
 */
export const DELIVERY_COMPANIES = {
  HYUNDAI: current("롯데택배", lengths(10, 12, 13)),
  KGB: current("로젠택배", lengths(10, 11)),
  EPOST: current("우체국", lengths(13)),
  HANJIN: current("한진택배", lengths(10, 12)),
  CJGLS: current("CJ대한통운", lengths(10, 12)),
  KOREX: current("대한통운 (CJ대한통운에 합병)", lengths(10, 12)),
  KDEXP: current("경동택배", range(8, 16)),
  DIRECT: current("업체직송", { kind: "any" }),
  ILYANG: current("일양택배", range(8, 16)),
  CHUNIL: current("천일특송", lengths(11)),
  AJOU: current("아주택배", DIGITS),
  CSLOGIS: current("SC로지스", DIGITS),
  DAESIN: current("대신택배", lengths(13)),
  CVS: current("CVS택배", lengths(10, 12)),
  HDEXP: current("합동택배", range(8, 16)),
  DHL: current("DHL", lengths(10, 13, 20)),
  UPS: current("UPS", lengths(9, 18)),
  FEDEX: legacy("FEDEX"),
  REGISTPOST: legacy("우편등기"),
  COUPANG: legacy("쿠팡자체배송"),
  IQS: legacy("굿스포스트"),
  EMS: legacy("우체국 EMS"),
  TNT: legacy("TNT"),
  USPS: legacy("USPS"),
  IPARCEL: legacy("i-parcel"),
  GSMNTON: legacy("GSM NtoN"),
  SWGEXP: legacy("성원글로벌"),
  PANTOS: legacy("범한판토스"),
  ACIEXPRESS: legacy("ACI Express"),
  DAEWOON: legacy("대운글로벌"),
  AIRBOY: legacy("에어보이익스프레스"),
  KGLNET: legacy("KGL네트웍스"),
  KUNYOUNG: legacy("건영택배"),
  SLX: legacy("SLX택배"),
  HONAM: legacy("호남택배"),
  LINEEXPRESS: legacy("LineExpress"),
  TWOFASTEXP: legacy("2FastsExpress"),
  ECMS: legacy("ECMS익스프레스"),
  SELC: legacy("삼성직배송"),
  WONDERS: legacy("원더스퀵"),
  YONGMA: legacy("용마로지스"),
  SEBANG: legacy("세방택배"),
  NHLOGIS: legacy("농협택배"),
  LOTTEGLOBAL: legacy("롯데글로벌"),
  GSIEXPRESS: legacy("GSI익스프레스"),
  EFS: legacy("EFS"),
  DHLGLOBALMAIL: legacy("DHL GlobalMail"),
  DONGBU: legacy("드림택배 (구 KG로지스)"),
  DADREAM: legacy("다드림"),
  SFEXPRESS: legacy("순풍택배"),
  KGBPS: { label: "KGB택배", rule: DIGITS, source: "unclear" },
  KGBLS: { label: "KGB택배", rule: DIGITS, source: "unclear" },
} as const satisfies Record<string, DeliveryCompany>;

/** A carrier code of {@link DELIVERY_COMPANIES}. */
export type DeliveryCompanyCode = keyof typeof DELIVERY_COMPANIES;

/**
 * Codes that look right but are refused by Coupang, with what to send instead or why
 * (coupang-api.md §0.9, §4.3): `LOTTE` → `HYUNDAI`, `LOGEN` → `KGB`, `KYUNGDONG` → `KDEXP`,
 * `CVSNET` → `CVS`; `INNOGIS` (GTX로지스) is defunct.
 */
export const REFUSED_CARRIER_CODES: Readonly<Record<string, string>> = {
  LOTTE: "use HYUNDAI for 롯데택배",
  LOGEN: "use KGB for 로젠택배",
  KYUNGDONG: "use KDEXP for 경동택배",
  CVSNET: "use CVS for CVS택배",
  INNOGIS: "GTX로지스 is defunct",
};

/** The outcome of {@link checkInvoiceNumber}: `reason` says what is wrong, in English. */
export type InvoiceNumberCheck = { ok: true } | { ok: false; reason: string };

function describeRule(rule: InvoiceDigitRule): string {
  switch (rule.kind) {
    case "lengths":
      return `${rule.lengths.join(" or ")} digits`;
    case "range":
      return `${rule.min} to ${rule.max} digits`;
    case "digits":
      return "digits only";
    case "any":
      return "any non-empty text";
  }
}

/**
 * Checks an invoice number against the carrier's documented digit rule (coupang-api.md §4.3)
 * before it is sent: a wrong format makes Coupang answer `500 internal exception` (§4.1).
 *
 * - an unknown or refused carrier code fails, naming the replacement (`LOGEN` → use `KGB`);
 * - `DIRECT` accepts any non-empty text (the seller's own delivery is never tracked);
 * - carriers with a documented rule need exactly that many digits (`CJGLS`: 10 or 12);
 * - carriers without a documented rule accept any non-empty run of digits.
 *
 * Digits only: hyphens and spaces are refused, not stripped, so what is checked is what is sent.
 * Never throws.
 */
export function checkInvoiceNumber(carrier: string, invoiceNumber: string): InvoiceNumberCheck {
  if (!isCodeOf(DELIVERY_COMPANIES, carrier)) {
    const refused = REFUSED_CARRIER_CODES[carrier];
    return {
      ok: false,
      reason:
        refused === undefined
          ? `unknown carrier code ${JSON.stringify(carrier)}`
          : `carrier code ${carrier} is not accepted by Coupang: ${refused}`,
    };
  }
  const { rule, label } = DELIVERY_COMPANIES[carrier] as DeliveryCompany;
  if (rule.kind === "any") {
    return invoiceNumber.trim() === ""
      ? { ok: false, reason: `${carrier} needs a non-empty invoice number` }
      : { ok: true };
  }
  const digits = /^\d+$/.test(invoiceNumber);
  const length = invoiceNumber.length;
  const fits =
    digits &&
    (rule.kind === "digits" ||
      (rule.kind === "lengths" && rule.lengths.includes(length)) ||
      (rule.kind === "range" && length >= rule.min && length <= rule.max));
  return fits
    ? { ok: true }
    : {
        ok: false,
        reason: `${carrier} (${label}) invoice numbers are ${describeRule(rule)}; got ${JSON.stringify(invoiceNumber)}`,
      };
}

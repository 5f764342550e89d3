import type { Prng } from "./prng.js";

/**
 * A seller's catalog: what a generated order can contain. Each vendor gets its own catalog
 * (brands, prices, IDs) drawn from its own seed stream, built from the product templates
 * below. Prices are KRW; every sales price is a multiple of 10, most of 100.
 */

type ChargeRule = "free" | "paid" | "conditional";

interface ProductTemplate {
  name: string;
  /** Option dimensions, e.g. `[["블랙","화이트"],["M","L"]]`; `[]` for a single-option product. */
  options: readonly (readonly string[])[];
  /** Inclusive KRW range for the base price. */
  price: readonly [number, number];
  charge: ChargeRule;
  /** Prompt for buyer input on made-to-order items (§2.1 `etcInfoHeader`) and sample answers. */
  custom?: { header: string; answers: readonly string[] };
}

// prettier-ignore
const TEMPLATES: readonly ProductTemplate[] = [
  { name: "무선 블루투스 이어폰 노이즈캔슬링", options: [["블랙", "화이트", "네이비"]], price: [29000, 79000], charge: "free" },
  { name: "고속충전 USB-C 케이블 1.5m", options: [["1개", "2개입", "3개입"]], price: [5000, 15000], charge: "conditional" },
  { name: "남성 기본 라운드 반팔 티셔츠", options: [["블랙", "화이트", "그레이", "네이비"], ["M", "L", "XL"]], price: [9000, 19000], charge: "paid" },
  { name: "여성 와이드 데님 팬츠", options: [["연청", "진청"], ["S", "M", "L"]], price: [25000, 45000], charge: "free" },
  { name: "유기농 현미 4kg", options: [], price: [15000, 25000], charge: "free" },
  { name: "제주 감귤 5kg 로얄과", options: [["소과", "중과", "대과"]], price: [18000, 32000], charge: "free" },
  { name: "무항생제 1등급 계란 30구", options: [], price: [8000, 12000], charge: "paid" },
  { name: "스테인리스 텀블러 500ml 이름 각인", options: [["실버", "블랙", "민트"]], price: [15000, 25000], charge: "paid",
    custom: { header: "각인 문구를 입력해 주세요 (한글 10자 이내)", answers: ["사랑해", "생일 축하해", "우리 가족", "HAPPY DAY", "수고했어"] } },
  { name: "대용량 액체 세탁세제 3L", options: [["일반용", "드럼용"]], price: [9000, 19000], charge: "conditional" },
  { name: "3겹 천연펄프 화장지 30롤", options: [], price: [14000, 24000], charge: "free" },
  { name: "강아지 닭가슴살 져키 300g", options: [["오리지널", "고구마"]], price: [7000, 15000], charge: "conditional" },
  { name: "고양이 두부모래 7L", options: [["오리지널", "녹차", "복숭아"], ["1개", "3개"]], price: [8000, 25000], charge: "conditional" },
  { name: "스마트폰 강화유리 보호필름 2매", options: [["갤럭시 S24", "갤럭시 S25", "아이폰 15", "아이폰 16"]], price: [3000, 9000], charge: "paid" },
  { name: "LED 무드등 수면등", options: [["웜화이트", "RGB"]], price: [12000, 28000], charge: "free" },
  { name: "에어프라이어 종이호일 100매", options: [["20cm", "23cm"]], price: [5000, 9000], charge: "paid" },
  { name: "캠핑 접이식 의자", options: [["카키", "베이지", "블랙"]], price: [25000, 59000], charge: "free" },
  { name: "TPE 요가매트 10mm", options: [["퍼플", "민트", "그레이"]], price: [12000, 25000], charge: "free" },
  { name: "비타민C 1000mg 180정", options: [], price: [15000, 29000], charge: "free" },
  { name: "아기 물티슈 캡형 100매 10팩", options: [], price: [12000, 19000], charge: "free" },
  { name: "극세사 무릎담요", options: [["그레이", "핑크", "아이보리"]], price: [9000, 16000], charge: "conditional" },
  { name: "방수 데일리 백팩 20L", options: [["블랙", "네이비", "카키"]], price: [29000, 69000], charge: "free" },
  { name: "경량 쿠션 러닝화", options: [["블랙", "화이트"], ["250", "260", "270", "280"]], price: [39000, 89000], charge: "free" },
  { name: "국산 참기름 350ml", options: [], price: [9000, 18000], charge: "paid" },
  { name: "즉석밥 210g 24개입", options: [], price: [19000, 26000], charge: "free" },
  { name: "핸드드립 원두 커피 1kg", options: [["홀빈", "분쇄(핸드드립)", "분쇄(에스프레소)"]], price: [18000, 35000], charge: "free" },
  { name: "USB 미니 가습기", options: [["화이트", "핑크"]], price: [12000, 25000], charge: "paid" },
  { name: "차량용 스마트폰 거치대", options: [["송풍구형", "대시보드형"]], price: [9000, 22000], charge: "conditional" },
  { name: "실리콘 조리도구 5종 세트", options: [["그레이", "베이지"]], price: [15000, 29000], charge: "free" },
  { name: "여성 루즈핏 니트 가디건", options: [["아이보리", "베이지", "블랙"], ["FREE"]], price: [19000, 39000], charge: "free" },
  { name: "어린이 그림책 세트 10권", options: [], price: [25000, 49000], charge: "free" },
  { name: "A4 복사용지 80g 500매 5권", options: [], price: [22000, 29000], charge: "free" },
  { name: "저소음 무선 마우스", options: [["블랙", "화이트", "핑크"]], price: [9000, 25000], charge: "conditional" },
  { name: "핸드워시 500ml 3개", options: [["레몬", "무향"]], price: [8000, 15000], charge: "paid" },
  { name: "이니셜 각인 가죽 키링", options: [["브라운", "블랙"]], price: [9000, 19000], charge: "paid",
    custom: { header: "이니셜을 입력해 주세요 (영문 3자)", answers: ["JSK", "MIN", "LEE", "K.H", "SY"] } },
];

const BRANDS = [
  "데일리하우스",
  "바른생활",
  "하루템",
  "오늘의식탁",
  "스마트라이프",
  "코지홈",
  "그린팜",
  "펫플러스",
  "모닝글로우",
  "라온",
] as const;

/** How a product charges shipping (§2.1 `shippingPrice`, `deliveryChargeTypeName`). */
export interface ShippingRule {
  charge: ChargeRule;
  /** KRW fee when charged. */
  fee: number;
  /** KRW box subtotal from which a `conditional` product ships free. */
  freeFrom: number;
}

/** One orderable option (a Coupang "vendor item") with everything an order line copies from it. */
export interface VendorItem {
  productId: bigint;
  sellerProductId: bigint;
  sellerProductName: string;
  vendorItemId: bigint;
  /** `상품명, 옵션1, 옵션2` as shown on the site. */
  vendorItemName: string;
  /** Registered option name, options joined by a space. */
  sellerProductItemName: string;
  /** First registered option name, options joined by `/`. */
  firstSellerProductItemName: string;
  /** Unit price in KRW, a multiple of 10. */
  salesPrice: number;
  externalVendorSkuCode: string;
  custom: ProductTemplate["custom"];
  shipping: ShippingRule;
  /** Relative popularity. */
  weight: number;
}

/** A vendor's catalog, ready for weighted picks. */
export interface Catalog {
  items: readonly VendorItem[];
  weighted: readonly (readonly [VendorItem, number])[];
}

/** Cartesian product of option dimensions; one empty combination when there are none. */
function combinations(dims: readonly (readonly string[])[]): string[][] {
  let out: string[][] = [[]];
  for (const dim of dims) out = out.flatMap((prefix) => dim.map((value) => [...prefix, value]));
  return out;
}

/** A KRW price as shops write them: `x,000`, `x,900` or `x,990`. */
function shopPrice(rng: Prng, min: number, max: number): number {
  const thousands = Math.round(rng.int(min, max) / 1000) * 1000;
  return (
    thousands -
    rng.weighted([
      [0, 40],
      [100, 40],
      [10, 20],
    ] as const)
  );
}

/**
 * Builds vendor `vendorIndex`'s catalog from `rng`. IDs live in per-vendor ranges so they
 * never collide between vendors: `productId` and `sellerProductId` have 10 digits,
 * `vendorItemId` 11 digits, for each of the world's up to 1,000 vendors. Each range is wider than
 * a catalog can reach: its random start plus every template's or item's largest step.
 */
export function buildCatalog(rng: Prng, vendorIndex: number): Catalog {
  const v = BigInt(vendorIndex);
  let productId = 7_000_000_000n + v * 3_000_000n + BigInt(rng.int(0, 999_999));
  let sellerProductId = 1_000_000_000n + v * 2_000_000n + BigInt(rng.int(0, 999_999));
  let vendorItemId = 70_000_000_000n + v * 20_000_000n + BigInt(rng.int(0, 9_999_999));
  const skuPrefix = rng.pick(["SKU", "HM", "DL", "GR", "PT"]);
  const items: VendorItem[] = [];
  TEMPLATES.forEach((template, t) => {
    productId += BigInt(rng.int(1, 50_000));
    sellerProductId += BigInt(rng.int(1, 20_000));
    const name = `${rng.pick(BRANDS)} ${template.name}`;
    const base = shopPrice(rng, template.price[0], template.price[1]);
    const shipping: ShippingRule = {
      charge: template.charge,
      fee: template.charge === "free" ? 0 : rng.pick([2500, 3000, 3500]),
      freeFrom: rng.pick([19800, 30000]),
    };
    const popularity = rng.float(0.2, 3);
    const hasSku = rng.chance(0.8);
    const combos = combinations(template.options);
    combos.forEach((combo, o) => {
      vendorItemId += BigInt(rng.int(1, 300));
      // Larger sizes and multi-packs cost a little more.
      const salesPrice = base + (o > 0 && rng.chance(0.3) ? 1000 * rng.int(1, 3) : 0);
      items.push({
        productId,
        sellerProductId,
        sellerProductName: name,
        vendorItemId,
        vendorItemName: combo.length === 0 ? name : `${name}, ${combo.join(", ")}`,
        sellerProductItemName: combo.length === 0 ? "단일상품" : combo.join(" "),
        firstSellerProductItemName: combo.length === 0 ? "단일상품" : combo.join("/"),
        salesPrice,
        externalVendorSkuCode: hasSku
          ? `${skuPrefix}-${String(t + 1).padStart(3, "0")}-${String(o + 1).padStart(2, "0")}`
          : "",
        custom: template.custom,
        shipping,
        weight: popularity / Math.max(1, combos.length / 2),
      });
    });
  });
  return { items, weighted: items.map((item) => [item, item.weight] as const) };
}

import type { Faker } from "@faker-js/faker";
import type { Prng } from "./prng.js";
import type { Receiver } from "./types.js";

// Korean address and delivery vocabulary for the generator. Postal codes are the real 5-digit
// ranges of each province (국가기초구역번호), weights roughly follow population, and road names
// come from Faker's `ko` locale.

/** A province (시·도) with a few of its districts. */
interface Region {
  sido: string;
  sigungu: readonly string[];
  /** Inclusive range of 5-digit postal codes in this province. */
  post: readonly [number, number];
  /** Relative share of orders. */
  weight: number;
  /** Surcharge in KRW for island/remote delivery (§2.1 `remotePrice`), when the region is remote. */
  remote?: number;
}

// prettier-ignore
const REGIONS: readonly Region[] = [
  { sido: "서울특별시", sigungu: ["강남구", "서초구", "송파구", "마포구", "관악구", "노원구", "강서구", "영등포구", "성동구", "은평구"], post: [1000, 8999], weight: 19 },
  { sido: "경기도", sigungu: ["수원시 영통구", "성남시 분당구", "고양시 일산동구", "용인시 수지구", "화성시", "부천시", "남양주시", "안산시 단원구", "평택시", "김포시"], post: [10000, 18999], weight: 26 },
  { sido: "인천광역시", sigungu: ["연수구", "남동구", "부평구", "서구", "미추홀구"], post: [21000, 23999], weight: 6 },
  { sido: "부산광역시", sigungu: ["해운대구", "부산진구", "동래구", "사하구", "수영구"], post: [46000, 49999], weight: 6.5 },
  { sido: "대구광역시", sigungu: ["수성구", "달서구", "북구", "동구"], post: [41000, 43999], weight: 4.5 },
  { sido: "광주광역시", sigungu: ["서구", "북구", "광산구"], post: [61000, 62999], weight: 2.8 },
  { sido: "대전광역시", sigungu: ["유성구", "서구", "중구"], post: [34000, 35999], weight: 2.8 },
  { sido: "울산광역시", sigungu: ["남구", "중구", "북구"], post: [44000, 45999], weight: 2.2 },
  { sido: "세종특별자치시", sigungu: [""], post: [30000, 30199], weight: 0.8 },
  { sido: "강원특별자치도", sigungu: ["춘천시", "원주시", "강릉시"], post: [24000, 26999], weight: 3 },
  { sido: "충청북도", sigungu: ["청주시 흥덕구", "충주시", "제천시"], post: [27000, 29999], weight: 3.1 },
  { sido: "충청남도", sigungu: ["천안시 서북구", "아산시", "당진시"], post: [31000, 33999], weight: 4.1 },
  { sido: "전북특별자치도", sigungu: ["전주시 완산구", "익산시", "군산시"], post: [54000, 56999], weight: 3.4 },
  { sido: "전라남도", sigungu: ["여수시", "순천시", "목포시"], post: [57000, 60999], weight: 3.5 },
  { sido: "경상북도", sigungu: ["포항시 남구", "구미시", "경산시"], post: [36000, 40999], weight: 5 },
  { sido: "경상남도", sigungu: ["창원시 성산구", "김해시", "양산시", "진주시"], post: [50000, 53999], weight: 6.4 },
  { sido: "제주특별자치도", sigungu: ["제주시", "서귀포시"], post: [63000, 63644], weight: 1.3, remote: 3000 },
  { sido: "경상북도", sigungu: ["울릉군"], post: [40200, 40240], weight: 0.05, remote: 5000 },
  { sido: "인천광역시", sigungu: ["옹진군"], post: [23100, 23136], weight: 0.05, remote: 5000 },
];
const REGION_WEIGHTS = REGIONS.map((r) => [r, r.weight] as const);

// prettier-ignore
const APARTMENTS = ["래미안", "자이", "푸르지오", "힐스테이트", "e편한세상", "아이파크", "롯데캐슬", "더샵", "SK뷰", "한신", "주공", "현대"] as const;
const VILLAS = ["해피", "그린", "성원", "우성", "청솔", "한솔", "삼익", "동아"] as const;
const BUILDINGS = ["빌라", "하우스", "맨션", "캐슬"] as const;

/** A generated address: the receiver's address fields plus the remote surcharge, if any. */
export interface Address extends Pick<Receiver, "addr1" | "addr2" | "postCode"> {
  remotePrice: number | null;
}

/**
 * A Korean road-name address: `addr1` = province, district, road and building number
 * (`경기도 성남시 분당구 정자일로 95`), `addr2` = the detail line (`래미안아파트 101동 1203호`).
 */
export function koreanAddress(rng: Prng, faker: Faker): Address {
  const region = rng.weighted(REGION_WEIGHTS);
  const sigungu = rng.pick(region.sigungu);
  const road = faker.location.street();
  const building = rng.chance(0.1) ? `${rng.int(1, 300)}-${rng.int(1, 20)}` : String(rng.int(1, 400));
  const addr1 = [region.sido, sigungu, road, building].filter((part) => part !== "").join(" ");
  const kind = rng.weighted([
    ["apartment", 55],
    ["villa", 25],
    ["officetel", 12],
    ["none", 8],
  ] as const);
  let addr2 = "";
  if (kind === "apartment") {
    addr2 = `${rng.pick(APARTMENTS)}아파트 ${rng.int(101, 125)}동 ${rng.int(1, 25)}${String(rng.int(1, 4)).padStart(2, "0")}호`;
  } else if (kind === "villa") {
    const floor = rng.int(1, 5);
    addr2 = `${rng.pick(VILLAS)}${rng.pick(BUILDINGS)} ${floor}0${rng.int(1, 4)}호`;
  } else if (kind === "officetel") {
    addr2 = `${rng.int(2, 20)}층 ${rng.int(1, 30)}호`;
  }
  const postCode = String(rng.int(region.post[0], region.post[1])).padStart(5, "0");
  return { addr1, addr2, postCode, remotePrice: region.remote ?? null };
}

/** Surnames with their rough share of the population (%), so 김/이/박 dominate as they do. */
// prettier-ignore
const SURNAMES: readonly (readonly [string, number])[] = [
  ["김", 21.5], ["이", 14.7], ["박", 8.4], ["최", 4.7], ["정", 4.3], ["강", 2.4], ["조", 2.1], ["윤", 2.1],
  ["장", 2.0], ["임", 1.7], ["한", 1.5], ["오", 1.5], ["서", 1.5], ["신", 1.5], ["권", 1.4], ["황", 1.4],
  ["안", 1.4], ["송", 1.3], ["전", 1.1], ["홍", 1.1], ["유", 1.1], ["고", 0.9], ["문", 0.9], ["양", 0.9],
  ["손", 0.9], ["배", 0.8], ["백", 0.8], ["허", 0.6], ["노", 0.5], ["남", 0.5], ["심", 0.5], ["하", 0.5],
  ["곽", 0.4], ["성", 0.4], ["차", 0.4], ["주", 0.4], ["우", 0.4], ["구", 0.4], ["민", 0.3], ["류", 0.3],
  ["나", 0.3], ["진", 0.3], ["지", 0.3], ["엄", 0.3], ["채", 0.3], ["원", 0.3], ["천", 0.2], ["방", 0.2],
  ["공", 0.2], ["현", 0.2], ["함", 0.2], ["변", 0.2], ["염", 0.2], ["여", 0.2], ["추", 0.1], ["도", 0.1],
  ["석", 0.1], ["선", 0.1], ["설", 0.1], ["마", 0.1], ["길", 0.1], ["연", 0.1], ["위", 0.1], ["표", 0.1],
  ["남궁", 0.05], ["황보", 0.05], ["제갈", 0.02], ["선우", 0.02],
];

/**
 * A masked Korean name as Coupang shows it: every syllable between the first and the last
 * replaced by `*` (`홍길동` → `홍*동`, `남궁민수` → `남**수`, two syllables `이철` → `이*`).
 * Surnames are drawn by population share, given names by Faker's `ko` locale.
 */
export function maskedKoreanName(rng: Prng, faker: Faker): string {
  const chars = [...`${rng.weighted(SURNAMES)}${faker.person.firstName()}`];
  if (chars.length <= 2) return `${chars[0] ?? ""}*`;
  return `${chars[0] ?? ""}${"*".repeat(chars.length - 2)}${chars[chars.length - 1] ?? ""}`;
}

/** A virtual relay number of the form `0503-xxxx-xxxx` (§2.1 `safeNumber`). */
export function safeNumber(rng: Prng): string {
  return `0503-${rng.digits(4)}-${rng.digits(4)}`;
}

/** Delivery notes buyers leave (§2.1 `parcelPrintMessage`), `""` for none. */
export function parcelMessage(rng: Prng): string {
  return rng.weighted([
    ["", 30],
    ["문 앞에 놓아주세요", 25],
    ["부재 시 경비실에 맡겨주세요", 12],
    ["배송 전 연락 바랍니다", 8],
    ["택배함에 넣어주세요", 6],
    ["직접 받겠습니다. 부재 시 문 앞에 놓아주세요", 6],
    ["파손 위험 상품입니다. 조심히 다뤄주세요", 4],
    [`공동현관 비밀번호 #${rng.digits(4)}`, 6],
    ["벨 누르지 말고 노크해 주세요 (아기가 자요)", 3],
  ] as const);
}

/** Sales channel (§2.1 `refer`). */
export function refer(rng: Prng): string {
  return rng.weighted([
    ["안드로이드앱", 40],
    ["아이폰앱", 30],
    ["모바일웹", 15],
    ["PC웹", 15],
  ] as const);
}

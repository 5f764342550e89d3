/**
 * `bigCancelCode` of the seller cancel API (coupang-api.md §5.1): only `CANERR` is accepted.
 * The label is the doc's description of the field (결제완료 상품취소 사유 대분류).
 */
export const BIG_CANCEL_CODES = {
  CANERR: "판매자 취소 (대분류)",
} as const;

/** A code of {@link BIG_CANCEL_CODES}. */
export type BigCancelCode = keyof typeof BIG_CANCEL_CODES;

/**
 * `middleCancelCode` of the seller cancel API (coupang-api.md §5.1), with the Korean labels of
 * the official doc. For an INSTRUCT order Coupang records 배송불만/품절 whatever is sent.
 */
export const MIDDLE_CANCEL_CODES = {
  /** Out of stock: the inventory sync failed. */
  CCTTER: "재고 연동 오류",
  /** Partner-site error: no delivery address could be created. */
  CCPNER: "제휴사이트 오류",
  /** The price was listed wrongly. */
  CCPRER: "가격등재오류",
} as const;

/** A code of {@link MIDDLE_CANCEL_CODES}. */
export type MiddleCancelCode = keyof typeof MIDDLE_CANCEL_CODES;

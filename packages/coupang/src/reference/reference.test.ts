import { describe, expect, it } from "vitest";
import { MIDDLE_CANCEL_CODES } from "./cancel.js";
import { DELIVERY_COMPANIES, checkInvoiceNumber } from "./carriers.js";
import { codesOf, isCodeOf } from "./codes.js";
import { BATCH_RESPONSE_CODES, INVOICE_RESULT_CODES } from "./result-codes.js";
import {
  EXCHANGE_REJECT_CODES,
  EXCHANGE_STATUSES,
  ORDER_STATUS_LABELS,
  RETURN_STATUS_FILTERS,
} from "./statuses.js";
import { VOC_REASON_ALIASES, VOC_REASON_CODES } from "./voc.js";

describe("carrier codes (coupang-api.md §4.3)", () => {
  it("uses Coupang's codes, not the obvious names", () => {
    expect(DELIVERY_COMPANIES.HYUNDAI.label).toBe("롯데택배");
    expect(DELIVERY_COMPANIES.KGB.label).toBe("로젠택배");
    expect(DELIVERY_COMPANIES.CJGLS.label).toBe("CJ대한통운");
    expect(DELIVERY_COMPANIES.CVS.label).toBe("CVS택배");
    expect(DELIVERY_COMPANIES.DIRECT.label).toBe("업체직송");
    for (const wrong of ["LOTTE", "LOGEN", "CVSNET", "KYUNGDONG", "INNOGIS", "cjgls"]) {
      expect(isCodeOf(DELIVERY_COMPANIES, wrong)).toBe(false);
    }
    expect(codesOf(DELIVERY_COMPANIES).slice(0, 3)).toEqual(["HYUNDAI", "KGB", "EPOST"]);
    expect(codesOf(DELIVERY_COMPANIES)).toHaveLength(52);
  });

  it("checks invoice digits per carrier (golden table)", () => {
    const cases: Array<[string, string, true | string]> = [
      ["CJGLS", "123412341234", true],
      ["CJGLS", "1234123412", true],
      ["CJGLS", "12341234123", 'CJGLS (CJ대한통운) invoice numbers are 10 or 12 digits; got "12341234123"'],
      [
        "CJGLS",
        "1234-1234-1234",
        'CJGLS (CJ대한통운) invoice numbers are 10 or 12 digits; got "1234-1234-1234"',
      ],
      ["HYUNDAI", "1234567890123", true],
      [
        "HYUNDAI",
        "12345678901",
        'HYUNDAI (롯데택배) invoice numbers are 10 or 12 or 13 digits; got "12345678901"',
      ],
      ["KGB", "12345678901", true],
      ["EPOST", "1234567890123", true],
      ["EPOST", "123456789012", 'EPOST (우체국) invoice numbers are 13 digits; got "123456789012"'],
      ["KDEXP", "12345678", true],
      ["KDEXP", "1234567890123456", true],
      ["KDEXP", "1234567", 'KDEXP (경동택배) invoice numbers are 8 to 16 digits; got "1234567"'],
      ["CHUNIL", "12345678901", true],
      ["DAESIN", "1234567890123", true],
      ["DHL", "12345678901234567890", true],
      ["UPS", "123456789", true],
      ["UPS", "123456789012345678", true],
      ["AJOU", "1", true],
      ["FEDEX", "123456789012", true],
      ["FEDEX", "ABC123", 'FEDEX (FEDEX) invoice numbers are digits only; got "ABC123"'],
      ["AJOU", "", 'AJOU (아주택배) invoice numbers are digits only; got ""'],
      ["DIRECT", "직접배송-1", true],
      ["DIRECT", " ", "DIRECT needs a non-empty invoice number"],
      ["LOGEN", "12345678901", "carrier code LOGEN is not accepted by Coupang: use KGB for 로젠택배"],
      ["LOTTE", "1234567890", "carrier code LOTTE is not accepted by Coupang: use HYUNDAI for 롯데택배"],
      ["FOO", "1234567890", 'unknown carrier code "FOO"'],
    ];
    for (const [carrier, invoice, expected] of cases) {
      expect(checkInvoiceNumber(carrier, invoice)).toEqual(
        expected === true ? { ok: true } : { ok: false, reason: expected },
      );
    }
  });
});

describe("code tables with Korean labels", () => {
  it("VOC reason codes (§12)", () => {
    expect(VOC_REASON_CODES.CHANGEMIND).toEqual({
      label: "필요 없어짐 (단순 변심)",
      group: "change_of_mind",
    });
    expect(VOC_REASON_CODES.WRONGSIZECOL).toEqual({
      label: "내가 주문한 상품과 다른 색상/사이즈의 상품이 배송됨",
      group: "wrong_item",
    });
    expect(VOC_REASON_CODES.PRICEERROR.label).toBe("잘못된 가격 기재");
    expect(VOC_REASON_CODES.NOTPURCHASABLE.group).toBe("system");
    expect(codesOf(VOC_REASON_CODES)).toHaveLength(44);
    expect(isCodeOf(VOC_REASON_CODES, "CHANGE_MIND")).toBe(false);
    expect(VOC_REASON_ALIASES.CHANGE_MIND).toBe("단순 변심(사유 없음)");
  });

  it("cancel, return, exchange and order codes", () => {
    expect(codesOf(MIDDLE_CANCEL_CODES)).toEqual(["CCTTER", "CCPNER", "CCPRER"]);
    expect(MIDDLE_CANCEL_CODES.CCTTER).toBe("재고 연동 오류");
    expect(RETURN_STATUS_FILTERS).toEqual({
      RU: "출고중지요청",
      UC: "반품접수",
      CC: "반품완료",
      PR: "쿠팡확인요청",
    });
    expect(codesOf(EXCHANGE_STATUSES)).toEqual(["RECEIPT", "PROGRESS", "SUCCESS", "REJECT", "CANCEL"]);
    expect(codesOf(EXCHANGE_REJECT_CODES)).toEqual(["SOLDOUT", "WITHDRAW"]);
    expect(ORDER_STATUS_LABELS.INSTRUCT).toBe("상품준비중");
    expect(INVOICE_RESULT_CODES.INVALID_STATUS.retryRequired).toBe(false);
    expect(INVOICE_RESULT_CODES.DUPLICATE_INVOICE_NUMBER.retryRequired).toBe(true);
    expect(BATCH_RESPONSE_CODES["99"]).toBe("failed");
  });
});

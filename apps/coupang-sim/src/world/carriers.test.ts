import { describe, expect, it } from "vitest";
import { carrierByCode, invoiceNumberFits } from "./carriers.js";

describe("carrier codes (coupang-api.md §4.3)", () => {
  it("knows both 2019 spellings of KGB택배, KGBPS (doc table) and KGBLS (JS bundle), so neither is a 500", () => {
    for (const code of ["KGBPS", "KGBLS"]) {
      const carrier = carrierByCode(code);
      expect(carrier, code).toMatchObject({ code, name: "KGB택배", weight: 0 });
      // No documented digit count: any 8–20 digits, as for the other 2019 codes.
      expect(invoiceNumberFits(carrier!, "123412341234")).toBe(true);
    }
  });

  it("still refuses the obvious-but-wrong names with a 500 (unknown code)", () => {
    for (const code of ["LOTTE", "LOGEN", "KYUNGDONG", "CVSNET", "KGBXX"])
      expect(carrierByCode(code), code).toBeUndefined();
  });
});

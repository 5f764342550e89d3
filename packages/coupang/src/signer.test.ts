import { execFileSync } from "node:child_process";
import { createHmac } from "node:crypto";
import { fileURLToPath, pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { authorizationHeader, formatSignedDate, signature } from "./signer.js";

const PATH = "/v2/providers/openapi/apis/api/v4/vendors/A00012345/ordersheets";
const QUERY = "createdAtFrom=2025-07-01&createdAtTo=2025-07-31&maxPerPage=50&status=ACCEPT";
const SECRET = "test-secret-key-0000";
const INSTANT = new Date("2025-07-31T01:30:05.789Z");

describe("formatSignedDate", () => {
  it("formats UTC as yyMMdd'T'HHmmss'Z', dropping milliseconds", () => {
    expect(formatSignedDate(INSTANT)).toBe("250731T013005Z");
    expect(formatSignedDate(new Date("2009-01-02T03:04:05Z"))).toBe("090102T030405Z");
  });

  it("rejects an invalid date", () => {
    expect(() => formatSignedDate(new Date("nope"))).toThrow(RangeError);
  });

  it("gives the same signed-date under TZ=Asia/Seoul and TZ=UTC", () => {
    const signerUrl = pathToFileURL(fileURLToPath(new URL("./signer.ts", import.meta.url))).href;
    const script =
      `const { formatSignedDate } = await import(${JSON.stringify(signerUrl)});` +
      `const d = new Date(${INSTANT.getTime()});` +
      `console.log(JSON.stringify({ signed: formatSignedDate(d), localHour: d.getHours() }));`;
    const run = (tz: string): { signed: string; localHour: number } =>
      JSON.parse(
        execFileSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
          cwd: fileURLToPath(new URL(".", import.meta.url)),
          env: { ...process.env, TZ: tz },
          encoding: "utf8",
        }),
      ) as { signed: string; localHour: number };
    const seoul = run("Asia/Seoul");
    const utc = run("UTC");
    // The children really ran in different zones…
    expect(seoul.localHour).toBe(10);
    expect(utc.localHour).toBe(1);
    // …and still signed the same UTC instant.
    expect(seoul.signed).toBe("250731T013005Z");
    expect(utc.signed).toBe("250731T013005Z");
  });
});

describe("signature", () => {
  it("is lower-case hex HMAC-SHA256 keyed with the secret", () => {
    const message = `250731T013005ZGET${PATH}${QUERY}`;
    const expected = createHmac("sha256", SECRET).update(message, "utf8").digest("hex");
    expect(signature(SECRET, message)).toBe(expected);
    // Fixed vector, computed outside node (openssl dgst -sha256 -hmac).
    expect(expected).toBe("23886f74c6b40091c69f665d5dcb6a84c7dcd6b6c818d4156a521d56089003ed");
  });
});

describe("authorizationHeader", () => {
  it("signs signedDate + METHOD + path + query and formats the CEA header exactly", () => {
    const message = "250731T013005Z" + "GET" + PATH + QUERY;
    const expected = createHmac("sha256", SECRET).update(message).digest("hex");
    const header = authorizationHeader({
      accessKey: "ak-1",
      secretKey: SECRET,
      method: "get",
      path: PATH,
      query: QUERY,
      date: INSTANT,
    });
    expect(header).toBe(
      `CEA algorithm=HmacSHA256, access-key=ak-1, signed-date=250731T013005Z, signature=${expected}`,
    );
    expect(header).not.toContain(SECRET);
  });

  it('signs an empty query as "" (no "?")', () => {
    const expected = createHmac("sha256", SECRET).update(`250731T013005ZPOST${PATH}`).digest("hex");
    const header = authorizationHeader({
      accessKey: "ak",
      secretKey: SECRET,
      method: "POST",
      path: PATH,
      date: INSTANT,
    });
    expect(header.endsWith(`signature=${expected}`)).toBe(true);
  });

  it("refuses a query that starts with ?", () => {
    expect(() =>
      authorizationHeader({
        accessKey: "ak",
        secretKey: SECRET,
        method: "GET",
        path: PATH,
        query: `?${QUERY}`,
      }),
    ).toThrow(/must not start with "\?"/);
  });
});

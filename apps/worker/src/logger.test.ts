import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger } from "./logger.js";

describe("createLogger", () => {
  it("redacts keys and the payload excerpts an error carries", () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const log = createLogger("info", sink);
    const err = Object.assign(new Error("data is not an array"), {
      value: { receiver: { name: "홍길동", addr1: "서울특별시 송파구" } },
      body: '{"data":{"receiver":{"name":"홍길동"}}}',
    });
    log.error({ err, secretKey: "s3cr3t", headers: { authorization: "CEA …" } }, "poll failed");
    const out = lines.join("");
    expect(out).toContain("data is not an array");
    for (const secret of ["홍길동", "송파구", "s3cr3t", "CEA …"]) expect(out).not.toContain(secret);
  });
});

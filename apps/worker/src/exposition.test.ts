import { Counter, Histogram, Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { parseExposition } from "./exposition.js";
import { endpointOf } from "./metrics.js";

describe("parseExposition", () => {
  it("reads what prom-client writes: counters with escaped labels, histograms with their suffixes", async () => {
    const registry = new Registry();
    const counter = new Counter({
      name: "t_calls_total",
      help: "calls",
      labelNames: ["path"],
      registers: [registry],
    });
    counter.inc({ path: 'a "quoted"\\path\nline' }, 3);
    const histogram = new Histogram({
      name: "t_seconds",
      help: "time",
      buckets: [1, 5],
      registers: [registry],
    });
    histogram.observe(2);
    histogram.observe(7);

    const families = parseExposition(await registry.metrics());
    expect(families.get("t_calls_total")).toEqual({
      name: "t_calls_total",
      type: "counter",
      help: "calls",
      samples: [{ name: "t_calls_total", labels: { path: 'a "quoted"\\path\nline' }, value: 3 }],
    });
    const samples = families.get("t_seconds")!.samples.map((s) => [s.name, s.labels.le ?? "", s.value]);
    expect(samples).toEqual([
      ["t_seconds_bucket", "1", 0],
      ["t_seconds_bucket", "5", 1],
      ["t_seconds_bucket", "+Inf", 2],
      ["t_seconds_sum", "", 9],
      ["t_seconds_count", "", 2],
    ]);
  });

  it("names the line that does not parse", () => {
    expect(() => parseExposition("# TYPE a counter\na 1\nb 2\n")).toThrow(
      "metrics line 3 does not parse (sample of b without its # TYPE): b 2",
    );
    expect(() => parseExposition('# TYPE a gauge\na{x="1} 1\n')).toThrow(/line 2 does not parse/);
    expect(() => parseExposition("# TYPE a gauge\na one\n")).toThrow('not a sample value: "one"');
  });
});

describe("endpointOf", () => {
  it("templates every ID, so a label never carries one", () => {
    const v4 = "/v2/providers/openapi/apis/api/v4/vendors/A00012345";
    expect(endpointOf(`${v4}/ordersheets`)).toBe("ordersheets");
    expect(endpointOf(`${v4}/ordersheets/123456789012345678/history`)).toBe("ordersheets/{id}/history");
    expect(endpointOf(`${v4}/10000012345/ordersheets`)).toBe("{id}/ordersheets");
    expect(endpointOf(`${v4}/ordersheets/acknowledgement`)).toBe("ordersheets/acknowledgement");
    expect(endpointOf("/v2/providers/openapi/apis/api/v5/vendors/A00012345/orders/987/cancel")).toBe(
      "orders/{id}/cancel",
    );
    expect(endpointOf("/health")).toBe("other");
  });
});

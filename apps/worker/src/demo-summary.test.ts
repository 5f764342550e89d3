import { describe, expect, it } from "vitest";
import { formatSummary, type Comparison, type StreamTally } from "./demo-summary.js";

const idle: StreamTally = {
  apiCalls: 2,
  pages: 2,
  boxesInserted: 0,
  boxesUpdated: 0,
  itemsInserted: 0,
  itemsUpdated: 0,
  events: 0,
  rejected: 0,
};

/** A comparison of one status and one kind: the database holds `dbBoxes` boxes of the simulator's 3. */
function comparison(dbBoxes: number): Comparison {
  const equal = dbBoxes === 3;
  return {
    rows: [{ status: "ACCEPT", dbBoxes, dbItems: dbBoxes, simBoxes: 3, simItems: 3 }],
    kinds: [
      {
        kind: "shipment_box",
        truthRows: 3,
        dbRows: dbBoxes,
        missing: ["11", "12", "13"].slice(dbBoxes),
        extra: [],
        gone: [],
        rawMismatches: [],
        columnMismatches: [],
        equal,
      },
    ],
    equal,
  };
}

/** The summary's lines for one stream that wrote `tally`, against a database of `dbBoxes` boxes. */
const summary = (tally: StreamTally, dbBoxes: number) =>
  formatSummary({
    streams: [{ stream: "ordersheets", tally }],
    apiCalls: 2,
    simCalls: 2,
    comparison: comparison(dbBoxes),
    seconds: "1.5",
  }).split("\n");

describe("formatSummary", () => {
  it("says a run that wrote nothing found this world when the database equals the simulator", () => {
    const lines = summary(idle, 3);
    expect(lines[5]).toBe("This run wrote nothing: the database already held this world.");
    expect(lines.at(-1)).toBe(
      "The database equals the simulator's ground truth: every box, item, return, withdrawal and exchange, every status and payload field.",
    );
  });

  it("says a run that wrote nothing into a database that differs found another world, and to --reset", () => {
    expect(summary(idle, 0)).toEqual([
      "",
      "Synced in 1.5 s with 2 API calls (the simulator served 2):",
      "",
      "stream                    calls  pages    new  changed  new items  changed items  events  quarantined",
      "ordersheets                   2      2      0        0          0              0       0            0",
      "This run wrote nothing, yet the database differs from the simulator: it holds another world.",
      "",
      "box status                 boxes   items    simulator boxes   items",
      "ACCEPT                         0       0                  3       3  DIFFERS",
      "total                          0       0                  3       3",
      "",
      "entity                   database  simulator  no longer served  missing  extra  mismatched",
      "shipment_box                    0          3                 0        3      0           0  DIFFERS",
      "",
      "The database holds another world (see DIFFERS above): the demo's of an earlier day, or one made with " +
        "other --orders, --seed or --days; the sync resumed from its checkpoints. Run again with --reset.",
    ]);
  });

  it("claims nothing about the run's writes when it wrote some and the database still differs", () => {
    const lines = summary({ ...idle, boxesInserted: 2, itemsInserted: 2, events: 2 }, 2);
    expect(lines.filter((l) => l.startsWith("This run"))).toEqual([]);
    expect(lines.at(-1)).toBe(
      "The database differs from the simulator (see DIFFERS above). If this database holds the demo's world of an " +
        "earlier day, or one made with other --orders, --seed or --days, run again with --reset.",
    );
  });
});

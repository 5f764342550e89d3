import { ORDER_STATUSES } from "@cos/coupang";
import { createPrisma, type PrismaClient } from "@cos/db";
import type { Simulator } from "@cos/coupang-sim";
import type { SyncReport } from "@cos/sync";
import { compareKinds } from "./ground-truth.js";

/** The database beside the simulator's ground truth, per status and box by box. */
export interface Comparison {
  rows: Array<{ status: string; dbBoxes: number; dbItems: number; simBoxes: number; simItems: number }>;
  /** Boxes whose stored raw payload, or a column normalized from it, differs from what the simulator serves. */
  payloadMismatches: number;
  missingBoxes: number;
  extraBoxes: number;
  equal: boolean;
}

/**
 * Compares what the database holds for a vendor with the simulator's ground truth: counts of
 * boxes and items per status, the set of shipmentBoxIds, and every box's and item's raw payload
 * compared as jsonb (so every field and every digit of every ID) with its normalized columns
 * (see `compareKinds`).
 */
export async function compareWithSimulator(
  prisma: PrismaClient,
  sim: Simulator,
  vendorId: string,
): Promise<Comparison> {
  const truth = sim.groundTruth(vendorId);
  const dbBoxes = await prisma.$queryRawUnsafe<Array<{ status: string; boxes: bigint; items: bigint }>>(
    `SELECT b.status, count(DISTINCT b.shipment_box_id) AS boxes, count(i.vendor_item_id) AS items
       FROM shipment_boxes b LEFT JOIN order_items i ON i.shipment_box_id = b.shipment_box_id
      WHERE b.vendor_id = $1 GROUP BY b.status`,
    vendorId,
  );
  const byStatus = new Map(dbBoxes.map((r) => [r.status, r]));
  const rows = ORDER_STATUSES.map((status) => ({
    status,
    dbBoxes: Number(byStatus.get(status)?.boxes ?? 0),
    dbItems: Number(byStatus.get(status)?.items ?? 0),
    simBoxes: truth.boxesByStatus[status] ?? 0,
    simItems: truth.itemsByStatus[status] ?? 0,
  }));
  const [boxes, items] = await compareKinds(prisma, truth, ["shipment_box", "order_item"]);
  // A box differs when its payload or a column normalized from it does; a box the list no longer
  // serves counts as extra here (the demo's world has no cancels or returns).
  const payloadMismatches = new Set([
    ...boxes!.rawMismatches,
    ...boxes!.columnMismatches.map((m) => m.split(" ")[0]),
  ]).size;
  const missingBoxes = boxes!.missing.length;
  const extraBoxes = boxes!.extra.length + boxes!.gone.length;
  const countsEqual = rows.every((r) => r.dbBoxes === r.simBoxes && r.dbItems === r.simItems);
  return {
    rows,
    payloadMismatches,
    missingBoxes,
    extraBoxes,
    equal: countsEqual && missingBoxes === 0 && extraBoxes === 0 && payloadMismatches === 0 && items!.equal,
  };
}

/** The summary the demo prints: a table per status, the run's writes, calls and time. */
export function formatSummary(input: {
  report: SyncReport;
  comparison: Comparison;
  seconds: string;
  simCalls: number;
}): string {
  const { report, comparison, seconds, simCalls } = input;
  const pad = (v: string | number, n: number) => String(v).padStart(n);
  const lines = [
    "",
    `Synced in ${seconds} s with ${report.apiCalls} API calls (${report.pages} pages, ${report.queries} queries); the simulator counted ${simCalls} calls of every stream.`,
    `This run wrote ${report.boxesInserted} new boxes, ${report.boxesUpdated} changed boxes, ${report.itemsInserted} new items, ${report.itemsUpdated} changed items; ${report.rejected} records quarantined.`,
    "",
    `${"status".padEnd(16)}${pad("boxes", 8)}${pad("items", 8)}   ${pad("simulator boxes", 16)}${pad("items", 8)}`,
  ];
  let totals = [0, 0, 0, 0];
  for (const r of comparison.rows) {
    const ok = r.dbBoxes === r.simBoxes && r.dbItems === r.simItems ? "ok" : "DIFFERS";
    lines.push(
      `${r.status.padEnd(16)}${pad(r.dbBoxes, 8)}${pad(r.dbItems, 8)}   ${pad(r.simBoxes, 16)}${pad(r.simItems, 8)}  ${ok}`,
    );
    totals = [
      totals[0]! + r.dbBoxes,
      totals[1]! + r.dbItems,
      totals[2]! + r.simBoxes,
      totals[3]! + r.simItems,
    ];
  }
  lines.push(
    `${"total".padEnd(16)}${pad(totals[0]!, 8)}${pad(totals[1]!, 8)}   ${pad(totals[2]!, 16)}${pad(totals[3]!, 8)}`,
  );
  lines.push("");
  lines.push(
    comparison.equal
      ? "The database equals the simulator's ground truth: every box, item, status and payload field."
      : `The database differs from the simulator: ${comparison.missingBoxes} boxes missing, ${comparison.extraBoxes} extra, ${comparison.payloadMismatches} with different payloads. ` +
          "If this database holds an earlier day's simulated world, run again with --reset.",
  );
  return lines.join("\n");
}

/** Deletes one vendor's synced rows, runs and checkpoint (the demo's --reset). */
export async function resetVendor(databaseUrl: string, vendorId: string): Promise<void> {
  const prisma = createPrisma(databaseUrl, { max: 2 });
  try {
    await prisma.$transaction([
      prisma.$executeRawUnsafe(`DELETE FROM order_items WHERE vendor_id = $1`, vendorId),
      prisma.$executeRawUnsafe(`DELETE FROM shipment_boxes WHERE vendor_id = $1`, vendorId),
      prisma.$executeRawUnsafe(`DELETE FROM sync_checkpoints WHERE vendor_id = $1`, vendorId),
      prisma.$executeRawUnsafe(`DELETE FROM sync_runs WHERE vendor_id = $1`, vendorId),
      prisma.$executeRawUnsafe(`DELETE FROM quarantined_records WHERE vendor_id = $1`, vendorId),
    ]);
  } finally {
    await prisma.$disconnect();
  }
}

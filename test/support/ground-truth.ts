import type { GroundTruth } from "@cos/coupang-sim";
import type { PrismaClient } from "@cos/db";
import { compareKinds, type EntityKind, type KindComparison } from "../../apps/worker/src/ground-truth.js";

export { compareKinds, type EntityKind, type KindComparison };

/**
 * What the acceptance tests check of the whole database after a run against the simulator: the
 * rows per entity kind beside the ground truth (`compareKinds`, shared with the demo), and the
 * change feed's history of every entity ({@link checkChangeFeed}).
 */

/** The entity kinds whose rows carry a status, and where it is stored. */
const STATUS_TABLES: Partial<Record<EntityKind, { table: string; key: string; status: string }>> = {
  shipment_box: { table: "shipment_boxes", key: "shipment_box_id::text", status: "status" },
  return_request: { table: "return_requests", key: "receipt_id::text", status: "receipt_status" },
  exchange_request: { table: "exchange_requests", key: "exchange_id::text", status: "exchange_status" },
};

/** Every entity table the feed reports on, with its key as the feed's `entity_id` spells it. */
const FEED_TABLES: Record<EntityKind, { table: string; key: string }> = {
  shipment_box: { table: "shipment_boxes", key: "shipment_box_id::text" },
  order_item: { table: "order_items", key: "shipment_box_id::text || ':' || vendor_item_id::text" },
  return_request: { table: "return_requests", key: "receipt_id::text" },
  return_item: { table: "return_items", key: "receipt_id::text || ':' || vendor_item_id::text" },
  return_withdrawal: { table: "return_withdrawals", key: "cancel_id::text" },
  exchange_request: { table: "exchange_requests", key: "exchange_id::text" },
  exchange_item: { table: "exchange_items", key: "exchange_item_id::text" },
};

/** What {@link checkChangeFeed} found: empty lists when the feed is a faithful history. */
export interface ChangeFeedCheck {
  /** Events per kind (`created`, `status_changed`, `updated`, `withdrawn`). */
  events: Record<string, number>;
  /** Stored rows whose events do not start with exactly one `created`, or that have none. */
  notCreatedOnce: string[];
  /**
   * `entity id: …` where a status event does not continue the chain (its old status is not the
   * previous new one), an `updated`/`withdrawn` event claims a status other than the current
   * one, or the chain does not end at the stored status.
   */
  brokenChains: string[];
  /** Events repeated with the same (entity, id, kind, old, new, detected_at). */
  duplicates: string[];
  /** Events about an entity this vendor has no row for. */
  orphans: string[];
}

/**
 * Reads the vendor's whole change feed and checks it against the stored rows: every row has
 * exactly one `created` event, first; per entity with a status (boxes, receipts, exchanges), the
 * `status_changed` events form a chain from the created status to the stored one, each old status
 * the previous new one, so every transition the sync saw appears once and in order; no event is
 * repeated; no event names a row that does not exist.
 * @throws Prisma's error when a query fails.
 */
export async function checkChangeFeed(prisma: PrismaClient, vendorId: string): Promise<ChangeFeedCheck> {
  const events = await prisma.$queryRawUnsafe<
    Array<{ entity: string; id: string; kind: string; old: string | null; new: string | null; at: string }>
  >(
    // Ordered by the event id (not the output's `id`, the entity's): the feed's commit order.
    `SELECT entity, entity_id AS id, kind, old_status AS old, new_status AS new, detected_at::text AS at
       FROM change_events e WHERE vendor_id = $1 ORDER BY e.id`,
    vendorId,
  );
  const byEntity = new Map<string, typeof events>();
  const seen = new Set<string>();
  const check: ChangeFeedCheck = {
    events: {},
    notCreatedOnce: [],
    brokenChains: [],
    duplicates: [],
    orphans: [],
  };
  for (const e of events) {
    check.events[e.kind] = (check.events[e.kind] ?? 0) + 1;
    const fingerprint = JSON.stringify([e.entity, e.id, e.kind, e.old, e.new, e.at]);
    if (seen.has(fingerprint)) check.duplicates.push(fingerprint);
    seen.add(fingerprint);
    const key = `${e.entity} ${e.id}`;
    byEntity.set(key, [...(byEntity.get(key) ?? []), e]);
  }
  for (const [entity, { table, key }] of Object.entries(FEED_TABLES) as Array<
    [EntityKind, { table: string; key: string }]
  >) {
    const statusOf = STATUS_TABLES[entity];
    const rows = await prisma.$queryRawUnsafe<Array<{ id: string; status: string | null }>>(
      `SELECT ${key} AS id, ${statusOf ? statusOf.status : "NULL::text"} AS status FROM ${table} WHERE vendor_id = $1`,
      vendorId,
    );
    const stored = new Set<string>();
    for (const row of rows) {
      const name = `${entity} ${row.id}`;
      stored.add(name);
      const history = byEntity.get(name) ?? [];
      if (history[0]?.kind !== "created" || history.filter((e) => e.kind === "created").length !== 1) {
        check.notCreatedOnce.push(name);
        continue;
      }
      if (!statusOf) continue;
      let status = history[0].new;
      for (const e of history.slice(1)) {
        if (e.kind === "status_changed") {
          if (e.old !== status || e.new === status)
            check.brokenChains.push(`${name}: ${e.old}→${e.new} after ${status}`);
          status = e.new;
        } else if (e.new !== status) {
          check.brokenChains.push(`${name}: ${e.kind} claims ${e.new} while ${status}`);
        }
      }
      if (status !== row.status)
        check.brokenChains.push(`${name}: the chain ends at ${status}, stored ${row.status}`);
    }
    for (const name of byEntity.keys())
      if (name.startsWith(`${entity} `) && !stored.has(name)) check.orphans.push(name);
  }
  return check;
}

/**
 * Keys stored more than once for the vendor, as `entity id ×count`, in every entity table the
 * feed reports on: empty while the tables' primary keys hold (a check that a migration did not
 * drop one, and that no writer made a second row for one entity).
 * @throws Prisma's error when a query fails.
 */
export async function duplicateRows(prisma: PrismaClient, vendorId: string): Promise<string[]> {
  const found: string[] = [];
  for (const [entity, { table, key }] of Object.entries(FEED_TABLES)) {
    const rows = await prisma.$queryRawUnsafe<Array<{ id: string; n: number }>>(
      `SELECT ${key} AS id, count(*)::int AS n FROM ${table} WHERE vendor_id = $1 GROUP BY 1 HAVING count(*) > 1`,
      vendorId,
    );
    for (const r of rows) found.push(`${entity} ${r.id} ×${r.n}`);
  }
  return found;
}

/** The kinds to compare for a run that synced `streams` (a stream's kinds are compared only when it ran). */
export function kindsOf(streams: readonly string[]): EntityKind[] {
  const kinds: Record<string, EntityKind[]> = {
    ordersheets: ["shipment_box", "order_item"],
    returnRequests: ["return_request", "return_item"],
    returnWithdrawRequests: ["return_withdrawal"],
    exchangeRequests: ["exchange_request", "exchange_item"],
  };
  return streams.flatMap((s) => kinds[s] ?? []);
}

/** The comparisons of {@link compareKinds} for the kinds of `streams`, keyed by kind. */
export async function compareStreams(
  prisma: PrismaClient,
  gt: GroundTruth,
  streams: readonly string[],
): Promise<Record<string, KindComparison>> {
  return Object.fromEntries((await compareKinds(prisma, gt, kindsOf(streams))).map((c) => [c.kind, c]));
}

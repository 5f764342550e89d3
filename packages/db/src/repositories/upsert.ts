// The batch-upsert machinery shared by every entity table the sync writes (shipment boxes, return
// requests, withdrawals, exchanges and their items): one lock statement and one guarded
// `INSERT … ON CONFLICT` per table, whose result rows become change events and stale reads.
import { type PiiSpec, erasedRawSql } from "./pii.js";
import { type ColumnKind, type SqlClient, quoteIdent, recordsetDefinition, recordsetValue } from "./sql.js";

/**
 * One detected change, to be appended to the change feed by `appendChangeEvents` in the same
 * transaction. `entityId` is the entity's key in decimal, its parts joined by `:` for a compound
 * key (`shipmentBoxId:vendorItemId` for an order item, `receiptId:vendorItemId` for a return
 * item). `changedFields` are the top-level payload fields that differ (empty for `created`).
 * `withdrawn` is a return request whose buyer withdrew it (coupang-api.md §7); `removed` is a
 * child its parent no longer lists (an item moved to a split shipment's new box, §4.1); `erased`
 * an entity whose personal data PII retention erased (`changedFields`: the payload fields touched).
 */
export interface ChangeEventDraft {
  vendorId: string;
  entity:
    | "shipment_box"
    | "order_item"
    | "return_request"
    | "return_item"
    | "return_withdrawal"
    | "exchange_request"
    | "exchange_item";
  entityId: string;
  kind: "created" | "status_changed" | "updated" | "withdrawn" | "removed" | "erased";
  oldStatus: string | null;
  newStatus: string | null;
  changedFields: string[];
}

/** A read that was not applied because it would move an entity's status backwards. */
export interface StatusStaleRead {
  /** The entity's key in decimal (as in {@link ChangeEventDraft.entityId}). */
  entityId: string;
  storedStatus: string;
  readStatus: string;
}

/** The statements of a batch upsert; the upsert takes the batch as `$1` (a jsonb array). */
export interface UpsertStatements {
  /** The conflict target's columns: all the lock reads of each record. */
  key: string[];
  /**
   * Serializes writers of the batch's keys, in key order, before the upsert takes its snapshot.
   * Takes `$1`, a jsonb array of the records' {@link key} columns only.
   */
  lock: string | null;
  /** The upsert, returning one row per written row (`written`) and per ignored stale read (`stale`). */
  upsert: string;
  /**
   * A child table's only: deletes the children of the parents in `$1` (parent records) that the
   * children in `$2` (the batch) no longer name, where the stored parent is the version read;
   * returns each deleted row's `entity_id` and `vendor_id`.
   */
  prune: string | null;
}

/**
 * The guard of an update as SQL over two row aliases: `stored` (the row in the table) and
 * `incoming` (the proposed row). Evaluated twice with the same meaning: by `ON CONFLICT … WHERE`
 * (as the table and `EXCLUDED`) and in the upsert's `cur` CTE to report what it decided.
 */
export type Guard = (stored: string, incoming: string) => string;

/** Extra recordset column of a child batch: the raw_hash of the parent version it came with. */
export const PARENT_RAW_HASH = { column: "parent_raw_hash", kind: "sha256" } as const;

/** How to build the upsert of one table; see {@link upsertStatements}. */
export interface UpsertSpec {
  table: string;
  columns: { column: string; kind: ColumnKind }[];
  /** The conflict target (the primary key), in order. */
  key: string[];
  /** The column compared by the guard and reported as old/new status, or null for none. */
  statusColumn: string | null;
  guard: Guard;
  /**
   * The advisory lock per row: namespace (first key of the two-int form) and the key expression
   * over alias `r`, of {@link key} columns only; null when a parent's lock, already held, covers
   * the row.
   */
  lock: { namespace: number; key: string } | null;
  /**
   * For a child table: the parent table and the key column both share. A child row is written
   * only when the stored parent is the version it came with (its {@link PARENT_RAW_HASH}), i.e.
   * the parent was just written or already identical; children of a stale parent are skipped
   * with it. The parent's statements locked the parent keys, so no other transaction can change
   * that answer before commit.
   */
  parent?: { table: string; key: string };
  /**
   * For a table with a `pii_erased_at` column: its personal data. Once a row is erased, an update
   * keeps it erased — the PII columns stay NULL and `raw` is written with those paths nulled —
   * while every other column takes the read as usual. `raw_hash` stays the hash of the payload as
   * received, so an unchanged re-read is still recognised and writes nothing.
   */
  pii?: PiiSpec;
}

/**
 * Builds the two statements of a batch upsert from `jsonb_to_recordset($1)`.
 *
 * The lock comes first and alone, as advisory locks on the keys (they cover keys with no row yet,
 * which `FOR UPDATE` cannot): once it returns, no other writer holds any key of the batch, so the
 * upsert's snapshot shows their final state. Hash collisions only make two writers wait for each
 * other. The `cur` CTE then reads stored and incoming versions side by side in one index-driven
 * join and evaluates the same guard as `ON CONFLICT`, so the result — what was created, which
 * status moved, which top-level payload fields changed, which reads the guard refused — needs no
 * join against the inserted rows. Every table has `vendor_id`, `raw`, `raw_hash` and `updated_at`.
 */
export function upsertStatements(spec: UpsertSpec): UpsertStatements {
  const table = quoteIdent(spec.table);
  const cols = spec.columns.map((c) => quoteIdent(c.column));
  const keys = spec.key.map(quoteIdent);
  const on = (a: string, b: string) => keys.map((k) => `${a}.${k} = ${b}.${k}`).join(" AND ");
  const updatable = spec.columns.filter((c) => !spec.key.includes(c.column));
  const pii = spec.pii;
  /** The value an update writes to a column: the read's, unless the stored row's PII is erased. */
  const incomingValue = (column: string): string => {
    const value = `EXCLUDED.${quoteIdent(column)}`;
    if (!pii) return value;
    const erased = `${table}."pii_erased_at" IS NOT NULL`;
    if (column === "raw") return `CASE WHEN ${erased} THEN ${erasedRawSql(value, pii)} ELSE ${value} END`;
    return pii.columns.includes(column) ? `CASE WHEN ${erased} THEN NULL ELSE ${value} END` : value;
  };
  const set = [
    ...updatable.map((c) => `${quoteIdent(c.column)} = ${incomingValue(c.column)}`),
    `"updated_at" = now()`,
  ];
  // The read's payload as it will be stored, so changed_fields never names erased data.
  const newRaw = pii
    ? `CASE WHEN t."pii_erased_at" IS NOT NULL THEN ${erasedRawSql(`r."raw"`, pii)} ELSE r."raw" END`
    : `r."raw"`;
  const inputColumns = spec.parent ? [...spec.columns, PARENT_RAW_HASH] : spec.columns;
  const where = spec.parent
    ? `WHERE EXISTS (SELECT 1 FROM ${quoteIdent(spec.parent.table)} p
         WHERE p.${quoteIdent(spec.parent.key)} = r.${quoteIdent(spec.parent.key)}
           AND p."raw_hash" = r.${quoteIdent(PARENT_RAW_HASH.column)})`
    : "";
  const input = `SELECT ${inputColumns.map((c) => `${recordsetValue(c)} AS ${quoteIdent(c.column)}`).join(", ")}
    FROM jsonb_to_recordset($1::jsonb) AS ${recordsetDefinition(inputColumns)}
    ${where}`;
  const status = (alias: string) =>
    spec.statusColumn === null ? "NULL::text" : `${alias}.${quoteIdent(spec.statusColumn)}`;
  const guard = spec.guard;
  const keyColumns = spec.columns.filter((c) => spec.key.includes(c.column));
  return {
    key: [...spec.key],
    // Locks are taken in key order (the subquery's), so two batches cannot deadlock each other.
    lock:
      spec.lock === null
        ? null
        : `SELECT count(pg_advisory_xact_lock(${Math.trunc(spec.lock.namespace)}, hashtext(k::text)))
           FROM (SELECT DISTINCT ${spec.lock.key} AS k
                 FROM jsonb_to_recordset($1::jsonb) AS ${recordsetDefinition(keyColumns)} ORDER BY 1) keys`,
    prune: spec.parent ? pruneStatement(spec, spec.parent) : null,
    upsert: `WITH r AS (${input}),
cur AS (
  SELECT ${keys.map((k) => `r.${k}::text`).join(` || ':' || `)} AS entity_id, r."vendor_id" AS vendor_id,
    t.${keys[0]} IS NULL AS inserted, ${status("t")} AS old_status, ${status("r")} AS new_status,
    t."raw" AS old_raw, ${newRaw} AS new_raw, (t."raw_hash" IS DISTINCT FROM r."raw_hash") AS differs,
    COALESCE(${guard("t", "r")}, false) AS allowed
  FROM r LEFT JOIN ${table} t ON ${on("t", "r")}
),
upserted AS (
  INSERT INTO ${table} (${cols.join(", ")})
  SELECT ${cols.map((c) => `r.${c}`).join(", ")} FROM r
  ORDER BY ${keys.map((k) => `r.${k}`).join(", ")}
  ON CONFLICT (${keys.join(", ")}) DO UPDATE SET ${set.join(", ")}
  WHERE ${guard(table, "EXCLUDED")}
)
SELECT CASE WHEN inserted OR allowed THEN 'written' ELSE 'stale' END AS what, entity_id, vendor_id, inserted,
  old_status, new_status,
  CASE WHEN inserted OR NOT allowed THEN '{}'::text[] ELSE ARRAY(
    SELECT key FROM jsonb_each(new_raw) n FULL JOIN jsonb_each(old_raw) p USING (key)
    WHERE n.value IS DISTINCT FROM p.value ORDER BY key
  ) END AS changed_fields
FROM cur WHERE inserted OR differs`,
  };
}

/**
 * The prune statement of a child table (see {@link UpsertStatements.prune}): a parent's payload
 * lists all its children, so a child it no longer lists has left it (a split shipment moves items
 * to a new box). A parent the guard refused keeps its children, as its stored version differs.
 */
function pruneStatement(spec: UpsertSpec, parent: { table: string; key: string }): string {
  const column = (name: string) => {
    const c = spec.columns.find((col) => col.column === name);
    if (!c) throw new Error(`${spec.table}: no column ${name} to prune by`);
    return c;
  };
  const parentKey = column(parent.key);
  const keyColumns = spec.key.map(column);
  const pk = quoteIdent(parent.key);
  const hash = { column: "raw_hash", kind: "sha256" } as const;
  const keys = spec.key.map(quoteIdent);
  return `WITH incoming AS (
  SELECT ${recordsetValue(parentKey)} AS ${pk}, ${recordsetValue(hash)} AS "raw_hash"
  FROM jsonb_to_recordset($1::jsonb) AS ${recordsetDefinition([parentKey, hash])}
),
keep AS (
  SELECT ${keyColumns.map((c) => `${recordsetValue(c)} AS ${quoteIdent(c.column)}`).join(", ")}
  FROM jsonb_to_recordset($2::jsonb) AS ${recordsetDefinition(keyColumns)}
)
DELETE FROM ${quoteIdent(spec.table)} c
USING incoming i JOIN ${quoteIdent(parent.table)} p ON p.${pk} = i.${pk} AND p."raw_hash" = i."raw_hash"
WHERE c.${pk} = p.${pk}
  AND NOT EXISTS (SELECT 1 FROM keep k WHERE ${keys.map((k) => `k.${k} = c.${k}`).join(" AND ")})
RETURNING ${keys.map((k) => `c.${k}::text`).join(` || ':' || `)} AS entity_id, c."vendor_id" AS vendor_id`;
}

/**
 * `(CASE expr WHEN 'A' THEN 1 … END)`: the rank of a status expression. No ELSE: an unknown
 * status ranks NULL, which {@link rankGuard} treats as "allowed", so a status Coupang adds later
 * is never frozen out.
 */
export function statusRankSql(ranks: Readonly<Record<string, number>>, expr: string): string {
  const arms = Object.entries(ranks).map(([status, rank]) => {
    if (!/^[A-Z_]+$/.test(status)) throw new Error(`Unexpected status literal: ${status}`);
    if (!Number.isInteger(rank)) throw new Error(`Unexpected rank for ${status}: ${rank}`);
    return `WHEN '${status}' THEN ${rank}`;
  });
  return `(CASE ${expr} ${arms.join(" ")} END)`;
}

/**
 * The usual guard: write only a changed payload (idempotent: an identical one leaves the row and
 * its `updated_at` alone), and never one whose status ranks below the stored one (monotonic).
 * With `statusColumn` null only the payload comparison remains.
 */
export function rankGuard(statusColumn: string | null, ranks: Readonly<Record<string, number>>): Guard {
  return (stored, incoming) => {
    // An entity belongs to the vendor that first listed it: another vendor's read of the same ID
    // (a misconfigured account, a stray record) never takes it over.
    const differs = `${stored}."vendor_id" = ${incoming}."vendor_id" AND ${stored}."raw_hash" IS DISTINCT FROM ${incoming}."raw_hash"`;
    if (statusColumn === null) return differs;
    const col = quoteIdent(statusColumn);
    return `${differs} AND NOT COALESCE(${statusRankSql(ranks, `${incoming}.${col}`)} < ${statusRankSql(ranks, `${stored}.${col}`)}, false)`;
  };
}

/** One result row of an upsert statement. */
export interface UpsertRow {
  what: "written" | "stale";
  entity_id: string;
  vendor_id: string;
  inserted: boolean;
  old_status: string | null;
  new_status: string | null;
  changed_fields: string[];
}

/** Runs a table's statements (lock, then upsert) on one batch of encoded records. */
export async function runUpsert(
  tx: SqlClient,
  statements: UpsertStatements,
  records: readonly Record<string, unknown>[],
): Promise<UpsertRow[]> {
  if (records.length === 0) return [];
  if (statements.lock) {
    // The keys alone: sending the batch would ship and parse every raw payload once more for
    // nothing (a quarter of the ingest benchmark's time on our path, measured with 1,000-box batches).
    const keys = records.map((r) => Object.fromEntries(statements.key.map((k) => [k, r[k]])));
    await tx.$queryRawUnsafe(statements.lock, JSON.stringify(keys));
  }
  return tx.$queryRawUnsafe<UpsertRow[]>(statements.upsert, JSON.stringify(records));
}

/** What one table's upsert wrote, as counts, change events and refused reads. */
export interface TableTally {
  inserted: number;
  updated: number;
  /** Child rows deleted because their parent no longer lists them (child tables only). */
  removed: number;
  events: ChangeEventDraft[];
  staleReads: StatusStaleRead[];
}

/**
 * Turns a table's result rows into counts, one change event per written row (`created`,
 * `status_changed` when the status moved, else `updated`) and the stale reads refused.
 */
export function tallyRows(entity: ChangeEventDraft["entity"], rows: readonly UpsertRow[]): TableTally {
  const tally: TableTally = { inserted: 0, updated: 0, removed: 0, events: [], staleReads: [] };
  for (const row of rows) {
    if (row.what === "stale") {
      tally.staleReads.push({
        entityId: row.entity_id,
        storedStatus: row.old_status ?? "",
        readStatus: row.new_status ?? "",
      });
      continue;
    }
    tally[row.inserted ? "inserted" : "updated"]++;
    tally.events.push({
      vendorId: row.vendor_id,
      entity,
      entityId: row.entity_id,
      kind: row.inserted ? "created" : row.old_status !== row.new_status ? "status_changed" : "updated",
      oldStatus: row.inserted ? null : row.old_status,
      newStatus: row.new_status,
      changedFields: row.changed_fields,
    });
  }
  return tally;
}

/**
 * One version per key: Postgres refuses to update a row twice in one statement, and the highest
 * ranked status is the one the database would keep anyway (ties and unranked: the later entry
 * wins).
 */
export function dedupeByRank<T, K>(
  rows: readonly T[],
  keyOf: (row: T) => K,
  statusOf: (row: T) => string | null,
  ranks: Readonly<Record<string, number>>,
): T[] {
  const byKey = new Map<K, T>();
  for (const row of rows) {
    const key = keyOf(row);
    const kept = byKey.get(key);
    const keptStatus = kept === undefined ? null : statusOf(kept);
    const newStatus = statusOf(row);
    const keptRank = keptStatus === null ? undefined : ranks[keptStatus];
    const newRank = newStatus === null ? undefined : ranks[newStatus];
    if (keptRank !== undefined && newRank !== undefined && newRank < keptRank) continue;
    byKey.set(key, row);
  }
  return [...byKey.values()];
}

/** A batch of parents with their children, for {@link upsertFamily}. */
export interface FamilyBatch<P extends { rawHash: string }, C> {
  /** One version per parent key (see {@link dedupeByRank}). */
  parents: readonly P[];
  /** Names a parent in error messages, e.g. `boxes`. */
  label: string;
  parentStatements: UpsertStatements;
  childStatements: UpsertStatements;
  encodeParent: (parent: P, where: string) => Record<string, unknown>;
  childrenOf: (parent: P) => readonly C[];
  /** How a child names its parent: a child filed under another parent is refused. */
  link: {
    /** The child's field holding the parent key, e.g. `shipmentBoxId`. */
    field: string;
    /** The parent in the message, e.g. `box`. */
    noun: string;
    parentKey: (parent: P) => bigint;
    childParentKey: (child: C) => bigint;
  };
  encodeChild: (child: C, where: string) => Record<string, unknown>;
  /** The child's key as text: the same key twice in one parent keeps the later line. */
  childKey: (child: C) => string;
  entities: { parent: ChangeEventDraft["entity"]; child: ChangeEventDraft["entity"] };
}

/**
 * Upserts parents, then their children, in three statements (lock the parents, upsert them,
 * upsert the children). Children carry their parent's raw_hash, so the children of a parent the
 * guard refused are skipped with it ({@link UpsertSpec.parent}); only parents report stale reads.
 */
export async function upsertFamily<P extends { rawHash: string }, C>(
  tx: SqlClient,
  batch: FamilyBatch<P, C>,
): Promise<{ parents: TableTally; children: TableTally }> {
  const parentRecords = batch.parents.map((p, i) => batch.encodeParent(p, `${batch.label}[${i}]`));
  const children = new Map<string, Record<string, unknown>>();
  batch.parents.forEach((parent, i) => {
    batch.childrenOf(parent).forEach((child, j) => {
      const where = `${batch.label}[${i}].items[${j}]`;
      const { field, noun, parentKey, childParentKey } = batch.link;
      if (childParentKey(child) !== parentKey(parent)) {
        throw new Error(
          `${where}.${field} ${childParentKey(child)} differs from its ${noun} ${parentKey(parent)}`,
        );
      }
      const record = batch.encodeChild(child, where);
      record[PARENT_RAW_HASH.column] = parent.rawHash;
      children.set(batch.childKey(child), record);
    });
  });
  const parentRows = await runUpsert(tx, batch.parentStatements, parentRecords);
  const parents = tallyRows(batch.entities.parent, parentRows);
  // Only a parent that changed can have lost a child: new and unchanged ones are not pruned.
  const updated = new Set(
    parentRows.filter((r) => r.what === "written" && !r.inserted).map((r) => r.entity_id),
  );
  const prunable = parentRecords.filter((_, i) =>
    updated.has(batch.link.parentKey(batch.parents[i]!).toString()),
  );
  const childRecords = [...children.values()];
  const childTally = tallyRows(
    batch.entities.child,
    await runUpsert(tx, batch.childStatements, childRecords),
  );
  if (batch.childStatements.prune && prunable.length > 0) {
    const removed = await tx.$queryRawUnsafe<Array<{ entity_id: string; vendor_id: string }>>(
      batch.childStatements.prune,
      JSON.stringify(prunable),
      JSON.stringify(childRecords),
    );
    for (const row of removed) {
      childTally.events.push({
        vendorId: row.vendor_id,
        entity: batch.entities.child,
        entityId: row.entity_id,
        kind: "removed",
        oldStatus: null,
        newStatus: null,
        changedFields: [],
      });
    }
    childTally.removed = removed.length;
  }
  return { parents, children: childTally };
}

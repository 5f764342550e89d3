import type { SqlClient } from "./sql.js";

/** A record that failed validation, kept so nothing is lost. */
export interface QuarantineInput {
  vendorId: string;
  stream: string;
  /** Coupang's ID of the entity when it could be read (e.g. the shipmentBoxId as a string). */
  entityKey: string | null;
  /** Why it was rejected, e.g. the schema validation message. */
  reason: string;
  /** The record as received (text, which need not be valid JSON). */
  raw: string;
}

/**
 * Stores rejected records with `received_at` = now, in one statement. Call it in the page's
 * transaction so quarantined and accepted rows commit with the checkpoint.
 *
 * @returns the number of rows inserted (= rows.length).
 * @throws Prisma's error when the database refuses a value (e.g. a NUL character in text).
 */
export async function quarantineRecords(tx: SqlClient, rows: readonly QuarantineInput[]): Promise<number> {
  if (rows.length === 0) return 0;
  const batch = rows.map((r) => ({
    vendor_id: r.vendorId,
    stream: r.stream,
    entity_key: r.entityKey,
    reason: r.reason,
    raw: r.raw,
  }));
  return tx.$executeRawUnsafe(
    `INSERT INTO quarantined_records (vendor_id, stream, entity_key, reason, raw)
     SELECT r.vendor_id, r.stream, r.entity_key, r.reason, r.raw
     FROM jsonb_to_recordset($1::jsonb) AS r(vendor_id text, stream text, entity_key text, reason text, raw text)`,
    JSON.stringify(batch),
  );
}

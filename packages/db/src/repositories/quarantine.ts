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
 * Stores rejected records with `received_at` = now, in one statement, each once: a record kept
 * before (same vendor, stream, entity key, reason and raw text) is not kept again, for a bad
 * record stays in the lists and every poll reads it anew. Call it in the page's transaction so
 * quarantined and accepted rows commit with the checkpoint.
 *
 * Text Postgres cannot hold — a NUL character, an unpaired UTF-16 surrogate — is written as a
 * visible `\uXXXX` escape, so the very records refused for such text can still be kept.
 *
 * @returns the number of rows inserted: the records not kept before.
 */
export async function quarantineRecords(tx: SqlClient, rows: readonly QuarantineInput[]): Promise<number> {
  if (rows.length === 0) return 0;
  // Deduplicated here rather than by SELECT DISTINCT, which would lose the page's order of ids.
  const batch = [
    ...new Map(
      rows.map((r) => {
        const row = {
          vendor_id: storableText(r.vendorId),
          stream: storableText(r.stream),
          entity_key: r.entityKey === null ? null : storableText(r.entityKey),
          reason: storableText(r.reason),
          raw: storableText(r.raw),
        };
        return [JSON.stringify(row), row] as const;
      }),
    ).values(),
  ];
  return tx.$executeRawUnsafe(
    `INSERT INTO quarantined_records (vendor_id, stream, entity_key, reason, raw)
     SELECT r.vendor_id, r.stream, r.entity_key, r.reason, r.raw
     FROM jsonb_to_recordset($1::jsonb) AS r(vendor_id text, stream text, entity_key text, reason text, raw text)
     WHERE NOT EXISTS (
       SELECT 1 FROM quarantined_records q
        WHERE q.vendor_id = r.vendor_id AND q.stream = r.stream
          AND q.entity_key IS NOT DISTINCT FROM r.entity_key AND q.reason = r.reason AND q.raw = r.raw)`,
    JSON.stringify(batch),
  );
}

/** NUL, a high surrogate not followed by a low one, or a low surrogate not preceded by a high one. */
// eslint-disable-next-line no-control-regex -- NUL is exactly the character Postgres refuses
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Whether Postgres can store `text` as it is (no NUL, no unpaired surrogate): `storableText` leaves it unchanged. */
export function isStorableText(text: string): boolean {
  return text.search(UNSTORABLE) === -1;
}

/** `text` with NUL and unpaired surrogates replaced by visible `\uXXXX` escapes. */
export function storableText(text: string): string {
  return text.replace(UNSTORABLE, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

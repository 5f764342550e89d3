import type { SqlClient } from "./sql.js";

/** What names a lease: one (vendor, stream), held by one poll (`owner`, unique per poll). */
export interface LeaseKey {
  vendorId: string;
  stream: string;
  owner: string;
}

/** Another poll took the lease over (ours had expired): this poll must stop writing. */
export class LeaseLostError extends Error {
  override name = "LeaseLostError";
  constructor(key: LeaseKey) {
    super(
      `the lease on ${key.vendorId}/${key.stream} passed to another poll; this poll (${key.owner}) stops`,
    );
  }
}

/**
 * Takes the lease of a (vendor, stream) for `ttlMs` milliseconds if it is free, expired, or
 * already ours. Atomic across processes (one `INSERT … ON CONFLICT … WHERE`).
 * @returns true when this owner now holds the lease.
 */
export async function acquireLease(db: SqlClient, key: LeaseKey, ttlMs: number): Promise<boolean> {
  const rows = await db.$queryRawUnsafe<Array<{ owner: string }>>(
    `INSERT INTO sync_leases (vendor_id, stream, owner, expires_at)
     VALUES ($1, $2, $3, now() + $4 * interval '1 millisecond')
     ON CONFLICT (vendor_id, stream) DO UPDATE
       SET owner = EXCLUDED.owner, expires_at = EXCLUDED.expires_at
       WHERE sync_leases.expires_at < now() OR sync_leases.owner = EXCLUDED.owner
     RETURNING owner`,
    key.vendorId,
    key.stream,
    key.owner,
    ttlMs,
  );
  return rows.length === 1;
}

/**
 * Extends the lease; called inside each page's transaction, so a poll whose lease was taken over
 * cannot commit another page (fencing).
 * @throws LeaseLostError when this owner no longer holds the lease.
 */
export async function renewLease(tx: SqlClient, key: LeaseKey, ttlMs: number): Promise<void> {
  const updated = await tx.$executeRawUnsafe(
    `UPDATE sync_leases SET expires_at = now() + $4 * interval '1 millisecond'
      WHERE vendor_id = $1 AND stream = $2 AND owner = $3`,
    key.vendorId,
    key.stream,
    key.owner,
    ttlMs,
  );
  if (updated !== 1) throw new LeaseLostError(key);
}

/** Gives the lease up if this owner still holds it; a no-op otherwise. */
export async function releaseLease(db: SqlClient, key: LeaseKey): Promise<void> {
  await db.$executeRawUnsafe(
    `DELETE FROM sync_leases WHERE vendor_id = $1 AND stream = $2 AND owner = $3`,
    key.vendorId,
    key.stream,
    key.owner,
  );
}

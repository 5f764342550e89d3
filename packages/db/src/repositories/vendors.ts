import type { SqlClient } from "./sql.js";

/** A Coupang seller account as configured (keys stay in config, never in the database). */
export interface VendorAccountInput {
  /** WING vendorId, e.g. `A00012345`. */
  vendorId: string;
  /** Display name; null when not configured. */
  name: string | null;
}

/**
 * Makes sure the vendor row exists (every synced row references it), creating it enabled or
 * updating its name when the configured one changed. Leaves `enabled` alone.
 *
 * @throws TypeError when `vendorId` is blank.
 */
export async function ensureVendorAccount(db: SqlClient, input: VendorAccountInput): Promise<void> {
  if (input.vendorId.trim() === "") throw new TypeError("vendorId must not be blank");
  await db.$executeRawUnsafe(
    `INSERT INTO vendor_accounts (vendor_id, name) VALUES ($1, $2)
     ON CONFLICT (vendor_id) DO UPDATE SET name = EXCLUDED.name, updated_at = now()
     WHERE vendor_accounts.name IS DISTINCT FROM EXCLUDED.name`,
    input.vendorId,
    input.name,
  );
}

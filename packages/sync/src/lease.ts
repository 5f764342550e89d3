import { acquireLease, releaseLease, renewLease, type LeaseKey, type PrismaClient, type Tx } from "@cos/db";

/**
 * A lease lasts two minutes and a heartbeat renews it every 30 s while its holder runs, so a
 * worker killed mid-poll holds its stream for two minutes at most. Every page's transaction also
 * renews it ({@link renewInTransaction}), and fails if the lease passed to another owner (fencing).
 */
const LEASE_TTL_MS = 2 * 60_000;
const LEASE_HEARTBEAT_MS = 30_000;

/**
 * Runs `fn` holding `key`'s lease, renewed by a heartbeat meanwhile, and releases it after: the
 * mutual exclusion of polls (one per vendor and stream) and of reconciliations.
 * @returns what `fn` returned, or null without calling it when another owner holds the lease.
 */
export async function withLease<T>(
  prisma: PrismaClient,
  key: LeaseKey,
  fn: () => Promise<T>,
): Promise<T | null> {
  if (!(await acquireLease(prisma, key, LEASE_TTL_MS))) return null;
  const heartbeat = setInterval(() => {
    // A failed renewal is not fatal here: the next page's transaction renews with fencing.
    renewLease(prisma, key, LEASE_TTL_MS).catch(() => {});
  }, LEASE_HEARTBEAT_MS);
  heartbeat.unref();
  try {
    return await fn();
  } finally {
    clearInterval(heartbeat);
    await releaseLease(prisma, key).catch(() => releaseLater(prisma, key));
  }
}

/** How often a release that failed is tried again, until the lease would have expired anyway. */
const RELEASE_RETRY_MS = 1_000;

/**
 * Tries a failed release again in the background. A poll cut short by a Postgres outage could not
 * give its lease up, and would otherwise keep its stream from being polled for the rest of the
 * two minutes after Postgres is back. The lease is only deleted while this owner still holds it.
 */
function releaseLater(prisma: PrismaClient, key: LeaseKey): void {
  const giveUpAt = Date.now() + LEASE_TTL_MS;
  const retry = () => {
    if (Date.now() >= giveUpAt) return;
    releaseLease(prisma, key).catch(() => setTimeout(retry, RELEASE_RETRY_MS).unref());
  };
  setTimeout(retry, RELEASE_RETRY_MS).unref();
}

/**
 * Renews `key`'s lease inside a page's transaction.
 * @throws the lease repository's error when another owner holds it now (fencing).
 */
export function renewInTransaction(tx: Tx, key: LeaseKey): Promise<void> {
  return renewLease(tx, key, LEASE_TTL_MS);
}

import type { Prisma, PrismaClient } from "./generated/prisma/client.js";

/** The client handed to a {@link withTransaction} callback: every query on it runs in the transaction. */
export type Tx = Prisma.TransactionClient;

/** Options of {@link withTransaction}. */
export interface TransactionOptions {
  /** Longest time the whole callback may take, in ms, before Prisma rolls back. Default 60 000. */
  timeoutMs?: number;
  /** Longest wait for a pool connection to start the transaction, in ms. Default 10 000. */
  maxWaitMs?: number;
  /** Default: the database's (READ COMMITTED), which the ON CONFLICT upserts are written for. */
  isolationLevel?: Prisma.TransactionIsolationLevel;
}

/**
 * Runs `fn` in one interactive transaction: a page's rows, its quarantined records and its
 * checkpoint commit together or not at all. Commits when `fn` resolves, rolls back when it throws.
 * The defaults are longer than Prisma's (5 s / 2 s) because a page of 1,000 boxes plus a busy pool
 * can exceed them.
 *
 * @returns what `fn` resolved to.
 * @throws whatever `fn` threw (after rollback), or Prisma's P2028 error when the timeout expired.
 */
export function withTransaction<T>(
  prisma: PrismaClient,
  fn: (tx: Tx) => Promise<T>,
  options: TransactionOptions = {},
): Promise<T> {
  return prisma.$transaction(fn, {
    timeout: options.timeoutMs ?? 60_000,
    maxWait: options.maxWaitMs ?? 10_000,
    ...(options.isolationLevel ? { isolationLevel: options.isolationLevel } : {}),
  });
}

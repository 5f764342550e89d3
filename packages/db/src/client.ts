import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "./generated/prisma/client.js";

/** Options of {@link createPrisma}. */
export interface CreatePrismaOptions {
  /** Maximum connections of the underlying `pg` pool. Default 10 (pg's default). */
  max?: number;
}

/**
 * A Prisma 7 client over `@prisma/adapter-pg` (no query engine binary: the query compiler runs as
 * WASM and SQL goes through a `pg` pool owned by the client). Connects lazily on first query; call
 * `$disconnect()` to close the pool.
 *
 * @param databaseUrl a postgres:// connection URL.
 * @throws RangeError when `max` is not a positive integer.
 */
export function createPrisma(databaseUrl: string, options: CreatePrismaOptions = {}): PrismaClient {
  const max = options.max ?? 10;
  if (!Number.isInteger(max) || max < 1) throw new RangeError(`max must be a positive integer, got ${max}`);
  return new PrismaClient({ adapter: new PrismaPg({ connectionString: databaseUrl, max }) });
}

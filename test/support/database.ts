import pg from "pg";
import { afterAll, beforeAll } from "vitest";
import { createPrisma, type PrismaClient } from "@cos/db";
import { createTestDatabase, type TestDatabase } from "./postgres.js";

/** A migrated database of a test file's own, with a Prisma client and a plain SQL client. */
export interface DatabaseFixture {
  readonly url: string;
  readonly prisma: PrismaClient;
  /** A plain client, not a pg.Pool: Pool.end() resolves before its sockets close, and the
   * database is dropped WITH (FORCE) right after. */
  readonly sql: pg.Client;
  /** Empties the given tables (CASCADE), e.g. between tests. */
  truncate(...tables: string[]): Promise<void>;
}

/**
 * Registers beforeAll/afterAll hooks that create a fresh migrated database for the calling test
 * file and drop it afterwards. Read the fields inside tests or hooks, not at module level.
 */
export function useTestDatabase(options: { poolSize?: number } = {}): DatabaseFixture {
  let db: TestDatabase | undefined;
  let prisma: PrismaClient | undefined;
  let sql: pg.Client | undefined;
  beforeAll(async () => {
    db = await createTestDatabase();
    prisma = createPrisma(db.url, { max: options.poolSize ?? 4 });
    sql = new pg.Client({ connectionString: db.url });
    await sql.connect();
  });
  afterAll(async () => {
    await prisma?.$disconnect();
    await sql?.end();
    await db?.drop();
  });
  const ready = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error("the test database is used before its beforeAll hook ran");
    return value;
  };
  return {
    get url() {
      return ready(db).url;
    },
    get prisma() {
      return ready(prisma);
    },
    get sql() {
      return ready(sql);
    },
    async truncate(...tables) {
      await ready(sql).query(`TRUNCATE ${tables.join(", ")} CASCADE`);
    },
  };
}

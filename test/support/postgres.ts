import { randomBytes } from "node:crypto";
import pg from "pg";
import { inject } from "vitest";
import "./context.js";

/**
 * A database of its own for one test file: created empty, migrated with the project's applier,
 * dropped by `drop()`. The server comes from test/global-setup.ts (DATABASE_URL, the local
 * server on 5432, or an embedded one).
 */
export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

export async function createTestDatabase(migrate = true): Promise<TestDatabase> {
  const adminUrl = inject("postgresAdminUrl");
  const name = `cos_test_${process.env.VITEST_POOL_ID ?? "0"}_${randomBytes(4).toString("hex")}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  const url = withDatabase(adminUrl, name);
  if (migrate) {
    const { migrate: applyMigrations } = await import("@cos/db");
    await applyMigrations(url);
  }
  return {
    url,
    async drop() {
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}

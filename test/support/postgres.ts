import { inject } from "vitest";
import type { ScratchDatabase } from "@cos/db";
import "./context.js";

/**
 * A database of its own for one test file: created empty, migrated with the project's applier,
 * dropped by `drop()`. The server comes from test/global-setup.ts (DATABASE_URL, the local
 * server on 5432, or an embedded one).
 */
export type TestDatabase = ScratchDatabase;

export async function createTestDatabase(migrate = true): Promise<TestDatabase> {
  // Loaded on first use, as before: suites that never create a database do not load Prisma.
  const { createScratchDatabase } = await import("@cos/db");
  return createScratchDatabase(inject("postgresAdminUrl"), {
    prefix: `cos_test_${process.env.VITEST_POOL_ID ?? "0"}`,
    migrate,
  });
}

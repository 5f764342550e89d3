import { createHash } from "node:crypto";
import { readdirSync } from "node:fs";
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../../../test/support/postgres.js";
import { defaultMigrationsDir, migrate, MigrationError, PRISMA_MIGRATE_LOCK_KEY } from "./migrate.js";

const INIT = "20261129191500_init";
/** Every migration in prisma/migrations, in the order they apply. */
const ALL = readdirSync(defaultMigrationsDir, { withFileTypes: true })
  .filter((e) => e.isDirectory())
  .map((e) => e.name)
  .sort();

async function query<T extends pg.QueryResultRow>(
  url: string,
  sql: string,
  params: unknown[] = [],
): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

/** A throwaway copy of prisma/migrations that a test may add to or edit. */
async function copyOfMigrations(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), "cos-migrations-"));
  await cp(defaultMigrationsDir, dir, { recursive: true });
  return dir;
}

async function addMigration(dir: string, name: string, sql: string): Promise<void> {
  await mkdir(path.join(dir, name));
  await writeFile(path.join(dir, name, "migration.sql"), sql);
}

describe("migrate", () => {
  let db: TestDatabase;
  let dirs: string[] = [];

  beforeEach(async () => {
    db = await createTestDatabase(false);
  });
  afterEach(async () => {
    await db.drop();
    await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
    dirs = [];
  });

  it("applies every migration once; a second run applies nothing", async () => {
    expect(await migrate(db.url)).toEqual({ applied: ALL });
    expect(await migrate(db.url)).toEqual({ applied: [] });
    const rows = await query<{ n: string }>(db.url, "SELECT count(*) AS n FROM _prisma_migrations");
    expect(rows[0]!.n).toBe(String(ALL.length));
  });

  it("records _prisma_migrations exactly as Prisma does", async () => {
    await migrate(db.url);
    const file = await readFile(path.join(defaultMigrationsDir, INIT, "migration.sql"));
    const [row] = await query<Record<string, unknown>>(
      db.url,
      "SELECT * FROM _prisma_migrations WHERE migration_name = $1",
      [INIT],
    );
    expect(row).toMatchObject({
      migration_name: INIT,
      checksum: createHash("sha256").update(file).digest("hex"),
      logs: null,
      rolled_back_at: null,
      applied_steps_count: 1,
    });
    expect(row!.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(row!.finished_at).toBeInstanceOf(Date);
    expect((row!.finished_at as Date).getTime()).toBeGreaterThanOrEqual((row!.started_at as Date).getTime());

    // Same DDL as the schema engine's create_migrations_table (postgres flavour).
    const columns = await query<{
      column_name: string;
      data_type: string;
      is_nullable: string;
      column_default: string | null;
    }>(
      db.url,
      `SELECT column_name, format_type(a.atttypid, a.atttypmod) AS data_type, is_nullable, column_default
       FROM information_schema.columns c
       JOIN pg_attribute a ON a.attrelid = '_prisma_migrations'::regclass AND a.attname = c.column_name
       WHERE table_name = '_prisma_migrations' ORDER BY ordinal_position`,
    );
    expect(columns).toEqual([
      { column_name: "id", data_type: "character varying(36)", is_nullable: "NO", column_default: null },
      {
        column_name: "checksum",
        data_type: "character varying(64)",
        is_nullable: "NO",
        column_default: null,
      },
      {
        column_name: "finished_at",
        data_type: "timestamp with time zone",
        is_nullable: "YES",
        column_default: null,
      },
      {
        column_name: "migration_name",
        data_type: "character varying(255)",
        is_nullable: "NO",
        column_default: null,
      },
      { column_name: "logs", data_type: "text", is_nullable: "YES", column_default: null },
      {
        column_name: "rolled_back_at",
        data_type: "timestamp with time zone",
        is_nullable: "YES",
        column_default: null,
      },
      {
        column_name: "started_at",
        data_type: "timestamp with time zone",
        is_nullable: "NO",
        column_default: "now()",
      },
      { column_name: "applied_steps_count", data_type: "integer", is_nullable: "NO", column_default: "0" },
    ]);
    const pk = await query<{ conname: string }>(
      db.url,
      "SELECT conname FROM pg_constraint WHERE conrelid = '_prisma_migrations'::regclass AND contype = 'p'",
    );
    expect(pk).toEqual([{ conname: "_prisma_migrations_pkey" }]);
  });

  it("applies each migration once when several processes start together", async () => {
    const results = await Promise.all(Array.from({ length: 5 }, () => migrate(db.url)));
    expect(results.flatMap((r) => r.applied)).toEqual(ALL);
    const rows = await query<{ migration_name: string }>(
      db.url,
      "SELECT migration_name FROM _prisma_migrations ORDER BY migration_name",
    );
    expect(rows).toEqual(ALL.map((migration_name) => ({ migration_name })));
  });

  it("applies only the new migrations, in name order", async () => {
    const dir = await copyOfMigrations();
    dirs.push(dir);
    await migrate(db.url, { migrationsDir: dir });
    await addMigration(dir, "20261201000000_second", `CREATE TABLE "second" ("id" INTEGER NOT NULL);`);
    await addMigration(dir, "20261130000000_first", `CREATE TABLE "first" ("id" INTEGER NOT NULL);`);
    const log: string[] = [];
    expect(await migrate(db.url, { migrationsDir: dir, log: (l) => log.push(l) })).toEqual({
      applied: ["20261130000000_first", "20261201000000_second"],
    });
    expect(log).toEqual([
      "applied migration 20261130000000_first",
      "applied migration 20261201000000_second",
    ]);
  });

  it("refuses when an applied migration's file was edited", async () => {
    const dir = await copyOfMigrations();
    dirs.push(dir);
    await migrate(db.url, { migrationsDir: dir });
    await writeFile(path.join(dir, INIT, "migration.sql"), "-- edited\n", { flag: "a" });
    await addMigration(dir, "20261201000000_next", `CREATE TABLE "next" ("id" INTEGER);`);
    await expect(migrate(db.url, { migrationsDir: dir })).rejects.toThrow(
      new RegExp(`Migration ${INIT} was modified after it was applied`),
    );
    // Nothing was stacked on top of the modified history.
    expect(await query(db.url, "SELECT 1 FROM pg_tables WHERE tablename = 'next'")).toEqual([]);
  });

  it("refuses while _prisma_migrations holds a failed migration", async () => {
    await migrate(db.url);
    await query(
      db.url,
      `INSERT INTO _prisma_migrations (id, checksum, migration_name, logs, applied_steps_count)
       VALUES ('00000000-0000-4000-8000-000000000000', repeat('0', 64), '20261201000000_broken', 'syntax error', 0)`,
    );
    const error = await migrate(db.url).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MigrationError);
    expect((error as Error).message).toMatch(
      /20261201000000_broken is recorded as started but not finished in _prisma_migrations \(syntax error\)/,
    );
    expect((error as Error).message).toMatch(/prisma migrate resolve/);
  });

  it("ignores rolled-back rows, as Prisma does, and re-applies that migration", async () => {
    await migrate(db.url);
    await query(db.url, "UPDATE _prisma_migrations SET rolled_back_at = now()");
    const [row] = await query<{ tables: string }>(
      db.url,
      "SELECT string_agg(quote_ident(tablename), ', ') AS tables FROM pg_tables WHERE schemaname = 'public' AND tablename <> '_prisma_migrations'",
    );
    await query(db.url, `DROP TABLE ${row!.tables} CASCADE`);
    expect(await migrate(db.url)).toEqual({ applied: ALL });
    const rows = await query<{ rolled_back: boolean }>(
      db.url,
      "SELECT rolled_back_at IS NOT NULL AS rolled_back FROM _prisma_migrations ORDER BY started_at, migration_name",
    );
    expect(rows).toEqual([
      ...ALL.map(() => ({ rolled_back: true })),
      ...ALL.map(() => ({ rolled_back: false })),
    ]);
  });

  it("rolls a failing migration back completely and records nothing for it", async () => {
    const dir = await copyOfMigrations();
    dirs.push(dir);
    await addMigration(
      dir,
      "20261201000000_bad",
      `CREATE TABLE "half" ("id" INTEGER);\nSELECT * FROM no_such_table;`,
    );
    const error = await migrate(db.url, { migrationsDir: dir }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MigrationError);
    expect((error as Error).message).toMatch(
      /20261201000000_bad failed and was rolled back: .*no_such_table/,
    );
    expect(await query(db.url, "SELECT 1 FROM pg_tables WHERE tablename = 'half'")).toEqual([]);
    const rows = await query<{ migration_name: string }>(
      db.url,
      "SELECT migration_name FROM _prisma_migrations ORDER BY migration_name",
    );
    expect(rows).toEqual(ALL.map((migration_name) => ({ migration_name })));
  });

  it("waits for the lock holder, and gives up with a clear error after lockTimeoutMs", async () => {
    const holder = new pg.Client({ connectionString: db.url });
    await holder.connect();
    try {
      await holder.query("SELECT pg_advisory_lock($1)", [PRISMA_MIGRATE_LOCK_KEY]);
      await expect(migrate(db.url, { lockTimeoutMs: 300 })).rejects.toThrow(
        /Could not take the migration lock within 300 ms/,
      );
      const waiting = migrate(db.url);
      await new Promise((r) => setTimeout(r, 200));
      await holder.query("SELECT pg_advisory_unlock($1)", [PRISMA_MIGRATE_LOCK_KEY]);
      expect(await waiting).toEqual({ applied: ALL });
    } finally {
      await holder.end();
    }
  });

  it("fails clearly when a migration folder has no migration.sql", async () => {
    const dir = await copyOfMigrations();
    dirs.push(dir);
    await mkdir(path.join(dir, "20261201000000_empty"));
    await expect(migrate(db.url, { migrationsDir: dir })).rejects.toThrow(
      /20261201000000_empty has no readable migration.sql/,
    );
  });
});

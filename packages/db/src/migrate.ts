import { createHash, randomUUID } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";

/**
 * The repository's `prisma/migrations` directory, resolved from this file so it does not depend on
 * the working directory (packages/db/src → ../../../prisma/migrations).
 */
export const defaultMigrationsDir: string = fileURLToPath(
  new URL("../../../prisma/migrations/", import.meta.url),
);

/**
 * The key Prisma Migrate itself passes to `pg_advisory_lock` (schema-engine, postgres flavour).
 * Using the same key serialises this applier with a concurrent `prisma migrate deploy`, not only
 * with other copies of itself.
 */
export const PRISMA_MIGRATE_LOCK_KEY = 72707369;

/**
 * `_prisma_migrations` exactly as Prisma's schema engine creates it on Postgres, so that
 * `prisma migrate deploy/status` can take over a database migrated by this applier (and back).
 */
const CREATE_MIGRATIONS_TABLE = `CREATE TABLE _prisma_migrations (
    id                      VARCHAR(36) PRIMARY KEY NOT NULL,
    checksum                VARCHAR(64) NOT NULL,
    finished_at             TIMESTAMPTZ,
    migration_name          VARCHAR(255) NOT NULL,
    logs                    TEXT,
    rolled_back_at          TIMESTAMPTZ,
    started_at              TIMESTAMPTZ NOT NULL DEFAULT now(),
    applied_steps_count     INTEGER NOT NULL DEFAULT 0
);`;

/** Options of {@link migrate}. */
export interface MigrateOptions {
  /** Directory holding `<name>/migration.sql` folders (Prisma Migrate layout). Default: {@link defaultMigrationsDir}. */
  migrationsDir?: string;
  /** How long to wait for another migrator holding the advisory lock, in milliseconds. Default 120 000. */
  lockTimeoutMs?: number;
  /** Receives one line per applied migration. Default: silent. */
  log?: (line: string) => void;
}

/** What {@link migrate} did: the names of the migrations it applied now, in order (empty when up to date). */
export interface MigrateResult {
  applied: string[];
}

/**
 * Why {@link migrate} refused or failed. The database is left as it was before the failing
 * migration (each migration runs in its own transaction).
 */
export class MigrationError extends Error {
  override name = "MigrationError";
}

/** One folder of the migrations directory. */
interface LocalMigration {
  name: string;
  script: string;
  /** sha256 hex of the migration.sql bytes: what Prisma stores in `_prisma_migrations.checksum`. */
  checksum: string;
}

interface HistoryRow {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
  logs: string | null;
}

/**
 * Reads the migration folders in the order Prisma applies them (folder names sorted, which puts
 * the timestamp prefixes in time order). Files beside the folders (migration_lock.toml) are ignored.
 *
 * @throws MigrationError when a folder has no readable migration.sql.
 */
async function readMigrations(migrationsDir: string): Promise<LocalMigration[]> {
  const entries = await readdir(migrationsDir, { withFileTypes: true });
  const names = entries
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
  return Promise.all(
    names.map(async (name) => {
      const file = path.join(migrationsDir, name, "migration.sql");
      let bytes: Buffer;
      try {
        bytes = await readFile(file);
      } catch (cause) {
        throw new MigrationError(`Migration folder ${name} has no readable migration.sql (${file})`, {
          cause,
        });
      }
      return {
        name,
        script: bytes.toString("utf8"),
        checksum: createHash("sha256").update(bytes).digest("hex"),
      };
    }),
  );
}

/**
 * Applies the pending migrations of `prisma/migrations` to the database at `databaseUrl`, the way
 * `prisma migrate deploy` would, without Prisma's schema engine (which cannot be downloaded here).
 *
 * - Holds Prisma's own advisory lock for the whole run, so processes starting together apply each
 *   migration once; a late starter waits, then finds nothing to do.
 * - Creates `_prisma_migrations` with Prisma's DDL when missing, and records each migration as
 *   Prisma does: id = random UUID, checksum = sha256 hex of the migration.sql bytes, started_at,
 *   finished_at, applied_steps_count = 1, logs = null.
 * - Runs each migration and its history row in one transaction: a failing migration leaves no
 *   trace (no half-applied schema, no failed row to resolve) and is simply retried next time.
 *   Migrations must therefore be transaction-safe (no `CREATE INDEX CONCURRENTLY`).
 * - Tables go to the connection's current schema (search_path), like Prisma's default `public`.
 *
 * Idempotent: a second call on an up-to-date database applies nothing and returns `{ applied: [] }`.
 *
 * @param databaseUrl a postgres:// connection URL.
 * @throws MigrationError when a recorded migration's checksum differs from its file (the file was
 *   edited after it was applied), when `_prisma_migrations` holds a failed migration (one Prisma
 *   started but never finished; resolve it with `prisma migrate resolve`), when the lock is not
 *   obtained within `lockTimeoutMs`, or when a migration's SQL fails (the error is the `cause`).
 */
export async function migrate(databaseUrl: string, options: MigrateOptions = {}): Promise<MigrateResult> {
  const migrationsDir = options.migrationsDir ?? defaultMigrationsDir;
  const log = options.log ?? (() => {});
  const local = await readMigrations(migrationsDir);

  const client = new pg.Client({ connectionString: databaseUrl, application_name: "cos-migrate" });
  await client.connect();
  try {
    await acquireLock(client, options.lockTimeoutMs ?? 120_000);
    await ensureMigrationsTable(client);
    const history = await client.query<HistoryRow>(
      "SELECT migration_name, checksum, finished_at, rolled_back_at, logs FROM _prisma_migrations ORDER BY started_at",
    );
    const pending = pendingMigrations(local, history.rows);
    const applied: string[] = [];
    for (const migration of pending) {
      await applyOne(client, migration);
      applied.push(migration.name);
      log(`applied migration ${migration.name}`);
    }
    return { applied };
  } finally {
    // Ending the session releases the advisory lock too; the explicit unlock only makes that
    // immediate when the connection is pooled by a proxy such as pgbouncer in session mode.
    await client.query("SELECT pg_advisory_unlock($1)", [PRISMA_MIGRATE_LOCK_KEY]).catch(() => undefined);
    await client.end();
  }
}

async function acquireLock(client: pg.Client, timeoutMs: number): Promise<void> {
  // lock_timeout bounds the wait for the advisory lock; it is reset before any migration runs so
  // that a migration's own DDL is not subject to it.
  await client.query(`SET lock_timeout = ${Math.max(1, Math.floor(timeoutMs))}`);
  try {
    await client.query("SELECT pg_advisory_lock($1)", [PRISMA_MIGRATE_LOCK_KEY]);
  } catch (cause) {
    throw new MigrationError(
      `Could not take the migration lock within ${timeoutMs} ms: another migrator (this applier or prisma migrate) is still running`,
      { cause },
    );
  } finally {
    await client.query("SET lock_timeout = 0");
  }
}

async function ensureMigrationsTable(client: pg.Client): Promise<void> {
  const found = await client.query<{ exists: boolean }>(
    "SELECT to_regclass('_prisma_migrations') IS NOT NULL AS exists",
  );
  if (!found.rows[0]?.exists) await client.query(CREATE_MIGRATIONS_TABLE);
}

/**
 * Decides what to apply. Checks the whole history before anything runs, so a modified or failed
 * migration stops the run before new migrations are stacked on top of it.
 */
function pendingMigrations(local: LocalMigration[], history: HistoryRow[]): LocalMigration[] {
  const failed = history.find((row) => row.finished_at === null && row.rolled_back_at === null);
  if (failed) {
    throw new MigrationError(
      `Migration ${failed.migration_name} is recorded as started but not finished in _prisma_migrations` +
        (failed.logs ? ` (${failed.logs})` : "") +
        `. Fix the database, then mark it with \`prisma migrate resolve --applied|--rolled-back ${failed.migration_name}\`.`,
    );
  }
  // Rolled-back rows do not count as applied: Prisma re-applies such a migration with a new row.
  const appliedChecksums = new Map(
    history.filter((row) => row.rolled_back_at === null).map((row) => [row.migration_name, row.checksum]),
  );
  const pending: LocalMigration[] = [];
  for (const migration of local) {
    const recorded = appliedChecksums.get(migration.name);
    if (recorded === undefined) {
      pending.push(migration);
    } else if (recorded !== migration.checksum) {
      throw new MigrationError(
        `Migration ${migration.name} was modified after it was applied: recorded checksum ${recorded}, file checksum ${migration.checksum}. ` +
          `Restore the file; changes belong in a new migration.`,
      );
    }
  }
  return pending;
}

async function applyOne(client: pg.Client, migration: LocalMigration): Promise<void> {
  const id = randomUUID();
  await client.query("BEGIN");
  try {
    // Same sequence of history writes as Prisma: a started row, then the step count and finish time.
    await client.query(
      `INSERT INTO _prisma_migrations (id, checksum, migration_name, started_at, applied_steps_count)
       VALUES ($1, $2, $3, clock_timestamp(), 0)`,
      [id, migration.checksum, migration.name],
    );
    // No parameters: pg sends the script with the simple query protocol, which runs every statement.
    await client.query(migration.script);
    await client.query(
      `UPDATE _prisma_migrations SET finished_at = clock_timestamp(), applied_steps_count = 1 WHERE id = $1`,
      [id],
    );
    await client.query("COMMIT");
  } catch (cause) {
    await client.query("ROLLBACK").catch(() => undefined);
    const message = cause instanceof Error ? cause.message : String(cause);
    throw new MigrationError(`Migration ${migration.name} failed and was rolled back: ${message}`, { cause });
  }
}

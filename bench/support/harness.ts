// What every benchmark shares: its settings (flags or environment), the machine it ran on, the
// table it prints and the JSON it writes to bench/results/<name>.json.
import { execFileSync } from "node:child_process";
import { mkdir, rename, writeFile } from "node:fs/promises";
import { cpus, loadavg, totalmem } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import pg from "pg";
import { createPrisma, createScratchDatabase, type PrismaClient } from "@cos/db";

/** Where results are written; the committed files are the run BENCHMARKS.md quotes. */
export const RESULTS_DIR = join(dirname(fileURLToPath(import.meta.url)), "..", "results");

export const MINUTE = 60_000;
export const DAY = 24 * 60 * MINUTE;

/** Postgres for the benchmarks' scratch databases: `DATABASE_URL`, else the local server. */
export function adminUrl(): string {
  return process.env.DATABASE_URL || "postgresql://postgres@127.0.0.1:5432/postgres";
}

/** One numeric setting: its default, and what it means (for `--help`). */
export interface NumberSetting {
  default: number;
  help: string;
}

/** One setting naming one of a few `choices` (e.g. a queue backend): its default, and what it means. */
export interface ChoiceSetting<C extends string = string> {
  default: C;
  choices: readonly C[];
  help: string;
}

/** The values {@link readSettings} reads: a number per numeric setting, one of its choices per choice setting. */
export type SettingValues<S extends Record<string, NumberSetting | ChoiceSetting>> = {
  -readonly [K in keyof S]: S[K] extends ChoiceSetting<infer C> ? C : number;
};

/**
 * Reads a benchmark's settings: `--name value` (kebab-case of the key), else the environment
 * variable `BENCH_NAME` (upper snake case), else the default. Prints the settings and exits 0 on
 * `--help`.
 * @throws Error naming the flag and the value when a numeric value is not a positive integer or a
 *   choice is not one of its choices, or for an unknown flag.
 */
export function readSettings<const S extends Record<string, NumberSetting | ChoiceSetting>>(
  benchmark: string,
  settings: S,
  argv: readonly string[] = process.argv.slice(2),
): SettingValues<S> {
  const keys = Object.keys(settings);
  const settingOf = (key: string) => settings[key] as NumberSetting | ChoiceSetting;
  const flag = (key: string) => key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
  const env = (key: string) => `BENCH_${flag(key).replace(/-/g, "_").toUpperCase()}`;
  const { values } = parseArgs({
    args: [...argv],
    options: {
      help: { type: "boolean" },
      ...Object.fromEntries(keys.map((k) => [flag(k), { type: "string" as const }])),
    },
  });
  if (values.help) {
    console.log(`npm run bench:${benchmark} -- [options]`);
    for (const k of keys) {
      const setting = settingOf(k);
      const value = "choices" in setting ? setting.choices.join("|") : "n";
      console.log(`  --${flag(k)} ${value}  (${env(k)}, default ${setting.default})  ${setting.help}`);
    }
    process.exit(0);
  }
  const out: Record<string, number | string> = {};
  for (const k of keys) {
    const setting = settingOf(k);
    const given = (values as Record<string, string | undefined>)[flag(k)] ?? process.env[env(k)];
    if (given === undefined || given === "") {
      out[k] = setting.default;
      continue;
    }
    if ("choices" in setting) {
      if (!setting.choices.includes(given)) {
        throw new Error(
          `--${flag(k)} (${env(k)}) must be one of ${setting.choices.join(", ")}, got ${JSON.stringify(given)}`,
        );
      }
      out[k] = given;
      continue;
    }
    const n = Number(given.replace(/_/g, ""));
    if (!Number.isSafeInteger(n) || n < 1) {
      throw new Error(`--${flag(k)} (${env(k)}) must be a positive integer, got ${JSON.stringify(given)}`);
    }
    out[k] = n;
  }
  return out as SettingValues<S>;
}

/** The machine and code a result was measured on: shared cores make absolute times context only. */
export interface MachineInfo {
  cpus: number;
  cpuModel: string;
  memoryGb: number;
  node: string;
  postgres: string;
  /** `git rev-parse HEAD`, with `+dirty` when the tree had uncommitted changes. */
  commit: string;
  /** When the benchmark started, UTC ISO. */
  date: string;
  /** 1/5/15-minute load averages at the start and the end: how busy the shared cores were. */
  loadAtStart: number[];
  loadAtEnd: number[];
}

function gitCommit(): string {
  try {
    const head = execFileSync("git", ["rev-parse", "--short=12", "HEAD"], { encoding: "utf8" }).trim();
    const dirty = execFileSync("git", ["status", "--porcelain", "--untracked-files=no"], {
      encoding: "utf8",
    });
    return dirty.trim() === "" ? head : `${head}+dirty`;
  } catch {
    return "unknown";
  }
}

const round = (n: number) => Math.round(n * 100) / 100;

/** Starts the machine record; {@link finishMachineInfo} adds the end load. */
export function startMachineInfo(postgresVersion: string): MachineInfo {
  return {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? "unknown",
    memoryGb: round(totalmem() / 2 ** 30),
    node: process.version,
    postgres: postgresVersion,
    commit: gitCommit(),
    date: new Date().toISOString(),
    loadAtStart: loadavg().map(round),
    loadAtEnd: [],
  };
}

export function finishMachineInfo(info: MachineInfo): MachineInfo {
  return { ...info, loadAtEnd: loadavg().map(round) };
}

/** A benchmark's scratch database, connected, with the machine record started against its server. */
export interface BenchDatabase {
  /** Its connection URL, for processes of the benchmark's own (a worker daemon). */
  readonly url: string;
  readonly prisma: PrismaClient;
  /** A plain connection, for raw SQL and COPY. */
  readonly sql: pg.Client;
  readonly machine: MachineInfo;
  /** Disconnects both and drops the database. */
  close(): Promise<void>;
}

/**
 * Creates a scratch database named `prefix`… on {@link adminUrl} (migrated), a Prisma client of
 * `poolSize` connections and a plain connection to it, and starts the machine record.
 * @throws Error when Postgres cannot be reached (what was created is dropped first).
 */
export async function openBenchDatabase(prefix: string, poolSize: number): Promise<BenchDatabase> {
  const db = await createScratchDatabase(adminUrl(), { prefix });
  const prisma = createPrisma(db.url, { max: poolSize });
  const sql = new pg.Client({ connectionString: db.url });
  const close = async () => {
    await prisma.$disconnect();
    await sql.end();
    await db.drop();
  };
  try {
    await sql.connect();
    const { v } = (await sql.query<{ v: string }>("SELECT current_setting('server_version') AS v")).rows[0]!;
    return { url: db.url, prisma, sql, machine: startMachineInfo(v), close };
  } catch (err) {
    await close();
    throw err;
  }
}

/** Wall-clock and CPU time of this process over some sections of work, added up. */
export class Stopwatch {
  wallMs = 0;
  userMs = 0;
  systemMs = 0;

  /** Runs `fn`, adding its wall-clock and this process's CPU time. */
  async time<T>(fn: () => Promise<T> | T): Promise<T> {
    const cpu = process.cpuUsage();
    const start = performance.now();
    try {
      return await fn();
    } finally {
      this.add(cpu, start);
    }
  }

  /**
   * Runs the synchronous `fn`, adding its wall-clock and CPU time; unlike {@link time}, it stops
   * before the `await` that would let other pending callbacks run inside the measure.
   */
  timeSync<T>(fn: () => T): T {
    const cpu = process.cpuUsage();
    const start = performance.now();
    try {
      return fn();
    } finally {
      this.add(cpu, start);
    }
  }

  private add(cpu: NodeJS.CpuUsage, start: number): void {
    this.wallMs += performance.now() - start;
    const used = process.cpuUsage(cpu);
    this.userMs += used.user / 1000;
    this.systemMs += used.system / 1000;
  }

  get seconds(): number {
    return this.wallMs / 1000;
  }

  /** CPU seconds this process spent (user + system); the rest of the wall time is waiting. */
  get cpuSeconds(): number {
    return (this.userMs + this.systemMs) / 1000;
  }
}

/** A per-second rate, rounded to a whole number. */
export function perSecond(count: number, seconds: number): number {
  return seconds > 0 ? Math.round(count / seconds) : 0;
}

/** The value below which `share` (0–1) of the ascending `sorted` values lie (nearest rank); 0 when empty. */
export function percentile(sorted: readonly number[], share: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil(share * sorted.length) - 1)]!;
}

/** A ratio rounded to 3 significant decimals. */
export function ratio(a: number, b: number): number {
  return b > 0 ? Math.round((a / b) * 1000) / 1000 : 0;
}

/** Prints rows as an aligned text table: numbers right-aligned with thousands separators. */
export function printTable(
  title: string,
  rows: ReadonlyArray<Record<string, string | number | boolean>>,
): void {
  const cell = (v: string | number | boolean) =>
    typeof v === "number" ? v.toLocaleString("en-US", { maximumFractionDigits: 3 }) : String(v);
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c] ?? "").length)));
  const line = (values: string[], numeric: boolean[]) =>
    values.map((v, i) => (numeric[i] ? v.padStart(widths[i]!) : v.padEnd(widths[i]!))).join("  ");
  console.log(`\n${title}`);
  console.log(
    line(
      columns,
      columns.map(() => false),
    ),
  );
  console.log(widths.map((w) => "-".repeat(w)).join("  "));
  for (const r of rows) {
    console.log(
      line(
        columns.map((c) => cell(r[c] ?? "")),
        columns.map((c) => typeof r[c] === "number"),
      ),
    );
  }
}

/**
 * Writes `bench/results/<name>.json` (through a `.tmp` file and a rename, so an interrupted run
 * never leaves half a file) and returns its path.
 */
export async function writeResult(name: string, result: unknown): Promise<string> {
  await mkdir(RESULTS_DIR, { recursive: true });
  const path = join(RESULTS_DIR, `${name}.json`);
  const tmp = `${path}.tmp`;
  const json = JSON.stringify(result, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v), 2);
  await writeFile(tmp, `${json}\n`);
  await rename(tmp, path);
  return path;
}

import { createPrisma, type PrismaClient } from "@cos/db";
import { isUnavailableError, toJson } from "@cos/ops";
import { loadConfig, type WorkerConfig } from "@cos/worker";

/** The exit codes of the CLI (sysexits.h where one fits). */
export const EXIT = {
  ok: 0,
  /** The operation ran and failed: a resync failed, a command cannot move in its state. */
  failed: 1,
  /** Usage: an unknown command or option, a missing one (commander). */
  usage: 2,
  /** EX_DATAERR: a value is wrong; the message names the field. */
  dataErr: 65,
  /** EX_NOINPUT: no such vendor, command or resync. */
  noInput: 66,
  /** EX_UNAVAILABLE: Postgres or Redis cannot be reached. */
  unavailable: 69,
  /** EX_CONFIG: the environment is invalid (the message names the variable). */
  config: 78,
} as const;

/** An error that ends the CLI with a given exit code; `kind` is its `--json` error code. */
export class CliError extends Error {
  override name = "CliError";
  constructor(
    readonly exitCode: number,
    message: string,
    readonly kind = exitCode === EXIT.unavailable
      ? "unavailable"
      : exitCode === EXIT.dataErr
        ? "invalid"
        : "failed",
  ) {
    super(message);
  }
}

/** Where the CLI writes: results (`log`, stdout) and messages (`err`, stderr); `tty` whether `log` is a terminal. */
export interface Output {
  log(line: string): void;
  err(line: string): void;
  tty: boolean;
}

/** What every command runs with: the worker's settings, a small Prisma pool, and the output. */
export interface Session {
  config: Readonly<WorkerConfig>;
  prisma: PrismaClient;
  out: Output;
  /** `--json` was given: print one JSON document on `out.log`, nothing else there. */
  json: boolean;
}

/** What a command's action gets besides its options: where to write and the environment to read. */
export interface Context {
  out: Output;
  env: Record<string, string | undefined>;
}

/**
 * Prints a result: with `--json` the value as one JSON document (bigints as strings, instants as
 * ISO-8601 UTC), otherwise the text.
 */
export function print(out: Output, opts: { json?: boolean }, value: unknown, text: () => string): void {
  out.log(opts.json ? JSON.stringify(toJson(value), null, 2) : text());
}

/** host:port/database of a connection URL, without the credentials. */
export function describeUrl(url: string): string {
  const u = new URL(url);
  return `${u.hostname}:${u.port || (u.protocol.startsWith("redis") ? 6379 : 5432)}${u.pathname}`;
}

/** The first line of an error's message, without Prisma's invocation preamble. */
function reason(err: unknown): string {
  const kind = (err as { meta?: { driverAdapterError?: { cause?: { kind?: string } } } }).meta
    ?.driverAdapterError?.cause?.kind;
  return kind ?? (err instanceof Error ? err.message.split("\n").find((l) => l.trim() !== "")! : String(err));
}

/**
 * Runs `action` with the worker's settings and a Prisma client whose connection is checked first,
 * then disconnects.
 * @throws ConfigError for invalid settings; CliError (69) when Postgres cannot be reached.
 */
export async function withSession(
  ctx: Context,
  opts: { json?: boolean },
  action: (session: Session) => Promise<void>,
): Promise<void> {
  const config = loadConfig(ctx.env);
  const prisma = createPrisma(config.databaseUrl, { max: 2 });
  try {
    await prisma.$queryRawUnsafe("SELECT 1").catch((err: unknown) => {
      throw isUnavailableError(err)
        ? new CliError(
            EXIT.unavailable,
            `cannot reach Postgres at DATABASE_URL (${describeUrl(config.databaseUrl)}): ${reason(err)}`,
          )
        : err;
    });
    await action({ config, prisma, out: ctx.out, json: opts.json === true });
  } finally {
    await prisma.$disconnect();
  }
}

import { OutboxTransitionError } from "@cos/db";
import { OutboxCommandError } from "@cos/outbox";
import { ResyncRequestError } from "@cos/sync";

/**
 * What went wrong with an operator's request, as the front ends tell it: `invalid` (a field is
 * wrong: HTTP 400, CLI exit 65), `not_found` (no such vendor, command or resync: 404, exit 66),
 * `conflict` (the thing exists but is in a state that forbids the action, e.g. retrying a command
 * that is not dead: 409, exit 1).
 */
export type OpsErrorCode = "invalid" | "not_found" | "conflict";

/** An operator request that cannot be served; the message names the field or the id and its value. */
export class OpsError extends Error {
  override name = "OpsError";
  constructor(
    readonly code: OpsErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/**
 * The {@link OpsError} an error of the operations stands for, or undefined for anything else (a
 * database or queue failure: the caller's "unavailable" path). Maps the errors the reused entry
 * points throw: `OutboxCommandError` and `ResyncRequestError` are `invalid`;
 * `OutboxTransitionError` is `not_found` for a command that does not exist and `conflict` for one
 * in another status. The original error is kept as `cause`.
 */
export function opsErrorOf(err: unknown): OpsError | undefined {
  if (err instanceof OpsError) return err;
  if (err instanceof OutboxCommandError || err instanceof ResyncRequestError)
    return new OpsError("invalid", err.message, { cause: err });
  if (err instanceof OutboxTransitionError)
    return new OpsError(err.actual === null ? "not_found" : "conflict", err.message, { cause: err });
  return undefined;
}

/** Prisma driver-adapter error kinds that mean Postgres cannot be used now, not that a query is wrong. */
const UNREACHABLE_KINDS = new Set([
  "DatabaseNotReachable",
  "DatabaseDoesNotExist",
  "DatabaseAccessDenied",
  "AuthenticationFailed",
  "ConnectionClosed",
  "TlsConnectionError",
  "TooManyConnections",
  "SocketTimeout",
]);
/** Node's socket error codes of a server that is down or unreachable (pg, ioredis). */
const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "ENOTFOUND",
  "EHOSTUNREACH",
  "EAI_AGAIN",
]);

/**
 * Postgres SQLSTATEs of a server that cannot serve the session rather than a wrong query: a
 * connection exception (class 08), refused credentials (class 28), no such database (3D000), too
 * many connections (53300), an administrator's or a crash's shutdown, or a server still starting
 * (57P01–57P03). Raw `pg` errors carry them as `code` (the migrator), Prisma's as `originalCode`.
 */
const UNAVAILABLE_SQLSTATE = /^(08[0-9A-Z]{3}|28[0-9A-Z]{3}|3D000|53300|57P0[1-3])$/;

/**
 * Whether `err` says Postgres or Redis cannot be reached or used (down, wrong host, no such
 * database, refused credentials, a server shutting down) rather than that the request was wrong:
 * the CLI's exit 69 (EX_UNAVAILABLE), the HTTP server's 503. Reads Prisma's driver-adapter error
 * kind, Postgres SQLSTATEs and Node's socket error codes, following `cause` chains.
 */
export function isUnavailableError(err: unknown): boolean {
  for (let e = err, depth = 0; e && typeof e === "object" && depth < 5; depth++) {
    const x = e as {
      code?: unknown;
      meta?: { driverAdapterError?: { cause?: { kind?: unknown; originalCode?: unknown } } };
      cause?: unknown;
      errors?: unknown;
    };
    if (
      typeof x.code === "string" &&
      (NETWORK_CODES.has(x.code) || /^P10(0[0-3]|17)$/.test(x.code) || UNAVAILABLE_SQLSTATE.test(x.code))
    )
      return true;
    const adapter = x.meta?.driverAdapterError?.cause;
    if (typeof adapter?.kind === "string" && UNREACHABLE_KINDS.has(adapter.kind)) return true;
    if (typeof adapter?.originalCode === "string" && UNAVAILABLE_SQLSTATE.test(adapter.originalCode))
      return true;
    // An AggregateError of a connect to every address of a host (node's happy eyeballs).
    if (Array.isArray(x.errors) && x.errors.some(isUnavailableError)) return true;
    e = x.cause;
  }
  return false;
}

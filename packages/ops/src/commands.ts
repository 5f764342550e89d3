import {
  getOutboxCommands,
  OUTBOX_COMMAND_KINDS,
  OUTBOX_STATUSES,
  type JsonValue,
  type OutboxCommandKind,
  type OutboxCommandRecord,
  type OutboxStatus,
  type PrismaClient,
} from "@cos/db";
import { OpsError } from "./errors.js";

/** The page size of {@link listCommands} when none is asked for, and the largest allowed. */
export const COMMAND_PAGE = { default: 50, max: 1000 } as const;

/** Filters and paging of {@link listCommands}; every filter is optional. */
export interface ListCommandsInput {
  vendorId?: string | undefined;
  /** One of `OUTBOX_STATUSES`. */
  status?: string | undefined;
  /** One of `OUTBOX_COMMAND_KINDS`. */
  kind?: string | undefined;
  /** 1–1000; default 50. */
  limit?: number | undefined;
  /** Only commands with a smaller id: pass the last id of a page to get the next one. */
  beforeId?: bigint | undefined;
}

/** One try of a command (`outbox_attempts`): a Coupang call or a read-back. Instants are UTC. */
export interface CommandAttempt {
  /** Numbered from 1 across re-arms. */
  attempt: number;
  startedAt: Date;
  finishedAt: Date;
  /** A summary of the request (endpoint, rows of this command); never keys. */
  request: JsonValue;
  /** e.g. `succeeded`, `retry`, `unknown`, `rate_limited`, `read_back`. */
  outcome: string;
  /** Coupang's per-row result code, e.g. `INVALID_STATUS`. */
  resultCode: string | null;
  resultMessage: string | null;
  /** The HTTP status of a failed call; null otherwise. */
  httpStatus: number | null;
}

/** A command with its attempt log, oldest attempt first. */
export interface CommandDetail extends OutboxCommandRecord {
  attemptLog: CommandAttempt[];
}

/**
 * Outbox commands, newest first (by id), filtered by vendor, status and kind.
 * @throws OpsError `invalid` naming the field: an unknown status or kind, a limit outside 1–1000.
 */
export async function listCommands(
  prisma: PrismaClient,
  input: ListCommandsInput = {},
): Promise<OutboxCommandRecord[]> {
  const limit = input.limit ?? COMMAND_PAGE.default;
  if (!Number.isInteger(limit) || limit < 1 || limit > COMMAND_PAGE.max)
    throw new OpsError("invalid", `limit: expected a whole number 1–${COMMAND_PAGE.max}, got ${limit}`);
  if (input.status !== undefined && !(OUTBOX_STATUSES as readonly string[]).includes(input.status))
    throw new OpsError(
      "invalid",
      `status: expected one of ${OUTBOX_STATUSES.join(", ")}, got ${input.status}`,
    );
  if (input.kind !== undefined && !(OUTBOX_COMMAND_KINDS as readonly string[]).includes(input.kind))
    throw new OpsError(
      "invalid",
      `kind: expected one of ${OUTBOX_COMMAND_KINDS.join(", ")}, got ${input.kind}`,
    );
  const ids = await prisma.outboxCommand.findMany({
    select: { id: true },
    where: {
      ...(input.vendorId === undefined ? {} : { vendorId: input.vendorId }),
      ...(input.status === undefined ? {} : { status: input.status as OutboxStatus }),
      ...(input.kind === undefined ? {} : { kind: input.kind as OutboxCommandKind }),
      ...(input.beforeId === undefined ? {} : { id: { lt: input.beforeId } }),
    },
    orderBy: { id: "desc" },
    take: limit,
  });
  // Read through the repository, so a command reads the same here as everywhere else.
  const commands = await getOutboxCommands(
    prisma,
    ids.map((r) => r.id),
  );
  return commands.reverse();
}

/**
 * One command with its attempt log.
 * @throws OpsError `not_found` when no command has this id.
 */
export async function getCommand(prisma: PrismaClient, id: bigint): Promise<CommandDetail> {
  const [command] = await getOutboxCommands(prisma, [id]);
  if (!command) throw new OpsError("not_found", `command ${id} does not exist`);
  const attempts = await prisma.outboxAttempt.findMany({
    where: { commandId: id },
    orderBy: { attempt: "asc" },
  });
  return {
    ...command,
    attemptLog: attempts.map((a) => ({
      attempt: a.attempt,
      startedAt: a.startedAt,
      finishedAt: a.finishedAt,
      request: a.request as JsonValue,
      outcome: a.outcome,
      resultCode: a.resultCode,
      resultMessage: a.resultMessage,
      httpStatus: a.httpStatus,
    })),
  };
}

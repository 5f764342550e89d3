// The operator's CLI: `npm run cli -- <command>` (or `node --import tsx apps/cli/src/main.ts`). It
// reads the worker's environment (DATABASE_URL, REDIS_URL, QUEUE_PREFIX, the COUPANG_* vendors: the
// README's settings) and works through @cos/ops, as the admin API does.
//
//   npm run cli -- status [--vendor A00012345] [--json]
//   npm run cli -- vendors [--json]
//   npm run cli -- commands list [--vendor V] [--status dead] [--kind CANCEL] [--limit 50] [--before ID] [--json]
//   npm run cli -- commands show 42 [--json]
//   npm run cli -- commands acknowledge --vendor V --box SHIPMENT_BOX_ID --order ORDER_ID [--json]
//   npm run cli -- commands upload-invoice --vendor V --box SHIPMENT_BOX_ID --order ORDER_ID \
//                    [--item VENDOR_ITEM_ID] --carrier CJGLS --invoice 123456789012 [--json]
//   npm run cli -- commands update-invoice   (the same options)
//   npm run cli -- commands cancel-items --vendor V --box B --order O --item I --quantity 1 \
//                    [--item I2 --quantity 2] --reason CCTTER --user WING_LOGIN [--json]
//     (these four also take [--created-by WHO] [--dedupe-key KEY]: a command whose dedupe key
//     exists, in any status, is not added again; a new key sends it anyway)
//   npm run cli -- commands retry 42        (re-arm a dead command)
//   npm run cli -- commands cancel 42 [--reason "…"]
//   npm run cli -- resync --vendor V --from 2026-08-01 --to 2026-10-30 [--streams ordersheets,returnRequests]
//                    [--days-per-window 7] [--no-wait] [--json]
//   npm run cli -- retention [--dry-run] [--days 90] [--json]   (PII retention; default PII_RETENTION_DAYS)
//   npm run cli -- migrate
//
// Exit codes: 0 ok; 1 the operation ran and failed (a resync failed or was cancelled, a command
// cannot be retried or cancelled in its state); 2 usage; 65 invalid input (the message names the
// field); 66 not found; 69 Postgres or Redis unreachable; 78 invalid configuration.
// `--json` prints one JSON document on stdout (IDs as strings); messages go to stderr.
import { pathToFileURL } from "node:url";
import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import { migrate } from "@cos/db";
import { isUnavailableError, MAX_ID, opsErrorOf, parseId } from "@cos/ops";
import { ConfigError, loadConfig } from "@cos/worker";
import { printable } from "./format.js";
import { CliError, describeUrl, EXIT, print, withSession, type Context, type Output } from "./session.js";
import {
  cancelOne,
  enqueueAcknowledge,
  enqueueCancel,
  enqueueInvoice,
  listSome,
  retryOne,
  showOne,
  showStatus,
  showVendors,
} from "./operations.js";
import { resync } from "./resync.js";
import { retention } from "./retention.js";

/**
 * A decimal ID option (`--box 300000000000012345`), checked by @cos/ops `parseId` as the admin API
 * checks it, and kept as text so no digit is lost.
 */
function decimalId(value: string): string {
  try {
    parseId("id", value);
  } catch {
    throw new InvalidArgumentError(`expected a decimal ID from 1 to ${MAX_ID}`);
  }
  return value;
}

/** A whole number ≥ 1 option. */
function count(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1) throw new InvalidArgumentError("expected a whole number ≥ 1");
  return n;
}

/** A number of days for `retention --days`, as PII_RETENTION_DAYS takes it. */
function retentionDays(value: string): number {
  const n = count(value);
  if (n > 3_650) throw new InvalidArgumentError("expected at most 3650 days");
  return n;
}

/** Collects a repeatable option into a list. */
const collect =
  <T>(parse: (v: string) => T) =>
  (value: string, previous: T[] | undefined): T[] => [...(previous ?? []), parse(value)];

const json = () => new Option("--json", "print one JSON document on stdout (IDs as strings)");

/**
 * Adds to `commands` a subcommand `name` that enqueues an outbox command for a box: --vendor,
 * --box and --order, then the kind's own options (`own`), then --created-by, --dedupe-key and
 * --json. Returns the subcommand, for its action.
 */
function enqueuing(
  commands: Command,
  name: string,
  description: string,
  own: (c: Command) => Command = (c) => c,
): Command {
  return own(
    commands
      .command(name)
      .description(description)
      .requiredOption("--vendor <vendorId>", "the vendor, e.g. A00012345")
      .requiredOption("--box <shipmentBoxId>", "the shipment box", decimalId)
      .requiredOption("--order <orderId>", "its order", decimalId),
  )
    .option("--created-by <who>", "recorded as created_by", "cli")
    .option(
      "--dedupe-key <key>",
      "the command's dedupe key instead of the business one: a new key sends a command again that matches an earlier one",
    )
    .addOption(json());
}

/** The program: results go to `ctx.out`, settings come from `ctx.env`. */
export function buildProgram(ctx: Context): Command {
  const { out } = ctx;
  const program = new Command("cos")
    .description(
      "Operate the Coupang order-sync worker: status, vendors, outbox commands, resyncs, migrations",
    )
    // Set before the subcommands are added: they copy these settings when created.
    .exitOverride()
    .configureOutput({ writeOut: (s) => out.log(s.trimEnd()), writeErr: (s) => out.err(s.trimEnd()) })
    .showHelpAfterError();

  program
    .command("status")
    .description("freshness per vendor and stream, failed slices, quarantined records, outbox counts")
    .option("--vendor <vendorId>", "only this vendor")
    .addOption(json())
    .action((opts: { vendor?: string; json?: boolean }) =>
      withSession(ctx, opts, (s) => showStatus(s, opts)),
    );

  program
    .command("vendors")
    .description("the vendors the worker has registered")
    .addOption(json())
    .action((opts: { json?: boolean }) => withSession(ctx, opts, (s) => showVendors(s)));

  const commands = program.command("commands").description("outbound commands (the outbox)");
  commands
    .command("list")
    .description("commands, newest first")
    .option("--vendor <vendorId>", "only this vendor")
    .option("--status <status>", "pending, in_flight, succeeded, rejected, unknown, dead or cancelled")
    .option("--kind <kind>", "ACKNOWLEDGE, UPLOAD_INVOICE, UPDATE_INVOICE or CANCEL")
    .option("--limit <n>", "at most n (1–1000)", count, 50)
    .option("--before <id>", "only commands older than this id (the next page)", decimalId)
    .addOption(json())
    .action((opts: Parameters<typeof listSome>[1] & { json?: boolean }) =>
      withSession(ctx, opts, (s) => listSome(s, opts)),
    );
  commands
    .command("show <id>")
    .description("one command with its attempt log")
    .addOption(json())
    .action((id: string, opts: { json?: boolean }) => {
      const commandId = parseId("id", id);
      return withSession(ctx, opts, (s) => showOne(s, commandId));
    });
  enqueuing(commands, "acknowledge", "queue an acknowledgement of a box (ACCEPT → INSTRUCT)").action(
    (opts: Parameters<typeof enqueueAcknowledge>[1] & { json?: boolean }) =>
      withSession(ctx, opts, (s) => enqueueAcknowledge(s, opts)),
  );
  for (const kind of ["UPLOAD_INVOICE", "UPDATE_INVOICE"] as const) {
    enqueuing(
      commands,
      kind === "UPLOAD_INVOICE" ? "upload-invoice" : "update-invoice",
      kind === "UPLOAD_INVOICE"
        ? "queue an invoice upload for a box (one row per open item)"
        : "queue an invoice update for a box already shipped",
      (c) =>
        c
          .option(
            "--item <vendorItemId>",
            "only this item's row (default every open item of the box)",
            decimalId,
          )
          .requiredOption("--carrier <code>", "the delivery company code, e.g. CJGLS")
          .requiredOption("--invoice <number>", "the tracking number"),
    ).action((opts: Parameters<typeof enqueueInvoice>[2] & { json?: boolean }) =>
      withSession(ctx, opts, (s) => enqueueInvoice(s, kind, opts)),
    );
  }
  enqueuing(
    commands,
    "cancel-items",
    "queue a cancel of items of a box (ACCEPT or INSTRUCT only); --item and --quantity pair up in order",
    (c) =>
      c
        .requiredOption("--item <vendorItemId>", "an item to cancel (repeatable)", collect(decimalId))
        .requiredOption("--quantity <n>", "how many of it (repeatable, one per --item)", collect(count))
        .requiredOption(
          "--reason <middleCancelCode>",
          "Coupang's cancel reason code, e.g. CCTTER (out of stock)",
        )
        .requiredOption("--user <wingLoginId>", "the seller's WING login ID"),
  ).action((opts: Parameters<typeof enqueueCancel>[1] & { json?: boolean }) =>
    withSession(ctx, opts, (s) => enqueueCancel(s, opts)),
  );
  commands
    .command("retry <id>")
    .description("re-arm a dead command: it is read back, then resent if Coupang has not applied it")
    .addOption(json())
    .action((id: string, opts: { json?: boolean }) => {
      const commandId = parseId("id", id);
      return withSession(ctx, opts, (s) => retryOne(s, commandId));
    });
  commands
    .command("cancel <id>")
    .description("cancel a pending or dead command")
    .option("--reason <text>", "kept as its last result", "cancelled by an operator (cli)")
    .addOption(json())
    .action((id: string, opts: { reason: string; json?: boolean }) => {
      const commandId = parseId("id", id);
      return withSession(ctx, opts, (s) => cancelOne(s, commandId, opts));
    });

  program
    .command("resync")
    .description("re-read a vendor's streams over a range of KST days, show progress, and print the report")
    .requiredOption("--vendor <vendorId>", "the vendor, e.g. A00012345")
    .requiredOption("--from <day>", "first KST day yyyy-MM-dd (or a date-time)")
    .requiredOption("--to <day>", "last KST day yyyy-MM-dd, included (or a date-time); cut at now")
    .option("--streams <names>", "comma-separated streams (default all)")
    .option("--days-per-window <n>", "KST days per child job (1–31, default 7)", count)
    .option("--no-wait", "queue it and return at once")
    .addOption(json())
    .action((opts: Parameters<typeof resync>[1]) => withSession(ctx, opts, (s) => resync(s, opts)));

  program
    .command("retention")
    .description("erase buyers' personal data of delivered or closed orders and claims older than N days")
    .option("--dry-run", "count what is due, change nothing")
    .option("--days <n>", "days since the last change (1–3650; default PII_RETENTION_DAYS)", retentionDays)
    .addOption(json())
    .action((opts: { dryRun?: boolean; days?: number; json?: boolean }) =>
      withSession(ctx, opts, (s) => retention(s, opts)),
    );

  program
    .command("migrate")
    .description("apply pending database migrations (prisma/migrations)")
    .addOption(json())
    .action(async (opts: { json?: boolean }) => {
      const { databaseUrl } = loadConfig(ctx.env);
      const { applied } = await migrate(databaseUrl).catch((err: unknown) => {
        throw isUnavailableError(err)
          ? new CliError(
              EXIT.unavailable,
              `cannot reach Postgres at DATABASE_URL (${describeUrl(databaseUrl)}): ${(err as Error).message}`,
            )
          : err;
      });
      print(out, opts, { applied }, () =>
        applied.length === 0 ? "no pending migrations" : `applied: ${applied.join(", ")}`,
      );
    });
  return program;
}

/** Each line of `text` made {@link printable}, the line breaks kept. */
const printableLines = (text: string) => text.split("\n").map(printable).join("\n");

/**
 * Runs the CLI on `argv` (without node and the script) and returns its exit code; never exits.
 * Errors are written to `out.err`: with `--json`, also `{ error: { code, message } }` on `out.log`
 * unless a result was printed there (a failed resync's report) — usage errors (2) and refused
 * option values (65) included. Control characters in anything written are escaped
 * ({@link printable}).
 */
export async function run(
  argv: string[],
  terminal: Output,
  env: Record<string, string | undefined> = process.env,
): Promise<number> {
  // Whether a result is on stdout already: then an error adds no second JSON document.
  let printed = false;
  const out: Output = {
    tty: terminal.tty,
    log: (line) => {
      printed = true;
      terminal.log(printableLines(line));
    },
    err: (line) => terminal.err(printableLines(line)),
  };
  const program = buildProgram({ out, env });
  try {
    await program.parseAsync(argv, { from: "user" });
    return EXIT.ok;
  } catch (err) {
    const asJson = argv.includes("--json");
    const fail = (code: number, kind: string, message: string) => {
      out.err(`error: ${message}`);
      if (asJson && !printed) out.log(JSON.stringify({ error: { code: kind, message } }));
      return code;
    };
    if (err instanceof CommanderError) {
      if (
        err.code === "commander.helpDisplayed" ||
        err.code === "commander.help" ||
        err.code === "commander.version"
      )
        return EXIT.ok;
      // A value an option's parser refused names the option: bad input, not bad usage.
      const invalid = err.code === "commander.invalidArgument";
      // commander has written the message (and the usage) to stderr already.
      if (asJson && !printed)
        out.log(
          JSON.stringify({
            error: { code: invalid ? "invalid" : "usage", message: err.message.replace(/^error: /, "") },
          }),
        );
      return invalid ? EXIT.dataErr : EXIT.usage;
    }
    if (err instanceof CliError) return fail(err.exitCode, err.kind, err.message);
    if (err instanceof ConfigError) return fail(EXIT.config, "config", err.message);
    const ops = opsErrorOf(err);
    if (ops)
      return fail(
        ops.code === "invalid" ? EXIT.dataErr : ops.code === "not_found" ? EXIT.noInput : EXIT.failed,
        ops.code,
        ops.message,
      );
    if (isUnavailableError(err)) return fail(EXIT.unavailable, "unavailable", (err as Error).message);
    // A bug: its stack for the report on stderr, its message alone in the JSON document.
    if (err instanceof Error && err.stack) out.err(err.stack);
    return fail(EXIT.failed, "internal", err instanceof Error ? err.message : String(err));
  }
}

// Only as a script: a test imports `run` without starting anything.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const code = await run(process.argv.slice(2), {
    log: (s) => process.stdout.write(`${s}\n`),
    err: (s) => process.stderr.write(`${s}\n`),
    tty: process.stdout.isTTY === true,
  });
  process.exitCode = code;
  // Everything is closed by now; should a socket linger, the CLI still ends.
  setTimeout(() => process.exit(code), 2_000).unref();
}

import {
  cancelCommand,
  enqueueCommand,
  getCommand,
  listCommands,
  listVendors,
  parseId,
  rearmCommand,
  vendorStatus,
} from "@cos/ops";
import { OutboxCommandError, type CommandInput } from "@cos/outbox";
import { formatCommand, formatCommands, formatStatus, formatVendors } from "./format.js";
import { print, type Session } from "./session.js";

/** `status`: @cos/ops `vendorStatus`, for every vendor or one. */
export async function showStatus(s: Session, opts: { vendor?: string }): Promise<void> {
  const report = await vendorStatus(s.prisma, { vendorId: opts.vendor });
  print(s.out, s, report, () => formatStatus(report));
}

/** `vendors`. */
export async function showVendors(s: Session): Promise<void> {
  const vendors = await listVendors(s.prisma);
  print(s.out, s, { vendors }, () => formatVendors(vendors));
}

/** `commands list`. */
export async function listSome(
  s: Session,
  opts: { vendor?: string; status?: string; kind?: string; limit: number; before?: string },
): Promise<void> {
  const commands = await listCommands(s.prisma, {
    vendorId: opts.vendor,
    status: opts.status,
    kind: opts.kind,
    limit: opts.limit,
    beforeId: opts.before === undefined ? undefined : parseId("before", opts.before),
  });
  print(s.out, s, { commands }, () => formatCommands(commands));
}

/** `commands show <id>`. */
export async function showOne(s: Session, id: bigint): Promise<void> {
  const command = await getCommand(s.prisma, id);
  print(s.out, s, command, () => formatCommand(command));
}

/** The options every enqueuing subcommand takes: IDs as decimal text, `dedupeKey` as given. */
interface TargetOptions {
  vendor: string;
  box: string;
  order: string;
  createdBy: string;
  /** Replaces the business dedupe key, so that a command matching an earlier one is added. */
  dedupeKey?: string;
}

/** The fields of a {@link CommandInput} that {@link TargetOptions} give. */
function targetOf(opts: TargetOptions) {
  return {
    vendorId: opts.vendor,
    shipmentBoxId: opts.box,
    orderId: opts.order,
    createdBy: opts.createdBy,
    ...(opts.dedupeKey === undefined ? {} : { dedupeKey: opts.dedupeKey }),
  };
}

/**
 * Enqueues through packages/outbox `enqueueCommand` (checked, stored once per dedupe key; the
 * insert's NOTIFY wakes the worker's drain). Only for a vendor of the worker's environment, as
 * the worker's own entry point does: another vendor's command would never be drained. A command
 * whose key exists is printed with `created: false` (exit 0, as the same request made twice is
 * one command) and, as text, how to send it anyway.
 * @throws OutboxCommandError naming the field.
 */
async function enqueue(s: Session, input: CommandInput): Promise<void> {
  if (!s.config.vendors.some((v) => v.vendorId === input.vendorId))
    throw new OutboxCommandError("vendorId", input.vendorId, "not configured in this worker");
  const { command, created } = await enqueueCommand(s.prisma, input);
  print(s.out, s, { created, command }, () =>
    created
      ? `queued ${formatCommand(command)}`
      : `already queued (same dedupe key), nothing added; to send it again anyway, give --dedupe-key <a new key>:\n${formatCommand(command)}`,
  );
}

/** `commands acknowledge` (coupang-api.md §3): the box goes from ACCEPT to INSTRUCT. */
export function enqueueAcknowledge(s: Session, opts: TargetOptions): Promise<void> {
  return enqueue(s, { kind: "ACKNOWLEDGE", ...targetOf(opts) });
}

/** `commands upload-invoice` / `update-invoice` (coupang-api.md §4.1, §4.2). */
export function enqueueInvoice(
  s: Session,
  kind: "UPLOAD_INVOICE" | "UPDATE_INVOICE",
  opts: TargetOptions & { item?: string; carrier: string; invoice: string },
): Promise<void> {
  return enqueue(s, {
    kind,
    ...targetOf(opts),
    ...(opts.item === undefined ? {} : { vendorItemId: opts.item }),
    deliveryCompanyCode: opts.carrier,
    invoiceNumber: opts.invoice,
  });
}

/**
 * `commands cancel-items` (coupang-api.md §5.1): `--item` and `--quantity` pair up in order.
 * @throws OutboxCommandError (`items`) when their counts differ.
 */
export function enqueueCancel(
  s: Session,
  opts: TargetOptions & { item: string[]; quantity: number[]; reason: string; user: string },
): Promise<void> {
  if (opts.item.length !== opts.quantity.length)
    throw new OutboxCommandError(
      "items",
      `${opts.item.length} --item, ${opts.quantity.length} --quantity`,
      "give one --quantity per --item, in the same order",
    );
  return enqueue(s, {
    kind: "CANCEL",
    ...targetOf(opts),
    items: opts.item.map((vendorItemId, i) => ({ vendorItemId, receiptCount: opts.quantity[i]! })),
    // Checked against Coupang's codes by enqueueCommand, which names the field.
    middleCancelCode: opts.reason as Extract<CommandInput, { kind: "CANCEL" }>["middleCancelCode"],
    userId: opts.user,
  });
}

/** `commands retry <id>`: re-arms a dead command. */
export async function retryOne(s: Session, id: bigint): Promise<void> {
  const command = await rearmCommand(s.prisma, id, new Date(), "re-armed by an operator (cli)");
  print(s.out, s, { command }, () => `re-armed ${formatCommand(command)}`);
}

/** `commands cancel <id>`: cancels a pending or dead command. */
export async function cancelOne(s: Session, id: bigint, opts: { reason: string }): Promise<void> {
  const command = await cancelCommand(s.prisma, id, opts.reason);
  print(s.out, s, { command }, () => `cancelled ${formatCommand(command)}`);
}

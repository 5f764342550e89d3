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

/**
 * Enqueues through packages/outbox `enqueueCommand` (checked, stored once per dedupe key; the
 * insert's NOTIFY wakes the worker's drain). Only for a vendor of the worker's environment, as
 * the worker's own entry point does: another vendor's command would never be drained.
 * @throws OutboxCommandError naming the field.
 */
async function enqueue(s: Session, input: CommandInput): Promise<void> {
  if (!s.config.vendors.some((v) => v.vendorId === input.vendorId))
    throw new OutboxCommandError("vendorId", input.vendorId, "not configured in this worker");
  const { command, created } = await enqueueCommand(s.prisma, input);
  print(s.out, s, { created, command }, () =>
    created
      ? `queued ${formatCommand(command)}`
      : `already queued (same dedupe key), nothing added:\n${formatCommand(command)}`,
  );
}

/** `commands upload-invoice` / `update-invoice` (coupang-api.md §4.1, §4.2). */
export function enqueueInvoice(
  s: Session,
  kind: "UPLOAD_INVOICE" | "UPDATE_INVOICE",
  opts: {
    vendor: string;
    box: string;
    order: string;
    item?: string;
    carrier: string;
    invoice: string;
    createdBy: string;
  },
): Promise<void> {
  return enqueue(s, {
    kind,
    vendorId: opts.vendor,
    shipmentBoxId: opts.box,
    orderId: opts.order,
    ...(opts.item === undefined ? {} : { vendorItemId: opts.item }),
    deliveryCompanyCode: opts.carrier,
    invoiceNumber: opts.invoice,
    createdBy: opts.createdBy,
  });
}

/**
 * `commands cancel-items` (coupang-api.md §5.1): `--item` and `--quantity` pair up in order.
 * @throws OutboxCommandError (`items`) when their counts differ.
 */
export function enqueueCancel(
  s: Session,
  opts: {
    vendor: string;
    box: string;
    order: string;
    item: string[];
    quantity: number[];
    reason: string;
    user: string;
    createdBy: string;
  },
): Promise<void> {
  if (opts.item.length !== opts.quantity.length)
    throw new OutboxCommandError(
      "items",
      `${opts.item.length} --item, ${opts.quantity.length} --quantity`,
      "give one --quantity per --item, in the same order",
    );
  return enqueue(s, {
    kind: "CANCEL",
    vendorId: opts.vendor,
    shipmentBoxId: opts.box,
    orderId: opts.order,
    items: opts.item.map((vendorItemId, i) => ({ vendorItemId, receiptCount: opts.quantity[i]! })),
    // Checked against Coupang's codes by enqueueCommand, which names the field.
    middleCancelCode: opts.reason as Extract<CommandInput, { kind: "CANCEL" }>["middleCancelCode"],
    userId: opts.user,
    createdBy: opts.createdBy,
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

import {
  CoupangAuthError,
  CoupangBlockedError,
  CoupangDataError,
  CoupangError,
  CoupangInputError,
  CoupangNotFoundError,
  CoupangRateLimitError,
  type BatchResult,
  type CancelResult,
  type CoupangClient,
  type InvoiceRow,
  type OrderSheet,
} from "@cos/coupang";
import {
  appendChangeEvents,
  claimOutboxCommands,
  latestOutboxAttemptRequest,
  localBoxStates,
  markBoxAfterCommand,
  outboxCommandsOnBoxes,
  recordOutboxAttempts,
  transitionOutboxCommand,
  withTransaction,
  type BoxEffect,
  type ClaimedOutboxCommand,
  type JsonValue,
  type OutboxAttemptInput,
  type OutboxCommandKind,
  type OutboxStatus,
  type PrismaClient,
} from "@cos/db";
import {
  CANCEL_NOT_ALLOWED,
  CANCELLABLE_STATUSES,
  cancelEffect,
  cancelLinesFromJson,
  cancelLinesJson,
  cancelLinesOf,
  cancelRefusalOf,
  judgeCancelReadBack,
  judgeCancelResult,
} from "./cancel.js";
import {
  commandInputOf,
  enqueueCommand,
  EXECUTABLE_KINDS,
  isInvoiceCommand,
  OutboxCommandError,
  parseCommand,
  type CancelCommand,
  type Command,
} from "./command.js";
import { backoffMs, retryPolicies, type RetryPolicy } from "./policy.js";
import { boxViewOf, judgeReadBack, SHIPPED_STATUSES, type BoxView } from "./read-back.js";
import { canTransition, endsAttempts, sourcesOf } from "./states.js";

/** The calls the executors make (a `CoupangClient` has them; coupang-api.md §2.2, §3, §4.1, §4.2, §5.1). */
export type OutboxClient = Pick<
  CoupangClient,
  "acknowledgeOrders" | "uploadInvoices" | "updateInvoices" | "getOrderSheet" | "cancelOrder"
>;

/** Options of {@link drainOutbox}. Durations in milliseconds. */
export interface DrainOutboxOptions {
  prisma: PrismaClient;
  /** The vendor's client; its limiter paces every call and is paused by a 429. */
  client: OutboxClient;
  vendorId: string;
  /**
   * The clock (UTC instants); default the system clock. Read at each event, never once per drain:
   * every instant written (claims, attempts, transitions, due times) is when it happened.
   */
  now?: () => Date;
  /** Most commands claimed per drain; default 500. */
  limit?: number;
  /** How long a claim holds before another drainer may take the command over (and read it back); default 5 min. */
  leaseMs?: number;
  /** Retry policy per kind, laid over `DEFAULT_RETRY_POLICY`. */
  retry?: Partial<Record<OutboxCommandKind, Partial<RetryPolicy>>>;
  /** Boxes per invoice call; default 50 (as an acknowledgement, §3). */
  invoiceBatchSize?: number;
  /** How long the vendor rests after a 429 without `Retry-After`, or a block; default 60 s (the client's own pause). */
  rateLimitPauseMs?: number;
  /**
   * Delay before an upload refused with INVALID_STATUS is retried while its box still reads
   * ACCEPT after a successful acknowledgement (pitfall B-7: up to ~30 min); default 10 min.
   */
  ackLagRetryMs?: number;
  /** Jitter source in [0, 1); default `Math.random`. */
  random?: () => number;
}

/** What {@link drainOutbox} did. */
export interface DrainOutboxResult {
  /** Commands claimed (the acknowledgements claimed for uploads included). */
  claimed: number;
  /** How many commands ended the drain in each status. */
  statuses: Partial<Record<OutboxStatus, number>>;
  /** Coupang calls made (writes and read-backs). */
  calls: number;
  /** Set when a 429 or a block stopped the drain: when the vendor may be called again. */
  pausedUntil: Date | null;
  /** The error that stopped it (a 429, a block, bad keys), for the caller's circuit; else null. */
  stoppedBy: CoupangError | null;
}

const MAX_ACK_BOXES = 50;
/** The attempt-log outcome of the read before a cancel; its request summary holds the lines sent and their baseline. */
const READ_BEFORE_CANCEL = "read_before_cancel";
/**
 * Statuses of a live command of a box: it may yet be sent or take effect. A finished one (a
 * succeeded cancel included) holds nothing up: its effect is on the box's items.
 */
const LIVE_STATUSES: readonly OutboxStatus[] = ["pending", "in_flight", "unknown"];
/** Row result codes that are settled by reading the box back (design.md "Outbound commands"; §3, §4.1). */
const READ_BACK_CODES: ReadonlySet<string> = new Set([
  "DUPLICATE_INVOICE_NUMBER",
  "NOT_ALLOW_INVOICE_NUMBER_RE_UPLOAD",
  "INVALID_STATUS",
]);

/** How a command leaves this drain. */
type Verdict =
  | { to: "succeeded"; code: string; message: string | null; effect: BoxEffect | null }
  | { to: "rejected" | "cancelled"; code: string; message: string | null }
  /** Try again later; `unknown`: the write may have happened, so read back first. */
  | { to: "retry"; unknown: boolean; code: string; message: string | null; delayMs?: number }
  /** Not tried (429, block, a sibling command first): the attempt is given back. */
  | { to: "deferred"; code: string; message: string | null; untilMs: number };

/** A claimed command and how it leaves the drain. */
interface Entry {
  record: ClaimedOutboxCommand;
  /** The write may have been applied by an earlier try: read back before sending. */
  unknown: boolean;
  verdict?: Verdict;
  /** The transition its verdict committed (see {@link Drain.commit}). */
  committed?: { to: OutboxStatus; nextAttemptAt?: Date };
}

/** A claimed command that passed {@link parseCommand}. */
interface Work extends Entry {
  command: Command;
  box: BoxView | undefined;
  /** The acknowledgement this upload waits for (its box is ACCEPT). */
  ack?: Work;
}

/**
 * Drains a vendor's due commands once: claims them (`FOR UPDATE SKIP LOCKED`, so drainers in
 * several processes share the work), executes them in batches and records every try. Callable
 * from a BullMQ job or a `LISTEN coupang_outbox` loop; call it again while it claims anything.
 *
 * - A command whose last try may have been applied (`unknown`, a lease that ran out, a re-armed
 *   dead one) is read back first (`getOrderSheet`, coupang-api.md §2.2): if the box shows its
 *   effect it has succeeded, and nothing is resent.
 * - ACKNOWLEDGE: batches of ≤ 50 boxes (§3), each box named once (its acknowledgements share
 *   its row). UPLOAD_INVOICE / UPDATE_INVOICE: one row per open vendorItemId of the box (§4.1),
 *   batched across the vendor's boxes; one invoice command per box per drain. An upload on an
 *   ACCEPT box gets an acknowledgement command first (`enqueueCommand`, deduplicated) and waits
 *   for it; when that acknowledgement ends cancelled or rejected, the upload ends so too, unsent
 *   (`ACKNOWLEDGEMENT_CANCELLED` / `ACKNOWLEDGEMENT_REJECTED`). A batch refused whole (HTTP 400,
 *   or the client's input check) is halved until the refused box is alone; the others are sent.
 * - CANCEL: one v5 cancel per box (§5.1). A box the local copy shows in a status other than
 *   ACCEPT or INSTRUCT is rejected unsent (`CANCEL_NOT_ALLOWED`); otherwise the box is read
 *   first (status, and the quantities a whole-box cancel sends), the items' `cancelCount`s are
 *   committed to the attempt log, then the cancel is sent: `receiptMap` / `failedVendorItemIds`
 *   decide (cancel.ts). After a timeout, a 5xx or a crash the box is read back and compared with
 *   those counts before anything is resent.
 * - A cancel and an invoice of one box are never in flight together (pitfall M-8): an invoice
 *   waits while a cancel of its box is pending, in flight or unknown, and a cancel while an
 *   invoice of its box is in flight or unknown. Once the cancel is settled the invoice is sent
 *   for the items still open, or cancelled (`BOX_CANCELLED`) when every item is cancelled.
 * - Per-row results decide per box: OK → succeeded; a row with `retryRequired` → retried later;
 *   DUPLICATE_INVOICE_NUMBER, NOT_ALLOW_INVOICE_NUMBER_RE_UPLOAD and INVALID_STATUS → read back;
 *   ORDER_DELIVERY_CANCELED → cancelled; any other code → rejected with it. A timeout or 5xx on a
 *   write → unknown. A 429 or block → the rest of the drain is deferred without spending attempts.
 * - Retries wait `backoffMs` (exponential with jitter); when the attempts of the kind are spent
 *   the command is dead — after a last try whose answer was lost, only once a read-back shows it
 *   not applied. An upload waiting for its box's acknowledgement spends no attempt, nor does a
 *   command that ends without any call logged (rejected or cancelled unsent).
 * - A success writes the box's new status and invoice onto `shipment_boxes`, and a cancel's the
 *   items' cancelled and held counts onto `order_items` (as the next poll will read them), and
 *   appends the change events, in the transaction that records the command's transition.
 *
 * Throws what is not a `CoupangError` (a bug, the database): the claimed commands then stay
 * in_flight until their lease ends, and are read back by the next drain.
 */
export async function drainOutbox(options: DrainOutboxOptions): Promise<DrainOutboxResult> {
  return new Drain(options).run();
}

class Drain {
  private readonly policies: Record<OutboxCommandKind, RetryPolicy>;
  private readonly attempts: OutboxAttemptInput[] = [];
  /** Commands this drain logged a call or read-back for (see {@link transition}). */
  private readonly tried = new Set<bigint>();
  private readonly entries: Entry[] = [];
  private readonly works: Work[] = [];
  private readonly statuses: Partial<Record<OutboxStatus, number>> = {};
  private pausedUntilMs: number | null = null;
  /** The commits started so far, in order (see {@link flush}). */
  private flushing: Promise<void> = Promise.resolve();
  private stoppedBy: CoupangError | null = null;
  private calls = 0;

  constructor(private readonly options: DrainOutboxOptions) {
    this.policies = retryPolicies(options.retry);
  }

  async run(): Promise<DrainOutboxResult> {
    const records = await this.claim();
    const works = records.flatMap((record) => this.prepare(record));
    await this.learnBoxes(works);
    await this.readBackUnknown(works);
    await this.flush();

    await this.keepCancelsApart(works);
    const boxed = this.serializePerBox(works.filter((w) => w.command.kind !== "ACKNOWLEDGE" && !w.verdict));
    await this.cancel(boxed.filter((w) => w.command.kind === "CANCEL"));
    const invoices = boxed.filter((w) => isInvoiceCommand(w.command));
    await this.acknowledgeFirst(invoices);
    const acks = this.works.filter((w) => w.command.kind === "ACKNOWLEDGE" && !w.verdict);
    await this.acknowledge(acks);
    await this.flush();

    for (const work of invoices.filter((w) => !w.verdict && w.ack !== undefined)) {
      const ack = work.ack;
      if (ack === undefined || ack.verdict?.to === "succeeded") continue;
      // The acknowledgement's verdict was committed by the flush above: wait until it is due as stored.
      work.verdict = this.waitForAck(work, {
        id: ack.record.id,
        status: ack.committed?.to ?? "pending",
        dueAt: ack.committed?.nextAttemptAt,
        result: ack.verdict ? resultText(ack.verdict.code, ack.verdict.message) : null,
      });
    }
    await this.sendInvoices(
      invoices.filter((w) => !w.verdict && w.command.kind === "UPLOAD_INVOICE"),
      "upload",
    );
    await this.sendInvoices(
      invoices.filter((w) => !w.verdict && w.command.kind === "UPDATE_INVOICE"),
      "update",
    );
    await this.flush();
    return {
      claimed: this.entries.length,
      statuses: this.statuses,
      calls: this.calls,
      pausedUntil: this.pausedUntilMs === null ? null : new Date(this.pausedUntilMs),
      stoppedBy: this.stoppedBy,
    };
  }

  private claim(ids?: readonly bigint[]): Promise<ClaimedOutboxCommand[]> {
    return claimOutboxCommands(this.options.prisma, {
      vendorId: this.options.vendorId,
      now: this.clock(),
      from: ids === undefined ? sourcesOf("in_flight") : ["pending"],
      kinds: EXECUTABLE_KINDS,
      limit: ids === undefined ? (this.options.limit ?? 500) : ids.length,
      leaseMs: this.options.leaseMs ?? 5 * 60_000,
      ...(ids === undefined ? {} : { ids }),
    });
  }

  /** Checks a claimed row as `enqueueCommand` would (a SQL insert may be wrong); a bad one is rejected unsent. */
  private prepare(record: ClaimedOutboxCommand): Work[] {
    const unknown = record.previousStatus === "unknown" || record.previousStatus === "in_flight";
    let command: Command;
    try {
      command = parseCommand(commandInputOf(record));
    } catch (error) {
      if (!(error instanceof OutboxCommandError)) throw error;
      const verdict: Verdict = { to: "rejected", code: "INVALID_COMMAND", message: error.message };
      this.entries.push({ record, unknown, verdict });
      return [];
    }
    const work: Work = { record, command, unknown, box: undefined };
    this.entries.push(work);
    this.works.push(work);
    return [work];
  }

  /** The synced copy of each box, where there is one. */
  private async learnBoxes(works: readonly Work[]): Promise<void> {
    const local = await localBoxStates(
      this.options.prisma,
      this.options.vendorId,
      works.map((w) => w.command.shipmentBoxId),
    );
    for (const work of works) work.box = local.get(work.command.shipmentBoxId);
  }

  /**
   * Reads back the boxes of commands whose last try may have been applied, and of invoice commands
   * whose box is not synced yet (their items and status are needed). A cancel reads its box in
   * its own executor.
   */
  private async readBackUnknown(works: readonly Work[]): Promise<void> {
    for (const work of works) {
      if (
        work.verdict ||
        work.command.kind === "CANCEL" ||
        !(work.unknown || (work.command.kind !== "ACKNOWLEDGE" && work.box === undefined))
      )
        continue;
      const verdict = await this.readBack(work, null);
      if (verdict) work.verdict = verdict;
    }
  }

  /**
   * Reads `work`'s box back and judges it. `afterCode`: the row result code that asked for it
   * (then a box the command did not change is a rejection with that code), or null before a
   * (re)send (then an unchanged box is sent to). Returns the verdict, or undefined to send.
   */
  private async readBack(work: Work, afterCode: string | null): Promise<Verdict | undefined> {
    const { command } = work;
    if (command.kind === "CANCEL") throw new Error("outbox: a cancel is read back by its own executor");
    if (this.paused()) return this.deferred("vendor paused");
    const startedAt = this.clock();
    const request = {
      endpoint: "GET ordersheets/{shipmentBoxId}",
      shipmentBoxId: command.shipmentBoxId.toString(),
    };
    let box: BoxView;
    try {
      this.calls++;
      box = boxViewOf((await this.options.client.getOrderSheet(command.shipmentBoxId)).value);
    } catch (error) {
      // A failed read changes nothing about whether the write was applied.
      const verdict = this.failure(error, work.unknown);
      this.log(work, startedAt, request, "read_back_failed", error);
      return verdict;
    }
    const judged = judgeReadBack(command, box);
    this.attempts.push({
      commandId: work.record.id,
      startedAt,
      finishedAt: this.clock(),
      request,
      outcome: `read_back_${judged.kind}`,
      resultCode: box.status,
      resultMessage: `invoice ${box.invoiceNumber ?? "none"}; open items ${box.openItems.join(", ") || "none"}`,
      httpStatus: 200,
    });
    const via = afterCode === null ? "read back" : `${afterCode}, read back`;
    if (judged.kind === "applied") {
      return {
        to: "succeeded",
        code: afterCode ?? "READ_BACK",
        message: `${via}: box is ${judged.status}${judged.invoiceNumber ? ` with invoice ${judged.invoiceNumber}` : ""}`,
        effect: {
          vendorId: command.vendorId,
          shipmentBoxId: command.shipmentBoxId,
          status: judged.status,
          invoiceNumber: judged.invoiceNumber,
        },
      };
    }
    if (judged.kind === "cancelled")
      return { to: "cancelled", code: afterCode ?? "BOX_CANCELLED", message: `${via}: ${judged.reason}` };
    work.unknown = false;
    work.box = judged.box;
    if (afterCode === null) {
      if (command.kind === "UPDATE_INVOICE" && !SHIPPED_STATUSES.has(judged.box.status)) {
        return {
          to: "rejected",
          code: "INVALID_STATUS",
          message: `${via}: box is ${judged.box.status}, not shipped: only a shipped box's invoice can be updated`,
        };
      }
      if (command.kind === "UPLOAD_INVOICE" && SHIPPED_STATUSES.has(judged.box.status)) {
        return {
          to: "rejected",
          code: "INVALID_STATUS",
          message: `${via}: box is ${judged.box.status} with invoice ${judged.box.invoiceNumber ?? "none"}, not ours ${command.invoiceNumber}: update it instead`,
        };
      }
      return this.spent(work, `${via}: not applied (box is ${judged.box.status})`);
    }
    if (
      afterCode === "INVALID_STATUS" &&
      command.kind === "UPLOAD_INVOICE" &&
      judged.box.status === "ACCEPT"
    ) {
      // Acknowledged but not visible yet (pitfall B-7): Coupang refuses the upload until it is.
      return {
        to: "retry",
        unknown: false,
        code: afterCode,
        message: `${via}: box still reads ACCEPT after its acknowledgement; Coupang can take up to 30 minutes to show it`,
        delayMs: this.options.ackLagRetryMs ?? 10 * 60_000,
      };
    }
    return {
      to: "rejected",
      code: afterCode,
      message: `${via}: box is ${judged.box.status} with invoice ${judged.box.invoiceNumber ?? "none"}`,
    };
  }

  /**
   * At most one invoice or cancel command per box per drain (they must not race, §4, §5.1), a
   * cancel first, then by id; the others wait their turn.
   */
  private serializePerBox(works: Work[]): Work[] {
    const seen = new Set<bigint>();
    const rank = (work: Work) => (work.command.kind === "CANCEL" ? 0 : 1);
    return works
      .sort((a, b) => rank(a) - rank(b) || (a.record.id < b.record.id ? -1 : 1))
      .filter((work) => {
        if (!seen.has(work.command.shipmentBoxId)) {
          seen.add(work.command.shipmentBoxId);
          return true;
        }
        work.verdict = {
          to: "deferred",
          code: "SERIALIZED",
          message: "another command of the box goes first",
          untilMs: this.clock().getTime(),
        };
        return false;
      });
  }

  /**
   * Keeps a cancel and an invoice of one box apart (design.md "Outbound commands", pitfall M-8),
   * with the commands of this drain and those on the same boxes outside it:
   * - an invoice (upload or update) waits, deferred without spending an attempt, while a cancel of
   *   its box is live (pending, in flight or unknown); once the cancel is settled the invoice goes
   *   on with the items still open (`sendInvoices` cancels it when none is left);
   * - a cancel waits while an invoice of its box is in flight elsewhere or unknown (a pending one
   *   will wait for the cancel in turn).
   */
  private async keepCancelsApart(works: readonly Work[]): Promise<void> {
    const open = works.filter((w) => !w.verdict && w.command.kind !== "ACKNOWLEDGE");
    if (open.length === 0) return;
    const ours = new Set(this.entries.map((e) => e.record.id));
    const others = (
      await outboxCommandsOnBoxes(this.options.prisma, {
        vendorId: this.options.vendorId,
        shipmentBoxIds: [...new Set(open.map((w) => w.command.shipmentBoxId))],
        kinds: ["CANCEL", "UPLOAD_INVOICE", "UPDATE_INVOICE"],
        statuses: LIVE_STATUSES,
      })
    ).filter((c) => !ours.has(c.id));
    const cancels = new Map<bigint, string>();
    for (const work of open) {
      if (work.command.kind === "CANCEL")
        cancels.set(work.command.shipmentBoxId, `cancel command ${work.record.id} is in flight`);
    }
    for (const c of others) {
      if (c.kind === "CANCEL" && !cancels.has(c.shipmentBoxId))
        cancels.set(c.shipmentBoxId, `cancel command ${c.id} is ${c.status}`);
    }
    const waitUntil = this.clock().getTime() + this.policies.CANCEL.baseDelayMs;
    for (const work of open) {
      const box = work.command.shipmentBoxId;
      const cancel = cancels.get(box);
      const busy =
        work.command.kind === "CANCEL"
          ? others.find((c) => c.shipmentBoxId === box && c.kind !== "CANCEL" && c.status !== "pending")
          : undefined;
      if (isInvoiceCommand(work.command) && cancel !== undefined) {
        work.verdict = {
          to: "deferred",
          code: "SERIALIZED",
          message: `${cancel} on box ${box}: the ${work.command.kind} command waits for it (a cancel and an invoice of one box never run at once)`,
          untilMs: waitUntil,
        };
      } else if (busy !== undefined) {
        work.verdict = {
          to: "deferred",
          code: "SERIALIZED",
          message: `${busy.kind} command ${busy.id} of box ${box} is ${busy.status}: the cancel waits for it`,
          untilMs: waitUntil,
        };
      }
    }
  }

  /** CANCEL, one call per box (coupang-api.md §5.1); see {@link drainOutbox}. */
  private async cancel(works: readonly Work[]): Promise<void> {
    for (const work of works) {
      if (work.verdict || work.command.kind !== "CANCEL") continue;
      work.verdict = await this.cancelBox(work, work.command);
    }
  }

  private async cancelBox(work: Work, command: CancelCommand): Promise<Verdict> {
    const box = command.shipmentBoxId;
    const notAllowed = (status: string, source: string): Verdict => ({
      to: "rejected",
      code: CANCEL_NOT_ALLOWED,
      message: `box ${box} is ${status} (${source}): Coupang cancels only ACCEPT or INSTRUCT boxes`,
    });
    // The synced status never moves back to ACCEPT or INSTRUCT: trust it to refuse without a call.
    // Not after an unknown try, whose cancel may have been applied before the box shipped.
    if (!work.unknown && work.box !== undefined && !CANCELLABLE_STATUSES.has(work.box.status))
      return notAllowed(work.box.status, "local copy");
    if (this.paused()) return this.deferred("vendor paused");
    const read = { endpoint: "GET ordersheets/{shipmentBoxId}", shipmentBoxId: box.toString() };
    let startedAt = this.clock();
    let sheet: OrderSheet;
    try {
      this.calls++;
      sheet = (await this.options.client.getOrderSheet(box)).value;
    } catch (error) {
      const verdict = this.failure(error, work.unknown);
      this.log(work, startedAt, read, "read_back_failed", error);
      return verdict;
    }
    if (work.unknown) {
      // The lines of the last send and their baseline were committed before it was sent.
      const before = await latestOutboxAttemptRequest(
        this.options.prisma,
        work.record.id,
        READ_BEFORE_CANCEL,
      );
      const sent = cancelLinesFromJson((before as { lines?: JsonValue } | undefined)?.lines);
      const judged = sent === undefined ? ({ kind: "open" } as const) : judgeCancelReadBack(sent, sheet);
      const message =
        judged.kind === "partial"
          ? `read back: cancelled ${judged.cancelled.join(", ")}; not cancelled ${judged.open.join(", ")}`
          : `read back: ${judged.kind === "applied" ? "every item sent is cancelled" : sent === undefined ? "no cancel was sent" : "no item sent is cancelled"}`;
      this.attempts.push({
        commandId: work.record.id,
        startedAt,
        finishedAt: this.clock(),
        request: read,
        outcome: `read_back_${judged.kind}`,
        resultCode: sheet.status,
        resultMessage: message,
        httpStatus: 200,
      });
      if (judged.kind === "applied") {
        const effect = cancelEffect(command, sent ?? [], sheet, "after");
        return { to: "succeeded", code: "READ_BACK", message, effect };
      }
      if (judged.kind === "partial") return { to: "rejected", code: "PARTIAL_CANCEL", message };
      const spent = this.spent(work, message);
      if (spent) return spent;
      work.unknown = false;
      startedAt = this.clock();
    }
    if (!CANCELLABLE_STATUSES.has(sheet.status)) return notAllowed(sheet.status, "read from Coupang");
    const lines = cancelLinesOf(command, sheet);
    if (lines.length === 0)
      return { to: "cancelled", code: "BOX_CANCELLED", message: `every item of box ${box} is cancelled` };
    this.attempts.push({
      commandId: work.record.id,
      startedAt,
      finishedAt: this.clock(),
      request: { ...read, lines: cancelLinesJson(lines) },
      outcome: READ_BEFORE_CANCEL,
      resultCode: sheet.status,
      resultMessage: `sending a cancel of ${lines.map((l) => `${l.vendorItemId}×${l.receiptCount}`).join(", ")}`,
      httpStatus: 200,
    });
    // Committed before the call: a crash after sending still leaves the baseline to read back against.
    await this.flush();
    const request = {
      endpoint: "POST orders/{orderId}/cancel",
      orderId: command.orderId.toString(),
      shipmentBoxId: box.toString(),
      middleCancelCode: command.middleCancelCode,
      items: lines.map((l) => ({ vendorItemId: l.vendorItemId.toString(), receiptCount: l.receiptCount })),
    };
    startedAt = this.clock();
    let result: CancelResult;
    try {
      this.calls++;
      result = await this.options.client.cancelOrder({
        orderId: command.orderId,
        items: lines.map((l) => ({ vendorItemId: l.vendorItemId, receiptCount: l.receiptCount })),
        middleCancelCode: command.middleCancelCode,
        userId: command.userId,
      });
    } catch (error) {
      const refusal = cancelRefusalOf(error);
      const verdict: Verdict = refusal ? { to: "rejected", ...refusal } : this.failure(error, true);
      this.log(work, startedAt, request, outcomeOf(verdict), error);
      return verdict;
    }
    const judged = judgeCancelResult(result);
    this.attempts.push({
      commandId: work.record.id,
      startedAt,
      finishedAt: this.clock(),
      request,
      outcome: judged.to === "rejected" ? "failed" : judged.to,
      resultCode: judged.code,
      resultMessage: judged.message,
      httpStatus: /^\d{3}$/.test(result.code ?? "") ? Number(result.code) : null,
    });
    if (judged.to === "unknown")
      return { to: "retry", unknown: true, code: judged.code, message: judged.message };
    if (judged.to === "succeeded")
      return {
        to: "succeeded",
        code: judged.code,
        message: judged.message,
        effect: cancelEffect(command, lines, sheet, "before"),
      };
    return { to: "rejected", code: judged.code, message: judged.message };
  }

  /** Gives each upload on an ACCEPT box its acknowledgement command: one of this drain, or one enqueued and claimed now (§3, B-6). */
  private async acknowledgeFirst(invoices: readonly Work[]): Promise<void> {
    const acks = new Map(
      this.works.filter((w) => w.command.kind === "ACKNOWLEDGE").map((w) => [w.command.shipmentBoxId, w]),
    );
    for (const work of invoices) {
      if (work.command.kind !== "UPLOAD_INVOICE" || work.box?.status !== "ACCEPT") continue;
      let ack = acks.get(work.command.shipmentBoxId);
      if (ack === undefined) {
        const enqueuedAt = this.clock();
        const { command } = await enqueueCommand(
          this.options.prisma,
          {
            kind: "ACKNOWLEDGE",
            vendorId: work.command.vendorId,
            shipmentBoxId: work.command.shipmentBoxId,
            orderId: work.command.orderId,
            createdBy: `outbox: before upload command ${work.record.id}`,
          },
          // Created on the drain's clock, as its attempts and transition will be, so it shows
          // created before it was tried whatever the database's clock says.
          { now: enqueuedAt, createdAt: enqueuedAt },
        );
        // Acknowledged before: Coupang's answer to the upload decides (the box may not show it yet).
        if (command.status === "succeeded") continue;
        const [claimed] =
          command.status === "rejected" || command.status === "cancelled"
            ? []
            : await this.claim([command.id]);
        if (claimed === undefined) {
          work.verdict = this.waitForAck(work, {
            id: command.id,
            status: command.status,
            dueAt: command.nextAttemptAt,
            result: resultText(command.lastResultCode, command.lastResultMessage),
          });
          continue;
        }
        [ack] = this.prepare(claimed);
        if (ack === undefined) continue;
        acks.set(work.command.shipmentBoxId, ack);
      }
      work.ack = ack;
    }
  }

  /**
   * The verdict of an upload whose box's acknowledgement (command `ack.id`, now `ack.status`, due
   * again at `ack.dueAt`, its last result `ack.result`) has not succeeded. The upload was not
   * tried:
   * - behind an acknowledgement that ended `cancelled` or `rejected` it ends the same way, unsent
   *   (`ACKNOWLEDGEMENT_CANCELLED` / `ACKNOWLEDGEMENT_REJECTED`): Coupang refuses an invoice for
   *   a box that was never acknowledged, and the upload would retry forever;
   * - behind a dead one it spends its tries, so it ends dead beside it instead of waiting for an
   *   operator forever;
   * - otherwise it waits until the acknowledgement is due without spending an attempt (else a few
   *   lost answers of the acknowledgement killed the upload).
   */
  private waitForAck(
    work: Work,
    ack: { id: bigint; status: OutboxStatus; dueAt: Date | undefined; result: string | null },
  ): Verdict {
    const box = work.command.shipmentBoxId;
    const result = ack.result === null ? "" : ` (${ack.result})`;
    if (ack.status === "cancelled" || ack.status === "rejected") {
      return {
        to: ack.status,
        code: `ACKNOWLEDGEMENT_${ack.status.toUpperCase()}`,
        message: `box ${box} is ACCEPT and its acknowledgement command ${ack.id} ended ${ack.status}${result}: the invoice was not sent`,
      };
    }
    const code = "WAITING_FOR_ACKNOWLEDGEMENT";
    const message = `box ${box} is ACCEPT and its acknowledgement command ${ack.id} is ${ack.status}${result}`;
    if (ack.status === "dead") return { to: "retry", unknown: work.unknown, code, message };
    const untilMs = Math.max(this.clock().getTime(), ack.dueAt?.getTime() ?? 0);
    return { to: "deferred", code, message, untilMs };
  }

  /**
   * ACKNOWLEDGE in batches of ≤ 50 boxes (coupang-api.md §3), reading back first where needed.
   * Acknowledgements of one box (two dedupe keys) share its one entry and its row's result.
   */
  private async acknowledge(works: readonly Work[]): Promise<void> {
    for (const batch of batchesByBox(
      works.filter((w) => !w.verdict),
      MAX_ACK_BOXES,
    )) {
      await this.batchCall(
        batch,
        "PUT ordersheets/acknowledgement",
        (w, sent) => ({
          shipmentBoxId: w.command.shipmentBoxId.toString(),
          batchBoxes: boxesOf(sent).length,
        }),
        (sent) => this.options.client.acknowledgeOrders(boxesOf(sent)),
        () => ({ status: "INSTRUCT", invoiceNumber: null }),
      );
      this.flushBehind();
    }
  }

  /** UPLOAD_INVOICE (§4.1) or UPDATE_INVOICE (§4.2): rows per open vendorItemId, batched across boxes. */
  private async sendInvoices(works: readonly Work[], mode: "upload" | "update"): Promise<void> {
    const size = this.options.invoiceBatchSize ?? 50;
    const ready = works.filter((work) => {
      if (!isInvoiceCommand(work.command) || work.box === undefined) return false;
      if (work.box.openItems.length === 0) {
        work.verdict = {
          to: "cancelled",
          code: "BOX_CANCELLED",
          message: `every item of box ${work.command.shipmentBoxId} is cancelled`,
        };
        return false;
      }
      return true;
    });
    // One row per (box, vendorItemId): a box's invoice commands are serialised (one per drain),
    // and an item the box lists twice is named once.
    const rowsOf = (work: Work): InvoiceRow[] => {
      const command = work.command;
      if (!isInvoiceCommand(command)) return [];
      const items = command.vendorItemId === undefined ? (work.box?.openItems ?? []) : [command.vendorItemId];
      return [...new Set(items)].map((vendorItemId) => ({
        shipmentBoxId: command.shipmentBoxId,
        orderId: command.orderId,
        vendorItemId,
        deliveryCompanyCode: command.deliveryCompanyCode,
        invoiceNumber: command.invoiceNumber,
      }));
    };
    for (const batch of batchesByBox(ready, size)) {
      await this.batchCall(
        batch,
        mode === "upload" ? "POST orders/invoices" : "POST orders/updateInvoices",
        (w, sent) => ({
          rows: rowsOf(w).map((r) => ({
            ...r,
            shipmentBoxId: String(r.shipmentBoxId),
            orderId: String(r.orderId),
            vendorItemId: String(r.vendorItemId),
          })),
          batchBoxes: boxesOf(sent).length,
        }),
        (sent) =>
          mode === "upload"
            ? this.options.client.uploadInvoices(sent.flatMap(rowsOf))
            : this.options.client.updateInvoices(sent.flatMap(rowsOf)),
        (w) => {
          const command = w.command;
          const invoiceNumber = isInvoiceCommand(command) ? command.invoiceNumber : null;
          const direct = isInvoiceCommand(command) && command.deliveryCompanyCode === "DIRECT";
          return { status: direct ? "NONE_TRACKING" : "DEPARTURE", invoiceNumber };
        },
      );
      this.flushBehind();
    }
  }

  /**
   * One batch call and its per-row verdicts (coupang-api.md §3, §4.1): OK → succeeded with
   * `effect`; `retryRequired` → retry; a read-back code → read back; ORDER_DELIVERY_CANCELED →
   * cancelled; other codes → rejected; a box without a valid row → unknown. `call` and `summary`
   * get the works actually sent (`sent`), which may be a part of `batch`.
   *
   * A refusal of the whole request — HTTP 400 (coupang-api.md §10: a batch answers 200 with its
   * rows, so a 400 refuses the body, which one bad row is enough for) or the client's own input
   * check — is logged as `split` and the batch is halved by box until the refused box is alone:
   * only it is rejected, the others are sent.
   */
  private async batchCall(
    batch: readonly Work[],
    endpoint: string,
    summary: (work: Work, sent: readonly Work[]) => JsonValue,
    call: (sent: readonly Work[]) => Promise<BatchResult>,
    effect: (work: Work) => { status: string; invoiceNumber: string | null },
  ): Promise<void> {
    if (this.paused()) {
      for (const work of batch) work.verdict = this.deferred("vendor paused");
      return;
    }
    const startedAt = this.clock();
    const request = (work: Work) => ({ endpoint, ...(summary(work, batch) as object) });
    let result: BatchResult;
    try {
      this.calls++;
      result = await call(batch);
    } catch (error) {
      if (error instanceof CoupangInputError) this.calls--; // refused before anything was sent
      const groups = groupsByBox(batch);
      if (groups.length > 1 && (error instanceof CoupangInputError || error instanceof CoupangDataError)) {
        for (const work of batch) this.log(work, startedAt, request(work), "split", error);
        const half = Math.ceil(groups.length / 2);
        for (const part of [groups.slice(0, half), groups.slice(half)])
          await this.batchCall(part.flat(), endpoint, summary, call, effect);
        return;
      }
      for (const work of batch) {
        work.verdict = this.failure(error, true);
        this.log(work, startedAt, request(work), outcomeOf(work.verdict), error);
      }
      return;
    }
    const rows = new Map(result.rows.map((row) => [row.shipmentBoxId, row]));
    const resolve: Array<[Work, string]> = [];
    for (const work of batch) {
      const row = rows.get(work.command.shipmentBoxId);
      const code =
        row === undefined ? "NO_RESULT_ROW" : (row.resultCode ?? (row.succeed ? "OK" : "UNDEFINED"));
      const message =
        row?.resultMessage ?? (row === undefined ? "Coupang's answer has no valid row for the box" : null);
      if (row === undefined) work.verdict = { to: "retry", unknown: true, code, message };
      else if (row.succeed) {
        work.verdict = {
          to: "succeeded",
          code,
          message,
          effect: {
            vendorId: work.command.vendorId,
            shipmentBoxId: work.command.shipmentBoxId,
            ...effect(work),
          },
        };
      } else if (READ_BACK_CODES.has(code)) resolve.push([work, code]);
      else if (code === "ORDER_DELIVERY_CANCELED") work.verdict = { to: "cancelled", code, message };
      else if (row.retryRequired) work.verdict = { to: "retry", unknown: false, code, message };
      else work.verdict = { to: "rejected", code, message };
      this.attempts.push({
        commandId: work.record.id,
        startedAt,
        finishedAt: this.clock(),
        request: request(work),
        outcome: row === undefined ? "unknown" : row.succeed ? "succeeded" : "failed",
        resultCode: code,
        resultMessage: message,
        httpStatus: 200,
      });
    }
    for (const [work, code] of resolve) work.verdict = await this.readBack(work, code);
  }

  /** The verdict for a call that threw; `mayHaveApplied`: a write whose outcome a timeout or 5xx hides. */
  private failure(error: unknown, mayHaveApplied: boolean): Verdict {
    if (
      error instanceof CoupangRateLimitError ||
      error instanceof CoupangBlockedError ||
      error instanceof CoupangAuthError
    ) {
      const pause =
        error instanceof CoupangRateLimitError ? (error.retryAfterMs ?? this.pauseMs()) : this.pauseMs();
      this.pausedUntilMs = Math.max(this.pausedUntilMs ?? 0, this.clock().getTime() + pause);
      this.stoppedBy ??= error;
      return this.deferred(`${error.name}: ${error.message}`, error);
    }
    if (error instanceof CoupangInputError)
      return { to: "rejected", code: "INVALID_COMMAND", message: error.message };
    if (error instanceof CoupangDataError || error instanceof CoupangNotFoundError) {
      return {
        to: "rejected",
        code: `HTTP_${error.statusCode ?? 400}`,
        message: error.body ?? error.message,
      };
    }
    if (error instanceof CoupangError) {
      // Retryable (5xx, timeout, reset) or an answer we could not read: it may have been applied.
      return { to: "retry", unknown: mayHaveApplied, code: error.name, message: error.message };
    }
    throw error;
  }

  /** The tries `work` has: its own `max_attempts`, else its kind's policy. */
  private maxAttemptsOf(work: Entry): number {
    return work.record.maxAttempts ?? this.policies[work.record.kind as OutboxCommandKind].maxAttempts;
  }

  /**
   * For a command claimed past its tries only to read back a last try whose answer was lost (see
   * `transition`), once the read shows it not applied: dead, unsent. Undefined while tries remain.
   */
  private spent(work: Entry, message: string): Verdict | undefined {
    const max = this.maxAttemptsOf(work);
    if (work.record.attempts <= max) return undefined;
    return {
      to: "retry",
      unknown: false,
      code: "ATTEMPTS_SPENT",
      message: `${message}; its ${max} tries are spent`,
    };
  }

  /**
   * The verdict of a command not tried because the vendor is paused: by `error`, else by the
   * error that stopped the drain. Its code says why: `RATE_LIMITED` after a 429, `BLOCKED` after a
   * 302/403/423 block, `UNAUTHORIZED` after bad keys (coupang-api.md §10).
   */
  private deferred(message: string, error: CoupangError | null = this.stoppedBy): Verdict {
    const code =
      error instanceof CoupangBlockedError
        ? "BLOCKED"
        : error instanceof CoupangAuthError
          ? "UNAUTHORIZED"
          : "RATE_LIMITED";
    return { to: "deferred", code, message, untilMs: this.pausedUntilMs ?? this.clock().getTime() };
  }

  private paused(): boolean {
    return this.pausedUntilMs !== null;
  }

  private pauseMs(): number {
    return this.options.rateLimitPauseMs ?? 60_000;
  }

  private clock(): Date {
    return (this.options.now ?? (() => new Date()))();
  }

  private log(work: Work, startedAt: Date, request: JsonValue, outcome: string, error: unknown): void {
    this.attempts.push({
      commandId: work.record.id,
      startedAt,
      finishedAt: this.clock(),
      request,
      outcome,
      resultCode: error instanceof Error ? error.name : "Error",
      resultMessage: error instanceof Error ? error.message : String(error),
      httpStatus: (error as { statusCode?: number }).statusCode ?? null,
    });
  }

  /**
   * Commits the verdicts reached so far, after the commits already started (see
   * {@link flushBehind}), and waits for all of them. Rejects with the first commit's error.
   */
  private flush(): Promise<void> {
    const next = this.flushing.then(() => this.commit());
    // Handled here so a commit failing while the next call is on the wire is not an unhandled
    // rejection; whoever awaits `flushing` later still gets the error.
    next.catch(() => undefined);
    this.flushing = next;
    return next;
  }

  /**
   * Starts committing the verdicts of a batch without waiting: its transactions overlap the next
   * call's wait for the limiter, instead of adding to the drain after the last call. The next
   * {@link flush} waits for it.
   */
  private flushBehind(): void {
    void this.flush();
  }

  /**
   * Commits the verdicts reached so far, with the attempt log, in one transaction: each command's
   * transition, the effect of its success on the synced box, and the change events (last).
   */
  private async commit(): Promise<void> {
    const done = this.entries.filter((e) => e.verdict && !e.committed);
    const attempts = this.attempts.splice(0);
    if (done.length === 0 && attempts.length === 0) return;
    for (const attempt of attempts) this.tried.add(attempt.commandId);
    // Read now, not when the drain began: every attempt committed here has finished, so a
    // command's finished_at is never before its last call or its own creation.
    const now = this.clock();
    const transitions = done.map(
      (work) => [work, this.transition(work, work.verdict as Verdict, now)] as const,
    );
    await withTransaction(this.options.prisma, async (tx) => {
      await recordOutboxAttempts(tx, attempts);
      // One effect per box, the latest: an acknowledgement and an upload of a box may finish together.
      const effects = new Map<bigint, BoxEffect>();
      for (const [work, { to, ...change }] of transitions) {
        if (!canTransition("in_flight", to)) throw new Error(`outbox: in_flight cannot become ${to}`);
        await transitionOutboxCommand(tx, { id: work.record.id, from: ["in_flight"], to, ...change });
        this.statuses[to] = (this.statuses[to] ?? 0) + 1;
        const verdict = work.verdict;
        if (verdict?.to === "succeeded" && verdict.effect)
          effects.set(verdict.effect.shipmentBoxId, verdict.effect);
      }
      await appendChangeEvents(tx, await markBoxAfterCommand(tx, [...effects.values()]));
    });
    for (const [work, transition] of transitions) work.committed = transition;
  }

  /**
   * The status a verdict moves a claimed command to, and what else changes with it; `now` is the
   * instant of the transition (its `updated_at`, `finished_at` when final, and the base of a retry's
   * backoff).
   */
  private transition(work: Entry, verdict: Verdict, now: Date) {
    const result = { code: verdict.code, message: verdict.message };
    switch (verdict.to) {
      case "succeeded":
      case "rejected":
      case "cancelled":
        // Ended without a call (refused locally, behind a cancel or an acknowledgement that
        // ended): the claim's attempt is given back, so `attempts` counts only tries made.
        return {
          to: verdict.to,
          now,
          final: true,
          result,
          ...(this.tried.has(work.record.id) ? {} : { attemptsDelta: -1 }),
        } as const;
      case "deferred":
        return {
          to: work.unknown ? "unknown" : "pending",
          now,
          final: false,
          result,
          attemptsDelta: -1,
          nextAttemptAt: new Date(verdict.untilMs),
        } as const;
      case "retry": {
        const kind = work.record.kind as OutboxCommandKind;
        const policy = this.policies[kind];
        const max = this.maxAttemptsOf(work);
        const mayHaveApplied = verdict.unknown || work.unknown;
        // A last try whose answer was lost is read back once more (`spent`) before the command is
        // dead: Coupang may have applied it, and a dead command that took effect would be lost.
        const to: OutboxStatus =
          work.record.attempts > max || (work.record.attempts === max && !mayHaveApplied)
            ? "dead"
            : mayHaveApplied
              ? "unknown"
              : "pending";
        const delay =
          verdict.delayMs ?? backoffMs(policy, work.record.attempts, this.options.random ?? Math.random);
        return {
          to,
          now,
          final: endsAttempts(to),
          result,
          nextAttemptAt: new Date(now.getTime() + delay),
        };
      }
    }
  }
}

/** A command's last result as one text, `CODE: message`; null without a code. */
function resultText(code: string | null, message: string | null): string | null {
  if (code === null) return null;
  return message ? `${code}: ${message}` : code;
}

/** The attempt log's word for a verdict reached by a call that threw. */
function outcomeOf(verdict: Verdict): string {
  return verdict.to === "retry" ? (verdict.unknown ? "unknown" : "retry") : verdict.to;
}

/** The distinct boxes of `works`, in the order first named. */
function boxesOf(works: readonly Work[]): bigint[] {
  return [...new Set(works.map((w) => w.command.shipmentBoxId))];
}

/** `works` grouped by box, groups in the order their box is first named. */
function groupsByBox(works: readonly Work[]): Work[][] {
  const groups = new Map<bigint, Work[]>();
  for (const work of works) {
    const group = groups.get(work.command.shipmentBoxId);
    if (group) group.push(work);
    else groups.set(work.command.shipmentBoxId, [work]);
  }
  return [...groups.values()];
}

/**
 * `works` in batches of at most `maxBoxes` distinct boxes, the commands of a box in one batch:
 * a call never names a box twice (Coupang's batch calls take each box once, coupang-api.md §3),
 * and every command of a box gets the result of the box's row.
 */
function batchesByBox(works: readonly Work[], maxBoxes: number): Work[][] {
  const groups = groupsByBox(works);
  const batches: Work[][] = [];
  for (let i = 0; i < groups.length; i += maxBoxes) batches.push(groups.slice(i, i + maxBoxes).flat());
  return batches;
}

import { Prng, hashSeed } from "../world/prng.js";
import { serializeCoupangJson } from "./json.js";

/**
 * Fault injection: Coupang's bad days on demand (coupang-api.md §10). Rules are added and
 * removed at run time (admin API `/__sim/faults`); each names the calls it applies to and
 * when it fires. Firing is deterministic: counters, and for `probability` a PRNG keyed by the
 * simulator's seed and the rule, so the same calls see the same faults.
 *
 * Kinds, and where they act:
 * - before the handler (nothing is applied): `latency` (delay, then answer normally),
 *   `status` (302, 400, 403 HTML, 429, 500, 502, 504 or 521 instead of the answer), `reset`
 *   (the connection is destroyed);
 * - after the handler (a write has been applied): `status` with `afterWrite: true` (e.g. a
 *   504 although the change happened), `timeoutAfterWrite` (no answer at all: the socket hangs
 *   or is reset), `malformedJson` (the body cut short), `drift` (extra fields, missing
 *   optional fields, or `null` where a string was), `duplicatePage` (a list answers with the
 *   page it served just before, once more), `reorderPage` (a list page in shuffled order);
 * - inside a batch write's handler (`PUT ordersheets/acknowledgement`, `POST orders/invoices`,
 *   `POST orders/updateInvoices`): `rowFailure` (a box's row fails with a retryable result code
 *   and that box is not changed, while the other rows are applied: HTTP 200 with `responseCode`
 *   1 PARTIAL_ERROR, or 99 when every row failed; §3, §4.1).
 */

/** The fault kinds. */
export const FAULT_KINDS = [
  "latency",
  "status",
  "reset",
  "timeoutAfterWrite",
  "malformedJson",
  "drift",
  "duplicatePage",
  "reorderPage",
  "rowFailure",
] as const;
/** One of {@link FAULT_KINDS}. */
export type FaultKind = (typeof FAULT_KINDS)[number];

/** The batch write endpoints a `rowFailure` acts on: each answers one result row per box (§3, §4.1, §4.2). */
export const BATCH_WRITE_ENDPOINTS = [
  "ordersheets/acknowledgement",
  "orders/invoices",
  "orders/updateInvoices",
] as const;

/**
 * Asked by a batch write once per box, in the order of its result rows, before the box is
 * judged: true when a `rowFailure` rule fails that box's row (it is then not applied).
 */
export type RowFault = () => boolean;

/** HTTP statuses a `status` fault can answer with. */
export const FAULT_STATUSES = [302, 400, 403, 429, 500, 502, 504, 521] as const;

/** Schema drift variants. */
export const DRIFTS = ["extra", "missing", "null"] as const;
/** One of {@link DRIFTS}. */
export type Drift = (typeof DRIFTS)[number];

/** Fields `drift: "missing"` removes (at any depth) unless the rule names its own. */
const OPTIONAL_FIELDS = [
  "remotePrice",
  "parcelPrintMessage",
  "refer",
  "isCod",
  "extraProperties",
  "pricingBadge",
  "usedProduct",
  "confirmDate",
  "plannedShippingDate",
  "reasonCodeText",
  "returnShippingCharge",
  "completeConfirmDate",
  "collectCompleteDate",
  "reasonEtcDetail",
];
/** Fields `drift: "null"` nulls (at any depth, where they hold a string) unless the rule names its own. */
const NULLABLE_FIELDS = [
  "safeNumber",
  "addr2",
  "parcelPrintMessage",
  "deliveryCompanyName",
  "invoiceNumber",
  "inTrasitDateTime",
  "deliveredDate",
  "requesterPhoneNumber",
  "requesterAddressDetail",
  "cancelReason",
  "returnMobile",
  "deliveryMobile",
];

/** A rule as given to {@link FaultInjector.add}. Every trigger field is optional. */
export interface FaultRuleInput {
  /** Endpoint name (e.g. `ordersheets`, `PUT ordersheets/acknowledgement`); omitted or `*` = every endpoint. */
  endpoint?: string;
  /** HTTP method; omitted = any. */
  method?: string;
  /** Only calls of this vendor; omitted = any. */
  vendorId?: string;
  /** Only calls whose query string has each of these parameters with exactly this value, e.g.
   * `{"status": "ACCEPT"}`; omitted = any. */
  query?: Record<string, string>;
  /**
   * Only list calls whose `createdAtFrom`…`createdAtTo` window includes this KST day
   * (`yyyy-MM-dd`; the parameters' date part is compared, so a day or a minute window counts):
   * one bad day breaks every window that covers it. Omitted = any.
   */
  coversDay?: string;
  kind: FaultKind;
  /** `status`: the HTTP status to answer with (see {@link FAULT_STATUSES}). */
  status?: number;
  /** `status`: run the handler first (the write is applied), then answer the status. */
  afterWrite?: boolean;
  /** `latency`: delay in real milliseconds (0–60,000). */
  latencyMs?: number;
  /** `timeoutAfterWrite`: `hang` (never answer; default) or `reset` (destroy the connection). */
  mode?: "hang" | "reset";
  /** `timeoutAfterWrite` with `hang`: destroy the connection after this many real ms (default: never). */
  holdMs?: number;
  /** `drift`: which drift (default `extra`). */
  drift?: Drift;
  /** `drift` `missing`/`null`: the field names to act on (defaults: common optional/string fields). */
  fields?: string[];
  /**
   * Fire with this probability (0–1) per applicable call — for `rowFailure`, per box row of a
   * batch write (so do `count`, `everyNth` and `skip`).
   */
  probability?: number;
  /** Fire at most this many times in all. */
  count?: number;
  /** Fire on every n-th applicable call only. */
  everyNth?: number;
  /** Let this many applicable calls pass before the rule can fire. */
  skip?: number;
  /** Seeds `probability` draws (default: the rule's id), under the simulator's seed. */
  seed?: number;
}

/** A rule in force, with its counters. */
export interface FaultRule extends FaultRuleInput {
  id: string;
  /** Applicable calls seen. */
  matched: number;
  /** Times it fired. */
  fired: number;
}

/** The call a rule is matched against. */
export interface CallInfo {
  /** Endpoint name, e.g. `ordersheets/{shipmentBoxId}`. */
  endpoint: string;
  method: string;
  vendorId: string;
  /** The query string as parsed (a repeated parameter as an array). */
  query: Readonly<Record<string, string | string[] | undefined>>;
}

/** How a faulted call ends instead of answering normally. */
export type Stop =
  { kind: "status"; status: number } | { kind: "reset" } | { kind: "hang"; holdMs: number | undefined };

/** The handler's answer as the post-handler faults see it. */
export interface AnswerView {
  status: number;
  body: unknown;
  /** Identifies a list query without its paging parameters; present on list answers only. */
  pageKey?: string;
  /** True on a list's first page (no token / page index 1). */
  firstPage: boolean;
}

const PRE: ReadonlySet<FaultKind> = new Set(["latency", "reset"]);
/** Pages remembered for `duplicatePage`, most recent per list query. */
const REMEMBERED_PAGES = 200;

/** The rule set and its deterministic triggers. */
export class FaultInjector {
  private rules: (FaultRule & { rng: Prng })[] = [];
  private nextId = 1;
  private readonly pages = new Map<string, string>();

  /** @param seed the simulator's seed, under which probabilistic rules draw. */
  constructor(private readonly seed: number) {}

  /**
   * Adds a rule and returns it with its id. Throws a `RangeError` for an unknown kind, a
   * `status` fault without a supported status, or an out-of-range trigger or setting.
   */
  add(input: FaultRuleInput): FaultRule {
    validateRule(input);
    const id = `f${this.nextId++}`;
    const rule = { ...input, id, matched: 0, fired: 0 };
    this.rules.push({ ...rule, rng: new Prng(hashSeed(this.seed, "fault", input.seed ?? id)) });
    return rule;
  }

  /** Removes rule `id`; false when there is none. */
  remove(id: string): boolean {
    const before = this.rules.length;
    this.rules = this.rules.filter((r) => r.id !== id);
    return this.rules.length < before;
  }

  /** Removes every rule and forgets remembered pages. */
  clear(): void {
    this.rules = [];
    this.pages.clear();
  }

  /** The rules in force, with their counters. */
  list(): FaultRule[] {
    return this.rules.map(({ rng: _rng, ...rule }) => ({ ...rule }));
  }

  /**
   * Faults acting before the handler: the total latency to wait, and a stop (status or
   * reset) if one fires. Only the first firing stop counts.
   */
  before(call: CallInfo): { latencyMs: number; stop?: Stop } {
    let latencyMs = 0;
    let stop: Stop | undefined;
    for (const rule of this.rules) {
      const pre = PRE.has(rule.kind) || (rule.kind === "status" && rule.afterWrite !== true);
      if (!pre || !matches(rule, call) || (stop !== undefined && rule.kind !== "latency") || !fires(rule))
        continue;
      if (rule.kind === "latency") latencyMs += rule.latencyMs ?? 0;
      else if (rule.kind === "reset") stop = { kind: "reset" };
      else stop = { kind: "status", status: rule.status ?? 500 };
    }
    return { latencyMs, stop };
  }

  /**
   * The row decision of a batch write (see {@link RowFault}): the `rowFailure` rules matching
   * `call`, each row counted as an applicable call; the first rule that fires fails the row.
   * Always false for endpoints other than {@link BATCH_WRITE_ENDPOINTS}.
   */
  rowFault(call: CallInfo): RowFault {
    const batch = (BATCH_WRITE_ENDPOINTS as readonly string[]).includes(call.endpoint);
    const rules = batch ? this.rules.filter((r) => r.kind === "rowFailure" && matches(r, call)) : [];
    return () => rules.some((rule) => fires(rule));
  }

  /**
   * Faults acting after the handler, and the body text to send: a stop (a status after the
   * write, or a lost response) if one fires, else the answer serialized with every firing
   * body fault applied. List pages are remembered for `duplicatePage`.
   */
  after(call: CallInfo, answer: AnswerView): { stop?: Stop; text: string } {
    let body = answer.body;
    let stop: Stop | undefined;
    let duplicate: string | undefined;
    let malformed = false;
    const pageKey =
      answer.pageKey === undefined ? undefined : `${call.vendorId} ${call.method} ${answer.pageKey}`;
    const previous = pageKey === undefined ? undefined : this.pages.get(pageKey);
    const data = (body as { data?: unknown } | null)?.data;
    for (const rule of this.rules) {
      if (!matches(rule, call) || stop !== undefined) continue;
      const applicable =
        (rule.kind === "status" && rule.afterWrite === true) ||
        rule.kind === "timeoutAfterWrite" ||
        rule.kind === "malformedJson" ||
        (rule.kind === "drift" && data !== undefined) ||
        (rule.kind === "duplicatePage" && previous !== undefined && !answer.firstPage) ||
        (rule.kind === "reorderPage" && Array.isArray(data) && data.length > 1);
      if (!applicable || !fires(rule)) continue;
      switch (rule.kind) {
        case "status":
          stop = { kind: "status", status: rule.status ?? 500 };
          break;
        case "timeoutAfterWrite":
          stop = rule.mode === "reset" ? { kind: "reset" } : { kind: "hang", holdMs: rule.holdMs };
          break;
        case "malformedJson":
          malformed = true;
          break;
        case "drift":
          body = drifted(body, rule.drift ?? "extra", rule.fields);
          break;
        case "duplicatePage":
          duplicate = previous;
          break;
        case "reorderPage":
          body = { ...(body as object), data: shuffled(data as unknown[], rule.rng) };
          break;
        default:
          break;
      }
    }
    let text = duplicate ?? serializeCoupangJson(body);
    if (pageKey !== undefined && duplicate === undefined && answer.status === 200)
      this.remember(pageKey, text);
    if (malformed) text = text.slice(0, Math.max(1, Math.floor(text.length * 0.6)));
    return { stop, text };
  }

  private remember(pageKey: string, text: string): void {
    this.pages.delete(pageKey);
    this.pages.set(pageKey, text);
    if (this.pages.size > REMEMBERED_PAGES) this.pages.delete(this.pages.keys().next().value ?? pageKey);
  }
}

function matches(rule: FaultRuleInput, call: CallInfo): boolean {
  const endpoint = rule.endpoint;
  const endpointOk =
    endpoint === undefined ||
    endpoint === "*" ||
    endpoint === call.endpoint ||
    endpoint === `${call.method} ${call.endpoint}`;
  const from = String(call.query.createdAtFrom ?? "").slice(0, 10);
  const to = String(call.query.createdAtTo ?? "").slice(0, 10);
  return (
    endpointOk &&
    (rule.method === undefined || rule.method.toUpperCase() === call.method) &&
    (rule.vendorId === undefined || rule.vendorId === call.vendorId) &&
    Object.entries(rule.query ?? {}).every(([name, value]) => call.query[name] === value) &&
    (rule.coversDay === undefined || (from !== "" && from <= rule.coversDay && rule.coversDay <= to))
  );
}

/** Counts an applicable call against `rule` and says whether it fires. */
function fires(rule: FaultRule & { rng: Prng }): boolean {
  rule.matched++;
  const n = rule.matched - (rule.skip ?? 0);
  if (n <= 0) return false;
  if (rule.count !== undefined && rule.fired >= rule.count) return false;
  if (rule.everyNth !== undefined && n % rule.everyNth !== 0) return false;
  if (rule.probability !== undefined && rule.rng.next() >= rule.probability) return false;
  rule.fired++;
  return true;
}

function validateRule(r: FaultRuleInput): void {
  const fail = (message: string): never => {
    throw new RangeError(message);
  };
  if (!(FAULT_KINDS as readonly string[]).includes(r.kind))
    fail(`Unknown fault kind '${String(r.kind)}'; use one of ${FAULT_KINDS.join(", ")}`);
  if (r.kind === "status" && !(FAULT_STATUSES as readonly number[]).includes(r.status ?? NaN)) {
    fail(`A status fault needs status ${FAULT_STATUSES.join(", ")}`);
  }
  if (
    r.kind === "latency" &&
    !(Number.isInteger(r.latencyMs) && (r.latencyMs ?? -1) >= 0 && (r.latencyMs ?? 0) <= 60_000)
  ) {
    fail("A latency fault needs latencyMs, an integer from 0 to 60000");
  }
  if (r.kind === "rowFailure" && !rowFailureEndpointOk(r.endpoint)) {
    fail(
      `A rowFailure fault acts on the batch writes only: endpoint must be omitted, * or one of ${BATCH_WRITE_ENDPOINTS.join(", ")}, not '${String(r.endpoint)}'`,
    );
  }
  if (r.drift !== undefined && !(DRIFTS as readonly string[]).includes(r.drift))
    fail(`drift must be one of ${DRIFTS.join(", ")}`);
  if (r.mode !== undefined && r.mode !== "hang" && r.mode !== "reset") fail("mode must be hang or reset");
  if (r.probability !== undefined && !(r.probability >= 0 && r.probability <= 1))
    fail("probability must be in [0, 1]");
  for (const [name, value] of [
    ["count", r.count],
    ["everyNth", r.everyNth],
    ["skip", r.skip],
    ["holdMs", r.holdMs],
  ] as const) {
    if (value !== undefined && !(Number.isSafeInteger(value) && value >= (name === "everyNth" ? 1 : 0))) {
      fail(`${name} must be a non-negative integer${name === "everyNth" ? " ≥ 1" : ""}`);
    }
  }
  if (r.fields !== undefined && !(Array.isArray(r.fields) && r.fields.every((f) => typeof f === "string"))) {
    fail("fields must be an array of field names");
  }
  const query: unknown = r.query;
  if (
    query !== undefined &&
    !(
      typeof query === "object" &&
      query !== null &&
      !Array.isArray(query) &&
      Object.values(query).every((v) => typeof v === "string")
    )
  ) {
    fail("query must be an object of parameter names to string values");
  }
  if (r.coversDay !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(String(r.coversDay)))
    fail("coversDay must be a day yyyy-MM-dd");
}

/** Whether a `rowFailure` rule's endpoint can name a batch write (with or without its method). */
function rowFailureEndpointOk(endpoint: string | undefined): boolean {
  if (endpoint === undefined || endpoint === "*") return true;
  const name = endpoint.replace(/^(PUT|PATCH|POST) /, "");
  return (BATCH_WRITE_ENDPOINTS as readonly string[]).includes(name);
}

/** `body` with its `data` drifted (a deep copy; the world's objects are never touched). */
function drifted(body: unknown, drift: Drift, fields: readonly string[] | undefined): unknown {
  const names = new Set(fields ?? (drift === "missing" ? OPTIONAL_FIELDS : NULLABLE_FIELDS));
  const walk = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(walk);
    if (typeof value !== "object" || value === null) return value;
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) {
      if (drift === "missing" && names.has(key)) continue;
      out[key] = drift === "null" && names.has(key) && typeof v === "string" ? null : walk(v);
    }
    if (drift === "extra") out.simAddedField = "added by coupang-sim schema drift";
    return out;
  };
  return { ...(body as object), data: walk((body as { data: unknown }).data) };
}

/** A deterministic shuffle of `items` that never returns the original order (for ≥ 2 items). */
function shuffled<T>(items: readonly T[], rng: Prng): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out.every((x, k) => x === items[k]) ? out.reverse() : out;
}

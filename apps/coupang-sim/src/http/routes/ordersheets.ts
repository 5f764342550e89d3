import type { FastifyInstance } from "fastify";
import type { ListQuery } from "../../world/book.js";
import { kstDayEndMs, kstDayStartMs, parseKstDay, type KstDay } from "../../world/kst.js";
import { ORDER_STATUSES, isOrderStatus } from "../../world/types.js";
import type { World } from "../../world/world.js";
import { sendBadRequest, sendJson } from "../reply.js";

/** Widest daily window, both ends included (coupang-api.md §2.1). */
const MAX_SPAN_DAYS = 31;
/** Largest and default `maxPerPage` (§2.1). */
const MAX_PER_PAGE = 50;

/** A query string as fastify parses it: a repeated parameter becomes an array. */
export type RawQuery = Record<string, string | string[] | undefined>;

/** The validated daily-mode request, before the page token is checked against the vendor's boxes. */
export interface OrdersheetsRequest extends Omit<ListQuery, "after"> {
  /** The `nextToken` as sent, `undefined` on a first page. */
  nextToken: string | undefined;
}

/** Outcome of {@link parseOrdersheetsQuery}: the request, or the message of a 400. */
export type ParseResult = { ok: true; value: OrdersheetsRequest } | { ok: false; message: string };

const STATUS_LIST = ORDER_STATUSES.join(", ");

/**
 * Parses a daily `yyyy-MM-dd` day, also accepting the `+09:00` suffix the v5 path wants
 * (§2.1, §11; `%2B` in the URL arrives decoded as `+`). An unencoded `+` arrives as a space
 * and is rejected, as a servlet gateway would.
 */
function parseDay(text: string): KstDay | undefined {
  return parseKstDay(text.endsWith("+09:00") ? text.slice(0, -"+09:00".length) : text);
}

/**
 * Validates the query of `GET …/ordersheets` in daily mode (coupang-api.md §2.1):
 * `status` required and one of the six; `createdAtFrom`/`createdAtTo` required, `yyyy-MM-dd`
 * (optionally `+09:00`), from ≤ to, at most 31 days inclusive; `maxPerPage` an integer 1–50
 * (default 50); `searchType=timeFrame` (minute mode) is refused as not yet simulated; a
 * parameter given twice is refused. The window is the KST days [from 00:00, to+1 00:00).
 */
export function parseOrdersheetsQuery(query: RawQuery): ParseResult {
  const fail = (message: string): ParseResult => ({ ok: false, message });
  const single: Record<string, string | undefined> = {};
  for (const name of ["status", "createdAtFrom", "createdAtTo", "maxPerPage", "nextToken", "searchType"]) {
    const value = query[name];
    if (Array.isArray(value)) return fail(`Parameter '${name}' must be given only once`);
    single[name] = value;
  }
  if (single.searchType === "timeFrame") {
    return fail("searchType=timeFrame (minute mode) is not supported by the simulator yet");
  }
  const status = single.status;
  if (status === undefined || status === "")
    return fail(`Required parameter 'status' is missing; use one of ${STATUS_LIST}`);
  if (!isOrderStatus(status)) return fail(`Invalid status '${status}'; use one of ${STATUS_LIST}`);

  const days: KstDay[] = [];
  for (const name of ["createdAtFrom", "createdAtTo"] as const) {
    const text = single[name];
    if (text === undefined || text === "")
      return fail(`Required parameter '${name}' is missing (yyyy-MM-dd)`);
    const day = parseDay(text);
    if (day === undefined) {
      return fail(`Invalid ${name} '${text}': expected yyyy-MM-dd, or yyyy-MM-dd+09:00 with '+' sent as %2B`);
    }
    days.push(day);
  }
  const [from, to] = days as [KstDay, KstDay];
  const fromMs = kstDayStartMs(from);
  const toMs = kstDayEndMs(to);
  if (toMs <= fromMs) return fail("createdAtTo must not be before createdAtFrom");
  if (toMs - fromMs > MAX_SPAN_DAYS * 24 * 3600 * 1000) {
    return fail(
      `The search period may span at most ${MAX_SPAN_DAYS} days (createdAtFrom to createdAtTo inclusive)`,
    );
  }

  let maxPerPage = MAX_PER_PAGE;
  if (single.maxPerPage !== undefined) {
    const n = /^\d{1,3}$/.test(single.maxPerPage) ? Number(single.maxPerPage) : NaN;
    if (!(n >= 1 && n <= MAX_PER_PAGE)) {
      return fail(`Invalid maxPerPage '${single.maxPerPage}': an integer from 1 to ${MAX_PER_PAGE}`);
    }
    maxPerPage = n;
  }
  const nextToken = single.nextToken === "" ? undefined : single.nextToken;
  return { ok: true, value: { status, fromMs, toMs, maxPerPage, nextToken } };
}

/** What the ordersheets routes need from the simulator. */
export interface OrdersheetsDeps {
  world: World;
  now: () => Date;
}

/**
 * Registers the PO list, daily mode (coupang-api.md §2.1), at
 * `GET /v2/providers/openapi/apis/api/{v4,v5}/vendors/:vendorId/ordersheets`. Both answer the
 * v4 shape (KST without offset, plain KRW numbers); v5's internationalized shape is not
 * simulated yet. Must be registered in a scope that verifies signatures first, which also
 * guarantees `:vendorId` is a configured vendor.
 *
 * Response: `{"code":200,"message":"OK","data":[…],"nextToken":"…"}`, boxes ascending by
 * `shipmentBoxId`; `nextToken` is the last box's ID as a string when more remain, else `""`.
 * A `nextToken` that is not one of the vendor's `shipmentBoxId`s is a 400.
 */
export function registerOrdersheetsRoutes(scope: FastifyInstance, deps: OrdersheetsDeps): void {
  for (const version of ["v4", "v5"]) {
    scope.get<{ Params: { vendorId: string }; Querystring: RawQuery }>(
      `/v2/providers/openapi/apis/api/${version}/vendors/:vendorId/ordersheets`,
      { config: { endpoint: "ordersheets" } },
      (request, reply) => {
        const parsed = parseOrdersheetsQuery(request.query);
        if (!parsed.ok) return sendBadRequest(reply, parsed.message);
        const { vendorId } = request.params;
        const { nextToken, ...window } = parsed.value;
        let after: bigint | undefined;
        if (nextToken !== undefined) {
          after = /^\d{1,19}$/.test(nextToken) ? BigInt(nextToken) : undefined;
          if (after === undefined || deps.world.book(vendorId)?.hasBox(after) !== true) {
            return sendBadRequest(reply, `Invalid nextToken '${nextToken}'`);
          }
        }
        const page = deps.world.listOrdersheets(vendorId, { ...window, after }, deps.now());
        return sendJson(reply, 200, {
          code: 200,
          message: "OK",
          data: page.orders,
          nextToken: page.next === undefined ? "" : page.next.toString(),
        });
      },
    );
  }
}

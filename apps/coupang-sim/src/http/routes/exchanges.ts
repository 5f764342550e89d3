import { badRequest } from "../../world/errors.js";
import { listExchanges } from "../../world/queries.js";
import {
  EXCHANGE_REJECT_CODES,
  confirmExchangeReceipt,
  exchangeInvoices,
  rejectExchangeRequest,
} from "../../world/seller.js";
import { EXCHANGE_STATUSES } from "../../world/types.js";
import { asRecord, checkVendorId, readId, readString } from "../body.js";
import { idParam, instantWindow, intParam, oneOf, required, singles, tokenParam } from "../params.js";
import type { CoupangRoute, RouteContext } from "../route.js";

/** Widest window (§8.1). */
const MAX_SPAN_MS = 7 * 24 * 3600 * 1000;
/** Default and largest `maxPerPage` (§8.1: default 10; a client caps it at 100). */
const DEFAULT_PER_PAGE = 10;
const MAX_PER_PAGE = 100;

/**
 * `GET …/exchangeRequests` (§8.1): `createdAtFrom`/`createdAtTo` as `yyyy-MM-ddTHH:mm:ss`
 * (the second of `createdAtTo` included), at most 7 days; optional `status`, `orderId`;
 * `maxPerPage` 1–100 (default 10) and `nextToken` = the previous page's last exchangeId.
 */
const list: CoupangRoute = {
  endpoint: "exchangeRequests",
  method: "GET",
  versions: ["v4"],
  path: "/exchangeRequests",
  handle(ctx) {
    const q = singles(ctx.query, [
      "createdAtFrom",
      "createdAtTo",
      "status",
      "orderId",
      "maxPerPage",
      "nextToken",
    ]);
    const names = ["createdAtFrom", "createdAtTo"] as const;
    const window = instantWindow(
      names,
      required(names[0], q.createdAtFrom, "yyyy-MM-ddTHH:mm:ss"),
      required(names[1], q.createdAtTo, "yyyy-MM-ddTHH:mm:ss"),
      true,
      MAX_SPAN_MS,
      "The search period may span at most 7 days",
    );
    const page = listExchanges(
      ctx.book,
      {
        ...window,
        status: q.status === undefined ? undefined : oneOf("status", q.status, EXCHANGE_STATUSES),
        orderId: q.orderId === undefined ? undefined : idParam("orderId", q.orderId),
        maxPerPage: intParam("maxPerPage", q.maxPerPage, 1, MAX_PER_PAGE, DEFAULT_PER_PAGE),
        after: tokenParam(q.nextToken, (id) => ctx.book.exchangeById.has(id)),
      },
      ctx.nowMs,
    );
    return { body: { code: 200, message: "OK", data: page.items, nextToken: page.next?.toString() ?? "" } };
  },
};

/** The path's exchangeId; a body's `exchangeId` and `vendorId` must match it when given. */
function pathExchange(ctx: RouteContext, body: Record<string, unknown>): bigint {
  const exchangeId = idParam("exchangeId", ctx.params.exchangeId ?? "");
  checkVendorId(body, ctx.vendor.vendorId);
  const given = readId(body, "exchangeId", false);
  if (given !== undefined && given !== exchangeId)
    throw badRequest(`exchangeId ${given} does not match the path's ${exchangeId}`);
  return exchangeId;
}

/** `PUT …/exchangeRequests/{exchangeId}/receiveConfirmation` (§8.2; PATCH too): body `{exchangeId, vendorId}`. */
const receive: CoupangRoute = {
  endpoint: "exchangeRequests/{exchangeId}/receiveConfirmation",
  method: "PUT",
  versions: ["v4"],
  path: "/exchangeRequests/:exchangeId/receiveConfirmation",
  handle(ctx) {
    return confirmExchangeReceipt(ctx.book, pathExchange(ctx, asRecord(ctx.body ?? {})), ctx.nowMs);
  },
};

/** `PUT …/exchangeRequests/{exchangeId}/rejection` (§8.2; PATCH too): `exchangeRejectCode` SOLDOUT or WITHDRAW. */
const reject: CoupangRoute = {
  endpoint: "exchangeRequests/{exchangeId}/rejection",
  method: "PUT",
  versions: ["v4"],
  path: "/exchangeRequests/:exchangeId/rejection",
  handle(ctx) {
    const body = asRecord(ctx.body);
    const exchangeId = pathExchange(ctx, body);
    oneOf("exchangeRejectCode", readString(body, "exchangeRejectCode"), EXCHANGE_REJECT_CODES);
    return rejectExchangeRequest(ctx.book, exchangeId, ctx.nowMs);
  },
};

/**
 * `POST …/exchangeRequests/{exchangeId}/invoices` (§8.2): a JSON array of
 * `{exchangeId, vendorId, shipmentBoxId, goodsDeliveryCode, invoiceNumber}` (a single object
 * is accepted too; IDs may be strings, as in the official example).
 */
const invoices: CoupangRoute = {
  endpoint: "exchangeRequests/{exchangeId}/invoices",
  method: "POST",
  versions: ["v4"],
  path: "/exchangeRequests/:exchangeId/invoices",
  handle(ctx) {
    const exchangeId = idParam("exchangeId", ctx.params.exchangeId ?? "");
    const items = Array.isArray(ctx.body) ? (ctx.body as unknown[]) : [ctx.body];
    if (items.length === 0) throw badRequest("The request body must list at least one invoice");
    const rows = items.map((item, k) => {
      const row = asRecord(item, `invoice ${k}`);
      checkVendorId(row, ctx.vendor.vendorId);
      return {
        exchangeId: readId(row, "exchangeId", false) ?? exchangeId,
        shipmentBoxId: readId(row, "shipmentBoxId", true),
        goodsDeliveryCode: readString(row, "goodsDeliveryCode", readString(row, "goodsflowDeliveryCode", "")),
        invoiceNumber: readString(row, "invoiceNumber"),
      };
    });
    return exchangeInvoices(ctx.book, ctx.state.world.invoices, exchangeId, rows, ctx.nowMs);
  },
};

/** The exchange endpoints (§8). */
export const EXCHANGE_ROUTES: readonly CoupangRoute[] = [list, receive, reject, invoices];

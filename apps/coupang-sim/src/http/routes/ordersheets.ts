import { badRequest } from "../../world/errors.js";
import { listOrdersheets } from "../../world/queries.js";
import { ORDER_STATUSES } from "../../world/types.js";
import {
  dayWindow,
  idParam,
  instantWindow,
  intParam,
  oneOf,
  required,
  singles,
  tokenParam,
} from "../params.js";
import type { CoupangRoute, RouteContext } from "../route.js";

/** Widest daily window, both ends included (coupang-api.md §2.1). */
const MAX_SPAN_DAYS = 31;
/** Widest minute-mode window (§2.1). */
const MAX_MINUTE_SPAN_MS = 24 * 3600 * 1000;
/** Largest and default `maxPerPage` (§2.1). */
const MAX_PER_PAGE = 50;

/** The PO endpoints' versions: v4, and the current v5 path, both answering the v4 shape. */
const VERSIONS = ["v4", "v5"] as const;

/** The box `shipmentBoxId` of the path a client can see by ID now, or 400. */
function boxOr400(ctx: RouteContext): number {
  const id = idParam("shipmentBoxId", ctx.params.shipmentBoxId ?? "");
  const i = ctx.book.findBox(id, ctx.nowMs);
  if (i < 0) throw badRequest(`발주서를 찾을 수 없습니다. (shipmentBoxId: ${id})`);
  return i;
}

/**
 * `GET …/ordersheets` (§2.1). Daily mode: `status` (required, one of six), `createdAtFrom`
 * and `createdAtTo` as `yyyy-MM-dd` (optionally `+09:00`), at most 31 days inclusive,
 * `maxPerPage` 1–50 (default 50), `nextToken` = the previous page's last shipmentBoxId.
 * Minute mode (`searchType=timeFrame`): `yyyy-MM-ddTHH:mm`, at most 24 hours, no paging
 * (`maxPerPage` and `nextToken` are ignored), `createdAtTo`'s minute included. Boxes by
 * `orderedAt`, ascending by shipmentBoxId, listed only `listLagMinutes` after payment.
 */
const list: CoupangRoute = {
  endpoint: "ordersheets",
  method: "GET",
  versions: VERSIONS,
  path: "/ordersheets",
  handle(ctx) {
    const q = singles(ctx.query, [
      "status",
      "createdAtFrom",
      "createdAtTo",
      "maxPerPage",
      "nextToken",
      "searchType",
    ]);
    const status = oneOf(
      "status",
      required("status", q.status, `one of ${ORDER_STATUSES.join(", ")}`),
      ORDER_STATUSES,
    );
    const names = ["createdAtFrom", "createdAtTo"] as const;
    const minute = q.searchType === "timeFrame";
    const from = required(names[0], q.createdAtFrom, minute ? "yyyy-MM-ddTHH:mm" : "yyyy-MM-dd");
    const to = required(names[1], q.createdAtTo, minute ? "yyyy-MM-ddTHH:mm" : "yyyy-MM-dd");
    const window = minute
      ? instantWindow(
          names,
          from,
          to,
          false,
          MAX_MINUTE_SPAN_MS,
          "The minute-mode (searchType=timeFrame) search period may span at most 24 hours",
        )
      : dayWindow(names, from, to, MAX_SPAN_DAYS);
    const maxPerPage = minute
      ? undefined
      : intParam("maxPerPage", q.maxPerPage, 1, MAX_PER_PAGE, MAX_PER_PAGE);
    const after = minute ? undefined : tokenParam(q.nextToken, (id) => ctx.book.hasBox(id));
    const page = listOrdersheets(
      ctx.book,
      { status, ...window, maxPerPage, after },
      ctx.nowMs,
      ctx.state.world.options.listLagMinutes * 60_000,
    );
    return { body: { code: 200, message: "OK", data: page.items, nextToken: page.next?.toString() ?? "" } };
  },
};

/** `GET …/ordersheets/{shipmentBoxId}` (§2.2): one box as an object, visible at once after payment (no list lag). */
const byBox: CoupangRoute = {
  endpoint: "ordersheets/{shipmentBoxId}",
  method: "GET",
  versions: VERSIONS,
  path: "/ordersheets/:shipmentBoxId",
  handle(ctx) {
    return { body: { code: 200, message: "OK", data: ctx.book.render(boxOr400(ctx), ctx.nowMs) } };
  },
};

/**
 * `GET …/{orderId}/ordersheets` (§2.3): every box of the order, split and replacement boxes
 * included, as an array (the 2019 doc shows an object; an order with several boxes needs an
 * array). 400 for an unknown order.
 */
const byOrder: CoupangRoute = {
  endpoint: "{orderId}/ordersheets",
  method: "GET",
  versions: VERSIONS,
  path: "/:orderId/ordersheets",
  handle(ctx) {
    const orderId = idParam("orderId", ctx.params.orderId ?? "");
    const boxes = ctx.book.boxesOfOrder(orderId, ctx.nowMs);
    if (boxes.length === 0) throw badRequest(`주문을 찾을 수 없습니다. (orderId: ${orderId})`);
    return { body: { code: 200, message: "OK", data: boxes.map((i) => ctx.book.render(i, ctx.nowMs)) } };
  },
};

/** `GET …/ordersheets/{shipmentBoxId}/history` (§2.4): `{shipmentBoxId, details:[…]}`, newest first. */
const history: CoupangRoute = {
  endpoint: "ordersheets/{shipmentBoxId}/history",
  method: "GET",
  versions: VERSIONS,
  path: "/ordersheets/:shipmentBoxId/history",
  handle(ctx) {
    const i = boxOr400(ctx);
    return {
      body: {
        code: 200,
        message: "OK",
        data: { shipmentBoxId: ctx.book.boxId(i), details: ctx.book.history(i) },
      },
    };
  },
};

/** The PO read endpoints (§2). */
export const ORDERSHEET_ROUTES: readonly CoupangRoute[] = [list, byBox, byOrder, history];

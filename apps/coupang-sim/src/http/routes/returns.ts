import { badRequest } from "../../world/errors.js";
import { listReturns, listWithdrawals, withdrawalsByIds } from "../../world/queries.js";
import {
  actionableReceipt,
  approveReturn,
  completedShipment,
  receiveReturn,
  stopShipment,
} from "../../world/seller.js";
import { RETURN_FILTERS } from "../../world/types.js";
import { asRecord, checkVendorId, readId, readIds, readInt, readString } from "../body.js";
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

/** Widest `returnRequests` window, daily and minute mode (§6.1). */
const MAX_SPAN_DAYS = 31;
/** Largest and default `maxPerPage` of `returnRequests` (§6.1). */
const MAX_PER_PAGE = 50;
/** Widest withdrawal window and largest page (§7). */
const WITHDRAW_MAX_DAYS = 7;
const WITHDRAW_MAX_PAGE = 100;
/** Most IDs per `returnWithdrawList` (§7). */
const MAX_CANCEL_IDS = 50;

/** Path versions of the return endpoints: v4 (still answering), v5, and v6 (current KR doc), same KR shape. */
const VERSIONS = ["v4", "v5", "v6"] as const;

/**
 * `GET …/returnRequests` (§6.1). `cancelType` RETURN (default) or CANCEL; CANCEL takes no
 * `status` or `orderId`. Daily mode: `yyyy-MM-dd` days, `status` (RU, UC, CC, PR) required
 * unless `orderId` is given, `maxPerPage` 1–50 (default 50), `nextToken`. Minute mode
 * (`searchType=timeFrame`): `yyyy-MM-ddTHH:mm`, `status` required, no `orderId`,
 * `maxPerPage` or `nextToken`, no paging. Both modes span at most 31 days of receipt
 * `createdAt`. A stop request shows under RU and UC; withdrawn receipts are gone.
 */
const list: CoupangRoute = {
  endpoint: "returnRequests",
  method: "GET",
  versions: VERSIONS,
  path: "/returnRequests",
  handle(ctx) {
    const q = singles(ctx.query, [
      "searchType",
      "createdAtFrom",
      "createdAtTo",
      "status",
      "cancelType",
      "orderId",
      "maxPerPage",
      "nextToken",
    ]);
    const minute = q.searchType === "timeFrame";
    const cancelType = oneOf("cancelType", q.cancelType ?? "RETURN", ["RETURN", "CANCEL"] as const);
    if (cancelType === "CANCEL" && (q.status !== undefined || q.orderId !== undefined)) {
      throw badRequest("cancelType=CANCEL 조회 시 status와 orderId는 입력할 수 없습니다.");
    }
    if (minute) {
      for (const name of ["orderId", "maxPerPage", "nextToken"] as const) {
        if (q[name] !== undefined)
          throw badRequest(`Parameter '${name}' is not supported with searchType=timeFrame`);
      }
    }
    const orderId = q.orderId === undefined ? undefined : idParam("orderId", q.orderId);
    const status =
      cancelType === "CANCEL" || (q.status === undefined && orderId !== undefined)
        ? undefined
        : oneOf(
            "status",
            required("status", q.status, `${RETURN_FILTERS.join(", ")}, or give orderId`),
            RETURN_FILTERS,
          );
    const names = ["createdAtFrom", "createdAtTo"] as const;
    const format = minute ? "yyyy-MM-ddTHH:mm" : "yyyy-MM-dd";
    const from = required(names[0], q.createdAtFrom, format);
    const to = required(names[1], q.createdAtTo, format);
    const tooLong = `The search period may span at most ${MAX_SPAN_DAYS} days`;
    const window = minute
      ? instantWindow(names, from, to, false, MAX_SPAN_DAYS * 86_400_000, tooLong)
      : dayWindow(names, from, to, MAX_SPAN_DAYS);
    const page = listReturns(ctx.book, {
      cancelType,
      status,
      orderId,
      ...window,
      maxPerPage: minute ? undefined : intParam("maxPerPage", q.maxPerPage, 1, MAX_PER_PAGE, MAX_PER_PAGE),
      after: tokenParam(q.nextToken, (id) => ctx.book.receiptById.has(id)),
    });
    return { body: { code: 200, message: "OK", data: page.items, nextToken: page.next?.toString() ?? "" } };
  },
};

/** The path's receiptId, which a body's `receiptId` must repeat when given (400 otherwise). */
function pathReceipt(ctx: RouteContext, body: Record<string, unknown>): bigint {
  const receiptId = idParam("receiptId", ctx.params.receiptId ?? "");
  checkVendorId(body, ctx.vendor.vendorId);
  const given = readId(body, "receiptId", false);
  if (given !== undefined && given !== receiptId)
    throw badRequest(`receiptId ${given} does not match the path's ${receiptId}`);
  return receiptId;
}

/** `GET …/returnRequests/{receiptId}` (§6.2): `data` is an array of one; cancel receipts and withdrawn returns are 400. */
const single: CoupangRoute = {
  endpoint: "returnRequests/{receiptId}",
  method: "GET",
  versions: VERSIONS,
  path: "/returnRequests/:receiptId",
  handle(ctx) {
    const r = actionableReceipt(ctx.book, idParam("receiptId", ctx.params.receiptId ?? ""));
    return { body: { code: 200, message: "OK", data: [ctx.book.renderReceipt(r)] } };
  },
};

/** A `PUT …/returnRequests/{receiptId}/<action>` endpoint (§5.3, §6.3; PATCH too). */
function receiptAction(
  action: string,
  versions: readonly string[],
  act: (
    ctx: RouteContext,
    receiptId: bigint,
    body: Record<string, unknown>,
  ) => ReturnType<CoupangRoute["handle"]>,
): CoupangRoute {
  return {
    endpoint: `returnRequests/{receiptId}/${action}`,
    method: "PUT",
    versions,
    path: `/returnRequests/:receiptId/${action}`,
    handle(ctx) {
      const body = asRecord(ctx.body ?? {});
      return act(ctx, pathReceipt(ctx, body), body);
    },
  };
}

/**
 * `GET …/returnWithdrawRequests` (§7): withdrawals whose withdrawal time falls on the KST
 * days `dateFrom`–`dateTo` (at most 7, both included), `pageIndex` ≥ 1 (default 1),
 * `sizePerPage` ≤ 100 (default 10), with the documented Korean 400 messages;
 * `nextPageIndex` is `""` on the last page.
 */
const withdrawRequests: CoupangRoute = {
  endpoint: "returnWithdrawRequests",
  method: "GET",
  versions: ["v4"],
  path: "/returnWithdrawRequests",
  handle(ctx) {
    const q = singles(ctx.query, ["dateFrom", "dateTo", "pageIndex", "sizePerPage"]);
    for (const name of ["dateFrom", "dateTo"] as const) {
      if (q[name] === undefined) throw badRequest(`Required String parameter '${name}' is not present`);
    }
    const window = dayWindow(["dateFrom", "dateTo"], q.dateFrom ?? "", q.dateTo ?? "", WITHDRAW_MAX_DAYS, {
      reversed: "종료일자는 시작일자보다 작거나 같아야 합니다.",
      tooLong: `최대 조회 기간은 ${WITHDRAW_MAX_DAYS} 일 입니다.(The maximum view duration is ${WITHDRAW_MAX_DAYS} days)`,
    });
    if (q.pageIndex !== undefined && !(/^-?\d+$/.test(q.pageIndex) && Number(q.pageIndex) > 0)) {
      throw badRequest("pageindex 는 음수 또는 0 일 수 없습니다.");
    }
    if (
      q.sizePerPage !== undefined &&
      !(/^\d+$/.test(q.sizePerPage) && Number(q.sizePerPage) <= WITHDRAW_MAX_PAGE)
    ) {
      throw badRequest(`페이지별 최대 표시 갯수(sizePerPage)는 ${WITHDRAW_MAX_PAGE} 입니다.`);
    }
    const pageIndex = intParam("pageIndex", q.pageIndex, 1, 1_000_000, 1);
    const size = intParam("sizePerPage", q.sizePerPage, 1, WITHDRAW_MAX_PAGE, 10);
    const page = listWithdrawals(ctx.book, window.fromMs, window.toMs, pageIndex, size);
    return { body: { code: 200, message: "OK", data: page.items, nextPageIndex: page.nextPageIndex ?? "" } };
  },
};

/** `POST …/returnWithdrawList` (§7): body `{cancelIds:[…]}`, 1–50 IDs; IDs never withdrawn are left out. */
const withdrawList: CoupangRoute = {
  endpoint: "returnWithdrawList",
  method: "POST",
  versions: ["v4"],
  path: "/returnWithdrawList",
  handle(ctx) {
    const ids = readIds(asRecord(ctx.body), "cancelIds");
    if (ids.length === 0 || ids.length > MAX_CANCEL_IDS) {
      throw badRequest(`cancelIds는 1개 이상 ${MAX_CANCEL_IDS}개 이하로 요청해 주세요. (${ids.length}개)`);
    }
    return { body: { code: "200", message: "OK", data: withdrawalsByIds(ctx.book, ids) } };
  },
};

/** The return and withdrawal endpoints (§5.3, §6, §7). */
export const RETURN_ROUTES: readonly CoupangRoute[] = [
  list,
  single,
  receiptAction("stoppedShipment", ["v4"], (ctx, id, body) =>
    stopShipment(ctx.book, id, readInt(body, "cancelCount"), ctx.nowMs),
  ),
  receiptAction("completedShipment", ["v4"], (ctx, id, body) =>
    completedShipment(
      ctx.book,
      ctx.state.world.invoices,
      id,
      readString(body, "deliveryCompanyCode"),
      readString(body, "invoiceNumber"),
      ctx.nowMs,
    ),
  ),
  receiptAction("receiveConfirmation", ["v4", "v5"], (ctx, id) => receiveReturn(ctx.book, id, ctx.nowMs)),
  receiptAction("approval", ["v4", "v5"], (ctx, id, body) =>
    approveReturn(ctx.book, id, readInt(body, "cancelCount"), ctx.nowMs),
  ),
  withdrawRequests,
  withdrawList,
];

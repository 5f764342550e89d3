import { badRequest } from "../../world/errors.js";
import {
  acknowledge,
  applyInvoices,
  cancelOrder,
  completeLongTermUndelivery,
  type InvoiceRow,
} from "../../world/seller.js";
import { asRecord, checkVendorId, readBool, readId, readIds, readInts, readString } from "../body.js";
import { idParam } from "../params.js";
import type { CoupangRoute } from "../route.js";

/** Most boxes per acknowledgement (§3). */
const MAX_ACK_BOXES = 50;

/**
 * `PUT …/ordersheets/acknowledgement` (§3; PATCH too): body `{vendorId, shipmentBoxIds}`
 * with 1–50 IDs (400 otherwise), per-box results in `data.responseList`.
 */
const acknowledgement: CoupangRoute = {
  endpoint: "ordersheets/acknowledgement",
  method: "PUT",
  versions: ["v4", "v5"],
  path: "/ordersheets/acknowledgement",
  handle(ctx) {
    const body = asRecord(ctx.body);
    checkVendorId(body, ctx.vendor.vendorId);
    const ids = readIds(body, "shipmentBoxIds");
    if (ids.length === 0 || ids.length > MAX_ACK_BOXES) {
      throw badRequest(
        `shipmentBoxIds는 1개 이상 ${MAX_ACK_BOXES}개 이하로 요청해 주세요. (${ids.length}개)`,
      );
    }
    return acknowledge(ctx.book, ids, ctx.nowMs, ctx.rowFault);
  },
};

/** The `orderSheetInvoiceApplyDtos` rows of an invoice body (§4.1), 400 when malformed. */
function invoiceRows(body: Record<string, unknown>): InvoiceRow[] {
  const rows = body.orderSheetInvoiceApplyDtos;
  if (!Array.isArray(rows) || rows.length === 0) {
    throw badRequest("Required field 'orderSheetInvoiceApplyDtos' must be a non-empty array");
  }
  return rows.map((value, k) => {
    const row = asRecord(value, `orderSheetInvoiceApplyDtos[${k}]`);
    return {
      shipmentBoxId: readId(row, "shipmentBoxId", true),
      orderId: readId(row, "orderId", true),
      vendorItemId: readId(row, "vendorItemId", true),
      deliveryCompanyCode: readString(row, "deliveryCompanyCode"),
      invoiceNumber: readString(row, "invoiceNumber", ""),
      splitShipping: readBool(row, "splitShipping"),
      preSplitShipped: readBool(row, "preSplitShipped"),
      estimatedShippingDate: readString(row, "estimatedShippingDate", ""),
    };
  });
}

/** An invoice endpoint: upload (§4.1) or update (§4.2); same body and response. */
function invoiceRoute(mode: "upload" | "update"): CoupangRoute {
  const name = mode === "upload" ? "invoices" : "updateInvoices";
  return {
    endpoint: `orders/${name}`,
    method: "POST",
    versions: ["v4", "v5"],
    path: `/orders/${name}`,
    handle(ctx) {
      const body = asRecord(ctx.body);
      checkVendorId(body, ctx.vendor.vendorId);
      return applyInvoices(
        ctx.book,
        ctx.state.world.invoices,
        invoiceRows(body),
        mode,
        ctx.nowMs,
        ctx.rowFault,
      );
    },
  };
}

/**
 * `POST /v2/providers/openapi/apis/api/v5/vendors/{vendorId}/orders/{orderId}/cancel`
 * (§5.1). Missing arrays count as empty, so the Korean message for empty arrays applies.
 */
const cancel: CoupangRoute = {
  endpoint: "orders/{orderId}/cancel",
  method: "POST",
  versions: ["v5"],
  path: "/orders/:orderId/cancel",
  handle(ctx) {
    const body = asRecord(ctx.body);
    return cancelOrder(
      ctx.book,
      ctx.vendor,
      idParam("orderId", ctx.params.orderId ?? ""),
      {
        orderId: readId(body, "orderId", false),
        vendorItemIds: body.vendorItemIds === undefined ? [] : readIds(body, "vendorItemIds"),
        receiptCounts: body.receiptCounts === undefined ? [] : readInts(body, "receiptCounts"),
        bigCancelCode: readString(body, "bigCancelCode", ""),
        middleCancelCode: readString(body, "middleCancelCode", ""),
        vendorId: readString(body, "vendorId", ""),
        userId: readString(body, "userId", ""),
      },
      ctx.nowMs,
    );
  },
};

/** `POST …/completeLongTermUndelivery` (§9): body `{shipmentBoxId, invoiceNumber}`. */
const longTerm: CoupangRoute = {
  endpoint: "completeLongTermUndelivery",
  method: "POST",
  versions: ["v4"],
  path: "/completeLongTermUndelivery",
  handle(ctx) {
    const body = asRecord(ctx.body);
    return completeLongTermUndelivery(
      ctx.book,
      readId(body, "shipmentBoxId", true),
      readString(body, "invoiceNumber"),
      ctx.nowMs,
    );
  },
};

/** The order write endpoints (§3, §4, §5.1, §9). */
export const ORDER_ROUTES: readonly CoupangRoute[] = [
  acknowledgement,
  invoiceRoute("upload"),
  invoiceRoute("update"),
  cancel,
  longTerm,
];

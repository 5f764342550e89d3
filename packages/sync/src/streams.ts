import type { PrismaClient } from "@cos/db";
import {
  EXCHANGE_REQUESTS_STREAM,
  exchangeRequestsAdapter,
  type ExchangeRequestSource,
} from "./exchanges.js";
import { ORDERSHEETS_STREAM, orderSheetsAdapter, type OrderSheetSource } from "./ordersheets.js";
import { RETURN_REQUESTS_STREAM, returnRequestsAdapter, type ReturnRequestSource } from "./returns.js";
import type { StreamAdapter } from "./stream.js";
import {
  RETURN_WITHDRAWALS_STREAM,
  returnWithdrawalsAdapter,
  type ReturnWithdrawalSource,
} from "./withdrawals.js";

/** The inbound streams, by the list endpoint each one polls. */
export const STREAM_NAMES = [
  ORDERSHEETS_STREAM,
  RETURN_REQUESTS_STREAM,
  EXCHANGE_REQUESTS_STREAM,
  RETURN_WITHDRAWALS_STREAM,
] as const;
export type StreamName = (typeof STREAM_NAMES)[number];

/** The client calls of every stream together; `CoupangClient` satisfies it. */
export type StreamSource = OrderSheetSource &
  ReturnRequestSource &
  ExchangeRequestSource &
  ReturnWithdrawalSource;

/** What building any stream's adapter may need: the vendor's client and, for streams that check
 * stored entities by key, the database. */
export interface StreamDeps {
  source: StreamSource;
  prisma: PrismaClient;
}

/** A stream adapter with its page type left open: what the poll, resync and reconciliation
 * runners take for any stream. */
export type AnyStreamAdapter = StreamAdapter<{ nextToken: string | undefined }>;

const FACTORIES: Record<StreamName, (deps: StreamDeps) => AnyStreamAdapter> = {
  ordersheets: ({ source }) => orderSheetsAdapter(source),
  returnRequests: ({ source }) => returnRequestsAdapter(source),
  exchangeRequests: ({ source }) => exchangeRequestsAdapter(source),
  returnWithdrawRequests: ({ source, prisma }) => returnWithdrawalsAdapter(source, prisma),
};

/**
 * The adapter of one stream, for {@link runStream} and the other runners.
 * @throws Error naming the stream when it is not one of {@link STREAM_NAMES}.
 */
export function streamAdapter(name: string, deps: StreamDeps): AnyStreamAdapter {
  if (!isStreamName(name)) throw new Error(`stream: expected one of ${STREAM_NAMES.join(", ")}, got ${name}`);
  return FACTORIES[name](deps);
}

/** Whether `name` is one of {@link STREAM_NAMES}. */
export function isStreamName(name: string): name is StreamName {
  return (STREAM_NAMES as readonly string[]).includes(name);
}

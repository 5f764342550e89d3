import { pino, type Logger } from "pino";

/**
 * Paths pino blanks out of every log line: credentials wherever they appear, and the personal
 * data of buyers and receivers (names, safe numbers, addresses) should a payload ever be logged.
 */
export const REDACT_PATHS = [
  "secretKey",
  "*.secretKey",
  "accessKey",
  "*.accessKey",
  "authorization",
  "*.authorization",
  "headers.authorization",
  "*.headers.authorization",
  "*.orderer",
  "*.receiver",
  "*.receiverName",
  "*.receiverAddr1",
  "*.receiverAddr2",
  "*.ordererName",
  "*.safeNumber",
  // A Coupang error keeps the offending value and the response body to explain itself; either
  // can hold a buyer's name, phone or address, so neither is logged.
  "err.value",
  "err.body",
  "*.err.value",
  "*.err.body",
];

/** The process logger: JSON lines on stdout, with {@link REDACT_PATHS} redacted. */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    { level, base: { app: "coupang-sync" }, redact: { paths: REDACT_PATHS, censor: "[redacted]" } },
    destination,
  );
}

export type { Logger };

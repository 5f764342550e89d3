import { z } from "zod";
import { TEXT, optionalBlank } from "./lenient.js";

const actionDataSchema = z.looseObject({
  code: TEXT.optional,
  message: TEXT.optional,
  resultCode: TEXT.optional,
  resultMessage: TEXT.optional,
});

/**
 * The answer of a single-receipt action (stoppedShipment, completedShipment,
 * receiveConfirmation, approval, the exchange actions, completeLongTermUndelivery), in every
 * documented shape (coupang-api.md §5.3, §6.3, §8.2, §9): `{code, message}` alone,
 * `data: {resultCode, resultMessage}`, `data: {code, message, resultCode, resultMessage}`
 * (completedShipment's example nests them), or `data: true`.
 */
export const actionEnvelopeSchema = z.looseObject({
  code: TEXT.optional,
  message: TEXT.optional,
  data: optionalBlank(z.union([z.boolean(), actionDataSchema])),
});

/**
 * The business outcome of an action. A `FAIL` is a result, not an exception (HTTP errors are
 * still thrown as `CoupangError`s).
 */
export interface ActionResult {
  /**
   * `resultCode` is `SUCCESS` when present; else `data` when it is a Boolean; else `code` is
   * 200, `SUCCESS` or `OK`; an answer with none of them is a success (HTTP 2xx).
   */
  succeeded: boolean;
  /** `code`, from the envelope or (completedShipment) from `data`. */
  code: string | undefined;
  message: string | undefined;
  /** `SUCCESS` or `FAIL` where the endpoint reports one. */
  resultCode: string | undefined;
  resultMessage: string | undefined;
  /** The answer as lossless JSON. */
  rawJson: string;
}

/** Reads an {@link ActionResult} from a parsed {@link actionEnvelopeSchema}. Pure. */
export function assembleActionResult(
  envelope: z.output<typeof actionEnvelopeSchema>,
  rawJson: string,
): ActionResult {
  const { data } = envelope;
  const nested = typeof data === "object" ? data : undefined;
  const code = envelope.code ?? nested?.code;
  const resultCode = nested?.resultCode;
  const succeeded =
    resultCode !== undefined
      ? /^SUCCESS$/i.test(resultCode)
      : typeof data === "boolean"
        ? data
        : code === undefined || /^(200|SUCCESS|OK)$/i.test(code);
  return {
    succeeded,
    code,
    message: envelope.message ?? nested?.message,
    resultCode,
    resultMessage: nested?.resultMessage,
    rawJson,
  };
}

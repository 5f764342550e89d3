/**
 * A request the simulated Coupang refuses, with the HTTP status and body Coupang answers
 * (coupang-api.md §10). Thrown by world operations, answered by the HTTP layer as is.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
    message = typeof body === "object" && body !== null && "message" in body ? String(body.message) : "",
  ) {
    super(message);
    this.name = "ApiError";
  }
}

/** A 400 in the API's validation shape `{"code":400,"message":"…"}` (§10). */
export function badRequest(message: string): ApiError {
  return new ApiError(400, { code: 400, message });
}

/** Coupang's 500 for input it cannot process, e.g. an unknown carrier code (§4.1). */
export function internalException(message = "internal exception"): ApiError {
  return new ApiError(500, { code: 500, message });
}

/**
 * A world action that does not apply in the target's current state (e.g. a buyer cancel of
 * a box that has shipped). Autonomous events that meet one are skipped; the admin API
 * answers 409 with its message.
 */
export class Refused extends Error {
  constructor(message: string) {
    super(message);
    this.name = "Refused";
  }
}

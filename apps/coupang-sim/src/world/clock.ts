/**
 * How the simulator's clock runs:
 * - `real`: wall-clock time (plus whatever it was advanced by), for the demo and staging;
 * - `simulated`: frozen at its start instant until a test or the admin API advances it;
 * - `host`: read from a function the host supplies (the legacy `now` option), plus advances.
 */
export type ClockMode = "real" | "simulated" | "host";

/**
 * The simulator's one source of "now" (UTC instants; KST appears only in payloads). Every
 * mode can be moved forward by {@link Clock.advance} or {@link Clock.set}, which add an
 * offset to the underlying source; moving backwards is refused, because the world's state
 * only ever moves forward.
 */
export class Clock {
  private offsetMs = 0;

  /**
   * @param mode how time runs (see {@link ClockMode}).
   * @param source the underlying instant in epoch ms: `Date.now` for `real`, a constant for
   *   `simulated`, the host's function for `host`.
   */
  constructor(
    readonly mode: ClockMode,
    private readonly source: () => number,
  ) {}

  /** A clock frozen at `start` until advanced. */
  static simulated(start: Date): Clock {
    const at = start.getTime();
    if (Number.isNaN(at)) throw new RangeError("The simulated clock's start is an invalid Date");
    return new Clock("simulated", () => at);
  }

  /** Wall-clock time. */
  static real(): Clock {
    return new Clock("real", () => Date.now());
  }

  /** Time read from the host's function (e.g. a test's variable). */
  static host(now: () => Date): Clock {
    return new Clock("host", () => now().getTime());
  }

  /** The current instant, epoch ms. */
  nowMs(): number {
    return this.source() + this.offsetMs;
  }

  /** The current instant. */
  now(): Date {
    return new Date(this.nowMs());
  }

  /**
   * The instant a request's `signed-date` is judged against (§1). Clients sign with their own
   * wall clock, so that is the reference in `real` and `simulated` mode, however far simulated
   * time has moved; in `host` mode the host drives every clock, signatures included.
   */
  signatureNow(): Date {
    return this.mode === "host" ? this.now() : new Date();
  }

  /** Moves the clock forward by `ms` (≥ 0). Throws a `RangeError` for a negative or non-finite amount. */
  advance(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`Can only advance by ≥ 0 ms, got ${ms}`);
    this.offsetMs += ms;
  }

  /** Moves the clock to `to`. Throws a `RangeError` when `to` is invalid or before now. */
  set(to: Date): void {
    const target = to.getTime();
    if (Number.isNaN(target)) throw new RangeError("Invalid target instant");
    const now = this.nowMs();
    if (target < now) {
      throw new RangeError(
        `The clock only moves forward: ${to.toISOString()} is before ${this.now().toISOString()}`,
      );
    }
    this.offsetMs += target - now;
  }
}

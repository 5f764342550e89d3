import pg from "pg";

/** Options of {@link listen}. Durations in milliseconds. */
export interface ListenOptions {
  /** Receives each notification's payload (empty text when the sender gave none). */
  onNotify(payload: string): void;
  /**
   * Called after each connection's `LISTEN` took effect, the first one included. Notifications
   * sent while no connection listened are lost, so this is where a listener catches up. Must not throw.
   */
  onListen?(): void;
  /** Receives each error that dropped a connection or failed to open one (the first included). */
  onError?(err: Error): void;
  /** The first reconnection delay, doubled after each failed try up to 30 s; default 1 000. */
  retryMs?: number;
}

/** A running {@link listen}: `close()` ends its connection and stops reconnecting. */
export interface Listener {
  close(): Promise<void>;
}

const CHANNEL = /^[a-z_][a-z0-9_]*$/;
const MAX_RETRY_MS = 30_000;

/**
 * `LISTEN`s on a channel over a dedicated `pg` connection (Prisma's pool cannot hold one: a
 * notification is delivered to the session that listens, and pooled sessions come and go). When
 * the connection drops it reconnects with a doubling delay and listens again, calling `onListen`
 * each time so the caller can catch up on what it missed. Resolves once the first `LISTEN` took
 * effect (and `onListen` ran).
 *
 * @param databaseUrl a postgres:// connection URL.
 * @param channel a lower-case SQL identifier, e.g. `coupang_outbox`.
 * @throws RangeError for a channel that is not a plain identifier; the connection error when the
 *   first connection fails (nothing is left running then).
 */
export async function listen(
  databaseUrl: string,
  channel: string,
  options: ListenOptions,
): Promise<Listener> {
  if (!CHANNEL.test(channel)) throw new RangeError(`channel must be a lower-case identifier, got ${channel}`);
  const baseRetryMs = options.retryMs ?? 1_000;
  let delayMs = baseRetryMs;
  let current: pg.Client | undefined;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;

  const connect = async (): Promise<void> => {
    // keepAlive: a connection whose peer vanished (a failover, a dropped NAT entry) errors out
    // instead of waiting silently for notifications that never come.
    const client = new pg.Client({ connectionString: databaseUrl, keepAlive: true });
    current = client;
    client.on("notification", (message) => {
      if (message.channel === channel) options.onNotify(message.payload ?? "");
    });
    client.on("error", (err) => drop(client, err));
    client.on("end", () => drop(client, new Error(`the connection listening on ${channel} ended`)));
    try {
      await client.connect();
      await client.query(`LISTEN ${channel}`);
    } catch (err) {
      drop(client, err instanceof Error ? err : new Error(String(err)));
      throw err;
    }
    delayMs = baseRetryMs;
    options.onListen?.();
  };

  /** Forgets a failed connection (once: its error and end events both land here) and schedules the next. */
  const drop = (client: pg.Client, err: Error): void => {
    if (closed || current !== client) return;
    current = undefined;
    client.end().catch(() => {});
    options.onError?.(err);
    timer = setTimeout(() => {
      timer = undefined;
      // A failed try has dropped itself and scheduled the next one.
      connect().catch(() => {});
    }, delayMs);
    delayMs = Math.min(delayMs * 2, MAX_RETRY_MS);
  };

  const close = async (): Promise<void> => {
    closed = true;
    if (timer) clearTimeout(timer);
    const client = current;
    current = undefined;
    await client?.end().catch(() => {});
  };

  try {
    await connect();
  } catch (err) {
    await close();
    throw err;
  }
  return { close };
}

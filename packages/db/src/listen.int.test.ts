import { describe, expect, it } from "vitest";
import { listen } from "./listen.js";
import { useTestDatabase } from "../../../test/support/database.js";

const fixture = useTestDatabase();

/** Resolves when `check()` holds, polling every 20 ms; rejects after `ms`. */
async function until(check: () => boolean, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe("listen", () => {
  it("delivers the channel's payloads, and listens again after its connection is killed", async () => {
    const payloads: string[] = [];
    const errors: string[] = [];
    let listens = 0;
    const listener = await listen(fixture.url, "test_channel", {
      onNotify: (payload) => payloads.push(payload),
      onListen: () => listens++,
      onError: (err) => errors.push(err.message),
      retryMs: 50,
    });
    try {
      expect(listens).toBe(1);
      await fixture.sql.query(`SELECT pg_notify('test_channel', 'A00000001'), pg_notify('other', 'x')`);
      await until(() => payloads.length === 1);
      expect(payloads).toEqual(["A00000001"]);

      const killed = await fixture.sql.query<{ n: string }>(
        `SELECT count(pg_terminate_backend(pid))::text AS n FROM pg_stat_activity
         WHERE datname = current_database() AND query = 'LISTEN test_channel'`,
      );
      expect(killed.rows).toEqual([{ n: "1" }]);
      await until(() => listens === 2);
      expect(errors).toHaveLength(1);
      await fixture.sql.query(`NOTIFY test_channel, 'A00000002'`);
      await until(() => payloads.length === 2);
      expect(payloads).toEqual(["A00000001", "A00000002"]);
    } finally {
      await listener.close();
    }
    await fixture.sql.query(`NOTIFY test_channel, 'after close'`);
    await new Promise((r) => setTimeout(r, 200));
    expect(payloads).toHaveLength(2);
    expect(listens).toBe(2);
  });

  it("refuses a channel that is not a plain identifier, and fails when Postgres cannot be reached", async () => {
    await expect(listen(fixture.url, "x; DROP TABLE y", { onNotify: () => {} })).rejects.toThrow(
      "channel must be a lower-case identifier, got x; DROP TABLE y",
    );
    const url = new URL(fixture.url);
    url.port = "1";
    await expect(listen(url.toString(), "test_channel", { onNotify: () => {} })).rejects.toThrow(
      /ECONNREFUSED/,
    );
  });
});

import { spawn } from "node:child_process";
import { createServer } from "node:net";

/**
 * A redis-server of the caller's own, configured as the README requires of production (AOF,
 * `noeviction`), for a test that stops and starts Redis or a benchmark that reads Redis's own
 * counters: the machine's shared server on 6379 is never touched, and nothing else runs on this one.
 */

/** A free TCP port on 127.0.0.1 at the moment of the call (the port is released before it resolves). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

/** A redis-server of the caller's own, persisting to an append-only file in its directory. */
export interface OwnRedis {
  readonly url: string;
  /**
   * Starts it (a no-op while it runs); its AOF brings back what it held.
   * @throws Error with its output when it exits or is not ready within 20 s.
   */
  start(): Promise<void>;
  /** SIGTERM: Redis flushes its AOF and exits, as a service manager's stop does. */
  stop(): Promise<void>;
}

/** A redis-server on 127.0.0.1:`port` keeping its AOF in `dir`; not started until `start()`. */
export function ownRedis(port: number, dir: string): OwnRedis {
  let child: ReturnType<typeof spawn> | undefined;
  let exited: Promise<unknown> = Promise.resolve();
  return {
    url: `redis://127.0.0.1:${port}`,
    async start() {
      if (child && child.exitCode === null && child.signalCode === null) return;
      const args = ["--port", String(port), "--bind", "127.0.0.1", "--save", ""];
      args.push("--appendonly", "yes", "--dir", dir, "--maxmemory-policy", "noeviction");
      const proc = spawn("redis-server", args, { stdio: ["ignore", "pipe", "pipe"] });
      child = proc;
      exited = new Promise((r) => proc.once("exit", r));
      let output = "";
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`redis-server did not start:\n${output}`)), 20_000);
        proc.once("error", (err) => (clearTimeout(timer), reject(err)));
        void exited.then(() => (clearTimeout(timer), reject(new Error(`redis-server exited:\n${output}`))));
        proc.stdout.on("data", (chunk: Buffer) => {
          output += chunk.toString();
          if (!output.includes("Ready to accept connections")) return;
          clearTimeout(timer);
          resolve();
        });
      });
    },
    async stop() {
      child?.kill("SIGTERM");
      await exited;
    },
  };
}

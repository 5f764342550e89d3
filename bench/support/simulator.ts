// The simulator as the benchmarks run it: its CLI in a child process of its own, so its CPU and
// memory are not the measured process's.
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";

/** The simulated world a benchmark asks for. */
export interface SimulatorProcessOptions {
  /** Shipment boxes generated. */
  orders: number;
  /** Days before the anchor over which orders are spread. */
  days: number;
  seed: number;
  /**
   * The instant the world is generated as of (default: now). An anchor over 10 minutes back puts
   * every box past the list lag, so the listed count stays fixed while the benchmark runs.
   */
  anchor?: Date;
  /** Serve this many derived vendors (`--vendors`, `derivedVendors` in @cos/coupang-sim), `orders` each; default one. */
  vendors?: number;
  /** The throttle in calls/s per vendor (`--rate-limit`, 429 and a 60 s block over it); default 0, off. */
  rateLimit?: number;
}

/**
 * Starts the simulator CLI (`apps/coupang-sim/src/cli.ts`) on a free port with a frozen world
 * (`--activity none`) and no throttle unless `rateLimit` asks for one, and resolves with its base URL once it
 * listens; its stderr is the benchmark's. The caller stops it with `child.kill("SIGTERM")`.
 * @throws Error with its exit code when it exits, or closes its output, before listening.
 */
export async function startSimulatorProcess(
  options: SimulatorProcessOptions,
): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      "apps/coupang-sim/src/cli.ts",
      ...["--orders", String(options.orders), "--days", String(options.days), "--seed", String(options.seed)],
      ...(options.anchor ? ["--anchor", options.anchor.toISOString()] : []),
      ...(options.vendors ? ["--vendors", String(options.vendors)] : []),
      ...["--port", "0", "--activity", "none", "--rate-limit", String(options.rateLimit ?? 0)],
    ],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  const lines = createInterface({ input: child.stdout });
  const exited = once(child, "exit").then(([code]) => {
    throw new Error(`the simulator exited with code ${String(code)} before listening`);
  });
  const listening = (async () => {
    for await (const line of lines) {
      const match = /listening on (http:\/\/\S+)/.exec(line);
      if (match) return match[1]!;
    }
    throw new Error("the simulator closed its output before listening");
  })();
  const url = await Promise.race([listening, exited]);
  child.stdout.resume();
  return { url, child };
}

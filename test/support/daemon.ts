import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

/**
 * The worker daemon as a child process (`node [flags] --import tsx apps/worker/src/main.ts`, as the
 * Dockerfile runs it), for the tests and harnesses that stop, kill and restart it.
 */

/** The daemon's entry point. */
export const WORKER_MAIN = fileURLToPath(new URL("../../apps/worker/src/main.ts", import.meta.url));

/** Output kept per daemon: the tail is what explains a failure, and a long run must not grow without bound. */
const OUTPUT_LIMIT = 1_000_000;

/** A running daemon. */
export interface Daemon {
  readonly pid: number | undefined;
  /** Sends `signal`; a daemon that already exited ignores it. */
  kill(signal: NodeJS.Signals): void;
  /** Resolves with its exit code, or the name of the signal that ended it. */
  readonly exited: Promise<number | string | null>;
  /** What it printed to stdout and stderr so far (the last 1,000,000 characters). */
  output(): string;
  /**
   * Resolves once its output matches `pattern`.
   * @throws Error naming the pattern when it exits first, or after `timeoutMs` (default 60 s).
   */
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<void>;
}

/**
 * Starts the daemon with `env` on top of `PATH` only (nothing else leaks in from the test's own
 * environment, so each caller states every setting it relies on), and `nodeFlags` before its
 * entry point (e.g. the Docker image's `--max-old-space-size=128`).
 */
export function startDaemon(env: Record<string, string>, nodeFlags: readonly string[] = []): Daemon {
  const child = spawn(process.execPath, [...nodeFlags, "--import", "tsx", WORKER_MAIN], {
    env: { PATH: process.env.PATH ?? "", ...env },
  });
  let output = "";
  const waiters = new Set<() => void>();
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-OUTPUT_LIMIT);
    for (const check of waiters) check();
  };
  child.stdout.on("data", keep);
  child.stderr.on("data", keep);
  const exited = new Promise<number | string | null>((resolve) =>
    child.on("exit", (code, signal) => {
      resolve(code ?? signal);
      for (const check of waiters) check();
    }),
  );
  return {
    pid: child.pid,
    kill: (signal) => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    },
    exited,
    output: () => output,
    waitForOutput: (pattern, timeoutMs = 60_000) =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`waited ${timeoutMs} ms for the daemon to print ${pattern}`));
        }, timeoutMs);
        const check = () => {
          const matched = pattern.test(output);
          if (!matched && child.exitCode === null && child.signalCode === null) return;
          waiters.delete(check);
          clearTimeout(timer);
          if (matched) resolve();
          else
            reject(
              new Error(
                `the daemon exited (${child.exitCode ?? child.signalCode}) before printing ${pattern}; ` +
                  `its last output:\n${output.slice(-4_000)}`,
              ),
            );
        };
        waiters.add(check);
        check();
      }),
  };
}

/**
 * Polls `check` every 100 ms until it returns true.
 * @throws Error naming `what` after `timeoutMs`.
 */
export async function waitFor(what: string, timeoutMs: number, check: () => Promise<boolean>): Promise<void> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > timeoutMs) throw new Error(`waited ${timeoutMs} ms for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** SIGKILLs every daemon of `daemons` still running and resolves once all have exited, so a failed test leaves none. */
export async function killAll(daemons: readonly Daemon[]): Promise<void> {
  for (const daemon of daemons) daemon.kill("SIGKILL");
  await Promise.all(daemons.map((d) => d.exited));
}

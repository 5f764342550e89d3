/**
 * Standalone Coupang simulator (coupang-api.md §2.1 ordersheets for now):
 *   npx tsx apps/coupang-sim/src/cli.ts --seed 42 --orders 10000 --port 8080
 * Prints the base URL and the credentials to configure a client with, and stops cleanly on
 * SIGINT/SIGTERM.
 */
import { Command, InvalidArgumentError } from "commander";
import { DEFAULT_VENDOR, WORLD_DEFAULTS, startSimulator } from "./index.js";

function integer(value: string): number {
  const n = Number(value);
  if (!/^-?\d+$/.test(value) || !Number.isSafeInteger(n)) throw new InvalidArgumentError("Not an integer.");
  return n;
}

function decimal(value: string): number {
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n)) throw new InvalidArgumentError("Not a number.");
  return n;
}

function instant(value: string): Date {
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) throw new InvalidArgumentError("Not an ISO-8601 instant.");
  return d;
}

interface CliOptions {
  seed: number;
  orders: number;
  days: number;
  port: number;
  host: string;
  vendorId: string;
  accessKey: string;
  secretKey: string;
  listLagMinutes: number;
  signatureSkewSeconds: number;
  anchor?: Date;
  log: boolean;
}

async function main(): Promise<void> {
  const program = new Command()
    .name("coupang-sim")
    .description("A Coupang WING OPEN API simulator over a deterministic, seeded world of orders.")
    .option("--seed <n>", "seed of the generated world", integer, WORLD_DEFAULTS.seed)
    .option("--orders <n>", "shipment boxes to generate", integer, WORLD_DEFAULTS.orders)
    .option(
      "--days <n>",
      "spread orderedAt over this many days before the anchor",
      decimal,
      WORLD_DEFAULTS.days,
    )
    .option("--port <n>", "TCP port (0 = any free port)", integer, 8080)
    .option("--host <host>", "interface to listen on", "127.0.0.1")
    .option("--vendor-id <id>", "vendorId served", DEFAULT_VENDOR.vendorId)
    .option("--access-key <key>", "access key clients sign with", DEFAULT_VENDOR.accessKey)
    .option("--secret-key <key>", "secret key clients sign with", DEFAULT_VENDOR.secretKey)
    .option(
      "--list-lag-minutes <n>",
      "minutes after payment before an order is listed",
      decimal,
      WORLD_DEFAULTS.listLagMinutes,
    )
    .option("--signature-skew-seconds <n>", "allowed |signed-date - now| in seconds", decimal, 300)
    .option(
      "--anchor <iso>",
      "generate the world as of this instant (default: now); fix it for identical worlds across runs",
      instant,
    )
    .option("--log", "log every request", false)
    .parse();
  const o = program.opts<CliOptions>();

  const sim = await startSimulator({
    seed: o.seed,
    orders: o.orders,
    days: o.days,
    listLagMinutes: o.listLagMinutes,
    signatureSkewSeconds: o.signatureSkewSeconds,
    vendors: [{ vendorId: o.vendorId, accessKey: o.accessKey, secretKey: o.secretKey }],
    ...(o.anchor !== undefined ? { anchor: o.anchor } : {}),
    host: o.host,
    port: o.port,
    logger: o.log,
  });
  const truth = sim.groundTruth();
  const world = sim.world.options;
  process.stdout.write(
    [
      `Coupang simulator listening on ${sim.url}`,
      `  world      seed ${world.seed}, ${world.orders} boxes over ${world.days} days before ${world.anchor.toISOString()}, list lag ${world.listLagMinutes} min (${truth.boxes} listed now)`,
      `  vendorId   ${o.vendorId}`,
      `  accessKey  ${o.accessKey}`,
      `  secretKey  ${o.secretKey}`,
      `  try        GET ${sim.url}/v2/providers/openapi/apis/api/v4/vendors/${o.vendorId}/ordersheets?createdAtFrom=…&createdAtTo=…&status=ACCEPT (signed)`,
      `  admin      ${sim.url}/__sim/health  /__sim/calls  /__sim/ground-truth?full=1`,
      "",
    ].join("\n"),
  );

  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) {
      // A second signal means the user does not want to wait for open requests.
      process.exit(130);
    }
    stopping = true;
    process.stdout.write(`${signal}: stopping\n`);
    sim.close().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`close failed: ${String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`coupang-sim: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});

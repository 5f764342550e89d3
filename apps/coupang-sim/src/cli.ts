/**
 * Standalone Coupang simulator:
 *   npx tsx apps/coupang-sim/src/cli.ts --seed 42 --orders 10000 --port 8080
 * Prints the base URL, the credentials to configure a client with, and what the world costs
 * to hold; stops cleanly on SIGINT/SIGTERM. Unlike the library, it defaults to a world that
 * lives (activity `normal`) and to Coupang's throttle (10 calls/s per vendor).
 */
import { Command, InvalidArgumentError } from "commander";
import {
  DEFAULT_VENDOR,
  WORLD_DEFAULTS,
  derivedVendors,
  startSimulator,
  type FaultRuleInput,
  type SimVendor,
} from "./index.js";

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

function choice<T extends string>(allowed: readonly T[]): (value: string) => T {
  return (value) => {
    if (!(allowed as readonly string[]).includes(value))
      throw new InvalidArgumentError(`One of ${allowed.join(", ")}.`);
    return value as T;
  };
}

function faultRule(value: string, previous: FaultRuleInput[]): FaultRuleInput[] {
  try {
    return [...previous, JSON.parse(value) as FaultRuleInput];
  } catch {
    throw new InvalidArgumentError('Not JSON, e.g. \'{"kind":"status","status":504,"probability":0.05}\'.');
  }
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
  userId?: string;
  vendors?: number;
  listLagMinutes: number;
  ackLagMinutes: number;
  exchangeBoxLagMinutes: number;
  signatureSkewSeconds: number;
  anchor?: Date;
  clock: "real" | "simulated";
  startAt?: Date;
  activity: "none" | "normal";
  newOrdersPerHour?: number;
  rateLimit: number;
  blockSeconds: number;
  fault: FaultRuleInput[];
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
    .option("--user-id <login>", "WING login the cancel API must name as userId (default: any)")
    .option(
      "--vendors <n>",
      "serve n derived vendors A00000001… (keys sim-access-key-<n>/sim-secret-key-<n>, --orders each) instead of --vendor-id",
      integer,
    )
    .option(
      "--list-lag-minutes <n>",
      "minutes after payment before an order is listed",
      decimal,
      WORLD_DEFAULTS.listLagMinutes,
    )
    .option("--ack-lag-minutes <n>", "minutes an acknowledged box still reads ACCEPT", decimal, 0)
    .option("--exchange-box-lag-minutes <n>", "minutes before an exchange's new box is served", decimal, 10)
    .option("--signature-skew-seconds <n>", "allowed |signed-date - now| in seconds", decimal, 300)
    .option(
      "--anchor <iso>",
      "generate the world as of this instant (default: now); fix it for identical worlds",
      instant,
    )
    .option(
      "--clock <mode>",
      "real, or simulated (moves only through POST /__sim/clock)",
      choice(["real", "simulated"] as const),
      "real",
    )
    .option("--start-at <iso>", "start of a simulated clock (default: the anchor)", instant)
    .option(
      "--activity <preset>",
      "none (frozen world) or normal (orders arrive, buyers act)",
      choice(["none", "normal"] as const),
      "normal",
    )
    .option(
      "--new-orders-per-hour <n>",
      "arrival rate with --activity normal (default: the history's rate)",
      decimal,
    )
    .option("--rate-limit <n>", "calls per second per vendor before 429 (0 = no limit)", decimal, 10)
    .option("--block-seconds <n>", "how long a vendor stays blocked after a 429", decimal, 60)
    .option("--fault <json>", "a fault rule in force from the start (repeatable)", faultRule, [])
    .option("--log", "log every request", false)
    .parse();
  const o = program.opts<CliOptions>();

  const vendors: SimVendor[] =
    o.vendors !== undefined
      ? derivedVendors(o.vendors)
      : [
          {
            vendorId: o.vendorId,
            accessKey: o.accessKey,
            secretKey: o.secretKey,
            ...(o.userId !== undefined ? { userId: o.userId } : {}),
          },
        ];
  const first = vendors[0]!;
  const started = performance.now();
  const sim = await startSimulator({
    seed: o.seed,
    orders: o.orders,
    days: o.days,
    listLagMinutes: o.listLagMinutes,
    ackVisibilityLagMinutes: o.ackLagMinutes,
    exchangeBoxLagMinutes: o.exchangeBoxLagMinutes,
    signatureSkewSeconds: o.signatureSkewSeconds,
    vendors,
    ...(o.anchor !== undefined ? { anchor: o.anchor } : {}),
    clock: o.clock,
    ...(o.startAt !== undefined ? { startAt: o.startAt } : {}),
    activity:
      o.activity === "none"
        ? "none"
        : o.newOrdersPerHour !== undefined
          ? { newOrdersPerHour: o.newOrdersPerHour }
          : "normal",
    rateLimit: o.rateLimit > 0 ? { perSecond: o.rateLimit, blockSeconds: o.blockSeconds } : false,
    faults: o.fault,
    host: o.host,
    port: o.port,
    logger: o.log,
  });
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  const memory = process.memoryUsage();
  const megabytes = ((memory.heapUsed + memory.arrayBuffers) / 1e6).toFixed(0);
  const world = sim.world;
  const counts = world.groundTruthCounts(first.vendorId, sim.clock.now());
  process.stdout.write(
    [
      `Coupang simulator listening on ${sim.url}`,
      `  world      seed ${world.options.seed}, ${world.options.orders} boxes over ${world.options.days} days before ${world.options.anchor.toISOString()} (${counts.boxes} listed now); generated in ${seconds} s, ${megabytes} MB in use`,
      `  time       ${o.clock} clock; list lag ${o.listLagMinutes} min, acknowledgement lag ${o.ackLagMinutes} min, exchange box lag ${o.exchangeBoxLagMinutes} min`,
      `  activity   ${o.activity}${o.activity === "normal" ? ` (${world.activity.newOrdersPerHour.toFixed(1)} new orders/h)` : ""}; rate limit ${o.rateLimit > 0 ? `${o.rateLimit}/s, ${o.blockSeconds} s block` : "off"}; ${o.fault.length} fault rule(s)`,
      vendors.length > 1
        ? `  vendors    ${vendors.length}: ${first.vendorId} … ${vendors.at(-1)!.vendorId}, keys sim-access-key-<n> / sim-secret-key-<n> (counts above: ${first.vendorId}'s)`
        : `  vendorId   ${first.vendorId}`,
      `  accessKey  ${first.accessKey}`,
      `  secretKey  ${first.secretKey}`,
      `  try        GET ${sim.url}/v2/providers/openapi/apis/api/v4/vendors/${first.vendorId}/ordersheets?createdAtFrom=…&createdAtTo=…&status=ACCEPT (signed)`,
      `  admin      ${sim.url}/__sim/health  /__sim/calls  /__sim/writes  /__sim/clock  /__sim/faults  /__sim/ground-truth?full=1`,
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

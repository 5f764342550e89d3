// `prisma generate`, offline. The Prisma 7 CLI downloads a schema-engine binary before any command
// unless PRISMA_SCHEMA_ENGINE_BINARY names an existing file; generate never runs that engine, so
// any existing file will do and this node binary is one that always exists. Update checks and
// telemetry are switched off so nothing else reaches for the network, and a timeout turns a hang
// into a failure. Output: packages/db/src/generated/prisma (see the generator block of the schema).
import { spawnSync } from "node:child_process";
import console from "node:console";
import { createRequire } from "node:module";
import path from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const cli = createRequire(import.meta.url).resolve("prisma/build/index.js");

const result = spawnSync(
  process.execPath,
  [
    cli,
    "generate",
    "--config",
    path.join(root, "prisma.config.ts"),
    "--schema",
    path.join(root, "prisma/schema.prisma"),
  ],
  {
    cwd: root,
    stdio: "inherit",
    timeout: 120_000,
    env: {
      ...process.env,
      PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY || process.execPath,
      CHECKPOINT_DISABLE: "1",
      PRISMA_HIDE_UPDATE_MESSAGE: "1",
    },
  },
);

if (result.error) {
  console.error(`prisma generate failed to run: ${result.error.message}`);
  process.exit(1);
}
process.exit(result.status ?? 1);

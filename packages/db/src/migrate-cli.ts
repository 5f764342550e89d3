// `npm run migrate -w @cos/db`: applies pending migrations to DATABASE_URL and says what it did.
// Exit codes: 0 done (or nothing to do), 1 a migration was refused or failed, 2 no DATABASE_URL.
import { migrate } from "./migrate.js";

const url = process.env.DATABASE_URL?.trim();
if (!url) {
  console.error("DATABASE_URL is not set: it must name the Postgres database to migrate.");
  process.exit(2);
}

try {
  const { applied } = await migrate(url, { log: (line) => console.log(line) });
  console.log(applied.length === 0 ? "Database is up to date." : `Applied ${applied.length} migration(s).`);
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
}

// Prisma 7 reads the datasource URL from here, not from schema.prisma. Only the commands that talk
// to a database (`prisma migrate deploy`, `db pull`, studio) need it; `prisma generate` must work on
// a fresh clone with no DATABASE_URL, so the URL is left out when the variable is unset.
import { defineConfig } from "prisma/config";

const url = process.env.DATABASE_URL;

export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  ...(url ? { datasource: { url } } : {}),
});

import type { Prisma } from "../generated/prisma/client.js";

/**
 * What the repositories need from Prisma: parameterised raw SQL. Both a `PrismaClient` and the
 * `tx` of an interactive transaction ({@link withTransaction}) satisfy it. Functions that write
 * several statements which must commit together name their parameter `tx` and expect the latter.
 */
export type SqlClient = Pick<Prisma.TransactionClient, "$executeRawUnsafe" | "$queryRawUnsafe">;

/** A JSON document as stored in a jsonb column (checkpoint cursors, sync-run plans). */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/**
 * How a row field travels to Postgres. Batches are sent as one jsonb array and unpacked with
 * `jsonb_to_recordset`, so every value is encoded as JSON first: 64-bit integers as decimal
 * strings (never through a JS number), bigint arrays as arrays of such strings, instants as ISO-8601 UTC strings, dates as YYYY-MM-DD.
 */
export type ColumnKind =
  "text" | "bigint" | "bigint_array" | "int" | "bool" | "timestamptz" | "date" | "jsonb" | "sha256";

/** The encodings allowed for a field of TypeScript type `T`, so a spec cannot mismatch its row type. */
export type KindFor<T> = [NonNullable<T>] extends [bigint]
  ? "bigint"
  : [NonNullable<T>] extends [readonly bigint[]]
    ? "bigint_array"
    : [NonNullable<T>] extends [Date]
      ? "timestamptz" | "date"
      : [NonNullable<T>] extends [boolean]
        ? "bool"
        : [NonNullable<T>] extends [number]
          ? "int"
          : [NonNullable<T>] extends [string]
            ? "text" | "jsonb" | "sha256"
            : never;

/** One column of a table, and which field of the row feeds it. */
export interface ColumnSpec<Row> {
  column: string;
  field: keyof Row & string;
  kind: ColumnKind;
}

/**
 * A column spec per field of `Row`, checked by the compiler: every field must be listed, and with
 * an encoding that fits its type.
 */
export type ColumnSpecs<Row> = { [K in keyof Row & string]-?: { column: string; kind: KindFor<Row[K]> } };

/** Flattens {@link ColumnSpecs} into the ordered list the SQL builders use. */
export function columnList<Row>(specs: ColumnSpecs<Row>): ColumnSpec<Row>[] {
  return (Object.keys(specs) as (keyof Row & string)[]).map((field) => ({
    field,
    column: specs[field].column,
    kind: specs[field].kind,
  }));
}

const RECORDSET_TYPE: Record<ColumnKind, string> = {
  text: "text",
  bigint: "bigint",
  // A JSON array of decimal strings; Postgres converts each element to bigint exactly.
  bigint_array: "bigint[]",
  int: "integer",
  bool: "boolean",
  timestamptz: "timestamptz",
  date: "date",
  // Raw payloads arrive as JSON text and are parsed by Postgres (`::jsonb`), which keeps every
  // digit of large numbers; JSON.parse in JS would not.
  jsonb: "text",
  sha256: "text",
};

/** `r(col type, …)`: the record definition for `jsonb_to_recordset`. */
export function recordsetDefinition(columns: { column: string; kind: ColumnKind }[]): string {
  return `r(${columns.map((c) => `${quoteIdent(c.column)} ${RECORDSET_TYPE[c.kind]}`).join(", ")})`;
}

/** The expression selecting column `c` from the recordset alias `r`, cast to its table type. */
export function recordsetValue(c: { column: string; kind: ColumnKind }): string {
  return c.kind === "jsonb" ? `r.${quoteIdent(c.column)}::jsonb` : `r.${quoteIdent(c.column)}`;
}

/** Double-quotes an identifier of our own schema (never user input), rejecting anything unusual. */
export function quoteIdent(name: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`Unexpected SQL identifier: ${name}`);
  return `"${name}"`;
}

/**
 * A vendor's rows of `table` per KST day (`yyyy-MM-dd`) of `dayColumn` and per `statusColumn`,
 * for rows whose `dayColumn` is at or after `since`: day → status → rows. What the planner reads
 * to spend calls only where an entity could still change. Table and columns are our own schema's.
 */
export async function countsByKstDay(
  db: SqlClient,
  source: { table: string; dayColumn: string; statusColumn: string },
  vendorId: string,
  since: Date,
): Promise<Map<string, Map<string, number>>> {
  const day = quoteIdent(source.dayColumn);
  const rows = await db.$queryRawUnsafe<Array<{ day: string; status: string; n: number }>>(
    `SELECT to_char(${day} AT TIME ZONE 'Asia/Seoul', 'YYYY-MM-DD') AS day,
            ${quoteIdent(source.statusColumn)} AS status, count(*)::int AS n
       FROM ${quoteIdent(source.table)} WHERE vendor_id = $1 AND ${day} >= $2::timestamptz
      GROUP BY 1, 2`,
    vendorId,
    since.toISOString(),
  );
  const byDay = new Map<string, Map<string, number>>();
  for (const r of rows) {
    const counts = byDay.get(r.day) ?? new Map<string, number>();
    counts.set(r.status, r.n);
    byDay.set(r.day, counts);
  }
  return byDay;
}

const SHA256_HEX = /^[0-9a-f]{64}$/;
const UTC_MIDNIGHT_MS = 86_400_000;

/**
 * Encodes one field value for the jsonb batch. `where` names the value in error messages.
 *
 * @throws RangeError for an invalid Date, a `date` value that is not 00:00 UTC (Prisma's convention
 *   for @db.Date), an `int` outside the 32-bit range, or a `sha256` value that is not 64 lowercase
 *   hex digits (CHAR(64) would silently pad a short one).
 */
export function encodeValue(kind: ColumnKind, value: unknown, where: string): unknown {
  if (value === null || value === undefined) return null;
  switch (kind) {
    case "bigint":
      return (value as bigint).toString();
    case "bigint_array":
      return (value as readonly bigint[]).map((v) => v.toString());
    case "int": {
      const n = value as number;
      if (!Number.isInteger(n) || n < -2_147_483_648 || n > 2_147_483_647) {
        throw new RangeError(`${where} must be a 32-bit integer, got ${n}`);
      }
      return n;
    }
    case "timestamptz":
      return isoInstant(value as Date, where);
    case "date": {
      const d = value as Date;
      const iso = isoInstant(d, where);
      if (d.getTime() % UTC_MIDNIGHT_MS !== 0) {
        throw new RangeError(`${where} is a calendar date and must be 00:00:00 UTC, got ${iso}`);
      }
      return iso.slice(0, 10);
    }
    case "sha256": {
      const s = value as string;
      if (!SHA256_HEX.test(s))
        throw new RangeError(`${where} must be a sha256 hex digest (64 lowercase hex digits)`);
      return s;
    }
    case "text":
    case "jsonb":
    case "bool":
      return value;
  }
}

function isoInstant(d: Date, where: string): string {
  if (!(d instanceof Date) || Number.isNaN(d.getTime())) throw new RangeError(`${where} is not a valid Date`);
  return d.toISOString();
}

/** Encodes a row as a JSON object keyed by column name, per `columns`. */
export function encodeRow<Row>(row: Row, columns: ColumnSpec<Row>[], where: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const c of columns) out[c.column] = encodeValue(c.kind, row[c.field], `${where}.${c.field}`);
  return out;
}

// Test support only (not exported by @cos/db). The schema engine, which would turn schema.prisma into
// the database shape, cannot run on these machines, and the generated client's runtime data model
// omits nullability, defaults, native types, keys and indexes. So the schema-equivalence test reads
// schema.prisma with this deliberately small parser and derives what `prisma migrate` would create.
// Scope: `model` blocks with scalar fields, relations, @id/@@id, @unique/@@unique, @@index (with
// an optional `map:` name, for a key whose default name would pass Postgres' 63 characters),
// @default, @map/@@map, @relation and the Postgres native types this project uses. Anything else
// (enums, lists, views, other named constraints, unknown attributes) throws, so a schema that outgrows
// the parser fails the test loudly instead of being half-checked.

/** An attribute such as `@db.Char(64)`: name `db.Char`, args `64` (raw text inside the parentheses). */
export interface PrismaAttribute {
  name: string;
  args: string | null;
}

/** A field line of a model: name, type (`Int`, `ShipmentBox[]`…), `?` and its attributes. */
export interface PrismaField {
  name: string;
  type: string;
  optional: boolean;
  attributes: PrismaAttribute[];
}

/** A `model` block: its fields in declaration order and its `@@` attributes. */
export interface PrismaModel {
  name: string;
  fields: PrismaField[];
  blockAttributes: PrismaAttribute[];
}

/** Reads the `model` blocks of a schema; generator/datasource blocks are skipped. */
export function parsePrismaSchema(source: string): PrismaModel[] {
  const text = stripComments(source);
  const models: PrismaModel[] = [];
  const block = /(\w+)\s+(\w+)\s*\{([^{}]*)\}/g;
  for (const match of text.matchAll(block)) {
    const [, kind, name, body] = match as unknown as [string, string, string, string];
    if (kind === "generator" || kind === "datasource") continue;
    if (kind !== "model") throw new Error(`prisma-schema parser: unsupported block "${kind} ${name}"`);
    models.push(parseModel(name, unmaskBraces(body)));
  }
  return models;
}

// Braces inside strings (a Json default such as `@default("{}")`) must not end a block.
const OPEN = "\u0001";
const CLOSE = "\u0002";
function unmaskBraces(text: string): string {
  return text.replaceAll(OPEN, "{").replaceAll(CLOSE, "}");
}

function stripComments(source: string): string {
  // Drops `//` and `///` comments outside double-quoted strings, and masks braces inside them.
  return source
    .split("\n")
    .map((line) => {
      let inString = false;
      let out = "";
      for (let i = 0; i < line.length; i++) {
        const ch = line[i]!;
        if (ch === '"' && line[i - 1] !== "\\") inString = !inString;
        if (!inString && ch === "/" && line[i + 1] === "/") return out;
        out += inString && ch === "{" ? OPEN : inString && ch === "}" ? CLOSE : ch;
      }
      return out;
    })
    .join("\n");
}

function parseModel(name: string, body: string): PrismaModel {
  const model: PrismaModel = { name, fields: [], blockAttributes: [] };
  for (const raw of body.split("\n")) {
    const line = raw.trim();
    if (line === "") continue;
    if (line.startsWith("@@")) {
      model.blockAttributes.push(...parseAttributes(line.slice(1), `${name} block attribute`));
      continue;
    }
    const m = /^(\w+)\s+(\w+)(\[\])?(\?)?\s*(.*)$/.exec(line);
    if (!m) throw new Error(`prisma-schema parser: cannot read line "${line}" of model ${name}`);
    const [, fieldName, type, list, optional, rest] = m as unknown as [
      string,
      string,
      string,
      string,
      string,
      string,
    ];
    model.fields.push({
      name: fieldName,
      type: list ? `${type}[]` : type,
      optional: Boolean(optional),
      attributes: parseAttributes(rest, `${name}.${fieldName}`),
    });
  }
  return model;
}

function parseAttributes(text: string, where: string): PrismaAttribute[] {
  const attributes: PrismaAttribute[] = [];
  let i = 0;
  while (i < text.length) {
    if (/\s/.test(text[i]!)) {
      i++;
      continue;
    }
    const m = /^@([\w.]+)/.exec(text.slice(i));
    if (!m) throw new Error(`prisma-schema parser: unexpected "${text.slice(i)}" in ${where}`);
    const name = m[1]!;
    i += m[0].length;
    let args: string | null = null;
    if (text[i] === "(") {
      let depth = 0;
      const start = i + 1;
      let inString = false;
      for (; i < text.length; i++) {
        const ch = text[i];
        if (ch === '"' && text[i - 1] !== "\\") inString = !inString;
        if (inString) continue;
        if (ch === "(") depth++;
        if (ch === ")" && --depth === 0) break;
      }
      if (depth !== 0) throw new Error(`prisma-schema parser: unbalanced parentheses in ${where}`);
      args = text.slice(start, i).trim();
      i++;
    }
    attributes.push({ name, args });
  }
  return attributes;
}

/** A column as Postgres reports it: `format_type()` text, nullability, `pg_get_expr()` of the default. */
export interface ExpectedColumn {
  name: string;
  type: string;
  nullable: boolean;
  default: string | null;
}

/** A non-primary index: its name, key columns in order, and whether it is unique. */
export interface ExpectedIndex {
  name: string;
  columns: string[];
  unique: boolean;
}

/** A foreign key constraint with its columns, target and referential actions. */
export interface ExpectedForeignKey {
  name: string;
  columns: string[];
  referencedTable: string;
  referencedColumns: string[];
  onDelete: ReferentialAction;
  onUpdate: ReferentialAction;
}

/** Prisma's names for referential actions (`onDelete`/`onUpdate`). */
export type ReferentialAction = "Cascade" | "Restrict" | "NoAction" | "SetNull" | "SetDefault";

/** Everything the schema-equivalence test compares for one model's table. */
export interface ExpectedTable {
  model: string;
  name: string;
  columns: ExpectedColumn[];
  primaryKey: { name: string; columns: string[] };
  indexes: ExpectedIndex[];
  foreignKeys: ExpectedForeignKey[];
}

const SCALAR_TYPES = new Map<string, string>([
  ["String", "text"],
  ["Int", "integer"],
  ["BigInt", "bigint"],
  ["Boolean", "boolean"],
  ["DateTime", "timestamp(3) without time zone"],
  ["Json", "jsonb"],
  ["Float", "double precision"],
  ["Decimal", "numeric(65,30)"],
  ["Bytes", "bytea"],
]);

function nativeType(attribute: PrismaAttribute, where: string): string {
  const arg = attribute.args;
  switch (attribute.name) {
    case "db.Timestamptz":
      return `timestamp(${arg ?? "6"}) with time zone`;
    case "db.Timestamp":
      return `timestamp(${arg ?? "6"}) without time zone`;
    case "db.Date":
      return "date";
    case "db.Char":
      return `character(${arg ?? "1"})`;
    case "db.VarChar":
      return arg ? `character varying(${arg})` : "character varying";
    case "db.Text":
      return "text";
    case "db.JsonB":
      return "jsonb";
    case "db.Json":
      return "json";
    case "db.Integer":
      return "integer";
    case "db.BigInt":
      return "bigint";
    case "db.SmallInt":
      return "smallint";
    case "db.Uuid":
      return "uuid";
    default:
      throw new Error(`prisma-schema parser: native type @${attribute.name} is out of scope (${where})`);
  }
}

/** The list inside `[a, b]`, e.g. the fields of @@index([vendorId, status]). */
function fieldList(args: string | null, where: string): string[] {
  const m = /^\[([\w\s,]*)\]$/.exec(args ?? "");
  if (!m) throw new Error(`prisma-schema parser: expected a plain field list, got "${args}" in ${where}`);
  return m[1]!
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
}

function namedArgs(args: string, where: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of args.matchAll(/(\w+)\s*:\s*(\[[^\]]*\]|\w+)/g)) out.set(m[1]!, m[2]!);
  const rebuilt = [...out.entries()].map(([k, v]) => `${k}: ${v}`).join(", ");
  if (rebuilt.replace(/\s/g, "") !== args.replace(/\s/g, "")) {
    throw new Error(`prisma-schema parser: relation arguments out of scope: "${args}" in ${where}`);
  }
  return out;
}

function attr(field: PrismaField, name: string): PrismaAttribute | undefined {
  return field.attributes.find((a) => a.name === name);
}

function unquote(args: string | null, where: string): string {
  const m = /^"([^"]*)"$/.exec(args ?? "");
  if (!m) throw new Error(`prisma-schema parser: expected a string literal, got "${args}" in ${where}`);
  return m[1]!;
}

const KNOWN_FIELD_ATTRIBUTES = new Set(["id", "default", "map", "unique", "relation", "updatedAt"]);
const KNOWN_BLOCK_ATTRIBUTES = new Set(["id", "index", "unique", "map"]);

/**
 * What `prisma migrate dev` would create for these models on Postgres: tables, columns (in field
 * order), primary keys, indexes and foreign keys, with Prisma's default constraint and index names
 * (`<table>_pkey`, `<table>_<columns>_idx` / `_key` / `_fkey`) and default referential actions
 * (onDelete Restrict for required relations, SetNull for optional ones; onUpdate Cascade).
 */
export function expectedTables(models: PrismaModel[]): ExpectedTable[] {
  const byName = new Map(models.map((m) => [m.name, m]));
  const tableOf = (model: PrismaModel): string => {
    const map = model.blockAttributes.find((a) => a.name === "map");
    return map ? unquote(map.args, `${model.name} @@map`) : model.name;
  };
  const columnOf = (model: PrismaModel, fieldName: string): string => {
    const field = model.fields.find((f) => f.name === fieldName);
    if (!field) throw new Error(`prisma-schema parser: ${model.name} has no field ${fieldName}`);
    const map = attr(field, "map");
    return map ? unquote(map.args, `${model.name}.${fieldName} @map`) : field.name;
  };
  const check = (name: string, where: string): string => {
    if (name.length > 63)
      throw new Error(
        `prisma-schema parser: ${name} exceeds 63 characters (${where}); truncation is out of scope`,
      );
    return name;
  };

  return models.map((model) => {
    const table = tableOf(model);
    const scalars = model.fields.filter((f) => !byName.has(f.type.replace("[]", "")));
    const relations = model.fields.filter((f) => byName.has(f.type.replace("[]", "")));

    for (const f of model.fields) {
      for (const a of f.attributes) {
        if (!KNOWN_FIELD_ATTRIBUTES.has(a.name) && !a.name.startsWith("db.")) {
          throw new Error(`prisma-schema parser: @${a.name} is out of scope (${model.name}.${f.name})`);
        }
      }
    }
    for (const a of model.blockAttributes) {
      if (!KNOWN_BLOCK_ATTRIBUTES.has(a.name))
        throw new Error(`prisma-schema parser: @@${a.name} is out of scope (${model.name})`);
    }

    const columns: ExpectedColumn[] = scalars.map((f) => {
      const where = `${model.name}.${f.name}`;
      // A scalar list is an array column that Prisma Migrate leaves nullable; `@default([])`
      // becomes an empty array of the element type.
      if (f.type.endsWith("[]")) {
        const element = SCALAR_TYPES.get(f.type.slice(0, -2));
        if (!element || f.attributes.some((a) => a.name.startsWith("db.")))
          throw new Error(`prisma-schema parser: list type ${f.type} is out of scope (${where})`);
        const listDefault = attr(f, "default")?.args ?? null;
        if (listDefault !== null && listDefault !== "[]")
          throw new Error(`prisma-schema parser: list default ${listDefault} is out of scope (${where})`);
        return {
          name: columnOf(model, f.name),
          type: `${element}[]`,
          nullable: true,
          default: listDefault === null ? null : `ARRAY[]::${element}[]`,
        };
      }
      const base = SCALAR_TYPES.get(f.type);
      if (!base) throw new Error(`prisma-schema parser: type ${f.type} is out of scope (${where})`);
      const native = f.attributes.find((a) => a.name.startsWith("db."));
      const column = columnOf(model, f.name);
      return {
        name: column,
        type: native ? nativeType(native, where) : base,
        nullable: f.optional,
        default: defaultExpression(attr(f, "default")?.args ?? null, `${table}_${column}_seq`, where, base),
      };
    });

    const idField = scalars.filter((f) => attr(f, "id"));
    const idBlock = model.blockAttributes.find((a) => a.name === "id");
    const pkFields = idBlock ? fieldList(idBlock.args, `${model.name} @@id`) : idField.map((f) => f.name);
    if (pkFields.length === 0) throw new Error(`prisma-schema parser: ${model.name} has no primary key`);

    const indexes: ExpectedIndex[] = [];
    for (const f of scalars.filter((s) => attr(s, "unique"))) {
      if (attr(f, "unique")?.args)
        throw new Error(`prisma-schema parser: @unique arguments are out of scope (${model.name}.${f.name})`);
      const col = columnOf(model, f.name);
      indexes.push({ name: check(`${table}_${col}_key`, model.name), columns: [col], unique: true });
    }
    for (const a of model.blockAttributes.filter((b) => b.name === "index" || b.name === "unique")) {
      const where = `${model.name} @@${a.name}`;
      const named = /^(\[[^\]]*\])\s*,\s*map\s*:\s*("[^"]*")$/.exec(a.args ?? "");
      const cols = fieldList(named ? named[1]! : a.args, where).map((f) => columnOf(model, f));
      const suffix = a.name === "unique" ? "key" : "idx";
      indexes.push({
        name: check(named ? unquote(named[2]!, where) : `${table}_${cols.join("_")}_${suffix}`, model.name),
        columns: cols,
        unique: a.name === "unique",
      });
    }

    const foreignKeys: ExpectedForeignKey[] = [];
    for (const f of relations) {
      const where = `${model.name}.${f.name} @relation`;
      // A leading string is the relation's name, which does not affect the database.
      const relationArgs = (attr(f, "relation")?.args ?? "").replace(/^"[^"]*"\s*,?\s*/, "");
      const args = namedArgs(relationArgs, where);
      if (!args.has("fields")) continue; // the back-relation side holds no foreign key
      const target = byName.get(f.type)!;
      const fields = fieldList(args.get("fields") ?? null, where);
      const references = fieldList(args.get("references") ?? null, where);
      const cols = fields.map((x) => columnOf(model, x));
      const anyOptional = fields.some((x) => model.fields.find((s) => s.name === x)?.optional);
      foreignKeys.push({
        name: check(`${table}_${cols.join("_")}_fkey`, where),
        columns: cols,
        referencedTable: tableOf(target),
        referencedColumns: references.map((x) => columnOf(target, x)),
        onDelete:
          (args.get("onDelete") as ReferentialAction | undefined) ?? (anyOptional ? "SetNull" : "Restrict"),
        onUpdate: (args.get("onUpdate") as ReferentialAction | undefined) ?? "Cascade",
      });
    }

    return {
      model: model.name,
      name: table,
      columns,
      primaryKey: {
        name: check(`${table}_pkey`, model.name),
        columns: pkFields.map((f) => columnOf(model, f)),
      },
      indexes,
      foreignKeys,
    };
  });
}

/** The default as `pg_get_expr` prints it, or null for none (or a client-side default). */
function defaultExpression(
  args: string | null,
  sequence: string,
  where: string,
  type: string,
): string | null {
  if (args === null) return null;
  if (args === "now()") return "CURRENT_TIMESTAMP";
  if (args === "autoincrement()") return `nextval('${sequence}'::regclass)`;
  if (args === "true" || args === "false" || /^\d+$/.test(args)) return args;
  // Postgres shows a string default cast to the column's type: text, or jsonb for a Json default.
  if (/^"[^"']*"$/.test(args)) return `'${args.slice(1, -1)}'::${type === "jsonb" ? "jsonb" : "text"}`;
  if (args === "uuid()" || args === "cuid()") return null;
  throw new Error(`prisma-schema parser: default ${args} is out of scope (${where})`);
}

import { describe, expect, it } from "vitest";
import { expectedTables, parsePrismaSchema } from "./prisma-schema.js";

const SCHEMA = `
generator client {
  provider = "prisma-client"
  output   = "../x" // a comment with "quotes"
}

/// A doc comment.
model Parent {
  id    BigInt  @id @default(autoincrement())
  code  String  @unique @map("parent_code") @db.Char(8)
  label String? @default("n/a")
  kids  Child[]
  other Child[] @relation("o")

  @@map("parents")
}

model Child {
  parentId BigInt   @map("parent_id")
  slot     Int      @default(0)
  day      DateTime @db.Date
  at       DateTime @default(now()) @db.Timestamptz(6)
  plain    DateTime
  otherId  BigInt?  @map("other_id")
  parent   Parent   @relation(fields: [parentId], references: [id], onDelete: Cascade)
  other    Parent?  @relation("o", fields: [otherId], references: [id])

  @@id([parentId, slot])
  @@index([slot, at])
  @@map("children")
}
`;

describe("parsePrismaSchema + expectedTables", () => {
  it("derives tables, columns, keys, indexes and foreign keys as Prisma names them", () => {
    const [parents, children] = expectedTables(parsePrismaSchema(SCHEMA));
    expect(parents).toEqual({
      model: "Parent",
      name: "parents",
      columns: [
        { name: "id", type: "bigint", nullable: false, default: "nextval('parents_id_seq'::regclass)" },
        { name: "parent_code", type: "character(8)", nullable: false, default: null },
        { name: "label", type: "text", nullable: true, default: "'n/a'::text" },
      ],
      primaryKey: { name: "parents_pkey", columns: ["id"] },
      indexes: [{ name: "parents_parent_code_key", columns: ["parent_code"], unique: true }],
      foreignKeys: [],
    });
    expect(children!.columns).toEqual([
      { name: "parent_id", type: "bigint", nullable: false, default: null },
      { name: "slot", type: "integer", nullable: false, default: "0" },
      { name: "day", type: "date", nullable: false, default: null },
      { name: "at", type: "timestamp(6) with time zone", nullable: false, default: "CURRENT_TIMESTAMP" },
      { name: "plain", type: "timestamp(3) without time zone", nullable: false, default: null },
      { name: "other_id", type: "bigint", nullable: true, default: null },
    ]);
    expect(children!.primaryKey).toEqual({ name: "children_pkey", columns: ["parent_id", "slot"] });
    expect(children!.indexes).toEqual([
      { name: "children_slot_at_idx", columns: ["slot", "at"], unique: false },
    ]);
    expect(children!.foreignKeys).toEqual([
      {
        name: "children_parent_id_fkey",
        columns: ["parent_id"],
        referencedTable: "parents",
        referencedColumns: ["id"],
        onDelete: "Cascade",
        onUpdate: "Cascade",
      },
      {
        name: "children_other_id_fkey",
        columns: ["other_id"],
        referencedTable: "parents",
        referencedColumns: ["id"],
        onDelete: "SetNull",
        onUpdate: "Cascade",
      },
    ]);
  });

  it("expects a scalar list as a nullable array column, with @default([]) as an empty array", () => {
    const [table] = expectedTables(
      parsePrismaSchema(`model M {\n  id Int @id\n  tags String[] @default([])\n}`),
    );
    expect(table!.columns.find((c) => c.name === "tags")).toEqual({
      name: "tags",
      type: "text[]",
      nullable: true,
      default: "ARRAY[]::text[]",
    });
  });

  it("refuses what it does not understand instead of skipping it", () => {
    expect(() => parsePrismaSchema(`enum Status {\n  A\n}`)).toThrow(/unsupported block "enum Status"/);
    expect(() =>
      expectedTables(parsePrismaSchema(`model M {\n  id Int @id\n  tags String[] @db.Text\n}`)),
    ).toThrow(/list type String\[\] is out of scope/);
    expect(() => expectedTables(parsePrismaSchema(`model M {\n  id Int @id @db.Money\n}`))).toThrow(
      /db.Money/,
    );
    expect(() => expectedTables(parsePrismaSchema(`model M {\n  id Int @id @ignore\n}`))).toThrow(/@ignore/);
    expect(() =>
      expectedTables(parsePrismaSchema(`model M {\n  id Int @id\n  @@index([id], type: Hash)\n}`)),
    ).toThrow(/plain field list/);
    // A `map:` name is understood, for keys whose default name would pass 63 characters.
    const [named] = expectedTables(
      parsePrismaSchema(`model M {\n  id Int @id\n  n Int\n  @@unique([id, n], map: "m_slice_key")\n}`),
    );
    expect(named!.indexes).toEqual([{ name: "m_slice_key", columns: ["id", "n"], unique: true }]);
    expect(() =>
      expectedTables(
        parsePrismaSchema(
          `model M {\n  id Int @id\n  p M? @relation(fields: [id], references: [id], map: "x")\n}`,
        ),
      ),
    ).toThrow(/relation arguments out of scope/);
  });
});

/**
 * Whether `value` is a code of a reference table such as `DELIVERY_COMPANIES` or
 * `EXCHANGE_STATUSES` (an own key, case-sensitive as Coupang is).
 */
export function isCodeOf<T extends object>(table: T, value: unknown): value is keyof T & string {
  return typeof value === "string" && Object.hasOwn(table, value);
}

/** The codes of a reference table, in the table's order. */
export function codesOf<T extends object>(table: T): Array<keyof T & string> {
  return Object.keys(table) as Array<keyof T & string>;
}

// Text for people, shared by the front ends (the CLI's tables, the worker's status page), so an
// age or an instant reads the same wherever an operator looks.

/** An instant as ISO-8601 UTC to the second, or `-`. */
export const when = (d: Date | null | undefined) => (d ? d.toISOString().replace(/\.\d{3}Z$/, "Z") : "-");

/** A duration in seconds as `3d 4h`, `5m 12s`, `40s`; `-` for null. */
export function ago(seconds: number | null): string {
  if (seconds === null) return "-";
  const s = Math.max(0, Math.round(seconds));
  const units: Array<[string, number]> = [
    ["d", 86_400],
    ["h", 3_600],
    ["m", 60],
    ["s", 1],
  ];
  const parts: string[] = [];
  let rest = s;
  for (const [unit, size] of units) {
    if (rest >= size || (unit === "s" && parts.length === 0)) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
    if (parts.length === 2) break;
  }
  return parts.join(" ");
}

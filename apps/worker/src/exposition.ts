/** One sample of a Prometheus text exposition: `name{labels} value`. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** A metric family: its `# TYPE` and `# HELP`, and its samples (a histogram's `_bucket`, `_sum`, `_count` included). */
export interface MetricFamily {
  name: string;
  type: string;
  help: string;
  samples: Sample[];
}

const NAME = "[a-zA-Z_:][a-zA-Z0-9_:]*";
const SAMPLE = new RegExp(`^(${NAME})(?:\\{(.*)\\})?\\s+(\\S+)(?:\\s+-?\\d+)?$`);
const LABEL = /\s*([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*(,|$)/y;
const TYPES = new Set(["counter", "gauge", "histogram", "summary", "untyped"]);
const SUFFIXES: Record<string, readonly string[]> = {
  histogram: ["_bucket", "_sum", "_count"],
  summary: ["_sum", "_count"],
};

/** A sample value: a float, `NaN`, `+Inf` or `-Inf`. */
function parseValue(text: string): number {
  if (text === "+Inf" || text === "Inf") return Infinity;
  if (text === "-Inf") return -Infinity;
  if (text === "NaN") return NaN;
  const value = Number(text);
  if (text.trim() === "" || Number.isNaN(value)) throw new Error(`not a sample value: "${text}"`);
  return value;
}

function parseLabels(text: string): Record<string, string> {
  const labels: Record<string, string> = {};
  LABEL.lastIndex = 0;
  while (LABEL.lastIndex < text.length) {
    const start = LABEL.lastIndex;
    const m = LABEL.exec(text);
    if (!m) throw new Error(`bad label at "${text.slice(start)}"`);
    labels[m[1]!] = m[2]!.replace(/\\(.)/g, (_, c: string) => (c === "n" ? "\n" : c));
    if (m[3] === "") break;
  }
  return labels;
}

/**
 * Parses the Prometheus text exposition format 0.0.4 (what `/metrics` serves) into its families,
 * in order, checking every line: a sample must follow its family's `# TYPE` (a histogram's or
 * summary's suffixed samples included), values must be numbers.
 * @throws Error naming the line number and text of the first line that does not parse.
 */
export function parseExposition(text: string): Map<string, MetricFamily> {
  const families = new Map<string, MetricFamily>();
  const familyOf = (name: string) => families.get(name) ?? { name, type: "untyped", help: "", samples: [] };
  text.split("\n").forEach((line, index) => {
    try {
      if (line.trim() === "") return;
      const meta = /^#\s+(HELP|TYPE)\s+(\S+)\s?(.*)$/.exec(line);
      if (meta) {
        const family = familyOf(meta[2]!);
        if (meta[1] === "HELP") family.help = meta[3]!;
        else if (TYPES.has(meta[3]!)) family.type = meta[3]!;
        else throw new Error(`unknown type "${meta[3]}"`);
        families.set(family.name, family);
        return;
      }
      if (line.startsWith("#")) return;
      const m = SAMPLE.exec(line);
      if (!m) throw new Error("not a sample");
      const name = m[1]!;
      const family =
        families.get(name) ??
        [...families.values()].find((f) => (SUFFIXES[f.type] ?? []).some((s) => f.name + s === name));
      if (!family) throw new Error(`sample of ${name} without its # TYPE`);
      family.samples.push({ name, labels: m[2] ? parseLabels(m[2]) : {}, value: parseValue(m[3]!) });
    } catch (err) {
      throw new Error(`metrics line ${index + 1} does not parse (${(err as Error).message}): ${line}`, {
        cause: err,
      });
    }
  });
  return families;
}

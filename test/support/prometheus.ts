// A strict reader of the Prometheus text exposition format (0.0.4), enough to tell that a
// scrape would succeed: every line is a comment, HELP, TYPE or a sample of a declared family.

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Exposition {
  samples: Sample[];
  /** Family name → counter, gauge, histogram, summary or untyped. */
  types: Map<string, string>;
}

const NAME = "[a-zA-Z_:][a-zA-Z0-9_:]*";
const SAMPLE = new RegExp(`^(${NAME})(?:\\{(.*)\\})? (\\S+)(?: -?\\d+)?$`);
const LABEL = /\s*([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"\s*(,|$)/y;
const SUFFIXES: Record<string, readonly string[]> = {
  histogram: ["_bucket", "_sum", "_count"],
  summary: ["", "_sum", "_count"],
};

/** As Prometheus reads it (Go's ParseFloat): Inf and NaN in any case, so prom-client's "Nan" too. */
function number(text: string, line: string): number {
  if (/^\+?inf$/i.test(text)) return Infinity;
  if (/^-inf$/i.test(text)) return -Infinity;
  if (/^nan$/i.test(text)) return NaN;
  const n = Number(text);
  if (text === "" || Number.isNaN(n)) throw new Error(`not a sample value: ${line}`);
  return n;
}

function labels(text: string | undefined, line: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (!text) return out;
  LABEL.lastIndex = 0;
  while (LABEL.lastIndex < text.length) {
    const m = LABEL.exec(text);
    if (!m) throw new Error(`bad labels: ${line}`);
    out[m[1]!] = m[2]!.replace(/\\(.)/g, (_, c: string) => (c === "n" ? "\n" : c));
  }
  return out;
}

function family(name: string, types: Map<string, string>): string | undefined {
  if (types.has(name)) return name;
  for (const [base, type] of types) {
    for (const suffix of SUFFIXES[type] ?? []) if (name === base + suffix) return base;
  }
  return undefined;
}

export function parsePrometheus(text: string): Exposition {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  if (!text.endsWith("\n")) throw new Error("the exposition must end with a newline");
  for (const line of text.slice(0, -1).split("\n")) {
    if (line === "") continue;
    const type = new RegExp(`^# TYPE (${NAME}) (counter|gauge|histogram|summary|untyped)$`).exec(line);
    if (type) {
      if (types.has(type[1]!)) throw new Error(`TYPE twice for ${type[1]}`);
      types.set(type[1]!, type[2]!);
      continue;
    }
    if (new RegExp(`^# HELP ${NAME} `).test(line) || (line.startsWith("#") && !/^# (HELP|TYPE)/.test(line))) continue;
    const m = SAMPLE.exec(line);
    if (!m) throw new Error(`not a sample: ${line}`);
    if (!family(m[1]!, types)) throw new Error(`sample of an undeclared family: ${line}`);
    samples.push({ name: m[1]!, labels: labels(m[2], line), value: number(m[3]!, line) });
  }
  return { samples, types };
}

/** The value of the one sample with this name and these labels (among others), or 0 when absent. */
export function sampleValue(exposition: Exposition, name: string, match: Record<string, string> = {}): number {
  const found = exposition.samples.filter((s) => s.name === name && Object.entries(match).every(([k, v]) => s.labels[k] === v));
  if (found.length > 1) throw new Error(`${found.length} samples of ${name} match ${JSON.stringify(match)}`);
  return found[0]?.value ?? 0;
}

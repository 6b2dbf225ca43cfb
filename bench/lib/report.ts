// The run's outputs: the table printed at the end, `bench/results.json`, and BENCHMARKS.md.

import { cpus, loadavg, totalmem, release, platform } from "node:os";
import { execFileSync } from "node:child_process";
import type { Figure, Machine, Results, ScenarioResult } from "./results";

export function machine(): Machine {
  let fdLimit = "?";
  try {
    fdLimit = execFileSync("sh", ["-c", "ulimit -n"], { encoding: "utf8" }).trim();
  } catch {
    // not a shell we can ask
  }
  return {
    cpu: cpus()[0]?.model.trim() ?? "unknown",
    cores: cpus().length,
    memoryGb: Math.round(totalmem() / 2 ** 30),
    os: `${platform()} ${release()}`,
    node: process.version,
    loadAverage: Math.round(loadavg()[0]! * 100) / 100,
    fdLimit,
  };
}

export function formatValue(value: number | null | undefined, unit: string): string {
  if (value === null || value === undefined || Number.isNaN(value)) return "—";
  const digits = Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : Math.abs(value) >= 1 ? 2 : 3;
  const text = value.toLocaleString("en-US", { maximumFractionDigits: digits });
  return unit === "" ? text : `${text} ${unit}`;
}

function goalText(f: Figure): string {
  return f.goal ? `${f.goal.op === "<=" ? "≤" : "≥"} ${formatValue(f.goal.value, f.unit)}` : "";
}

const VERDICT = { met: "met", missed: "MISSED", info: "", "n/a": "n/a" } as const;

interface Row {
  scenario: string;
  figure: string;
  tether: string;
  floor: string;
  overhead: string;
  goal: string;
  verdict: string;
}

function rows(scenarios: readonly ScenarioResult[]): Row[] {
  const out: Row[] = [];
  for (const s of scenarios) {
    if (s.error && s.figures.length === 0) {
      const error = s.error.length > 100 ? `${s.error.slice(0, 100)}…` : s.error;
      out.push({ scenario: s.id, figure: `failed: ${error}`, tether: "", floor: "", overhead: "", goal: "", verdict: "ERROR" });
    }
    for (const f of s.failed ?? []) {
      const line = f.error.split("\n")[0]!;
      const error = line.length > 100 ? `${line.slice(0, 100)}…` : line;
      out.push({
        scenario: s.id,
        figure: `${f.part} failed: ${error}`,
        tether: "",
        floor: "",
        overhead: "",
        goal: "",
        verdict: "ERROR",
      });
    }
    for (const f of s.figures) {
      out.push({
        scenario: s.id,
        figure: f.label,
        tether: formatValue(f.value, f.unit),
        floor: f.floor === undefined ? "" : formatValue(f.floor, f.unit),
        overhead: f.ratio === undefined || f.ratio === null ? "" : `×${formatValue(f.ratio, "")}`,
        goal: goalText(f),
        verdict: VERDICT[f.verdict],
      });
    }
  }
  return out;
}

const HEAD: Row = {
  scenario: "scenario",
  figure: "figure",
  tether: "Tether",
  floor: "floor",
  overhead: "overhead",
  goal: "goal",
  verdict: "",
};

/** A plain-text table for the terminal. */
export function textTable(scenarios: readonly ScenarioResult[]): string {
  const all = [HEAD, ...rows(scenarios)];
  const keys = Object.keys(HEAD) as (keyof Row)[];
  const width = Object.fromEntries(keys.map((k) => [k, Math.max(...all.map((r) => r[k].length))])) as Record<keyof Row, number>;
  const right = new Set<keyof Row>(["tether", "floor", "overhead"]);
  const line = (r: Row): string =>
    keys
      .map((k) => (right.has(k) ? r[k].padStart(width[k]) : r[k].padEnd(width[k])))
      .join("  ")
      .trimEnd();
  return [line(HEAD), keys.map((k) => "-".repeat(width[k])).join("  "), ...all.slice(1).map(line)].join("\n");
}

function markdownTable(scenarios: readonly ScenarioResult[]): string {
  const cell = (text: string): string => text.replace(/\|/g, "\\|");
  const lines = [
    "| figure | Tether | floor | overhead | goal | |",
    "| --- | ---: | ---: | ---: | --- | --- |",
    ...rows(scenarios).map((r) => `| ${cell(r.figure)} | ${r.tether} | ${r.floor} | ${r.overhead} | ${r.goal} | ${r.verdict} |`),
  ];
  return lines.join("\n");
}

/** BENCHMARKS.md: the machine, the date, every figure with its goal, and the notes on misses. */
export function markdown(results: Results, totalSeconds: number | undefined): string {
  const m = results.machine;
  const out: string[] = [
    "# Benchmarks",
    "",
    "What users feel and what a relay operator pays, measured by `npm run bench` (one scenario:",
    "`npm run bench -- approval`; all of them at small sizes: `npm run bench -- --quick`). Each",
    "figure that can be compared is measured in the same run against a **floor**: the same message",
    "pattern over a bare `ws` server with no auth, storage or crypto (`bench/floor/server.ts`), so",
    "the overhead column is what Tether adds (Tether ÷ floor for times and sizes, floor ÷ Tether for",
    "rates). Where a figure is not about the wire, its section says what its floor is (bare fs calls",
    "for the mirror, node:crypto for sealing). The relay and the floor run as processes of their",
    "own, and so does `tether-host` where the agent runs; phones run in the bench process. Raw",
    "figures: [`bench/results.json`](bench/results.json).",
    "",
    `Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGb} GB, ${m.os}, Node ${m.node}, open files limit ${m.fdLimit};`,
    `load average ${m.loadAverage} when the run started (the machine is shared: absolute times are noisy, ratios less so).`,
    `Updated ${results.updatedAt.slice(0, 16).replace("T", " ")} UTC${totalSeconds !== undefined ? `; the run took ${Math.round(totalSeconds)} s` : ""}.`,
    "",
  ];
  const goals = results.scenarios.flatMap((s) => s.figures.filter((f) => f.goal).map((f) => ({ s, f })));
  if (goals.length) {
    out.push("## Goals", "", "| scenario | figure | Tether | goal | |", "| --- | --- | ---: | --- | --- |");
    for (const { s, f } of goals) {
      out.push(
        `| ${s.id} | ${f.label}${f.note ? ` (${f.note})` : ""} | ${formatValue(f.value, f.unit)} | ${goalText(f)} | ${VERDICT[f.verdict]} |`,
      );
    }
    const count = (v: string): number => goals.filter(({ f }) => f.verdict === v).length;
    const open = count("n/a");
    out.push(
      "",
      `${count("met")} goals met, ${count("missed")} missed${open ? `, ${open} not measured` : ""}; each scenario's section ` +
        "below says what was measured to explain a miss, and what could fix it.",
      "",
    );
  }
  for (const s of results.scenarios) {
    out.push(`## ${s.title} (\`${s.id}\`)`, "");
    const params = Object.entries(s.params)
      .map(([k, v]) => `${k} ${typeof v === "number" ? v.toLocaleString("en-US") : v}`)
      .join(", ");
    out.push(
      `Run ${s.at.slice(0, 16).replace("T", " ")} UTC${s.quick ? " (quick sizes)" : ""}, ${Math.round(s.durationMs / 1000)} s; ${params || "no parameters"}.`,
      "",
    );
    if (s.error) out.push(`**The scenario failed:** ${s.error}`, "");
    for (const f of s.failed ?? []) out.push(`**${f.part} failed:**`, "", "```", f.error, "```", "");
    if (s.figures.length) out.push(markdownTable([s]), "");
    for (const note of s.notes) out.push(`- ${note}`);
    if (s.notes.length) out.push("");
  }
  return out.join("\n");
}

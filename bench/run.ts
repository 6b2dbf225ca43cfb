// `npm run bench [-- <scenario>… ] [--quick] [--out <dir>]`: runs the benchmark scenarios,
// prints a table, and writes bench/results.json and BENCHMARKS.md (in `--out` when given).
// A run of some scenarios keeps the others' earlier results in both files. `--quick` runs
// small sizes to check the harness (the smoke test) and writes nothing unless `--out` is given.

import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { format, resolveConfig } from "prettier";
import { markdown, machine, textTable } from "./lib/report";
import type { Results, ScenarioResult } from "./lib/results";
import { ROOT } from "./lib/node";
import { requireDist } from "../test/support/relayProcess";
import { hasFailed, runScenario } from "./lib/runScenario";
import type { Scenario } from "./lib/scenario";
import { now } from "./lib/stats";
import { longRuns, scenarios } from "./scenarios/index";

const USAGE = `Usage: npm run bench [-- [scenario…] [--quick] [--out <dir>]]

Scenarios: ${scenarios.map((s) => s.id).join(", ")} (default: all, in this order)
Long runs, only when named: ${longRuns.map((s) => s.id).join(", ")}
  --quick       small sizes, to check that the harness works; writes nothing without --out
  --out <dir>   write results.json and BENCHMARKS.md into <dir> instead of bench/ and the root
  --report      write BENCHMARKS.md again from results.json, running nothing (after merging results)
  --scenarios-from <module>
                more scenarios, from a module exporting \`scenarios\` (to check the harness itself)
`;

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      quick: { type: "boolean", default: false },
      out: { type: "string" },
      report: { type: "boolean", default: false },
      "scenarios-from": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return;
  }
  const extra = values["scenarios-from"] ? await loadScenarios(values["scenarios-from"]) : [];
  const known = [...scenarios, ...longRuns, ...extra];
  const unknown = positionals.filter((p) => !known.some((s) => s.id === p));
  if (unknown.length) {
    process.stderr.write(`unknown scenario ${unknown.join(", ")}\n\n${USAGE}`);
    process.exit(2);
  }
  if (values.report) return report(values.out);
  requireDist();
  const chosen = positionals.length ? known.filter((s) => positionals.includes(s.id)) : scenarios;
  const quick = values.quick ?? false;
  const resultsFile = values.out ? join(values.out, "results.json") : join(ROOT, "bench", "results.json");
  const markdownFile = values.out ? join(values.out, "BENCHMARKS.md") : join(ROOT, "BENCHMARKS.md");
  const write = Boolean(values.out) || !quick;

  const earlier = readResults(resultsFile);
  const results = new Map<string, ScenarioResult>((earlier?.scenarios ?? []).map((s) => [s.id, s]));
  const started = now();
  const runMachine = machine();
  console.log(`${runMachine.cpu}, ${runMachine.cores} cores, load ${runMachine.loadAverage}${quick ? " — quick sizes" : ""}`);
  const ran: ScenarioResult[] = [];
  for (const scenario of chosen) {
    const result = await runScenario(scenario, quick, results);
    results.set(scenario.id, result);
    ran.push(result);
  }
  const total = (now() - started) / 1000;

  console.log(`\n${textTable(ran)}\n`);
  console.log(`${chosen.length} scenario(s) in ${Math.round(total)} s`);
  if (ran.some(hasFailed)) process.exitCode = 1;
  if (!write) return;
  // Scenarios keep their place in the suite's order; those not run now keep their earlier results.
  const merged: Results = {
    machine: runMachine,
    updatedAt: new Date().toISOString(),
    scenarios: known.flatMap((s) => results.get(s.id) ?? []),
  };
  await writeReport(merged, positionals.length ? undefined : total, resultsFile, markdownFile);
}

/** Both files, formatted as the repository's Prettier settings would, so `prettier --check` passes. */
async function writeReport(
  results: Results,
  total: number | undefined,
  resultsFile: string,
  markdownFile: string,
): Promise<void> {
  mkdirSync(join(resultsFile, ".."), { recursive: true });
  const config = (await resolveConfig(join(ROOT, "BENCHMARKS.md"))) ?? {};
  writeFileSync(resultsFile, await format(JSON.stringify(results), { ...config, parser: "json" }));
  writeFileSync(markdownFile, await format(markdown(results, total), { ...config, parser: "markdown" }));
  console.log(`wrote ${resultsFile} and ${markdownFile}`);
}

/** `--report`: BENCHMARKS.md from the results as they are, e.g. after two branches' runs were merged. */
async function report(out: string | undefined): Promise<void> {
  const resultsFile = out ? join(out, "results.json") : join(ROOT, "bench", "results.json");
  const results = readResults(resultsFile);
  if (!results) throw new Error(`no results in ${resultsFile}: run a scenario first`);
  await writeReport(results, undefined, resultsFile, out ? join(out, "BENCHMARKS.md") : join(ROOT, "BENCHMARKS.md"));
}

async function loadScenarios(file: string): Promise<Scenario[]> {
  const module = (await import(resolve(file))) as { scenarios?: Scenario[] };
  if (!Array.isArray(module.scenarios)) throw new Error(`${file} exports no \`scenarios\` array`);
  return module.scenarios;
}

function readResults(file: string): Results | undefined {
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, "utf8")) as Results;
  } catch {
    return undefined;
  }
}

main().then(
  // Sockets and timers of the scenarios are closed, but a library may keep a handle: leave anyway.
  () => process.exit(process.exitCode ?? 0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);

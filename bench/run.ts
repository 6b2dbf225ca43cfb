// `npm run bench [-- <scenario>… ] [--quick] [--out <dir>]`: runs the benchmark scenarios,
// prints a table, and writes bench/results.json and BENCHMARKS.md (in `--out` when given).
// A run of some scenarios keeps the others' earlier results in both files. `--quick` runs
// small sizes to check the harness (the smoke test) and writes nothing unless `--out` is given.

import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { format, resolveConfig } from "prettier";
import { markdown, machine, textTable } from "./lib/report";
import type { Results, ScenarioResult } from "./lib/results";
import { ROOT } from "./lib/node";
import { requireDist } from "../test/support/relayProcess";
import type { RunContext, Scenario, ScenarioOutput } from "./lib/scenario";
import { now } from "./lib/stats";
import { scenarios } from "./scenarios/index";

const USAGE = `Usage: npm run bench [-- [scenario…] [--quick] [--out <dir>]]

Scenarios: ${scenarios.map((s) => s.id).join(", ")} (default: all, in this order)
  --quick       small sizes, to check that the harness works; writes nothing without --out
  --out <dir>   write results.json and BENCHMARKS.md into <dir> instead of bench/ and the root
`;

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { quick: { type: "boolean", default: false }, out: { type: "string" }, help: { type: "boolean", short: "h" } },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return;
  }
  const unknown = positionals.filter((p) => !scenarios.some((s) => s.id === p));
  if (unknown.length) {
    process.stderr.write(`unknown scenario ${unknown.join(", ")}\n\n${USAGE}`);
    process.exit(2);
  }
  requireDist();
  const chosen = positionals.length ? scenarios.filter((s) => positionals.includes(s.id)) : scenarios;
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
  if (!write) return;
  // Scenarios keep their place in the suite's order; those not run now keep their earlier results.
  const merged: Results = {
    machine: runMachine,
    updatedAt: new Date().toISOString(),
    scenarios: scenarios.flatMap((s) => results.get(s.id) ?? []),
  };
  mkdirSync(join(resultsFile, ".."), { recursive: true });
  // Both files are formatted as the repository's Prettier settings would, so `prettier --check` passes.
  const config = (await resolveConfig(join(ROOT, "BENCHMARKS.md"))) ?? {};
  writeFileSync(resultsFile, await format(JSON.stringify(merged), { ...config, parser: "json" }));
  const md = markdown(merged, positionals.length ? undefined : total);
  writeFileSync(markdownFile, await format(md, { ...config, parser: "markdown" }));
  console.log(`wrote ${resultsFile} and ${markdownFile}`);
  if (ran.some((r) => r.error)) process.exitCode = 1;
}

function readResults(file: string): Results | undefined {
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, "utf8")) as Results;
  } catch {
    return undefined;
  }
}

async function runScenario(scenario: Scenario, quick: boolean, results: Map<string, ScenarioResult>): Promise<ScenarioResult> {
  const tmp = mkdtempSync(join(tmpdir(), `tether-bench-${scenario.id}-`));
  const ctx: RunContext = {
    quick,
    tmp,
    results,
    log: (line) => console.log(`  [${scenario.id}] ${line}`),
  };
  const out: ScenarioOutput = { params: {}, figures: [], notes: [] };
  console.log(`\n${scenario.title} (${scenario.id})`);
  const at = new Date().toISOString();
  const t0 = now();
  let error: string | undefined;
  try {
    await scenario.run(ctx, out);
  } catch (err) {
    error = (err as Error).message.split("\n")[0]!.slice(0, 500);
    console.error(`  [${scenario.id}] failed: ${(err as Error).stack ?? error}`);
  } finally {
    rmSync(tmp, { recursive: true, force: true, maxRetries: 3 });
  }
  const durationMs = now() - t0;
  console.log(`  [${scenario.id}] ${Math.round(durationMs / 1000)} s`);
  return {
    id: scenario.id,
    title: scenario.title,
    at,
    quick,
    durationMs: Math.round(durationMs),
    ...out,
    ...(error ? { error } : {}),
  };
}

main().then(
  // Sockets and timers of the scenarios are closed, but a library may keep a handle: leave anyway.
  () => process.exit(process.exitCode ?? 0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);

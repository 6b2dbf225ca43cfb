// Runs one scenario in a temporary folder of its own and turns what it measured into its
// result: figures it filled in before failing are kept, and so are the failed parts' reasons.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { part } from "./part";
import type { ScenarioResult } from "./results";
import type { RunContext, Scenario, ScenarioOutput } from "./scenario";
import { now } from "./stats";

/** Longest reason kept for a scenario that threw: the first lines say what and why. */
const REASON_CHARS = 2000;

export async function runScenario(
  scenario: Scenario,
  quick: boolean,
  results: Map<string, ScenarioResult>,
  print: { log(line: string): void; error(line: string): void } = console,
): Promise<ScenarioResult> {
  const tmp = mkdtempSync(join(tmpdir(), `tether-bench-${scenario.id}-`));
  const out: ScenarioOutput = { params: {}, figures: [], notes: [] };
  const log = (line: string): void => print.log(`  [${scenario.id}] ${line}`);
  const ctx: RunContext = { quick, tmp, results, log, part: (name, fn) => part(out, name, fn, log) };
  print.log(`\n${scenario.title} (${scenario.id})`);
  const at = new Date().toISOString();
  const t0 = now();
  let error: string | undefined;
  try {
    await scenario.run(ctx, out);
  } catch (err) {
    error = ((err as Error).message || String(err)).trim().slice(0, REASON_CHARS);
    print.error(`  [${scenario.id}] failed: ${(err as Error).stack ?? error}`);
  } finally {
    rmSync(tmp, { recursive: true, force: true, maxRetries: 3 });
  }
  const durationMs = now() - t0;
  print.log(`  [${scenario.id}] ${Math.round(durationMs / 1000)} s`);
  return {
    id: scenario.id,
    title: scenario.title,
    at,
    quick,
    durationMs: Math.round(durationMs),
    params: out.params,
    figures: out.figures,
    notes: out.notes,
    ...(out.failed?.length ? { failed: out.failed } : {}),
    ...(error ? { error } : {}),
  };
}

/** A scenario that threw, or one of whose parts failed. */
export function hasFailed(result: ScenarioResult): boolean {
  return Boolean(result.error) || Boolean(result.failed?.length);
}

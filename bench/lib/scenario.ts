// What every scenario gets and gives back.

import type { Figure, ScenarioResult } from "./results";

export { Cleanup } from "../../test/support/cleanup";

export interface RunContext {
  /** Small sizes, for checking that the harness works (the smoke test); figures are not comparable. */
  quick: boolean;
  /** A temporary folder of this scenario's own, removed after it. */
  tmp: string;
  /** Progress for the person watching; not part of the results. */
  log(line: string): void;
  /** Results of this run so far, and of earlier runs (from results.json) for scenarios not run now. */
  results: Map<string, ScenarioResult>;
  /**
   * Runs one part of the scenario (SQLite, the floor, Redis…): its failure is reported with
   * why and the scenario goes on, so the other parts keep their figures. Undefined if it failed.
   */
  part<T>(name: string, fn: () => Promise<T>): Promise<T | undefined>;
}

export interface ScenarioOutput {
  params: ScenarioResult["params"];
  figures: Figure[];
  notes: string[];
  /** Parts that failed (see `part`), each with why; the scenario's other figures stand. */
  failed?: ScenarioResult["failed"];
}

export interface Scenario {
  id: string;
  title: string;
  /** Fills `out` as it goes, so a scenario that fails part way still reports what it measured. */
  run(ctx: RunContext, out: ScenarioOutput): Promise<void>;
}

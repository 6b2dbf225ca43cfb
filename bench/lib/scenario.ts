// What every scenario gets and gives back.

import type { Figure, ScenarioResult } from "./results";

export interface RunContext {
  /** Small sizes, for checking that the harness works (the smoke test); figures are not comparable. */
  quick: boolean;
  /** A temporary folder of this scenario's own, removed after it. */
  tmp: string;
  /** Progress for the person watching; not part of the results. */
  log(line: string): void;
  /** Results of this run so far, and of earlier runs (from results.json) for scenarios not run now. */
  results: Map<string, ScenarioResult>;
}

export interface ScenarioOutput {
  params: ScenarioResult["params"];
  figures: Figure[];
  notes: string[];
}

export interface Scenario {
  id: string;
  title: string;
  /** Fills `out` as it goes, so a scenario that fails part way still reports what it measured. */
  run(ctx: RunContext, out: ScenarioOutput): Promise<void>;
}

/** Runs cleanups in reverse order, each once, never throwing. */
export class Cleanup {
  private readonly steps: (() => unknown)[] = [];

  add<T>(thing: T, close: (thing: T) => unknown): T {
    this.steps.push(() => close(thing));
    return thing;
  }

  async run(): Promise<void> {
    while (this.steps.length) {
      try {
        await this.steps.pop()!();
      } catch {
        // best effort: the next step still runs
      }
    }
  }
}

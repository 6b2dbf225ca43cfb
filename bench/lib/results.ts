// What a benchmark run produces: figures with their goals and floors, grouped by scenario.
// `bench/results.json` holds these as JSON; BENCHMARKS.md and the printed table are made from it.

/** A goal a figure is held to: at most (`<=`) or at least (`>=`) `value`, in the figure's unit. */
export interface Goal {
  op: "<=" | ">=";
  value: number;
}

export type Verdict = "met" | "missed" | "info" | "n/a";

export interface Figure {
  /** Stable key within its scenario, e.g. `p50`. */
  id: string;
  label: string;
  /** Null when the figure could not be measured on this machine or build (see `note`). */
  value: number | null;
  unit: string;
  goal?: Goal;
  /** The same message pattern over a bare `ws` server: no auth, storage or crypto. */
  floor?: number | null;
  /**
   * Tether's overhead against the floor, ≥ 1 when Tether costs more: Tether ÷ floor for times and
   * sizes, floor ÷ Tether for rates.
   */
  ratio?: number | null;
  verdict: Verdict;
  note?: string;
}

export interface ScenarioResult {
  id: string;
  title: string;
  /** ISO time the scenario ran. */
  at: string;
  quick: boolean;
  durationMs: number;
  /** Sizes and counts the scenario ran with. */
  params: Record<string, number | string | boolean>;
  figures: Figure[];
  /** What was measured to explain a missed goal, and anything else a reader needs. */
  notes: string[];
  /** Set when the scenario failed to run; its figures are whatever it measured before. */
  error?: string;
  /** Parts of the scenario that failed, with why; the figures of its other parts are kept. */
  failed?: { part: string; error: string }[];
}

export interface Machine {
  cpu: string;
  cores: number;
  memoryGb: number;
  os: string;
  node: string;
  /** 1-minute load average when the run started: this machine may be shared. */
  loadAverage: number;
  fdLimit: string;
}

export interface Results {
  machine: Machine;
  /** ISO time of the latest run that wrote this file. */
  updatedAt: string;
  scenarios: ScenarioResult[];
}

/** "Higher is better" units: their ratio is floor ÷ Tether and their goals are minimums. */
export function isRate(unit: string): boolean {
  return unit.endsWith("/s");
}

/** A figure with its verdict and ratio worked out from value, goal and floor. */
export function figure(f: Omit<Figure, "verdict" | "ratio"> & { verdict?: Verdict }): Figure {
  let ratio: number | null | undefined;
  if (f.floor !== undefined) {
    ratio = f.value !== null && f.floor !== null && f.value > 0 && f.floor > 0 ? overhead(f.value, f.floor, f.unit) : null;
  }
  let verdict: Verdict = f.verdict ?? "info";
  if (!f.verdict && f.goal) {
    if (f.value === null) verdict = "n/a";
    else verdict = (f.goal.op === "<=" ? f.value <= f.goal.value : f.value >= f.goal.value) ? "met" : "missed";
  }
  return { ...f, ...(ratio !== undefined ? { ratio } : {}), verdict };
}

function overhead(value: number, floor: number, unit: string): number {
  return isRate(unit) ? floor / value : value / floor;
}

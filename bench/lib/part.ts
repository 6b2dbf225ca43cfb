// A scenario measures several things (SQLite, then the floor, then Redis…); one of them failing
// must not cost the others their figures. `part` runs one, keeps what it gives, and records a
// failure with its reason in the scenario's output instead of ending the scenario.

import type { ScenarioOutput } from "./scenario";

/** Longest reason kept: enough for a relay's last stderr lines, not a whole log. */
const REASON_CHARS = 2000;

/**
 * Runs one part of a scenario. Resolves with what `fn` returned, or with undefined when it
 * threw: the failure is then in `out.failed` (and the run reports the scenario as failed),
 * and the scenario goes on to its next part.
 */
export async function part<T>(
  out: ScenarioOutput,
  name: string,
  fn: () => Promise<T>,
  log: (line: string) => void = () => {},
): Promise<T | undefined> {
  try {
    return await fn();
  } catch (err) {
    const reason = ((err as Error).message || String(err)).trim().slice(0, REASON_CHARS);
    (out.failed ??= []).push({ part: name, error: reason });
    log(`part "${name}" failed: ${reason}`);
    return undefined;
  }
}

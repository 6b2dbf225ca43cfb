// What the policy answers, and how the answers for the parts of a command line combine: the
// strictest part decides, and its rule is the one reported.

export type Decision = "allow" | "ask" | "deny";

export interface Verdict {
  decision: Decision;
  /** What decided: `mode ask: commands ask`, `allow rule "npm test"`, `built-in: pipes a download into a shell`… */
  rule: string;
  /** A plain sentence for a phone screen. */
  reason: string;
  /**
   * An ask no blanket approval lifts ("approve every edit in this thread"): writes into a
   * protected place such as .git/ or .vscode/. Only approving this very request, or this
   * exact command, lets it through.
   */
  sticky?: true;
}

const RANK: Record<Decision, number> = { allow: 0, ask: 1, deny: 2 };

export function verdict(decision: Decision, rule: string, reason: string): Verdict {
  return { decision, rule, reason };
}

/** A command that runs no program (`X=1`, a `for` header): allowed, and the least telling answer. */
export const NO_PROGRAM = verdict("allow", "no program", "It runs no program; it only sets shell variables.");

/**
 * The strictest verdict (deny > ask > allow), or undefined for none. Among equals the most telling
 * is reported: a specific rule or check before the mode's general answer, before `NO_PROGRAM`; then
 * the first. So `cd ~/.ssh && git show > keys` reports the write outside, not "commands ask".
 */
export function strictest(verdicts: readonly (Verdict | undefined)[]): Verdict | undefined {
  let best: Verdict | undefined;
  for (const candidate of verdicts) {
    if (candidate && (!best || weight(candidate) > weight(best))) best = candidate;
  }
  return best;
}

function weight(candidate: Verdict): number {
  // A sticky ask is reported before other asks, so a line that also writes into .git/ keeps its stickiness.
  const specificity = candidate === NO_PROGRAM ? 0 : candidate.rule.startsWith("mode ") ? 1 : candidate.sticky ? 3 : 2;
  return RANK[candidate.decision] * 4 + specificity;
}

/** A denial from the built-in list, which no mode and no allow rule lifts. */
export function builtIn(label: string, reason: string): Verdict {
  return verdict("deny", `built-in: ${label}`, `${reason} Never allowed, in any mode.`);
}

/** An ask that no mode and no allow rule lifts, because the answer cannot be known before the command runs. */
export function unanalysable(why: string): Verdict {
  return verdict("ask", "cannot be analysed", `This command line could not be checked: ${why}.`);
}

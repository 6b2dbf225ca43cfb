// The gate's secret step, after the policy has judged: a key, token or private key about to be
// written or put on a command line turns the verdict into an ask with the findings in its words,
// whatever the mode or the approvals standing for the task. A deny stays a deny.

import { MAX_WHY_CHARS } from "#protocol";
import type { Verdict } from "../agent/policy/verdict";
import { scanSecrets, type SecretFinding } from "./scanSecrets";
import { newFindings } from "./secretFindings";

/** The rule an approval asked for secrets reports. */
export const SECRET_RULE = "secret scan";

/** Findings that make a call ask, and why in words. */
export interface SecretAsk {
  findings: SecretFinding[];
  why: string;
}

/** The findings an edit adds to `path` (those already in `before` do not count). */
export async function editSecrets(path: string, before: string | null, after: string | null): Promise<SecretAsk | undefined> {
  if (after === null) return undefined;
  const findings = newFindings((await scanSecrets(after, path)).findings, after, before);
  if (findings.length === 0) return undefined;
  return { findings, why: clip(`Secret scan: this edit would write ${listed(findings)} to ${path}.`) };
}

/** The findings in a command line (a token passed on it, a key echoed into a file). */
export async function commandSecrets(command: string): Promise<SecretAsk | undefined> {
  const { findings } = await scanSecrets(command, "command line");
  if (findings.length === 0) return undefined;
  return { findings, why: clip(`Secret scan: this command contains ${listed(findings)}.`) };
}

/**
 * The verdict once the secrets are taken into account: an ask no standing approval lifts
 * (`sticky`), unless the policy denied the call anyway.
 */
export function withSecrets(verdict: Verdict, secrets: SecretAsk | undefined): Verdict {
  if (!secrets || verdict.decision === "deny") return verdict;
  return { decision: "ask", rule: SECRET_RULE, reason: secrets.why, sticky: true };
}

/** "a GitHub token (ghp_…, 40 characters) on line 2", or a count and the first few. */
function listed(findings: readonly SecretFinding[]): string {
  const one = (f: SecretFinding): string => `${f.kind} on line ${f.line} (${f.excerpt})`;
  if (findings.length === 1) return `${/^[AEIOU]/i.test(findings[0]!.kind) ? "an" : "a"} ${one(findings[0]!)}`;
  return `${findings.length} possible secrets: ${findings.slice(0, 4).map(one).join("; ")}${findings.length > 4 ? "; …" : ""}`;
}

function clip(text: string): string {
  return text.length > MAX_WHY_CHARS ? `${text.slice(0, MAX_WHY_CHARS - 1)}…` : text;
}

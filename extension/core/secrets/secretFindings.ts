// What is done with findings once the scanner has them: put in words for a person (the approval,
// the commit refusal, the thread), told apart from what was already there, and cut out of text.

import type { SecretFinding } from "./scanSecrets";

/** Listed one by one up to this many; the rest are counted. */
const MAX_LISTED = 5;

/** "GitHub token in src/deploy.ts line 2: ghp_…, 40 characters". */
export function findingLine(finding: SecretFinding, where: string): string {
  return `${finding.kind} in ${where} line ${finding.line}: ${finding.excerpt}`;
}

/** Findings in words, one a line, the first few then a count of the rest. */
export function findingLines(findings: readonly { finding: SecretFinding; where: string }[]): string {
  const lines = findings.slice(0, MAX_LISTED).map(({ finding, where }) => `- ${findingLine(finding, where)}`);
  if (findings.length > MAX_LISTED) lines.push(`- and ${findings.length - MAX_LISTED} more`);
  return lines.join("\n");
}

/**
 * Findings in `after` whose secret is not in `before`: an edit near a key that was already in the
 * file is not the agent writing it (and asking each time would teach people to click through).
 */
export function newFindings(findings: readonly SecretFinding[], after: string, before: string | null): SecretFinding[] {
  if (before === null) return [...findings];
  return findings.filter((f) => !before.includes(after.slice(f.start, f.end)));
}

/** `text` with each finding's secret replaced by a marker that names its kind. */
export function redact(text: string, findings: readonly SecretFinding[]): string {
  let out = "";
  let at = 0;
  for (const f of [...findings].sort((a, b) => a.start - b.start)) {
    if (f.start < at) continue; // overlapping findings: the first already took it out
    out += `${text.slice(at, f.start)}[secret redacted: ${f.kind}]`;
    at = f.end;
  }
  return out + text.slice(at);
}

// What a tool gives back goes to the model, a service outside this computer: a key found in it
// is replaced by a marker first, and the note the result carries says what was taken out and
// where, so the person reading the thread and the model both know.
//
// Redacted rather than asked about: reads run unasked in every mode, and a person asked each time
// the agent opens a config file would learn to click through; the model seldom needs the key's
// value to do its work, and the marker tells it one was there if it does.

import { scanSecrets, type SecretFinding } from "./scanSecrets";
import { redact } from "./secretFindings";

export interface Screened {
  output: string;
  /** "secret scan: GitHub token in src/deploy.ts line 2, redacted before it was sent to the model". */
  note?: string;
}

/**
 * `output` with its secrets redacted; `where` names what it came from (a file, a command), and
 * `firstLine` the line of it the output starts at.
 */
export async function screenForModel(output: string, where: string, firstLine = 1): Promise<Screened> {
  const { findings } = await scanSecrets(output, where);
  if (findings.length === 0) return { output };
  const found = findings.map((f) => `${f.kind} in ${placeOf(output, f, where, firstLine)}`);
  const shown = found.length > 3 ? [...found.slice(0, 3), `${found.length - 3} more`] : found;
  return {
    output: redact(output, findings),
    note: `secret scan: ${shown.join(", ")}, redacted before it was sent to the model`,
  };
}

/**
 * "src/a.ts line 12": the file's own line where read_file numbered its lines (`  12│text`) or
 * search named them (`src/a.ts:12: text`), else the line of the output.
 */
function placeOf(output: string, finding: SecretFinding, where: string, firstLine: number): string {
  const lineStart = output.lastIndexOf("\n", finding.start - 1) + 1;
  const head = output.slice(lineStart, Math.min(lineStart + 300, finding.start));
  const numbered = /^\s*(\d+)│/.exec(head);
  if (numbered) return `${where} line ${numbered[1]}`;
  const searched = /^([^\s:][^:]*):(\d+): /.exec(head);
  if (searched) return `${searched[1]} line ${searched[2]}`;
  return `${where} line ${finding.line + firstLine - 1}`;
}

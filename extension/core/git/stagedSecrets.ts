// What a commit from the phone would add, scanned for secrets before it is made: the added lines
// of the staged diff, file by file, each finding on the file's own line. Lines the commit only
// keeps (context, unchanged files) are not its doing, and are not scanned.

import { scanSecrets, type SecretFinding } from "../secrets/scanSecrets";
import { git } from "./run";

/** A finding in a staged file, `line` being the file's line in the index. */
export interface StagedFinding {
  path: string;
  finding: SecretFinding;
}

export interface StagedScan {
  findings: StagedFinding[];
  /** Said when part of what is staged was not scanned. */
  note?: string;
}

/** The staged diff is read up to this size; past it the rest is not scanned, and the note says so. */
const MAX_DIFF_BYTES = 32 * 1024 * 1024;

interface Added {
  path: string;
  lines: { line: number; text: string }[];
}

export async function stagedSecrets(dir: string): Promise<StagedScan> {
  // Against the empty tree when there is no commit yet: `--cached` alone compares with it then.
  const diff = await git(
    dir,
    ["diff", "--cached", "-U0", "--no-color", "--no-ext-diff", "--no-textconv", "--src-prefix=a/", "--dst-prefix=b/"],
    { maxBytes: MAX_DIFF_BYTES },
  );
  const findings: StagedFinding[] = [];
  for (const file of addedLines(diff.stdout)) {
    const { findings: found } = await scanSecrets(file.lines.map((l) => l.text).join("\n"), file.path);
    for (const f of found) findings.push({ path: file.path, finding: { ...f, line: file.lines[f.line - 1]?.line ?? f.line } });
  }
  return diff.truncated
    ? { findings, note: "the staged changes are over 32 MB; only their first part was scanned" }
    : { findings };
}

/** The added lines of a `-U0` diff, by file, with their line numbers in the new version. */
function addedLines(diff: string): Added[] {
  const files: Added[] = [];
  let file: Added | undefined;
  let inHeader = false;
  let next = 0;
  for (const line of diff.split("\n")) {
    if (line.startsWith("diff --git ")) {
      inHeader = true;
      file = undefined;
    } else if (inHeader && line.startsWith("+++ ")) {
      const path = unquote(line.slice(4));
      file = path === "/dev/null" ? undefined : { path: path.replace(/^b\//, ""), lines: [] };
      if (file) files.push(file);
    } else if (line.startsWith("@@")) {
      inHeader = false;
      next = Number(/\+(\d+)/.exec(line)?.[1] ?? "1");
    } else if (!inHeader && file && line.startsWith("+")) {
      file.lines.push({ line: next++, text: line.slice(1) });
    }
  }
  return files.filter((f) => f.lines.length > 0);
}

/** A path git quoted (it has a quote, a backslash or a control character in it). */
function unquote(path: string): string {
  if (!path.startsWith('"')) return path;
  try {
    return JSON.parse(path) as string;
  } catch {
    return path.slice(1, -1);
  }
}

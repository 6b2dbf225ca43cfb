// The Changes view's list, worked out from `git-changes` alone (no diffs), so its first screen is
// one call away: files grouped as editors group them, Staged then Not staged, a file with both
// kinds of change in both groups. Pure, for the tests.

import type { ChangedFileInfo } from "#protocol";

export type ChangeSide = "staged" | "unstaged";

export interface ChangeRow {
  /** Unique in the list: the side and the path. */
  key: string;
  side: ChangeSide;
  file: ChangedFileInfo;
}

export interface ChangeGroups {
  staged: ChangeRow[];
  unstaged: ChangeRow[];
  /** Paths with something not staged yet: what "Stage all" stages. */
  toStage: string[];
  /** Distinct changed files, whichever side. */
  count: number;
}

const byPath = (a: ChangedFileInfo, b: ChangedFileInfo): number => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);

export function groupChanges(files: readonly ChangedFileInfo[]): ChangeGroups {
  const sorted = [...files].sort(byPath);
  const staged: ChangeRow[] = [];
  const unstaged: ChangeRow[] = [];
  for (const file of sorted) {
    if (file.staged) staged.push({ key: `s:${file.path}`, side: "staged", file });
    // An untracked file counts as not staged even where a host leaves the flag off.
    if (file.unstaged || file.kind === "untracked") unstaged.push({ key: `u:${file.path}`, side: "unstaged", file });
  }
  return { staged, unstaged, toStage: unstaged.map((r) => r.file.path), count: sorted.length };
}

/** A diff split at its hunks: the file header (`diff --git`, `---`, `+++`) and each `@@` hunk. */
export interface SplitDiff {
  header: string;
  hunks: string[];
}

export function splitHunks(diff: string): SplitDiff {
  const lines = diff.split("\n");
  const first = lines.findIndex((l) => l.startsWith("@@"));
  if (first < 0) return { header: diff, hunks: [] };
  const header = lines.slice(0, first).join("\n");
  const hunks: string[] = [];
  let current: string[] = [];
  for (const line of lines.slice(first)) {
    if (line.startsWith("@@") && current.length > 0) {
      hunks.push(current.join("\n"));
      current = [];
    }
    current.push(line);
  }
  // A trailing newline leaves an empty last line that belongs to no hunk.
  while (current.length > 1 && current[current.length - 1] === "") current.pop();
  hunks.push(current.join("\n"));
  return { header, hunks };
}

/** One hunk as a diff of its own, with the file's header, for the diff view. */
export const hunkDiff = (split: SplitDiff, index: number): string => `${split.header}\n${split.hunks[index] ?? ""}\n`;

// Unified diffs of the agent's file changes, for approval cards and file-change events.

import { structuredPatch } from "diff";

/** Largest diff carried in one event; a bigger one is cut with a note. */
export const MAX_DIFF_CHARS = 200_000;

export interface FileDiff {
  diff: string;
  added: number;
  removed: number;
  truncated: boolean;
}

/** A git-style unified diff of one file; `null` content means the file does not exist. */
export function unifiedDiff(path: string, before: string | null, after: string | null): FileDiff {
  const patch = structuredPatch(
    before === null ? "/dev/null" : `a/${path}`,
    after === null ? "/dev/null" : `b/${path}`,
    before ?? "",
    after ?? "",
    undefined,
    undefined,
    { context: 3 },
  );
  const lines = [`--- ${patch.oldFileName}`, `+++ ${patch.newFileName}`];
  let added = 0;
  let removed = 0;
  for (const hunk of patch.hunks) {
    lines.push(`@@ -${hunk.oldStart},${hunk.oldLines} +${hunk.newStart},${hunk.newLines} @@`);
    for (const line of hunk.lines) {
      if (line.startsWith("+")) added++;
      else if (line.startsWith("-")) removed++;
      lines.push(line);
    }
  }
  let diff = lines.join("\n") + "\n";
  let truncated = false;
  if (diff.length > MAX_DIFF_CHARS) {
    const cut = diff.lastIndexOf("\n", MAX_DIFF_CHARS);
    diff = diff.slice(0, cut + 1) + `… diff cut at ${MAX_DIFF_CHARS.toLocaleString("en")} characters\n`;
    truncated = true;
  }
  return { diff, added, removed, truncated };
}

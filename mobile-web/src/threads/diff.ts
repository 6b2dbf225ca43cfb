// What a diff view needs to know before it renders anything: how big the change is, and so
// whether it starts collapsed. Pure, for the tests.

/** Diffs with more changed lines than this start collapsed behind a "Show diff" button. */
export const DIFF_COLLAPSE_LINES = 400;

/** Lines added and removed in a unified diff (file headers `---`/`+++` are not changes). */
export function diffStats(diff: string): { added: number; removed: number } {
  let added = 0;
  let removed = 0;
  let inHunk = false;
  for (const line of diff.split("\n")) {
    if (line.startsWith("@@")) inHunk = true;
    else if (!inHunk && (line.startsWith("--- ") || line.startsWith("+++ "))) continue;
    else if (line.startsWith("diff ")) inHunk = false;
    else if (line.startsWith("+")) added++;
    else if (line.startsWith("-")) removed++;
  }
  return { added, removed };
}

/** "+812 −40", with a real minus sign. */
export function changeWords(added: number, removed: number): string {
  return `+${added} \u2212${removed}`;
}

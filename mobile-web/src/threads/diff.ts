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

/** Diffs with more lines than this are drawn a window at a time instead of by diff2html. */
export const DIFF_WINDOW_LINES = 1_000;

/** Lines in a diff's text, as a cheap size check before deciding how to draw it. */
export function diffLineCount(diff: string): number {
  let n = diff.endsWith("\n") || diff === "" ? 0 : 1;
  for (let at = diff.indexOf("\n"); at >= 0; at = diff.indexOf("\n", at + 1)) n++;
  return n;
}

/**
 * Screen lines a diff line takes when it wraps at `cols` characters of a monospace font, every
 * character a place to break (CSS `word-break: break-all; white-space: break-spaces`), tabs
 * going to the next multiple of 4. Exact for such text; a row drawn otherwise is measured.
 */
export function wrappedLines(text: string, cols: number): number {
  let width = text.length;
  if (text.includes("\t")) {
    width = 0;
    for (let i = 0; i < text.length; i++) width += text.charCodeAt(i) === 9 ? 4 - (width % 4) : 1;
  }
  return Math.max(1, Math.ceil(width / Math.max(1, cols)));
}

export type DiffRowKind = "file" | "hunk" | "add" | "del" | "ctx" | "info";

/** One drawn line of a diff, with its numbers in the old and the new file. */
export interface DiffRow {
  kind: DiffRowKind;
  text: string;
  old: number | null;
  new: number | null;
}

const HUNK = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/;

/**
 * A unified diff as rows for a line-by-line view, numbered as diff2html numbers them. A file's
 * header lines (`diff`, `index`, `---`, `+++`) become one `file` row with its path, shown only
 * when the diff spans several files (the card around a diff of one already names it). Inside a
 * hunk its counts decide where it ends, so a removed line that starts with `--` stays a line.
 */
export function diffRows(diff: string): { rows: DiffRow[]; widest: number; digits: number } {
  const rows: DiffRow[] = [];
  let files = 0;
  let oldNo = 0;
  let newNo = 0;
  let oldLeft = 0;
  let newLeft = 0;
  let widest = 0;
  let top = 1;
  const lines = diff.split("\n");
  if (lines.at(-1) === "") lines.pop();
  for (const line of lines) {
    const inHunk = oldLeft > 0 || newLeft > 0;
    let row: DiffRow;
    if (inHunk && line.startsWith("+")) {
      row = { kind: "add", text: line, old: null, new: newNo++ };
      newLeft--;
    } else if (inHunk && line.startsWith("-")) {
      row = { kind: "del", text: line, old: oldNo++, new: null };
      oldLeft--;
    } else if (line.startsWith("\\")) {
      row = { kind: "info", text: line, old: null, new: null };
    } else if (inHunk && (line.startsWith(" ") || line === "")) {
      row = { kind: "ctx", text: line, old: oldNo++, new: newNo++ };
      oldLeft--;
      newLeft--;
    } else {
      const hunk = HUNK.exec(line);
      if (hunk) {
        oldNo = Number(hunk[1]);
        newNo = Number(hunk[3]);
        oldLeft = hunk[2] === undefined ? 1 : Number(hunk[2]);
        newLeft = hunk[4] === undefined ? 1 : Number(hunk[4]);
        row = { kind: "hunk", text: line, old: null, new: null };
      } else if (line.startsWith("+++ ")) {
        files++;
        row = { kind: "file", text: line.slice(4).replace(/^b\//, ""), old: null, new: null };
      } else continue;
    }
    widest = Math.max(widest, row.text.length);
    top = Math.max(top, row.old ?? 0, row.new ?? 0);
    rows.push(row);
  }
  const digits = String(top).length;
  return { rows: files > 1 ? rows : rows.filter((r) => r.kind !== "file"), widest, digits };
}

// `@file` mentions in the editor's sidebar composer, as in Cline and Copilot Chat: typing `@`
// offers the workspace's files by name, the chosen one is written into the task as `@path`, and
// the extension puts that file's content beside the task when it starts (extension/vscode/mentions.ts).
// A selection attached with "Ask Tether about this" goes into the text as a quoted block.
// Pure, so mocha reaches it; the extension uses `mentionedPaths` too, so both read one syntax.

import type { ContextItem } from "#protocol/panel";

/** The `@…` being typed: where its `@` is, and what follows it up to the caret. */
export interface MentionQuery {
  start: number;
  query: string;
}

/** At most this many files are offered at once. */
export const MAX_OFFERED = 12;

// A mention starts the text or follows a space or an opening bracket, so e-mail addresses
// (me@example.com) and decorators in pasted code (`x @y`) are not taken for one by accident
// unless they stand alone.
const BEFORE = /[\s([{"'`]/;

/** The mention the caret is in, or null: `@` then non-space characters up to the caret. */
export function mentionAt(text: string, caret: number): MentionQuery | null {
  for (let i = caret - 1; i >= 0; i--) {
    const c = text[i]!;
    if (/\s/.test(c)) return null;
    if (c === "@") {
      if (i > 0 && !BEFORE.test(text[i - 1]!)) return null;
      const query = text.slice(i + 1, caret);
      return query.includes("@") ? null : { start: i, query };
    }
  }
  return null;
}

/** Replaces the mention at `caret` (and the rest of its word) with `@path `; answers the new text and caret. */
export function insertMention(text: string, mention: MentionQuery, caret: number, path: string): { text: string; caret: number } {
  let end = caret;
  while (end < text.length && !/\s/.test(text[end]!)) end++;
  const inserted = `@${path} `;
  const after = text.slice(end).replace(/^ /, "");
  return { text: text.slice(0, mention.start) + inserted + after, caret: mention.start + inserted.length };
}

const baseName = (path: string): string => path.slice(path.lastIndexOf("/") + 1);

/** Whether the letters of `query` appear in `path` in order (an abbreviation such as `sdts` for src/date.test.ts). */
function inOrder(path: string, query: string): boolean {
  let at = 0;
  for (const c of path) if (c === query[at]) at++;
  return at === query.length;
}

/**
 * The files to offer for `query`, best first: a name that starts with it, then a name that
 * holds it, then a path that holds it, then a path with its letters in order; shorter paths
 * first within each. Case does not matter.
 */
export function rankFiles(paths: readonly string[], query: string, limit = MAX_OFFERED): string[] {
  const q = query.toLowerCase();
  const scored: { path: string; score: number }[] = [];
  for (const path of paths) {
    const lower = path.toLowerCase();
    const name = baseName(lower);
    const score = name.startsWith(q) ? 0 : name.includes(q) ? 1 : lower.includes(q) ? 2 : inOrder(lower, q) ? 3 : -1;
    if (score >= 0) scored.push({ path, score });
  }
  scored.sort((a, b) => a.score - b.score || a.path.length - b.path.length || a.path.localeCompare(b.path));
  return scored.slice(0, limit).map((s) => s.path);
}

/** A fence longer than any run of backticks in `text`, so the quoted text cannot close it. */
function fenceFor(text: string): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  return "`".repeat(longest + 1);
}

/** How a selection is named: `src/a.ts, lines 3–7` (or `line 3`). */
export function describeItem(item: ContextItem): string {
  if (item.startLine === undefined) return item.path;
  const end = item.endLine ?? item.startLine;
  return end === item.startLine ? `${item.path}, line ${item.startLine}` : `${item.path}, lines ${item.startLine}–${end}`;
}

/** The task's text with the attached selections after it, each quoted with where it comes from. */
export function withContext(text: string, items: readonly ContextItem[]): string {
  const blocks = items
    .filter((item) => item.text !== undefined)
    .map((item) => {
      const fence = fenceFor(item.text!);
      return `Selected in ${describeItem(item)}:\n${fence}\n${item.text!.replace(/\n$/, "")}\n${fence}`;
    });
  return blocks.length ? `${text}\n\n${blocks.join("\n\n")}` : text;
}

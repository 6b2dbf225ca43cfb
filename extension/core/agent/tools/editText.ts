// Exact text replacement for edit_file, and the errors that help a model fix a miss: where the
// text nearly matches, whether only whitespace differs, where an ambiguous text occurs.

import { ErrorCode, TetherError } from "#protocol";
import { formatCount, lineRange, numberLines, splitLines } from "./format";

const MAX_LISTED = 10;
const MAX_SHOWN_LINES = 20;
/** Below this the "closest" text is too unlike to be worth showing. */
const MIN_SIMILARITY = 0.5;

export interface ReplaceRequest {
  path: string;
  content: string;
  oldText: string;
  newText: string;
  replaceAll: boolean;
}

/** The new content. Throws a `TetherError` that says how to fix the request when it cannot apply. */
export function replaceText({ path, content, oldText, newText, replaceAll }: ReplaceRequest): string {
  if (oldText === "") {
    throw new TetherError(
      ErrorCode.BadRequest,
      "old_text is empty. To add text, put a nearby line in old_text and repeat it with your addition in new_text; " +
        "to replace the whole file, use write_file.",
    );
  }
  if (oldText === newText)
    throw new TetherError(ErrorCode.BadRequest, "old_text and new_text are the same; nothing would change.");
  // Models write "\n"; a CRLF file keeps its "\r\n" in the lines that change too.
  const variants = [{ from: oldText, to: newText }];
  if (content.includes("\r\n")) variants.push({ from: toCrlf(oldText), to: toCrlf(newText) });
  if (oldText.includes("\r\n")) variants.push({ from: toLf(oldText), to: toLf(newText) });
  for (const { from, to } of variants) {
    const at = occurrences(content, from);
    if (at.length === 0) continue;
    if (at.length > 1 && !replaceAll) {
      const lines = at.slice(0, MAX_LISTED).map((index) => lineOf(content, index));
      const more = at.length > MAX_LISTED ? `, and ${formatCount(at.length - MAX_LISTED)} more` : "";
      throw new TetherError(
        ErrorCode.Conflict,
        `old_text appears ${formatCount(at.length)} times in ${path} (at lines ${lines.join(", ")}${more}). ` +
          "Include more of the surrounding lines in old_text so it matches just once, or set replace_all to change every one.",
      );
    }
    if (replaceAll) return content.split(from).join(to);
    return content.slice(0, at[0]) + to + content.slice(at[0]! + from.length);
  }
  throw new TetherError(ErrorCode.NotFound, notFoundMessage(path, content, oldText));
}

function notFoundMessage(path: string, content: string, oldText: string): string {
  const parts = [`old_text was not found in ${path}.`];
  if (/^\s*\d+│/m.test(oldText)) parts.push("It contains line numbers as read_file shows them (`  12│`); leave those out.");
  const fileLines = splitLines(content);
  const wanted = trimBlankEnds(splitLines(oldText));
  const loose = looseMatch(fileLines, wanted);
  if (loose !== null) {
    parts.push(
      `Lines ${lineRange(loose + 1, loose + wanted.length)} match it when spaces are ignored, so only whitespace differs ` +
        "(indentation, tabs or spaces, trailing spaces). The exact text is:",
      shown(fileLines, loose, wanted.length),
    );
  } else {
    const close = closestRegion(fileLines, wanted);
    if (close) {
      parts.push(
        `The most similar text is at lines ${lineRange(close.start + 1, close.start + close.length)} ` +
          `(about ${Math.round(close.score * 100)}% alike):`,
        shown(fileLines, close.start, close.length),
      );
    } else parts.push("Nothing similar is in the file; it may have changed since you read it.");
  }
  parts.push("Read the file again with read_file and copy old_text exactly, or use write_file to replace it whole.");
  return parts.join("\n");
}

function shown(lines: readonly string[], start: number, length: number): string {
  const count = Math.min(length, MAX_SHOWN_LINES);
  const more = length > count ? `\n… ${formatCount(length - count)} more lines` : "";
  return numberLines(lines.slice(start, start + count), start + 1) + more;
}

/** Where the lines occur when every run of whitespace counts the same and ends do not count. */
function looseMatch(fileLines: readonly string[], wanted: readonly string[]): number | null {
  if (wanted.length === 0) return null;
  const squash = (line: string): string => line.trim().replace(/\s+/g, " ");
  const file = fileLines.map(squash);
  const want = wanted.map(squash);
  for (let i = 0; i + want.length <= file.length; i++) {
    if (want.every((line, k) => file[i + k] === line)) return i;
  }
  return null;
}

/**
 * The window of the file most like the wanted lines. A few of the longest wanted lines act as
 * anchors: each file line votes for the window that would put it at the anchor's place, by how
 * alike the two are. That costs a few passes over the file, not one per wanted line.
 */
function closestRegion(
  fileLines: readonly string[],
  wanted: readonly string[],
): { start: number; length: number; score: number } | null {
  const anchors = wanted
    .map((line, offset) => ({ text: line.trim(), offset }))
    .filter((a) => a.text.length >= 4)
    .sort((a, b) => b.text.length - a.text.length)
    .slice(0, 3);
  if (anchors.length === 0 || fileLines.length === 0) return null;
  const fileGrams = fileLines.map((line) => bigrams(line.trim()));
  const votes = new Map<number, number>();
  for (const anchor of anchors) {
    const grams = bigrams(anchor.text);
    fileGrams.forEach((line, i) => {
      const s = dice(grams, line);
      if (s > 0) votes.set(i - anchor.offset, (votes.get(i - anchor.offset) ?? 0) + s);
    });
  }
  let best: { start: number; score: number } | null = null;
  for (const [start, total] of votes) {
    const score = total / anchors.length;
    if (!best || score > best.score) best = { start, score };
  }
  if (!best || best.score < MIN_SIMILARITY) return null;
  const start = Math.max(0, best.start);
  const length = Math.max(1, Math.min(wanted.length, fileLines.length - start));
  return { start, length, score: Math.min(1, best.score) };
}

interface Grams {
  counts: Map<string, number>;
  size: number;
}

function bigrams(text: string): Grams {
  const counts = new Map<string, number>();
  const s = text.slice(0, 400);
  for (let i = 0; i < s.length - 1; i++) {
    const g = s.slice(i, i + 2);
    counts.set(g, (counts.get(g) ?? 0) + 1);
  }
  return { counts, size: Math.max(0, s.length - 1) };
}

/** Sørensen–Dice over character pairs: 1 for the same text, 0 for nothing in common. */
function dice(a: Grams, b: Grams): number {
  if (a.size === 0 || b.size === 0) return 0;
  let shared = 0;
  for (const [g, n] of a.counts) shared += Math.min(n, b.counts.get(g) ?? 0);
  return (2 * shared) / (a.size + b.size);
}

function occurrences(content: string, text: string): number[] {
  const at: number[] = [];
  for (let i = content.indexOf(text); i >= 0; i = content.indexOf(text, i + text.length)) at.push(i);
  return at;
}

function lineOf(content: string, index: number): number {
  let line = 1;
  for (let i = content.indexOf("\n"); i >= 0 && i < index; i = content.indexOf("\n", i + 1)) line++;
  return line;
}

function trimBlankEnds(lines: string[]): string[] {
  let start = 0;
  let end = lines.length;
  while (start < end && lines[start]!.trim() === "") start++;
  while (end > start && lines[end - 1]!.trim() === "") end--;
  return lines.slice(start, end);
}

const toCrlf = (text: string): string => text.replace(/\r?\n/g, "\r\n");
const toLf = (text: string): string => text.replace(/\r\n/g, "\n");

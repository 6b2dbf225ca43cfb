// Every tool output the model sees is capped: a long build log or a minified file would
// otherwise fill its context. What was cut is named, so the model knows to look closer.

import { formatBytes, formatCount, utf8Length } from "./format";

export interface CapOptions {
  maxChars: number;
  maxLines: number;
  /** Keep the start (a file, a listing) or the end (a command's output, where errors land). */
  keep: "head" | "tail";
}

export interface Capped {
  text: string;
  /** Set when something was cut: `output cut to the last 400 lines of 5,312 (1.2 MB)`. */
  truncated?: string;
  totalLines: number;
  keptLines: number;
}

export function capText(text: string, options: CapOptions): Capped {
  const { maxChars, maxLines, keep } = options;
  const lines = text.split("\n");
  // A final newline ends the last line; it does not start another.
  if (lines.length > 1 && lines.at(-1) === "") lines.pop();
  const totalLines = lines.length;
  if (totalLines <= maxLines && text.length <= maxChars) return { text, totalLines, keptLines: totalLines };

  const ordered = keep === "head" ? lines : [...lines].reverse();
  const kept: string[] = [];
  let chars = 0;
  for (const line of ordered) {
    if (kept.length >= maxLines) break;
    if (chars + line.length + 1 > maxChars) {
      // One line longer than the whole budget: keep the part of it nearest the kept side.
      if (kept.length === 0) kept.push(keep === "head" ? line.slice(0, maxChars) : line.slice(-maxChars));
      break;
    }
    kept.push(line);
    chars += line.length + 1;
  }
  if (keep === "tail") kept.reverse();
  const where = keep === "head" ? "first" : "last";
  const partial = kept.length === 1 && ordered[0]!.length > maxChars ? " (part of a long line)" : "";
  return {
    text: kept.join("\n"),
    truncated:
      `output cut to the ${where} ${formatCount(kept.length)} ${kept.length === 1 ? "line" : "lines"} of ` +
      `${formatCount(totalLines)}${partial} (${formatBytes(utf8Length(text))})`,
    totalLines,
    keptLines: kept.length,
  };
}

// Terminal output for the DOM: ANSI colours become spans, everything else is escaped text, and
// only the newest part is kept, so a command that printed 50 MB cannot freeze the tab.

import { AnsiUp } from "ansi_up";
import { OSC, afterCutSequence } from "./escapes";

/** Lines kept for the screen; older ones are counted, not shown. */
export const TERMINAL_MAX_LINES = 2_000;
/** Characters kept for the screen, for output with very long lines (minified code, base64). */
export const TERMINAL_MAX_CHARS = 400_000;

export interface CappedText {
  text: string;
  /** Whole lines left out before `text`. */
  droppedLines: number;
  /** Characters left out before `text` (including those of the dropped lines). */
  droppedChars: number;
}

/** The last `maxLines` lines and at most `maxChars` characters of `text`. Scans only the kept tail. */
export function capTail(text: string, maxLines = TERMINAL_MAX_LINES, maxChars = TERMINAL_MAX_CHARS): CappedText {
  const floor = Math.max(0, text.length - maxChars);
  // A final newline ends the last line; it does not start one more.
  let cut = text.endsWith("\n") ? text.length - 1 : text.length;
  let start = 0;
  for (let kept = 0; kept < maxLines && cut > floor; kept++) {
    const nl = cut > 0 ? text.lastIndexOf("\n", cut - 1) : -1;
    if (nl < 0) break;
    cut = nl;
    if (kept + 1 === maxLines) start = nl + 1;
  }
  if (start < floor) {
    // Past the character cap: start at a line break within the kept part when there is one.
    const nl = text.indexOf("\n", floor);
    start = nl >= 0 && nl < text.length - 1 ? nl + 1 : floor;
  }
  if (start === 0) return { text, droppedLines: 0, droppedChars: 0 };
  return { text: text.slice(start), droppedLines: countLines(text, start), droppedChars: start };
}

/** Line breaks in `text` before `end`, plus a partial line it was cut in. */
function countLines(text: string, end: number): number {
  let count = 0;
  let at = text.indexOf("\n");
  while (at >= 0 && at < end) {
    count++;
    at = text.indexOf("\n", at + 1);
  }
  return text[end - 1] === "\n" ? count : count + 1;
}

/**
 * A progress bar redraws its line after each carriage return; a screen shows the last drawing.
 * `\r\n` is a plain line break.
 */
export function settleCarriageReturns(text: string): string {
  if (!text.includes("\r")) return text;
  return text
    .split("\n")
    .map((line) => {
      const body = line.endsWith("\r") ? line.slice(0, -1) : line;
      if (!body.includes("\r")) return body;
      const drawings = body.split("\r");
      for (let i = drawings.length - 1; i >= 0; i--) if (drawings[i] !== "") return drawings[i]!;
      return "";
    })
    .join("\n");
}

export interface TerminalHtml {
  /** Safe to put in the DOM: text escaped, colours as `<span class="ansi-…">` or inline colour styles. */
  html: string;
  /** "… 48,120 earlier lines" when the start was left out, else null. */
  note: string | null;
  droppedLines: number;
}

const count = new Intl.NumberFormat("en-US");

/** Terminal output → HTML with its colours, keeping the newest lines only. */
export function terminalHtml(output: string, maxLines = TERMINAL_MAX_LINES, maxChars = TERMINAL_MAX_CHARS): TerminalHtml {
  const capped = capTail(output, maxLines, maxChars);
  // A cut may land inside an escape sequence: drop its tail rather than print "[31m".
  let text = capped.droppedChars > 0 ? output.slice(afterCutSequence(output, capped.droppedChars)) : capped.text;
  // Hyperlinks (OSC 8) keep their text and lose the link; other OSC sequences (titles) go.
  text = settleCarriageReturns(text.replace(OSC, ""));
  const ansi = new AnsiUp();
  ansi.use_classes = true;
  ansi.escape_html = true;
  ansi.url_allowlist = {};
  const html = ansi.ansi_to_html(text);
  const n = capped.droppedLines;
  const note = n > 0 ? `… ${count.format(n)} earlier ${n === 1 ? "line" : "lines"}` : null;
  return { html, note, droppedLines: n };
}

/** A duration as a stopwatch shows it: "0:42", "12:05", "1:02:03". */
export function elapsed(ms: number): string {
  const total = Number.isFinite(ms) && ms > 0 ? Math.floor(ms / 1000) : 0;
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const ss = String(s).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${ss}` : `${m}:${ss}`;
}

/** A tool's duration for a row: "120 ms", "4.2 s", "1:05". */
export function duration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return "";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(Math.floor(ms / 100) / 10).toFixed(1)} s`;
  return elapsed(ms);
}

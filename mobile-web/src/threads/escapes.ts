// Terminal escape sequences, recognised in one place for the terminal view, the ANSI renderer
// and the running-command bar: where a cut may land inside one, and how to take them out.

// eslint-disable-next-line no-control-regex -- terminal escape sequences are control characters
export const OSC = /\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)/g;
// eslint-disable-next-line no-control-regex -- a colour or cursor sequence, at the start of a string
const CSI_AT_START = /^\x1b\[[0-?]*[ -/]*[@-~]/;
// eslint-disable-next-line no-control-regex -- colour and cursor sequences anywhere
const CSI_ALL = /\x1b\[[0-?]*[ -/]*[@-~]/g;
// eslint-disable-next-line no-control-regex -- every sequence: CSI, OSC (ended by BEL or ST), and two-character escapes
const ANY = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]/g;

/** Where a kept tail should start so that it does not begin inside an escape sequence. */
export function afterCutSequence(output: string, start: number): number {
  const from = output.lastIndexOf("\x1b", start - 1);
  if (from < 0 || start - from > 32) return start;
  const sequence = CSI_AT_START.exec(output.slice(from, from + 64));
  return sequence && from + sequence[0].length > start ? from + sequence[0].length : start;
}

/** A line's printed width in characters: its colour and cursor sequences take no room. */
export function printedLength(line: string): number {
  return line.includes("\x1b") ? line.replace(CSI_ALL, "").length : line.length;
}

/** The text without any escape sequence, as plain words for a one-line summary. */
export function withoutEscapes(text: string): string {
  return text.replace(ANY, "");
}

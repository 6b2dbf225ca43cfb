// Small formatting helpers shared by the tools: sizes, counts and numbered lines as the model sees them.

/** `5,312`. */
export function formatCount(n: number): string {
  return n.toLocaleString("en-US");
}

/** `812 B`, `12.3 KB`, `1.2 MB`. */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / (1024 * 1024)).toFixed(1)} MB`;
}

/** Bytes the text takes as UTF-8, without encoding it. */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c < 0xdc00 && i + 1 < text.length) {
      // A surrogate pair is one 4-byte character.
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

/** The file's lines without their endings; a final newline does not start another line. */
export function splitLines(text: string): string[] {
  if (text === "") return [];
  const lines = text.split("\n");
  if (lines.at(-1) === "") lines.pop();
  return lines.map((line) => (line.endsWith("\r") ? line.slice(0, -1) : line));
}

/** `  12│text`, numbers right-aligned to the widest one shown. */
export function numberLines(lines: readonly string[], firstLine: number): string {
  const width = Math.max(4, String(firstLine + lines.length - 1).length);
  return lines.map((line, i) => `${String(firstLine + i).padStart(width)}│${line}`).join("\n");
}

/** `12`, `12–15`. */
export function lineRange(first: number, last: number): string {
  return first === last ? String(first) : `${first}–${last}`;
}

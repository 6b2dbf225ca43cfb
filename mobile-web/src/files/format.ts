// Presentation helpers for the file browser, free of the DOM so tests can run them in Node.

import type { DirEntry } from "#protocol";

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: "base" });

/** Directories first, then everything else, each group in natural alphabetical order. */
export function sortEntries(entries: readonly DirEntry[]): DirEntry[] {
  return [...entries].sort((a, b) => {
    const aDir = a.kind === "dir" ? 0 : 1;
    const bDir = b.kind === "dir" ? 0 : 1;
    if (aDir !== bDir) return aDir - bDir;
    return collator.compare(a.name, b.name) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  });
}

const UNITS = ["KB", "MB", "GB", "TB"] as const;

/** 0 B, 980 B, 1.2 KB, 12.3 KB, 340 KB, 4.5 MB (binary multiples, as file managers show). */
export function humanSize(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return "";
  if (bytes < 1024) return `${Math.round(bytes)} B`;
  let value = bytes / 1024;
  let unit = 0;
  // Compare the rounded figure, so 1023.99 KB reads "1.0 MB" rather than "1024 KB".
  const shown = (v: number): number => (v < 100 ? Math.round(v * 10) / 10 : Math.round(v));
  while (shown(value) >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const figure = shown(value);
  return `${figure < 100 ? figure.toFixed(1) : figure} ${UNITS[unit]}`;
}

/** The number of bytes `text` takes in UTF-8, which is how the host counts offsets. */
export function utf8ByteLength(text: string): number {
  return new TextEncoder().encode(text).length;
}

/** base64url (no padding) → standard base64 with padding, as data: URLs want it. */
export function base64UrlToBase64(text: string): string {
  const b64 = text.replace(/-/g, "+").replace(/_/g, "/");
  return b64 + "=".repeat((4 - (b64.length % 4)) % 4);
}

/**
 * The lines of a text for numbering. A final newline ends the last line rather than
 * starting an empty one, as editors count them.
 */
export function textLines(text: string, complete: boolean): string[] {
  const lines = text.split(/\r?\n/);
  if (complete && lines.length > 1 && lines[lines.length - 1] === "") lines.pop();
  return lines;
}

/** Only image types a browser renders from a data: URL; anything else is refused. */
export function safeImageMime(mime: string): string | null {
  const clean = mime.trim().toLowerCase();
  return /^image\/[a-z0-9.+-]+$/.test(clean) ? clean : null;
}

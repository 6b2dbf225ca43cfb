// Text search over the workspace in plain JavaScript, so it works wherever the host runs
// (no ripgrep to install). The walk follows the mirror's rules: nested .gitignore files,
// `.git/` and secrets are skipped, as are symlinks (a link can loop or lead out), binaries and
// files over 1 MB. Results come in a stable order whatever finishes first.

import { join } from "node:path";
import { ErrorCode, TetherError } from "#protocol";
import { decodeText, type Mirror, type Resolved } from "../../mirror/mirror";

export const SEARCH_MAX_FILE_BYTES = 1024 * 1024;
export const DEFAULT_MAX_RESULTS = 100;
/** The walk stops listing after this many files; the result says so. */
export const SEARCH_MAX_FILES = 100_000;
const MAX_LINE_CHARS = 200;
const CONCURRENCY = 16;

export interface SearchOptions {
  query: string;
  /** Treat `query` as a JavaScript regular expression; otherwise it is plain text. */
  regex?: boolean;
  /** A folder (or one file) to search in, workspace-relative; the whole workspace by default. */
  path?: string;
  /** Default false: `todo` finds `TODO`. */
  caseSensitive?: boolean;
  maxResults?: number;
  signal?: AbortSignal;
}

export interface SearchMatch {
  path: string;
  /** 1-based. */
  line: number;
  /** The line, trimmed, at most about 200 characters around the match. */
  text: string;
}

export interface SearchResult {
  matches: SearchMatch[];
  /** There were more matches than `maxResults`. */
  limited: boolean;
  filesSearched: number;
  skippedLarge: number;
  skippedBinary: number;
  /** The walk hit `SEARCH_MAX_FILES` and did not look further. */
  tooManyFiles: boolean;
}

interface FileRef {
  rel: string;
  abs: string;
}

/** The query as a pattern; a broken regular expression is an error the model can fix. */
export function compileQuery(query: string, regex: boolean, caseSensitive: boolean): RegExp {
  if (query === "") throw new TetherError(ErrorCode.BadRequest, "The search query is empty.");
  const source = regex ? query : query.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  try {
    return new RegExp(source, caseSensitive ? "" : "i");
  } catch (err) {
    throw new TetherError(
      ErrorCode.BadRequest,
      `Invalid regular expression ${JSON.stringify(query)}: ${(err as Error).message.replace(/^Invalid regular expression: /, "")}. ` +
        "Escape special characters with a backslash, or search for plain text with regex: false.",
    );
  }
}

export async function searchWorkspace(
  mirror: Mirror,
  start: Resolved,
  useIgnores: boolean,
  options: SearchOptions,
): Promise<SearchResult> {
  const pattern = compileQuery(options.query, options.regex ?? false, options.caseSensitive ?? false);
  const maxResults = options.maxResults ?? DEFAULT_MAX_RESULTS;
  const signal = options.signal;
  const limit = limiter(CONCURRENCY);
  const result: SearchResult = {
    matches: [],
    limited: false,
    filesSearched: 0,
    skippedLarge: 0,
    skippedBinary: 0,
    tooManyFiles: false,
  };

  let listed = 0;
  const walk = async (dir: FileRef): Promise<FileRef[]> => {
    signal?.throwIfAborted();
    if (listed >= SEARCH_MAX_FILES) {
      result.tooManyFiles = true;
      return [];
    }
    const [entries, hiddenBy] = await limit(() =>
      Promise.all([mirror.fs.readdir(dir.abs).catch(() => []), mirror.entryFilter(dir.rel, { useIgnores })]),
    );
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const files: FileRef[] = [];
    const dirs: FileRef[] = [];
    for (const entry of entries) {
      if (entry.kind !== "file" && entry.kind !== "dir") continue;
      if (hiddenBy(entry.name, entry.kind === "dir")) continue;
      const ref = { rel: dir.rel ? `${dir.rel}/${entry.name}` : entry.name, abs: join(dir.abs, entry.name) };
      (entry.kind === "dir" ? dirs : files).push(ref);
    }
    listed += files.length;
    const nested = await Promise.all(dirs.map(walk));
    return [...files, ...nested.flat()];
  };
  const files = start.stat.kind === "dir" ? await walk(start) : [{ rel: start.rel, abs: start.abs }];

  // Workers take files in order; once the files finished in order hold more than enough
  // matches, later files cannot change the answer and nobody starts them.
  const perFile: (SearchMatch[] | undefined)[] = new Array(files.length);
  let next = 0;
  let settled = 0;
  let found = 0;
  const searchOne = async (file: FileRef): Promise<SearchMatch[]> => {
    const stat = await mirror.fs.lstat(file.abs).catch(() => null);
    if (!stat || stat.kind !== "file") return [];
    if (stat.size > SEARCH_MAX_FILE_BYTES) {
      result.skippedLarge++;
      return [];
    }
    const bytes = await mirror.fs.read(file.abs, 0, stat.size).catch(() => null);
    if (!bytes) return [];
    const text = decodeText(bytes);
    if (text === null) {
      result.skippedBinary++;
      return [];
    }
    result.filesSearched++;
    return matchLines(file.rel, text, pattern, maxResults + 1);
  };
  const worker = async (): Promise<void> => {
    while (next < files.length && found <= maxResults) {
      signal?.throwIfAborted();
      const index = next++;
      perFile[index] = await searchOne(files[index]!);
      while (settled < files.length && perFile[settled] !== undefined) found += perFile[settled++]!.length;
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  signal?.throwIfAborted();

  for (const matches of perFile) {
    if (!matches) break;
    result.matches.push(...matches);
    if (result.matches.length > maxResults) break;
  }
  result.limited = result.matches.length > maxResults;
  result.matches.length = Math.min(result.matches.length, maxResults);
  return result;
}

function matchLines(path: string, text: string, pattern: RegExp, max: number): SearchMatch[] {
  const matches: SearchMatch[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length && matches.length < max; i++) {
    let line = lines[i]!;
    if (line.endsWith("\r")) line = line.slice(0, -1);
    const hit = pattern.exec(line);
    if (hit) matches.push({ path, line: i + 1, text: excerpt(line, hit.index) });
  }
  return matches;
}

/** The line trimmed; a long one cut to a window that shows the match. */
function excerpt(line: string, at: number): string {
  const lead = line.length - line.trimStart().length;
  const text = line.trim();
  if (text.length <= MAX_LINE_CHARS) return text;
  const start = Math.max(0, Math.min(at - lead - 60, text.length - MAX_LINE_CHARS));
  const end = start + MAX_LINE_CHARS;
  return (start > 0 ? "…" : "") + text.slice(start, end) + (end < text.length ? "…" : "");
}

/** Runs at most `n` of the given tasks at once. */
function limiter(n: number): <T>(task: () => Promise<T>) => Promise<T> {
  let active = 0;
  const waiting: (() => void)[] = [];
  return async (task) => {
    // A finished task hands its slot straight to the next waiting one.
    if (active >= n) await new Promise<void>((resolve) => waiting.push(resolve));
    else active++;
    try {
      return await task();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else active--;
    }
  };
}

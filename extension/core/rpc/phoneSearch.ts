// A phone's search of the workspace: files by name and lines by text, through the same walk
// and rules as the mirror's listings. Secret files, `.git/` and what the ignore rules hide are
// never looked at, symlinks are not followed (a link can lead out of the workspace), and the
// query is plain text: it names nothing on disk, so a query like `../..` only finds that text.

import { join } from "node:path";
import { ErrorCode, MAX_SEARCH_RESULTS, TetherError, type WorkspaceSearchResult } from "#protocol";
import { SEARCH_MAX_FILES, searchWorkspace } from "../agent/tools/workspaceSearch";
import type { Mirror } from "../mirror/mirror";

/** A phone waits 20 s for any answer; the search gives up before that, with words to act on. */
const SEARCH_TIME_MS = 15_000;

export interface PhoneSearchOptions {
  /** Most file names and most lines answered (each); more found makes the answer `capped`. */
  max?: number;
  /** Most files the name walk lists before it stops (and says the answer is capped). */
  maxListed?: number;
  timeMs?: number;
}

export async function searchForPhone(
  mirror: Mirror,
  query: string,
  options: PhoneSearchOptions = {},
): Promise<WorkspaceSearchResult> {
  const max = options.max ?? MAX_SEARCH_RESULTS;
  const signal = AbortSignal.timeout(options.timeMs ?? SEARCH_TIME_MS);
  try {
    const root = await mirror.resolve("");
    const [names, text] = await Promise.all([
      findNames(mirror, query, max, options.maxListed ?? SEARCH_MAX_FILES, signal),
      searchWorkspace(mirror, root, true, { query, regex: false, caseSensitive: false, maxResults: max, signal }),
    ]);
    return {
      type: "search",
      query,
      files: names.paths.map((path) => ({ path })),
      matches: text.matches.map(({ path, line, text: excerpt }) => ({ path, line, text: excerpt })),
      capped: names.more || text.limited || text.tooManyFiles,
    };
  } catch (err) {
    if (signal.aborted) {
      throw new TetherError(ErrorCode.Timeout, "The search took too long on this computer. Try a longer or rarer word.");
    }
    throw err;
  }
}

/**
 * Files whose name holds the query (whose path, when the query has a `/`), breadth first so
 * the shallowest come first, in name order within a folder.
 */
async function findNames(
  mirror: Mirror,
  query: string,
  max: number,
  maxListed: number,
  signal: AbortSignal,
): Promise<{ paths: string[]; more: boolean }> {
  const needle = query.toLowerCase();
  const byPath = needle.includes("/");
  const paths: string[] = [];
  let listed = 0;
  let queue: { rel: string; abs: string }[] = [{ rel: "", abs: mirror.root }];
  while (queue.length > 0) {
    const next: typeof queue = [];
    for (const dir of queue) {
      signal.throwIfAborted();
      const [entries, hiddenBy] = await Promise.all([
        mirror.fs.readdir(dir.abs).catch(() => []),
        mirror.entryFilter(dir.rel, { useIgnores: true }),
      ]);
      entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      for (const entry of entries) {
        if (entry.kind !== "file" && entry.kind !== "dir") continue;
        if (hiddenBy(entry.name, entry.kind === "dir")) continue;
        const rel = dir.rel ? `${dir.rel}/${entry.name}` : entry.name;
        if (entry.kind === "dir") {
          next.push({ rel, abs: join(dir.abs, entry.name) });
          continue;
        }
        if (++listed > maxListed) return { paths, more: true };
        if (!(byPath ? rel : entry.name).toLowerCase().includes(needle)) continue;
        if (paths.length === max) return { paths, more: true };
        paths.push(rel);
      }
    }
    queue = next;
  }
  return { paths, more: false };
}

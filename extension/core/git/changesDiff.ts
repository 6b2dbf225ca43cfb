import { git } from "./run";

/** One side of a file's change as unified diff text, cut at the cap. */
export interface Diff {
  text: string;
  truncated: boolean;
  binary: boolean;
}

/** A config that renames prefixes, colours output or calls a diff tool must not change what is parsed. */
const PLAIN = ["--no-color", "--no-ext-diff", "--src-prefix=a/", "--dst-prefix=b/"];

/** Runs one diff and marks binary and cut output; `okCodes` lets `--no-index` answer 1 for "they differ". */
export async function diff(repo: string, args: string[], max: number, okCodes: number[] = [0]): Promise<Diff> {
  const [verb, ...rest] = args;
  const result = await git(repo, [verb ?? "diff", ...PLAIN, ...rest], { maxBytes: max, okCodes });
  return { text: result.stdout, truncated: result.truncated, binary: isBinary(result.stdout) };
}

function isBinary(text: string): boolean {
  return /^Binary files .* differ$/m.test(text) || text.includes("GIT binary patch");
}

/** A file a batch diff should hold: its path, and its path before a rename. */
export interface Wanted {
  path: string;
  origPath?: string;
}

/**
 * One `git diff` for the whole tree, split into files by their `diff --git a/… b/…` headers, so a
 * change of hundreds of files costs one process rather than hundreds. Files whose header cannot be
 * matched (paths git quotes) or that fell past the batch's cap are absent: callers diff them alone.
 */
export async function batchDiff(
  repo: string,
  args: string[],
  wanted: readonly Wanted[],
  max: number,
): Promise<Map<string, Diff>> {
  const found = new Map<string, Diff>();
  if (wanted.length === 0) return found;
  const byHeader = new Map<string, string>();
  for (const w of wanted) byHeader.set(`diff --git a/${w.origPath ?? w.path} b/${w.path}`, w.path);
  const [verb, ...rest] = args;
  const cap = Math.max(max * wanted.length, 1024 * 1024);
  const result = await git(repo, [verb ?? "diff", ...PLAIN, ...rest], { maxBytes: Math.min(cap, 64 * 1024 * 1024) });
  const chunks = result.stdout.split(/^(?=diff --git )/m);
  // The last chunk of a cut batch may be incomplete: leave it to be diffed alone.
  if (result.truncated) chunks.pop();
  for (const chunk of chunks) {
    const header = chunk.slice(0, chunk.indexOf("\n"));
    const path = byHeader.get(header);
    if (path === undefined) continue;
    const bytes = Buffer.from(chunk, "utf8");
    const truncated = bytes.length > max;
    const text = truncated ? bytes.subarray(0, max).toString("utf8") : chunk;
    found.set(path, { text, truncated, binary: isBinary(chunk) });
  }
  return found;
}

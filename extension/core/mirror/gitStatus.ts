// Git status marks for the file browser: which files git sees as modified, added, deleted,
// renamed, untracked or conflicted, and which folders hold any of them. The core parses and
// caches; running git is a port (the Node adapter uses execFile), so this stays testable.

import type { GitMark } from "#protocol";

export type { GitMark };

/** One run of `git status --porcelain=v1 -z` in the workspace, or null outside a repository. */
export interface GitStatusOutput {
  /** The porcelain output. Paths in it are relative to the repository's top folder. */
  output: string;
  /** Where the workspace sits inside the repository (`git rev-parse --show-prefix`): `""` or `"a/b/"`. */
  prefix: string;
}

/** Runs git status once. Resolves null when the workspace is not in a repository or git is missing. */
export type GitStatusReader = () => Promise<GitStatusOutput | null>;

/** The port the mirror asks for marks. */
export interface GitStatus {
  /**
   * The workspace's marks as of about a second ago at most; empty outside a repository. A run
   * slower than `maxWaitMs` answers with the previous marks (none before the first run ends).
   */
  current(maxWaitMs?: number): Promise<GitMarks>;
  /** The marks of the last run that ended, starting none (empty before the first has ended). */
  latest(): GitMarks;
  /**
   * Calls `listener` after each run whose marks differ from the run before, whoever asked for
   * it: what phones show can follow git even when the run was started for someone else.
   * Answers a function that stops it.
   */
  onChange?(listener: () => void): () => void;
}

// When a folder holds changes of different kinds, a conflict is what needs attention first;
// anything else mixed reads as "modified".
function combine(a: GitMark | undefined, b: GitMark): GitMark {
  if (a === undefined || a === b) return b;
  return a === "U" || b === "U" ? "U" : "M";
}

/** The marks of one status run, by workspace-relative path. */
export class GitMarks {
  static readonly empty = new GitMarks(new Map(), new Map(), new Set(), "");

  private constructor(
    private readonly files: ReadonlyMap<string, GitMark>,
    private readonly dirs: ReadonlyMap<string, GitMark>,
    /** Folders git reports whole as untracked (`?? dir/`): everything inside is untracked too. */
    private readonly untrackedDirs: ReadonlySet<string>,
    /** What they were read from: the same output gives the same marks. */
    private readonly source: string,
  ) {}

  /** True when `other` was read from the same output (so has the same marks). */
  sameAs(other: GitMarks): boolean {
    return this.source === other.source;
  }

  /** Builds marks from porcelain output, keeping only paths inside the workspace (`prefix`). */
  static parse(output: string, prefix = ""): GitMarks {
    const files = new Map<string, GitMark>();
    const dirs = new Map<string, GitMark>();
    const untrackedDirs = new Set<string>();
    const inside = (repoPath: string): string | null =>
      repoPath.startsWith(prefix) && repoPath.length > prefix.length ? repoPath.slice(prefix.length) : null;
    const markFolders = (rel: string, mark: GitMark): void => {
      for (let slash = rel.indexOf("/"); slash >= 0; slash = rel.indexOf("/", slash + 1)) {
        const dir = rel.slice(0, slash);
        dirs.set(dir, combine(dirs.get(dir), mark));
      }
    };

    for (const record of porcelainRecords(output)) {
      const mark = markOfStatus(record.x, record.y);
      if (!mark) continue;
      // A rename's old path is gone from disk; its folder still lost a file.
      const from = record.from === undefined ? null : inside(record.from);
      if (from !== null) markFolders(from, mark);
      const rel = inside(record.path);
      if (rel === null) continue;
      if (rel.endsWith("/")) {
        const dir = rel.slice(0, -1);
        if (mark === "?") untrackedDirs.add(dir);
        dirs.set(dir, combine(dirs.get(dir), mark));
        markFolders(dir, mark);
      } else {
        files.set(rel, mark);
        markFolders(rel, mark);
      }
    }
    return new GitMarks(files, dirs, untrackedDirs, `${prefix}\0${output}`);
  }

  /** The mark for a workspace-relative path, or undefined when git sees nothing to show there. */
  markOf(rel: string, isDir: boolean): GitMark | undefined {
    // A file first: a submodule or a symlink to a folder is one path to git.
    const own = this.files.get(rel) ?? (isDir ? this.dirs.get(rel) : undefined);
    if (own) return own;
    if (this.untrackedDirs.size === 0) return undefined;
    for (let slash = rel.lastIndexOf("/"); slash > 0; slash = rel.lastIndexOf("/", slash - 1)) {
      if (this.untrackedDirs.has(rel.slice(0, slash))) return "?";
    }
    return undefined;
  }

  get size(): number {
    return this.files.size + this.dirs.size;
  }
}

interface PorcelainRecord {
  x: string;
  y: string;
  path: string;
  /** A rename's or copy's source path. */
  from?: string;
}

/**
 * Splits `--porcelain=v1 -z` output: `XY path\0`, and for renames and copies `XY to\0from\0`.
 * A record cut off at the end (output over its size bound) is dropped.
 */
export function* porcelainRecords(output: string): Generator<PorcelainRecord> {
  const fields = output.split("\0");
  // The output ends with a NUL, so the last field is empty, or a fragment when it was cut short.
  fields.pop();
  for (let i = 0; i < fields.length; i++) {
    const field = fields[i]!;
    if (field.length < 4 || field[2] !== " ") continue;
    const x = field[0]!;
    const y = field[1]!;
    const path = field.slice(3);
    if (x === "R" || x === "C" || y === "R" || y === "C") {
      const from = fields[++i];
      yield from === undefined ? { x, y, path } : { x, y, path, from };
    } else {
      yield { x, y, path };
    }
  }
}

const UNMERGED = new Set(["DD", "AU", "UD", "UA", "DU", "AA", "UU"]);

/**
 * One letter for a status pair, compared with the last commit: the worktree's deletion wins
 * (the file is gone), then a rename, then an addition (a new file stays new when edited again).
 */
export function markOfStatus(x: string, y: string): GitMark | null {
  const xy = x + y;
  if (xy === "!!") return null;
  if (xy === "??") return "?";
  if (UNMERGED.has(xy)) return "U";
  if (x === "D" || y === "D") return "D";
  if (x === "R" || y === "R") return "R";
  if (x === "A" || y === "A" || x === "C" || y === "C") return "A";
  if (x === "M" || y === "M" || x === "T" || y === "T") return "M";
  return null;
}

export interface GitStatusCacheOptions {
  /** How long one status run answers for. */
  ttlMs?: number;
  /** How long a caller waits for a slow refresh before taking the previous marks. */
  maxWaitMs?: number;
  now?: () => number;
}

/**
 * Runs git at most about once a second, and only when asked. Calls during a run share it; a run
 * slower than `maxWaitMs` (a huge repository) answers with the previous marks meanwhile, so a
 * folder listing is never held up by git for long.
 */
export function cachedGitStatus(read: GitStatusReader, options: GitStatusCacheOptions = {}): GitStatus {
  const ttlMs = options.ttlMs ?? 1000;
  const maxWaitMs = options.maxWaitMs ?? 1500;
  const now = options.now ?? Date.now;
  let last: { marks: GitMarks; at: number } | null = null;
  let running: Promise<GitMarks> | null = null;
  let runningSince = 0;
  const listeners = new Set<() => void>();

  const refresh = async (): Promise<GitMarks> => {
    let marks = GitMarks.empty;
    try {
      const result = await read();
      if (result) marks = GitMarks.parse(result.output, result.prefix);
    } catch {
      // A failed run shows no marks; the listing matters more than its decoration.
    }
    const before = last?.marks ?? GitMarks.empty;
    last = { marks, at: now() };
    if (!marks.sameAs(before)) for (const listener of [...listeners]) listener();
    return marks;
  };

  return {
    latest: () => last?.marks ?? GitMarks.empty,
    onChange(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    async current(wait = maxWaitMs) {
      if (last && now() - last.at < ttlMs) return last.marks;
      if (!running) {
        runningSince = now();
        running = refresh().finally(() => (running = null));
      }
      const fallback = last?.marks ?? GitMarks.empty;
      // The wait counts from the run's start: while one slow run goes on, callers do not each wait again.
      const left = Math.max(0, runningSince + wait - now());
      // No wait (a listing whose marks follow as a delta): a run cannot have ended within this turn.
      if (left === 0) return fallback;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const slow = new Promise<GitMarks>((resolve) => (timer = setTimeout(() => resolve(fallback), left)));
      try {
        return await Promise.race([running, slow]);
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

import { git, GitError } from "./run";
import { parseStatus, type StatusEntry } from "./changesStatus";
import { batchDiff, diff, type Diff } from "./changesDiff";
import { untrackedDiff } from "./changesUntracked";

export type { Diff };

export type ChangeKind = "modified" | "added" | "deleted" | "renamed" | "copied" | "typechange" | "untracked" | "conflicted";

/** A changed file as the Changes view shows it: what changed, on which side, and the diffs. */
export interface FileChange {
  path: string;
  /** The path before a rename or copy. */
  origPath?: string;
  kind: ChangeKind;
  staged: boolean;
  unstaged: boolean;
  /** HEAD against the index. */
  stagedDiff?: Diff;
  /** The index against the working tree (for an untracked file: the whole file as added). */
  unstagedDiff?: Diff;
}

export interface ListOptions {
  /** Each diff is cut after this many bytes so a huge file never floods the phone. */
  maxDiffBytes?: number;
}

export const DEFAULT_MAX_DIFF_BYTES = 256 * 1024;

/** The repository's changes, staged and unstaged, each file with its diffs. */
export async function listChanges(repo: string, options: ListOptions = {}): Promise<FileChange[]> {
  const max = options.maxDiffBytes ?? DEFAULT_MAX_DIFF_BYTES;
  const status = await git(repo, ["status", "--porcelain=v2", "-z", "--untracked-files=all"]);
  const entries = parseStatus(status.stdout).entries;
  const tracked = entries.filter((e) => e.type === "ordinary" || e.type === "renamed");
  const staged = await batchDiff(repo, ["diff", "--cached", "-M"], tracked.filter(isStaged), max);
  const unstaged = await batchDiff(repo, ["diff", "--no-renames"], tracked.filter(isUnstaged), max);
  const changes: FileChange[] = [];
  for (const entry of entries) changes.push(await describe(repo, entry, max, staged, unstaged));
  return changes;
}

const isStaged = (entry: StatusEntry): boolean => entry.index !== "." && entry.index !== "?";
const isUnstaged = (entry: StatusEntry): boolean => entry.worktree !== ".";

async function describe(
  repo: string,
  entry: StatusEntry,
  max: number,
  staged: Map<string, Diff>,
  unstaged: Map<string, Diff>,
): Promise<FileChange> {
  const change: FileChange = {
    path: entry.path,
    kind: kindOf(entry),
    staged: isStaged(entry),
    unstaged: isUnstaged(entry),
  };
  if (entry.origPath !== undefined) change.origPath = entry.origPath;
  const paths = entry.origPath !== undefined ? [entry.origPath, entry.path] : [entry.path];
  if (entry.type === "untracked") {
    // Untracked files have no index entry, so the diff is against nothing; exit 1 means "they differ".
    change.unstagedDiff =
      (await untrackedDiff(repo, entry.path, max)) ??
      (await diff(repo, ["diff", "--no-index", "--", "/dev/null", entry.path], max, [0, 1]));
    return change;
  }
  // Files the batch could not place (quoted paths, past its cap, conflicts) are diffed on their own.
  if (change.staged) {
    change.stagedDiff = staged.get(entry.path) ?? (await diff(repo, ["diff", "--cached", "-M", "--", ...paths], max));
  }
  if (change.unstaged) {
    change.unstagedDiff = unstaged.get(entry.path) ?? (await diff(repo, ["diff", "--", entry.path], max));
  }
  return change;
}

export function kindOf(entry: StatusEntry): ChangeKind {
  if (entry.type === "untracked") return "untracked";
  if (entry.type === "unmerged") return "conflicted";
  if (entry.type === "renamed") return entry.index === "C" ? "copied" : "renamed";
  const code = entry.index !== "." ? entry.index : entry.worktree;
  if (code === "A") return "added";
  if (code === "D") return "deleted";
  if (code === "T") return "typechange";
  return "modified";
}

/** Stages whole files, deletions included. */
export async function stage(repo: string, paths: readonly string[]): Promise<void> {
  if (paths.length === 0) return;
  await git(repo, ["add", "-A", "--", ...paths]);
}

/**
 * Takes whole files out of the index again, leaving the working tree as it is. A staged rename is
 * unstaged as a whole: its old path comes back too, rather than staying staged as a deletion.
 */
export async function unstage(repo: string, given: readonly string[]): Promise<void> {
  if (given.length === 0) return;
  const status = await git(repo, ["status", "--porcelain=v2", "-z", "--untracked-files=no"]);
  const paths = [...given];
  for (const entry of parseStatus(status.stdout).entries) {
    if (entry.origPath !== undefined && given.includes(entry.path)) paths.push(entry.origPath);
  }
  if (await hasHead(repo)) {
    await git(repo, ["reset", "-q", "HEAD", "--", ...paths]);
  } else {
    // Before the first commit there is no HEAD to reset to: the index entries are simply dropped.
    await git(repo, ["rm", "-r", "-q", "--cached", "--ignore-unmatch", "--", ...paths]);
  }
}

export async function hasHead(repo: string): Promise<boolean> {
  const result = await git(repo, ["rev-parse", "--verify", "-q", "HEAD"], { okCodes: [0, 1] });
  return result.code === 0;
}

export { stageHunk, unstageHunk, listHunks, type HunkResult } from "./changesHunks";
export { GitError };

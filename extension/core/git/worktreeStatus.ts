// What a task worktree holds that is not in its base commit: the number behind the
// "discard N files?" question, and the check that keeps uncommitted work from being removed.
import { git } from "./run";

export type ChangeKind = "added" | "modified" | "deleted" | "typechange" | "untracked";

export interface ChangedFile {
  path: string;
  kind: ChangeKind;
}

const KINDS: Record<string, ChangeKind> = {
  A: "added",
  M: "modified",
  D: "deleted",
  T: "typechange",
};

/**
 * Files that differ from `baseCommit` in the worktree at `cwd`: committed, staged, unstaged and
 * untracked. With `branch` given, `cwd` is the main workspace and only the branch's commits count
 * (the worktree's folder is gone, so there is nothing uncommitted left to see).
 */
export async function changedSince(
  cwd: string,
  baseCommit: string,
  env?: NodeJS.ProcessEnv,
  branch?: string,
): Promise<ChangedFile[]> {
  // Comparing the working tree with the base covers commits and uncommitted edits at once;
  // no rename detection, so a rename counts as the two paths the person will see go.
  const range = branch ? [baseCommit, branch] : [baseCommit];
  const diff = await git(cwd, ["diff", "--name-status", "--no-renames", "-z", ...range, "--"], { env });
  const files: ChangedFile[] = [];
  const fields = diff.stdout.split("\0");
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const status = fields[i] ?? "";
    const path = fields[i + 1] ?? "";
    if (path) files.push({ path, kind: KINDS[status.charAt(0)] ?? "modified" });
  }
  if (!branch) for (const path of await untracked(cwd, env)) files.push({ path, kind: "untracked" });
  return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

async function untracked(cwd: string, env?: NodeJS.ProcessEnv): Promise<string[]> {
  const out = await git(cwd, ["ls-files", "--others", "--exclude-standard", "-z"], { env });
  return out.stdout.split("\0").filter(Boolean);
}

/** Paths with uncommitted changes (staged, unstaged or untracked, not ignored); empty when clean. */
export async function uncommitted(cwd: string, env?: NodeJS.ProcessEnv, includeUntracked = true): Promise<string[]> {
  const out = await git(
    cwd,
    ["status", "--porcelain=v1", "-z", "--no-renames", `--untracked-files=${includeUntracked ? "all" : "no"}`],
    { env },
  );
  // Entries are "XY path"; with --no-renames there is no second path to skip.
  return out.stdout
    .split("\0")
    .filter((entry) => entry.length > 3)
    .map((entry) => entry.slice(3));
}

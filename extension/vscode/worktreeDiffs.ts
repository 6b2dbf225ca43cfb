// What "Tether: Show Changes" opens for a thread that runs in a worktree of its own: every file
// the task changed, its branch point's version (`git show <baseCommit>:<path>`, served by
// originalContent.ts) against the file in the worktree, or against the branch's version once the
// worktree's folder is gone (kept). Free of `vscode` so the tests reach it.

import { join } from "node:path";
import { git } from "../core/git/run";
import type { TaskWorktree } from "../core/git/worktrees";
import type { ChangedFile } from "../core/git/worktreeStatus";

/** Which version of a file a `tether-original` URI shows. */
export type Version =
  /** The thread's checkpoint: the file before the thread first touched it (no worktree). */
  | "checkpoint"
  /** The worktree's branch point. */
  | "base"
  /** The tip of the worktree's branch. */
  | "branch"
  /** Nothing: the side where the file does not exist (added, deleted). */
  | "none";

const VERSIONS: ReadonlySet<string> = new Set<Version>(["base", "branch", "none"]);

/** A `tether-original` URI's path and query: `/<threadId>/<path>`, `at=<version>` but for a checkpoint. */
export interface OriginalRef {
  threadId: string;
  path: string;
  at: Version;
}

export function formatOriginal(ref: OriginalRef): { path: string; query: string } {
  return { path: `/${ref.threadId}/${ref.path}`, query: ref.at === "checkpoint" ? "" : `at=${ref.at}` };
}

export function parseOriginal(uriPath: string, query: string): OriginalRef {
  const [, threadId = "", ...rest] = uriPath.split("/");
  const at = new URLSearchParams(query).get("at");
  return { threadId, path: rest.join("/"), at: at && VERSIONS.has(at) ? (at as Version) : "checkpoint" };
}

/** One side of a diff: a file on disk, or a version served by the content provider. */
export type DiffSide = { file: string } | { original: OriginalRef };

export interface DiffEntry {
  path: string;
  original: DiffSide;
  modified: DiffSide;
}

/**
 * The diffs of a worktree thread's changes, by path. `folder` is the worktree's folder while it
 * exists; without it the branch's own commits are the changes (a kept branch).
 */
export function worktreeDiffs(threadId: string, folder: string | undefined, files: readonly ChangedFile[]): DiffEntry[] {
  const version = (path: string, at: Version): DiffSide => ({ original: { threadId, path, at } });
  return files.map(({ path, kind }) => {
    const isNew = kind === "added" || kind === "untracked";
    const gone = kind === "deleted";
    return {
      path,
      original: version(path, isNew ? "none" : "base"),
      modified: gone ? version(path, "none") : folder ? { file: join(folder, path) } : version(path, "branch"),
    };
  });
}

/**
 * A file's text at the worktree's branch point or its branch's tip, read from the workspace's
 * repository; empty where the file does not exist at that commit (added since, or the branch is
 * gone). Which commit is the host's own record of the worktree, never what a URI says.
 */
export async function versionText(
  worktree: Pick<TaskWorktree, "repo" | "branch" | "baseCommit">,
  path: string,
  at: "base" | "branch",
  env?: NodeJS.ProcessEnv,
): Promise<string> {
  const rev = at === "base" ? worktree.baseCommit : worktree.branch;
  const shown = await git(worktree.repo, ["show", `${rev}:${path}`], { allowFailure: true, ...(env ? { env } : {}) });
  return shown.code === 0 ? shown.stdout : "";
}

// Where a git call or command acts (a thread's worktree, or the workspace), and the checks a
// phone's path passes before git sees it: relative, inside the scope, not a secret, and among
// the files git itself lists as changed. Paths reach git as literal pathspecs, so a name such as
// `app/[id].tsx` or `*` never widens into other files (a `.env` among them).

import { existsSync } from "node:fs";
import { ErrorCode, TetherError } from "#protocol";
import type { GitThreads, ThreadWorktree } from "./gitThreads";
import { git } from "./run";

export interface GitScope {
  /** The folder git runs in: the thread's worktree, or the workspace root. */
  dir: string;
  /** The thread the call or command named, for its history. */
  threadId?: string;
  /** The thread's worktree, also once it was merged, kept or discarded. */
  worktree?: ThreadWorktree;
  /** False when the worktree's folder is gone (merged, kept, discarded): the scope is then read-only. */
  live: boolean;
}

/** A thread with a live worktree acts there; any other thread, or none, acts on the workspace. */
export function resolveScope(threads: GitThreads, root: string, threadId: string | undefined): GitScope {
  if (threadId === undefined) return { dir: root, live: true };
  const worktree = threads.worktreeOf(threadId);
  if (!worktree) return { dir: root, threadId, live: true };
  const live = worktree.state === "open" && existsSync(worktree.worktree.path);
  return { dir: live ? worktree.worktree.path : root, threadId, worktree, live };
}

/** The scope is a git repository (a workspace may be a plain folder). */
export async function isRepository(dir: string): Promise<boolean> {
  if (!existsSync(dir)) return false;
  const out = await git(dir, ["rev-parse", "--is-inside-work-tree"], { allowFailure: true });
  return out.code === 0 && out.stdout.trim() === "true";
}

export async function requireRepository(scope: GitScope): Promise<void> {
  if (!(await isRepository(scope.dir))) {
    throw new TetherError(ErrorCode.BadRequest, "This workspace is not a git repository.");
  }
}

/** A command that changes the repository needs a worktree that is still there. */
export function requireLive(scope: GitScope): void {
  if (scope.live) return;
  const state = scope.worktree?.state ?? "removed";
  throw new TetherError(ErrorCode.Conflict, `This task's worktree was ${state}; there is nothing left to change in it.`);
}

/** Refuses a path a phone must not name: absolute, climbing out, or a secret by the mirror's rules. */
export function checkPath(path: string, isSecret: (rel: string) => boolean): string {
  if (path.includes("\0")) throw new TetherError(ErrorCode.BadRequest, "The path contains a NUL byte.");
  if (path.startsWith("/") || path.includes("\\") || /^[A-Za-z]:/.test(path)) {
    throw new TetherError(ErrorCode.OutsideWorkspace, "Paths are relative to the repository, with / between folders.");
  }
  const parts = path.split("/");
  if (parts.some((part) => part === ".." || part === "." || part === "")) {
    throw new TetherError(ErrorCode.OutsideWorkspace, `${path} is not a plain path inside the repository.`);
  }
  if (isSecret(path)) throw new TetherError(ErrorCode.SecretFile, `${path} may hold secrets and is never shared.`);
  return path;
}

/** A path as git must read it: literally, with no glob or other pathspec magic. */
export function literal(path: string): string {
  return `:(literal)${path}`;
}

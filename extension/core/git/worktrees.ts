// A git worktree per task: each task runs on its own `tether/<title>` branch in a folder
// under the host's state folder, so two tasks never edit the same files and the workspace
// never sees a task's half-done work. Merging back, keeping and discarding are the person's
// choices; nothing here forces a merge or removes uncommitted work unasked.
import { existsSync, mkdirSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { uniqueBranchName } from "./branchName";
import { git, GitError } from "./run";
import { isInside, realOrSelf, worktreesFolder } from "./worktreePaths";
import { changedSince, uncommitted, type ChangedFile } from "./worktreeStatus";

export type { ChangedFile } from "./worktreeStatus";

/** A task's worktree, as the thread manager stores it with the thread. */
export interface TaskWorktree {
  /** The main workspace's top folder, where merges land. */
  repo: string;
  path: string;
  branch: string;
  /** The branch the workspace was on when the task began; merges go back into it. */
  baseBranch: string;
  baseCommit: string;
}

export type RefusalCode =
  | "not-a-repository"
  | "detached-head"
  | "no-commits"
  | "bad-thread-id"
  | "inside-workspace"
  | "wrong-branch"
  | "workspace-dirty"
  | "worktree-dirty"
  | "not-fast-forward"
  | "conflict"
  | "count-mismatch"
  | "merge-failed";

/** A choice the library declines to make for the person, with why in words they can act on. */
export class WorktreeRefusal extends Error {
  constructor(
    readonly code: RefusalCode,
    message: string,
    /** The files concerned: conflicting, or uncommitted. */
    readonly files: readonly string[] = [],
  ) {
    super(message);
    this.name = "WorktreeRefusal";
  }
}

export interface MergeOutcome {
  /** The base branch's commit after the merge. */
  commit: string;
  /** True when the base branch was moved forward without a merge commit. */
  fastForward: boolean;
}

export interface OrphanReport {
  removed: { threadId: string; path: string; branch: string | null }[];
  /** Not removed because they hold uncommitted changes: the person decides. */
  spared: { threadId: string; path: string; branch: string | null; files: string[] }[];
}

// Thread ids are base64url (`randomId`), so one in 32 starts with "-" or "_": both name a folder
// safely, as the path is absolute and always follows `--`. A leading "." (`..`) never does.
const THREAD_ID = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}$/;

export class TaskWorktrees {
  /** `env` is the git environment (tests isolate config and author through it). */
  constructor(private readonly env: NodeJS.ProcessEnv = process.env) {}

  async isRepository(folder: string): Promise<boolean> {
    if (!existsSync(folder)) return false;
    const out = await this.run(["rev-parse", "--is-inside-work-tree"], folder, true);
    return out.code === 0 && out.stdout.trim() === "true";
  }

  async createTaskWorktree(options: { repo: string; stateDir: string; threadId: string; title: string }): Promise<TaskWorktree> {
    const { threadId, title } = options;
    if (!THREAD_ID.test(threadId)) {
      throw new WorktreeRefusal("bad-thread-id", `"${threadId}" cannot name a folder`);
    }
    const repo = await this.topLevel(options.repo);
    const head = await this.run(["symbolic-ref", "--quiet", "--short", "HEAD"], repo, true);
    if (head.code !== 0) {
      throw new WorktreeRefusal(
        "detached-head",
        "The workspace is not on a branch (detached HEAD), so there is no branch to merge back into.",
      );
    }
    const baseBranch = head.stdout.trim();
    const commit = await this.run(["rev-parse", "--verify", "--quiet", "HEAD^{commit}"], repo, true);
    if (commit.code !== 0) {
      throw new WorktreeRefusal("no-commits", `${baseBranch} has no commits yet to branch from.`);
    }
    const baseCommit = commit.stdout.trim();

    const path = join(worktreesFolder(options.stateDir, repo), threadId);
    if (isInside(path, repo)) {
      throw new WorktreeRefusal(
        "inside-workspace",
        `The state folder ${options.stateDir} is inside the workspace; task worktrees must live outside it.`,
      );
    }
    mkdirSync(dirname(path), { recursive: true });
    // Two tasks with one title created at once may pick the same free name; the loser of that
    // race finds the branch taken and picks the next one.
    for (let attempt = 0; ; attempt++) {
      const branch = await uniqueBranchName(title, (name) => this.branchExists(repo, name));
      try {
        await this.run(["worktree", "add", "-b", branch, "--", path, baseCommit], repo);
        return { repo, path, branch, baseBranch, baseCommit };
      } catch (error) {
        const lostRace = error instanceof GitError && (await this.branchExists(repo, branch));
        if (!lostRace || attempt >= 4 || existsSync(path)) throw error;
      }
    }
  }

  /** Files changed in the task vs its base commit, committed or not. */
  changedFiles(wt: TaskWorktree): Promise<ChangedFile[]> {
    // After `keep` (or a folder deleted by hand) only the branch is left to count.
    return existsSync(wt.path)
      ? changedSince(wt.path, wt.baseCommit, this.env)
      : changedSince(wt.repo, wt.baseCommit, this.env, wt.branch);
  }

  async mergeBack(wt: TaskWorktree, options: { strategy: "ff-only" | "merge-commit" }): Promise<MergeOutcome> {
    const head = await this.run(["symbolic-ref", "--quiet", "--short", "HEAD"], wt.repo, true);
    const current = head.code === 0 ? head.stdout.trim() : null;
    if (current !== wt.baseBranch) {
      throw new WorktreeRefusal(
        "wrong-branch",
        `The workspace is on ${current ?? "a detached HEAD"}, not ${wt.baseBranch}; switch it to ${wt.baseBranch} to merge.`,
      );
    }
    // Untracked files are left to git: it refuses on its own if the merge would overwrite one.
    const dirty = await uncommitted(wt.repo, this.env, false);
    if (dirty.length > 0) {
      throw new WorktreeRefusal(
        "workspace-dirty",
        `The workspace has uncommitted changes (${dirty.length} files); commit or stash them before merging.`,
        dirty,
      );
    }
    // Only commits merge: uncommitted work in the task would silently stay behind.
    const pending = await uncommitted(wt.path, this.env);
    if (pending.length > 0) {
      throw new WorktreeRefusal(
        "worktree-dirty",
        `The task has uncommitted changes (${pending.length} files); commit them before merging.`,
        pending,
      );
    }
    // Asked of the commit graph rather than read from git's message, which may be translated.
    if (options.strategy === "ff-only") {
      const ancestor = await this.run(["merge-base", "--is-ancestor", "HEAD", wt.branch], wt.repo, true);
      const upToDate = await this.run(["merge-base", "--is-ancestor", wt.branch, "HEAD"], wt.repo, true);
      if (ancestor.code === 1 && upToDate.code !== 0) {
        throw new WorktreeRefusal(
          "not-fast-forward",
          `${wt.baseBranch} has moved on since the task began, so it cannot be fast-forwarded; merge with a merge commit instead.`,
        );
      }
    }
    const args =
      options.strategy === "ff-only"
        ? ["merge", "--ff-only", wt.branch]
        : ["merge", "--no-ff", "--no-edit", "-m", `Merge branch '${wt.branch}'`, wt.branch];
    const before = await this.revParse(wt.repo, "HEAD");
    const merged = await this.run(args, wt.repo, true);
    if (merged.code !== 0) await this.failedMerge(wt, merged.stderr || merged.stdout);
    const after = await this.revParse(wt.repo, "HEAD");
    const parents = await this.run(["rev-list", "--parents", "-n", "1", "HEAD"], wt.repo);
    const isMergeCommit = parents.stdout.trim().split(" ").length > 2;
    return { commit: after, fastForward: after !== before && !isMergeCommit };
  }

  /** Removes the worktree, keeps the branch (and every commit on it). */
  async keep(wt: TaskWorktree, options: { force?: boolean } = {}): Promise<void> {
    if (!options.force) await this.refuseIfDirty(wt);
    await this.removeWorktree(wt, options.force === true);
  }

  /**
   * Removes the worktree and its branch. `confirmChangedFiles` is the number of changed files
   * the person was shown; if the task changed since, they are asked again. `force` removes
   * uncommitted work too, and is only for a person's explicit confirmation of exactly that.
   */
  async discard(wt: TaskWorktree, options: { confirmChangedFiles: number; force?: boolean }): Promise<void> {
    if (existsSync(wt.path) || (await this.branchExists(wt.repo, wt.branch))) {
      const changed = await this.changedFiles(wt);
      if (changed.length !== options.confirmChangedFiles) {
        throw new WorktreeRefusal(
          "count-mismatch",
          `The task has ${changed.length} changed files, not ${options.confirmChangedFiles}; ask again with the current count.`,
          changed.map((file) => file.path),
        );
      }
    }
    if (!options.force) await this.refuseIfDirty(wt);
    await this.removeWorktree(wt, options.force === true);
    if (await this.branchExists(wt.repo, wt.branch)) {
      await this.run(["branch", "-D", "--", wt.branch], wt.repo);
    }
  }

  /** Removes worktrees of threads that no longer exist, sparing any with uncommitted changes. */
  async cleanupOrphans(options: { repo: string; stateDir: string; liveThreadIds: Iterable<string> }): Promise<OrphanReport> {
    const repo = await this.topLevel(options.repo);
    const live = new Set(options.liveThreadIds);
    const folder = realOrSelf(worktreesFolder(options.stateDir, repo));
    const report: OrphanReport = { removed: [], spared: [] };
    await this.run(["worktree", "prune"], repo);
    for (const entry of await this.listWorktrees(repo)) {
      const path = realOrSelf(entry.path);
      if (dirname(path) !== folder) continue; // not one of ours
      const threadId = basename(path);
      if (live.has(threadId)) continue;
      const files = await uncommitted(path, this.env);
      if (files.length > 0) {
        report.spared.push({ threadId, path, branch: entry.branch, files });
        continue;
      }
      await this.run(["worktree", "remove", "--", path], repo);
      report.removed.push({ threadId, path, branch: entry.branch });
    }
    await this.run(["worktree", "prune"], repo);
    return report;
  }

  private async failedMerge(wt: TaskWorktree, gitMessage: string): Promise<never> {
    const unmerged = await this.run(["diff", "--name-only", "--diff-filter=U", "-z"], wt.repo, true);
    const files = unmerged.stdout.split("\0").filter(Boolean);
    if (files.length > 0) {
      // Leave the workspace as it was: the person resolves in the worktree or not at all.
      await this.run(["merge", "--abort"], wt.repo);
      throw new WorktreeRefusal(
        "conflict",
        `Merging ${wt.branch} into ${wt.baseBranch} conflicts in ${files.length} files; nothing was merged and the task's worktree is kept.`,
        files,
      );
    }
    throw new WorktreeRefusal("merge-failed", gitMessage.trim());
  }

  private async refuseIfDirty(wt: TaskWorktree): Promise<void> {
    if (!existsSync(wt.path)) return;
    const files = await uncommitted(wt.path, this.env);
    if (files.length > 0) {
      throw new WorktreeRefusal(
        "worktree-dirty",
        `The task has uncommitted changes in ${files.length} files; they would be lost.`,
        files,
      );
    }
  }

  private async removeWorktree(wt: TaskWorktree, force: boolean): Promise<void> {
    if (existsSync(wt.path)) {
      // Twice forced removes even a worktree git considers locked; only on explicit request.
      const flags = force ? ["--force", "--force"] : [];
      await this.run(["worktree", "remove", ...flags, "--", wt.path], wt.repo);
    }
    await this.run(["worktree", "prune"], wt.repo);
  }

  private async listWorktrees(repo: string): Promise<{ path: string; branch: string | null }[]> {
    const out = await this.run(["worktree", "list", "--porcelain", "-z"], repo);
    const entries: { path: string; branch: string | null }[] = [];
    for (const line of out.stdout.split("\0")) {
      if (line.startsWith("worktree ")) entries.push({ path: line.slice(9), branch: null });
      const last = entries[entries.length - 1];
      if (line.startsWith("branch refs/heads/") && last) last.branch = line.slice(18);
    }
    return entries;
  }

  private async topLevel(folder: string): Promise<string> {
    const out = existsSync(folder) ? await this.run(["rev-parse", "--show-toplevel"], folder, true) : null;
    if (!out || out.code !== 0) {
      throw new WorktreeRefusal("not-a-repository", `${folder} is not a git repository.`);
    }
    return realOrSelf(out.stdout.trim());
  }

  private async branchExists(repo: string, name: string): Promise<boolean> {
    const out = await this.run(["show-ref", "--verify", "--quiet", `refs/heads/${name}`], repo, true);
    return out.code === 0;
  }

  private async revParse(cwd: string, rev: string): Promise<string> {
    return (await this.run(["rev-parse", "--verify", rev], cwd)).stdout.trim();
  }

  private run(args: string[], cwd: string, allowFailure = false) {
    return git(cwd, args, { env: this.env, allowFailure });
  }
}

export { GitError };
export { worktreesFolder };

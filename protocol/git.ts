// Git from the phone: a task's own worktree, the Changes view, commit, push and pull request.
// Reads are sealed calls (`git-state`, `git-changes`, `git-diff`, `git-draft`); what changes the
// repository is a command a person sends (see `thread.ts`), applied with the computer's own git
// and credentials. Commands that may take long (commit hooks, a push, a pull request, a merge)
// are acknowledged once started; their progress and outcome are the `op` of `git-state`, and
// for a thread a `git` event in its history says who did what. The relay sees none of it.

import { z } from "./zod";
import { threadIdSchema } from "./schemas";

/** Most changed files a `git-changes` answer lists; more are counted in `more`. */
export const MAX_CHANGED_FILES = 2_000;
/** Largest diff text a `git-diff` answer carries; a longer one is cut and says so. */
export const MAX_GIT_DIFF_CHARS = 256 * 1024;
/** Most findings a commit refused for secrets lists (one `files` entry each). */
export const MAX_SECRETS_LISTED = 200;

/** Longest commit message or pull request body a phone may send. */
export const MAX_COMMIT_MESSAGE_CHARS = 20_000;

/**
 * Where a git call or command acts: a thread's worktree when `threadId` names a thread that has
 * one, else the workspace itself. A thread without a worktree acts on the workspace.
 */
const scope = { threadId: z.optional(threadIdSchema) };

/** A workspace-relative path with `/` separators. */
const gitPath = z.string().check(z.minLength(1), z.maxLength(4096));

/** Chosen by the phone for a command that runs a while, so it can find that run in `git-state`. */
export const gitOpIdSchema = z.string().check(z.minLength(8), z.maxLength(64), z.regex(/^[A-Za-z0-9_-]+$/));

export const changeKindSchema = z.enum([
  "modified",
  "added",
  "deleted",
  "renamed",
  "copied",
  "typechange",
  "untracked",
  "conflicted",
]);
export type GitChangeKind = z.infer<typeof changeKindSchema>;

/** One changed file in the Changes view's list (its diff comes with `git-diff`). */
export const changedFileSchema = z.strictObject({
  path: z.string(),
  /** The path before a rename or copy. */
  origPath: z.optional(z.string()),
  kind: changeKindSchema,
  /** Some of it is staged (HEAD against the index). */
  staged: z.boolean(),
  /** Some of it is not staged (the index against the working tree, or an untracked file). */
  unstaged: z.boolean(),
  /** Lines added and removed, staged and unstaged together; absent for binary files. */
  added: z.optional(z.int().check(z.gte(0))),
  removed: z.optional(z.int().check(z.gte(0))),
  binary: z.optional(z.boolean()),
});
export type ChangedFileInfo = z.infer<typeof changedFileSchema>;

/** What a person chose to do with a finished task's worktree. */
export const worktreeActionSchema = z.enum(["merge", "keep", "discard"]);
export type WorktreeAction = z.infer<typeof worktreeActionSchema>;

/** A thread's worktree as its history and summary know it. */
export const worktreeStateSchema = z.enum(["open", "merged", "kept", "discarded"]);
export type WorktreeState = z.infer<typeof worktreeStateSchema>;

/** The git actions a thread's history records, with who did them. */
export const gitActionSchema = z.enum([
  "worktree",
  "stage",
  "unstage",
  "commit",
  "push",
  "pull-request",
  "merge",
  "keep",
  "discard",
]);
export type GitAction = z.infer<typeof gitActionSchema>;

/** A command's run that takes a while, as `git-state` tells it. */
export const gitOpSchema = z.strictObject({
  opId: gitOpIdSchema,
  action: gitActionSchema,
  state: z.enum(["running", "done", "failed"]),
  /** Who sent it, by name. */
  by: z.string().check(z.maxLength(120)),
  startedAt: z.number(),
  endedAt: z.optional(z.number()),
  /** Git's last progress line while it runs ("Writing objects: 40% (2/5)"). */
  progress: z.optional(z.string().check(z.maxLength(500))),
  /** What happened, in words; git's own text when it failed. */
  message: z.optional(z.string().check(z.maxLength(8_000))),
  /** Why it failed, for the phone to offer the way out: `rejected`, `no-upstream`, `conflict`, … */
  code: z.optional(z.string().check(z.maxLength(40))),
  /** Files concerned: conflicting on a merge, uncommitted on a refused removal. */
  files: z.optional(z.array(z.string()).check(z.maxLength(200))),
  /** The new commit. */
  commit: z.optional(z.string().check(z.maxLength(64))),
  /** A pull request's link, or a compare link to open one. */
  url: z.optional(z.string().check(z.maxLength(2_000))),
});
export type GitOp = z.infer<typeof gitOpSchema>;

export const prCheckSchema = z.strictObject({
  name: z.string().check(z.maxLength(300)),
  /** `pass`, `fail`, `pending`, `skipping`, `cancel`, as `gh pr checks` says. */
  state: z.string().check(z.maxLength(40)),
  link: z.optional(z.string().check(z.maxLength(2_000))),
});
export type PrCheckInfo = z.infer<typeof prCheckSchema>;

/** A repository's state as the dashboard and the Changes view show it. */
export const gitStateResultSchema = z.strictObject({
  type: z.literal("git-state"),
  /** False when the workspace is not a git repository; nothing below is then set. */
  repository: z.boolean(),
  /** Absent when HEAD is detached. */
  branch: z.optional(z.string()),
  /** `origin/main`; absent when the branch has none. */
  upstream: z.optional(z.string()),
  ahead: z.int().check(z.gte(0)),
  behind: z.int().check(z.gte(0)),
  /** Files with any staged, unstaged or untracked change. */
  uncommitted: z.int().check(z.gte(0)),
  /** A thread's worktree: its branch's branch point and where it stands. */
  worktree: z.optional(
    z.strictObject({
      branch: z.string(),
      baseBranch: z.string(),
      baseCommit: z.string(),
      state: worktreeStateSchema,
      /** Commits on the branch since the branch point. */
      commits: z.int().check(z.gte(0)),
    }),
  ),
  /** The forge's link to open a pull request for this branch, when the remote is a known forge. */
  compareUrl: z.optional(z.string().check(z.maxLength(2_000))),
  /** The GitHub CLI is installed and logged in on the computer: a pull request can be created. */
  canCreatePullRequest: z.boolean(),
  /** The pull request opened from the phone for this branch, with its checks when asked for. */
  pullRequest: z.optional(
    z.strictObject({
      url: z.string().check(z.maxLength(2_000)),
      checks: z.optional(z.array(prCheckSchema).check(z.maxLength(100))),
    }),
  ),
  /** The newest command's run in this scope, running or ended. */
  op: z.optional(gitOpSchema),
});
export type GitStateResult = z.infer<typeof gitStateResultSchema>;

export const gitChangesResultSchema = z.strictObject({
  type: z.literal("git-changes"),
  files: z.array(changedFileSchema).check(z.maxLength(MAX_CHANGED_FILES)),
  /** Files past the list's limit. */
  more: z.int().check(z.gte(0)),
});
export type GitChangesResult = z.infer<typeof gitChangesResultSchema>;

export const gitDiffResultSchema = z.strictObject({
  type: z.literal("git-diff"),
  path: z.string(),
  side: z.enum(["staged", "unstaged"]),
  /** Unified diff of one file; empty for a binary file. */
  diff: z.string(),
  truncated: z.boolean(),
  binary: z.boolean(),
  /** Its hunks can be staged or unstaged one by one (`hunk` in `git-stage`/`git-unstage`). */
  hunks: z.int().check(z.gte(0)),
  /** Why it cannot go by hunk, when it cannot: too large, binary, untracked, renamed. */
  byHunk: z.optional(z.string().check(z.maxLength(200))),
});
export type GitDiffResult = z.infer<typeof gitDiffResultSchema>;

export const gitDraftResultSchema = z.strictObject({
  type: z.literal("git-draft"),
  kind: z.enum(["commit", "pull-request"]),
  /** A pull request's title, or a commit message's first line. */
  title: z.string().check(z.maxLength(300)),
  body: z.string().check(z.maxLength(MAX_COMMIT_MESSAGE_CHARS)),
  /** Who drafted it: the model's or agent's name. */
  by: z.string().check(z.maxLength(120)),
});
export type GitDraftResult = z.infer<typeof gitDraftResultSchema>;

/** The sealed calls of git (added to `rpcCallSchema`). */
export const gitCallSchemas = [
  /** Branch, ahead/behind, uncommitted count, the running op; `checks`: the pull request's checks too. */
  z.strictObject({ type: z.literal("git-state"), ...scope, checks: z.optional(z.boolean()) }),
  z.strictObject({ type: z.literal("git-changes"), ...scope }),
  z.strictObject({ type: z.literal("git-diff"), ...scope, path: gitPath, side: z.enum(["staged", "unstaged"]) }),
  /** A commit message for what is staged, or a pull request's title and body for the branch, drafted by a model. */
  z.strictObject({ type: z.literal("git-draft"), ...scope, kind: z.enum(["commit", "pull-request"]) }),
] as const;

/** The git commands (added to `commandSchema`). */
export const gitCommandSchemas = [
  /** Stages whole files, or one hunk of one file (its index in the unstaged diff). Answered once done. */
  z.strictObject({
    type: z.literal("git-stage"),
    ...scope,
    paths: z.array(gitPath).check(z.minLength(1), z.maxLength(MAX_CHANGED_FILES)),
    hunk: z.optional(z.int().check(z.gte(0))),
  }),
  /** Unstages whole files, or one hunk of one file (its index in the staged diff). Answered once done. */
  z.strictObject({
    type: z.literal("git-unstage"),
    ...scope,
    paths: z.array(gitPath).check(z.minLength(1), z.maxLength(MAX_CHANGED_FILES)),
    hunk: z.optional(z.int().check(z.gte(0))),
  }),
  /** Commits what is staged, with the computer's author and signing. */
  z.strictObject({
    type: z.literal("git-commit"),
    ...scope,
    opId: gitOpIdSchema,
    message: z.string().check(z.trim(), z.minLength(1), z.maxLength(MAX_COMMIT_MESSAGE_CHARS)),
    /**
     * The number of possible secrets the person was shown (a refused commit's `files`, code
     * `secrets`) and chose to commit anyway. The host commits only when it finds that many again.
     */
    secretsSeen: z.optional(z.int().check(z.gte(1), z.lte(MAX_SECRETS_LISTED))),
  }),
  /** Pushes the branch to its upstream, or sets one on `origin`. Never forced. */
  z.strictObject({ type: z.literal("git-push"), ...scope, opId: gitOpIdSchema }),
  /** Creates a pull request with the GitHub CLI on the computer (after pushing the branch). */
  z.strictObject({
    type: z.literal("git-pull-request"),
    ...scope,
    opId: gitOpIdSchema,
    title: z.string().check(z.trim(), z.minLength(1), z.maxLength(300)),
    body: z.string().check(z.maxLength(MAX_COMMIT_MESSAGE_CHARS)),
    /** The branch to merge into; the worktree's base branch or the remote's default when absent. */
    base: z.optional(z.string().check(z.maxLength(250))),
  }),
  /**
   * Ends a task's worktree: merge its branch back into the branch it came from (the worktree
   * stays on a conflict), keep the branch and remove the worktree, or discard both.
   * `changedFiles`: for discard, the count of changed files the person was shown; the host
   * refuses when it differs. `force`: remove the worktree although it has uncommitted changes
   * (asked for after a refusal that listed them).
   */
  z.strictObject({
    type: z.literal("worktree"),
    threadId: threadIdSchema,
    opId: gitOpIdSchema,
    action: worktreeActionSchema,
    strategy: z.optional(z.enum(["ff-only", "merge-commit"])),
    changedFiles: z.optional(z.int().check(z.gte(0))),
    force: z.optional(z.boolean()),
  }),
] as const;

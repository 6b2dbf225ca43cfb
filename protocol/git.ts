// Git from the phone: a task's own worktree, the Changes view, commit, push and pull request.
// Reads are sealed calls (`git-state`, `git-changes`, `git-diff`, `git-draft`); what changes the
// repository is a command a person sends (see `thread.ts`), applied with the computer's own git
// and credentials. Commands that may take long (commit hooks, a push, a pull request, a merge)
// are acknowledged once started; their progress and outcome are the `op` of `git-state`, and
// for a thread a `git` event in its history says who did what. The relay sees none of it.

import { z } from "zod";
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
const scope = { threadId: threadIdSchema.optional() };

/** A workspace-relative path with `/` separators. */
const gitPath = z.string().min(1).max(4096);

/** Chosen by the phone for a command that runs a while, so it can find that run in `git-state`. */
export const gitOpIdSchema = z
  .string()
  .min(8)
  .max(64)
  .regex(/^[A-Za-z0-9_-]+$/);

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
  origPath: z.string().optional(),
  kind: changeKindSchema,
  /** Some of it is staged (HEAD against the index). */
  staged: z.boolean(),
  /** Some of it is not staged (the index against the working tree, or an untracked file). */
  unstaged: z.boolean(),
  /** Lines added and removed, staged and unstaged together; absent for binary files. */
  added: z.number().int().min(0).optional(),
  removed: z.number().int().min(0).optional(),
  binary: z.boolean().optional(),
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
  by: z.string().max(120),
  startedAt: z.number(),
  endedAt: z.number().optional(),
  /** Git's last progress line while it runs ("Writing objects: 40% (2/5)"). */
  progress: z.string().max(500).optional(),
  /** What happened, in words; git's own text when it failed. */
  message: z.string().max(8_000).optional(),
  /** Why it failed, for the phone to offer the way out: `rejected`, `no-upstream`, `conflict`, … */
  code: z.string().max(40).optional(),
  /** Files concerned: conflicting on a merge, uncommitted on a refused removal. */
  files: z.array(z.string()).max(200).optional(),
  /** The new commit. */
  commit: z.string().max(64).optional(),
  /** A pull request's link, or a compare link to open one. */
  url: z.string().max(2_000).optional(),
});
export type GitOp = z.infer<typeof gitOpSchema>;

export const prCheckSchema = z.strictObject({
  name: z.string().max(300),
  /** `pass`, `fail`, `pending`, `skipping`, `cancel`, as `gh pr checks` says. */
  state: z.string().max(40),
  link: z.string().max(2_000).optional(),
});
export type PrCheckInfo = z.infer<typeof prCheckSchema>;

/** A repository's state as the dashboard and the Changes view show it. */
export const gitStateResultSchema = z.strictObject({
  type: z.literal("git-state"),
  /** False when the workspace is not a git repository; nothing below is then set. */
  repository: z.boolean(),
  /** Absent when HEAD is detached. */
  branch: z.string().optional(),
  /** `origin/main`; absent when the branch has none. */
  upstream: z.string().optional(),
  ahead: z.number().int().min(0),
  behind: z.number().int().min(0),
  /** Files with any staged, unstaged or untracked change. */
  uncommitted: z.number().int().min(0),
  /** A thread's worktree: its branch's branch point and where it stands. */
  worktree: z
    .strictObject({
      branch: z.string(),
      baseBranch: z.string(),
      baseCommit: z.string(),
      state: worktreeStateSchema,
      /** Commits on the branch since the branch point. */
      commits: z.number().int().min(0),
    })
    .optional(),
  /** The forge's link to open a pull request for this branch, when the remote is a known forge. */
  compareUrl: z.string().max(2_000).optional(),
  /** The GitHub CLI is installed and logged in on the computer: a pull request can be created. */
  canCreatePullRequest: z.boolean(),
  /** The pull request opened from the phone for this branch, with its checks when asked for. */
  pullRequest: z.strictObject({ url: z.string().max(2_000), checks: z.array(prCheckSchema).max(100).optional() }).optional(),
  /** The newest command's run in this scope, running or ended. */
  op: gitOpSchema.optional(),
});
export type GitStateResult = z.infer<typeof gitStateResultSchema>;

export const gitChangesResultSchema = z.strictObject({
  type: z.literal("git-changes"),
  files: z.array(changedFileSchema).max(MAX_CHANGED_FILES),
  /** Files past the list's limit. */
  more: z.number().int().min(0),
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
  hunks: z.number().int().min(0),
  /** Why it cannot go by hunk, when it cannot: too large, binary, untracked, renamed. */
  byHunk: z.string().max(200).optional(),
});
export type GitDiffResult = z.infer<typeof gitDiffResultSchema>;

export const gitDraftResultSchema = z.strictObject({
  type: z.literal("git-draft"),
  kind: z.enum(["commit", "pull-request"]),
  /** A pull request's title, or a commit message's first line. */
  title: z.string().max(300),
  body: z.string().max(MAX_COMMIT_MESSAGE_CHARS),
  /** Who drafted it: the model's or agent's name. */
  by: z.string().max(120),
});
export type GitDraftResult = z.infer<typeof gitDraftResultSchema>;

/** The sealed calls of git (added to `rpcCallSchema`). */
export const gitCallSchemas = [
  /** Branch, ahead/behind, uncommitted count, the running op; `checks`: the pull request's checks too. */
  z.strictObject({ type: z.literal("git-state"), ...scope, checks: z.boolean().optional() }),
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
    paths: z.array(gitPath).min(1).max(MAX_CHANGED_FILES),
    hunk: z.number().int().min(0).optional(),
  }),
  /** Unstages whole files, or one hunk of one file (its index in the staged diff). Answered once done. */
  z.strictObject({
    type: z.literal("git-unstage"),
    ...scope,
    paths: z.array(gitPath).min(1).max(MAX_CHANGED_FILES),
    hunk: z.number().int().min(0).optional(),
  }),
  /** Commits what is staged, with the computer's author and signing. */
  z.strictObject({
    type: z.literal("git-commit"),
    ...scope,
    opId: gitOpIdSchema,
    message: z.string().trim().min(1).max(MAX_COMMIT_MESSAGE_CHARS),
    /**
     * The number of possible secrets the person was shown (a refused commit's `files`, code
     * `secrets`) and chose to commit anyway. The host commits only when it finds that many again.
     */
    secretsSeen: z.number().int().min(1).max(MAX_SECRETS_LISTED).optional(),
  }),
  /** Pushes the branch to its upstream, or sets one on `origin`. Never forced. */
  z.strictObject({ type: z.literal("git-push"), ...scope, opId: gitOpIdSchema }),
  /** Creates a pull request with the GitHub CLI on the computer (after pushing the branch). */
  z.strictObject({
    type: z.literal("git-pull-request"),
    ...scope,
    opId: gitOpIdSchema,
    title: z.string().trim().min(1).max(300),
    body: z.string().max(MAX_COMMIT_MESSAGE_CHARS),
    /** The branch to merge into; the worktree's base branch or the remote's default when absent. */
    base: z.string().max(250).optional(),
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
    strategy: z.enum(["ff-only", "merge-commit"]).optional(),
    changedFiles: z.number().int().min(0).optional(),
    force: z.boolean().optional(),
  }),
] as const;

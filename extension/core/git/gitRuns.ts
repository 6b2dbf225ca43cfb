// The long git commands as they run in the background once acknowledged: commit, push, pull
// request, and a task worktree's end. Each returns how it ended in the person's terms (git's
// own words when it failed) and, for the thread's history, a line that says what was done.

import { MAX_SECRETS_LISTED, type GitAction, type WorktreeState } from "#protocol";
import { findingLines } from "../secrets/secretFindings";
import { hasHead } from "./changes";
import { createPullRequest } from "./forge";
import { remoteDefault, type PullRequestStore } from "./gitForge";
import type { OpOutcome } from "./gitOps";
import type { GitEventInput, ThreadWorktree } from "./gitThreads";
import { git } from "./run";
import { stagedSecrets } from "./stagedSecrets";
import { branchState, commit, push } from "./ship";
import { WorktreeRefusal, type TaskWorktrees } from "./worktrees";

/** A run's end, and what the thread's `git` event says of it. */
export interface RunResult extends OpOutcome {
  /** The action the history records (`merge`, `keep`, `discard` for a worktree's end). */
  action: GitAction;
  branch?: string;
  baseBranch?: string;
  /** The worktree's new state, when it changed. */
  worktreeState?: WorktreeState;
}

type IsSecret = (rel: string) => boolean;

/** The `git` event a run's end leaves in the thread's history (who did it is added by the caller). */
export function historyOf(result: RunResult): Omit<GitEventInput, "by"> {
  const { action, ok, message, branch, baseBranch, commit, files, url } = result;
  return {
    action,
    ok,
    text: message.slice(0, 8_000),
    ...(branch !== undefined ? { branch } : {}),
    ...(baseBranch !== undefined ? { baseBranch } : {}),
    ...(commit !== undefined ? { commit } : {}),
    ...(files && files.length > 0 ? { files: files.slice(0, 200) } : {}),
    ...(url !== undefined ? { url } : {}),
  };
}

/**
 * Commits what is staged, unless what it adds holds possible secrets the person has not
 * confirmed (`secretsSeen`: how many they were shown and chose to commit anyway).
 */
export async function runCommit(dir: string, message: string, isSecret: IsSecret, secretsSeen?: number): Promise<RunResult> {
  const refused = await refuseSecrets(dir, isSecret, secretsSeen);
  if (refused) return refused;
  const names = (await hasHead(dir))
    ? await git(dir, ["diff", "--cached", "--name-only", "-z", "-M"])
    : await git(dir, ["ls-files", "-z", "--cached"]);
  const files = names.stdout.split("\0").filter((p) => p !== "" && !isSecret(p));
  const done = await commit(dir, message);
  if (!done.ok) return { action: "commit", ok: false, code: done.code, message: done.message };
  const count = names.stdout.split("\0").filter(Boolean).length;
  const short = done.hash.slice(0, 7);
  const head = await git(dir, ["symbolic-ref", "--quiet", "--short", "HEAD"], { allowFailure: true });
  return {
    action: "commit",
    ok: true,
    ...(head.code === 0 ? { branch: head.stdout.trim() } : {}),
    message: `Committed ${plural(count, "file")} as ${short}: ${done.summary}`,
    commit: done.hash,
    files,
  };
}

/**
 * The commit refused with its findings (code `secrets`, one `files` entry a finding, at most
 * `MAX_SECRETS_LISTED`), or undefined when it may go ahead: nothing found, or as many findings as
 * the person confirmed. A secret file's name (.env) is not shown to phones, here either.
 */
async function refuseSecrets(dir: string, isSecret: IsSecret, seen: number | undefined): Promise<RunResult | undefined> {
  const scan = await stagedSecrets(dir);
  const found = scan.findings.map(({ path, finding }) => ({ finding, where: isSecret(path) ? "a secret file" : path }));
  const count = Math.min(found.length, MAX_SECRETS_LISTED);
  if (count === 0 || seen === count) return undefined;
  const changed = seen === undefined ? "" : `What is staged changed since you confirmed ${plural(seen, "possible secret")}. `;
  return {
    action: "commit",
    ok: false,
    code: "secrets",
    message:
      `${changed}Secret scan: what this commit adds holds ${plural(found.length, "possible secret")}:\n` +
      `${findingLines(found)}\n` +
      "Unstage them, or commit anyway if they are meant to be in the repository." +
      (scan.note ? ` (Note: ${scan.note}.)` : ""),
    files: found.slice(0, MAX_SECRETS_LISTED).map(({ finding, where }) => `${where}:${finding.line}`),
  };
}

export async function runPush(dir: string, onProgress: (line: string) => void): Promise<RunResult> {
  const pushed = await push(dir, { setUpstream: true, onProgress });
  if (!pushed.ok) return { action: "push", ok: false, code: pushed.code, message: pushed.message };
  return { action: "push", ok: true, message: `Pushed ${pushed.branch} to ${pushed.remote}`, branch: pushed.branch };
}

export interface PullRequestRun {
  dir: string;
  title: string;
  body: string;
  base?: string;
  worktree?: ThreadWorktree;
  store: PullRequestStore;
  ghPath?: string;
  onProgress: (line: string) => void;
}

/** Pushes the branch when the remote lacks some of it, then asks `gh` to open the request. */
export async function runPullRequest(run: PullRequestRun): Promise<RunResult> {
  const state = await branchState(run.dir);
  const branch = state.branch;
  if (branch === undefined) {
    return {
      action: "pull-request",
      ok: false,
      code: "detached",
      message: "HEAD is not on a branch: there is nothing to propose.",
    };
  }
  const base = run.base ?? run.worktree?.worktree.baseBranch ?? (await remoteDefault(run.dir));
  if (base === undefined) {
    return {
      action: "pull-request",
      ok: false,
      code: "no-base",
      message: "Name the branch to merge into: origin has no default branch here.",
    };
  }
  if (base === branch) {
    return {
      action: "pull-request",
      ok: false,
      code: "same-branch",
      message: `This is ${base} itself; a pull request needs a branch of its own.`,
    };
  }
  if (state.upstream === undefined || state.ahead > 0) {
    const pushed = await push(run.dir, { setUpstream: true, onProgress: run.onProgress });
    if (!pushed.ok) return { action: "pull-request", ok: false, code: pushed.code, message: pushed.message, branch };
  }
  const opened = await createPullRequest(
    run.dir,
    { title: run.title, body: run.body, base, head: branch },
    run.ghPath !== undefined ? { ghPath: run.ghPath } : {},
  );
  if (!opened.ok) {
    const result: RunResult = {
      action: "pull-request",
      ok: false,
      code: opened.code,
      message: opened.message,
      branch,
      baseBranch: base,
    };
    if (opened.compareLink !== undefined) result.url = opened.compareLink;
    return result;
  }
  run.store.set(branch, opened.url);
  return {
    action: "pull-request",
    ok: true,
    message: `Pull request opened: ${opened.url}`,
    url: opened.url,
    branch,
    baseBranch: base,
  };
}

export interface WorktreeRun {
  worktrees: TaskWorktrees;
  worktree: ThreadWorktree;
  action: "merge" | "keep" | "discard";
  strategy?: "ff-only" | "merge-commit";
  changedFiles?: number;
  force?: boolean;
  warn: (message: string, fields: Record<string, unknown>) => void;
}

export async function runWorktree(run: WorktreeRun): Promise<RunResult> {
  const wt = run.worktree.worktree;
  const names = { branch: wt.branch, baseBranch: wt.baseBranch };
  try {
    if (run.action === "merge") return { ...names, ...(await merge(run)) };
    if (run.action === "keep") {
      await run.worktrees.keep(wt, { force: run.force === true });
      return {
        ...names,
        action: "keep",
        ok: true,
        message: `Kept ${wt.branch}; its worktree was removed`,
        worktreeState: "kept",
      };
    }
    const count = run.changedFiles ?? -1;
    await run.worktrees.discard(wt, { confirmChangedFiles: count, force: run.force === true });
    const message = `Discarded ${wt.branch} and its worktree (${plural(count, "changed file")})`;
    return { ...names, action: "discard", ok: true, message, worktreeState: "discarded" };
  } catch (error) {
    if (!(error instanceof WorktreeRefusal)) throw error;
    const message = error.code === "conflict" ? `Could not merge: conflicts in ${error.files.join(", ")}` : error.message;
    return { ...names, action: run.action, ok: false, code: error.code, message, files: error.files };
  }
}

async function merge(run: WorktreeRun): Promise<RunResult> {
  const wt = run.worktree.worktree;
  // Without a choice, fast-forward when the base has not moved on, else make a merge commit.
  const strategy = run.strategy ?? ((await isAncestor(wt.repo, wt.baseBranch, wt.branch)) ? "ff-only" : "merge-commit");
  const merged = await run.worktrees.mergeBack(wt, { strategy });
  // The task is done: its folder goes, and its branch too, since every commit of it is merged.
  try {
    await run.worktrees.keep(wt);
    await git(wt.repo, ["branch", "-d", "--", wt.branch]);
  } catch (error) {
    run.warn("merged, but could not tidy the task's worktree", { error: (error as Error).message });
  }
  const how = merged.fastForward ? "fast-forward" : "merge commit";
  return {
    action: "merge",
    ok: true,
    message: `Merged ${wt.branch} into ${wt.baseBranch} (${how})`,
    commit: merged.commit,
    worktreeState: "merged",
  };
}

async function isAncestor(repo: string, ancestor: string, of: string): Promise<boolean> {
  const out = await git(repo, ["merge-base", "--is-ancestor", ancestor, of], { allowFailure: true });
  return out.code === 0;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}

import { git, GitError } from "./run";
import { parseStatus } from "./changesStatus";
import { classifyPushError, type PushFailure } from "./shipPushErrors";

export type CommitResult =
  | { ok: true; hash: string; summary: string }
  | { ok: false; code: "empty-message" | "nothing-staged" | "git-failed"; message: string };

/**
 * Commits what is staged. Author, committer and signing come from the repository's own git config,
 * exactly as a commit typed at the computer would; hooks run as they always do.
 */
export async function commit(repo: string, message: string): Promise<CommitResult> {
  if (message.trim() === "") return { ok: false, code: "empty-message", message: "Write a commit message first." };
  const staged = await git(repo, ["diff", "--cached", "--quiet"], { okCodes: [0, 1] });
  // A merge whose resolution matches HEAD still concludes with a commit, so only refuse outside one.
  const merging = await git(repo, ["rev-parse", "-q", "--verify", "MERGE_HEAD"], { okCodes: [0, 1] });
  if (staged.code === 0 && merging.code !== 0) {
    return { ok: false, code: "nothing-staged", message: "Nothing is staged to commit." };
  }
  try {
    // The message goes through stdin, so no character of it is ever read as an option.
    await git(repo, ["commit", "--quiet", "--file=-"], { input: message });
  } catch (error) {
    if (error instanceof GitError) return { ok: false, code: "git-failed", message: error.stderr.trim() || error.message };
    throw error;
  }
  const head = await git(repo, ["log", "-1", "--format=%H%x00%s"]);
  const [hash = "", summary = ""] = head.stdout.trimEnd().split("\0");
  return { ok: true, hash, summary };
}

export type PushResult =
  | { ok: true; remote: string; branch: string; upstream: string; progress: string[] }
  | ({ ok: false; progress: string[] } & PushFailure);

export interface PushOptions {
  /** With no upstream yet, push to `origin` under the same name and remember it as the upstream. */
  setUpstream?: boolean;
  /** Each progress line as git writes it ("Writing objects: 40% (2/5)"), for a live status. */
  onProgress?: (line: string) => void;
}

/** Pushes the current branch to its upstream with the computer's credentials. Never forces. */
export async function push(repo: string, options: PushOptions = {}): Promise<PushResult> {
  const head = await git(repo, ["symbolic-ref", "--quiet", "--short", "HEAD"], { okCodes: [0, 1] });
  const branch = head.stdout.trim();
  if (head.code !== 0 || branch === "") {
    return { ok: false, code: "detached", message: "HEAD is not on a branch: there is nothing to push to.", progress: [] };
  }
  let remote = await config(repo, `branch.${branch}.remote`);
  let mergeRef = await config(repo, `branch.${branch}.merge`);
  const args = ["push", "--progress"];
  if (remote === undefined || mergeRef === undefined || remote === ".") {
    if (!options.setUpstream) {
      return {
        ok: false,
        code: "no-upstream",
        message: `The branch ${branch} has no upstream branch yet: push it to origin to set one.`,
        progress: [],
      };
    }
    const origin = await git(repo, ["remote", "get-url", "origin"], { okCodes: [0, 2, 128] });
    if (origin.code !== 0) {
      return { ok: false, code: "no-remote", message: "This repository has no remote called origin.", progress: [] };
    }
    remote = "origin";
    mergeRef = `refs/heads/${branch}`;
    args.push("--set-upstream");
  }
  // An explicit refspec without "+" so push.default or a matching config never widens or forces it.
  args.push(remote, `refs/heads/${branch}:${mergeRef}`);
  try {
    const result = await git(repo, args, { env: { GIT_TERMINAL_PROMPT: "0" }, onStderr: lineSplitter(options.onProgress) });
    const upstream = `${remote}/${mergeRef.replace(/^refs\/heads\//, "")}`;
    return { ok: true, remote, branch, upstream, progress: progressLines(result.stderr) };
  } catch (error) {
    if (!(error instanceof GitError)) throw error;
    return { ok: false, ...classifyPushError(error.stderr), progress: progressLines(error.stderr) };
  }
}

/** Cuts streamed stderr into whole lines, at "\r" (progress redrawn in place) as well as "\n". */
function lineSplitter(onLine: ((line: string) => void) | undefined): ((text: string) => void) | undefined {
  if (!onLine) return undefined;
  let pending = "";
  return (text) => {
    pending += text;
    const parts = pending.split(/[\r\n]/);
    pending = parts.pop() ?? "";
    for (const part of parts) if (part.trim() !== "") onLine(part);
  };
}

/** Git rewrites progress in place with "\r": keep the last state of each line. */
export function progressLines(stderr: string): string[] {
  return stderr
    .split("\n")
    .map(
      (line) =>
        line
          .split("\r")
          .filter((part) => part.trim() !== "")
          .pop() ?? "",
    )
    .filter((line) => line.trim() !== "");
}

async function config(repo: string, key: string): Promise<string | undefined> {
  const result = await git(repo, ["config", "--get", key], { okCodes: [0, 1] });
  return result.code === 0 ? result.stdout.trim() : undefined;
}

/** What the host dashboard shows for a workspace. */
export interface BranchState {
  /** Undefined when HEAD is detached. */
  branch?: string;
  /** For example "origin/main"; undefined when there is none. */
  upstream?: string;
  ahead: number;
  behind: number;
  /** Files with any staged, unstaged or untracked change. */
  uncommitted: number;
  /** Undefined before the first commit. */
  head?: string;
}

export async function branchState(repo: string): Promise<BranchState> {
  const status = await git(repo, ["status", "--porcelain=v2", "--branch", "-z", "--untracked-files=all"]);
  const { entries, branch } = parseStatus(status.stdout);
  const state: BranchState = { ahead: branch.ahead ?? 0, behind: branch.behind ?? 0, uncommitted: entries.length };
  if (branch.head !== undefined && branch.head !== "(detached)") state.branch = branch.head;
  if (branch.upstream !== undefined) state.upstream = branch.upstream;
  if (branch.oid !== undefined && branch.oid !== "(initial)") state.head = branch.oid;
  return state;
}

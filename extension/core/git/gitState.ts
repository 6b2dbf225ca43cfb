// `git-state`: the dashboard's and the Changes view's header. Branch and counts, the task's
// worktree and its commits, where a pull request can be opened, the one opened already (with its
// checks when asked), and the newest run in the scope. The parts are read side by side.

import type { GitOp, GitStateResult } from "#protocol";
import { compareUrlFor, remoteDefault, type GhReadiness, type PullRequestStore } from "./gitForge";
import { prChecks } from "./forge";
import { visibleEntries } from "./gitReads";
import { isRepository, type GitScope } from "./gitScope";
import { git } from "./run";
import { branchState } from "./ship";

export interface StateSource {
  scope: GitScope;
  checks: boolean;
  isSecret: (rel: string) => boolean;
  gh: GhReadiness;
  pullRequests: PullRequestStore;
  op: GitOp | undefined;
  ghPath?: string;
}

export async function readState(source: StateSource): Promise<GitStateResult> {
  const { scope, op } = source;
  const withOp = op ? { op } : {};
  if (!(await isRepository(scope.dir))) {
    return { type: "git-state", repository: false, ahead: 0, behind: 0, uncommitted: 0, canCreatePullRequest: false, ...withOp };
  }
  const wt = scope.worktree;
  const [branch, entries, commits, ready] = await Promise.all([
    branchState(scope.dir),
    visibleEntries(scope.dir, source.isSecret),
    wt ? commitsSince(wt.worktree.repo, wt.worktree.baseCommit, wt.worktree.branch) : Promise.resolve(0),
    source.gh.ready(scope.dir),
  ]);
  const result: GitStateResult = {
    type: "git-state",
    repository: true,
    ahead: branch.ahead,
    behind: branch.behind,
    uncommitted: entries.length,
    canCreatePullRequest: ready,
    ...withOp,
  };
  if (branch.branch !== undefined) result.branch = branch.branch;
  if (branch.upstream !== undefined) result.upstream = branch.upstream;
  if (wt) {
    const { branch: wtBranch, baseBranch, baseCommit } = wt.worktree;
    result.worktree = { branch: wtBranch, baseBranch, baseCommit, state: wt.state, commits };
  }
  // Once a worktree is gone its scope reads the workspace, but its branch is still the one meant.
  const head = scope.live ? branch.branch : wt?.worktree.branch;
  if (head !== undefined) {
    const base = wt?.worktree.baseBranch ?? (await remoteDefault(scope.dir));
    const compareUrl = base !== undefined ? await compareUrlFor(scope.dir, base, head) : undefined;
    if (compareUrl !== undefined) result.compareUrl = compareUrl;
    const url = source.pullRequests.get(head);
    if (url !== undefined) {
      result.pullRequest = { url };
      if (source.checks) {
        const found = await prChecks(scope.dir, url, source.ghPath !== undefined ? { ghPath: source.ghPath } : {});
        if (found.ok) {
          result.pullRequest.checks = found.checks.slice(0, 100).map((check) => ({
            name: check.name.slice(0, 300),
            state: (check.bucket || check.state).slice(0, 40),
            ...(check.link !== undefined ? { link: check.link.slice(0, 2_000) } : {}),
          }));
        }
      }
    }
  }
  return result;
}

/** Commits on the task's branch since it began; 0 once the branch is gone. */
async function commitsSince(repo: string, baseCommit: string, branch: string): Promise<number> {
  const out = await git(repo, ["rev-list", "--count", `${baseCommit}..refs/heads/${branch}`], { allowFailure: true });
  return out.code === 0 ? Number(out.stdout.trim()) || 0 : 0;
}

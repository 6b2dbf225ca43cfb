// The host's git service: answers the phones' and the editor's git calls (state, Changes, one
// diff, a drafted message) and carries out their git commands in the scope they name (a task's
// worktree, or the workspace). Staging is done before the answer; commit, push, pull request and
// a worktree's end are acknowledged once started and run as an op the phone follows through
// `git-state`. What a thread's scope saw done is written to its history with who did it.

import {
  ErrorCode,
  TetherError,
  type DeviceRef,
  type GitChangesResult,
  type GitDiffResult,
  type GitDraftResult,
  type GitOp,
  type GitStateResult,
  type RpcCall,
} from "#protocol";
import type { Log } from "../log";
import { draftMessage } from "./gitDraft";
import { GhReadiness, PullRequestStore, remoteDefault } from "./gitForge";
import { GitOps } from "./gitOps";
import { fileDiff, listChangedFiles } from "./gitReads";
import { historyOf, runCommit, runPullRequest, runPush, runWorktree, type RunResult } from "./gitRuns";
import { requireLive, requireRepository, resolveScope, type GitScope } from "./gitScope";
import { readState } from "./gitState";
import { stageFiles } from "./gitStage";
import type { GitCommand, GitCommands, GitEventInput, GitThreads } from "./gitThreads";
import { TaskWorktrees } from "./worktrees";

export type GitCall = Extract<RpcCall, { type: "git-state" | "git-changes" | "git-diff" | "git-draft" }>;
export type GitCallResult = GitStateResult | GitChangesResult | GitDiffResult | GitDraftResult;

const GIT_CALLS: ReadonlySet<string> = new Set<GitCall["type"]>(["git-state", "git-changes", "git-diff", "git-draft"]);

export function isGitCall(call: RpcCall): call is GitCall {
  return GIT_CALLS.has(call.type);
}

export interface GitServiceOptions {
  threads: GitThreads;
  /** The workspace root (the mirror's, symlinks resolved). */
  root: string;
  /** This workspace's state folder: pull requests opened from a phone are remembered there. */
  stateDir: string;
  /** The mirror's secret rule: such paths are never listed, diffed or staged for a phone. */
  isSecret: (rel: string) => boolean;
  log: Log;
  worktrees?: TaskWorktrees;
  /** The GitHub CLI to run; `gh` on PATH by default. */
  ghPath?: string;
  now?: () => number;
  draftTimeoutMs?: number;
}

/** A line of git's progress meter: "Counting objects: 100% (4/4), done.", "Total 3 (delta 0)". */
const PROGRESS_LINE = /^(?:[A-Z][A-Za-z ]+: +\d|Total \d)/;

export class GitService implements GitCommands {
  readonly ops: GitOps;
  private readonly listeners = new Set<(op: GitOp, threadId: string | undefined) => void>();
  private readonly gh: GhReadiness;
  private readonly pullRequests: PullRequestStore;
  private readonly worktrees: TaskWorktrees;

  constructor(private readonly options: GitServiceOptions) {
    this.ops = new GitOps(options.now, (op, key) => {
      const threadId = key.startsWith("thread:") ? key.slice("thread:".length) : undefined;
      for (const listener of this.listeners) listener(op, threadId);
    });
    this.gh = new GhReadiness(options.ghPath, options.now);
    this.pullRequests = new PullRequestStore(options.stateDir);
    this.worktrees = options.worktrees ?? new TaskWorktrees();
  }

  /** Calls `listener` when a run starts or ends (its thread, or undefined for the workspace); returns the way to stop. */
  onOp(listener: (op: GitOp, threadId: string | undefined) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Answers a sealed git call. */
  call(call: GitCall): Promise<GitCallResult> {
    switch (call.type) {
      case "git-state":
        return this.state(call.threadId, call.checks === true);
      case "git-changes":
        return this.changes(call.threadId);
      case "git-diff":
        return this.diff(call.path, call.side, call.threadId);
      case "git-draft":
        return this.draft(call.kind, call.threadId);
    }
  }

  state(threadId?: string, checks = false): Promise<GitStateResult> {
    const scope = this.scope(threadId);
    return readState({
      scope,
      checks,
      isSecret: this.options.isSecret,
      gh: this.gh,
      pullRequests: this.pullRequests,
      op: this.ops.newest(opKey(scope, this.options.root)),
      ...(this.options.ghPath !== undefined ? { ghPath: this.options.ghPath } : {}),
    });
  }

  async changes(threadId?: string): Promise<GitChangesResult> {
    const scope = this.scope(threadId);
    await requireRepository(scope);
    return listChangedFiles(scope.dir, this.options.isSecret);
  }

  async diff(path: string, side: "staged" | "unstaged", threadId?: string): Promise<GitDiffResult> {
    const scope = this.scope(threadId);
    await requireRepository(scope);
    return fileDiff(scope.dir, path, side, this.options.isSecret);
  }

  async draft(kind: "commit" | "pull-request", threadId?: string): Promise<GitDraftResult> {
    const scope = this.scope(threadId);
    await requireRepository(scope);
    const base = kind === "pull-request" ? await this.draftBase(scope) : undefined;
    return draftMessage(
      () => this.options.threads.draftModel(threadId),
      { kind, dir: scope.dir, isSecret: this.options.isSecret, ...(base !== undefined ? { base } : {}) },
      this.options.draftTimeoutMs,
    );
  }

  /** Carries out a git command; long ones are started here and end in the background. */
  async handle(command: GitCommand, by: DeviceRef): Promise<void> {
    const scope = this.scope(command.threadId);
    if (command.type === "worktree") return this.worktreeCommand(command, scope, by);
    requireLive(scope);
    await requireRepository(scope);
    const key = opKey(scope, this.options.root);
    if (command.type === "git-stage" || command.type === "git-unstage") {
      // A push reads no index, so staging goes on while one runs; a commit or merge does.
      this.ops.ensureIdle([key, scope.dir], ["push", "pull-request"]);
      const done = await stageFiles(scope.dir, command, this.options.isSecret);
      this.record(scope, by, { action: command.type === "git-stage" ? "stage" : "unstage", ok: true, ...done });
      return;
    }
    if (this.ops.find(key, command.opId)) return; // the same command again: its run is already under way
    const dir = scope.dir;
    const work = (report: (line: string) => void): Promise<RunResult> => {
      if (command.type === "git-commit") return runCommit(dir, command.message, this.options.isSecret, command.secretsSeen);
      if (command.type === "git-push") return runPush(dir, report);
      return runPullRequest({
        dir,
        title: command.title,
        body: command.body,
        store: this.pullRequests,
        onProgress: report,
        ...(command.base !== undefined ? { base: command.base } : {}),
        ...(scope.worktree ? { worktree: scope.worktree } : {}),
        ...(this.options.ghPath !== undefined ? { ghPath: this.options.ghPath } : {}),
      });
    };
    const action = command.type === "git-commit" ? "commit" : command.type === "git-push" ? "push" : "pull-request";
    this.ops.start([key, dir], { opId: command.opId, action, by: by.name }, async (op) => {
      const result = await work((line) => {
        // Only counters ("Writing objects: 40% (2/5)"); the ref lines at the end are in the message.
        if (PROGRESS_LINE.test(line.trim())) this.ops.progress(op, line);
      });
      this.record(scope, by, historyOf(result));
      return result;
    });
  }

  private worktreeCommand(command: Extract<GitCommand, { type: "worktree" }>, scope: GitScope, by: DeviceRef): void {
    const { threads, root } = this.options;
    const threadWorktree = scope.worktree;
    if (!threadWorktree) throw new TetherError(ErrorCode.BadRequest, "This task has no worktree of its own.");
    const key = opKey(scope, root);
    if (this.ops.find(key, command.opId)) return;
    const endable = threadWorktree.state === "open" || (command.action === "discard" && threadWorktree.state === "kept");
    if (!endable) throw new TetherError(ErrorCode.Conflict, `This task's worktree was already ${threadWorktree.state}.`);
    if (threads.isActive(command.threadId)) {
      throw new TetherError(ErrorCode.Conflict, "The task is still running: stop the task first.");
    }
    if (command.action === "discard" && command.changedFiles === undefined) {
      throw new TetherError(ErrorCode.BadRequest, "Say how many changed files you were shown before discarding them.");
    }
    // A merge writes the workspace too, so nothing may run there meanwhile.
    const scopes = [key, threadWorktree.worktree.path, ...(command.action === "merge" ? [root] : [])];
    const action = command.action;
    this.ops.start(scopes, { opId: command.opId, action, by: by.name }, async () => {
      const result = await runWorktree({
        worktrees: this.worktrees,
        worktree: threadWorktree,
        action,
        warn: (message, fields) => this.options.log.warn(message, fields),
        ...(command.strategy !== undefined ? { strategy: command.strategy } : {}),
        ...(command.changedFiles !== undefined ? { changedFiles: command.changedFiles } : {}),
        ...(command.force !== undefined ? { force: command.force } : {}),
      });
      if (result.worktreeState) threads.setWorktreeState(command.threadId, result.worktreeState);
      this.record(scope, by, historyOf(result));
      return result;
    });
  }

  /** Appends a `git` event to the thread's history, when the command named a thread. */
  private record(scope: GitScope, by: DeviceRef, event: Omit<GitEventInput, "by">): void {
    if (scope.threadId === undefined) return;
    try {
      this.options.threads.recordGit(scope.threadId, { ...event, by });
    } catch (error) {
      this.options.log.warn("could not record a git event", { error: (error as Error).message });
    }
  }

  private async draftBase(scope: GitScope): Promise<string | undefined> {
    if (scope.worktree) return scope.worktree.worktree.baseCommit;
    const name = await remoteDefault(scope.dir);
    return name === undefined ? undefined : `refs/remotes/origin/${name}`;
  }

  private scope(threadId: string | undefined): GitScope {
    return resolveScope(this.options.threads, this.options.root, threadId);
  }
}

/** Where a scope's runs are found: by thread when one is named (its folder may go), else by folder. */
function opKey(scope: GitScope, root: string): string {
  return scope.threadId !== undefined ? `thread:${scope.threadId}` : root;
}

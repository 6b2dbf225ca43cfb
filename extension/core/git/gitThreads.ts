// Where the git service meets the threads: the commands it takes from the thread manager, and
// what it needs of the threads (a thread's worktree, its history, the model that drafts a
// message). Kept apart so neither side imports the other's class.

import type { Command, DeviceRef, NewThreadEvent, WorktreeState } from "#protocol";
import type { ModelPort } from "../agent/model/port";
import type { TaskWorktree } from "./worktrees";

export type GitCommand = Extract<
  Command,
  { type: "git-stage" | "git-unstage" | "git-commit" | "git-push" | "git-pull-request" | "worktree" }
>;

const GIT_COMMANDS: ReadonlySet<Command["type"]> = new Set<GitCommand["type"]>([
  "git-stage",
  "git-unstage",
  "git-commit",
  "git-push",
  "git-pull-request",
  "worktree",
]);

export function isGitCommand(command: Command): command is GitCommand {
  return GIT_COMMANDS.has(command.type);
}

/** A `git` event as the git service records it; the thread stamps its time. */
export type GitEventInput = Omit<Extract<NewThreadEvent, { type: "git" }>, "type">;

/** A thread's worktree and where it stands. */
export interface ThreadWorktree {
  worktree: TaskWorktree;
  state: WorktreeState;
}

/** What the git service needs of the threads; the thread manager provides it. */
export interface GitThreads {
  /** The thread's worktree; undefined for a thread that runs in the workspace. Throws NotFound for no such thread. */
  worktreeOf(threadId: string): ThreadWorktree | undefined;
  /** The thread is running or queued, so its worktree may still change under a merge. */
  isActive(threadId: string): boolean;
  /** Appends a `git` event to the thread's history. */
  recordGit(threadId: string, event: GitEventInput): void;
  /** The worktree was merged, kept or discarded. */
  setWorktreeState(threadId: string, state: WorktreeState): void;
  /**
   * The model a draft is written with: the thread's own when it runs Tether's agent, else the
   * host's default. Throws `ModelNotConfigured` when the computer has none.
   */
  draftModel(threadId?: string): ModelPort;
}

/** The git service as the thread manager routes phones' and the editor's git commands to it. */
export interface GitCommands {
  handle(command: GitCommand, by: DeviceRef): Promise<void>;
}

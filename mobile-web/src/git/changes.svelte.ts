// One Changes view's state: the list of changed files (from `git-changes` alone, so the first
// rows come with one call), where the branch stands (`git-state`), and the long command this
// phone runs there, followed until it ends. The screens only render it.

import type { GitChangesResult, GitOp, GitStateResult } from "#protocol";
import { groupChanges } from "./changeGroups";
import type { GitCommand, GitLink, GitScope } from "./gitLink";
import { followOp, newOpId } from "./opPoll";

/** A long command this phone started here: running (with git's progress line), then its end. */
export interface RunView {
  opId: string;
  action: GitOp["action"];
  progress?: string | undefined;
  /** The run as it ended; absent while it runs. */
  ended?: GitOp;
  /** The run could not be started or followed, in words. */
  error?: string;
}

type LongCommand = Extract<GitCommand, { opId: string }>;
/** A long command before it has its run's id. */
export type LongCommandInput = LongCommand extends infer C ? (C extends LongCommand ? Omit<C, "opId"> : never) : never;

export class ChangesModel {
  state = $state.raw<GitStateResult | null>(null);
  changes = $state.raw<GitChangesResult | null>(null);
  readonly groups = $derived(groupChanges(this.changes?.files ?? []));
  /** Why the list or the branch could not be read, in words. */
  error = $state<string | null>(null);
  /** Why staging or unstaging did not go through, in words. */
  stageError = $state<string | null>(null);
  /** Paths being staged or unstaged right now. */
  pending = $state.raw<readonly string[]>([]);
  run = $state.raw<RunView | null>(null);

  readonly #stop = new AbortController();

  constructor(
    readonly git: GitLink,
    readonly scope: GitScope,
  ) {}

  get running(): boolean {
    return this.run !== null && !this.run.ended && !this.run.error;
  }

  /** Reads list and state side by side: the list shows as soon as it is here. */
  async load(): Promise<void> {
    this.error = null;
    await Promise.all([this.loadChanges(), this.loadState()]);
  }

  async loadChanges(): Promise<void> {
    try {
      this.changes = await this.git.changes(this.scope);
    } catch (error) {
      this.error = this.git.describe(this.scope.hostId, error);
    }
  }

  async loadState(checks = false): Promise<void> {
    try {
      this.state = await this.git.state(this.scope, checks);
    } catch (error) {
      this.error = this.git.describe(this.scope.hostId, error);
    }
  }

  /** Stages (or unstages) whole files, or one hunk of one file; the list is read again after. */
  async stage(paths: string[], stage: boolean, hunk?: number): Promise<boolean> {
    this.stageError = null;
    this.pending = [...this.pending, ...paths];
    try {
      await this.git.send(this.scope.hostId, {
        type: stage ? "git-stage" : "git-unstage",
        ...(this.scope.threadId ? { threadId: this.scope.threadId } : {}),
        paths,
        ...(hunk !== undefined ? { hunk } : {}),
      });
      await Promise.all([this.loadChanges(), this.loadState()]);
      return true;
    } catch (error) {
      this.stageError = this.git.describe(this.scope.hostId, error);
      return false;
    } finally {
      this.pending = this.pending.filter((p) => !paths.includes(p));
    }
  }

  /**
   * Starts a long command and follows its run to the end; resolves with the ended run, or null
   * when it could not be sent or followed (`run.error` says why).
   */
  async start(command: LongCommandInput): Promise<GitOp | null> {
    const opId = newOpId();
    const action = command.type === "worktree" ? command.action : ACTIONS[command.type];
    this.run = { opId, action };
    try {
      await this.git.send(this.scope.hostId, { ...command, opId } as LongCommand);
      const ended = await followOp(opId, {
        read: () => this.git.state(this.scope),
        sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
        now: () => Date.now(),
        onState: (state) => {
          this.state = state;
          const op = state.op?.opId === opId ? state.op : undefined;
          if (this.run?.opId === opId) this.run = { ...this.run, progress: op?.progress };
        },
        signal: this.#stop.signal,
      });
      if (this.run?.opId === opId) this.run = { opId, action, ended };
      await this.load();
      return ended;
    } catch (error) {
      if (this.run?.opId === opId) this.run = { opId, action, error: this.git.describe(this.scope.hostId, error) };
      return null;
    }
  }

  dismissRun(): void {
    if (!this.running) this.run = null;
  }

  /** The screen is gone: stop following (the command itself goes on on the computer). */
  close(): void {
    this.#stop.abort();
  }
}

const ACTIONS = {
  "git-commit": "commit",
  "git-push": "push",
  "git-pull-request": "pull-request",
} as const;

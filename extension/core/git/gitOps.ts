// The runs of long git commands (commit, push, pull request, a worktree's end), by scope: one at
// a time per folder, so a commit never races a merge for git's index lock. A phone reads the
// newest run of its scope through `git-state.op`; ended runs stay readable for a while.

import { ErrorCode, TetherError, type GitAction, type GitOp } from "#protocol";

/** Ended runs kept per scope, newest last. */
const KEEP_ENDED = 10;
const MAX_MESSAGE = 8_000;
const MAX_PROGRESS = 500;
const MAX_FILES = 200;

/** How a run ended, as the phone reads it. */
export interface OpOutcome {
  ok: boolean;
  message: string;
  code?: string;
  files?: readonly string[];
  commit?: string;
  url?: string;
}

const NOUN: Record<GitAction, string> = {
  worktree: "a worktree change",
  stage: "staging",
  unstage: "unstaging",
  commit: "a commit",
  push: "a push",
  "pull-request": "a pull request",
  merge: "a merge",
  keep: "the worktree's removal",
  discard: "the worktree's removal",
};

export class GitOps {
  private readonly byScope = new Map<string, GitOp[]>();
  private readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly now: () => number = Date.now,
    /** A run started or ended, with the scope `git-state` finds it in (the editor refreshes on it). */
    private readonly changed: (op: GitOp, scope: string) => void = () => undefined,
  ) {}

  /** The newest run in a scope (a folder), running or ended. */
  newest(scope: string): GitOp | undefined {
    const ops = this.byScope.get(scope);
    const op = ops?.[ops.length - 1];
    return op ? { ...op, ...(op.files ? { files: [...op.files] } : {}) } : undefined;
  }

  /** Refuses when a run is going on in any of these scopes (other than the actions let through). */
  ensureIdle(scopes: readonly string[], allowed: readonly GitAction[] = []): void {
    for (const scope of scopes) {
      const running = this.byScope.get(scope)?.find((op) => op.state === "running" && !allowed.includes(op.action));
      if (running) {
        throw new TetherError(ErrorCode.Conflict, `${capital(NOUN[running.action])} is running here; wait until it ends.`);
      }
    }
  }

  /** A run already started with this id in the scope (a command sent twice). */
  find(scope: string, opId: string): GitOp | undefined {
    return this.byScope.get(scope)?.find((op) => op.opId === opId);
  }

  /**
   * Starts a run in its scopes (the first is where `git-state` finds it; a merge also holds the
   * workspace it merges into) and works on it in the background; refused when one is running.
   */
  start(scopes: readonly string[], base: Pick<GitOp, "opId" | "action" | "by">, work: (op: GitOp) => Promise<OpOutcome>): GitOp {
    this.ensureIdle(scopes);
    const op: GitOp = { ...base, state: "running", startedAt: this.now() };
    for (const scope of new Set(scopes)) {
      const ops = this.byScope.get(scope) ?? [];
      ops.push(op);
      for (let at = ops.findIndex((o) => o.state !== "running"); ops.length > KEEP_ENDED + 1 && at >= 0;) {
        ops.splice(at, 1);
        at = ops.findIndex((o) => o.state !== "running");
      }
      this.byScope.set(scope, ops);
    }
    this.changed({ ...op }, scopes[0] ?? "");
    const done = work(op)
      .catch((error: unknown): OpOutcome => ({ ok: false, message: (error as Error).message || String(error), code: "failed" }))
      .then((outcome) => {
        this.end(op, outcome);
        this.changed({ ...op }, scopes[0] ?? "");
      });
    this.pending.add(done);
    void done.finally(() => this.pending.delete(done));
    return op;
  }

  /** Git's newest progress line for a running op. */
  progress(op: GitOp, line: string): void {
    if (op.state === "running") op.progress = line.trim().slice(0, MAX_PROGRESS);
  }

  /** Resolves when every run started so far has ended (tests, and a host closing). */
  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  private end(op: GitOp, outcome: OpOutcome): void {
    op.state = outcome.ok ? "done" : "failed";
    op.endedAt = this.now();
    op.message = outcome.message.slice(0, MAX_MESSAGE);
    if (outcome.code !== undefined) op.code = outcome.code.slice(0, 40);
    if (outcome.files && outcome.files.length > 0) op.files = outcome.files.slice(0, MAX_FILES);
    if (outcome.commit !== undefined) op.commit = outcome.commit;
    if (outcome.url !== undefined) op.url = outcome.url;
  }
}

function capital(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

// A long git command (commit, push, pull request, the end of a worktree) is acknowledged as soon
// as it starts; how it goes is read back from `git-state`, whose `op` is the newest run in that
// scope. This follows one run, found by the id the phone chose, until it ends.

import { ErrorCode, TetherError, randomId, type GitOp, type GitStateResult } from "#protocol";

/** How often a running command's state is read: about every second, as a person watches it. */
export const OP_POLL_MS = 1_000;
/** Reads that fail in a row before the phone gives up following (the run goes on regardless). */
export const OP_POLL_FAILURES = 5;
/** How long to follow a run before saying it is taking long (a push over a slow link can). */
export const OP_POLL_LIMIT_MS = 10 * 60_000;

export interface OpPollDeps {
  read(): Promise<GitStateResult>;
  sleep(ms: number): Promise<void>;
  now(): number;
  /** Each state read while the run is on, for its progress line. */
  onState?(state: GitStateResult): void;
  signal?: AbortSignal;
}

/** An id for a run, in the shape `gitOpIdSchema` takes. */
export const newOpId = (): string => randomId(12);

/** The run `opId` in a state, if it is the one there. */
export const opOf = (state: GitStateResult, opId: string): GitOp | undefined => (state.op?.opId === opId ? state.op : undefined);

/**
 * Reads `git-state` until the run `opId` is done or failed, and returns that run. A read that
 * fails is tried again; `OP_POLL_FAILURES` in a row end the wait with the last error.
 */
export async function followOp(opId: string, deps: OpPollDeps, intervalMs = OP_POLL_MS): Promise<GitOp> {
  const until = deps.now() + OP_POLL_LIMIT_MS;
  let failures = 0;
  for (;;) {
    if (deps.signal?.aborted) throw new TetherError(ErrorCode.Timeout, "Stopped following the command.");
    let state: GitStateResult | null = null;
    try {
      state = await deps.read();
      failures = 0;
    } catch (error) {
      if (++failures >= OP_POLL_FAILURES) throw error;
    }
    if (state) {
      const op = opOf(state, opId);
      if (op && op.state !== "running") return op;
      deps.onState?.(state);
    }
    if (deps.now() >= until) {
      throw new TetherError(ErrorCode.Timeout, "This is taking long. It goes on on the computer; look again later.");
    }
    await deps.sleep(intervalMs);
  }
}

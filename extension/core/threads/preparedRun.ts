// A run that first gets its place ready (a task's git worktree, which a big checkout may take a
// while to make) and then runs. The queue starts it like any run, so the command that asked for
// the task is answered at once and nothing else waits for git.

import { ErrorCode, TetherError, type Decision, type DeviceRef } from "#protocol";
import type { ThreadRun } from "./runQueue";
import type { Thread } from "./thread";

export class PreparedRun implements ThreadRun {
  private inner: ThreadRun | undefined;
  private stopped: { by: DeviceRef; detail: string | undefined } | undefined;

  constructor(
    private readonly thread: Thread,
    /** Makes the place and the run in it; undefined when the run could not be made (the thread says why). */
    private readonly prepare: () => Promise<ThreadRun | undefined>,
  ) {}

  async run(): Promise<void> {
    const { thread } = this;
    let inner: ThreadRun | undefined;
    try {
      inner = await this.prepare();
    } catch (err) {
      thread.append({ type: "error", message: (err as Error).message });
      thread.setStatus("failed");
      return;
    }
    if (!inner) return;
    if (this.stopped) {
      const { by, detail } = this.stopped;
      thread.setStatus("stopped", detail ?? `stopped by ${by.name} before it started`);
      return;
    }
    this.inner = inner;
    await inner.run();
  }

  stop(by: DeviceRef, detail?: string): void {
    if (this.inner) this.inner.stop(by, detail);
    else this.stopped ??= { by, detail };
  }

  decide(approvalId: string, decision: Decision, message: string | undefined, by: DeviceRef, optionId?: string): void {
    this.started().decide(approvalId, decision, message, by, optionId);
  }

  answer(questionId: string, text: string, by: DeviceRef): void {
    this.started().answer(questionId, text, by);
  }

  private started(): ThreadRun {
    if (this.inner) return this.inner;
    throw new TetherError(ErrorCode.Conflict, "The task is still getting its worktree ready; nothing waits for a decision yet.");
  }
}

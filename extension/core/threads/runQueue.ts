// The runs of one workspace's threads: at most `maxParallel` at once, the rest waiting in the
// order they came. It knows runs only as something that runs to its end and can be stopped, so
// any kind of run (Tether's own model loop, an outside agent) queues the same way.

import type { Decision, DeviceRef } from "#protocol";

export interface QueuedRun {
  /** Runs to the end; never rejects. */
  run(): Promise<void>;
  stop(by: DeviceRef, detail?: string): void;
}

/** A run of a thread, Tether's own model loop or an outside agent's session, as the manager steers it. */
export interface ThreadRun extends QueuedRun {
  /** A person's decision on the pending approval. Throws a `TetherError` when there is nothing to decide. */
  decide(approvalId: string, decision: Decision, message: string | undefined, by: DeviceRef, optionId?: string): void;
  /** A person's answer to the pending question. Throws when there is none. */
  answer(questionId: string, text: string, by: DeviceRef): void;
}

export interface RunQueueOptions<R extends QueuedRun> {
  maxParallel: number;
  /** Makes the thread's run, or ends the thread (failed) and gives nothing when it cannot run. */
  start: (threadId: string) => R | undefined;
  /** The thread's run has ended (its status says how). */
  ended: (threadId: string) => void;
}

export class RunQueue<R extends QueuedRun> {
  private readonly waiting: string[] = [];
  private readonly runs = new Map<string, R>();
  private readonly idle = new Set<() => void>();
  private closed = false;

  constructor(private readonly options: RunQueueOptions<R>) {}

  /** Puts the thread last in line; `pump()` starts what may start. */
  enqueue(threadId: string): void {
    this.waiting.push(threadId);
  }

  /** The thread's run while it runs. */
  running(threadId: string): R | undefined {
    return this.runs.get(threadId);
  }

  /** Takes the thread out of the line before it started; false when it was not waiting. */
  dequeue(threadId: string): boolean {
    const at = this.waiting.indexOf(threadId);
    if (at < 0) return false;
    this.waiting.splice(at, 1);
    return true;
  }

  get busy(): boolean {
    return this.runs.size > 0 || this.waiting.length > 0;
  }

  /** Resolves when no thread is running or queued. */
  whenIdle(): Promise<void> {
    if (!this.busy) return Promise.resolve();
    return new Promise((resolve) => this.idle.add(resolve));
  }

  /** Empties the line, stops every run with `detail`, and resolves once they have ended. */
  async stopAll(by: DeviceRef, detail: string): Promise<void> {
    this.closed = true;
    this.waiting.length = 0;
    for (const run of [...this.runs.values()]) run.stop(by, detail);
    await this.whenIdle();
  }

  /** Starts runs while there is room and a thread waiting; tells `whenIdle` when none is left. */
  pump(): void {
    // A thread whose last run is still closing up (its status already says it ended) waits for
    // it: two runs of one thread would share its agent session, and the first one's end would
    // take it from the second.
    const later: string[] = [];
    while (!this.closed && this.runs.size < this.options.maxParallel && this.waiting.length > 0) {
      const id = this.waiting.shift()!;
      if (this.runs.has(id)) {
        later.push(id);
        continue;
      }
      const run = this.options.start(id);
      if (!run) continue;
      this.runs.set(id, run);
      void run.run().finally(() => {
        this.runs.delete(id);
        this.options.ended(id);
        this.pump();
      });
    }
    this.waiting.unshift(...later);
    if (!this.busy) {
      for (const resolve of [...this.idle]) resolve();
      this.idle.clear();
    }
  }
}

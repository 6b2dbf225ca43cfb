// Keeps the computer from sleeping while the agent has work: a task running, waiting for a
// person, or queued. A laptop that dozes off mid-run stops the agent and the relay link with
// it, and the phone would only see "offline". Released as soon as every thread has ended.

import { ENDED_STATUSES, type ThreadSummary } from "#protocol";
import { DisposableStore, listen } from "../disposable";
import type { Log } from "../log";

/** Holds the platform's sleep inhibitor while acquired. */
export interface SleepInhibitor {
  /** Starts inhibiting sleep; the returned function stops it. Throws when the platform cannot. */
  acquire(reason: string): () => void;
}

/** The thread manager's summary stream (every status change comes with one). */
export interface ThreadSource {
  on(event: "summary", listener: (summary: ThreadSummary) => void): unknown;
  off(event: "summary", listener: (summary: ThreadSummary) => void): unknown;
}

export class KeepAwake {
  private release: (() => void) | undefined;
  private readonly busy = new Set<string>();
  private failed = false;
  private readonly disposables = new DisposableStore();
  private readonly onSummary = (summary: ThreadSummary): void => this.update(summary.threadId, summary.status);

  constructor(
    private readonly inhibitor: SleepInhibitor,
    threads: ThreadSource,
    initial: readonly { threadId: string; status: ThreadSummary["status"] }[],
    private readonly log: Log,
  ) {
    for (const t of initial) if (!ENDED_STATUSES.includes(t.status)) this.busy.add(t.threadId);
    this.disposables.add(listen(threads, "summary", this.onSummary));
    this.disposables.defer(() => {
      this.release?.();
      this.release = undefined;
    });
    this.apply();
  }

  /** Whether sleep is being held off right now. */
  get holding(): boolean {
    return this.release !== undefined;
  }

  private update(threadId: string, status: ThreadSummary["status"]): void {
    if (ENDED_STATUSES.includes(status)) this.busy.delete(threadId);
    else this.busy.add(threadId);
    this.apply();
  }

  private apply(): void {
    if (this.disposables.isDisposed) return;
    if (this.busy.size > 0 && !this.release && !this.failed) {
      try {
        this.release = this.inhibitor.acquire("A Tether agent task is running");
        this.log.info("keeping the computer awake while tasks run", { tasks: this.busy.size });
      } catch (err) {
        // Once: the platform has no way (no systemd-inhibit in a container, say); runs go on.
        this.failed = true;
        this.log.warn("cannot keep the computer awake", { error: (err as Error).message });
      }
    } else if (this.busy.size === 0 && this.release) {
      this.release();
      this.release = undefined;
      this.log.info("no task running: the computer may sleep again");
    }
  }

  /** Idempotent: releases the inhibitor and stops listening. */
  close(): void {
    this.disposables.dispose();
  }
}

// The requests behind the feed's items. A thread summary says only that an approval waits and a
// one-line title; the card needs the request (command, diff, the gate's reason) and a question
// needs its id. Both are events this phone already has: it catches up every paired computer's
// threads and the relay forwards their new events. They are read from storage, newest part first,
// and only for threads where something waits.

import type { CachedThread } from "./cache";
import type { NumberedEvent } from "./timelineItems";
import { detailIncomplete, threadKey, waitingDetail, type WaitingDetail } from "./waiting";

/** How many of a thread's newest events are read first; the whole thread only when they miss something. */
export const TAIL_EVENTS = 200;

export type ReadEvents = (hostId: string, threadId: string, afterSeq: number) => Promise<readonly NumberedEvent[]>;

const waits = (t: CachedThread): boolean => (t.summary?.pending.length ?? 0) > 0 || t.summary?.question !== undefined;
// What the phone knows of a thread changes with either: new events stored, or a new summary.
const versionOf = (t: CachedThread): string => `${t.seq}:${t.summary?.lastSeq ?? 0}:${t.summary?.updatedAt ?? 0}`;

export class WaitingDetails {
  /** By `threadKey`; replaced whole on change. */
  details: Readonly<Record<string, WaitingDetail>> = {};

  readonly #versions = new Map<string, string>();
  #latest: readonly CachedThread[] = [];
  #running: Promise<void> | null = null;

  /** `changed` is told each new set of details (a screen keeps them in its state). */
  constructor(
    private readonly read: ReadEvents,
    private readonly changed: (details: Readonly<Record<string, WaitingDetail>>) => void = () => undefined,
  ) {}

  /** Brings the details up to date with these threads; calls made meanwhile are folded into one more pass. */
  sync(threads: readonly CachedThread[]): Promise<void> {
    this.#latest = threads;
    this.#running ??= this.#run().finally(() => (this.#running = null));
    return this.#running;
  }

  async #run(): Promise<void> {
    for (;;) {
      const threads = this.#latest.filter(waits);
      const stale = threads.filter((t) => this.#versions.get(threadKey(t.hostId, t.threadId)) !== versionOf(t));
      const keep = new Set(threads.map((t) => threadKey(t.hostId, t.threadId)));
      const gone = [...this.#versions.keys()].filter((k) => !keep.has(k));
      if (stale.length === 0 && gone.length === 0) return;
      const loaded = await Promise.all(stale.map((t) => this.#load(t).catch(() => null)));
      const next = { ...this.details };
      for (const key of gone) {
        delete next[key];
        this.#versions.delete(key);
      }
      stale.forEach((t, i) => {
        const detail = loaded[i];
        const key = threadKey(t.hostId, t.threadId);
        this.#versions.set(key, versionOf(t));
        // Storage failed: tried again with the thread's next change, the summary's line shown meanwhile.
        if (detail) next[key] = detail;
      });
      this.details = next;
      this.changed(next);
    }
  }

  async #load(thread: CachedThread): Promise<WaitingDetail> {
    const last = Math.max(thread.seq, thread.summary?.lastSeq ?? 0);
    const tail = waitingDetail(await this.read(thread.hostId, thread.threadId, Math.max(0, last - TAIL_EVENTS)));
    if (last <= TAIL_EVENTS || !detailIncomplete(thread, tail)) return tail;
    return waitingDetail(await this.read(thread.hostId, thread.threadId, 0));
  }
}

// The phone's threads: summaries of every thread of every paired host, and the events of
// the thread on screen. Everything is kept in IndexedDB, so threads read offline, and each
// thread remembers how far it is complete, so catching up asks only for what is missing.

import { threadRecordKey, type ThreadSummary } from "#protocol";
import { type Database, Stores } from "../store/db";
import { contiguousSeq, mergeEvents, sortThreads, type CachedEvent, type CachedThread } from "./cache";
import { EMPTY_LIVE, settleLive, withLive, type LiveState } from "#protocol/live";

/**
 * The events' store, loaded when first needed: the app's first screen lists threads and does not
 * need it, so it stays out of the first download.
 */
const eventPages = () => import("../store/eventPages");

export class Threads {
  /** Every cached thread; replaced whole on change. */
  all = $state.raw<CachedThread[]>([]);
  /** The thread on screen, with its events in order. */
  open = $state.raw<{ hostId: string; threadId: string; events: CachedEvent[] } | null>(null);
  /** Ephemeral state of the open thread. */
  live = $state.raw<LiveState>(EMPTY_LIVE);

  constructor(private readonly db: Database) {}

  async load(): Promise<void> {
    this.all = await this.db.getAll<CachedThread>(Stores.threads);
  }

  forHost(hostId: string): CachedThread[] {
    return sortThreads(this.all.filter((t) => t.hostId === hostId));
  }

  get(hostId: string, threadId: string): CachedThread | undefined {
    return this.all.find((t) => t.hostId === hostId && t.threadId === threadId);
  }

  /** Catch-up cursors for a host: thread id → the seq up to which this phone has everything. */
  cursors(hostId: string): Record<string, number> {
    return Object.fromEntries(this.all.filter((t) => t.hostId === hostId && t.seq > 0).map((t) => [t.threadId, t.seq]));
  }

  async applySummary(hostId: string, summary: ThreadSummary): Promise<void> {
    const current = this.get(hostId, summary.threadId);
    if (current?.summary && current.summary.updatedAt > summary.updatedAt) return;
    const { sent: _sent, ...rest } = current ?? { hostId, threadId: summary.threadId, seq: 0 };
    await this.#save({ ...rest, summary });
  }

  /** Stores opened events (any order, duplicates welcome) and moves each thread's cursor. */
  async applyEvents(hostId: string, events: readonly CachedEvent[]): Promise<void> {
    if (events.length === 0) return;
    const byThread: Record<string, CachedEvent[]> = {};
    for (const e of events) (byThread[e.threadId] ??= []).push(e);
    // Events past a gap are stored too; the cursor waits until the gap is filled.
    const reached = await (await eventPages()).storeEvents(this.db, events, (threadId) => this.get(hostId, threadId)?.seq ?? 0);
    // Read again after the await: a summary or another page may have been saved meanwhile, and
    // writing the record read before it would put back what they replaced.
    const changed: CachedThread[] = [];
    for (const [threadId, seq] of reached) {
      const current = this.get(hostId, threadId);
      const base = current ?? { hostId, threadId, summary: null, seq: 0 };
      if (seq > base.seq || !current) changed.push({ ...base, seq: Math.max(seq, base.seq) });
    }
    // One write and one new list for the page, not one per thread: each new list redraws the lists.
    await this.#saveAll(changed);
    const open = this.open;
    const list = open && open.hostId === hostId ? byThread[open.threadId] : undefined;
    if (open && list) {
      this.open = { ...open, events: mergeEvents(open.events, list) };
      this.live = settleLive(this.live, list);
    }
  }

  /**
   * The relay trimmed these threads' starts before this phone read them (thread id → the first
   * seq it may still have): what it cannot have any more no longer holds the cursor back.
   */
  async applyTrims(hostId: string, trimmed: Readonly<Record<string, number>>): Promise<void> {
    for (const [threadId, first] of Object.entries(trimmed)) {
      const current = this.get(hostId, threadId) ?? { hostId, threadId, summary: null, seq: 0 };
      if (current.seq >= first - 1 && current.trimmed !== undefined) continue;
      const from = Math.max(current.seq, first - 1);
      const stored = await (await eventPages()).storedSeqs(this.db, hostId, threadId, from);
      // Read again after the await, so a summary saved meanwhile is kept.
      const latest = this.get(hostId, threadId) ?? current;
      const seq = contiguousSeq(Math.max(latest.seq, from), stored);
      await this.#save({ ...latest, seq, trimmed: Math.max(latest.trimmed ?? 0, first) });
    }
  }

  /** True when the thread has events past a gap: a catch-up should follow. */
  hasGap(hostId: string, threadId: string, seq: number): boolean {
    const t = this.get(hostId, threadId);
    return seq > (t?.seq ?? 0) + 1;
  }

  applyLive(
    hostId: string,
    threadId: string,
    event: { type: "text"; step: number; delta: string } | { type: "output"; callId: string; chunk: string },
  ): void {
    const open = this.open;
    if (!open || open.hostId !== hostId || open.threadId !== threadId) return;
    this.live = withLive(this.live, event);
  }

  /** Loads a thread's cached events and makes it the open one. */
  async openThread(hostId: string, threadId: string): Promise<void> {
    this.live = EMPTY_LIVE;
    this.open = { hostId, threadId, events: [] };
    const events = await this.#eventsOf(hostId, threadId, 0);
    const open = this.open;
    if (open?.hostId === hostId && open.threadId === threadId) this.open = { ...open, events: mergeEvents(open.events, events) };
  }

  closeThread(): void {
    this.open = null;
    this.live = EMPTY_LIVE;
  }

  /** A task this phone sent: listed at once, as queued when the computer is away. */
  async addSent(hostId: string, threadId: string, text: string, queued: boolean, at: number): Promise<void> {
    const current = this.get(hostId, threadId);
    if (current?.summary) return;
    await this.#save({ hostId, threadId, summary: null, seq: current?.seq ?? 0, sent: { text, at, queued } });
  }

  /** Forgets a thread its host deleted: its summary and its events. */
  async forgetThread(hostId: string, threadId: string): Promise<void> {
    await this.db.delete(Stores.threads, [hostId, threadId]);
    await (await eventPages()).deleteEvents(this.db, hostId, threadId);
    this.all = this.all.filter((t) => !(t.hostId === hostId && t.threadId === threadId));
    if (this.open?.hostId === hostId && this.open.threadId === threadId) this.closeThread();
  }

  /** Threads of a host this phone has a summary of (so the relay had their record). */
  summarised(hostId: string): string[] {
    return this.all.filter((t) => t.hostId === hostId && t.summary).map((t) => t.threadId);
  }

  /**
   * After a catch-up read the host's records: of the threads summarised before it asked
   * (`known`), those whose summary record the relay no longer keeps were deleted meanwhile.
   */
  async forgetMissing(hostId: string, known: readonly string[], recordKeys: ReadonlySet<string>): Promise<void> {
    for (const threadId of known) if (!recordKeys.has(threadRecordKey(threadId))) await this.forgetThread(hostId, threadId);
  }

  /** Forgets everything of a host (it was unpaired). */
  async forgetHost(hostId: string): Promise<void> {
    await this.db.deleteRange(Stores.threads, IDBKeyRange.bound([hostId], [hostId, []]));
    await (await eventPages()).deleteEvents(this.db, hostId);
    this.all = this.all.filter((t) => t.hostId !== hostId);
    if (this.open?.hostId === hostId) this.closeThread();
  }

  /** A thread's cached events after `afterSeq`, read from storage (not only the open thread's). */
  eventsAfter(hostId: string, threadId: string, afterSeq: number): Promise<CachedEvent[]> {
    return this.#eventsOf(hostId, threadId, afterSeq);
  }

  async #eventsOf(hostId: string, threadId: string, afterSeq: number): Promise<CachedEvent[]> {
    return (await eventPages()).readEvents(this.db, hostId, threadId, afterSeq);
  }

  async #save(thread: CachedThread): Promise<void> {
    await this.#saveAll([thread]);
  }

  async #saveAll(threads: readonly CachedThread[]): Promise<void> {
    if (threads.length === 0) return;
    // Memory first, in the same step as the caller's read of it: two saves of one thread never
    // interleave their read and write. IndexedDB runs the writes in the order they are made.
    const saved = (t: CachedThread): boolean => threads.some((s) => s.hostId === t.hostId && s.threadId === t.threadId);
    this.all = [...this.all.filter((t) => !saved(t)), ...threads];
    await this.db.putMany(Stores.threads, threads);
  }
}

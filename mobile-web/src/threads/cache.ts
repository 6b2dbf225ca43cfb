// The pure rules of the phone's thread cache: ordering, de-duplication and how far a thread
// is complete. Kept free of Svelte and IndexedDB so the tests reach them directly.

import type { ThreadEvent, ThreadSummary } from "#protocol";

export interface CachedEvent {
  hostId: string;
  threadId: string;
  seq: number;
  event: ThreadEvent;
}

/** A thread as the phone knows it. */
export interface CachedThread {
  hostId: string;
  threadId: string;
  /** The host's latest summary; null until one arrived (a task only just sent). */
  summary: ThreadSummary | null;
  /** The highest seq up to which this phone has every event, so catch-up asks after it. */
  seq: number;
  /** A task this phone sent, shown until the host's summary takes over. */
  sent?: { text: string; at: number; queued: boolean };
  /**
   * The relay had trimmed this thread's events before this seq (retention) when this phone
   * caught up, so the start it never read is gone from the relay.
   */
  trimmed?: number;
}

/** Merges events into a list ordered by seq; an event already there is kept, never doubled. */
export function mergeEvents<E extends { seq: number }>(current: readonly E[], incoming: readonly E[]): E[] {
  if (incoming.length === 0) return current as E[];
  const bySeq = new Map<number, E>();
  for (const e of current) bySeq.set(e.seq, e);
  for (const e of incoming) if (!bySeq.has(e.seq)) bySeq.set(e.seq, e);
  return [...bySeq.values()].sort((a, b) => a.seq - b.seq);
}

/** The highest n such that events 1..n are all present (given in any order). */
export function contiguousSeq(from: number, seqs: Iterable<number>): number {
  const have = new Set(seqs);
  let n = from;
  while (have.has(n + 1)) n++;
  return n;
}

/** Threads for a list: waiting for a person first, then running, then the most recent. */
export function sortThreads(threads: readonly CachedThread[]): CachedThread[] {
  const rank = (t: CachedThread): number => {
    const s = t.summary;
    if (!s) return 2;
    if (s.pending.length > 0 || s.status === "awaiting-answer") return 0;
    if (s.status === "running" || s.status === "awaiting-approval" || s.status === "queued") return 1;
    return 2;
  };
  const time = (t: CachedThread): number => t.summary?.updatedAt ?? t.sent?.at ?? 0;
  return [...threads].sort((a, b) => rank(a) - rank(b) || time(b) - time(a));
}

/** What a host's threads add up to, for the list of computers. */
export function hostActivity(threads: readonly CachedThread[]): { running: number; waiting: number } {
  let running = 0;
  let waiting = 0;
  for (const t of threads) {
    const s = t.summary;
    if (!s) continue;
    waiting += s.pending.length + (s.status === "awaiting-answer" ? 1 : 0);
    if (s.status === "running" || s.status === "awaiting-approval" || s.status === "awaiting-answer") running++;
  }
  return { running, waiting };
}

// How the phone keeps thread events in IndexedDB: a run of one thread's events in one record.
// A record per event cost one put, with its setup and its success event on the page's main
// thread, for every event of a catch-up; a record per thread per page costs one per page.

import type { ThreadEvent } from "#protocol";
import type { CachedEvent } from "../threads/cache";

/** At most this many events in one record, so a record stays a few megabytes at most. */
export const PAGE_EVENTS = 1000;

/** One thread's events, in seq order, keyed by `[hostId, threadId, last]`. */
export interface EventPage {
  hostId: string;
  threadId: string;
  /** The lowest and highest seq in `events`. */
  first: number;
  last: number;
  events: { seq: number; event: ThreadEvent }[];
}

/** Events of any threads, order and duplicates as they come, as records of at most PAGE_EVENTS each. */
export function pagesOfEvents(events: readonly CachedEvent[]): EventPage[] {
  const byThread = new Map<string, Map<number, ThreadEvent>>();
  for (const e of events) {
    const key = JSON.stringify([e.hostId, e.threadId]);
    let seqs = byThread.get(key);
    if (!seqs) byThread.set(key, (seqs = new Map()));
    if (!seqs.has(e.seq)) seqs.set(e.seq, e.event);
  }
  const pages: EventPage[] = [];
  for (const [key, seqs] of byThread) {
    const [hostId, threadId] = JSON.parse(key) as [string, string];
    const sorted = [...seqs.keys()].sort((a, b) => a - b);
    for (let i = 0; i < sorted.length; i += PAGE_EVENTS) {
      const run = sorted.slice(i, i + PAGE_EVENTS);
      pages.push({
        hostId,
        threadId,
        first: run[0]!,
        last: run[run.length - 1]!,
        events: run.map((seq) => ({ seq, event: seqs.get(seq)! })),
      });
    }
  }
  return pages;
}

/** Two records of one key as one: an event in both is kept once, as it was first stored. */
export function mergePages(stored: EventPage, incoming: EventPage): EventPage {
  const seqs = new Set(stored.events.map((e) => e.seq));
  const added = incoming.events.filter((e) => !seqs.has(e.seq));
  if (added.length === 0) return stored;
  const events = [...stored.events, ...added].sort((a, b) => a.seq - b.seq);
  return { ...stored, first: events[0]!.seq, last: events[events.length - 1]!.seq, events };
}

/** The events of `pages` after `afterSeq`, in seq order, each once. */
export function eventsOfPages(pages: readonly EventPage[], afterSeq: number): CachedEvent[] {
  const bySeq = new Map<number, CachedEvent>();
  for (const page of pages)
    for (const { seq, event } of page.events)
      if (seq > afterSeq && !bySeq.has(seq)) bySeq.set(seq, { hostId: page.hostId, threadId: page.threadId, seq, event });
  return [...bySeq.values()].sort((a, b) => a.seq - b.seq);
}

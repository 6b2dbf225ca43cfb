// Thread events in IndexedDB, a run of one thread's events per record (`pageRecords.ts`).
// Reads and deletes go by key range: a record's key ends with its last seq, so the records
// holding events after a seq are those whose key is past it.

import { type CachedEvent, contiguousSeq } from "../threads/cache";
import { completed, type Database, promised, Stores } from "./db";
import { type EventPage, eventsOfPages, mergePages, pagesOfEvents } from "./pageRecords";

/** A thread's records that may hold events after `afterSeq`. */
function after(hostId: string, threadId: string, afterSeq: number): IDBKeyRange {
  return IDBKeyRange.bound([hostId, threadId, afterSeq + 1], [hostId, threadId, Infinity]);
}

/**
 * Stores opened events (any threads and order, duplicates welcome) in one transaction and
 * answers, per thread, the highest seq up to which every event is stored, counting from
 * `from` (thread id → its cursor now). Events past a gap are stored; the answer stops at it.
 */
export async function storeEvents(
  db: Database,
  events: readonly CachedEvent[],
  from: (threadId: string) => number,
): Promise<Map<string, number>> {
  const tx = db.transaction(Stores.pages, "readwrite");
  const store = tx.objectStore(Stores.pages);
  const reached = new Map<string, number>();
  const pending: Promise<void>[] = [];
  for (const page of pagesOfEvents(events)) {
    const key = [page.hostId, page.threadId, page.last];
    pending.push(
      promised(store.get(key)).then((stored: EventPage | undefined) => {
        store.put(stored ? mergePages(stored, page) : page);
      }),
    );
  }
  // After the writes, in the same transaction: how far each thread is now complete. What this
  // call brought usually continues the cursor; only records past that are read.
  const byThread = new Map<string, { hostId: string; seqs: number[] }>();
  for (const e of events) {
    const entry = byThread.get(e.threadId) ?? { hostId: e.hostId, seqs: [] };
    entry.seqs.push(e.seq);
    byThread.set(e.threadId, entry);
  }
  await Promise.all(pending);
  for (const [threadId, { hostId, seqs }] of byThread) {
    const start = from(threadId);
    const n = contiguousSeq(start, seqs);
    pending.push(
      promised(store.getAllKeys(after(hostId, threadId, n))).then(async (keys) => {
        if (keys.length === 0) return void reached.set(threadId, n);
        const later = (await promised(store.getAll(after(hostId, threadId, n)))) as EventPage[];
        reached.set(
          threadId,
          contiguousSeq(
            n,
            eventsOfPages(later, n).map((e) => e.seq),
          ),
        );
      }),
    );
  }
  await Promise.all(pending);
  await completed(tx);
  return reached;
}

/** A thread's stored events after `afterSeq`, in seq order. */
export async function readEvents(db: Database, hostId: string, threadId: string, afterSeq: number): Promise<CachedEvent[]> {
  return eventsOfPages(await db.getRange<EventPage>(Stores.pages, after(hostId, threadId, afterSeq)), afterSeq);
}

/** The seqs of a thread's stored events after `afterSeq`. */
export async function storedSeqs(db: Database, hostId: string, threadId: string, afterSeq: number): Promise<number[]> {
  return (await readEvents(db, hostId, threadId, afterSeq)).map((e) => e.seq);
}

/** Deletes a thread's events, or (without `threadId`) a host's. */
export function deleteEvents(db: Database, hostId: string, threadId?: string): Promise<void> {
  const range =
    threadId === undefined
      ? IDBKeyRange.bound([hostId], [hostId, []])
      : IDBKeyRange.bound([hostId, threadId], [hostId, threadId, []]);
  return db.deleteRange(Stores.pages, range);
}

// The PWA's catch-up (ThreadService) in Node: its thread cache kept in memory with the same
// cursor rules as the app (cache.ts), for the bench and for tests of what a relay serves.

import assert from "node:assert/strict";
import type { StoredRecord } from "#protocol";
import { contiguousSeq, type CachedEvent } from "../../mobile-web/src/threads/cache";
import type { HostRecord } from "../../mobile-web/src/store/records";
import type { PhoneSocket } from "./phone";

/** What the bench and tests use of the PWA's ThreadService (mobile-web/src/threads/threadService.ts). */
export interface ThreadServiceLike {
  catchUp(hostId: string, onRecords?: (records: StoredRecord[]) => Promise<void>): Promise<void>;
}
type ThreadServiceClass = new (deps: {
  threads: object;
  host(hostId: string): HostRecord | undefined;
  connection(): Promise<{ socket: PhoneSocket; deviceId: string }>;
  now(): number;
}) => ThreadServiceLike;

/**
 * The PWA's ThreadService, loaded at run time: its module names the Svelte thread store as a
 * type, which needs Svelte's types, and the root tsconfig (svelte-check covers mobile-web/)
 * would follow a static import there.
 */
export async function threadServiceClass(): Promise<ThreadServiceClass> {
  const path = "../../mobile-web/src/threads/threadService";
  return ((await import(path)) as { ThreadService: ThreadServiceClass }).ThreadService;
}

export interface MemoryThreads {
  threads: object;
  /** Distinct events held. */
  events(): number;
  /** Thread id → its held events' JSON by seq. */
  held: Map<string, Map<number, string>>;
  /** Thread id → the seq up to which every event is held (the cursor the app keeps). */
  seqs: Map<string, number>;
  /** Methods the PWA's cache gained since this was written: they answered nothing. */
  missing: Set<string>;
}

/**
 * The phone's thread cache without IndexedDB. An event arriving twice must be the same event
 * (the app keeps the first; checked unless `keepContent` is false); a method this does not know answers nothing and is named in `missing`.
 */
export function memoryThreads(options: { keepContent?: boolean } = {}): MemoryThreads {
  const seqs = new Map<string, number>();
  const held = new Map<string, Map<number, string>>();
  const summarised = new Set<string>();
  const missing = new Set<string>();
  let total = 0;
  const known: Record<string, unknown> = {
    cursors: () => Object.fromEntries([...seqs].filter(([, seq]) => seq > 0)),
    summarised: () => [...summarised],
    async applySummary(_hostId: string, summary: { threadId: string }) {
      summarised.add(summary.threadId);
    },
    async applyEvents(_hostId: string, events: readonly CachedEvent[]) {
      for (const e of events) {
        const have = held.get(e.threadId) ?? new Map<number, string>();
        // The bench keeps seqs only: comparing content would add to what it measures.
        const json = options.keepContent === false ? "" : JSON.stringify(e.event);
        const had = have.get(e.seq);
        assert.ok(had === undefined || had === json, `${e.threadId} ${e.seq} arrived twice with different content`);
        if (had === undefined) total++;
        have.set(e.seq, json);
        held.set(e.threadId, have);
      }
      for (const [threadId, have] of held) seqs.set(threadId, contiguousSeq(seqs.get(threadId) ?? 0, have.keys()));
    },
    hasGap: () => false,
    async forgetMissing() {},
    applyLive() {},
    async addSent() {},
  };
  const threads = new Proxy(known, {
    get(target, name) {
      if (typeof name !== "string" || name in target) return Reflect.get(target, name);
      missing.add(name);
      return () => undefined;
    },
  });
  return { threads, events: () => total, held, seqs, missing };
}

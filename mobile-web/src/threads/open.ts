// Opening what a host publishes about its threads: durable events, live events and thread
// summaries. Each box is bound to where the relay says it belongs; one that does not open or
// parse is reported, never shown.

import {
  liveEventSchema,
  open,
  openPage,
  sealContext,
  threadEventSchema,
  threadSummarySchema,
  type LiveEvent,
  type LiveForward,
  type StoredEvent,
  type StoredPage,
  type StoredRecord,
  type ThreadEvent,
  type ThreadSummary,
} from "#protocol";

export interface OpenedEvent {
  threadId: string;
  seq: number;
  event: ThreadEvent;
}

export async function openThreadEvent(key: CryptoKey, stored: StoredEvent): Promise<OpenedEvent> {
  const plain = await open(key, stored.box, sealContext.event(stored.hostId, stored.threadId, stored.seq));
  return { threadId: stored.threadId, seq: stored.seq, event: threadEventSchema.parse(plain) };
}

/**
 * A history page's events after `cursor` (the seq this phone asked after). The page must hold
 * `cursor + 1`: a page that leaves a hole before it, or does not open as this host's page of
 * that thread and range, is refused (thrown), so no cursor moves past events never seen.
 */
export async function openHistoryPage(key: CryptoKey, hostId: string, page: StoredPage, cursor: number): Promise<OpenedEvent[]> {
  if (page.from > cursor + 1 || page.to <= cursor) throw new Error(`page ${page.from}-${page.to} does not follow ${cursor}`);
  const events = await openPage(key, { ...page, hostId });
  return events.filter((e) => e.seq > cursor).map((e) => ({ threadId: page.threadId, seq: e.seq, event: e.event }));
}

export async function openLiveEvent(key: CryptoKey, live: LiveForward): Promise<LiveEvent> {
  return liveEventSchema.parse(await open(key, live.box, sealContext.live(live.hostId, live.threadId, live.n)));
}

/** A thread summary record (`t-<threadId>`), or null for a record of another kind. */
export async function openThreadSummary(key: CryptoKey, record: StoredRecord): Promise<ThreadSummary | null> {
  if (!record.key.startsWith("t-")) return null;
  const summary = threadSummarySchema.parse(await open(key, record.box, sealContext.record(record.hostId, record.key)));
  return summary.threadId === record.key.slice(2) ? summary : null;
}

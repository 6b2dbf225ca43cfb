// Opening what a host publishes about its threads: durable events, live events and thread
// summaries. Each box is bound to where the relay says it belongs; one that does not open or
// parse is reported, never shown.

import {
  liveEventSchema,
  open,
  sealContext,
  threadEventSchema,
  threadSummarySchema,
  type LiveEvent,
  type LiveForward,
  type StoredEvent,
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

export async function openLiveEvent(key: CryptoKey, live: LiveForward): Promise<LiveEvent> {
  return liveEventSchema.parse(await open(key, live.box, sealContext.live(live.hostId, live.threadId, live.n)));
}

/** A thread summary record (`t-<threadId>`), or null for a record of another kind. */
export async function openThreadSummary(key: CryptoKey, record: StoredRecord): Promise<ThreadSummary | null> {
  if (!record.key.startsWith("t-")) return null;
  const summary = threadSummarySchema.parse(await open(key, record.box, sealContext.record(record.hostId, record.key)));
  return summary.threadId === record.key.slice(2) ? summary : null;
}

// A thread's events as the rules read them: in seq order, each once, and where its runs end.
// A screen may hand in events with holes or repeats while a phone catches up.

import type { ThreadEvent, ThreadStatus } from "#protocol";
import type { NumberedEvent } from "./timelineItems";

export const ENDED: readonly ThreadStatus[] = ["done", "failed", "stopped"];

/** In seq order, each seq once: the cache merges, but a screen may hand in anything. */
export function ordered(events: readonly NumberedEvent[]): readonly NumberedEvent[] {
  let sorted = true;
  for (let i = 1; i < events.length; i++) {
    if (events[i]!.seq <= events[i - 1]!.seq) {
      sorted = false;
      break;
    }
  }
  if (sorted) return events;
  const bySeq = new Map<number, NumberedEvent>();
  for (const e of events) if (!bySeq.has(e.seq)) bySeq.set(e.seq, e);
  return [...bySeq.values()].sort((a, b) => a.seq - b.seq);
}

/** An event after which a run that was going is over. */
export const endsRun = (e: ThreadEvent): boolean => e.type === "status" && (ENDED.includes(e.status) || e.status === "queued");

/** Seq of the last event that ended a run, or 0. */
export function lastRunEnd(events: readonly NumberedEvent[]): number {
  for (let i = events.length - 1; i >= 0; i--) if (endsRun(events[i]!.event)) return events[i]!.seq;
  return 0;
}

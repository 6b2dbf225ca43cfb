// What a phone holds of a thread, for the fault tests: events merged by seq (the same seq twice
// must be the same event), catch-up from the last contiguous seq as the app does it, and the
// comparison with the host's own thread store.

import assert from "node:assert/strict";
import { type StoredEvent, type ThreadEvent } from "#protocol";
import { ThreadBoxOpener } from "#protocol/threadKeys";
import { openThreadEvent } from "../../mobile-web/src/threads/open";
import { ThreadStore, workspaceStateDir } from "../../extension/core/threads/threadStore";
import type { PhoneSocket } from "./phone";
import { until } from "./wait";

const quiet = { info() {}, warn() {}, error() {} };

/** The host's own record of a thread, from its store on disk. */
export function hostEvents(hostStateDir: string, workspace: string, threadId: string): { seq: number; event: ThreadEvent }[] {
  return new ThreadStore(workspaceStateDir(hostStateDir, workspace), quiet).events(threadId);
}

/**
 * The host's events once its final status is on disk: a host process says "done" as the event is
 * appended, and its store writes it off the event loop a moment later.
 */
export function hostEventsDone(
  hostStateDir: string,
  workspace: string,
  threadId: string,
): Promise<{ seq: number; event: ThreadEvent }[]> {
  return until("the host's final status on disk", () => {
    const events = hostEvents(hostStateDir, workspace, threadId);
    return events.at(-1)?.event.type === "status" && events;
  });
}

/** Merges events by seq; the same seq twice must carry the same event. */
export function merge(into: Map<number, string>, events: { seq: number; event: ThreadEvent }[]): void {
  for (const { seq, event } of events) {
    const json = JSON.stringify(event);
    const had = into.get(seq);
    assert.ok(had === undefined || had === json, `seq ${seq} arrived twice with different content`);
    into.set(seq, json);
  }
}

export function assertSameAsHost(phone: Map<number, string>, host: { seq: number; event: ThreadEvent }[]): void {
  assert.deepEqual(
    [...phone.keys()].sort((a, b) => a - b),
    host.map((e) => e.seq),
  );
  for (const { seq, event } of host) assert.equal(phone.get(seq), JSON.stringify(event), `seq ${seq} differs from the host's`);
}

/** The highest seq up to which `held` has every event. */
export function contiguous(held: Map<number, string>): number {
  let cursor = 0;
  while (held.has(cursor + 1)) cursor++;
  return cursor;
}

/**
 * What the app does on connecting: catch up on a thread from its cursor, page by page, into
 * `held`. Returns how many events the relay sent, after checking it sent none of them twice.
 */
export async function catchUp(
  socket: PhoneSocket,
  phone: { hostId: string; contentKey: CryptoKey },
  threadId: string,
  held: Map<number, string>,
): Promise<number> {
  const received: number[] = [];
  for (;;) {
    const cursors = { [threadId]: contiguous(held) };
    const page = await socket.timeout(10_000).emitWithAck("sync", { hostId: phone.hostId, cursors });
    if (!page.ok) throw new Error(page.message);
    const boxes = threadBoxesOf(phone);
    const opened = (
      await Promise.all(page.events.map((e: StoredEvent) => boxes.open(e.box.e, e.threadId, (key) => openThreadEvent(key, e))))
    ).filter((o) => o.threadId === threadId);
    received.push(...opened.map((o) => o.seq));
    merge(held, opened);
    if (!page.more) break;
  }
  assert.equal(new Set(received).size, received.length, "the catch-up repeated an event");
  return received.length;
}

/**
 * Catches up until the phone holds every event up to `lastSeq`, as the app would on its next
 * sync: a host that says "done" may still be publishing its last events, and one that was
 * cut off publishes them once it has reconnected. Returns how many events the relay sent.
 */
export async function catchUpTo(
  socket: PhoneSocket,
  phone: { hostId: string; contentKey: CryptoKey },
  threadId: string,
  held: Map<number, string>,
  lastSeq: number,
  ms = 15_000,
): Promise<number> {
  let received = 0;
  const caughtUp = async (): Promise<boolean> => {
    received += await catchUp(socket, phone, threadId, held);
    return contiguous(held) >= lastSeq;
  };
  // A phone still short of `lastSeq` after `ms` is left to the caller's assertion, which says what is missing.
  await until(`the phone to hold events up to ${lastSeq}`, caughtUp, ms).catch(() => undefined);
  return received;
}

const openers = new WeakMap<CryptoKey, ThreadBoxOpener>();

/** Opens a host's thread boxes as the app does: thread keys derived from the phone's content key. */
export function threadBoxesOf(phone: { hostId: string; contentKey: CryptoKey }): ThreadBoxOpener {
  let opener = openers.get(phone.contentKey);
  if (!opener) {
    opener = new ThreadBoxOpener(phone.hostId, () => phone.contentKey);
    openers.set(phone.contentKey, opener);
  }
  return opener;
}
